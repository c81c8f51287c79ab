"""The portal's reads: everything a debtor sees goes through an `access_*` function."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from settle.arrangements.models import ArrangementState, InstalmentState
from settle.arrangements.status import response_status_text
from settle.common.money import money
from settle.portal.models import PortalSettings
from settle.receivables.models import Debtor, Invoice
from settle.responses.models import Response, ResponseState, WorkflowKind
from settle.responses.selectors import invoice_rows_with_status

# A primary key as it may arrive in a form or query string: plain ASCII digits, short enough to
# fit a 64-bit column. (str.isdigit() also accepts "²" and other digits int() refuses.)
_ID_RE = re.compile(r"^[0-9]{1,18}$")

LANDING_FIELDS = (
    "pk",
    "number",
    "issue_date",
    "due_date",
    "amount",
    "open_amount",
    "currency",
    "collection_status__label_nl",
    "collection_status__label_en",
)


def access_open_invoices(*, debtor: Debtor) -> QuerySet[Invoice]:
    """The only invoices a debtor may see or act on: their own, still open, by due date."""
    return (
        Invoice.objects.open()
        .filter(debtor=debtor)
        .select_related("collection_status")
        .order_by("due_date", "number")
    )


@dataclass(frozen=True)
class ScheduleLine:
    number: int
    due_date: date
    amount: str
    paid: bool


@dataclass
class RunningArrangement:
    """An accepted arrangement as the debtor sees it: its schedule, amounts formatted."""

    pk: int
    invoice_numbers: list[str] = field(default_factory=list)
    instalments: list[ScheduleLine] = field(default_factory=list)


@dataclass(frozen=True)
class Landing:
    rows: list[dict[str, Any]]
    arrangements: list[RunningArrangement]


def access_landing(*, debtor: Debtor) -> Landing:
    """The landing page's rows (`invoice_rows_with_status`, one query) with the status of each
    arrangement response told from its arrangement (`response_status_text`, the one rule), and
    the debtor's running arrangements with their schedules: one query more, and only when some
    invoice has an open response."""
    rows = invoice_rows_with_status(access_open_invoices(debtor=debtor), LANDING_FIELDS)
    if all(row["response_status"] is None for row in rows):
        return Landing(rows=rows, arrangements=[])
    by_invoice = {row["pk"]: row for row in rows}
    # Every open response of the debtor's invoices, newest first per invoice as
    # `invoice_rows_with_status` orders them, each joined to its arrangement's instalments.
    links = (
        Response.invoices.through.objects.filter(
            invoice__debtor=debtor, response__state=ResponseState.OPEN
        )
        .order_by(
            "invoice_id",
            "-response__created_at",
            "-response_id",
            "response__arrangement__instalments__number",
        )
        .values_list(
            "invoice_id",
            "invoice__number",
            "invoice__currency",
            "response_id",
            "response__response_type__workflow",
            "response__values",
            "response__response_type__name_nl",
            "response__response_type__name_en",
            "response__arrangement__id",
            "response__arrangement__state",
            "response__arrangement__instalments__number",
            "response__arrangement__instalments__due_date",
            "response__arrangement__instalments__amount",
            "response__arrangement__instalments__state",
        )
    )
    newest: dict[int, int] = {}
    states: dict[int, str] = {}
    parts: dict[int, dict[str, Any]] = {}
    running: dict[int, RunningArrangement] = {}
    next_due: dict[tuple[int, int], tuple[date, Decimal, str]] = {}
    for (
        invoice_id,
        number,
        currency,
        response_id,
        workflow,
        values,
        name_nl,
        name_en,
        arrangement_id,
        state,
        instalment,
        due_date,
        amount,
        instalment_state,
    ) in links:
        newest.setdefault(invoice_id, response_id)
        if workflow != WorkflowKind.ARRANGEMENT or arrangement_id is None:
            continue
        states[response_id] = state
        parts[response_id] = {
            "workflow": workflow,
            "values": values,
            "name_nl": name_nl,
            "name_en": name_en,
        }
        if state != ArrangementState.ACCEPTED or instalment is None:
            continue
        shown = running.setdefault(arrangement_id, RunningArrangement(pk=arrangement_id))
        if number not in shown.invoice_numbers:
            shown.invoice_numbers.append(number)
        if len(shown.invoice_numbers) == 1:
            # Each invoice repeats the schedule: keep it once, in the first one's currency.
            shown.instalments.append(
                ScheduleLine(
                    instalment,
                    due_date,
                    money(amount, currency),
                    instalment_state == InstalmentState.PAID,
                )
            )
        if instalment_state == InstalmentState.PENDING:
            next_due.setdefault((invoice_id, response_id), (due_date, amount, currency))
    for invoice_id, response_id in newest.items():
        row = by_invoice.get(invoice_id)
        if row is None or response_id not in states:
            continue
        upcoming = next_due.get((invoice_id, response_id))
        row["response_status"] = response_status_text(
            **parts[response_id],
            arrangement_state=states[response_id],
            next_date=upcoming[0] if upcoming else None,
            next_amount=money(upcoming[1], upcoming[2]) if upcoming else "",
        )
    return Landing(rows=rows, arrangements=list(running.values()))


def access_selected_invoices(*, debtor: Debtor, ids: Iterable[object]) -> list[Invoice]:
    """The debtor's open invoices among `ids`; anyone else's ids, and anything that is not an
    id at all, are dropped without a trace."""
    wanted = {int(text) for text in (str(i).strip() for i in ids) if _ID_RE.match(text)}
    if not wanted:
        return []
    return list(access_open_invoices(debtor=debtor).filter(pk__in=wanted))


def portal_link_validity_days() -> int:
    """How many days after today a link issued now stays valid: the portal's own setting, which
    the correspondence reads only through the portal's link hook (SETTLE_MESSAGE_LINK)."""
    return PortalSettings.load().link_validity_days
