from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from settle.backoffice.selectors import debtor_timeline
from settle.receivables.models import Payment, PaymentReversal, PaymentSource
from settle.receivables.services.payments import payment_book, payment_reverse
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

PAYMENTS = reverse("backoffice:payment_list")


def book(invoice, amount: str, *, source, reference: str, minutes_ago: int) -> Payment:
    payment = payment_book(
        amount=Decimal(amount),
        date=timezone.localdate(),
        source=source,
        reference=reference,
        allocations=[(invoice.number, Decimal(amount))],
    )
    # Spread the rows over time so the order is certain on any clock resolution.
    at = timezone.now() - timedelta(minutes=minutes_ago)
    Payment.objects.filter(pk=payment.pk).update(created_at=at)
    return payment


def reverse_part(payment, amount: str, reason: str, *, minutes_ago: int) -> None:
    payment_reverse(payment=payment, amount=Decimal(amount), reason=reason)
    at = timezone.now() - timedelta(minutes=minutes_ago)
    PaymentReversal.objects.filter(payment=payment).update(created_at=at)


@pytest.fixture
def history(alice):
    """Alice paid one invoice by bank, then another online, and got 30.00 of that back."""
    first = InvoiceFactory(debtor=alice, number="F-1", amount=Decimal("40.00"))
    second = InvoiceFactory(debtor=alice, number="F-2", amount=Decimal("150.00"))
    bank = book(first, "40.00", source=PaymentSource.BANK, reference="NL-0042", minutes_ago=30)
    online = book(second, "150.00", source=PaymentSource.PSP, reference="tr_7UhSN1", minutes_ago=20)
    reverse_part(online, "30.00", "Chargeback", minutes_ago=10)
    return bank, online


def payment_entries(debtor, language: str):
    with translation.override(language):
        entries = debtor_timeline(debtor=debtor)
    return [entry for entry in entries if entry.source in {"payment", "reversal"}]


def test_it_shows_bookings_and_reversals_newest_first_in_english(alice, history):
    bank, online = history

    entries = payment_entries(alice, "en")

    assert [(entry.title, entry.detail) for entry in entries] == [
        ("Payment reversed: €30.00", "Chargeback · tr_7UhSN1"),
        ("Payment booked: €150.00", "Payment provider · tr_7UhSN1"),
        ("Payment booked: €40.00", "Bank · NL-0042"),
    ]
    assert entries[0].url == f"{PAYMENTS}?q=tr_7UhSN1#payment-{online.pk}"
    assert entries[2].url == f"{PAYMENTS}?q=NL-0042#payment-{bank.pk}"


def test_it_shows_them_in_dutch(alice, history):
    entries = payment_entries(alice, "nl")

    assert [(entry.title, entry.detail) for entry in entries] == [
        ("Betaling teruggeboekt: €\u00a030,00", "Chargeback · tr_7UhSN1"),
        ("Betaling geboekt: €\u00a0150,00", "Betaalprovider · tr_7UhSN1"),
        ("Betaling geboekt: €\u00a040,00", "Bank · NL-0042"),
    ]


def test_it_leaves_out_payments_of_other_debtors(alice, carol, history):
    other = InvoiceFactory(debtor=carol, number="F-C")
    book(other, "99.00", source=PaymentSource.BANK, reference="NL-CAROL", minutes_ago=1)

    assert len(payment_entries(alice, "en")) == 3
    assert [entry.detail for entry in payment_entries(carol, "en")] == ["Bank · NL-CAROL"]


def test_it_builds_the_timeline_in_the_same_number_of_queries_for_one_payment_or_many(alice):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            debtor_timeline(debtor=alice)
        return len(captured)

    invoice = InvoiceFactory(debtor=alice, amount=Decimal("10.00"))
    payment = book(invoice, "10.00", source=PaymentSource.PSP, reference="tr_0", minutes_ago=5)
    reverse_part(payment, "1.00", "Refund", minutes_ago=4)
    one = queries()
    for number in range(1, 6):
        invoice = InvoiceFactory(debtor=alice, amount=Decimal("10.00"))
        payment = book(
            invoice, "10.00", source=PaymentSource.PSP, reference=f"tr_{number}", minutes_ago=3
        )
        reverse_part(payment, "2.00", "Refund", minutes_ago=2)

    assert queries() == one


def test_it_shows_them_on_the_debtors_page(bob_client, alice, history):
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = bob_client.get(reverse("backoffice:debtor_detail", args=[alice.pk])).content.decode()

    timeline = html[html.index('id="timeline"') :]
    assert timeline.index("Payment reversed: €30.00") < timeline.index("Payment booked: €150.00")
    assert "timeline__entry--reversal" in timeline
    # The payments table on the same page shows the reversal next to the payment.
    payments = html[html.index('id="payments-title"') : html.index('id="timeline"')]
    assert '€30.00</span> <span class="subline">Chargeback</span>' in payments
