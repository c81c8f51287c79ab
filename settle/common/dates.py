"""Moments derived from calendar dates, in the organisation's time zone."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def check_time(due: date, *, grace_days: int) -> datetime:
    """When a payment due on `due` is checked: the start of the day `grace_days` later, in the
    organisation's time zone (a promise's date, an instalment's due date)."""
    day = due + timedelta(days=grace_days)
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def organisation_today() -> date:
    """Today in the organisation's time zone (not the zone a request may have activated)."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def end_of_day(day: date) -> datetime:
    """The last moment of `day` in the organisation's time zone (23:59:59.999999 local, whatever
    the offset that day), so that "valid until 7 December" holds all of 7 December."""
    return datetime.combine(day, time.max, tzinfo=timezone.get_default_timezone())


def iso_date(value: object) -> date | None:
    """A stored ISO date ("2026-12-31") as a date; None for anything else, since stored values
    come from forms, the API and earlier versions alike."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
