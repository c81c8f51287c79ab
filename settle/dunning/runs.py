"""Starting a dunning run, and reading how far it has come.

A run is made in one go, in one transaction: the selection (a queryset, possibly 100,000
invoices) is read once as plain values, grouped by debtor, and written as one item per debtor
with that debtor's invoices as lines, in bulk. What may not be dunned (excluded, held, nothing
open) is left out and counted by reason. The worker then works the items (`processing.py`).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError
from settle.correspondence.models import Message
from settle.dunning.models import (
    ActionGroup,
    DunningItemInvoice,
    DunningRun,
    DunningRunItem,
    DunningSchedule,
    ItemState,
    RunSource,
    RunState,
)
from settle.dunning.selectors import invoices_dunnable
from settle.receivables.models import Invoice

# Rows read from the selection per round trip, and rows written per INSERT.
READ_CHUNK = 2000
WRITE_BATCH = 1000


@dataclass(frozen=True)
class RunProgress:
    total: int
    pending: int
    sent: int
    skipped: int
    failed: int
    finished: bool

    @property
    def done(self) -> int:
        return self.total - self.pending

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done * 100 // self.total


def run_start(
    *,
    group: ActionGroup,
    invoices: QuerySet[Invoice],
    created_by: AbstractBaseUser | None = None,
    source: str = RunSource.MANUAL,
    filter_query: str = "",
    schedule: DunningSchedule | None = None,
    schedule_day: date | None = None,
) -> DunningRun:
    """Make a run of `group` over `invoices`: one item per debtor, due at once for the worker.

    A run that finds nothing to dun is made all the same, done at once with its skips counted:
    a scheduled day is then recorded as run. A second run for the same (schedule, day) fails
    on the database's unique constraint (IntegrityError), leaving nothing behind.
    """
    if group.archived_at is not None:
        raise ApplicationError(_("This action group is archived; choose another one."))
    if not group.actions.exists():
        raise ApplicationError(_("This action group has no actions yet."))
    now = timezone.now()
    rows = (
        invoices_dunnable(invoices.order_by())
        .order_by()
        .values_list("pk", "debtor_id", "dunning_skip_reason")
    )
    by_debtor: dict[int, list[int]] = defaultdict(list)
    skipped: Counter[str] = Counter()
    seen: set[int] = set()
    with transaction.atomic():
        # The run first: a duplicate (schedule, day) is refused before any work.
        run = DunningRun.objects.create(
            group=group,
            source=source,
            created_by=created_by,
            filter_query=filter_query,
            schedule=schedule,
            schedule_day=schedule_day,
        )
        for pk, debtor_id, reason in rows.iterator(chunk_size=READ_CHUNK):
            # A selection that joined to many rows (a filter on a relation) counts each once.
            if pk in seen:
                continue
            seen.add(pk)
            if reason:
                skipped[reason] += 1
            else:
                by_debtor[debtor_id].append(pk)
        items = DunningRunItem.objects.bulk_create(
            (DunningRunItem(run=run, debtor_id=debtor_id, due_at=now) for debtor_id in by_debtor),
            batch_size=WRITE_BATCH,
        )
        DunningItemInvoice.objects.bulk_create(
            (
                DunningItemInvoice(item_id=item.pk, invoice_id=invoice_id)
                for item in items
                for invoice_id in sorted(by_debtor[item.debtor_id])
            ),
            batch_size=WRITE_BATCH,
        )
        run.invoice_count = sum(len(ids) for ids in by_debtor.values())
        run.debtor_count = len(items)
        run.skipped = dict(sorted(skipped.items()))
        changed = ["invoice_count", "debtor_count", "skipped", "updated_at"]
        if not items:
            run.state, run.processed_at = RunState.DONE, now
            changed += ["state", "processed_at"]
        run.save(update_fields=changed)
    return run


def run_progress(*, run: DunningRun) -> RunProgress:
    """The items of a run by state, and whether the run is done (one query, for polling)."""
    counts = DunningRunItem.objects.filter(run=run).aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(state=ItemState.PENDING)),
        sent=Count("pk", filter=Q(state=ItemState.SENT)),
        skipped=Count("pk", filter=Q(state=ItemState.SKIPPED)),
        failed=Count("pk", filter=Q(state=ItemState.FAILED)),
    )
    return RunProgress(**counts, finished=counts["pending"] == 0)


def item_messages(*, item: DunningRunItem) -> QuerySet[Message]:
    """The messages an item's actions queued, in the order they were written."""
    return Message.objects.filter(
        idempotency_key__startswith=item_message_key_prefix(item)
    ).order_by("created_at", "pk")


def item_message_key_prefix(item: DunningRunItem) -> str:
    return f"dunning:{item.pk}:"


def item_message_key(*, item: DunningRunItem, action_pk: int) -> str:
    """One message per item and action, whoever works the item and however often."""
    return f"{item_message_key_prefix(item)}{action_pk}"
