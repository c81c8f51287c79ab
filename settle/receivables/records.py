"""Checking debtor and invoice rows from outside (API items, CSV lines) before anything is written.

Each parser turns one raw mapping into a frozen record or raises `RecordInvalid` with every problem
in it, so a caller can report all bad rows of a batch at once and write none of them.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from settle.common.errors import FieldError
from settle.receivables.field_checks import (
    CENT,
    COUNTRY_RE,
    CURRENCY_RE,
    DATE_MAX,
    DATE_MIN,
    NUMBER_RE,
    FieldChecks,
    currency_problem,
    normalise_mobile,
)
from settle.receivables.models import DebtorKind, DeliveryMethod, Language, PaymentMethod

# The shapes nearly every CSV line has, which the fast path below takes without the general checks.
# ASCII digits only: \d would also match other scripts' digits, which Decimal and dates read too.
_PLAIN_AMOUNT_RE = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,2})?")
_PLAIN_AMOUNT_COMMA_RE = re.compile(r"[0-9]{1,12}(?:[.,][0-9]{1,2})?")
_PLAIN_CURRENCY_RE = re.compile(r"[A-Za-z]{3}")


class RecordInvalid(Exception):
    def __init__(self, errors: list[FieldError]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class DebtorRecord:
    number: str
    name: str
    language: str
    email: str
    mobile: str
    street: str
    postal_code: str
    city: str
    country: str
    payment_method: str
    delivery_method: str
    active: bool
    # Last, with a default, so that a record made without it is a business (the model's default).
    kind: str = DebtorKind.BUSINESS


@dataclass(frozen=True)
class InvoiceRecord:
    number: str
    debtor_number: str
    issue_date: date
    due_date: date
    amount: Decimal
    open_amount: Decimal
    currency: str
    payment_reference: str
    collection_status: str
    # False when the row left the open amount out: a new invoice is then open for its whole
    # amount, and a known one keeps the open amount Settle has (payments may have lowered it).
    open_amount_given: bool = True


def debtor_record_parse(data: dict[str, Any]) -> DebtorRecord:
    f = FieldChecks(data)
    address = data.get("address")
    if isinstance(address, dict):
        f.data = {**data, **{k: v for k, v in address.items() if k in _ADDRESS_FIELDS}}
    elif address is not None:
        f.fail("address", _("Must be an object with street, postal_code, city and country."))
    number = f.number("number")
    name = f.text("name", max_length=200, required=True)
    language = f.choice("language", Language.values, Language.DUTCH)
    email = f.text("email", max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            f.fail("email", _("Not a valid e-mail address."))
    country = f.text("country", max_length=2, default="NL").upper() or "NL"
    if not COUNTRY_RE.match(country):
        f.fail("country", _("Use a two-letter country code, e.g. NL."))
    mobile = f.text("mobile", max_length=30)
    if mobile:
        try:
            mobile = normalise_mobile(mobile, region=country if COUNTRY_RE.match(country) else "NL")
        except ValueError:
            f.fail("mobile", _("Not a valid mobile number."))
    street = f.text("street", max_length=200)
    postal_code = f.text("postal_code", max_length=20)
    city = f.text("city", max_length=100)
    payment_method = f.choice("payment_method", PaymentMethod.values, PaymentMethod.BANK_TRANSFER)
    delivery_method = f.choice("delivery_method", DeliveryMethod.values, DeliveryMethod.EMAIL)
    if delivery_method == DeliveryMethod.EMAIL and not email:
        f.fail("email", _("An e-mail address is needed for delivery by e-mail."))
    if delivery_method == DeliveryMethod.SMS and not mobile:
        f.fail("mobile", _("A mobile number is needed for delivery by SMS."))
    if delivery_method == DeliveryMethod.POST and not (street and postal_code and city):
        f.fail("address", _("A street, postal code and city are needed for delivery by post."))
    active = f.boolean("active", True)
    kind = _debtor_kind(f)
    if f.errors:
        raise RecordInvalid(f.errors)
    return DebtorRecord(
        number=number,
        name=name,
        language=language,
        email=email,
        mobile=mobile,
        street=street,
        postal_code=postal_code,
        city=city,
        country=country,
        payment_method=payment_method,
        delivery_method=delivery_method,
        active=active,
        kind=kind,
    )


# Dutch words a spreadsheet may hold for the debtor's kind, besides the codes themselves.
_KIND_WORDS = {
    "zakelijk": DebtorKind.BUSINESS,
    "bedrijf": DebtorKind.BUSINESS,
    "particulier": DebtorKind.CONSUMER,
    "consument": DebtorKind.CONSUMER,
}


def _debtor_kind(f: FieldChecks) -> str:
    """Business (the default) or consumer; a consumer gets the statutory 14-day letter before
    collection costs may be charged, so an unknown word is refused rather than guessed."""
    raw = f.data.get("kind")
    if isinstance(raw, str) and raw.strip().lower() in _KIND_WORDS:
        return _KIND_WORDS[raw.strip().lower()]
    return f.choice("kind", DebtorKind.values, DebtorKind.BUSINESS)


_ADDRESS_FIELDS = ("street", "postal_code", "city", "country")


def invoice_record_parse(
    data: dict[str, Any], *, collection_statuses: set[str], decimal_comma: bool = False
) -> InvoiceRecord:
    """Check one invoice row; whether its debtor exists is the caller's check (it is batch-wide).

    The fast path takes the common, valid shape of a row; everything else gets the general check.
    Both give the same record for any row the fast path takes (tests/test_records_fast_path.py).
    """
    record = invoice_record_parse_plain(data, collection_statuses, decimal_comma)
    if record is not None:
        return record
    return invoice_record_parse_general(
        data, collection_statuses=collection_statuses, decimal_comma=decimal_comma
    )


def invoice_record_parse_general(
    data: dict[str, Any], *, collection_statuses: set[str], decimal_comma: bool = False
) -> InvoiceRecord:
    """The general check of one invoice row: every problem in it, in the order of its fields."""
    f = FieldChecks(data)
    number = f.number("number")
    debtor_number = f.number("debtor_number")
    issue_date = f.date("issue_date")
    due_date = f.date("due_date")
    amount = f.money("amount", decimal_comma=decimal_comma)
    raw_open = data.get("open_amount")
    open_amount_given = not (
        raw_open is None or (isinstance(raw_open, str) and not raw_open.strip())
    )
    if not open_amount_given:
        # Optional: a new invoice is open for its whole amount (None if the amount is bad).
        open_amount = amount
    else:
        open_amount = f.money("open_amount", decimal_comma=decimal_comma)
    currency = f.text("currency", max_length=3, default="EUR").upper() or "EUR"
    if not CURRENCY_RE.match(currency):
        f.fail("currency", _("Use a three-letter currency code, e.g. EUR."))
    elif problem := currency_problem(currency):
        f.fail("currency", problem)
    payment_reference = f.text("payment_reference", max_length=50)
    status = f.text("collection_status", max_length=40, default="open").lower() or "open"
    if status not in collection_statuses:
        f.fail(
            "collection_status",
            _("Unknown collection status; known are: %(codes)s.")
            % {"codes": ", ".join(sorted(collection_statuses))},
        )
    if issue_date and due_date and due_date < issue_date:
        f.fail("due_date", _("The due date lies before the invoice date."))
    if amount is not None and open_amount is not None and open_amount > amount:
        f.fail("open_amount", _("The open amount is larger than the invoice amount."))
    if f.errors:
        raise RecordInvalid(f.errors)
    return InvoiceRecord(
        number=number,
        debtor_number=debtor_number,
        issue_date=issue_date,
        due_date=due_date,
        amount=amount,
        open_amount=open_amount,
        currency=currency,
        payment_reference=payment_reference,
        collection_status=status,
        open_amount_given=open_amount_given,
    )


def _plain_amount(value: Any, pattern: re.Pattern) -> Decimal | None:
    """The amount of a well-formed, in-range text such as "125.50" (or "125,50" with a decimal
    comma), or None for anything else, which the general check then judges."""
    if type(value) is not str or pattern.fullmatch(value) is None:
        return None
    if "," in value:
        value = value.replace(",", ".")
    amount = Decimal(value)
    # With two decimals the quantized amount is the same Decimal, digit for digit.
    return amount if value[-3:-2] == "." else amount.quantize(CENT)


def invoice_record_parse_plain(
    data: dict[str, Any], statuses: set[str], decimal_comma: bool
) -> InvoiceRecord | None:
    """The record of a row whose every field has its common, valid shape; None otherwise.

    A large import spends most of its check here, and nearly every line is of this kind. Only
    input that the general check would accept, giving this very record, passes; anything else
    (None included) goes to the general check, which names every problem in its order.
    """
    get = data.get
    number = get("number")
    debtor_number = get("debtor_number")
    # A full match leaves no room for white space or NUL, so the text is already stripped.
    if (
        type(number) is not str
        or type(debtor_number) is not str
        or NUMBER_RE.fullmatch(number) is None
        or NUMBER_RE.fullmatch(debtor_number) is None
    ):
        return None
    issue = get("issue_date")
    due = get("due_date")
    if (
        type(issue) is not str
        or type(due) is not str
        or len(issue) != 10
        or len(due) != 10
        or issue[4] != "-"
        or issue[7] != "-"
        or due[4] != "-"
        or due[7] != "-"
    ):
        return None
    try:
        # Succeeds only for ASCII digits at both ends, so stripping would change nothing.
        issue_date = date.fromisoformat(issue)
        due_date = date.fromisoformat(due)
    except ValueError:
        return None
    if due_date < issue_date or issue_date < DATE_MIN or due_date > DATE_MAX:
        return None
    pattern = _PLAIN_AMOUNT_COMMA_RE if decimal_comma else _PLAIN_AMOUNT_RE
    amount = _plain_amount(get("amount"), pattern)
    if amount is None:
        return None
    raw_open = get("open_amount")
    open_amount_given = not (raw_open is None or raw_open == "")
    if not open_amount_given:
        open_amount = amount
    else:
        open_amount = _plain_amount(raw_open, pattern)
        if open_amount is None or open_amount > amount:
            return None
    currency = get("currency")
    if currency is None or currency == "":
        currency = "EUR"
    elif type(currency) is not str or _PLAIN_CURRENCY_RE.fullmatch(currency) is None:
        return None
    elif not currency.isupper():
        currency = currency.upper()
    if currency not in settings.SETTLE_CURRENCIES:
        return None
    reference = get("payment_reference")
    if reference is None:
        reference = ""
    elif type(reference) is not str or len(reference) > 50 or "\x00" in reference:
        return None
    else:
        reference = reference.strip()
    status = get("collection_status")
    if status is None:
        status = "open"
    elif type(status) is not str or len(status) > 40 or "\x00" in status:
        return None
    else:
        status = status.strip().lower() or "open"
    if status not in statuses:
        return None
    return InvoiceRecord(
        number=number,
        debtor_number=debtor_number,
        issue_date=issue_date,
        due_date=due_date,
        amount=amount,
        open_amount=open_amount,
        currency=currency,
        payment_reference=reference,
        collection_status=status,
        open_amount_given=open_amount_given,
    )
