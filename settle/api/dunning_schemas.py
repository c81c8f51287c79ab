"""The shapes of the dunning-run endpoints: an ERP starts a run of an action group on a list of
invoice numbers and follows its progress."""

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import BaseModel, Field, StringConstraints

from settle.api.field_types import Text
from settle.api.patterns import NOT_BLANK_PATTERN, NUMBER_PATTERN

# A run of more invoices goes through the back office's "select all matching this filter".
MAX_RUN_INVOICES = 10_000

GroupId = Annotated[int, Field(ge=1, le=2**31 - 1, description="The action group's id.")]
GroupName = Annotated[
    Text,
    StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK_PATTERN),
    Field(description="The action group's name, as the back office shows it."),
]
InvoiceNumber = Annotated[str, StringConstraints(max_length=50, pattern=NUMBER_PATTERN)]


class DunningRunIn(BaseModel):
    group: GroupId | GroupName = Field(
        description="The action group to run, by id or by name (an archived group is refused)."
    )
    invoice_numbers: list[InvoiceNumber] = Field(
        min_length=1,
        max_length=MAX_RUN_INVOICES,
        description=(
            "The invoices to remind. Their debtors each get one message per action listing "
            "their invoices of the run. Unknown numbers refuse the whole request (422, each "
            "listed); invoices excluded from dunning, on hold or paid are skipped and counted."
        ),
    )


class RunItemsOut(Schema):
    total: int = Field(description="Debtors in the run (one item each).")
    pending: int
    sent: int = Field(description="Items whose actions are done.")
    skipped: int
    failed: int


class DunningRunOut(Schema):
    id: int
    group: int
    group_name: str
    source: str = Field(description="Who started it: manual, schedule or api.")
    state: str = Field(description="running or done.")
    finished: bool = Field(description="True once no item is pending any more.")
    created_at: datetime
    processed_at: datetime | None
    invoice_count: int = Field(description="Invoices in the run.")
    debtor_count: int
    skipped_invoices: dict[str, int] = Field(
        description=(
            "Invoices left out when the run was made, by reason (excluded_response, "
            "excluded_arrangement, payment_in_progress, held, paid, no_address)."
        )
    )
    items: RunItemsOut
    progress_url: str = Field(description="GET it to follow the run until `finished`.")
