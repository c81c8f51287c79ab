import json
from decimal import Decimal

import pytest

from settle.api.tests.payloads import invoice_item
from settle.receivables.models import Invoice
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

URL = "/api/v1/invoices"


def _put(client, body):
    return client.put(URL, data=json.dumps(body), content_type="application/json")


def _errors(response) -> set[tuple]:
    return {(e["index"], e["field"]) for e in response.json()["errors"]}


def _numbers(response) -> list[str]:
    return [item["number"] for item in response.json()["items"]]


def test_it_takes_a_batch_of_1000_invoices(api_client, alice, carol):
    batch = [invoice_item(n, alice.number if n % 2 else carol.number) for n in range(1000)]

    response = _put(api_client, batch)

    assert response.status_code == 200
    assert response.json() == {"created": 1000, "updated": 0, "unchanged": 0}
    invoice = Invoice.objects.get(number="F000007")
    assert invoice.debtor == alice
    assert invoice.amount == Decimal("121.00")
    assert invoice.collection_status_id == "open"


def test_it_refuses_1001_invoices(api_client, alice):
    response = _put(api_client, [invoice_item(n, alice.number) for n in range(1001)])

    assert response.status_code == 422
    assert "at most 1000 items" in response.json()["detail"]
    assert not Invoice.objects.exists()


def test_it_lists_every_bad_invoice_and_changes_nothing(api_client, alice):
    batch = [
        invoice_item(0, alice.number),
        invoice_item(1, "D-NOBODY"),
        invoice_item(2, alice.number, amount="12,5O"),
        invoice_item(3, alice.number, due_date="2024-12-01"),
        invoice_item(4, alice.number, amount=121.0),
        invoice_item(5, alice.number, open_amount="200.00"),
        invoice_item(6, alice.number, collection_status="lost"),
        invoice_item(7, alice.number, issue_date="yesterday"),
    ]

    response = _put(api_client, batch)

    assert response.status_code == 422
    assert _errors(response) == {
        (1, "debtor_number"),
        (2, "amount"),
        (3, "due_date"),
        (4, "amount"),
        (5, "open_amount"),
        (6, "collection_status"),
        (7, "issue_date"),
    }
    messages = {e["index"]: e["message"] for e in response.json()["errors"]}
    assert messages[1] == "Unknown debtor D-NOBODY."
    assert messages[2].startswith("Not a valid amount")
    assert messages[4] == 'Send amounts as decimal strings, e.g. "125.50".'
    assert messages[5] == "The open amount is larger than the invoice amount."
    assert not Invoice.objects.exists()


def test_it_updates_existing_invoices_and_reports_repeats_unchanged(api_client, alice):
    batch = [invoice_item(n, alice.number) for n in range(3)]
    assert _put(api_client, batch).json() == {"created": 3, "updated": 0, "unchanged": 0}

    batch[1] = invoice_item(1, alice.number, open_amount="21.00", collection_status="reminder_1")
    assert _put(api_client, batch).json() == {"created": 0, "updated": 1, "unchanged": 2}
    updated = Invoice.objects.get(number="F000001")
    assert (updated.open_amount, updated.collection_status_id) == (Decimal("21.00"), "reminder_1")

    assert _put(api_client, batch).json() == {"created": 0, "updated": 0, "unchanged": 3}


def test_it_takes_back_its_own_output_unchanged(api_client, alice):
    _put(api_client, [invoice_item(n, alice.number) for n in range(3)])
    listed = api_client.get(URL).json()["items"]

    response = _put(api_client, listed)

    assert response.json() == {"created": 0, "updated": 0, "unchanged": 3}


def test_it_refuses_fields_of_the_wrong_type(api_client, alice):
    response = _put(
        api_client,
        [
            invoice_item(0, alice.number, amount=121),
            invoice_item(1, alice.number, due_date=[]),
            invoice_item(2, alice.number, amount="1e400", open_amount="NaN"),
            invoice_item(3, alice.number, payment_reference=None),
        ],
    )

    assert response.status_code == 422
    assert _errors(response) == {(0, "amount"), (1, "due_date"), (2, "amount"), (2, "open_amount")}
    assert not Invoice.objects.exists()


def test_it_shows_an_invoice(api_client, alice):
    InvoiceFactory(
        number="F-2025-001",
        debtor=alice,
        amount=Decimal("121.00"),
        open_amount=Decimal("21.5"),
        payment_reference="RF18 5390 0754 7034",
    )

    response = api_client.get(f"{URL}/F-2025-001")

    assert response.status_code == 200
    invoice = response.json()
    assert invoice["number"] == "F-2025-001"
    assert invoice["debtor_number"] == "D-ALICE"
    assert invoice["amount"] == "121.00"
    assert invoice["open_amount"] == "21.50"
    assert invoice["currency"] == "EUR"
    assert invoice["payment_reference"] == "RF18 5390 0754 7034"
    assert invoice["collection_status"] == "open"
    assert invoice["payment_state"] == "partly_paid"
    assert invoice["has_document"] is False
    assert len(invoice["issue_date"]) == 10 and invoice["issue_date"][4] == "-"


def test_it_answers_404_in_json_for_an_unknown_invoice(api_client):
    response = api_client.get(f"{URL}/F-NOPE")

    assert response.status_code == 404
    assert response.json()["detail"] == "Invoice F-NOPE does not exist."


@pytest.fixture
def ledger(alice, carol):
    return {
        "alice_open": InvoiceFactory(number="A-OPEN", debtor=alice),
        "alice_part": InvoiceFactory(number="A-PART", debtor=alice, open_amount=Decimal("1.00")),
        "alice_paid": InvoiceFactory(number="A-PAID", debtor=alice, open_amount=Decimal("0")),
        "carol_open": InvoiceFactory(number="C-OPEN", debtor=carol),
        "carol_paid": InvoiceFactory(number="C-PAID", debtor=carol, open_amount=Decimal("0")),
        "carol_late": InvoiceFactory(
            number="C-LATE", debtor=carol, collection_status_id="reminder_1"
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["A-OPEN", "A-PART", "A-PAID", "C-OPEN", "C-PAID", "C-LATE"]),
        ({"debtor_number": "D-ALICE"}, ["A-OPEN", "A-PART", "A-PAID"]),
        ({"status": "open"}, ["A-OPEN", "C-OPEN", "C-LATE"]),
        ({"status": "partly_paid"}, ["A-PART"]),
        ({"status": "paid"}, ["A-PAID", "C-PAID"]),
        ({"debtor_number": "D-CAROL", "status": "paid"}, ["C-PAID"]),
        ({"collection_status": "open"}, ["A-OPEN", "A-PART", "A-PAID", "C-OPEN", "C-PAID"]),
        ({"collection_status": "reminder_1"}, ["C-LATE"]),
        ({"collection_status": "reminder_1", "debtor_number": "D-ALICE"}, []),
        ({"collection_status": "nothing-like-it"}, []),
        ({"debtor_number": "D-NOBODY"}, []),
    ],
)
def test_it_filters_invoices(api_client, ledger, params, expected):
    response = api_client.get(URL, params)

    assert response.status_code == 200
    assert _numbers(response) == expected


def test_it_refuses_an_unknown_payment_state(api_client):
    response = api_client.get(URL, {"status": "overdue"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


def test_it_walks_filtered_invoices_exactly_once(api_client, alice, carol):
    InvoiceFactory.create_batch(120, debtor=alice)
    InvoiceFactory.create_batch(30, debtor=carol)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"debtor_number": "D-ALICE", "limit": 50} | ({"cursor": cursor} if cursor else {})
        body = api_client.get(URL, params).json()
        seen.extend(item["number"] for item in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert len(seen) == len(set(seen)) == 120
    assert set(seen) == set(alice.invoices.values_list("number", flat=True))


def test_it_lists_a_page_in_a_fixed_number_of_queries(api_client, django_assert_max_num_queries):
    for debtor in DebtorFactory.create_batch(20):
        InvoiceFactory.create_batch(10, debtor=debtor)

    with django_assert_max_num_queries(3):
        response = api_client.get(URL, {"limit": 1000})

    assert len(response.json()["items"]) == 200
