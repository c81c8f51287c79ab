"""The demo provider: payments Settle holds itself, set by the demo checkout's buttons."""

from decimal import Decimal

import pytest
from django.utils import timezone

from settle.payments.models import DemoPayment
from settle.payments.providers.base import ProviderError, ProviderState, WebhookRefused
from settle.payments.providers.demo import DemoProvider, demo_checkout_url, demo_payment_set

pytestmark = pytest.mark.django_db

REFERENCE = "d" * 43


def create(provider=None, *, reference=REFERENCE, amount="42.10"):
    return (provider or DemoProvider()).create(
        amount=Decimal(amount),
        currency="EUR",
        reference=reference,
        description="Factuur 2026-001",
        return_url="https://settle.example/pay/return/abc",
        webhook_url="https://settle.example/payments/webhook/demo",
        locale="nl",
    )


def test_it_creates_an_open_payment_with_a_checkout_on_settles_own_address(settings):
    settings.SETTLE_BASE_URL = "https://settle.example"

    payment = create()

    assert payment.id.startswith("demo_")
    assert payment.state == ProviderState.OPEN
    assert (payment.amount, payment.currency) == (Decimal("42.10"), "EUR")
    assert payment.checkout_url == f"https://settle.example/pay/demo/{payment.id}"
    assert payment.checkout_url == demo_checkout_url(payment.id)
    assert payment.reference == REFERENCE


def test_it_gives_the_same_payment_for_the_same_reference():
    first = create()
    again = create()
    other = create(reference="e" * 43)

    assert again.id == first.id
    assert other.id != first.id
    assert DemoPayment.objects.count() == 2


def test_it_reads_a_payment_paid_at_the_checkout():
    payment = create()

    demo_payment_set(demo_id=payment.id, state="paid")
    fetched = DemoProvider().fetch(payment.id)

    assert fetched.state == ProviderState.PAID
    assert fetched.paid_at is not None
    assert abs(fetched.paid_at - timezone.now()).total_seconds() < 60


@pytest.mark.parametrize("state", ["failed", "canceled", "pending"])
def test_it_sets_the_state_a_button_chooses(state):
    payment = create()

    changed = demo_payment_set(demo_id=payment.id, state=state)

    assert changed.state == state
    assert DemoProvider().fetch(payment.id).state == state
    assert changed.paid_at is None


def test_it_pays_a_payment_that_was_still_pending():
    payment = create()
    demo_payment_set(demo_id=payment.id, state="pending")

    assert demo_payment_set(demo_id=payment.id, state="paid").state == ProviderState.PAID


@pytest.mark.parametrize("final", ["paid", "failed", "canceled"])
def test_it_never_changes_a_final_payment(final):
    payment = create()
    demo_payment_set(demo_id=payment.id, state=final)

    for state in ["paid", "failed", "canceled", "pending"]:
        assert demo_payment_set(demo_id=payment.id, state=state).state == final


def test_it_refuses_a_state_no_button_sets():
    payment = create()

    with pytest.raises(ValueError):
        demo_payment_set(demo_id=payment.id, state="authorized")
    with pytest.raises(ValueError):
        demo_payment_set(demo_id=payment.id, state="refunded")


def test_it_says_so_for_an_unknown_payment():
    with pytest.raises(DemoPayment.DoesNotExist):
        demo_payment_set(demo_id="demo_" + "0" * 24, state="paid")
    with pytest.raises(ProviderError) as raised:
        DemoProvider().fetch("demo_" + "0" * 24)
    assert raised.value.retry is False


def test_it_cancels_only_an_open_payment():
    open_payment = create()
    paid = create(reference="p" * 43)
    demo_payment_set(demo_id=paid.id, state="paid")

    assert DemoProvider().cancel(open_payment.id) is True
    assert DemoProvider().cancel(paid.id) is False
    assert DemoProvider().fetch(open_payment.id).state == ProviderState.CANCELED
    assert DemoProvider().fetch(paid.id).state == ProviderState.PAID


def test_it_reports_refunds_and_chargebacks_held_for_the_payment():
    payment = create()
    demo_payment_set(demo_id=payment.id, state="paid")
    DemoPayment.objects.filter(demo_id=payment.id).update(
        refunded=Decimal("2.00"), charged_back=Decimal("40.10")
    )

    fetched = DemoProvider().fetch(payment.id)

    assert (fetched.refunded, fetched.charged_back) == (Decimal("2.00"), Decimal("40.10"))


def test_it_reads_the_payment_id_from_a_webhook():
    payment = create()

    items = DemoProvider().webhook_items(body=f"id={payment.id}".encode(), headers={})

    assert [item.provider_id for item in items] == [payment.id]


@pytest.mark.parametrize("body", [b"", b"id=tr_abc123", b"id=demo_../x", b"\xff"])
def test_it_refuses_a_webhook_that_names_no_demo_payment(body):
    with pytest.raises(WebhookRefused):
        DemoProvider().webhook_items(body=body, headers={})
