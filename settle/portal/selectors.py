"""The portal's reads: everything a debtor sees goes through an `access_*` function."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from settle.arrangements.models import ArrangementState, InstalmentState, PaymentArrangement
from settle.arrangements.selectors import arrangement_paid_amount
from settle.arrangements.status import response_status_text
from settle.common.money import money
from settle.payments.selectors import invoice_ids_in_payment, online_payment_enabled
from settle.portal.models import PortalSettings
from settle.receivables.models import ZERO, Debtor, Invoice
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
    # The first instalment not yet paid and its unpaid part, formatted ("" when none is left).
    pay_number: int | None = None
    pay_amount: str = ""


@dataclass(frozen=True)
class Landing:
    rows: list[dict[str, Any]]
    arrangements: list[RunningArrangement]
    # The invoices with an online payment in progress (none when online payment is off).
    in_payment: frozenset[int] = frozenset()


def instalment_unpaid(
    *, schedule: Iterable[tuple[int, Decimal, str]], paid: Decimal, open_amount: Decimal
) -> tuple[int, Decimal] | None:
    """The first instalment that the money paid so far does not cover, and how much of it is
    unpaid: by the rule the arrangement's own check follows (instalments.py), an instalment is
    paid once everything paid covers it and those before it. Never more than is still open.
    `schedule` is (number, amount, state) by number; None when nothing is left to pay."""
    covered = ZERO
    for number, amount, state in schedule:
        covered += amount
        if state != InstalmentState.PENDING or covered <= paid:
            continue
        unpaid = min(covered - paid, open_amount)
        return (number, unpaid) if unpaid > ZERO else None
    return None


def access_landing(*, debtor: Debtor) -> Landing:
    """The landing page's rows (`invoice_rows_with_status`, one query) with the status of each
    arrangement response told from its arrangement (`response_status_text`, the one rule), and
    the debtor's running arrangements with their schedules: one query more, and only when some
    invoice has an open response."""
    rows = invoice_rows_with_status(access_open_invoices(debtor=debtor), LANDING_FIELDS)
    # One query more, and only when there is something a payment could be in progress for.
    in_payment = (
        frozenset(invoice_ids_in_payment(debtor=debtor))
        if rows and online_payment_enabled()
        else frozenset()
    )
    if all(row["response_status"] is None for row in rows):
        return Landing(rows=rows, arrangements=[], in_payment=in_payment)
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
            "response__arrangement__total",
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
    # Per running arrangement: its total, its schedule as amounts, and its open invoices.
    totals: dict[int, Decimal] = {}
    schedules: dict[int, list[tuple[int, Decimal, str]]] = {}
    arrangement_invoices: dict[int, set[int]] = {}
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
        total,
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
        totals[arrangement_id] = total
        arrangement_invoices.setdefault(arrangement_id, set()).add(invoice_id)
        if number not in shown.invoice_numbers:
            shown.invoice_numbers.append(number)
        if len(shown.invoice_numbers) == 1:
            schedules.setdefault(arrangement_id, []).append((instalment, amount, instalment_state))
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
    for arrangement_id, shown in running.items():
        # As arrangement_paid_amount tells it: the total less what its invoices have open (an
        # invoice paid in full is not among the rows: it has nothing open).
        open_amount = sum(
            (
                by_invoice[pk]["open_amount"]
                for pk in arrangement_invoices[arrangement_id]
                if pk in by_invoice
            ),
            ZERO,
        )
        total = totals[arrangement_id]
        paid = min(max(total - open_amount, ZERO), total)
        unpaid = instalment_unpaid(
            schedule=schedules.get(arrangement_id, []), paid=paid, open_amount=open_amount
        )
        if unpaid is not None and online_payment_enabled():
            currency = next(
                by_invoice[pk]["currency"]
                for pk in arrangement_invoices[arrangement_id]
                if pk in by_invoice
            )
            shown.pay_number, shown.pay_amount = unpaid[0], money(unpaid[1], currency)
    return Landing(rows=rows, arrangements=list(running.values()), in_payment=in_payment)


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


def access_payable_invoices(*, debtor: Debtor, ids: Iterable[object]) -> list[Invoice]:
    """The invoices among `ids` that the debtor can pay now: their own that are still open, by
    due date. An id that is not one of the debtor's invoices (anyone else's, or no id at all)
    raises Http404, so a tampered list is refused as a whole; the debtor's own invoices that
    were paid meanwhile are dropped (the pay page asks for what is still open)."""
    texts = [str(i).strip() for i in ids]
    if any(not _ID_RE.match(text) for text in texts):
        raise Http404
    wanted = {int(text) for text in texts}
    if not wanted:
        return []
    invoices = list(
        Invoice.objects.filter(debtor=debtor, pk__in=wanted)
        .select_related("collection_status")
        .order_by("due_date", "number")
    )
    if len(invoices) != len(wanted):
        raise Http404
    return [invoice for invoice in invoices if invoice.open_amount > ZERO]


@dataclass(frozen=True)
class InstalmentToPay:
    arrangement: PaymentArrangement
    invoices: list[Invoice]
    number: int
    amount: Decimal


def access_instalment_to_pay(*, debtor: Debtor, pk: object) -> InstalmentToPay | None:
    """The debtor's running arrangement `pk` with its first unpaid instalment: its open
    invoices and the instalment's unpaid part. Http404 for anyone else's arrangement, one that
    is not running, or no id at all; None when every instalment is paid."""
    text = str(pk).strip()
    if not _ID_RE.match(text):
        raise Http404
    arrangement = PaymentArrangement.objects.filter(
        pk=int(text), debtor=debtor, state=ArrangementState.ACCEPTED
    ).first()
    if arrangement is None:
        raise Http404
    invoices = list(access_open_invoices(debtor=debtor).filter(responses=arrangement.response_id))
    open_amount = sum((invoice.open_amount for invoice in invoices), ZERO)
    unpaid = instalment_unpaid(
        schedule=arrangement.instalments.order_by("number").values_list(
            "number", "amount", "state"
        ),
        paid=arrangement_paid_amount(arrangement),
        open_amount=open_amount,
    )
    if unpaid is None or not invoices:
        return None
    return InstalmentToPay(
        arrangement=arrangement, invoices=invoices, number=unpaid[0], amount=unpaid[1]
    )
