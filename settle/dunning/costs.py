"""Statutory collection costs and commercial interest: what a message may state, never booked.

Dutch law (and the EU late payment directive for businesses) lets a creditor charge:

- consumers: the extrajudicial collection costs of the scale in the Besluit vergoeding voor
  buitengerechtelijke incassokosten ("WIK"), but only after a 14-day letter (art. 6:96 lid 6 BW)
  that states them and gives 14 days, from the day after receipt, to pay without them;
- businesses: the statutory commercial interest (art. 6:119a BW) and the fixed compensation of
  € 40 of the EU directive 2011/7/EU (art. 6:96 lid 4 BW).

The arithmetic is pure (no database, no clock); `message_cost_values` reads the rate table and
the outbox, and gives the values templates show. Nothing is booked on an invoice: charging costs
stays a decision for people (and the ERP).
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from settle.correspondence.kinds import COST_KINDS, Kind
from settle.correspondence.models import MessageStatus
from settle.dunning.models import InterestRate
from settle.receivables.models import Debtor, DebtorKind, Invoice

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# The WIK scale: (the width of the band, the rate over it); the last band is open-ended.
COST_BANDS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("2500"), Decimal("0.15")),
    (Decimal("2500"), Decimal("0.10")),
    (Decimal("5000"), Decimal("0.05")),
    (Decimal("190000"), Decimal("0.01")),
    (None, Decimal("0.005")),
)
COSTS_MINIMUM = Decimal("40.00")
COSTS_MAXIMUM = Decimal("6775.00")

# EU directive 2011/7/EU art. 6: a fixed € 40 for each commercial transaction paid late; the
# Court of Justice (C-585/20, BFF Finance Iberia) held that it is due per invoice, not per debtor.
COMPENSATION_FEE = Decimal("40.00")

# The 14-day term runs from the day after the debtor received the letter; we count two days for
# delivery (post takes one or two working days in the Netherlands), so the last day to pay
# without costs is the day of sending + 2 + 14.
DELIVERY_DAYS = 2
TERM_DAYS = 14
YEAR_DAYS = Decimal(365)


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def collection_costs(principal: Decimal) -> Decimal:
    """The statutory extrajudicial collection costs over `principal` (the WIK scale: 15 % of the
    first € 2,500 with at least € 40, 10 % of the next € 2,500, 5 % of the next € 5,000, 1 % of
    the next € 190,000, 0.5 % of the rest, at most € 6,775), in cents. Nothing for nothing."""
    if principal <= 0:
        return ZERO
    costs, rest = Decimal(0), principal
    for width, rate in COST_BANDS:
        part = rest if width is None else min(rest, width)
        costs += part * rate
        rest -= part
        if rest <= 0:
            break
    return _cents(min(max(costs, COSTS_MINIMUM), COSTS_MAXIMUM))


def _anniversary(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a year that has none
        return start.replace(year=start.year + years, day=28)


def _rate_on(day: date, rates: Sequence[tuple[date, Decimal]]) -> Decimal | None:
    current = None
    for valid_from, rate in rates:
        if valid_from > day:
            break
        current = rate
    return current


def _simple_interest(
    principal: Decimal, start: date, end: date, rates: Sequence[tuple[date, Decimal]]
) -> Decimal:
    """Simple interest on `principal` over the days start+1 … end, each period of the rate table
    at its own rate, days/365. Days before the table's first period earn nothing: we do not
    guess a rate (an administrator extends the table backwards when needed)."""
    boundaries = sorted(
        {start, end, *(f - timedelta(days=1) for f, _r in rates if start < f <= end)}
    )
    interest = Decimal(0)
    for period_start, period_end in zip(boundaries, boundaries[1:], strict=False):
        # The days period_start+1 … period_end all fall in one rate period.
        rate = _rate_on(period_start + timedelta(days=1), rates)
        if rate:
            days = (period_end - period_start).days
            interest += principal * Decimal(rate) / 100 * days / YEAR_DAYS
    return interest


def commercial_interest(
    *,
    principal: Decimal,
    due_date: date,
    until: date,
    rates: Iterable[tuple[date, Decimal]],
) -> Decimal:
    """The statutory commercial interest (art. 6:119a BW) on `principal` from the day after
    `due_date` up to and including `until`, in cents.

    Each day bears the rate of the period of `rates` ((valid_from, percent a year) pairs) it
    falls in, days/365. The interest compounds yearly, as art. 6:119 lid 2 BW prescribes (and
    6:119a lid 3 applies): at the end of each full year from the due date the year's interest
    is added to the sum the interest is computed over.
    """
    if principal <= 0 or until <= due_date:
        return ZERO
    table = sorted((valid_from, Decimal(rate)) for valid_from, rate in rates)
    base, total, years = Decimal(principal), Decimal(0), 0
    start = due_date
    while start < until:
        years += 1
        year_end = min(_anniversary(due_date, years), until)
        year_interest = _simple_interest(base, start, year_end, table)
        total += year_interest
        base += year_interest
        start = year_end
    return _cents(total)


def costs_deadline(sent: date) -> date:
    """The last day a consumer may pay without collection costs, for a 14-day letter sent on
    `sent`: two days for delivery, then the 14 days."""
    return sent + timedelta(days=DELIVERY_DAYS + TERM_DAYS)


def _fourteen_day_letter_covers(*, debtor: Debtor, invoices: list[Invoice], today: date) -> bool:
    """Whether each of `invoices` was in a 14-day letter to `debtor` whose term ended before
    `today`. The outbox is the record: the message itself (its kind, debtor, invoices and when
    it went out), whichever run or employee sent it; a failed or unsent one does not count."""
    if not invoices:
        return False
    # Sent on a day d, the term ends on costs_deadline(d); costs are due from the day after.
    last_sent_day = today - timedelta(days=DELIVERY_DAYS + TERM_DAYS + 1)
    cutoff = datetime.combine(
        last_sent_day + timedelta(days=1), time.min, tzinfo=timezone.get_default_timezone()
    )
    covered = (
        Invoice.objects.filter(pk__in=[invoice.pk for invoice in invoices])
        .filter(
            Q(
                messages__kind=Kind.FOURTEEN_DAY_LETTER,
                messages__debtor=debtor,
                messages__status=MessageStatus.SENT,
                messages__sent_at__lt=cutoff,
            )
        )
        .distinct()
        .count()
    )
    return covered == len({invoice.pk for invoice in invoices})


def interest_rates() -> list[tuple[date, Decimal]]:
    """The commercial interest rate table, for `commercial_interest`."""
    return list(InterestRate.objects.order_by("valid_from").values_list("valid_from", "rate"))


def message_cost_values(
    *,
    debtor: Debtor,
    invoices: Iterable[Invoice],
    kind: str,
    today: date,
    rates: Iterable[tuple[date, Decimal]] | None = None,
) -> dict:
    """The cost variables a message of `kind` to `debtor` about `invoices` gets (see
    `correspondence.kinds.COST_VARIABLES`); nothing for kinds that show no costs.

    Only the overdue invoices count. A consumer gets the collection costs over their open total,
    the last day to pay without them if a 14-day letter went out today, and whether they are
    chargeable now (every one of these invoices was in a 14-day letter whose term has passed).
    A business gets the commercial interest up to today and the € 40 compensation per overdue
    invoice. Values are Decimals and dates (correspondence formats them); a value that does not
    apply is "" (so that `{% if %}` reads it as no). A run may pass the rate table once in
    `rates` rather than have it read per debtor.
    """
    if kind not in COST_KINDS:
        return {}
    overdue = [i for i in invoices if i.open_amount > 0 and i.due_date < today]
    values: dict = {
        "collection_costs": "",
        "collection_costs_deadline": "",
        "collection_costs_chargeable": False,
        "commercial_interest": "",
        "compensation_fee": "",
    }
    if not overdue:
        return values
    consumer = debtor.kind == DebtorKind.CONSUMER
    # A 14-day letter always states the costs, even to a business (a run should send it to
    # consumers only, but the scale applies to businesses too unless agreed otherwise, art. 6:96
    # lid 5 BW): a letter must never go out with the amount left blank.
    if consumer or kind == Kind.FOURTEEN_DAY_LETTER:
        values["collection_costs"] = collection_costs(sum((i.open_amount for i in overdue), ZERO))
        values["collection_costs_deadline"] = costs_deadline(today)
    if consumer:
        values["collection_costs_chargeable"] = _fourteen_day_letter_covers(
            debtor=debtor, invoices=overdue, today=today
        )
        return values
    table = interest_rates() if rates is None else list(rates)
    interest = sum(
        (
            commercial_interest(
                principal=i.open_amount, due_date=i.due_date, until=today, rates=table
            )
            for i in overdue
        ),
        ZERO,
    )
    values["commercial_interest"] = interest if interest > 0 else ""
    values["compensation_fee"] = COMPENSATION_FEE * len(overdue)
    return values
