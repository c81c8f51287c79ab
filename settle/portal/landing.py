"""The landing page's invoice list as display strings; the markup is the template's
(`portal/includes/invoice_rows.html`), which escapes every value.

The landing page is the portal's busiest (every sign-in and every saved response ends on it) and
the only one whose cost grows with the debtor's invoices (bench/portal_landing.py). Each value a
template shows costs a variable lookup and an escape, per row, so each row is a dict of ready
strings (the engine looks a dict's keys up first and passes a `str` through without localizing
it), the line of dates and amount is one string rather than six values, and dates and amounts
are formatted once each, not per row.
"""

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from settle.common.languages import in_language
from settle.common.money import money
from settle.receivables.models import ZERO


@lru_cache(maxsize=4096)
def _short_date(value: date, notation: str, language: str | None) -> str:
    """`value` in the short date notation, as the `date` filter writes it. Invoices share few
    distinct dates (a debtor's are often a month apart, and everyone's fall in the same few
    years), so each is formatted once per notation and language and then remembered."""
    return dateformat.format(value, notation)


def landing_invoices(
    rows: list[dict[str, Any]], in_payment: Collection[int] = frozenset()
) -> list[dict[str, str]]:
    """Each open invoice (the rows of `access_landing`) as the strings the landing page shows,
    in the active language: its id, number, open amount, a line with its dates and amount, and
    its status: "Payment in progress" for the invoices in `in_payment`, else the latest open
    response's, else the collection status. Plain text: the template escapes it."""
    language = get_language()
    notation = get_format("SHORT_DATE_FORMAT")
    # The collection status's label in the active language, as CollectionStatus.label picks it.
    label = in_language("collection_status__label_nl", "collection_status__label_en")
    issued, due, amount_label = _("Invoice date"), _("Due"), _("Amount")
    paying = _("Payment in progress")
    # An unpaid invoice's open amount is its amount: format each amount once per page.
    amounts: dict[tuple[Decimal, str], str] = {}

    def amount(value: Decimal, currency: str) -> str:
        key = (value, currency)
        if key not in amounts:
            amounts[key] = money(value, currency)
        return amounts[key]

    return [
        {
            "pk": str(row["pk"]),
            "number": row["number"],
            "open_amount": amount(row["open_amount"], row["currency"]),
            "meta": (
                f"{issued} {_short_date(row['issue_date'], notation, language)}"
                f" · {due} {_short_date(row['due_date'], notation, language)}"
                f" · {amount_label} {amount(row['amount'], row['currency'])}"
            ),
            "status": (
                paying
                if row["pk"] in in_payment
                else row[label]
                if row["response_status"] is None
                else row["response_status"]
            ),
        }
        for row in rows
    ]


def landing_totals(rows: list[dict[str, Any]]) -> list[str]:
    """The total open, one per currency (almost always just one)."""
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row["currency"]] = totals.get(row["currency"], ZERO) + row["open_amount"]
    return [money(amount, currency) for currency, amount in totals.items()]
