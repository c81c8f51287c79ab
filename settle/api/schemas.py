"""The shapes the REST API reads and writes, and how they appear in the OpenAPI document.

Amounts travel as decimal strings ("121.00") and dates as ISO 8601 ("2025-01-31"): a JSON number
cannot hold cents exactly, and a date is a calendar date, not a timestamp.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from settle.receivables.records import MAX_AMOUNT

CENT = Decimal("0.01")
MONEY_PATTERN = r"^\d{1,12}(\.\d{1,2})?$"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
    return amount.quantize(CENT)


def _date_parse(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and DATE_RE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PydanticCustomError("date", _("Not a valid date: use YYYY-MM-DD."))


def _text_check(value: str) -> str:
    # PostgreSQL cannot store or even compare a NUL character; refuse it before it gets there.
    if "\x00" in value:
        raise PydanticCustomError("nul", _("Must not contain NUL characters."))
    return value


Text = Annotated[str, AfterValidator(_text_check)]
Money = Annotated[
    Decimal,
    PlainValidator(_money_parse),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["121.00"]}),
]
IsoDate = Annotated[
    date,
    PlainValidator(_date_parse),
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2025-01-31"]}),
]
Language = Literal["nl", "en"]
PaymentMethod = Literal["bank_transfer", "direct_debit", "online"]
DeliveryMethod = Literal["email", "post", "sms"]
# Spelled out for the OpenAPI document; a test keeps them equal to the models' choices.
Source = Literal["erp", "bank", "psp", "manual"]
State = Literal["open", "partly_paid", "paid"]


NEXT_CURSOR = "Pass as `cursor` to get the next page; null on the last page."


class PageParams(Schema):
    cursor: Text | None = Field(None, description="The next_cursor of the previous page.")
    limit: int = Field(100, ge=1, le=1000)


class InvoiceFilters(PageParams):
    debtor_number: Text | None = Field(None, description="Only this debtor's invoices.")
    status: State | None = Field(None, description="Payment state: open, partly_paid or paid.")
    collection_status: Text | None = Field(None, description="A collection status code.")


# --- Errors ------------------------------------------------------------------------------


class FieldErrorOut(Schema):
    index: int | None = Field(
        None, description="Position of the bad item in the list sent (0-based), if any."
    )
    field: str | None = Field(None, description="The field at fault; null for a whole item.")
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut] = []


# --- Debtors -----------------------------------------------------------------------------


class Address(Schema):
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = Field("NL", description="Two-letter country code.")


class DebtorIn(BaseModel):
    """One debtor in a `PUT /debtors` batch; found by `number`, created or updated."""

    number: str = Field(max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str = Field(max_length=200)
    language: Language = "nl"
    email: str = Field("", description="Required when delivery_method is email.")
    mobile: str = Field("", description="Any notation; stored in E.164 (+31612345678).")
    address: Address | None = None
    payment_method: PaymentMethod = "bank_transfer"
    delivery_method: DeliveryMethod = "email"
    active: bool = True


class DebtorOut(Schema):
    number: str
    name: str
    language: Language
    email: str
    mobile: str
    address: Address
    payment_method: PaymentMethod
    delivery_method: DeliveryMethod
    active: bool

    @staticmethod
    def resolve_address(obj) -> dict[str, str]:
        return {
            "street": obj.street,
            "postal_code": obj.postal_code,
            "city": obj.city,
            "country": obj.country,
        }


class DebtorPage(Schema):
    items: list[DebtorOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


# --- Invoices ----------------------------------------------------------------------------


class InvoiceIn(BaseModel):
    """One invoice in a `PUT /invoices` batch; found by `number`, created or updated."""

    number: str = Field(max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    debtor_number: str = Field(description="A debtor sent earlier through PUT /debtors.")
    issue_date: IsoDate
    due_date: IsoDate
    amount: Money
    open_amount: Money | None = Field(
        None,
        description=(
            "Left out: a new invoice is open for its whole amount; a known one keeps the open "
            "amount Settle has (payments booked since), at most the amount."
        ),
    )
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    payment_reference: str = Field("", max_length=50)
    collection_status: str = Field("open", description="A configured collection status code.")


class InvoiceOut(Schema):
    number: str
    debtor_number: str
    issue_date: IsoDate
    due_date: IsoDate
    amount: Money
    open_amount: Money
    currency: str
    payment_reference: str
    collection_status: str
    payment_state: State
    has_document: bool

    @staticmethod
    def resolve_debtor_number(obj) -> str:
        return obj.debtor.number

    @staticmethod
    def resolve_collection_status(obj) -> str:
        return obj.collection_status_id

    @staticmethod
    def resolve_has_document(obj) -> bool:
        return bool(obj.document)


class InvoicePage(Schema):
    items: list[InvoiceOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class UpsertOut(Schema):
    created: int
    updated: int
    unchanged: int


# --- Payments ----------------------------------------------------------------------------


# Input models are plain pydantic models: ninja's Schema reads attributes of any object, which
# would turn a string sent in place of an object into a list of "field required" errors.
class AllocationIn(BaseModel):
    invoice_number: Text = Field(max_length=50)
    amount: Money


class PaymentIn(BaseModel):
    amount: Money
    date: IsoDate
    reference: Text = Field(
        "", max_length=100, description="Booked once per source; a repeat answers 409."
    )
    source: Source = "erp"
    debtor_number: Text | None = Field(None, max_length=50)
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    allocations: list[AllocationIn] = Field(
        [],
        max_length=1000,
        description="Without allocations the payment goes to the debtor's oldest open invoices.",
    )


class AllocationOut(Schema):
    invoice_number: str
    amount: Money
    invoice_open_amount: Money = Field(description="The invoice's open amount after this payment.")

    @staticmethod
    def resolve_invoice_number(obj) -> str:
        return obj.invoice.number

    @staticmethod
    def resolve_invoice_open_amount(obj) -> Decimal:
        return obj.invoice.open_amount


class PaymentOut(Schema):
    id: int
    amount: Money
    currency: str
    date: IsoDate
    source: Source
    reference: str
    debtor_number: str | None
    unallocated_amount: Money
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_debtor_number(obj) -> str | None:
        return obj.debtor.number if obj.debtor else None

    @staticmethod
    def resolve_allocations(obj) -> list:
        return list(obj.allocations.all())
