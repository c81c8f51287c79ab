from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from settle.common.errors import ApplicationError
from settle.receivables.models import PaymentAllocation, PaymentReversal, PaymentState
from settle.receivables.services.payments import payment_book, payment_reverse
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

TODAY = date(2025, 3, 1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def amounts(*invoices) -> list[Decimal]:
    for invoice in invoices:
        invoice.refresh_from_db()
    return [invoice.open_amount for invoice in invoices]


@pytest.fixture
def paid(alice):
    older = InvoiceFactory(debtor=alice, amount=Decimal("100.00"))
    newer = InvoiceFactory(debtor=alice, amount=Decimal("50.00"))
    payment = payment_book(
        amount=Decimal("150.00"),
        date=TODAY,
        source="psp",
        reference="tr_1",
        allocations=[(older.number, Decimal("100.00")), (newer.number, Decimal("50.00"))],
    )
    return payment, older, newer


def test_it_reopens_the_newest_allocation_first(paid):
    payment, older, newer = paid

    reopened = payment_reverse(payment=payment, amount=Decimal("70.00"), reason="refund")

    assert [(invoice.pk, part) for invoice, part in reopened] == [
        (newer.pk, Decimal("50.00")),
        (older.pk, Decimal("20.00")),
    ]
    assert amounts(older, newer) == [Decimal("20.00"), Decimal("50.00")]
    assert (older.payment_state, newer.payment_state) == (
        PaymentState.PARTLY_PAID,
        PaymentState.OPEN,
    )
    assert list(payment.allocations.values_list("invoice_id", "amount")) == [
        (older.pk, Decimal("80.00"))
    ]
    assert list(payment.reversals.values_list("amount", "reason")) == [(Decimal("70.00"), "refund")]


def test_it_reverses_in_steps_until_nothing_is_allocated(paid):
    payment, older, newer = paid

    payment_reverse(payment=payment, amount=Decimal("30.00"), reason="refund")
    payment_reverse(payment=payment, amount=Decimal("120.00"), reason="chargeback")

    assert amounts(older, newer) == [Decimal("100.00"), Decimal("50.00")]
    assert not PaymentAllocation.objects.filter(payment=payment).exists()
    assert PaymentReversal.objects.filter(payment=payment).count() == 2


def test_it_refuses_more_than_is_allocated_and_changes_nothing(paid):
    payment, older, newer = paid
    payment_reverse(payment=payment, amount=Decimal("100.00"), reason="refund")

    with pytest.raises(ApplicationError) as refused:
        payment_reverse(payment=payment, amount=Decimal("50.01"), reason="refund")

    assert "only 50.00 of this payment is allocated" in refused.value.message
    assert amounts(older, newer) == [Decimal("50.00"), Decimal("50.00")]
    assert payment.reversals.count() == 1


def test_it_refuses_a_reversal_of_nothing(paid):
    payment, _older, _newer = paid

    with pytest.raises(ApplicationError):
        payment_reverse(payment=payment, amount=Decimal("0.00"), reason="refund")

    assert payment.reversals.count() == 0
