"""The instalment schedule of an arrangement: pure date and money arithmetic, no database."""

import calendar
from datetime import date
from decimal import Decimal

CENT = Decimal("0.01")
# More instalments than anyone proposes in earnest; a larger number is not worth a schedule.
MAX_SCHEDULE = 120

Schedule = list[tuple[date, Decimal]]


def add_months(start: date, months: int) -> date:
    """`start` moved `months` calendar months on, on the same day of the month, or the month's
    last day when it is shorter (31 January + 1 month = 28 or 29 February)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def schedule_build(*, total: Decimal, count: int, first_date: date) -> list[tuple[date, Decimal]]:
    """`count` monthly instalments from `first_date` that add up to `total` exactly.

    Every instalment is the total divided by the count, rounded down to the cent; the last one
    absorbs what the rounding left over, so it is at most `count - 1` cents larger. Each date is
    counted from the first date, not from the previous one, so a schedule that starts on the
    31st returns to the 31st after a short month. Raises ValueError when the total cannot be
    split into `count` instalments of at least one cent.
    """
    if count < 1:
        raise ValueError("an arrangement has at least one instalment")
    if total != total.quantize(CENT):
        raise ValueError("the total must be whole cents")
    cents = int(total / CENT)
    if cents < count:
        raise ValueError("the total is too small for this many instalments")
    share = cents // count
    amounts = [share] * (count - 1) + [cents - share * (count - 1)]
    return [
        (add_months(first_date, number), (Decimal(amount) * CENT).quantize(CENT))
        for number, amount in enumerate(amounts)
    ]
