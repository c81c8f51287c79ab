"""The claiming helper under real concurrency: threads with their own database connections."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from settle.common.claims import claim_due, claim_extend, claim_finish
from settle.common.tests.threads import in_threads
from settle.receivables.models import ImportJob, ImportState

pytestmark = pytest.mark.django_db(transaction=True)

LEASE = timedelta(minutes=5)


def due_rows(count: int, *, due_at=None) -> list[int]:
    due_at = due_at or timezone.now() - timedelta(minutes=1)
    ImportJob.objects.bulk_create(
        ImportJob(kind="invoices", file="imports/x.csv", file_name="x.csv", due_at=due_at)
        for _ in range(count)
    )
    return list(ImportJob.objects.values_list("pk", flat=True))


def queued():
    return ImportJob.objects.filter(state=ImportState.QUEUED)


def claim_until_empty(limit: int) -> Callable[[], list[int]]:
    def work() -> list[int]:
        claimed: list[int] = []
        while rows := claim_due(queued(), limit=limit, lease=LEASE):
            claimed.extend(row.pk for row in rows)
        return claimed

    return work


def test_it_never_hands_one_row_to_two_concurrent_workers():
    pks = due_rows(200)

    claims = in_threads(*(claim_until_empty(limit=7) for _ in range(4)))

    together = [pk for claimed in claims for pk in claimed]
    assert len(together) == len(set(together)), "a row was claimed twice"
    assert sorted(together) == sorted(pks)
    assert set(ImportJob.objects.values_list("attempts", flat=True)) == {1}


def test_it_claims_at_most_the_limit_oldest_due_first():
    now = timezone.now()
    late = due_rows(1, due_at=now - timedelta(minutes=1))
    early = [pk for pk in due_rows(1, due_at=now - timedelta(hours=1)) if pk not in late]

    [row] = claim_due(queued(), limit=1, lease=LEASE, now=now)

    assert row.pk == early[0]
    assert row.attempts == 1
    assert row.leased_until == now + LEASE


def test_it_gives_a_row_whose_worker_died_to_another_worker():
    due_rows(3)
    then = timezone.now()
    first = claim_due(queued(), limit=10, lease=LEASE, now=then)

    # The first worker died; once its lease has run out, another worker takes the rows.
    [second] = in_threads(
        lambda: claim_due(queued(), limit=10, lease=LEASE, now=then + LEASE + timedelta(seconds=1))
    )

    assert sorted(row.pk for row in second) == sorted(row.pk for row in first)
    assert {row.attempts for row in second} == {2}
    assert {row.lease_token for row in second}.isdisjoint({row.lease_token for row in first})


def test_it_does_not_take_a_row_whose_lease_still_runs():
    due_rows(3)
    then = timezone.now()
    claim_due(queued(), limit=10, lease=LEASE, now=then)

    [second] = in_threads(
        lambda: claim_due(queued(), limit=10, lease=LEASE, now=then + LEASE - timedelta(seconds=1))
    )

    assert second == []


def test_it_does_not_claim_rows_before_they_are_due():
    due_rows(2, due_at=timezone.now() + timedelta(minutes=10))

    assert claim_due(queued(), limit=10, lease=LEASE) == []
    assert set(ImportJob.objects.values_list("attempts", flat=True)) == {0}


def test_it_drops_the_outcome_of_a_worker_that_lost_its_lease():
    due_rows(1)
    then = timezone.now()
    [stale] = claim_due(queued(), limit=1, lease=LEASE, now=then)
    [current] = in_threads(
        lambda: claim_due(queued(), limit=1, lease=LEASE, now=then + LEASE + timedelta(seconds=1))
    )
    [current_row] = current

    assert claim_finish(stale, state=ImportState.DONE, created_count=99) is False
    assert claim_extend(stale) is False

    row = ImportJob.objects.get()
    assert (row.state, row.created_count) == (ImportState.QUEUED, 0)
    assert row.lease_token == current_row.lease_token
    assert claim_finish(current_row, state=ImportState.DONE, created_count=5) is True
    row.refresh_from_db()
    assert (row.state, row.created_count, row.lease_token) == (ImportState.DONE, 5, None)


def test_it_renews_a_lease_that_is_still_its_own():
    then = timezone.now() - timedelta(minutes=4)
    due_rows(1, due_at=then)
    [row] = claim_due(queued(), limit=1, lease=LEASE, now=then)

    assert claim_extend(row, lease=LEASE) is True

    # Past the first lease, but within the renewed one: nobody else may take it.
    assert claim_due(queued(), limit=1, lease=LEASE, now=then + LEASE + timedelta(seconds=1)) == []


def test_it_lets_a_finished_row_be_claimed_again_only_if_the_query_still_wants_it():
    due_rows(1)
    [row] = claim_due(queued(), limit=1, lease=LEASE)
    claim_finish(row, state=ImportState.DONE)

    assert claim_due(queued(), limit=1, lease=LEASE) == []
