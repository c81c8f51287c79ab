"""Administering scheduled runs: a group run by the worker every working day at a set time on a
saved filter (the overview's query string). The worker's side is settle/dunning/schedules.py.

A schedule is deactivated, never deleted: its runs point at it, and the (schedule, day)
uniqueness of those runs is what keeps a catching-up worker from running a day twice."""

from datetime import time

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError, FieldError
from settle.dunning.filters import PAGE_PARAMETERS, InvoiceDunningFilter
from settle.dunning.models import ActionGroup, DunningSchedule

NAME_LENGTH = 100
FILTER_LENGTH = 2000


def filter_query_clean(query: str) -> str:
    """The saved form of an overview query string: without a leading "?" and the page number (a
    schedule runs on every matching invoice, whatever page was open), in a stable order."""
    params = QueryDict(query.strip().lstrip("?"), mutable=True)
    for name in PAGE_PARAMETERS:
        params.pop(name, None)
    # Empty values filter nothing; leaving them out keeps the saved filter readable.
    kept = QueryDict(mutable=True)
    for name in sorted(params):
        values = [value for value in params.getlist(name) if value.strip()]
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


def filter_query_errors(query: str) -> list[str]:
    """What is wrong with a saved filter, as the overview's filter form would say it."""
    if len(query) > FILTER_LENGTH:
        return [_("The filter is too long.")]
    filterset = InvoiceDunningFilter(data=QueryDict(query))
    if filterset.is_valid():
        return []
    return [
        f"{filterset.form.fields[name].label}: {message}"
        if name in filterset.form.fields
        else str(message)
        for name, messages in filterset.form.errors.items()
        for message in messages
    ]


def _checked(
    *, name: str, group: ActionGroup, filter_query: str, active: bool, schedule=None
) -> tuple:
    errors = []
    name = name.strip()
    if not name:
        errors.append(FieldError("name", _("Enter a name.")))
    elif len(name) > NAME_LENGTH:
        errors.append(FieldError("name", _("Use at most 100 characters.")))
    unchanged_group = schedule is not None and schedule.group_id == group.pk
    # A stopped schedule may keep the group it ran, archived since, so its page reads as it was;
    # it cannot start running an archived group.
    if group.archived_at is not None and (active or not unchanged_group):
        errors.append(
            FieldError("group", _("This action group is archived: choose a group in use."))
        )
    query = filter_query_clean(filter_query)
    errors += [FieldError("filter_query", message) for message in filter_query_errors(query)]
    if errors:
        raise ApplicationError(_("The schedule was not saved."), errors)
    return name, query


def schedule_create(
    *,
    name: str,
    group: ActionGroup,
    filter_query: str,
    run_at: time,
    active: bool = True,
    created_by=None,
) -> DunningSchedule:
    name, query = _checked(name=name, group=group, filter_query=filter_query, active=active)
    return DunningSchedule.objects.create(
        name=name,
        group=group,
        filter_query=query,
        run_at=run_at,
        active=active,
        created_by=created_by,
    )


def schedule_update(
    *,
    schedule: DunningSchedule,
    name: str,
    group: ActionGroup,
    filter_query: str,
    run_at: time,
    active: bool,
) -> DunningSchedule:
    """Change a schedule. The runs it already made keep the filter they were made with (each
    run stores its own), so history reads as it happened."""
    name, query = _checked(
        name=name, group=group, filter_query=filter_query, active=active, schedule=schedule
    )
    schedule.name, schedule.group, schedule.filter_query = name, group, query
    schedule.run_at, schedule.active = run_at, active
    schedule.save(update_fields=["name", "group", "filter_query", "run_at", "active", "updated_at"])
    return schedule


def schedule_deactivate(*, schedule: DunningSchedule) -> bool:
    """Stop a schedule; False when it was not active."""
    updated = DunningSchedule.objects.filter(pk=schedule.pk, active=True).update(
        active=False, updated_at=timezone.now()
    )
    schedule.active = False
    return bool(updated)
