"""The schedule maths: pure functions, no database."""

import calendar
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from settle.arrangements.schedule import add_months, schedule_build


def test_it_splits_a_total_into_equal_monthly_instalments():
    schedule = schedule_build(total=Decimal("300.00"), count=3, first_date=date(2026, 3, 15))

    assert schedule == [
        (date(2026, 3, 15), Decimal("100.00")),
        (date(2026, 4, 15), Decimal("100.00")),
        (date(2026, 5, 15), Decimal("100.00")),
    ]


def test_it_lets_the_last_instalment_absorb_the_rounding():
    schedule = schedule_build(total=Decimal("1571.50"), count=3, first_date=date(2026, 3, 1))

    assert [amount for _day, amount in schedule] == [
        Decimal("523.83"),
        Decimal("523.83"),
        Decimal("523.84"),
    ]


def test_it_clamps_to_the_end_of_a_shorter_month_and_returns_to_the_day_after():
    schedule = schedule_build(total=Decimal("400.00"), count=4, first_date=date(2026, 1, 31))

    assert [day for day, _amount in schedule] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]


def test_it_knows_leap_years():
    schedule = schedule_build(total=Decimal("20.00"), count=2, first_date=date(2028, 1, 30))

    assert [day for day, _amount in schedule] == [date(2028, 1, 30), date(2028, 2, 29)]


def test_it_runs_over_the_turn_of_the_year():
    schedule = schedule_build(total=Decimal("60.00"), count=3, first_date=date(2026, 11, 30))

    assert [day for day, _amount in schedule] == [
        date(2026, 11, 30),
        date(2026, 12, 30),
        date(2027, 1, 30),
    ]


def test_it_makes_one_instalment_of_the_whole_total():
    assert schedule_build(total=Decimal("12.34"), count=1, first_date=date(2026, 5, 5)) == [
        (date(2026, 5, 5), Decimal("12.34"))
    ]


def test_it_splits_down_to_single_cents():
    schedule = schedule_build(total=Decimal("0.05"), count=5, first_date=date(2026, 5, 5))

    assert [amount for _day, amount in schedule] == [Decimal("0.01")] * 5


@pytest.mark.parametrize(
    ("total", "count"),
    [(Decimal("0.04"), 5), (Decimal("10.00"), 0), (Decimal("10.00"), -1), (Decimal("1.005"), 1)],
)
def test_it_refuses_a_split_that_is_impossible(total, count):
    with pytest.raises(ValueError):
        schedule_build(total=total, count=count, first_date=date(2026, 5, 5))


def test_it_adds_months_from_the_same_start_not_from_each_previous_date():
    start = date(2026, 8, 31)

    assert [add_months(start, n) for n in range(7)] == [
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 31),
        date(2026, 11, 30),
        date(2026, 12, 31),
        date(2027, 1, 31),
        date(2027, 2, 28),
    ]


def test_it_goes_back_in_months_too():
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 15), -12) == date(2025, 1, 15)
    assert add_months(date(2026, 1, 15), -13) == date(2024, 12, 15)


def test_it_always_sums_to_the_total_with_near_equal_amounts_over_many_totals_and_counts():
    rng = random.Random(20260101)
    start = date(2025, 1, 1)
    for _ in range(5000):
        count = rng.randint(1, 120)
        total = Decimal(rng.randint(count, 10_000_000)) / 100
        first_date = start + timedelta(days=rng.randint(0, 3000))

        schedule = schedule_build(total=total, count=count, first_date=first_date)

        amounts = [amount for _day, amount in schedule]
        days = [day for day, _amount in schedule]
        assert len(schedule) == count
        assert sum(amounts) == total
        assert all(amount == amount.quantize(Decimal("0.01")) for amount in amounts)
        assert all(amount > 0 for amount in amounts)
        # Equal but for the last, which is larger by less than one cent per instalment.
        assert len(set(amounts[:-1])) <= 1
        assert 0 <= amounts[-1] - amounts[0] < Decimal("0.01") * count
        assert days[0] == first_date
        assert all(later > earlier for earlier, later in zip(days, days[1:], strict=False))
        for number, day in enumerate(days):
            months = (day.year - first_date.year) * 12 + day.month - first_date.month
            assert months == number
            assert day.day == min(first_date.day, calendar.monthrange(day.year, day.month)[1])
