"""`{{ amount|money }}`: an amount in the notation of the active language."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
CENT = Decimal("0.01")


@register.filter
def money(value, currency: str = "EUR") -> str:
    """Format an amount as "€ 1.234,56" in Dutch and "€1,234.56" in English.

    The Dutch space is a no-break space so an amount never wraps across two lines. An empty or
    unreadable value renders as nothing rather than failing the page.
    """
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    number = number_format(abs(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
    symbol = SYMBOLS.get(currency or "EUR", currency or "EUR")
    sign = "-" if amount < 0 else ""
    if (get_language() or "nl").startswith("nl"):
        return f"{symbol}\xa0{sign}{number}"
    if len(symbol) > 1:
        return f"{sign}{symbol}\xa0{number}"
    return f"{sign}{symbol}{number}"
