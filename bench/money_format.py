"""Benchmark: formatting one amount, Settle's `money` against Babel's `format_currency`.

    .venv/bin/python bench/money_format.py          # Babel's line only when `babel` is installed

The portal's landing page formats two amounts per invoice, messages and status texts a few
more, so `settle.common.money.money` is on every hot path that shows money. Babel
(`pip install babel`) formats from the CLDR data of every locale; this measures whether it
would be right for Settle's languages and fast enough to replace the hand-written fast path.

For Dutch and English it prints nanoseconds per call of each (best of BENCH_REPEAT runs of
BENCH_CALLS calls over a mix of amounts), and checks each one's output against what Settle
shows today: the Dutch no-break space after the symbol (which `correspondence/smsparts.py`
turns into a plain space for SMS), the sign after the Dutch symbol and before the English one,
thousands separators, rounding half a cent up, other currencies. Babel gets the amount already
rounded half up, as Settle does (its own rounding is half even). A wrong output of Settle's own
function exits 1; Babel's differences are listed.
"""

import os
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CALLS = int(os.environ.get("BENCH_CALLS", "100000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
CENT = Decimal("0.01")

# (language, amount, currency) -> what Settle shows (and must keep showing).
EXPECTED = {
    ("nl", "1234.56", "EUR"): "€\xa01.234,56",
    ("nl", "1234567.8", "EUR"): "€\xa01.234.567,80",
    ("nl", "-12.5", "EUR"): "€\xa0-12,50",
    ("nl", "-1234.5", "EUR"): "€\xa0-1.234,50",
    ("nl", "0", "EUR"): "€\xa00,00",
    ("nl", "0.005", "EUR"): "€\xa00,01",
    ("nl", "5", "USD"): "$\xa05,00",
    ("nl", "5", "GBP"): "£\xa05,00",
    ("nl", "5", "CHF"): "CHF\xa05,00",
    ("en", "1234.56", "EUR"): "€1,234.56",
    ("en", "1234567.8", "EUR"): "€1,234,567.80",
    ("en", "-12.5", "EUR"): "-€12.50",
    ("en", "-1234.5", "EUR"): "-€1,234.50",
    ("en", "0", "EUR"): "€0.00",
    ("en", "0.005", "EUR"): "€0.01",
    ("en", "5", "USD"): "$5.00",
    ("en", "5", "CHF"): "CHF\xa05.00",
}
# A landing page's worth of amounts: small and large, some negative (credit notes).
MIX = [Decimal(text) for text in ("12.50", "605.50", "1210.00", "-42.10", "98765.43", "3.00")]


def per_call_ns(function, language: str) -> float:
    """Best of REPEAT runs: nanoseconds per call of `function(amount)` over MIX."""
    amounts = (MIX * (CALLS // len(MIX) + 1))[:CALLS]
    best = float("inf")
    for _ in range(REPEAT):
        start = time.perf_counter_ns()
        for amount in amounts:
            function(amount)
        best = min(best, (time.perf_counter_ns() - start) / CALLS)
    return best


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settle.config.settings")
    os.environ.setdefault("SETTLE_VAR_DIR", tempfile.mkdtemp(prefix="settle-bench-money-"))
    import django

    django.setup()
    from django.utils import translation

    from settle.common.money import money
    from settle.correspondence.smsparts import GSM7, sms_plain, sms_size

    try:
        from babel import __version__ as babel_version
        from babel.numbers import format_currency
    except ImportError:
        format_currency = None
        babel_version = None

    def babel(amount, currency="EUR", *, locale):
        rounded = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
        return format_currency(rounded, currency, locale=locale)

    print(f"money_format: {CALLS:,} calls per run, best of {REPEAT}")
    print(f"{'':28}{'nl ns/call':>12}{'en ns/call':>12}  outputs")
    results = {}
    for language in ("nl", "en"):
        with translation.override(language):
            results[("settle", language)] = per_call_ns(money, language)
            if format_currency is not None:
                results[("babel", language)] = per_call_ns(
                    lambda amount, language=language: babel(amount, locale=language), language
                )
    wrong = {"settle": [], "babel": []}
    for (language, amount, currency), expected in EXPECTED.items():
        with translation.override(language):
            shown = money(Decimal(amount), currency)
        if shown != expected:
            wrong["settle"].append(f"{language} {amount} {currency}: {shown!r} != {expected!r}")
        if format_currency is not None:
            shown = babel(Decimal(amount), currency, locale=language)
            if shown != expected:
                wrong["babel"].append(f"{language} {amount} {currency}: {shown!r} != {expected!r}")
    # The SMS encoder must turn the Dutch no-break space into a plain GSM-7 space.
    with translation.override("nl"):
        sms = sms_plain(f"Open: {money(Decimal('1234.56'))}")
    if sms != "Open: € 1.234,56" or sms_size(sms).encoding != GSM7:
        wrong["settle"].append(f"SMS: {sms!r}")
    rows = [("settle.common.money.money", "settle")]
    if format_currency is not None:
        rows.append((f"babel {babel_version} format_currency", "babel"))
    for label, key in rows:
        verdict = "all right" if not wrong[key] else f"{len(wrong[key])} differ"
        print(f"{label:28}{results[(key, 'nl')]:>12,.0f}{results[(key, 'en')]:>12,.0f}  {verdict}")
    if format_currency is None:
        print("babel: not installed (pip install babel), its line is skipped")
    for key in ("settle", "babel"):
        for line in wrong[key]:
            print(f"  {key}: {line}")
    return 1 if wrong["settle"] else 0


if __name__ == "__main__":
    sys.exit(main())
