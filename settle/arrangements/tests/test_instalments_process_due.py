"""Running arrangements through time: each instalment checked at its due date plus the grace
days, paid or defaulted; the arrangement completes when all is paid."""

from datetime import date, datetime

import pytest
from django.utils import translation

from settle.arrangements.instalments import instalments_process_due, payment_allocated
from settle.arrangements.models import ArrangementState, Instalment
from settle.arrangements.tests.factories import (
    AMSTERDAM,
    arrangement_type,
    invoices_of,
    pay,
    propose,
)
from settle.responses.models import ResponseState
from settle.responses.selectors import invoices_excluded_from_dunning
from settle.worklist.models import Task, TaskKind, TaskState

pytestmark = pytest.mark.django_db

PROPOSED = date(2026, 3, 2)
FIRST = date(2026, 3, 10)
# Each instalment is checked at the start of its due date plus the two grace days.
CHECKS = [date(2026, 3, 12), date(2026, 4, 12), date(2026, 5, 12)]


@pytest.fixture
def running(alice, travel):
    """Alice's arrangement of € 300 in three instalments of € 100, accepted on 2 March."""
    travel(PROPOSED)
    arrangement = propose(alice, invoices_of(alice, "300.00"), count=3, first_date=FIRST)
    assert arrangement.state == ArrangementState.ACCEPTED
    return arrangement


def states(arrangement) -> list[str]:
    return list(arrangement.instalments.order_by("number").values_list("state", flat=True))


def reloaded(arrangement):
    arrangement.refresh_from_db()
    arrangement.response.refresh_from_db()
    return arrangement


def test_it_checks_nothing_before_the_check_is_due(running, travel):
    travel(datetime(2026, 3, 11, 23, 59, tzinfo=AMSTERDAM))

    assert instalments_process_due() == 0
    assert states(running) == ["pending"] * 3


def test_it_follows_an_arrangement_paid_instalment_by_instalment_to_completion(
    alice, running, travel
):
    # Each part payment pays its instalment at once: the checks find nothing left to do.
    travel(date(2026, 3, 9))
    pay(alice, "100.00")
    assert states(running) == ["paid", "pending", "pending"]
    travel(CHECKS[0])
    assert instalments_process_due() == 0

    travel(date(2026, 4, 10))
    pay(alice, "100.00")
    assert states(running) == ["paid", "paid", "pending"]
    travel(CHECKS[1])
    assert instalments_process_due() == 0

    # The last payment pays the invoice in full: the payment itself settles the arrangement.
    travel(date(2026, 5, 8))
    pay(alice, "100.00")
    assert states(running) == ["paid"] * 3
    assert reloaded(running).state == ArrangementState.COMPLETED
    assert running.response.state == ResponseState.CLOSED
    assert running.ended_at is not None

    travel(CHECKS[2])
    assert instalments_process_due() == 0
    assert not Task.objects.exists()


def test_it_completes_at_a_check_without_the_payment_hook(alice, running, travel, settings):
    settings.SETTLE_ON_PAYMENT_ALLOCATED = []
    travel(date(2026, 3, 9))
    pay(alice, "300.00")
    assert states(running) == ["pending"] * 3

    travel(CHECKS[0])
    assert instalments_process_due() == 1

    assert states(running) == ["paid"] * 3
    assert reloaded(running).state == ArrangementState.COMPLETED
    assert running.response.state == ResponseState.CLOSED
    travel(CHECKS[2])
    assert instalments_process_due() == 0


def test_it_settles_a_payment_once_however_often_the_hook_is_called(alice, running, travel):
    travel(date(2026, 3, 9))
    pay(alice, "300.00")
    completed_at = reloaded(running).ended_at

    payment_allocated(allocations=[(i, i.amount) for i in running.response.invoices.all()])
    payment_allocated(allocations=[(i, i.amount) for i in running.response.invoices.all()])

    assert states(running) == ["paid"] * 3
    assert reloaded(running).state == ArrangementState.COMPLETED
    assert running.ended_at == completed_at


def test_it_marks_instalments_paid_as_the_money_arrives(alice, travel):
    travel(PROPOSED)
    invoices = invoices_of(alice, "100.00", "100.00", "100.00")
    arrangement = propose(alice, invoices, count=3, first_date=FIRST)

    # The oldest invoice is paid in full a week before the first instalment is due.
    pay(alice, "100.00")

    assert states(arrangement) == ["paid", "pending", "pending"]
    assert reloaded(arrangement).state == ArrangementState.ACCEPTED
    assert arrangement.response.state == ResponseState.OPEN


def test_it_counts_a_payment_ahead_toward_the_next_instalments(alice, running, travel):
    travel(date(2026, 3, 9))
    pay(alice, "250.00")
    travel(CHECKS[0])

    instalments_process_due()

    assert states(running) == ["paid", "paid", "pending"]
    travel(CHECKS[2])
    instalments_process_due()
    # € 50 of the last instalment is missing.
    assert states(running) == ["paid", "paid", "defaulted"]


def test_it_defaults_an_unpaid_instalment_and_makes_a_task(alice, running, travel):
    travel(date(2026, 3, 9))
    pay(alice, "99.99")
    travel(CHECKS[0])

    assert instalments_process_due() == 1

    # The later instalments fall with the arrangement: nothing is left for the worker.
    assert states(running) == ["defaulted", "cancelled", "cancelled"]
    assert reloaded(running).state == ArrangementState.DEFAULTED
    task = Task.objects.get(kind=TaskKind.ARRANGEMENT_DEFAULTED)
    assert (task.state, task.debtor, task.response) == (TaskState.OPEN, alice, running.response)
    assert task.due_date == CHECKS[0]
    assert "€\xa099,99" in task.description and "€\xa0300,00" in task.description
    # The employee decides; until then the invoices stay out of dunning.
    assert running.response.state == ResponseState.OPEN
    assert invoices_excluded_from_dunning().exists()


def test_it_checks_no_more_instalments_once_the_arrangement_defaulted(running, travel):
    travel(CHECKS[0])
    instalments_process_due()

    travel(date(2026, 6, 1))

    assert instalments_process_due() == 0
    assert states(running) == ["defaulted", "cancelled", "cancelled"]
    assert not Instalment.objects.filter(state="pending").exists()
    assert Task.objects.filter(kind=TaskKind.ARRANGEMENT_DEFAULTED).count() == 1


def test_it_resumes_dunning_on_a_default_when_the_type_says_so(alice, travel):
    response_type = arrangement_type()
    response_type.on_broken = "resume"
    response_type.save()
    travel(PROPOSED)
    arrangement = propose(alice, invoices_of(alice, "300.00"), count=3, first_date=FIRST)
    travel(CHECKS[0])

    instalments_process_due()

    assert reloaded(arrangement).state == ArrangementState.DEFAULTED
    assert arrangement.response.state == ResponseState.CLOSED
    assert not invoices_excluded_from_dunning().exists()
    assert not Task.objects.exists()
    with translation.override("nl"):
        assert "1" in arrangement.response.close_note


def test_it_catches_up_on_every_check_that_fell_due_during_an_outage(alice, carol, travel):
    travel(PROPOSED)
    paying = propose(alice, invoices_of(alice, "300.00"), count=3, first_date=FIRST)
    silent = propose(carol, invoices_of(carol, "300.00"), count=3, first_date=FIRST)
    # Alice pays the first two instalments on time; no worker runs for months.
    travel(date(2026, 3, 9))
    pay(alice, "100.00")
    travel(date(2026, 4, 9))
    pay(alice, "100.00")
    travel(date(2026, 6, 1))

    # Alice's payments paid her first two at once: her last and Carol's three are claimed.
    assert instalments_process_due() == 4
    assert instalments_process_due() == 0

    assert states(paying) == ["paid", "paid", "defaulted"]
    assert states(silent) == ["defaulted", "cancelled", "cancelled"]
    assert set(Instalment.objects.filter(attempts__gt=0).values_list("attempts", flat=True)) == {1}
    assert Instalment.objects.filter(lease_token__isnull=False).count() == 0
    defaulted = Task.objects.filter(kind=TaskKind.ARRANGEMENT_DEFAULTED)
    assert sorted(t.debtor.number for t in defaulted) == ["D-ALICE", "D-CAROL"]


def test_it_leaves_a_proposal_under_review_alone_when_a_payment_comes(alice, travel):
    travel(PROPOSED)
    arrangement = propose(alice, invoices_of(alice, "700.00"), count=7, first_date=FIRST)

    pay(alice, "700.00")

    assert reloaded(arrangement).state == ArrangementState.UNDER_REVIEW
    assert not arrangement.instalments.exists()


def test_it_pays_an_instalment_at_once_from_part_payments_of_its_invoices(alice, travel):
    travel(PROPOSED)
    arrangement = propose(alice, invoices_of(alice, "150.00", "150.00"), count=3, first_date=FIRST)
    assert arrangement.state == ArrangementState.ACCEPTED

    travel(date(2026, 3, 9))
    pay(alice, "100.00")  # two thirds of the first invoice: no invoice is paid in full
    assert states(arrangement) == ["paid", "pending", "pending"]

    travel(date(2026, 4, 9))
    pay(alice, "60.00")  # the first invoice in full and 10.00 of the second
    assert states(arrangement) == ["paid", "pending", "pending"]
    pay(alice, "40.00")  # 200.00 in all, the second still partly open
    assert states(arrangement) == ["paid", "paid", "pending"]
    assert reloaded(arrangement).state == ArrangementState.ACCEPTED
    travel(CHECKS[1])
    assert instalments_process_due() == 0
