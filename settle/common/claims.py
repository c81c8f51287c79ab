"""Claiming due rows for workers: each row goes to exactly one worker at a time.

On PostgreSQL a batch is picked with `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent workers
pass over each other's rows instead of waiting, and is stamped with a lease. Where the database
has no SKIP LOCKED (SQLite, which serialises writers anyway) one conditional UPDATE does the
same. A worker that dies leaves its lease behind; once it runs out, the row is due again.

The lease is short (DEFAULT_LEASE), so a crashed worker's rows are taken over within about a
minute; a live worker working through a long batch renews it as it goes (`Lease.renew`, between
the rows), so that nobody takes over rows it is still working on.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.db import connections, router, transaction
from django.db.models import F, Q, QuerySet, Subquery
from django.utils import timezone

from settle.common.models import DueRow

Row = TypeVar("Row", bound=DueRow)

# Long enough for one row's work (an SMTP hand-over gives up after EMAIL_TIMEOUT, 30 s), short
# enough that a crash delays the rows of a batch by about a minute.
DEFAULT_LEASE = timedelta(seconds=60)


def claim_due(
    queryset: QuerySet[Row],
    *,
    limit: int,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> list[Row]:
    """Lease up to `limit` rows of `queryset` that are due and not leased by a live worker.

    The caller's queryset says which states count as work; this adds the due time and the lease.
    Every claim counts as an attempt. Returns the claimed rows, oldest due first.
    """
    now = now or timezone.now()
    model = queryset.model
    alias = router.db_for_write(model)
    token = uuid.uuid4()
    available = (
        queryset.using(alias)
        .filter(due_at__lte=now)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .order_by("due_at", "pk")
    )
    stamp = {"leased_until": now + lease, "lease_token": token, "attempts": F("attempts") + 1}
    if connections[alias].features.has_select_for_update_skip_locked:
        with transaction.atomic(using=alias):
            ids = list(
                available.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit]
            )
            if ids:
                model._default_manager.using(alias).filter(pk__in=ids).update(**stamp)
    else:
        picked = Subquery(available.values("pk")[:limit])
        available.filter(pk__in=picked).update(**stamp)
    return list(
        model._default_manager.using(alias).filter(lease_token=token).order_by("due_at", "pk")
    )


def claim_finish(row: DueRow, **changes) -> bool:
    """Record the outcome of a claimed row and release its lease.

    Succeeds only while the row's lease is still this worker's; False means another worker took
    the row over after the lease ran out, and this worker's outcome must be dropped.
    """
    updated = (
        type(row)
        ._default_manager.filter(pk=row.pk, lease_token=row.lease_token)
        .update(leased_until=None, lease_token=None, **changes)
    )
    return updated == 1


def claim_extend(row: DueRow, *, lease: timedelta = DEFAULT_LEASE) -> bool:
    """Renew the lease of a row that takes long to work (e.g. a large import), if still ours."""
    until = timezone.now() + lease
    updated = (
        type(row)
        ._default_manager.filter(pk=row.pk, lease_token=row.lease_token)
        .update(leased_until=until)
    )
    if updated:
        row.leased_until = until
    return updated == 1


@dataclass
class Lease:
    """The lease on one claimed batch, renewed by the live worker while it works through it.

    `renew()` is the heartbeat: called before each row, it pushes `leased_until` of the batch's
    rows that still carry its token a full lease ahead, once a quarter of the lease has passed
    since the last renewal. So each row starts with at least three quarters of a lease to run,
    and the rows of a worker that stops renewing (it crashed) are free within one lease.
    """

    model: type[DueRow]
    alias: str
    token: uuid.UUID
    length: timedelta
    renewed_at: datetime

    @classmethod
    def of(cls, rows: list[Row], *, length: timedelta = DEFAULT_LEASE) -> "Lease | None":
        """The lease of a batch that `claim_due` returned with this `length` (None if empty)."""
        if not rows:
            return None
        first = rows[0]
        return cls(
            model=type(first),
            alias=first._state.db or router.db_for_write(type(first)),
            token=first.lease_token,
            length=length,
            renewed_at=first.leased_until - length,
        )

    def renew(self, *, now: datetime | None = None) -> int:
        """Extend the lease of the batch's unfinished rows if it is due; return rows renewed."""
        now = now or timezone.now()
        if now - self.renewed_at < self.length / 4:
            return 0
        renewed = (
            self.model._default_manager.using(self.alias)
            .filter(lease_token=self.token)
            .update(leased_until=now + self.length)
        )
        self.renewed_at = now
        return renewed
