"""The worker's side of a dunning run: each item (one debtor) is claimed and worked once.

An item is worked in one transaction: its invoices are checked again as its batch is claimed
(paid, held or excluded since the run was made are left out), every action of the group is
done for the invoices that remain — one consolidated message per action, queued in the outbox
— the resulting collection statuses are set, and the item is finished with `claim_finish`. If
the lease was lost meanwhile the transaction is rolled back, so the worker that took the item
over is the only one whose work counts. The messages' idempotency keys
(`dunning:<item>:<action>`) make a second pass return the messages already queued instead of
writing new ones, so a crash anywhere sends nothing twice.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from settle.common.claims import DEFAULT_LEASE, Lease, claim_due, claim_finish
from settle.common.dates import organisation_today
from settle.common.errors import ApplicationError
from settle.correspondence.models import MessageStatus
from settle.correspondence.services import message_send
from settle.dunning.channels import FOURTEEN_DAY_LETTER, MESSAGE_ACTION_TYPES, action_channel
from settle.dunning.costs import interest_rates, message_cost_values
from settle.dunning.models import (
    Action,
    ActionType,
    DunningItemInvoice,
    DunningRun,
    DunningRunItem,
    ItemState,
    RunState,
)
from settle.dunning.runs import item_message_key
from settle.dunning.selectors import SKIP_REASONS, invoices_dunnable
from settle.receivables.models import Debtor, DebtorKind, Invoice
from settle.receivables.services.invoices import invoice_collection_status_set

logger = logging.getLogger(__name__)

ITEM_BATCH = 100
ITEM_LEASE = DEFAULT_LEASE
# An item that raises is tried again when its lease runs out; after this many attempts it is
# given up as FAILED with the error, so one broken debtor cannot hold a run open for ever.
MAX_ATTEMPTS = 5
CAUSE = "dunning"
# A consumer-only action met by a business debtor (the statutory 14-day letter).
NOT_CONSUMER = "not_consumer"
RENDER_FAILED = "render_failed"
ERROR = "error"

# The template an action without one uses.
DEFAULT_KIND = {
    ActionType.INVITATION: "portal_invitation",
    ActionType.FOURTEEN_DAY_LETTER: FOURTEEN_DAY_LETTER,
}


class LeaseLost(Exception):
    """Another worker took the item over; this worker's work on it is rolled back."""


@dataclass
class Batch:
    """What the items of one claimed batch share, read once."""

    runs: dict[int, DunningRun]
    debtors: dict[int, Debtor]
    actions: dict[int, list[Action]]
    # Each item's lines as (line pk, invoice pk), and the invoices as they are now, with the
    # reason a run would skip each ("" if none).
    lines: dict[int, list[tuple[int, int]]]
    invoices: dict[int, Invoice]
    skip_reasons: dict[int, str]
    today: date
    rates: list


def items_process_due() -> int:
    """Claim a batch of due items and work each; return how many were claimed."""
    items = claim_due(
        DunningRunItem.objects.filter(state=ItemState.PENDING), limit=ITEM_BATCH, lease=ITEM_LEASE
    )
    if not items:
        # A worker that died between an item's last commit and marking its run done left the
        # run open with nothing pending; an idle round closes it.
        runs_finish_done()
        return 0
    lease = Lease.of(items, length=ITEM_LEASE)
    batch = _batch(items)
    for item in items:
        # The heartbeat: a long batch keeps its rows; a crash frees them within ITEM_LEASE.
        lease.renew()
        try:
            with override(settings.LANGUAGE_CODE):
                _item_work(item, batch)
        except LeaseLost:
            logger.warning("dunning item %s: lease lost to another worker", item.pk)
        except Exception as exc:
            logger.exception("dunning item %s: attempt %d failed", item.pk, item.attempts)
            if item.attempts >= MAX_ATTEMPTS:
                claim_finish(
                    item,
                    state=ItemState.FAILED,
                    reason=ERROR,
                    detail=f"{type(exc).__name__}: {exc}"[:2000],
                    processed_at=timezone.now(),
                )
            # Otherwise the row keeps its lease and is tried again when that runs out.
    for run_id in {item.run_id for item in items}:
        run_finish_if_done(run_id=run_id)
    return len(items)


def run_finish_if_done(*, run_id: int) -> bool:
    """Mark the run done once no item is pending; True if this call did. One conditional
    UPDATE: of two workers finishing the last items together, the later one sees both
    committed, and marking done twice is not possible."""
    return bool(_runs_done(DunningRun.objects.filter(pk=run_id)))


def runs_finish_done() -> int:
    """Mark done every running run that has nothing pending; return how many."""
    return _runs_done(DunningRun.objects.all())


def _runs_done(runs) -> int:
    now = timezone.now()
    pending = DunningRunItem.objects.filter(run_id=OuterRef("pk"), state=ItemState.PENDING)
    return (
        runs.filter(state=RunState.RUNNING)
        .exclude(Exists(pending))
        .update(state=RunState.DONE, processed_at=now, updated_at=now)
    )


def _batch(items: list[DunningRunItem]) -> Batch:
    runs = DunningRun.objects.select_related("created_by").in_bulk({i.run_id for i in items})
    actions: dict[int, list[Action]] = {}
    for action in Action.objects.filter(
        group_id__in={run.group_id for run in runs.values()}
    ).select_related("resulting_status"):
        actions.setdefault(action.group_id, []).append(action)
    debtors = Debtor.objects.in_bulk({i.debtor_id for i in items})
    lines: dict[int, list[tuple[int, int]]] = {}
    for pk, item_id, invoice_id in DunningItemInvoice.objects.filter(
        item_id__in=[i.pk for i in items]
    ).values_list("pk", "item_id", "invoice_id"):
        lines.setdefault(item_id, []).append((pk, invoice_id))
    # By subquery, not a list of ids: a debtor with thousands of invoices stays one query.
    selected = Invoice.objects.filter(
        pk__in=DunningItemInvoice.objects.filter(item_id__in=[i.pk for i in items]).values(
            "invoice_id"
        )
    )
    # Checked again now, as the batch is claimed: what was paid, held or excluded since the
    # run was made is left out. Only the reasons are computed (not the overview's columns).
    skip_reasons = dict(
        invoices_dunnable(selected).order_by().values_list("pk", "dunning_skip_reason")
    )
    return Batch(
        runs=runs,
        debtors=debtors,
        actions=actions,
        lines=lines,
        invoices={invoice.pk: invoice for invoice in selected.order_by()},
        skip_reasons=skip_reasons,
        today=organisation_today(),
        rates=interest_rates(),
    )


def _item_work(item: DunningRunItem, batch: Batch) -> None:
    run = batch.runs[item.run_id]
    now = timezone.now()
    with transaction.atomic():
        debtor = batch.debtors[item.debtor_id]
        skipped: dict[int, str] = {}
        remaining: list[Invoice] = []
        for line_pk, invoice_id in batch.lines.get(item.pk, []):
            if reason := batch.skip_reasons[invoice_id]:
                skipped[line_pk] = reason
            else:
                remaining.append(batch.invoices[invoice_id])
        remaining.sort(key=lambda invoice: (invoice.due_date, invoice.number))
        outcome = (
            _actions_do(item=item, run=run, debtor=debtor, invoices=remaining, batch=batch)
            if remaining
            else _Outcome(done=False, reasons=list(skipped.values()), detail="")
        )
        for reason, line_ids in _by_reason(skipped).items():
            DunningItemInvoice.objects.filter(pk__in=line_ids).update(skipped_reason=reason)
        if outcome.failed:
            changes = {"state": ItemState.FAILED, "reason": RENDER_FAILED}
        elif outcome.done:
            DunningItemInvoice.objects.filter(
                item=item, invoice_id__in=[invoice.pk for invoice in remaining]
            ).update(processed_at=now)
            changes = {"state": ItemState.SENT, "reason": ""}
        else:
            changes = {"state": ItemState.SKIPPED, "reason": _most_common(outcome.reasons)}
        if not claim_finish(item, detail=outcome.detail, processed_at=now, **changes):
            raise LeaseLost


@dataclass
class _Outcome:
    done: bool
    reasons: list[str]
    detail: str
    failed: bool = False


def _actions_do(*, item, run, debtor, invoices: list[Invoice], batch: Batch) -> _Outcome:
    """Do the group's actions in order for `invoices`; an action the debtor cannot receive is
    passed over (the reason kept), the others are done and set their resulting status."""
    done, reasons, notes = False, [], []
    ids = [invoice.pk for invoice in invoices]
    for action in batch.actions.get(run.group_id, []):
        if action.action_type in MESSAGE_ACTION_TYPES:
            if action.action_type == ActionType.FOURTEEN_DAY_LETTER and (
                debtor.kind != DebtorKind.CONSUMER
            ):
                # The statutory letter and its costs are for consumers only.
                reasons.append(NOT_CONSUMER)
                notes.append(f"{action.name}: {_('Only consumers get the 14-day letter.')}")
                continue
            channel = action_channel(action=action, debtor=debtor)
            if channel is None:
                reasons.append("no_address")
                notes.append(f"{action.name}: {SKIP_REASONS['no_address']}")
                continue
            kind = action.message_kind or DEFAULT_KIND.get(action.action_type, "reminder_1")
            try:
                message = message_send(
                    kind=kind,
                    channel=channel,
                    debtor=debtor,
                    cause=CAUSE,
                    idempotency_key=item_message_key(item=item, action_pk=action.pk),
                    invoices=invoices,
                    extra=message_cost_values(
                        debtor=debtor,
                        invoices=invoices,
                        kind=kind,
                        today=batch.today,
                        rates=batch.rates,
                    ),
                    created_by=run.created_by,
                )
            except ApplicationError as exc:
                # An address the channel refuses (a landline for an SMS, say): as no address.
                reasons.append("no_address")
                notes.append(f"{action.name}: {exc.message}")
                continue
            if message.status == MessageStatus.FAILED:
                # Its template cannot be written for this debtor; trying again writes nothing.
                notes.append(f"{action.name}: {message.last_error}")
                return _Outcome(done=done, reasons=reasons, detail="\n".join(notes), failed=True)
        if action.resulting_status_id:
            invoice_collection_status_set(invoice_ids=ids, status=action.resulting_status)
        done = True
    return _Outcome(done=done, reasons=reasons, detail="\n".join(notes))


def _by_reason(skipped: dict[int, str]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for line_id, reason in skipped.items():
        grouped.setdefault(reason, []).append(line_id)
    return grouped


def _most_common(reasons: list[str]) -> str:
    return Counter(reasons).most_common(1)[0][0] if reasons else ""
