from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from settle.common.errors import ApplicationError
from settle.receivables.models import Invoice, PaymentState
from settle.receivables.services.checks import invoice_records_check
from settle.receivables.services.invoices import invoices_upsert, invoices_upsert_batch
from settle.receivables.services.payments import payment_book
from settle.receivables.services.upserts import UPSERT_CHUNK

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # The assertions read the English source texts, whatever the catalogues say.
    with translation.override("en"):
        yield


def item(number: str, debtor: str = "D-ALICE", **overrides) -> dict:
    return {
        "number": number,
        "debtor_number": debtor,
        "issue_date": "2025-01-02",
        "due_date": "2025-02-01",
        "amount": "100.00",
        **overrides,
    }


def test_it_creates_invoices_for_their_debtors(alice, carol):
    result = invoices_upsert_batch(items=[item("F1"), item("F2", "D-CAROL", amount="12.34")])

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    f2 = Invoice.objects.get(number="F2")
    assert f2.debtor == carol
    assert f2.amount == f2.open_amount == Decimal("12.34")
    assert f2.collection_status_id == "open"


def test_it_updates_an_invoice_by_number(alice):
    invoices_upsert_batch(items=[item("F1")])

    result = invoices_upsert_batch(
        items=[item("F1", open_amount="40.00", collection_status="reminder_1")]
    )

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    invoice = Invoice.objects.get(number="F1")
    assert invoice.open_amount == Decimal("40.00")
    assert invoice.collection_status_id == "reminder_1"


def test_it_leaves_unchanged_invoices_untouched(alice):
    invoices_upsert_batch(items=[item("F1"), item("F2")])
    before = dict(Invoice.objects.values_list("number", "updated_at"))

    result = invoices_upsert_batch(items=[item("F1"), item("F2", amount="100")])

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert dict(Invoice.objects.values_list("number", "updated_at")) == before


def test_it_refuses_an_invoice_of_an_unknown_debtor_and_writes_nothing(alice):
    with pytest.raises(ApplicationError) as refused:
        invoices_upsert_batch(items=[item("F1"), item("F2", "D-NOBODY")])

    assert [(e.index, e.field) for e in refused.value.errors] == [(1, "debtor_number")]
    assert "D-NOBODY" in refused.value.errors[0].message
    assert not Invoice.objects.exists()


def test_it_refuses_duplicate_numbers_in_one_batch(alice):
    with pytest.raises(ApplicationError) as refused:
        invoices_upsert_batch(items=[item("F1"), item("F1", amount="5.00")])

    assert [(e.index, e.field) for e in refused.value.errors] == [(1, "number")]
    assert not Invoice.objects.exists()


def test_it_lists_every_bad_item_of_a_batch_in_order(alice):
    _records, errors = invoice_records_check(
        enumerate([item("F1", amount="x"), item("F2"), item("F3", due_date="2024-01-01")])
    )

    assert [(e.index, e.field) for e in errors] == [(0, "amount"), (2, "due_date")]


def test_it_accepts_a_dutch_decimal_comma_where_the_caller_allows_it(alice):
    records, errors = invoice_records_check(
        enumerate([item("F1", amount="1.234,50", open_amount="234,50")]), decimal_comma=True
    )
    assert errors == []

    invoices_upsert(records=records)

    invoice = Invoice.objects.get(number="F1")
    assert (invoice.amount, invoice.open_amount) == (Decimal("1234.50"), Decimal("234.50"))


@pytest.mark.parametrize(
    ("open_amount", "state"),
    [
        ("100.00", PaymentState.OPEN),
        ("60.00", PaymentState.PARTLY_PAID),
        ("0.00", PaymentState.PAID),
    ],
)
def test_it_derives_the_payment_state_from_the_open_amount(alice, open_amount, state):
    invoices_upsert_batch(items=[item("F1", open_amount=open_amount)])

    invoice = Invoice.objects.get(number="F1")
    assert invoice.payment_state == state
    assert list(Invoice.objects.with_payment_state(state)) == [invoice]


def test_it_writes_large_imports_in_chunks_with_progress(alice):
    seen = []
    total = UPSERT_CHUNK + 10
    records, _errors = invoice_records_check(enumerate(item(f"F{i}") for i in range(total)))

    result = invoices_upsert(records=records, on_progress=seen.append)

    assert result.created == Invoice.objects.count() == total
    assert seen == [UPSERT_CHUNK, total]


def test_it_keeps_the_booked_open_amount_when_a_resent_invoice_leaves_it_out(alice):
    invoices_upsert_batch(items=[item("F-RESENT"), item("F-SHRUNK")])
    payment_book(
        amount=Decimal("30.00"),
        date=date(2025, 1, 10),
        source="bank",
        reference="B-1",
        allocations=[("F-RESENT", Decimal("30.00"))],
    )

    result = invoices_upsert_batch(
        items=[item("F-RESENT"), item("F-SHRUNK", amount="60.00"), item("F-NEW")]
    )

    assert Invoice.objects.get(number="F-RESENT").open_amount == Decimal("70.00")
    assert Invoice.objects.get(number="F-SHRUNK").open_amount == Decimal("60.00")
    assert Invoice.objects.get(number="F-NEW").open_amount == Decimal("100.00")
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)


def test_it_sets_the_open_amount_the_erp_sends_even_after_payments(alice):
    invoices_upsert_batch(items=[item("F-ERP")])
    payment_book(
        amount=Decimal("30.00"),
        date=date(2025, 1, 10),
        source="bank",
        reference="B-2",
        allocations=[("F-ERP", Decimal("30.00"))],
    )

    invoices_upsert_batch(items=[item("F-ERP", open_amount="100.00")])

    assert Invoice.objects.get(number="F-ERP").open_amount == Decimal("100.00")
