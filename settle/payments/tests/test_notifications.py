"""The worker applying stored Adyen notifications (notifications_process_due), with requests
made through the real Adyen library against the fake Checkout API."""

from decimal import Decimal

import pytest
from django.utils import timezone, translation

from settle.payments.configuration import PaymentsConfig
from settle.payments.models import Notification, NotificationState, RequestState
from settle.payments.notifications import notifications_process_due, notifications_store
from settle.payments.providers.registry import provider_active
from settle.payments.services import (
    payment_request_create,
    payment_request_refresh,
    payment_request_result_note,
)
from settle.payments.tests.fake_adyen import HMAC_KEY, FakeAdyen, adyen_item, adyen_notification
from settle.receivables.models import Payment
from settle.receivables.tests.factories import InvoiceFactory
from settle.worklist.models import Task, TaskKind

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


def notify(*items: dict) -> int:
    """What the webhook does with a verified batch."""
    body = adyen_notification(list(items), HMAC_KEY)
    parsed = provider_active().webhook_items(body=body, headers={})
    return notifications_store(provider="adyen", items=parsed)


def open_amount(invoice) -> Decimal:
    invoice.refresh_from_db()
    return invoice.open_amount


@pytest.fixture
def invoice(alice):
    return InvoiceFactory(debtor=alice, amount=Decimal("121.00"))


@pytest.fixture
def request_(adyen, alice, invoice):
    return payment_request_create(debtor=alice, invoices=[invoice], language="en")


def test_it_books_an_authorisation_once(request_, invoice):
    item = adyen_item(psp_reference="PSP1", merchant_reference=request_.key, value=12100)
    notify(item)
    notify(item)

    assert notifications_process_due() == 1
    assert notifications_process_due() == 0

    request_.refresh_from_db()
    assert request_.state == RequestState.PAID
    assert request_.payment == Payment.objects.get()
    assert open_amount(invoice) == Decimal("0.00")
    assert Notification.objects.get().state == NotificationState.DONE


def test_it_books_nothing_for_an_authorisation_of_another_amount(request_, invoice):
    notify(adyen_item(psp_reference="PSP1", merchant_reference=request_.key, value=100))

    notifications_process_due()

    request_.refresh_from_db()
    assert request_.mismatch is True
    assert not Payment.objects.exists()
    assert open_amount(invoice) == Decimal("121.00")
    assert Task.objects.get().kind == TaskKind.PAYMENT_MISMATCH


def test_it_fails_a_request_on_a_refused_authorisation(request_, invoice):
    notify(
        adyen_item(
            psp_reference="PSP1", merchant_reference=request_.key, value=12100, success=False
        )
    )

    notifications_process_due()

    request_.refresh_from_db()
    assert request_.state == RequestState.FAILED
    assert open_amount(invoice) == Decimal("121.00")


def test_it_reopens_an_invoice_on_a_refund_naming_only_the_original_payment(request_, invoice):
    notify(adyen_item(psp_reference="PSP1", merchant_reference=request_.key, value=12100))
    notifications_process_due()

    refund = adyen_item(
        psp_reference="PSP-R1",
        merchant_reference="refund-made-in-the-customer-area",
        event="REFUND",
        value=2100,
        original_reference="PSP1",
    )
    notify(refund)
    notify(refund)
    notifications_process_due()

    request_.refresh_from_db()
    assert request_.refunded_amount == Decimal("21.00")
    assert open_amount(invoice) == Decimal("21.00")
    assert Task.objects.get().kind == TaskKind.PAYMENT_REVERSED


def test_it_reopens_an_invoice_on_a_chargeback(request_, invoice):
    notify(adyen_item(psp_reference="PSP1", merchant_reference=request_.key, value=12100))
    notify(
        adyen_item(
            psp_reference="PSP-C1",
            merchant_reference=request_.key,
            event="CHARGEBACK",
            value=12100,
            original_reference="PSP1",
        )
    )

    notifications_process_due()

    request_.refresh_from_db()
    assert request_.charged_back_amount == Decimal("121.00")
    assert open_amount(invoice) == Decimal("121.00")


def test_a_later_fetch_keeps_the_refund_a_notification_reported(adyen, request_, invoice):
    notify(adyen_item(psp_reference="PSP1", merchant_reference=request_.key, value=12100))
    notify(
        adyen_item(
            psp_reference="PSP-R1",
            merchant_reference=request_.key,
            event="REFUND",
            value=2100,
            original_reference="PSP1",
        )
    )
    notifications_process_due()
    adyen.set_status(request_.provider_id, "completed")
    request_ = payment_request_result_note(
        request=request_,
        session_id=request_.provider_id,
        result=adyen.session_result(request_.provider_id),
    )

    # Adyen's session result knows nothing of refunds.
    request_ = payment_request_refresh(request=request_)

    assert request_.refunded_amount == Decimal("21.00")
    assert open_amount(invoice) == Decimal("21.00")
    assert Payment.objects.count() == 1


def test_it_cancels_a_request(request_):
    notify(adyen_item(psp_reference="PSP1", merchant_reference=request_.key, event="CANCELLATION"))

    notifications_process_due()

    request_.refresh_from_db()
    assert request_.state == RequestState.CANCELED


def test_it_ignores_a_notification_for_no_request_of_ours(adyen):
    notify(adyen_item(psp_reference="PSP9", merchant_reference="not-ours", value=12100))

    notifications_process_due()

    notification = Notification.objects.get()
    assert notification.state == NotificationState.IGNORED
    assert notification.processed_at <= timezone.now()
    assert not Payment.objects.exists()


def test_a_stale_attempts_failure_changes_nothing_a_newer_payment_settled(adyen, alice, invoice):
    stale = payment_request_create(debtor=alice, invoices=[invoice], language="en")
    newer = payment_request_create(debtor=alice, invoices=[invoice], language="en")
    notify(adyen_item(psp_reference="PSP2", merchant_reference=newer.key, value=12100))
    notifications_process_due()

    notify(
        adyen_item(psp_reference="PSP1", merchant_reference=stale.key, value=12100, success=False)
    )
    notifications_process_due()

    stale.refresh_from_db()
    newer.refresh_from_db()
    assert (stale.state, newer.state) == (RequestState.FAILED, RequestState.PAID)
    assert open_amount(invoice) == Decimal("0.00")
    assert Payment.objects.count() == 1
