"""Payment arrangements: a debtor's proposal, accepted within the policy or reviewed by an
employee, and the instalments it then runs on (checked in `instalments.py`)."""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from settle.arrangements.models import (
    ArrangementState,
    Instalment,
    PaymentArrangement,
)
from settle.arrangements.policy import Proposal, failure_sentence, policy_for
from settle.arrangements.schedule import CENT, Schedule, add_months
from settle.arrangements.selectors import (
    arrangement_decided,
    arrangement_proposal,
    proposal_assess,
)
from settle.common.dates import check_time
from settle.common.errors import ApplicationError, FieldError
from settle.common.money import money
from settle.correspondence.kinds import Kind
from settle.correspondence.notifications import message_notify
from settle.receivables.models import ZERO, Invoice
from settle.responses import closing as responses_closing
from settle.responses.models import Response, ResponseState
from settle.worklist.models import Task, TaskKind, TaskState
from settle.worklist.services import task_complete, task_create
from settle.worklist.texts import amount as task_amount
from settle.worklist.texts import day as task_day
from settle.worklist.texts import layout, sentence

# No instalment further ahead than this: ten years is beyond any policy a person would set.
HORIZON_MONTHS = 120
REASON_LENGTH = 2000


def arrangement_start(*, response: Response) -> PaymentArrangement:
    """Turn an arrangement response into a `PaymentArrangement`, once per response.

    Within the type's policy the arrangement is accepted at once: its instalments are made and
    the debtor gets the schedule. Otherwise it waits for an employee, with a review task that
    names each rule not met, and the debtor is told it is being reviewed. The response stays
    open either way, which keeps its invoices out of dunning while the arrangement runs.
    """
    existing = PaymentArrangement.objects.filter(response=response).first()
    if existing is not None:
        return existing
    response_type = response.response_type
    invoices = list(response.invoices.order_by("due_date", "number"))
    total = sum((invoice.open_amount for invoice in invoices), ZERO)
    proposal, failures = proposal_assess(
        policy=policy_for(response_type),
        debtor=response.debtor,
        values=response.values,
        total=total,
        today=timezone.localdate(),
    )
    try:
        with transaction.atomic():
            arrangement = PaymentArrangement.objects.create(
                response=response,
                debtor=response.debtor,
                total=total,
                proposed_count=proposal.count,
                proposed_first_date=proposal.first_date,
                policy_failures=failures,
                grace_days=response_type.grace_days,
                on_broken=response_type.on_broken,
            )
            if failures:
                _review_request(arrangement=arrangement, proposal=proposal, invoices=invoices)
            else:
                _accepted(arrangement=arrangement, schedule=proposal.schedule, decided_by=None)
    except IntegrityError:
        # The same response was started at the same moment elsewhere; that one stands.
        existing = PaymentArrangement.objects.filter(response=response).first()
        if existing is None:
            raise
        return existing
    return arrangement


def arrangement_accept(
    *,
    arrangement: PaymentArrangement,
    decided_by: AbstractBaseUser | None,
    instalments: Sequence[tuple[date, Decimal]] | None = None,
) -> PaymentArrangement:
    """Accept an arrangement under review, as proposed or with the schedule `instalments`.

    A changed schedule must add up to the total exactly, with positive amounts on dates that
    follow each other, none before today. Completes the review task (the response stays open:
    the arrangement now runs) and sends the debtor the schedule.
    """
    with transaction.atomic():
        arrangement = _locked_for_decision(arrangement)
        if arrangement.response.state != ResponseState.OPEN:
            raise ApplicationError(
                _("The response of this arrangement has been closed; it cannot be accepted.")
            )
        proposed = arrangement_proposal(arrangement)
        schedule = list(instalments) if instalments is not None else proposed
        schedule_check(schedule=schedule, total=arrangement.total)
        changed = schedule != proposed
        _accepted(
            arrangement=arrangement, schedule=schedule, decided_by=decided_by, changed=changed
        )
        _review_tasks_complete(
            arrangement=arrangement, decided_by=decided_by, outcome=_("Arrangement accepted.")
        )
    return arrangement


def arrangement_reject(
    *, arrangement: PaymentArrangement, decided_by: AbstractBaseUser | None, reason: str
) -> PaymentArrangement:
    """Reject an arrangement under review with a reason the debtor is sent. Completes the review
    task and closes the response, so its invoices are dunned again."""
    reason = (reason or "").strip()
    if not reason:
        message = _("Give the reason for rejecting the proposal; the debtor is told.")
        raise ApplicationError(message, errors=[FieldError("reason", message)])
    if len(reason) > REASON_LENGTH:
        message = _("Use at most %(limit)d characters.") % {"limit": REASON_LENGTH}
        raise ApplicationError(message, errors=[FieldError("reason", message)])
    with transaction.atomic():
        arrangement = _locked_for_decision(arrangement)
        arrangement.state = ArrangementState.REJECTED
        arrangement.rejection_reason = reason
        arrangement.decided_by = decided_by
        arrangement.decided_at = timezone.now()
        arrangement.save()
        outcome = _("Arrangement rejected: %(reason)s") % {"reason": reason}
        _review_tasks_complete(arrangement=arrangement, decided_by=decided_by, outcome=outcome)
        response = arrangement.response
        if response.state == ResponseState.OPEN:
            responses_closing.response_close(response=response, closed_by=decided_by, note=outcome)
        debtor_tell(
            arrangement=arrangement,
            kind=Kind.ARRANGEMENT_REJECTED,
            schedule=arrangement_proposal(arrangement),
            extra={"rejection_reason": reason},
        )
    return arrangement


def schedule_check(*, schedule: Sequence[tuple[date, Decimal]], total: Decimal) -> None:
    """Refuse (ApplicationError, field errors by row) a schedule that cannot be accepted."""
    if not schedule:
        message = _("Enter at least one instalment.")
        raise ApplicationError(message, errors=[FieldError("instalments", message)])
    errors = []
    today = timezone.localdate()
    horizon = add_months(today, HORIZON_MONTHS)
    previous = None
    for index, (due_date, amount) in enumerate(schedule):
        if amount <= ZERO or amount != amount.quantize(CENT):
            errors.append(
                FieldError("amount", _("Enter an amount above zero, in cents."), index=index)
            )
        if due_date < today:
            errors.append(FieldError("due_date", _("Choose today or a later date."), index=index))
        elif due_date > horizon:
            errors.append(
                FieldError(
                    "due_date", _("Choose a date at most ten years from today."), index=index
                )
            )
        elif previous is not None and due_date <= previous:
            errors.append(
                FieldError("due_date", _("Choose a date after the one above."), index=index)
            )
        previous = due_date
    if errors:
        raise ApplicationError(_("Some instalments need correcting."), errors=errors)
    added = sum((amount for _date, amount in schedule), ZERO)
    if added != total:
        message = _(
            "The instalments add up to %(added)s; they must add up to the total of %(total)s."
        ) % {"added": money(added), "total": money(total)}
        raise ApplicationError(message, errors=[FieldError("instalments", message)])


def _locked_for_decision(arrangement: PaymentArrangement) -> PaymentArrangement:
    locked = (
        PaymentArrangement.objects.select_for_update(of=("self",))
        .select_related("response", "debtor")
        .get(pk=arrangement.pk)
    )
    if refusal := arrangement_decided(locked):
        raise ApplicationError(refusal)
    return locked


def _accepted(
    *,
    arrangement: PaymentArrangement,
    schedule: Schedule,
    decided_by: AbstractBaseUser | None,
    changed: bool = False,
) -> None:
    arrangement.state = ArrangementState.ACCEPTED
    arrangement.decided_by = decided_by
    arrangement.decided_at = timezone.now()
    arrangement.save()
    Instalment.objects.bulk_create(
        Instalment(
            arrangement=arrangement,
            number=number,
            due_date=due_date,
            amount=amount,
            due_at=check_time(due_date, grace_days=arrangement.grace_days),
        )
        for number, (due_date, amount) in enumerate(schedule, start=1)
    )
    debtor_tell(
        arrangement=arrangement,
        kind=Kind.ARRANGEMENT_ACCEPTED,
        schedule=schedule,
        extra={"schedule_changed": changed},
    )


def _review_request(
    *, arrangement: PaymentArrangement, proposal: Proposal, invoices: list[Invoice]
) -> None:
    arrangement.state = ArrangementState.UNDER_REVIEW
    arrangement.save(update_fields=["state", "updated_at"])
    # The task says what it is; each employee reads it in their own language (worklist/texts.py).
    failures = [f for f in arrangement.policy_failures if isinstance(f, dict)]
    lines = [sentence(gettext_noop("The proposal is outside the arrangement policy:"))]
    lines += [layout("- %(text)s", text=failure_sentence(failure)) for failure in failures]
    lines += [
        "",
        sentence(gettext_noop("Proposal (total %(total)s):"), total=task_amount(arrangement.total)),
    ]
    lines += [
        sentence(
            gettext_noop("%(number)d. %(date)s: %(amount)s"),
            number=number,
            date=task_day(due_date),
            amount=task_amount(amount),
        )
        for number, (due_date, amount) in enumerate(proposal.schedule, start=1)
    ] or [sentence(gettext_noop("No schedule could be made from what the debtor entered."))]
    task_create(
        kind=TaskKind.ARRANGEMENT_REVIEW,
        params={"lines": lines},
        debtor=arrangement.debtor,
        due_date=timezone.localdate()
        + timedelta(days=arrangement.response.response_type.task_due_days),
        invoices=invoices,
        response=arrangement.response,
    )
    debtor_tell(
        arrangement=arrangement, kind=Kind.ARRANGEMENT_UNDER_REVIEW, schedule=proposal.schedule
    )


def _short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _review_tasks_complete(
    *, arrangement: PaymentArrangement, decided_by: AbstractBaseUser | None, outcome: str
) -> None:
    tasks = Task.objects.filter(
        response=arrangement.response_id,
        kind=TaskKind.ARRANGEMENT_REVIEW,
        state=TaskState.OPEN,
    )
    for task in tasks:
        task_complete(task=task, closed_by=decided_by, outcome=outcome, close_response=False)


def debtor_tell(
    *, arrangement: PaymentArrangement, kind: str, schedule: Schedule, extra: dict | None = None
) -> None:
    """Queue the message of `kind` to the debtor (`message_notify`: by e-mail, or by letter for
    a debtor without an e-mail address when the kind has a letter). A debtor we cannot write to
    is logged, and the arrangement goes on without the message."""
    message_notify(
        debtor=arrangement.debtor,
        kind=kind,
        invoices=list(arrangement.response.invoices.order_by("due_date", "number")),
        extra={
            "instalments": [
                (number, due_date, amount)
                for number, (due_date, amount) in enumerate(schedule, start=1)
            ],
            "arrangement_total": arrangement.total,
            **(extra or {}),
        },
        cause=f"arrangement:{arrangement.pk}",
        idempotency_key=f"{kind}:{arrangement.pk}",
    )
