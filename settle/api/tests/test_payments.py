import json
from decimal import Decimal

import pytest

from settle.receivables.models import Payment, PaymentAllocation
from settle.receivables.tests.factories import InvoiceFactory

URL = "/api/v1/payments"


def _post(client, body):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json")


@pytest.fixture
def invoices(alice):
    return [
        InvoiceFactory(number="F-1", debtor=alice, amount=Decimal("121.00")),
        InvoiceFactory(number="F-2", debtor=alice, amount=Decimal("50.00")),
    ]


def _open_amounts(invoices) -> list[Decimal]:
    for invoice in invoices:
        invoice.refresh_from_db()
    return [invoice.open_amount for invoice in invoices]


def test_it_books_a_payment_and_lowers_the_open_amounts(api_client, invoices):
    response = _post(
        api_client,
        {
            "amount": "150.00",
            "date": "2025-03-01",
            "reference": "ERP-PAY-1",
            "allocations": [
                {"invoice_number": "F-1", "amount": "121.00"},
                {"invoice_number": "F-2", "amount": "29.00"},
            ],
        },
    )

    assert response.status_code == 201
    payment = response.json()
    assert payment["amount"] == "150.00"
    assert payment["date"] == "2025-03-01"
    assert payment["source"] == "erp"
    assert payment["currency"] == "EUR"
    assert payment["reference"] == "ERP-PAY-1"
    assert payment["debtor_number"] == "D-ALICE"
    assert payment["unallocated_amount"] == "0.00"
    assert payment["allocations"] == [
        {"invoice_number": "F-1", "amount": "121.00", "invoice_open_amount": "0.00"},
        {"invoice_number": "F-2", "amount": "29.00", "invoice_open_amount": "21.00"},
    ]
    assert _open_amounts(invoices) == [Decimal("0.00"), Decimal("21.00")]


def test_it_allocates_to_the_oldest_invoices_when_only_a_debtor_is_given(api_client, invoices):
    response = _post(
        api_client,
        {"amount": "130.00", "date": "2025-03-01", "source": "bank", "debtor_number": "D-ALICE"},
    )

    assert response.status_code == 201
    assert response.json()["source"] == "bank"
    assert sum(_open_amounts(invoices)) == Decimal("41.00")


def test_it_refuses_an_over_allocation_and_books_nothing(api_client, invoices):
    response = _post(
        api_client,
        {
            "amount": "300.00",
            "date": "2025-03-01",
            "reference": "ERP-PAY-2",
            "allocations": [
                {"invoice_number": "F-1", "amount": "100.00"},
                {"invoice_number": "F-2", "amount": "60.00"},
            ],
        },
    )

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The payment was refused; nothing was booked."
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(1, "allocations.amount")]
    assert "50.00" in body["errors"][0]["message"]
    assert not Payment.objects.exists()
    assert not PaymentAllocation.objects.exists()
    assert _open_amounts(invoices) == [Decimal("121.00"), Decimal("50.00")]


def test_it_refuses_allocations_beyond_the_payment(api_client, invoices):
    response = _post(
        api_client,
        {
            "amount": "10.00",
            "date": "2025-03-01",
            "allocations": [{"invoice_number": "F-1", "amount": "11.00"}],
        },
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "allocations"
    assert not Payment.objects.exists()


def test_it_answers_409_for_a_reference_booked_before(api_client, invoices):
    body = {
        "amount": "10.00",
        "date": "2025-03-01",
        "reference": "ERP-PAY-3",
        "allocations": [{"invoice_number": "F-1", "amount": "10.00"}],
    }
    assert _post(api_client, body).status_code == 201

    response = _post(api_client, body)

    assert response.status_code == 409
    assert "ERP-PAY-3" in response.json()["detail"]
    assert Payment.objects.count() == 1
    assert _open_amounts(invoices)[0] == Decimal("111.00")


def test_it_books_the_same_reference_from_another_source(api_client, invoices):
    body = {"amount": "1.00", "date": "2025-03-01", "reference": "R-1", "debtor_number": "D-ALICE"}
    assert _post(api_client, body).status_code == 201

    response = _post(api_client, {**body, "source": "bank"})

    assert response.status_code == 201


def test_it_refuses_an_unknown_debtor_or_invoice(api_client, invoices):
    response = _post(
        api_client, {"amount": "1.00", "date": "2025-03-01", "debtor_number": "D-NOBODY"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "debtor_number"

    response = _post(
        api_client,
        {
            "amount": "1.00",
            "date": "2025-03-01",
            "allocations": [{"invoice_number": "F-NOPE", "amount": "1.00"}],
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"index": 0, "field": "allocations.invoice_number", "message": "Unknown invoice F-NOPE."}
    ]
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"amount": 10.5, "date": "2025-03-01"}, {"amount"}),
        ({"amount": "ten", "date": "2025-03-01"}, {"amount"}),
        ({"amount": "10.001", "date": "2025-03-01"}, {"amount"}),
        ({"amount": "1e400", "date": "2025-03-01"}, {"amount"}),
        ({"amount": "99999999999999.00", "date": "2025-03-01"}, {"amount"}),
        ({"amount": "10.00", "date": "01-03-2025"}, {"date"}),
        ({"amount": "10.00", "date": 1740787200}, {"date"}),
        ({"amount": "10.00", "date": "2025-02-30"}, {"date"}),
        ({"amount": "10.00", "date": "2025-03-01", "source": "cash"}, {"source"}),
        ({"amount": "10.00", "date": "2025-03-01", "allocations": {"F-1": "1"}}, {"allocations"}),
        ({"amount": "10.00", "date": "2025-03-01", "allocations": ["F-1"]}, {"allocations"}),
        ({"date": "2025-03-01"}, {"amount"}),
    ],
)
def test_it_refuses_malformed_fields(api_client, invoices, body, fields):
    response = _post(api_client, body)

    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == fields
    assert not Payment.objects.exists()


def test_it_refuses_a_zero_payment(api_client, invoices):
    response = _post(api_client, {"amount": "0.00", "date": "2025-03-01"})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"index": None, "field": "amount", "message": "Must be greater than zero."}
    ]


@pytest.mark.parametrize("raw", [b"{", b"", b"[]", b'"payment"', b"null"])
def test_it_refuses_a_body_that_is_not_a_payment(api_client, raw):
    response = _post(api_client, raw)

    assert response.status_code == 422
    assert response.json()["detail"]
