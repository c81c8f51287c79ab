from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from settle.common.errors import ApplicationError
from settle.receivables.models import Payment, PaymentAllocation, PaymentState
from settle.receivables.services.payments import payment_book
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

TODAY = date(2025, 3, 1)


@pytest.fixture(autouse=True)
def english():
    # The assertions read the English source texts, whatever the catalogues say.
    with translation.override("en"):
        yield


def amounts(*invoices) -> list[Decimal]:
    for invoice in invoices:
        invoice.refresh_from_db()
    return [invoice.open_amount for invoice in invoices]


def test_it_books_a_payment_on_the_invoices_it_names(alice):
    f1 = InvoiceFactory(debtor=alice, amount=Decimal("100.00"))
    f2 = InvoiceFactory(debtor=alice, amount=Decimal("50.00"))

    payment = payment_book(
        amount=Decimal("120.00"),
        date=TODAY,
        source="bank",
        reference="BANK-1",
        allocations=[(f1.number, Decimal("100.00")), (f2.number, Decimal("20.00"))],
    )

    assert amounts(f1, f2) == [Decimal("0.00"), Decimal("30.00")]
    assert (f1.payment_state, f2.payment_state) == (PaymentState.PAID, PaymentState.PARTLY_PAID)
    assert payment.debtor == alice
    assert payment.unallocated_amount == Decimal("0.00")


def test_it_refuses_an_allocation_above_the_open_amount_and_books_nothing(alice):
    invoice = InvoiceFactory(debtor=alice, amount=Decimal("100.00"), open_amount=Decimal("30.00"))

    with pytest.raises(ApplicationError) as refused:
        payment_book(
            amount=Decimal("50.00"),
            date=TODAY,
            source="erp",
            allocations=[(invoice.number, Decimal("50.00"))],
        )

    assert "nothing was booked" in refused.value.message
    [error] = refused.value.errors
    assert (error.index, error.field) == (0, "amount")
    assert "30.00" in error.message
    assert invoice.number in error.message
    assert amounts(invoice) == [Decimal("30.00")]
    assert not Payment.objects.exists()


def test_it_refuses_allocations_that_add_up_to_more_than_the_payment(alice):
    f1 = InvoiceFactory(debtor=alice, amount=Decimal("100.00"))
    f2 = InvoiceFactory(debtor=alice, amount=Decimal("100.00"))

    with pytest.raises(ApplicationError) as refused:
        payment_book(
            amount=Decimal("100.00"),
            date=TODAY,
            source="manual",
            allocations=[(f1.number, Decimal("60.00")), (f2.number, Decimal("60.00"))],
        )

    assert [e.field for e in refused.value.errors] == ["allocations"]
    assert amounts(f1, f2) == [Decimal("100.00"), Decimal("100.00")]
    assert not Payment.objects.exists()
    assert not PaymentAllocation.objects.exists()


def test_it_allocates_to_the_oldest_due_invoices_first(alice):
    today = TODAY
    newest = InvoiceFactory(debtor=alice, due_date=today, amount=Decimal("100.00"))
    oldest = InvoiceFactory(
        debtor=alice, due_date=today - timedelta(days=60), amount=Decimal("40.00")
    )
    middle = InvoiceFactory(
        debtor=alice, due_date=today - timedelta(days=30), amount=Decimal("50.00")
    )
    paid = InvoiceFactory(
        debtor=alice,
        due_date=today - timedelta(days=90),
        amount=Decimal("10.00"),
        open_amount=Decimal("0.00"),
    )

    payment = payment_book(amount=Decimal("70.00"), date=today, source="bank", debtor=alice)

    assert amounts(oldest, middle, newest, paid) == [
        Decimal("0.00"),
        Decimal("20.00"),
        Decimal("100.00"),
        Decimal("0.00"),
    ]
    assert sorted(payment.allocations.values_list("invoice__number", "amount")) == sorted(
        [(oldest.number, Decimal("40.00")), (middle.number, Decimal("30.00"))]
    )


def test_it_keeps_what_the_open_invoices_cannot_take_unallocated(alice):
    invoice = InvoiceFactory(debtor=alice, amount=Decimal("25.00"))

    payment = payment_book(amount=Decimal("40.00"), date=TODAY, source="bank", debtor=alice)

    assert amounts(invoice) == [Decimal("0.00")]
    assert payment.unallocated_amount == Decimal("15.00")


def test_it_refuses_a_reference_already_booked_from_the_same_source(alice):
    invoice = InvoiceFactory(debtor=alice, amount=Decimal("100.00"))
    payment_book(amount=Decimal("10.00"), date=TODAY, source="bank", reference="R1", debtor=alice)

    with pytest.raises(ApplicationError) as refused:
        payment_book(
            amount=Decimal("10.00"), date=TODAY, source="bank", reference="R1", debtor=alice
        )

    assert "R1" in refused.value.message
    assert Payment.objects.count() == 1
    assert amounts(invoice) == [Decimal("90.00")]


def test_it_accepts_the_same_reference_from_another_source(alice):
    InvoiceFactory(debtor=alice, amount=Decimal("100.00"))
    payment_book(amount=Decimal("10.00"), date=TODAY, source="bank", reference="R1", debtor=alice)

    payment_book(amount=Decimal("10.00"), date=TODAY, source="erp", reference="R1", debtor=alice)

    assert Payment.objects.count() == 2


def test_it_refuses_an_invoice_of_another_debtor(alice, carol):
    carols = InvoiceFactory(debtor=carol, amount=Decimal("100.00"))

    with pytest.raises(ApplicationError) as refused:
        payment_book(
            amount=Decimal("10.00"),
            date=TODAY,
            source="manual",
            debtor=alice,
            allocations=[(carols.number, Decimal("10.00"))],
        )

    assert [e.field for e in refused.value.errors] == ["invoice_number"]
    assert amounts(carols) == [Decimal("100.00")]
    assert not Payment.objects.exists()


def test_it_refuses_one_payment_for_invoices_of_two_debtors(alice, carol):
    alices = InvoiceFactory(debtor=alice, amount=Decimal("100.00"))
    carols = InvoiceFactory(debtor=carol, amount=Decimal("100.00"))

    with pytest.raises(ApplicationError):
        payment_book(
            amount=Decimal("20.00"),
            date=TODAY,
            source="manual",
            allocations=[(alices.number, Decimal("10.00")), (carols.number, Decimal("10.00"))],
        )

    assert not Payment.objects.exists()


def test_it_refuses_unknown_and_repeated_invoices(alice):
    invoice = InvoiceFactory(debtor=alice, amount=Decimal("100.00"))

    with pytest.raises(ApplicationError) as refused:
        payment_book(
            amount=Decimal("30.00"),
            date=TODAY,
            source="manual",
            allocations=[
                (invoice.number, Decimal("10.00")),
                ("NOPE", Decimal("10.00")),
                (invoice.number, Decimal("10.00")),
            ],
        )

    assert [(e.index, e.field) for e in refused.value.errors] == [
        (1, "invoice_number"),
        (2, "invoice_number"),
    ]
    assert amounts(invoice) == [Decimal("100.00")]


@pytest.mark.parametrize("amount", [Decimal("0.00"), Decimal("-5.00")])
def test_it_refuses_a_payment_that_is_not_positive(alice, amount):
    with pytest.raises(ApplicationError):
        payment_book(amount=amount, date=TODAY, source="manual", debtor=alice)

    assert not Payment.objects.exists()
