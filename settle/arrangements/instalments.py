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
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from settle.arrangements.models import (
    ArrangementState,
    Instalment,
    InstalmentState,
    PaymentArrangement,
)
from settle.arrangements.services import arrangement_paid_amount
from settle.backoffice.templatetags.money import money
from settle.common.claims import claim_due, claim_finish
from settle.receivables.models import ZERO, Invoice
from settle.responses import services as responses_services
from settle.responses.models import OnBroken, ResponseState
from settle.worklist.models import TaskKind
from settle.worklist.services import task_create, tasks_close_for_response

logger = logging.getLogger(__name__)

CHECK_BATCH = 100
CHECK_LEASE = timedelta(minutes=5)


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
    for instalment in instalments:
        try:
            _instalment_check(instalment)
        except Exception:
            # The row keeps its lease and is tried again when that runs out.
            logger.exception("instalment %s: check failed", instalment.pk)
    return len(instalments)


def invoices_paid(*, invoices: Iterable[Invoice]) -> None:
    """Payment hook: mark instalments paid for the running arrangements of `invoices`, which a
    payment has just paid in full, and complete an arrangement that is paid in full.

    Runs in the payment's transaction. A failure here is logged and never refuses the payment:
    the worker's check at each instalment's due time reads the same open amounts anyway.
    """
    invoice_ids = [invoice.pk for invoice in invoices]
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
        responses_services.response_close(response=response, note=note)


def _defaulted(arrangement: PaymentArrangement, *, missed: Instalment, paid, now: datetime) -> None:
    Instalment.objects.filter(pk=missed.pk, state=InstalmentState.PENDING).update(
        state=InstalmentState.DEFAULTED, settled_at=now, updated_at=now
    )
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
            task_create(
                kind=TaskKind.ARRANGEMENT_DEFAULTED,
                title=str(TaskKind.ARRANGEMENT_DEFAULTED.label),
                description=note,
                debtor=arrangement.debtor,
                due_date=timezone.localdate(),
                invoices=list(response.invoices.all()),
                response=response,
            )
        elif response.state == ResponseState.OPEN:
            note = f"{note} {_('Dunning resumes.')}"
            responses_services.response_close(response=response, note=note)
