"""The field types of the REST API's shapes: amounts as decimal strings ("121.00"), dates as ISO
8601 ("2025-01-31"), text without NUL, and the choices, each with how it appears in the OpenAPI
document (settle.api.schemas builds the shapes from them).
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import (
    AfterValidator,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from settle.api.pagination import CURSOR_PATTERN
from settle.api.patterns import (
    DATE_DESCRIPTION,
    DATE_PATTERN,
    DATE_RE,
    MONEY_PATTERN,
    MONEY_RE,
    NO_NUL_PATTERN,
    POSITIVE_MONEY_PATTERN,
)
from settle.receivables.field_checks import DATE_MAX, DATE_MIN, MAX_AMOUNT, date_range_message

CENT = Decimal("0.01")


def _money_parse(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError(
            "money_type", _('Send amounts as decimal strings, e.g. "125.50".')
        )
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise PydanticCustomError("money", _("Not a valid amount."))
    if amount < 0:
        raise PydanticCustomError("money_negative", _("Must not be negative."))
    # Before quantize(), which cannot represent huge values such as 1e400.
    if amount > MAX_AMOUNT:
        raise PydanticCustomError("money_large", _("Amount too large."))
    if amount != amount.quantize(CENT):
        raise PydanticCustomError("money_places", _("At most two decimals."))
    if not MONEY_RE.fullmatch(value):
        # What is left: signs, exponents, white space ("+1", "1e2", " 1"), which the document
        # does not allow either.
        raise PydanticCustomError(
            "money_format", _('Not a valid amount; send a decimal string, e.g. "125.50".')
        )
    return amount.quantize(CENT)


def _date_parse(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        if not (isinstance(value, str) and DATE_RE.fullmatch(value)):
            raise ValueError(value)
        parsed = date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date", _("Not a valid date: use YYYY-MM-DD.")) from None
    if not DATE_MIN <= parsed <= DATE_MAX:
        raise PydanticCustomError("date_range", date_range_message())
    return parsed


def _text_check(value: str) -> str:
    # PostgreSQL cannot store or even compare a NUL character; refuse it before it gets there.
    if "\x00" in value:
        raise PydanticCustomError("nul", _("Must not contain NUL characters."))
    return value


def _positive_money_parse(value: Any) -> Decimal:
    amount = _money_parse(value)
    if amount <= 0:
        raise PydanticCustomError("money_zero", _("Must be greater than zero."))
    return amount


def _money_serialize(value: Decimal) -> str:
    return f"{value:.2f}"


Text = Annotated[
    str, AfterValidator(_text_check), Field(json_schema_extra={"pattern": NO_NUL_PATTERN})
]
# Its content is checked by pagination.cursor_decode, with a message in the client's language.
Cursor = Annotated[str, Field(json_schema_extra={"pattern": CURSOR_PATTERN})]
Money = Annotated[
    Decimal,
    PlainValidator(_money_parse),
    PlainSerializer(_money_serialize, return_type=str),
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["121.00"]}),
]
PositiveMoney = Annotated[
    Decimal,
    PlainValidator(_positive_money_parse),
    PlainSerializer(_money_serialize, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": POSITIVE_MONEY_PATTERN,
            "description": "Greater than zero.",
            "examples": ["121.00"],
        }
    ),
]
IsoDate = Annotated[
    date,
    PlainValidator(_date_parse),
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": DATE_PATTERN,
            "description": DATE_DESCRIPTION,
            "examples": ["2025-01-31"],
        }
    ),
]
Language = Literal["nl", "en"]
PaymentMethod = Literal["bank_transfer", "direct_debit", "online"]
DeliveryMethod = Literal["email", "post", "sms"]
DebtorKind = Literal["business", "consumer"]
# Spelled out for the OpenAPI document; a test keeps them equal to the models' choices.
Source = Literal["erp", "bank", "psp", "manual"]
State = Literal["open", "partly_paid", "paid"]
