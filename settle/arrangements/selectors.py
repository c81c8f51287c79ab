"""Reads of arrangements: for the back office, with their joins applied, and the judgements that
write nothing (a proposal read and assessed against the policy, the amount paid so far)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from settle.arrangements.models import (
    ArrangementPolicy,
    ArrangementState,
    Instalment,
    InstalmentState,
    PaymentArrangement,
)
from settle.arrangements.policy import Proposal, failure_texts, policy_check
from settle.arrangements.schedule import MAX_SCHEDULE, Schedule, schedule_build
from settle.common.money import money
from settle.receivables.models import ZERO, Debtor, Invoice
from settle.responses.hints import FormHint
from settle.responses.models import Response, ResponseType, WorkflowKind

# A proposed number of instalments is kept as entered up to this, within what the column holds.
MAX_PROPOSED = 1_000_000


def proposal_assess(
    *, policy: ArrangementPolicy, debtor: Debtor, values: object, total: Decimal, today: date
) -> tuple[Proposal, list[dict]]:
    """The debtor's entered values as a proposal, and every rule of `policy` it does not meet
    (none: accepted at once). The one judgement behind both a new arrangement and the hint the
    portal's form shows while the debtor types."""
    proposal = proposal_read(values=values, total=total)
    return proposal, policy_check(policy=policy, proposal=proposal, debtor=debtor, today=today)


def proposal_read(*, values: object, total: Decimal) -> Proposal:
    """The debtor's entered values as a proposal with its schedule (none if unreadable)."""
    values = values if isinstance(values, dict) else {}
    try:
        count = int(values.get("instalments"))
    except (TypeError, ValueError):
        count = 0
    try:
        first_date = date.fromisoformat(str(values.get("first_date")))
    except ValueError:
        first_date = None
    schedule = _proposed_schedule(total=total, count=count, first_date=first_date)
    # Kept as proposed, within what the column holds: it is only shown.
    count = min(max(count, 0), MAX_PROPOSED)
    return Proposal(total=total, count=count, first_date=first_date, schedule=schedule)


def arrangement_proposal(arrangement: PaymentArrangement) -> Schedule:
    """The schedule the debtor proposed, rebuilt from what was stored (empty if unreadable)."""
    return _proposed_schedule(
        total=arrangement.total,
        count=arrangement.proposed_count,
        first_date=arrangement.proposed_first_date,
    )


def _proposed_schedule(*, total: Decimal, count: int, first_date: date | None) -> Schedule:
    if first_date is None or not 1 <= count <= MAX_SCHEDULE:
        return []
    try:
        return schedule_build(total=total, count=count, first_date=first_date)
    except ValueError:
        return []


def arrangement_paid_amount(arrangement: PaymentArrangement) -> Decimal:
    """How much of the arrangement's total has been paid: the total less what its invoices still
    have open (never below zero nor above the total)."""
    open_amount = (
        Invoice.objects.filter(responses=arrangement.response_id).aggregate(
            open=Sum("open_amount")
        )["open"]
        or ZERO
    )
    return min(max(arrangement.total - open_amount, ZERO), arrangement.total)


def arrangement_decided(arrangement: PaymentArrangement) -> str:
    """Why no decision can be taken on `arrangement` any more ("" while it waits for one)."""
    if arrangement.state == ArrangementState.UNDER_REVIEW:
        return ""
    return _("This arrangement has already been decided: it is %(state)s.") % {
        "state": arrangement.get_state_display().lower()
    }


def arrangements_for_list(*, state: str = "") -> QuerySet[PaymentArrangement]:
    """Arrangements, newest first, each with its debtor and `instalment_count`."""
    arrangements = PaymentArrangement.objects.select_related("debtor").annotate(
        instalment_count=Count("instalments")
    )
    if state:
        arrangements = arrangements.filter(state=state)
    return arrangements.order_by("-created_at", "-pk")


def arrangement_detail(*, pk: int) -> PaymentArrangement:
    """One arrangement with what its page shows; raises PaymentArrangement.DoesNotExist."""
    return (
        PaymentArrangement.objects.select_related("debtor", "decided_by", "response__response_type")
        .prefetch_related(
            Prefetch("instalments", queryset=Instalment.objects.order_by("number")),
            Prefetch(
                "response__invoices",
                queryset=Invoice.objects.select_related("collection_status").order_by(
                    "due_date", "number"
                ),
            ),
        )
        .get(pk=pk)
    )


def arrangement_for_response(*, response_id: int | None) -> PaymentArrangement | None:
    if response_id is None:
        return None
    return PaymentArrangement.objects.filter(response_id=response_id).first()


@dataclass(frozen=True)
class ScheduleRow:
    number: int
    due_date: date
    amount: Decimal
    state: str
    state_label: str


@dataclass(frozen=True)
class Progress:
    """How far a running (or ended) arrangement has come."""

    total: Decimal
    paid: Decimal
    remaining: Decimal
    paid_count: int
    count: int
    next_row: ScheduleRow | None

    @property
    def percent(self) -> int:
        return int(self.paid * 100 / self.total) if self.total else 100


def arrangement_schedule(arrangement: PaymentArrangement) -> list[ScheduleRow]:
    """The instalments with their states, or the proposal's schedule while there are none."""
    instalments = list(arrangement.instalments.all())
    if instalments:
        return [
            ScheduleRow(i.number, i.due_date, i.amount, i.state, i.get_state_display())
            for i in instalments
        ]
    return [
        ScheduleRow(number, due_date, amount, "", "")
        for number, (due_date, amount) in enumerate(arrangement_proposal(arrangement), start=1)
    ]


def arrangement_progress(arrangement: PaymentArrangement) -> Progress | None:
    """Paid so far, what remains and the next instalment; None for a proposal not accepted."""
    if arrangement.state in (
        ArrangementState.PROPOSED,
        ArrangementState.UNDER_REVIEW,
        ArrangementState.REJECTED,
    ):
        return None
    rows = arrangement_schedule(arrangement)
    paid = arrangement_paid_amount(arrangement)
    pending = [row for row in rows if row.state == InstalmentState.PENDING]
    return Progress(
        total=arrangement.total,
        paid=paid,
        remaining=max(arrangement.total - paid, ZERO),
        paid_count=sum(1 for row in rows if row.state == InstalmentState.PAID),
        count=len(rows),
        next_row=pending[0] if pending and arrangement.state == ArrangementState.ACCEPTED else None,
    )


def policy_shown(*, response_type: ResponseType) -> ArrangementPolicy:
    """The type's policy as it stands, or its defaults (unsaved) when it was never set: showing
    the settings page writes nothing."""
    policy = ArrangementPolicy.objects.filter(response_type=response_type).first()
    return policy or ArrangementPolicy(response_type=response_type)


def proposal_hint(
    *,
    response_type: ResponseType,
    debtor: Debtor,
    invoices: Sequence[Invoice],
    values: Mapping[str, object],
) -> FormHint | None:
    """A hook of settings.SETTLE_RESPONSE_FORM_HINTS: for an arrangement type, what the entered
    number of instalments and first date come to, and whether the proposal would be accepted at
    once or reviewed, by the same rule as `arrangement_start`. Writes nothing."""
    if response_type.workflow != WorkflowKind.ARRANGEMENT:
        return None
    inputs = ("instalments", "first_date")
    if any(values.get(key) in (None, "") for key in inputs):
        return FormHint(
            inputs=inputs,
            summary=_(
                "Fill in the number of instalments and the first date to see the amount of "
                "each instalment."
            ),
        )
    total = sum((invoice.open_amount for invoice in invoices), ZERO)
    currency = invoices[0].currency if invoices else "EUR"
    proposal, failures = proposal_assess(
        policy=policy_shown(response_type=response_type),
        debtor=debtor,
        values=values,
        total=total,
        today=timezone.localdate(),
    )
    if not proposal.schedule:
        return FormHint(
            inputs=inputs,
            summary=_("These instalments cannot be made from the total of %(total)s.")
            % {"total": money(total, currency)},
            accepted=False,
            verdict=_("We will review this proposal and let you know."),
        )
    first_amount, last_amount = proposal.schedule[0][1], proposal.schedule[-1][1]
    values_shown = {
        "count": proposal.count,
        "amount": money(first_amount, currency),
        "first": date_format(proposal.schedule[0][0], "j F Y"),
        "last": date_format(proposal.schedule[-1][0], "j F Y"),
    }
    if last_amount != first_amount:
        values_shown["last_amount"] = money(last_amount, currency)
        summary = (
            _(
                "%(count)d instalments of %(amount)s (the last one %(last_amount)s), from "
                "%(first)s to %(last)s."
            )
            % values_shown
        )
    else:
        summary = (
            ngettext(
                "%(count)d instalment of %(amount)s, on %(first)s.",
                "%(count)d instalments of %(amount)s, from %(first)s to %(last)s.",
                proposal.count,
            )
            % values_shown
        )
    if not failures:
        return FormHint(
            inputs=inputs,
            summary=summary,
            accepted=True,
            verdict=_("This proposal is within our rules: it is accepted as soon as you save."),
        )
    return FormHint(
        inputs=inputs,
        summary=summary,
        accepted=False,
        verdict=_("An employee will review this proposal, because:"),
        reasons=failure_texts(failures),
    )


def arrangement_hold(*, response: Response) -> str:
    """Why the response of an arrangement under review or running cannot be closed by hand (a
    hook of settings.SETTLE_RESPONSE_HOLDS): the arrangement's own decisions close it."""
    state = (
        PaymentArrangement.objects.filter(
            response=response,
            state__in=(ArrangementState.UNDER_REVIEW, ArrangementState.ACCEPTED),
        )
        .values_list("state", flat=True)
        .first()
    )
    if state == ArrangementState.UNDER_REVIEW:
        return _(
            "This response holds a payment arrangement proposal under review. Accept or reject "
            "the proposal; rejecting it closes the response."
        )
    if state == ArrangementState.ACCEPTED:
        return _(
            "This response holds a running payment arrangement. It closes by itself when the "
            "arrangement is completed, or when an instalment is missed and dunning resumes."
        )
    return ""
