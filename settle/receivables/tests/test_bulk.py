"""The PostgreSQL writer behind the upserts (bulk.py) must write what bulk_create writes elsewhere.

These run on both databases: on SQLite they pin down the behaviour the PostgreSQL path copies.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, connection, transaction

from settle.receivables import bulk
from settle.receivables.models import Debtor, Invoice
from settle.receivables.records import DebtorRecord, InvoiceRecord
from settle.receivables.services import upserts
from settle.receivables.services.debtors import debtors_upsert
from settle.receivables.services.invoices import invoices_upsert
from settle.receivables.services.upserts import UpsertResult

pytestmark = pytest.mark.django_db


def debtor(number: str, **changes) -> DebtorRecord:
    fields = {
        "number": number,
        "name": f"Debtor {number}",
        "language": "nl",
        "email": f"{number.lower()}@example.nl",
        "mobile": "",
        "street": "Dorpsstraat 1",
        "postal_code": "1234 AB",
        "city": "Utrecht",
        "country": "NL",
        "payment_method": "bank_transfer",
        "delivery_method": "email",
        "active": True,
    }
    return DebtorRecord(**{**fields, **changes})


def invoice(number: str, **changes) -> InvoiceRecord:
    fields = {
        "number": number,
        "debtor_number": "D1",
        "issue_date": date(2025, 1, 1),
        "due_date": date(2025, 2, 1),
        "amount": Decimal("10.50"),
        "open_amount": Decimal("10.50"),
        "currency": "EUR",
        "payment_reference": "RF18539007547034",
        "collection_status": "open",
    }
    return InvoiceRecord(**{**fields, **changes})


@pytest.fixture
def debtors():
    debtors_upsert(records=[debtor("D1"), debtor("D2")])


def stamps() -> dict[str, tuple]:
    return {i.number: (i.pk, i.created_at, i.updated_at) for i in Invoice.objects.all()}


def test_it_creates_rows_in_file_order_with_defaults(debtors, monkeypatch):
    monkeypatch.setattr(upserts, "UPSERT_CHUNK", 2)

    with transaction.atomic():
        result = invoices_upsert(
            records=[invoice("C"), invoice("A"), invoice("B", debtor_number="D2")]
        )

    assert result == UpsertResult(created=3)
    assert list(Invoice.objects.order_by("pk").values_list("number", flat=True)) == ["C", "A", "B"]
    created = Invoice.objects.get(number="B")
    assert created.debtor.number == "D2"
    assert created.document.name == ""
    assert abs(created.updated_at - created.created_at).total_seconds() < 1


def test_it_leaves_equal_rows_alone_however_the_amount_is_written(debtors):
    invoices_upsert(records=[invoice("A"), invoice("B")])
    before = stamps()

    result = invoices_upsert(
        records=[invoice("A", amount=Decimal("10.5"), open_amount=Decimal("10.500")), invoice("B")]
    )

    assert result == UpsertResult(unchanged=2)
    assert stamps() == before


def test_it_updates_only_what_changed_and_keeps_ids_and_creation_times(debtors, monkeypatch):
    monkeypatch.setattr(upserts, "UPSERT_CHUNK", 2)
    invoices_upsert(records=[invoice("C"), invoice("A"), invoice("B")])
    before = stamps()

    result = invoices_upsert(
        records=[
            invoice("C", open_amount=Decimal("1.00")),
            invoice("A", debtor_number="D2"),
            invoice("B"),
            invoice("N", collection_status="reminder_1"),
        ]
    )

    assert result == UpsertResult(created=1, updated=2, unchanged=1)
    after = {i.number: i for i in Invoice.objects.all()}
    for number in "CA":
        assert after[number].pk == before[number][0]
        assert after[number].created_at == before[number][1]
        assert after[number].updated_at > before[number][2]
    assert after["B"].updated_at == before["B"][2]
    assert after["C"].open_amount == Decimal("1.00")
    assert after["A"].debtor.number == "D2"
    assert after["N"].collection_status_id == "reminder_1"


def test_it_updates_debtors_the_same_way(debtors):
    result = debtors_upsert(records=[debtor("D1", active=False), debtor("D2")])

    assert result == UpsertResult(updated=1, unchanged=1)
    assert not Debtor.objects.get(number="D1").active


def test_it_writes_nothing_of_a_chunk_the_database_refuses(debtors):
    with pytest.raises(IntegrityError):
        invoices_upsert(records=[invoice("Q"), invoice("X", open_amount=Decimal("-1.00"))])
    if connection.vendor == "postgresql":
        with pytest.raises(DataError):
            invoices_upsert(records=[invoice("Y", currency="EURO")])

    assert not Invoice.objects.exists()
    assert invoices_upsert(records=[invoice("Z")]) == UpsertResult(created=1)


def test_it_upserts_a_row_someone_else_created_after_the_lookup(debtors, monkeypatch):
    invoices_upsert(records=[invoice("R", open_amount=Decimal("5.00"))])
    looked_up = bulk.rows_by_number

    def lookup_that_missed_r(model, columns, numbers):
        # As if R was created by another transaction between this lookup and the write.
        return {} if model is Invoice else looked_up(model, columns, numbers)

    monkeypatch.setattr(bulk, "rows_by_number", lookup_that_missed_r)
    if connection.vendor != "postgresql":
        pytest.skip("the lookup and the COPY are PostgreSQL's path")

    result = invoices_upsert(records=[invoice("R"), invoice("S")])

    assert result == UpsertResult(created=2)
    assert Invoice.objects.get(number="R").open_amount == Decimal("10.50")
    assert Invoice.objects.count() == 2
