"""Checks of single fields of a row from outside (API items, CSV lines): text, choices, numbers,
dates, amounts, currencies and mobile numbers, each problem named in the user's language.

`FieldChecks` collects every problem of one row instead of stopping at the first, so that a
caller can report all bad rows of a batch at once (see settle.receivables.records).
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext as _

from settle.common.errors import FieldError

NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
MAX_AMOUNT = Decimal("999999999999.99")
# Dates outside this range are typing errors (9999-12-31, 0001-01-01), not invoices or payments.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)
CENT = Decimal("0.01")


class FieldChecks:
    """Collects every error of one row instead of stopping at the first."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.errors: list[FieldError] = []

    def fail(self, name: str, message: str) -> None:
        self.errors.append(FieldError(field=name, message=message))

    def text(self, name: str, *, max_length: int, required: bool = False, default: str = "") -> str:
        value = self.data.get(name)
        value = default if value is None else str(value).strip()
        if "\x00" in value:
            # PostgreSQL cannot store a NUL character; refuse it here rather than fail later.
            self.fail(name, _("Contains a character that is not allowed."))
            return ""
        if required and not value:
            self.fail(name, _("This field is required."))
        elif len(value) > max_length:
            self.fail(name, _("At most %(max)d characters.") % {"max": max_length})
        return value

    def choice(self, name: str, choices: list[str], default: str) -> str:
        value = self.text(name, max_length=40, default=default).lower() or default
        if value not in choices:
            self.fail(name, _("Must be one of: %(choices)s.") % {"choices": ", ".join(choices)})
        return value

    def number(self, name: str) -> str:
        value = self.text(name, max_length=50, required=True)
        if value and not NUMBER_RE.match(value):
            self.fail(name, _("Use letters, digits and . _ - only."))
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in {"1", "true", "yes", "ja", "j", "y"}:
            return True
        if lowered in {"0", "false", "no", "nee", "n"}:
            return False
        self.fail(name, _("Must be true or false."))
        return default

    def _date(self, name: str) -> date | None:
        value = self.data.get(name)
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        raw = "" if value is None else str(value).strip()
        if not raw:
            self.fail(name, _("This field is required."))
            return None
        if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
            # The common ISO case without strptime, which costs half of a large import's check.
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass
        for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
            try:
                return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 (a calendar date)
            except ValueError:
                continue
        self.fail(name, _("Not a valid date: use YYYY-MM-DD or DD-MM-YYYY."))
        return None

    def date(self, name: str) -> date | None:
        value = self._date(name)
        if value is not None and not DATE_MIN <= value <= DATE_MAX:
            self.fail(name, date_range_message())
            return None
        return value

    def money(self, name: str, *, decimal_comma: bool) -> Decimal | None:
        value = self.data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.fail(name, _("This field is required."))
            return None
        if isinstance(value, float):
            # Floats cannot hold cents exactly; the API sends amounts as decimal strings.
            self.fail(name, _('Send amounts as decimal strings, e.g. "125.50".'))
            return None
        raw = str(value).strip().replace("€", "").replace(" ", "")
        if decimal_comma:
            raw = _normalise_decimal_comma(raw)
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            self.fail(name, _("Not a valid amount."))
            return None
        if amount < 0:
            self.fail(name, _("Must not be negative."))
            return None
        # Checked before quantize, which fails on huge exponents such as 1e400.
        if amount > MAX_AMOUNT:
            self.fail(name, _("Amount too large."))
            return None
        quantized = amount.quantize(CENT)
        if amount != quantized:
            self.fail(name, _("At most two decimals."))
            return None
        return quantized


def date_range_message() -> str:
    return _("Use a date from %(min)s to %(max)s.") % {
        "min": DATE_MIN.isoformat(),
        "max": DATE_MAX.isoformat(),
    }


def currency_problem(currency: str) -> str | None:
    """Why `currency` cannot be taken, if it cannot: only the organisation's currencies
    (settings.SETTLE_CURRENCIES, all of them ISO 4217 codes) are."""
    accepted = settings.SETTLE_CURRENCIES
    if currency in accepted:
        return None
    return _("Not a currency this organisation accepts; use %(codes)s.") % {
        "codes": ", ".join(accepted)
    }


def _normalise_decimal_comma(raw: str) -> str:
    """Accept 1234,56 and 1.234,56 (Dutch) as well as 1234.56 and 1,234.56."""
    if "," in raw and "." in raw:
        if raw.rfind(",") > raw.rfind("."):
            return raw.replace(".", "").replace(",", ".")
        return raw.replace(",", "")
    if "," in raw:
        return raw.replace(",", ".")
    return raw


def normalise_mobile(raw: str, *, region: str = "NL") -> str:
    """Return the number in E.164, or raise ValueError if it is not a valid phone number."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
