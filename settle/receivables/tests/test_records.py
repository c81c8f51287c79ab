from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from settle.receivables.field_checks import normalise_mobile
from settle.receivables.records import (
    RecordInvalid,
    debtor_record_parse,
    invoice_record_parse,
)

STATUSES = {"open", "reminder_1"}


@pytest.fixture(autouse=True)
def english():
    # The assertions read the English source texts, whatever the catalogues say.
    with translation.override("en"):
        yield


def debtor(**overrides):
    return {"number": "D1", "name": "Jan de Vries", "email": "jan@example.test", **overrides}


def invoice(**overrides):
    return {
        "number": "F1",
        "debtor_number": "D1",
        "issue_date": "2025-01-02",
        "due_date": "2025-02-01",
        "amount": "121.00",
        **overrides,
    }


def problems(parse, data, **kwargs) -> dict[str, str]:
    with pytest.raises(RecordInvalid) as invalid:
        parse(data, **kwargs)
    return {e.field: e.message for e in invalid.value.errors}


def parse_invoice(data, **kwargs):
    return invoice_record_parse(data, collection_statuses=STATUSES, **kwargs)


@pytest.mark.parametrize(
    ("raw", "region", "stored"),
    [
        ("06 12345678", "NL", "+31612345678"),
        ("+31 6-1234 5678", "NL", "+31612345678"),
        ("0031612345678", "NL", "+31612345678"),
        ("07911 123456", "GB", "+447911123456"),
    ],
)
def test_it_stores_mobile_numbers_in_e164(raw, region, stored):
    assert normalise_mobile(raw, region=region) == stored


def test_it_reads_a_mobile_number_in_the_debtors_country():
    record = debtor_record_parse(debtor(mobile="07911 123456", country="gb"))

    assert record.mobile == "+447911123456"
    assert record.country == "GB"


@pytest.mark.parametrize("raw", ["12345", "call me", "+31 6 1234"])
def test_it_refuses_a_bad_mobile_number(raw):
    assert "mobile" in problems(debtor_record_parse, debtor(mobile=raw))


def test_it_takes_defaults_for_a_debtors_optional_fields():
    record = debtor_record_parse(debtor())

    assert record.language == "nl"
    assert record.country == "NL"
    assert record.payment_method == "bank_transfer"
    assert record.delivery_method == "email"
    assert record.active is True


def test_it_reads_a_nested_address_as_sent_by_the_api():
    record = debtor_record_parse(
        debtor(address={"street": "Dorpsstraat 1", "postal_code": "1234 AB", "city": "Epe"})
    )

    assert (record.street, record.postal_code, record.city) == ("Dorpsstraat 1", "1234 AB", "Epe")


def test_it_reports_every_problem_of_a_debtor_at_once():
    found = problems(
        debtor_record_parse,
        {"number": "D 1", "name": "", "language": "de", "email": "nope", "active": "maybe"},
    )

    assert set(found) == {"number", "name", "language", "email", "active"}


def test_it_requires_what_the_delivery_method_needs():
    assert "email" in problems(debtor_record_parse, debtor(email=""))
    assert "mobile" in problems(debtor_record_parse, debtor(delivery_method="sms"))
    assert "address" in problems(debtor_record_parse, debtor(delivery_method="post"))


@pytest.mark.parametrize(("raw", "active"), [("ja", True), ("0", False), ("false", False)])
def test_it_reads_yes_and_no_in_dutch_and_english(raw, active):
    assert debtor_record_parse(debtor(active=raw)).active is active


def test_it_parses_an_invoice_and_defaults_its_open_amount_to_the_amount():
    record = parse_invoice(invoice())

    assert record.issue_date == date(2025, 1, 2)
    assert record.amount == record.open_amount == Decimal("121.00")
    assert record.currency == "EUR"
    assert record.collection_status == "open"


@pytest.mark.parametrize(
    ("raw", "amount"),
    [("1.234,56", "1234.56"), ("125,5", "125.50"), ("€ 10,00", "10.00"), ("1,234.56", "1234.56")],
)
def test_it_accepts_a_dutch_decimal_comma_when_asked(raw, amount):
    assert parse_invoice(invoice(amount=raw), decimal_comma=True).amount == Decimal(amount)


def test_it_refuses_a_decimal_comma_from_the_api():
    assert "amount" in problems(parse_invoice, invoice(amount="125,50"))


@pytest.mark.parametrize("raw", ["ten", "1.005", "-3.00", "1e3x", "NaN", "1000000000000.00", ""])
def test_it_refuses_a_bad_amount(raw):
    assert "amount" in problems(parse_invoice, invoice(amount=raw))


def test_it_refuses_an_amount_sent_as_a_float():
    assert "amount" in problems(parse_invoice, invoice(amount=12.5))


@pytest.mark.parametrize("raw", ["02-01-2025", "02/01/2025", "2025-01-02"])
def test_it_reads_iso_and_dutch_dates(raw):
    assert parse_invoice(invoice(issue_date=raw)).issue_date == date(2025, 1, 2)


@pytest.mark.parametrize("raw", ["2025-02-30", "next week", "01.02.2025"])
def test_it_refuses_a_bad_date(raw):
    assert "issue_date" in problems(parse_invoice, invoice(issue_date=raw))


def test_it_refuses_a_due_date_before_the_invoice_date():
    assert "due_date" in problems(parse_invoice, invoice(due_date="2024-12-31"))


def test_it_refuses_an_open_amount_larger_than_the_amount():
    assert "open_amount" in problems(parse_invoice, invoice(open_amount="121.01"))


def test_it_accepts_an_open_amount_of_zero():
    assert parse_invoice(invoice(open_amount="0")).open_amount == Decimal("0.00")


def test_it_refuses_an_unknown_collection_status_and_names_the_known_ones():
    found = problems(parse_invoice, invoice(collection_status="lost"))

    assert "open" in found["collection_status"]
    assert "reminder_1" in found["collection_status"]


def test_it_reports_a_bad_amount_once_when_the_open_amount_is_left_out():
    assert problems(parse_invoice, invoice(amount="ten")) == {"amount": "Not a valid amount."}


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (None, "business"),
        ("", "business"),
        ("Consumer", "consumer"),
        ("business", "business"),
        ("particulier", "consumer"),
        (" Zakelijk ", "business"),
        ("consument", "consumer"),
    ],
)
def test_it_reads_whether_a_debtor_is_a_business_or_a_consumer(raw, kind):
    assert debtor_record_parse(debtor(kind=raw)).kind == kind


def test_it_refuses_a_debtor_kind_it_does_not_know():
    assert problems(debtor_record_parse, debtor(kind="government")) == {
        "kind": "Must be one of: business, consumer."
    }
