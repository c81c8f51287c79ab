"""The worker's scheduled runs: every working day at the set time, once per (schedule, day),
one run for today after an outage, and an invoice reminded once for the same step."""

import logging
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from settle.correspondence.models import Message
from settle.dunning import schedules
from settle.dunning.models import (
    Action,
    ActionGroup,
    ActionType,
    DunningRun,
    DunningSchedule,
    RunSource,
)
from settle.dunning.processing import items_process_due
from settle.dunning.schedules import schedule_run, schedules_process_due
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Monday 30 November 2026 … Friday 4 December; Saturday 5 December.
MONDAY, TUESDAY, FRIDAY, SATURDAY = 30, 1, 4, 5


def at(day: int, hour: int, minute: int = 0) -> datetime:
    month = 11 if day >= 30 else 12
    return datetime(2026, month, day, hour, minute, tzinfo=AMSTERDAM)


@pytest.fixture(autouse=True)
def _fresh_memo():
    # The worker's "refused today" memo lives in the process, not the database.
    schedules._refused_today.clear()
    yield
    schedules._refused_today.clear()


@pytest.fixture
def group(db):
    group = ActionGroup.objects.create(name="Herinnering 1")
    Action.objects.create(
        group=group,
        position=1,
        name="Herinnering 1 per e-mail",
        action_type=ActionType.EMAIL,
        message_kind="reminder_1",
    )
    return group


@pytest.fixture
def schedule(group):
    with time_machine.travel(at(MONDAY - 3, 12), tick=False):  # made on a Friday
        return DunningSchedule.objects.create(
            name="Eerste herinnering",
            group=group,
            filter_query="last_action=never&overdue_min=7",
            run_at=time(9, 0),
        )


@pytest.fixture
def overdue_invoice(db):
    with time_machine.travel(at(MONDAY, 7), tick=False):
        debtor = DebtorFactory(number="D-ALICE", email="alice@example.test")
        return InvoiceFactory(number="F-1", debtor=debtor)  # 10 days overdue on Monday


def work_items() -> None:
    while items_process_due():
        pass


def test_it_starts_a_run_at_the_set_time_on_a_working_day(schedule, overdue_invoice):
    with time_machine.travel(at(MONDAY, 8, 59), tick=False):
        assert schedules_process_due() == 0
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        assert schedules_process_due() == 1

    run = DunningRun.objects.get()
    assert run.source == RunSource.SCHEDULE
    assert run.schedule == schedule
    assert run.schedule_day == at(MONDAY, 9).date()
    assert run.group == schedule.group
    assert run.invoice_count == 1
    assert run.filter_query == schedule.filter_query


def test_it_keeps_the_time_in_the_organisations_time_zone(schedule, overdue_invoice):
    # 09:00 in Amsterdam is 08:00 UTC in winter.
    with time_machine.travel(datetime(2026, 11, 30, 7, 59, tzinfo=ZoneInfo("UTC")), tick=False):
        assert schedules_process_due() == 0
    with time_machine.travel(datetime(2026, 11, 30, 8, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        assert schedules_process_due() == 1


def test_it_runs_no_schedule_at_the_weekend(schedule, overdue_invoice):
    with time_machine.travel(at(SATURDAY, 10), tick=False):
        assert schedules_process_due() == 0
    assert not DunningRun.objects.exists()


def test_it_starts_one_run_a_day_however_often_the_worker_looks(schedule, overdue_invoice):
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        assert schedules_process_due() == 1
    with time_machine.travel(at(MONDAY, 17, 0), tick=False):
        assert schedules_process_due() == 0
    assert DunningRun.objects.count() == 1


def test_it_makes_a_second_workers_attempt_for_the_same_day_a_no_op(schedule, overdue_invoice):
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        first = schedule_run(schedule=schedule, day=at(MONDAY, 9).date())
        # The second worker looked before the first one's run was there, and inserts now.
        second = schedule_run(schedule=schedule, day=at(MONDAY, 9).date())

    assert first is not None
    assert second is None
    assert DunningRun.objects.count() == 1


def test_it_catches_up_with_one_run_for_today_after_an_outage(schedule, overdue_invoice, caplog):
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        schedules_process_due()
    # The worker was down from Tuesday to Thursday and comes back on Friday afternoon.
    with (
        time_machine.travel(at(FRIDAY, 15, 0), tick=False),
        caplog.at_level(logging.WARNING, logger="settle.dunning.schedules"),
    ):
        InvoiceFactory(number="F-2", debtor=overdue_invoice.debtor)
        assert schedules_process_due() == 1

    days = sorted(DunningRun.objects.values_list("schedule_day", flat=True))
    assert days == [at(MONDAY, 9).date(), at(FRIDAY, 9).date()]
    assert "2026-12-01, 2026-12-02, 2026-12-03" in caplog.text


def test_it_reminds_an_invoice_once_on_consecutive_days(schedule, overdue_invoice):
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        assert schedules_process_due() == 1
        work_items()
    with time_machine.travel(at(TUESDAY, 9, 0), tick=False):
        schedules_process_due()
        work_items()

    messages = Message.objects.filter(debtor=overdue_invoice.debtor, kind="reminder_1")
    assert messages.count() == 1
    assert list(messages.get().invoices.values_list("number", flat=True)) == ["F-1"]


def test_it_leaves_inactive_schedules_and_archived_groups_alone(schedule, overdue_invoice):
    schedule.active = False
    schedule.save()
    other = DunningSchedule.objects.create(
        name="Gearchiveerd", group=schedule.group, filter_query="", run_at=time(9, 0)
    )
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        schedule.group.archived_at = at(MONDAY, 8)
        schedule.group.save()
        assert schedules_process_due() == 0
    assert not DunningRun.objects.filter(schedule__in=[schedule, other]).exists()


def test_it_says_once_a_day_that_a_saved_filter_cannot_be_read(schedule, caplog):
    schedule.filter_query = "overdue_min=many"
    schedule.save()
    with (
        time_machine.travel(at(MONDAY, 9, 0), tick=False),
        caplog.at_level(logging.WARNING, logger="settle.dunning.schedules"),
    ):
        assert schedules_process_due() == 0
        assert schedules_process_due() == 0

    assert caplog.text.count("no run today") == 1
    assert "overdue_min" in caplog.text
    assert not DunningRun.objects.exists()
