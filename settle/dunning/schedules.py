"""Scheduled dunning runs: a group run by the worker every working day at a set time on a saved
filter ("first reminder: 7–20 days overdue, not yet reminded").

Catch-up after an outage: **one run, for today only**. A worker that was down from Tuesday to
Thursday starts Thursday's run on Thursday and none for Tuesday or Wednesday. The saved filter
selects what is due *now* ("7–20 days overdue, not yet reminded"), so a run per missed day would
select the very same invoices again and again: the first of those runs would remind them and
the others would find nothing (or, worse, a filter without "not yet reminded" would remind them
once per missed day). Today's run already holds every invoice a missed day would have reminded
that is still within the filter. The missed days are named in a warning in the log.

At most one run per (schedule, day): the database's unique constraint on DunningRun (schedule,
schedule_day) makes a second worker's attempt, or a retry after a crash, a no-op. An invoice is
never reminded twice for the same step as long as the saved filter says "not yet reminded" (or
"last dunning action before …"), which is what a schedule's filter is for.
"""

import logging
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from settle.common.errors import ApplicationError
from settle.dunning.filters import invoices_filtered
from settle.dunning.models import DunningRun, DunningSchedule, RunSource
from settle.dunning.runs import run_start

logger = logging.getLogger(__name__)

# Monday to Friday; public holidays are not known to Settle and count as working days.
WORKING_DAYS = range(0, 5)

# Schedules that could not run today (a saved filter that no longer reads, a group without
# actions), per worker process: without this memo the worker would try again, and log again, on
# every turn of its loop. (An empty selection is no refusal: run_start records it as a run.)
_refused_today: set[tuple[int, date]] = set()


def schedules_process_due(*, now: datetime | None = None) -> int:
    """Start today's run of every active schedule whose time has come; return how many started.

    Runs only on working days (Monday to Friday), at or after the schedule's `run_at` in the
    organisation's time zone, and at most once per (schedule, day) whatever the number of
    workers. Days missed while no worker ran are not made up for (see the module's docstring).
    """
    now = now or timezone.now()
    local = timezone.localtime(now, timezone.get_default_timezone())
    today = local.date()
    if today.weekday() not in WORKING_DAYS:
        return 0
    due = (
        DunningSchedule.objects.filter(
            active=True, run_at__lte=local.time(), group__archived_at__isnull=True
        )
        .exclude(runs__schedule_day=today)
        .select_related("group")
        .order_by("run_at", "pk")
    )
    # Forget the refusals of earlier days.
    _refused_today.intersection_update({key for key in _refused_today if key[1] == today})
    started = 0
    for schedule in due:
        if (schedule.pk, today) in _refused_today:
            continue
        try:
            if schedule_run(schedule=schedule, day=today) is not None:
                started += 1
        except Exception:
            # An unexpected failure of one schedule must not stop the others; it is tried
            # again on the worker's next turn.
            logger.exception("dunning schedule %s: the run could not be started", schedule.pk)
    return started


def schedule_run(*, schedule: DunningSchedule, day: date) -> DunningRun | None:
    """Start the run of `schedule` for `day` on the invoices its saved filter selects now.

    Returns None when another worker started that day's run first, or when the run was refused
    (a filter that cannot be read, a group without actions): this worker then does not try
    again that day. A filter that selects nothing still makes a run (done at once), so the day
    counts as run.
    """
    missed = _missed_days(schedule=schedule, day=day)
    if missed:
        logger.warning(
            "dunning schedule %s (%s): no run on %s (no worker ran, or the run was refused); "
            "today's run covers what the filter selects now",
            schedule.pk,
            schedule.name,
            ", ".join(d.isoformat() for d in missed),
        )
    try:
        # A savepoint: the unique (schedule, day) refusal must not spoil a caller's transaction.
        with transaction.atomic():
            run = run_start(
                group=schedule.group,
                invoices=invoices_filtered(schedule.filter_query),
                created_by=schedule.created_by,
                source=RunSource.SCHEDULE,
                filter_query=schedule.filter_query,
                schedule=schedule,
                schedule_day=day,
            )
    except IntegrityError:
        # Another worker made this day's run between our look and our insert.
        return None
    except ApplicationError as exc:
        # Said once a day, not on every turn of the worker.
        logger.warning(
            "dunning schedule %s: no run today: %s %s",
            schedule.pk,
            exc.message,
            "; ".join(f"{e.field}: {e.message}" for e in exc.errors),
        )
        _refused_today.add((schedule.pk, day))
        return None
    return run


def _missed_days(*, schedule: DunningSchedule, day: date) -> list[date]:
    """Working days between the schedule's previous run (or its creation) and `day` without a
    run: the days a worker was down for."""
    last = (
        DunningRun.objects.filter(schedule=schedule, schedule_day__lt=day)
        .order_by("-schedule_day")
        .values_list("schedule_day", flat=True)
        .first()
    )
    if last is None:
        created = timezone.localtime(schedule.created_at, timezone.get_default_timezone())
        # The day it was made counts only if it existed by its time that day.
        start = created.date() + timedelta(days=0 if created.time() <= schedule.run_at else 1)
    else:
        start = last + timedelta(days=1)
    missed = []
    current = start
    while current < day and len(missed) < 31:
        if current.weekday() in WORKING_DAYS:
            missed.append(current)
        current += timedelta(days=1)
    return missed
