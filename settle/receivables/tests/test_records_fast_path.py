"""The two invoice line parsers agree: the fast path (`invoice_record_parse_plain`, for the common
shape of a CSV line) and the general check (`invoice_record_parse_general`) accept, refuse and
produce exactly the same, on random and hostile lines.

`invoice_record_parse` tries the fast path and falls back to the general check, so the two can
only differ where the fast path takes a line; these tests compare the whole parse with the
general check alone, down to the type and digits of every value and every error message.
"""

from datetime import date
from decimal import Decimal

from django.test import override_settings
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from settle.receivables.records import (
    RecordInvalid,
    invoice_record_parse,
    invoice_record_parse_general,
    invoice_record_parse_plain,
)

STATUSES = {"open", "reminder_1", "final_notice"}
FIELDS = [
    "number",
    "debtor_number",
    "issue_date",
    "due_date",
    "amount",
    "open_amount",
    "currency",
    "payment_reference",
    "collection_status",
]

# Characters a hostile or careless file brings: separators, quotes, white space of every kind
# (including what str.strip() takes and \s does not), NUL, other scripts' digits, signs, currency.
HOSTILE_CHARS = list(
    ",;.\t\n\r \x00\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2000\u2028\u3000\ufeff\"'`-_+eE€$%"
    "٠١٢٣٤٥٦٧٨٩０１２９߀𝟎𝟗ⅷ²"
)
hostile_text = st.text(
    alphabet=st.one_of(st.sampled_from(HOSTILE_CHARS), st.characters(codec="ascii")), max_size=16
)
odd_values = st.one_of(
    st.none(),
    st.just(""),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    hostile_text,
    st.text(max_size=60),
)


def padded(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A value as a file may carry it: as it is, or with white space or NUL around it."""
    pad = st.sampled_from(["", "", "", " ", "\t", "\x00", "\xa0", "\n", "\u3000", "\x1c"])
    return st.tuples(pad, values, pad).map("".join)


numbers = st.one_of(
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{48,52}", fullmatch=True),
    st.sampled_from(["F1", "DEB-001", "2025.0001", "٣٣", "Ⅷ", "ǅ1", "a" * 50, "a" * 51]),
)
dates = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.dates().map(lambda d: d.strftime("%d-%m-%Y")),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.sampled_from(
        [
            "2025-02-29",
            "2024-02-29",
            "2025-13-01",
            "2025-00-10",
            "0000-01-01",
            "1899-12-31",
            "1900-01-01",
            "2100-12-31",
            "2101-01-01",
            "9999-12-31",
            "2025-1-01",
            "2025-01-1 ",
            "2025-01-01T",
            "2025-W01-1",
            "٢٠٢٥-٠١-٠١",
            "２０２５-０１-０１",
            "20250101",
        ]
    ),
)
amounts = st.one_of(
    st.from_regex(r"[0-9]{1,14}([.,][0-9]{0,3})?", fullmatch=True),
    st.decimals(min_value=0, max_value=Decimal("1e13"), places=2).map(str),
    st.sampled_from(
        [
            "0",
            "0.00",
            "125.5",
            "125,50",
            "1.234,56",
            "1,234.56",
            "999999999999.99",
            "1000000000000.00",
            "9" * 40,
            "1e400",
            "1E2",
            "-1",
            "+1",
            "NaN",
            "Infinity",
            "€ 12,50",
            "12.505",
            "١٢٣.٤٥",
            "１２３",
            "0x10",
            "1_000",
            ".5",
            "5.",
        ]
    ),
)
currencies = st.one_of(
    st.sampled_from(["EUR", "eur", "Eur", "USD", "usd", "EU", "EURO", "€", "ЕUR", "ÉUR"]),
    st.from_regex(r"[A-Za-z]{3}", fullmatch=True),
)
references = st.one_of(st.text(max_size=60), st.from_regex(r"RF[0-9]{2}[A-Z0-9]{1,21}"))
collection_statuses = st.one_of(
    st.sampled_from(["open", "OPEN", "Reminder_1", "final_notice", "collection_agency", "ß"]),
    st.text(max_size=45),
)

plain = {
    "number": numbers,
    "debtor_number": numbers,
    "issue_date": dates,
    "due_date": dates,
    "amount": amounts,
    "open_amount": amounts,
    "currency": currencies,
    "payment_reference": references,
    "collection_status": collection_statuses,
}
# The values the fast path is written for: a line of these alone is taken by it.
common = {
    "number": st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True),
    "debtor_number": st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True),
    "issue_date": st.dates(date(1900, 1, 1), date(2000, 12, 31)).map(date.isoformat),
    "due_date": st.dates(date(2001, 1, 1), date(2100, 12, 31)).map(date.isoformat),
    "amount": st.from_regex(r"[1-9][0-9]{2,5}([.,][0-9]{1,2})?", fullmatch=True),
    "open_amount": st.from_regex(r"[0-9]{1,2}([.,][0-9]{1,2})?", fullmatch=True),
    "currency": st.sampled_from(["EUR", "eur", "USD", ""]),
    "payment_reference": st.from_regex(r"RF[0-9]{2}[A-Z0-9]{1,21}", fullmatch=True),
    "collection_status": st.sampled_from(sorted(STATUSES) + ["OPEN", " open ", ""]),
}


@st.composite
def lines(draw) -> dict:
    """An invoice line: a common one (which the fast path takes) with a few of its values
    replaced by something odd, padded or hostile, or left out; or one made of such values only."""
    line = {}
    near = draw(st.booleans())
    for name in FIELDS:
        if near:
            kind = draw(st.sampled_from(["common"] * 12 + ["plain", "padded", "odd", "missing"]))
        else:
            kind = draw(st.sampled_from(["plain", "padded", "padded", "odd", "missing"]))
        if kind == "missing":
            continue
        strategy = {
            "common": common[name],
            "plain": plain[name],
            "padded": padded(plain[name]),
            "odd": odd_values,
        }[kind]
        line[name] = draw(strategy)
    return line


def outcome(parse, line: dict, *, decimal_comma: bool):
    """What a parser makes of a line, compared exactly: the type and text of every value, or the
    field and message of every error in their order."""
    try:
        record = parse(line, collection_statuses=STATUSES, decimal_comma=decimal_comma)
    except RecordInvalid as exc:
        return ("refused", [(e.field, e.message, e.index) for e in exc.errors])
    return ("accepted", [(n, type(v).__name__, str(v)) for n, v in vars(record).items()])


@settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(line=lines(), decimal_comma=st.booleans())
@example(
    line={
        "number": "F1",
        "debtor_number": "D1",
        "issue_date": "2025-01-01",
        "due_date": "2025-01-31",
        "amount": "125.50",
        "currency": "eur",
        "payment_reference": " RF18 ",
        "collection_status": " OPEN ",
    },
    decimal_comma=False,
)
@example(line={"number": "F1", "amount": "1,5", "open_amount": ""}, decimal_comma=True)
def test_the_fast_path_and_the_general_check_agree_on_any_line(line, decimal_comma):
    # Two accepted currencies, so that the fast path's own currency check is put to the test.
    with override_settings(SETTLE_CURRENCIES=["EUR", "USD"]), translation.override("en"):
        both = outcome(invoice_record_parse, line, decimal_comma=decimal_comma)
        general = outcome(invoice_record_parse_general, line, decimal_comma=decimal_comma)
    assert both == general


def test_the_fast_path_takes_the_common_line():
    # Without this the property above would also hold for a fast path that never takes a line.
    line = {
        "number": "2025-0001",
        "debtor_number": "DEB-001",
        "issue_date": "2025-01-01",
        "due_date": "2025-01-31",
        "amount": "125.5",
        "open_amount": "100.00",
        "currency": "EUR",
        "payment_reference": "RF18539007547034",
        "collection_status": "open",
    }

    record = invoice_record_parse_plain(line, STATUSES, False)

    assert record is not None
    assert record == invoice_record_parse_general(line, collection_statuses=STATUSES)
