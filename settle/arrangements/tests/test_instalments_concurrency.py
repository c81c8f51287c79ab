"""Two workers checking instalments at the same time, each on its own database connection:
every instalment changes state once, every arrangement defaults or completes once (on every
database); on PostgreSQL both workers also get a share of the rows."""

from datetime import date

import pytest
from django.db import connection

from settle.arrangements.instalments import instalments_process_due
from settle.arrangements.models import ArrangementState, Instalment, PaymentArrangement
from settle.arrangements.tests.factories import invoices_of, pay, propose
from settle.common.tests.threads import in_threads
from settle.receivables.tests.factories import DebtorFactory
from settle.responses.models import ResponseState
from settle.worklist.models import Task, TaskKind

pytestmark = pytest.mark.django_db(transaction=True)

PER_GROUP = 40


def worker() -> int:
    handled = 0
    while claimed := instalments_process_due():
        handled += claimed
    return handled


def test_two_workers_handle_each_due_instalment_once(travel, settings):
    # Without the payment hook every outcome is the workers' to find.
    settings.SETTLE_ON_PAYMENT_ALLOCATED = []
    travel(date(2026, 3, 2))
    groups: dict[str, list[PaymentArrangement]] = {"part": [], "none": [], "all": []}
    for group, arrangements in groups.items():
        for _ in range(PER_GROUP):
            debtor = DebtorFactory()
            arrangements.append(
                propose(
                    debtor, invoices_of(debtor, "300.00"), count=3, first_date=date(2026, 3, 10)
                )
            )
            if group != "none":
                pay(debtor, "200.00" if group == "part" else "300.00", day=date(2026, 3, 5))
    # A long outage: all three instalments of every arrangement are due.
    travel(date(2026, 6, 1))

    handled = in_threads(worker, worker)

    attempts = list(Instalment.objects.values_list("attempts", flat=True))
    assert max(attempts) == 1, "an instalment was claimed twice"
    assert sum(handled) == attempts.count(1)
    if connection.vendor == "postgresql":
        # Only PostgreSQL hands rows to both workers at once (SKIP LOCKED); SQLite has a single
        # writer, so one worker may take every batch while the other waits: correct, not split.
        assert all(handled), "one worker did everything"

    def outcome(arrangement):
        arrangement.refresh_from_db()
        return arrangement.state, tuple(arrangement.instalments.values_list("state", flat=True))

    assert {outcome(a) for a in groups["part"]} == {
        (ArrangementState.DEFAULTED, ("paid", "paid", "defaulted"))
    }
    assert {outcome(a) for a in groups["none"]} == {
        (ArrangementState.DEFAULTED, ("defaulted", "cancelled", "cancelled"))
    }
    assert {outcome(a) for a in groups["all"]} == {
        (ArrangementState.COMPLETED, ("paid", "paid", "paid"))
    }
    defaulted_tasks = Task.objects.filter(kind=TaskKind.ARRANGEMENT_DEFAULTED)
    assert defaulted_tasks.count() == 2 * PER_GROUP
    assert defaulted_tasks.values("response").distinct().count() == 2 * PER_GROUP
    completed = [a.response_id for a in groups["all"]]
    assert set(
        PaymentArrangement.objects.filter(response__in=completed).values_list(
            "response__state", flat=True
        )
    ) == {ResponseState.CLOSED}
    assert not Instalment.objects.filter(lease_token__isnull=False).exists()
