"""The table of statutory commercial interest rates (wettelijke handelsrente): an administrator
adds a period each half year when the government publishes the new rate. Periods are only ever
added at the end, so an interest amount computed earlier for a past period stays what it was."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError, FieldError
from settle.dunning.models import InterestRate

RATE_MIN = Decimal("0")
RATE_MAX = Decimal("100")


@dataclass(frozen=True)
class RatePeriod:
    """A period as people read it: from its start until the day before the next one starts
    (`until` None for the last, which runs until a new period is added)."""

    valid_from: date
    until: date | None
    rate: Decimal


def interest_rates_shown() -> list[RatePeriod]:
    """The periods, the newest first."""
    rows = list(InterestRate.objects.order_by("valid_from"))
    periods = [
        RatePeriod(row.valid_from, nxt.valid_from - timedelta(days=1) if nxt else None, row.rate)
        for row, nxt in zip(rows, [*rows[1:], None], strict=True)
    ]
    return periods[::-1]


@transaction.atomic
def interest_rate_add(*, valid_from: date, rate: Decimal) -> InterestRate:
    """Add a period starting at `valid_from`, which must be later than the last period's start.

    The table is locked while checking, so two administrators adding at once cannot both pass
    the "later than the last" test with different dates in the wrong order."""
    errors = []
    if not rate.is_finite():
        raise ApplicationError(
            _("The period was not added."), [FieldError("rate", _("Enter a number."))]
        )
    if not (RATE_MIN <= rate <= RATE_MAX):
        errors.append(FieldError("rate", _("Enter a rate from 0 to 100 percent.")))
    if rate.as_tuple().exponent < -2:
        errors.append(FieldError("rate", _("Enter a rate with at most two decimals.")))
    last = InterestRate.objects.select_for_update().order_by("-valid_from").first()
    if last is not None and valid_from <= last.valid_from:
        errors.append(
            FieldError(
                "valid_from",
                _("A new period must start after the last one (%(date)s).")
                % {"date": date_format(last.valid_from)},
            )
        )
    if errors:
        raise ApplicationError(_("The period was not added."), errors)
    return InterestRate.objects.create(valid_from=valid_from, rate=rate)
