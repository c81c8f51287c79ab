"""What the field report found the API accepting: dates in year 9999 or 1, currency XXX."""

import pytest

from settle.api.tests.payloads import invoice_item
from settle.receivables.models import Invoice, Payment

OUT_OF_RANGE = "Use a date from 1900-01-01 to 2100-12-31."
NOT_ACCEPTED = "Not a currency this organisation accepts; use EUR."


def _put_invoice(client, **fields):
    return client.put(
        "/api/v1/invoices",
        data=[invoice_item(1, "D-ALICE", **fields)],
        content_type="application/json",
    )


def _post_payment(client, **fields):
    return client.post(
        "/api/v1/payments",
        data={"amount": "10.00", "date": "2025-03-01", **fields},
        content_type="application/json",
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"due_date": "9999-12-31"}, "due_date", OUT_OF_RANGE),
        ({"issue_date": "0001-01-01"}, "issue_date", OUT_OF_RANGE),
        ({"currency": "XXX"}, "currency", NOT_ACCEPTED),
        ({"currency": "USD"}, "currency", NOT_ACCEPTED),
    ],
)
def test_it_refuses_an_invoice_with_an_impossible_date_or_currency(
    api_client, alice, fields, field, message
):
    response = _put_invoice(api_client, **fields)

    assert response.status_code == 422
    assert response.json()["errors"] == [{"index": 0, "field": field, "message": message}]
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"date": "9999-12-31"}, "date", OUT_OF_RANGE),
        ({"date": "0001-01-01"}, "date", OUT_OF_RANGE),
        ({"currency": "XXX"}, "currency", NOT_ACCEPTED),
    ],
)
def test_it_refuses_a_payment_with_an_impossible_date_or_currency(
    api_client, fields, field, message
):
    response = _post_payment(api_client, **fields)

    assert response.status_code == 422
    assert [(e["field"], e["message"]) for e in response.json()["errors"]] == [(field, message)]
    assert not Payment.objects.exists()


def test_it_takes_the_currencies_the_organisation_accepts(api_client, alice, settings):
    settings.SETTLE_CURRENCIES = ["EUR", "USD"]

    assert _put_invoice(api_client, currency="USD").status_code == 200
    assert _post_payment(api_client, currency="USD").status_code == 201


def test_its_document_states_the_ranges_and_currencies(anonymous_client, settings):
    settings.SETTLE_CURRENCIES = ["EUR", "USD"]

    document = anonymous_client.get("/api/v1/openapi.json").json()

    schemas = document["components"]["schemas"]
    assert schemas["InvoiceIn"]["properties"]["currency"]["anyOf"][0]["enum"] == ["EUR", "USD"]
    assert schemas["PaymentIn"]["properties"]["currency"]["enum"] == ["EUR", "USD"]
    due_date = schemas["InvoiceIn"]["properties"]["due_date"]
    assert "2100-12-31" in due_date["description"]
    assert due_date["format"] == "date"
