"""Following a running arrangement: each instalment is checked at its due time by the worker,
and payments mark instalments paid as the money arrives.

Whoever looks at an arrangement (the worker for a due instalment, the payment hook) settles all
of it at once, under a lock on the arrangement: every pending instalment that the money paid so
far covers is paid; the first one that is due and not covered defaults the arrangement. Each
instalment therefore changes state once, and an arrangement defaults or completes once, however
many workers run and in whatever order their claimed rows come.
"""

import logging
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from settle.arrangements.models import (
    ArrangementState,
    Instalment,
    InstalmentState,
    PaymentArrangement,
)
from settle.arrangements.selectors import arrangement_paid_amount
from settle.arrangements.services import REASON_LENGTH, debtor_tell
from settle.common.claims import DEFAULT_LEASE, Lease, claim_due, claim_finish
from settle.common.errors import ApplicationError, FieldError
from settle.common.money import money
from settle.correspondence.kinds import Kind
from settle.receivables.models import ZERO, Invoice
from settle.responses import closing as responses_closing
from settle.responses.models import OnBroken, ResponseState
from settle.worklist.models import TaskKind
from settle.worklist.services import task_create, tasks_close_for_response
from settle.worklist.texts import amount as task_amount
from settle.worklist.texts import day as task_day
from settle.worklist.texts import sentence

logger = logging.getLogger(__name__)

CHECK_BATCH = 100
CHECK_LEASE = DEFAULT_LEASE


def instalments_process_due() -> int:
    """Claim a batch of due instalments of running arrangements and check each; return how many
    were claimed. An instalment that a payment settled before its turn is passed over."""
    instalments = claim_due(
        Instalment.objects.filter(
            state=InstalmentState.PENDING, arrangement__state=ArrangementState.ACCEPTED
        ),
        limit=CHECK_BATCH,
        lease=CHECK_LEASE,
    )
    lease = Lease.of(instalments, length=CHECK_LEASE)
    for instalment in instalments:
        # The heartbeat: a long batch keeps its rows; a crash frees them within CHECK_LEASE.
        lease.renew()
        try:
            _instalment_check(instalment)
        except Exception:
            # The row keeps its lease and is tried again when that runs out.
            logger.exception("instalment %s: check failed", instalment.pk)
    return len(instalments)


def payment_allocated(*, allocations: Iterable[tuple[Invoice, Decimal]]) -> None:
    """Payment hook (settings.SETTLE_ON_PAYMENT_ALLOCATED): mark instalments paid for the running
    arrangements of the invoices a payment has just reached, and complete an arrangement that
    is paid in full. An instalment counts as paid once all money paid towards the arrangement's
    invoices covers it and those before it, even while an invoice is still partly open.

    Runs in the payment's transaction. A failure here is logged and never refuses the payment:
    the worker's check at each instalment's due time reads the same open amounts anyway.
    """
    invoice_ids = [invoice.pk for invoice, _amount in allocations]
    arrangement_ids = sorted(
        set(
            PaymentArrangement.objects.filter(
                state=ArrangementState.ACCEPTED, response__invoices__in=invoice_ids
            ).values_list("pk", flat=True)
        )
    )
    for pk in arrangement_ids:
        try:
            with transaction.atomic():
                arrangement = _locked(pk, with_invoices=False)
                if arrangement.state == ArrangementState.ACCEPTED:
                    _arrangement_settle(arrangement, now=timezone.now(), may_default=False)
        except Exception:
            logger.exception("arrangement %s: payment not applied to its instalments", pk)


def arrangement_end(
    *, arrangement: PaymentArrangement, ended_by: AbstractBaseUser | None, reason: str
) -> PaymentArrangement:
    """End a running arrangement early (the debtor asked to), with a reason the debtor is sent.

    Its pending instalments are cancelled, its open tasks closed and its response closed, so
    the invoices' remaining open amounts are dunned again, as after a completed or defaulted
    arrangement (with "resume dunning"): nothing holds them any more. What has been paid
    stays booked. An arrangement that is not running (under review, completed, defaulted,
    ended meanwhile by someone else) is refused with the reason.
    """
    reason = (reason or "").strip()
    if not reason:
        message = _("Give the reason for ending the arrangement; the debtor is told.")
        raise ApplicationError(message, errors=[FieldError("reason", message)])
    if len(reason) > REASON_LENGTH:
        message = _("Use at most %(limit)d characters.") % {"limit": REASON_LENGTH}
        raise ApplicationError(message, errors=[FieldError("reason", message)])
    now = timezone.now()
    with transaction.atomic():
        arrangement = _locked(arrangement.pk, with_invoices=True)
        if arrangement.state != ArrangementState.ACCEPTED:
            raise ApplicationError(
                _("Only a running arrangement can be ended; this one is %(state)s.")
                % {"state": arrangement.get_state_display().lower()}
            )
        paid = arrangement_paid_amount(arrangement)
        _later_cancel(arrangement, now=now)
        arrangement.state = ArrangementState.ENDED
        arrangement.ended_at = now
        arrangement.ended_by = ended_by
        arrangement.end_reason = reason
        arrangement.save(
            update_fields=["state", "ended_at", "ended_by", "end_reason", "updated_at"]
        )
        response = arrangement.response
        with override(settings.LANGUAGE_CODE):
            note = _("Arrangement ended early: %(reason)s Dunning resumes.") % {"reason": reason}
        tasks_close_for_response(response=response, outcome=note)
        if response.state == ResponseState.OPEN:
            responses_closing.response_close(response=response, closed_by=ended_by, note=note)
        debtor_tell(
            arrangement=arrangement,
            kind=Kind.ARRANGEMENT_ENDED,
            schedule=[(row.due_date, row.amount) for row in arrangement.instalments.all()],
            extra={"end_reason": reason, "arrangement_paid": paid},
        )
    return arrangement


def _instalment_check(instalment: Instalment) -> None:
    now = timezone.now()
    with transaction.atomic():
        arrangement = _locked(instalment.arrangement_id, with_invoices=True)
        if not claim_finish(instalment):
            logger.warning("instalment %s: lease lost to another worker", instalment.pk)
            return
        state = Instalment.objects.values_list("state", flat=True).get(pk=instalment.pk)
        if state == InstalmentState.PENDING and arrangement.state == ArrangementState.ACCEPTED:
            _arrangement_settle(arrangement, now=now, may_default=True)


def _locked(pk: int, *, with_invoices: bool) -> PaymentArrangement:
    """The arrangement, locked. The worker first locks its invoices, in the order a payment
    locks them and before the arrangement, as a payment does: it reads open amounts that no
    payment is changing, and a payment and a check cannot deadlock."""
    if with_invoices:
        ids = list(Invoice.objects.filter(responses__arrangement=pk).values_list("pk", flat=True))
        list(Invoice.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    return (
        PaymentArrangement.objects.select_for_update(of=("self",))
        .select_related("response", "debtor")
        .get(pk=pk)
    )


def _arrangement_settle(arrangement: PaymentArrangement, *, now: datetime, may_default: bool):
    paid = arrangement_paid_amount(arrangement)
    covered = ZERO
    newly_paid: list[int] = []
    missed = None
    for instalment in arrangement.instalments.order_by("number"):
        covered += instalment.amount
        if instalment.state != InstalmentState.PENDING:
            continue
        if covered <= paid:
            newly_paid.append(instalment.pk)
            continue
        if may_default and instalment.due_at <= now:
            missed = instalment
        break
    Instalment.objects.filter(pk__in=newly_paid, state=InstalmentState.PENDING).update(
        state=InstalmentState.PAID, settled_at=now, updated_at=now
    )
    if paid >= arrangement.total:
        _completed(arrangement, now=now)
    elif missed is not None:
        _defaulted(arrangement, missed=missed, paid=paid, now=now)


def _completed(arrangement: PaymentArrangement, *, now: datetime) -> None:
    arrangement.state = ArrangementState.COMPLETED
    arrangement.ended_at = now
    arrangement.save(update_fields=["state", "ended_at", "updated_at"])
    response = arrangement.response
    with override(settings.LANGUAGE_CODE):
        note = _("All instalments of the arrangement have been paid.")
    tasks_close_for_response(response=response, outcome=note)
    if response.state == ResponseState.OPEN:
        responses_closing.response_close(response=response, note=note)


def _later_cancel(arrangement: PaymentArrangement, *, now: datetime) -> None:
    """Cancel what is still pending of an arrangement that has ended: nothing is due under it
    any more, and the worker must not pass over those rows on every round."""
    Instalment.objects.filter(arrangement=arrangement, state=InstalmentState.PENDING).update(
        state=InstalmentState.CANCELLED, settled_at=now, updated_at=now
    )


def _defaulted(arrangement: PaymentArrangement, *, missed: Instalment, paid, now: datetime) -> None:
    Instalment.objects.filter(pk=missed.pk, state=InstalmentState.PENDING).update(
        state=InstalmentState.DEFAULTED, settled_at=now, updated_at=now
    )
    _later_cancel(arrangement, now=now)
    arrangement.state = ArrangementState.DEFAULTED
    arrangement.ended_at = now
    arrangement.save(update_fields=["state", "ended_at", "updated_at"])
    response = arrangement.response
    with override(settings.LANGUAGE_CODE):
        note = _(
            "Instalment %(number)d of %(amount)s, due %(date)s, was not paid. "
            "Paid so far: %(paid)s of %(total)s."
        ) % {
            "number": missed.number,
            "amount": money(missed.amount),
            "date": date_format(missed.due_date, "SHORT_DATE_FORMAT"),
            "paid": money(paid),
            "total": money(arrangement.total),
        }
        if arrangement.on_broken == OnBroken.TASK:
            unpaid = sentence(
                gettext_noop(
                    "Instalment %(number)d of %(amount)s, due %(date)s, was not paid. "
                    "Paid so far: %(paid)s of %(total)s."
                ),
                number=missed.number,
                amount=task_amount(missed.amount),
                date=task_day(missed.due_date),
                paid=task_amount(paid),
                total=task_amount(arrangement.total),
            )
            task_create(
                kind=TaskKind.ARRANGEMENT_DEFAULTED,
                params={"lines": [unpaid]},
                debtor=arrangement.debtor,
                due_date=timezone.localdate(),
                invoices=list(response.invoices.all()),
                response=response,
            )
        elif response.state == ResponseState.OPEN:
            note = f"{note} {_('Dunning resumes.')}"
            responses_closing.response_close(response=response, note=note)
