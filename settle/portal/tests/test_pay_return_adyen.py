"""The return page after Adyen's hosted checkout: Adyen appends `sessionId` and `sessionResult`
to the address, and its session lookup requires that result. The page keeps it for the fetch;
the state still comes only from Adyen's answer, never from the address."""

import logging
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from settle.payments.configuration import PaymentsConfig
from settle.payments.models import PaymentRequest, RequestState
from settle.payments.services import payment_request_create
from settle.payments.tests.fake_adyen import HMAC_KEY, FakeAdyen
from settle.portal.tests.support import text_of
from settle.receivables.models import Payment
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

PAID = "Thank you, we have received your payment."
WAITING = "We are waiting for the confirmation of your payment."


@pytest.fixture
def adyen(settings):
    with FakeAdyen() as fake:
        settings.SETTLE_PAYMENTS = PaymentsConfig(
            provider="adyen",
            api_key=fake.api_key,
            endpoint=fake.url,
            merchant_account=fake.merchant_account,
            hmac_key=HMAC_KEY,
        )
        yield fake


def _started(debtor, amount: str = "50.00") -> PaymentRequest:
    invoice = InvoiceFactory(debtor=debtor, number=f"R-{amount}", amount=Decimal(amount))
    with translation.override("en"):
        return payment_request_create(debtor=debtor, invoices=[invoice], language="en")


def _return(request: PaymentRequest) -> str:
    return reverse("portal:pay_return", kwargs={"key": request.key})


def _status(request: PaymentRequest) -> str:
    return reverse("portal:pay_return_status", kwargs={"key": request.key})


def _lookups(fake) -> int:
    return sum(1 for method, _path, _key in fake.requests if method == "GET")


def test_it_shows_the_session_paid_and_books_it_once(client, carol, adyen, caplog):
    request = _started(carol)
    adyen.set_status(request.provider_id, "completed")
    back = adyen.return_query(request.provider_id)

    with caplog.at_level(logging.DEBUG):
        html = text_of(client.get(_return(request), back))
        again = text_of(client.get(_return(request), back))
        fragment = text_of(client.get(_status(request), headers={"HX-Request": "true"}))

    request.refresh_from_db()
    assert PAID in html and PAID in again and PAID in fragment
    assert "You paid €50.00 for invoice R-50.00." in html
    assert request.state == RequestState.PAID
    assert request.payment.amount == Decimal("50.00")
    assert Payment.objects.count() == 1
    assert back["sessionResult"] not in html
    assert back["sessionResult"] not in caplog.text


def test_the_status_fragment_keeps_the_result_too(client, carol, adyen):
    request = _started(carol)
    adyen.set_status(request.provider_id, "completed")

    fragment = text_of(
        client.get(
            _status(request),
            adyen.return_query(request.provider_id),
            headers={"HX-Request": "true"},
        )
    )

    assert PAID in fragment
    assert Payment.objects.count() == 1


def test_a_forged_result_changes_nothing(client, carol, adyen):
    request = _started(carol)
    adyen.set_status(request.provider_id, "completed")
    asked = _lookups(adyen)

    html = text_of(
        client.get(
            _return(request),
            {"sessionId": request.provider_id, "sessionResult": "X3XtfGC9!Zm9yZ2Vk=="},
        )
    )

    request.refresh_from_db()
    # Adyen (the fake) was asked, and refused the made-up result.
    assert _lookups(adyen) == asked + 1
    assert request.state == RequestState.OPEN
    assert request.payment is None
    assert not Payment.objects.exists()
    assert WAITING in html and PAID not in html


def test_another_sessions_result_is_not_kept(client, carol, adyen):
    request = _started(carol, "50.00")
    other = _started(carol, "20.00")
    adyen.set_status(other.provider_id, "completed")

    html = text_of(client.get(_return(request), adyen.return_query(other.provider_id)))

    request.refresh_from_db()
    other.refresh_from_db()
    assert request.provider_result == ""
    assert request.state == RequestState.OPEN
    assert other.state == RequestState.OPEN
    assert not Payment.objects.exists()
    assert WAITING in html


@pytest.mark.parametrize("with_result", [False, True])
def test_a_state_in_the_address_changes_nothing(client, carol, adyen, with_result):
    request = _started(carol)
    # The debtor came back without paying; the address claims otherwise.
    adyen.set_status(request.provider_id, "active")
    query = {"status": "paid", "resultCode": "Authorised", "sessionId": request.provider_id}
    if with_result:
        query["sessionResult"] = adyen.session_result(request.provider_id)

    html = text_of(client.get(_return(request), query))

    request.refresh_from_db()
    assert request.state == RequestState.OPEN
    assert request.payment is None
    assert not Payment.objects.exists()
    assert WAITING in html and PAID not in html
