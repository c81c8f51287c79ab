"""Amounts as text in the notation of the active language: "€ 1.234,56" (nl), "€1,234.56" (en).

A plain function, usable from any layer (messages, status texts, the portal's display strings);
the template filter `{{ amount|money }}` (`common/templatetags/money.py`) is this same function.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from django.utils.formats import get_format, number_format
from django.utils.translation import get_language

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
CENT = Decimal("0.01")


@lru_cache(maxsize=16)
def _separators(language: str) -> dict[int, str] | None:
    """For a language that groups digits by three: a `str.translate` table from Python's
    "1,234.56" to its notation. A list of amounts (the portal's landing page) formats each one
    far faster this way than through number_format, which looks up the formats every time."""
    if get_format("NUMBER_GROUPING", language) != 3:
        return None
    return {
        ord(","): get_format("THOUSAND_SEPARATOR", language),
        ord("."): get_format("DECIMAL_SEPARATOR", language),
    }


def money(value, currency: str = "EUR") -> str:
    """Format an amount as "€ 1.234,56" in Dutch and "€1,234.56" in English.

    The Dutch space is a no-break space so an amount never wraps across two lines (the SMS
    encoder turns it into a plain space, `correspondence/smsparts.py`). An empty or unreadable
    value renders as nothing rather than failing the page.
    """
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    language = get_language()
    separators = _separators(language) if language else None
    if separators is None:
        number = number_format(abs(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
    else:
        number = f"{abs(amount):,.2f}".translate(separators)
    symbol = SYMBOLS.get(currency or "EUR", currency or "EUR")
    sign = "-" if amount < 0 else ""
    if (language or "nl").startswith("nl"):
        return f"{symbol}\xa0{sign}{number}"
    if len(symbol) > 1:
        return f"{sign}{symbol}\xa0{number}"
    return f"{sign}{symbol}{number}"
