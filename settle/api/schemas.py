"""The shapes the REST API reads and writes, and how they appear in the OpenAPI document.

Amounts travel as decimal strings ("121.00") and dates as ISO 8601 ("2025-01-31"): a JSON number
cannot hold cents exactly, and a date is a calendar date, not a timestamp.
"""

from decimal import Decimal

from ninja import Schema
from pydantic import BaseModel, Field

from settle.api.field_types import (
    Cursor,
    DebtorKind,
    DeliveryMethod,
    IsoDate,
    Language,
    Money,
    PaymentMethod,
    PositiveMoney,
    Source,
    State,
    Text,
)
from settle.api.patterns import (
    DEBTOR_DELIVERY_RULES,
    NO_NUL_PATTERN,
    NOT_BLANK_PATTERN,
    NUMBER_PATTERN,
)

NEXT_CURSOR = "Pass as `cursor` to get the next page; null on the last page."


class PageParams(Schema):
    cursor: Cursor | None = Field(
        None,
        description="The next_cursor of the previous page, unchanged (empty: the first page).",
    )
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


class AddressIn(BaseModel):
    street: str | None = Field("", max_length=200, pattern=NO_NUL_PATTERN)
    postal_code: str | None = Field("", max_length=20, pattern=NO_NUL_PATTERN)
    city: str | None = Field("", max_length=100, pattern=NO_NUL_PATTERN)
    country: str | None = Field(
        "NL", pattern=r"^([A-Za-z]{2})?$", description="Two-letter country code; empty: NL."
    )


# In a batch item, null means the same as leaving the field out.
class DebtorIn(BaseModel):
    """One debtor in a `PUT /debtors` batch; found by `number`, created or updated.

    Delivery by e-mail (the default) needs an e-mail address, by SMS a mobile number, by post a
    street, postal code and city.
    """

    model_config = {"json_schema_extra": {"allOf": DEBTOR_DELIVERY_RULES}}

    number: str = Field(max_length=50, pattern=NUMBER_PATTERN)
    name: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK_PATTERN)
    language: Language | None = "nl"
    email: str | None = Field(
        "",
        description="An e-mail address, or empty. Required when delivery_method is email.",
        json_schema_extra={
            "anyOf": [
                {"type": "string", "format": "email", "maxLength": 254},
                {"type": "string", "maxLength": 0},
                {"type": "null"},
            ]
        },
    )
    mobile: str | None = Field(
        "",
        max_length=30,
        description=(
            "Any notation of a valid mobile number (in the debtor's country unless it starts "
            "with +), or empty; stored in E.164 (+31612345678). Required when delivery_method "
            "is sms."
        ),
        json_schema_extra={"pattern": NO_NUL_PATTERN},
    )
    address: AddressIn | None = None
    payment_method: PaymentMethod | None = "bank_transfer"
    delivery_method: DeliveryMethod | None = "email"
    active: bool | None = True
    kind: DebtorKind | None = Field(
        "business",
        description=(
            "business or consumer. A consumer gets the statutory 14-day letter before collection "
            "costs may be charged; a business may be shown commercial interest and the EU's "
            "fixed compensation."
        ),
    )


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
    kind: DebtorKind

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
    """One invoice in a `PUT /invoices` batch; found by `number`, created or updated.

    Beyond what each field says, the server refuses (422) an invoice whose debtor it does not
    know, whose due date lies before its issue date or whose open amount exceeds its amount.
    """

    number: str = Field(max_length=50, pattern=NUMBER_PATTERN)
    debtor_number: str = Field(
        max_length=50,
        pattern=NUMBER_PATTERN,
        description="A debtor sent earlier through PUT /debtors.",
    )
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
    currency: str | None = Field(
        "EUR", pattern=r"^[A-Z]{3}$", description="One of the organisation's currencies."
    )
    payment_reference: str | None = Field("", max_length=50, pattern=NO_NUL_PATTERN)
    collection_status: str | None = Field(
        "open", description="A configured collection status code."
    )


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
    amount: PositiveMoney


class PaymentIn(BaseModel):
    """A payment to book. Beyond what each field says, the server refuses (422) a payment for a
    debtor or invoice it does not know, an allocation above the invoice's open amount or to
    another debtor's invoice, and allocations adding up to more than the payment."""

    amount: PositiveMoney
    date: IsoDate
    reference: Text = Field(
        "", max_length=100, description="Booked once per source; a repeat answers 409."
    )
    source: Source = "erp"
    debtor_number: Text | None = Field(None, max_length=50)
    currency: str = Field(
        "EUR", pattern=r"^[A-Z]{3}$", description="One of the organisation's currencies."
    )
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
