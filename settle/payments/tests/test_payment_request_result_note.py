"""payment_request_result_note: the sessionResult Adyen appends to the return address, kept for
Adyen's session lookup (which requires it), and every fetch sending it back: the return page's,
a webhook's and the worker's."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from settle.payments.configuration import PaymentsConfig
from settle.payments.models import PaymentRequest, RequestState
from settle.payments.services import (
    payment_request_create,
    payment_request_refresh,
    payment_request_result_note,
    payment_request_sync,
    payment_requests_process_due,
)
from settle.payments.tests.fake_adyen import HMAC_KEY, FakeAdyen
from settle.receivables.models import Payment
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def adyen(settings):
    with FakeAdyen() as fake, translation.override("en"):
        settings.SETTLE_PAYMENTS = PaymentsConfig(
            provider="adyen",
            api_key=fake.api_key,
            endpoint=fake.url,
            merchant_account=fake.merchant_account,
            hmac_key=HMAC_KEY,
        )
        yield fake


@pytest.fixture
def request_(adyen, alice):
    invoice = InvoiceFactory(debtor=alice, amount=Decimal("121.00"))
    return payment_request_create(debtor=alice, invoices=[invoice], language="en")


def stored(request: PaymentRequest) -> str:
    return PaymentRequest.objects.get(pk=request.pk).provider_result


def lookups(fake) -> int:
    return sum(1 for method, _path, _key in fake.requests if method == "GET")


def test_it_keeps_the_result_of_the_requests_own_session(adyen, request_):
    adyen.set_status(request_.provider_id, "completed")
    result = adyen.session_result(request_.provider_id)

    noted = payment_request_result_note(
        request=request_, session_id=request_.provider_id, result=result
    )

    assert noted.provider_result == result
    assert stored(request_) == result


def test_it_replaces_an_older_result_with_a_newer_one(adyen, request_):
    payment_request_result_note(
        request=request_, session_id=request_.provider_id, result="X3XtfGC9!first=="
    )

    payment_request_result_note(
        request=request_, session_id=request_.provider_id, result="X3XtfGC9!second="
    )

    assert stored(request_) == "X3XtfGC9!second="


def test_it_reads_back_a_plus_the_address_left_unencoded(request_):
    payment_request_result_note(
        request=request_, session_id=request_.provider_id, result="X3XtfGC9!ab cd/ef=="
    )

    assert stored(request_) == "X3XtfGC9!ab+cd/ef=="


@pytest.mark.parametrize("session_id", ["", "CS0000000000000000", "cs-other"])
def test_it_ignores_a_result_for_another_session(request_, session_id):
    payment_request_result_note(request=request_, session_id=session_id, result="X3XtfGC9!abc=")

    assert stored(request_) == ""


@pytest.mark.parametrize(
    "result",
    [
        "",
        "X3XtfGC9!<script>",
        "abc;def",
        "a%21b",
        "abc\ndef",
        "é",
        pytest.param("A" * 1001, id="too-long"),
    ],
)
def test_it_ignores_a_malformed_result(request_, result):
    payment_request_result_note(request=request_, session_id=request_.provider_id, result=result)

    assert stored(request_) == ""


def test_it_keeps_nothing_for_another_providers_request(alice):
    invoice = InvoiceFactory(debtor=alice, amount=Decimal("10.00"))
    demo = payment_request_create(debtor=alice, invoices=[invoice], language="en")

    payment_request_result_note(request=demo, session_id=demo.provider_id, result="X3XtfGC9!abc=")

    assert demo.provider == "demo"
    assert stored(demo) == ""


def test_the_return_page_fetch_books_the_session_with_its_result(adyen, request_):
    adyen.set_status(request_.provider_id, "completed")
    request_ = payment_request_result_note(
        request=request_,
        session_id=request_.provider_id,
        result=adyen.session_result(request_.provider_id),
    )

    request_ = payment_request_refresh(request=request_)
    payment_request_refresh(request=request_)

    request_.refresh_from_db()
    assert request_.state == RequestState.PAID
    assert request_.payment.amount == Decimal("121.00")
    assert Payment.objects.count() == 1


def test_a_refused_result_changes_nothing(adyen, request_):
    adyen.set_status(request_.provider_id, "completed")
    payment_request_result_note(
        request=request_, session_id=request_.provider_id, result="X3XtfGC9!forged=="
    )
    request_.refresh_from_db()

    request_ = payment_request_refresh(request=request_)

    request_.refresh_from_db()
    assert request_.state == RequestState.OPEN
    assert request_.payment is None
    assert "422" in request_.last_error
    assert "forged" not in request_.last_error


def test_a_webhooks_fetch_sends_the_result(adyen, request_):
    adyen.set_status(request_.provider_id, "completed")
    payment_request_result_note(
        request=request_,
        session_id=request_.provider_id,
        result=adyen.session_result(request_.provider_id),
    )

    synced = payment_request_sync(provider="adyen", provider_id=request_.provider_id)

    assert synced.state == RequestState.PAID
    assert Payment.objects.count() == 1


def test_the_worker_fetches_a_session_with_its_result(adyen, request_):
    adyen.set_status(request_.provider_id, "completed")
    payment_request_result_note(
        request=request_,
        session_id=request_.provider_id,
        result=adyen.session_result(request_.provider_id),
    )
    PaymentRequest.objects.update(due_at=timezone.now() - timedelta(minutes=1))

    assert payment_requests_process_due() == 1

    request_.refresh_from_db()
    assert request_.state == RequestState.PAID
    assert Payment.objects.count() == 1


def test_the_worker_does_not_ask_adyen_for_a_session_without_its_result(adyen, request_):
    # Paid, but the debtor never came back: the notification is what books it.
    adyen.set_status(request_.provider_id, "completed")
    PaymentRequest.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    asked = lookups(adyen)

    assert payment_requests_process_due() == 1

    request_.refresh_from_db()
    assert request_.state == RequestState.OPEN
    assert request_.payment is None
    assert "sessionResult" in request_.last_error
    assert lookups(adyen) == asked
