"""The lease heartbeat: a live worker's renewals keep its batch; a crashed worker's batch is
free again one short lease after its last renewal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from settle.common.claims import DEFAULT_LEASE, Lease, claim_due
from settle.receivables.models import ImportJob, ImportState

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)


def queued():
    return ImportJob.objects.filter(state=ImportState.QUEUED)


@pytest.fixture
def batch():
    now = timezone.now()
    ImportJob.objects.bulk_create(
        ImportJob(kind="invoices", file="imports/x.csv", file_name="x.csv", due_at=now - SECOND)
        for _ in range(3)
    )
    rows = claim_due(queued(), limit=10, now=now)
    assert len(rows) == 3
    return now, rows


def test_it_frees_a_crashed_workers_rows_one_short_lease_after_the_claim(batch):
    claimed_at, _rows = batch

    assert timedelta(minutes=1) >= DEFAULT_LEASE
    assert claim_due(queued(), limit=10, now=claimed_at + DEFAULT_LEASE - SECOND) == []
    assert len(claim_due(queued(), limit=10, now=claimed_at + DEFAULT_LEASE + SECOND)) == 3


def test_it_keeps_the_rows_of_a_worker_that_renews_its_lease(batch):
    claimed_at, rows = batch
    lease = Lease.of(rows)

    # Beats every 20 s for five minutes; another worker looks just before each beat.
    for beat in range(1, 16):
        now = claimed_at + beat * timedelta(seconds=20)
        assert claim_due(queued(), limit=10, now=now - SECOND) == []
        assert lease.renew(now=now) == 3

    # Then the worker dies: a lease after its last beat, its rows are free.
    assert claim_due(queued(), limit=10, now=now + DEFAULT_LEASE - SECOND) == []
    assert len(claim_due(queued(), limit=10, now=now + DEFAULT_LEASE + SECOND)) == 3


def test_it_renews_only_once_a_quarter_of_the_lease_has_passed(batch):
    claimed_at, rows = batch
    lease = Lease.of(rows)

    assert lease.renew(now=claimed_at + DEFAULT_LEASE / 4 - SECOND) == 0
    assert lease.renew(now=claimed_at + DEFAULT_LEASE / 4) == 3
