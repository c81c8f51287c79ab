"""Dates and currencies that no invoice or payment has: refused in every way they come in."""

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from settle.common.currencies import currencies_unknown
from settle.common.errors import ApplicationError
from settle.receivables.models import Payment
from settle.receivables.records import RecordInvalid, invoice_record_parse
from settle.receivables.services.payments import payment_book

STATUSES = {"open"}
OUT_OF_RANGE = "Use a date from 1900-01-01 to 2100-12-31."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def invoice(**overrides):
    return {
        "number": "F1",
        "debtor_number": "D1",
        "issue_date": "2025-01-02",
        "due_date": "2025-02-01",
        "amount": "121.00",
        **overrides,
    }


def problems(data) -> dict[str, str]:
    with pytest.raises(RecordInvalid) as invalid:
        invoice_record_parse(data, collection_statuses=STATUSES)
    return {e.field: e.message for e in invalid.value.errors}


@pytest.mark.parametrize(
    "overrides",
    [
        {"due_date": "9999-12-31"},
        {"issue_date": "0001-01-01"},
        {"issue_date": "1899-12-31"},
        {"due_date": "2101-01-01"},
        {"due_date": "31-12-9999"},  # the CSV's other notation too
    ],
)
def test_it_refuses_invoice_dates_outside_the_sane_range(overrides):
    (field,) = overrides
    assert problems(invoice(**overrides)) == {field: OUT_OF_RANGE}


def test_it_takes_the_edges_of_the_range():
    record = invoice_record_parse(
        invoice(issue_date="1900-01-01", due_date="2100-12-31"), collection_statuses=STATUSES
    )
    assert (record.issue_date, record.due_date) == (date(1900, 1, 1), date(2100, 12, 31))


@pytest.mark.parametrize("currency", ["XXX", "USD", "usd", "XTS"])
def test_it_refuses_currencies_the_organisation_does_not_accept(currency):
    assert problems(invoice(currency=currency)) == {
        "currency": "Not a currency this organisation accepts; use EUR."
    }


def test_it_takes_the_currencies_configured(settings):
    settings.SETTLE_CURRENCIES = ["EUR", "USD"]

    record = invoice_record_parse(invoice(currency="usd"), collection_statuses=STATUSES)

    assert record.currency == "USD"
    assert problems(invoice(currency="GBP")) == {
        "currency": "Not a currency this organisation accepts; use EUR, USD."
    }


def test_it_refuses_to_start_with_a_currency_that_is_not_iso_4217(tmp_path):
    env = {"SETTLE_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "SETTLE_CURRENCIES": "EUR,XXX"}

    result = subprocess.run(
        [sys.executable, "-m", "settle", "check"], env=env, capture_output=True, text=True
    )

    assert result.returncode != 0
    assert "SETTLE_CURRENCIES must list ISO 4217 currency codes" in result.stderr
    assert "unknown: XXX" in result.stderr


def test_it_knows_which_codes_are_iso_4217_currencies():
    assert currencies_unknown(["EUR", "USD", "JPY", "XOF"]) == []
    assert currencies_unknown(["EUR", "XXX", "XAU", "ABC", "eur"]) == ["XXX", "XAU", "ABC", "eur"]


@pytest.mark.parametrize(
    ("when", "currency", "field", "message"),
    [
        (date(9999, 12, 31), "EUR", "date", OUT_OF_RANGE),
        (date(1, 1, 1), "EUR", "date", OUT_OF_RANGE),
        (date(2025, 3, 1), "XXX", "currency", "Not a currency this organisation accepts; use EUR."),
    ],
)
def test_it_books_no_payment_with_an_impossible_date_or_currency(
    db, when, currency, field, message
):
    with pytest.raises(ApplicationError) as refused:
        payment_book(amount=Decimal("10.00"), date=when, source="erp", currency=currency)

    assert [(e.field, e.message) for e in refused.value.errors] == [(field, message)]
    assert not Payment.objects.exists()
