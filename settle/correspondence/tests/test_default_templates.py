"""The seeded default templates: every kind, channel and language exists, and each one renders.

They are checked the way the app renders them: Jinja2's SandboxedEnvironment with StrictUndefined,
autoescaping on for .html parts only.
"""

from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from settle.correspondence.configuration import template_check
from settle.correspondence.defaults import default_fields
from settle.correspondence.kinds import CHANNELS, kind_variable_names
from settle.correspondence.models import Channel

DEFAULTS = Path(__file__).resolve().parent.parent / "defaults"
LANGUAGES = ("nl", "en")

EMAIL = ("subject.txt", "body.txt", "body.html")
SMS = ("sms.txt",)
LETTER = ("letter.html",)

# The files each channel has (see defaults.PARTS); a letter borrows the e-mail's subject.
CHANNEL_FILES = {Channel.EMAIL: EMAIL, Channel.SMS: SMS, Channel.LETTER: LETTER}
PARTS = {
    "portal_invitation": EMAIL + SMS + LETTER,
    "reminder_1": EMAIL + SMS + LETTER,
    "reminder_2": EMAIL + SMS + LETTER,
    "final_notice": EMAIL + SMS + LETTER,
    "response_received": EMAIL,
    "promise_confirmed": EMAIL + SMS,
    "promise_broken": EMAIL + SMS + LETTER,
    "arrangement_accepted": EMAIL + LETTER,
    "arrangement_under_review": EMAIL,
    "arrangement_rejected": EMAIL + LETTER,
    "invoice_copy": EMAIL,
}

# GSM 03.38: anything outside these switches an SMS to UCS-2 and a part shrinks to 70 characters.
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
TWO_SMS_PARTS = 306

FILES = [
    (language, kind, part)
    for language in LANGUAGES
    for kind, parts in PARTS.items()
    for part in parts
]


def _files(*parts: str) -> list:
    """The files with one of these part names (all files without any), each with a readable id."""
    return [
        pytest.param(*file, id="/".join(file)) for file in FILES if not parts or file[2] in parts
    ]


def _environment(part: str) -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=part.endswith(".html"))


def _source(language: str, kind: str, part: str) -> str:
    return (DEFAULTS / language / kind / part).read_text(encoding="utf-8")


def _text_table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _html_table(rows: list[tuple[str, ...]]) -> Markup:
    # Markup.format escapes every cell, as the app's own table builder must.
    head, *body = rows
    header = Markup("").join(Markup("<th>{}</th>").format(cell) for cell in head)
    lines = Markup("").join(
        Markup("<tr>{}</tr>").format(
            Markup("").join(Markup("<td>{}</td>").format(cell) for cell in row)
        )
        for row in body
    )
    return Markup("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>").format(
        header, lines
    )


SAMPLES = {
    "nl": {
        "debtor_name": "Alice de Vries",
        "debtor_number": "D-100234",
        "total_open_amount": "€ 1.234,56",
        "portal_link_valid_until": "7 december 2026",
        "portal_link_validity": "14 dagen",
        "organisation_address": "Stationsplein 12, 3511 ED Utrecht",
        "today": "23 november 2026",
        "response_type": "Klacht",
        "promise_date": "30 september 2026",
        "promise_amount": "€ 500,00",
        "arrangement_total": "€ 1.234,56",
        "rejection_reason": "De looptijd van de regeling is langer dan twaalf maanden.",
        "invoices": [
            ("F-2026-0142", "1 oktober 2026", "31 oktober 2026", "€ 834,56", "€ 834,56"),
            ("F-2026-0187", "1 november 2026", "15 november 2026", "€ 400,00", "€ 400,00"),
        ],
        "invoice_header": ("Factuur", "Factuurdatum", "Vervaldatum", "Openstaand"),
        "total_label": "Totaal",
        "instalments": [
            ("1", "1 december 2026", "€ 411,52"),
            ("2", "1 januari 2027", "€ 411,52"),
            ("3", "1 februari 2027", "€ 411,52"),
        ],
        "instalment_header": ("Termijn", "Vervaldatum", "Bedrag"),
    },
    "en": {
        "debtor_name": "Alice de Vries",
        "debtor_number": "D-100234",
        "total_open_amount": "€1,234.56",
        "portal_link_valid_until": "7 December 2026",
        "portal_link_validity": "14 days",
        "organisation_address": "Stationsplein 12, 3511 ED Utrecht, the Netherlands",
        "today": "23 November 2026",
        "response_type": "Complaint",
        "promise_date": "30 September 2026",
        "promise_amount": "€500.00",
        "arrangement_total": "€1,234.56",
        "rejection_reason": "The arrangement would run for more than twelve months.",
        "invoices": [
            ("F-2026-0142", "1 October 2026", "31 October 2026", "€834.56", "€834.56"),
            ("F-2026-0187", "1 November 2026", "15 November 2026", "€400.00", "€400.00"),
        ],
        "invoice_header": ("Invoice", "Invoice date", "Due date", "Outstanding"),
        "total_label": "Total",
        "instalments": [
            ("1", "1 December 2026", "€411.52"),
            ("2", "1 January 2027", "€411.52"),
            ("3", "1 February 2027", "€411.52"),
        ],
        "instalment_header": ("Instalment", "Due date", "Amount"),
    },
}
ORGANISATION = {
    "organisation_name": "Woningstichting Voorbeeldstad",
    "organisation_email": "debiteuren@voorbeeldstad.nl",
    "organisation_phone": "030 123 45 67",
    "organisation_website": "www.voorbeeldstad.nl",
    "organisation_iban": "NL91 ABNA 0417 1643 00",
    "organisation_bic": "ABNANL2A",
    # A real link: SETTLE_BASE_URL, /p/ and a 43-character key.
    "portal_link": "https://portaal.voorbeeldstad.nl/p/"
    + "Xq3v_8KpZr2LmN0aBcD4eFgH5iJkL6mNoP7qRsT9uVw",
}


def _context(language: str, part: str, invoice_count: int = 2, **overrides) -> dict:
    sample = SAMPLES[language]
    invoice_rows = sample["invoices"][:invoice_count]
    invoices = [
        SimpleNamespace(
            number=number,
            invoice_date=invoice_date,
            due_date=due_date,
            amount=amount,
            open_amount=open_amount,
            payment_reference=f"RF18{number[-4:]}00000",
        )
        for number, invoice_date, due_date, amount, open_amount in invoice_rows
    ]
    invoice_total = sample["total_open_amount"] if invoice_count == 2 else invoice_rows[0][4]
    invoice_table_rows = [
        sample["invoice_header"],
        *[
            (number, invoice_date, due_date, open_amount)
            for number, invoice_date, due_date, _, open_amount in invoice_rows
        ],
        (sample["total_label"], "", "", invoice_total),
    ]
    instalment_rows = [
        sample["instalment_header"],
        *sample["instalments"],
        (sample["total_label"], "", sample["arrangement_total"]),
    ]
    table = _html_table if part.endswith(".html") else _text_table
    context = {
        key: value
        for key, value in sample.items()
        if key not in {"invoices", "instalments"} and not key.endswith(("_header", "_label"))
    }
    context |= ORGANISATION | {
        "invoices": invoices,
        "invoice_table": table(invoice_table_rows),
        "total_open_amount": invoice_total,
        "instalments": [
            SimpleNamespace(number=number, due_date=due_date, amount=amount)
            for number, due_date, amount in sample["instalments"]
        ],
        "instalment_table": table(instalment_rows),
    }
    return context | overrides


def _render(language: str, kind: str, part: str, **context_options) -> str:
    template = _environment(part).from_string(_source(language, kind, part))
    return template.render(_context(language, part, **context_options))


def _sms_length(text: str) -> int:
    return sum(2 if character in GSM7_EXTENSION else 1 for character in text)


def test_it_has_every_kind_and_channel_in_both_languages():
    for language in LANGUAGES:
        kinds = {path.name for path in (DEFAULTS / language).iterdir() if path.is_dir()}
        assert kinds == set(PARTS), language
        for kind, parts in PARTS.items():
            present = {path.name for path in (DEFAULTS / language / kind).iterdir()}
            assert present == set(parts), f"{language}/{kind}"


def test_it_has_the_same_files_in_dutch_and_english():
    def files(language: str) -> set[Path]:
        root = DEFAULTS / language
        return {path.relative_to(root) for path in root.rglob("*") if path.is_file()}

    assert files("nl") == files("en")
    assert {path.name for path in DEFAULTS.iterdir()} == set(LANGUAGES)


@pytest.mark.parametrize(("language", "kind", "part"), _files())
def test_it_uses_only_the_variables_of_its_kind(language, kind, part):
    parsed = _environment(part).parse(_source(language, kind, part))

    used = meta.find_undeclared_variables(parsed)

    assert used <= kind_variable_names(kind)


def test_it_has_the_files_of_the_catalogue():
    expected = {
        kind: tuple(dict.fromkeys(f for c in channels for f in CHANNEL_FILES[c]))
        for kind, channels in CHANNELS.items()
    }
    assert {kind: set(files) for kind, files in expected.items()} == {
        kind: set(files) for kind, files in PARTS.items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "channel", "language"),
    [(k, c, lang) for k, channels in CHANNELS.items() for c in channels for lang in LANGUAGES],
)
def test_it_passes_the_check_made_on_save(kind, channel, language):
    fields = default_fields(kind=kind, channel=channel, language=language)
    assert template_check(kind=kind, channel=channel, language=language, **fields) == []


@pytest.mark.parametrize("invoice_count", [1, 2])
@pytest.mark.parametrize(("language", "kind", "part"), _files())
def test_it_renders_with_realistic_values(language, kind, part, invoice_count):
    rendered = _render(language, kind, part, invoice_count=invoice_count)

    assert "{{" not in rendered
    assert "{%" not in rendered
    if part == "subject.txt":
        return
    # Every message leads to the portal, says how long the link works and that it is personal.
    assert ORGANISATION["portal_link"] in rendered
    assert SAMPLES[language]["portal_link_validity"] in rendered
    assert SAMPLES[language]["portal_link_valid_until"] in rendered
    assert ORGANISATION["organisation_name"] in rendered


@pytest.mark.parametrize(("language", "kind", "part"), _files("subject.txt"))
def test_it_keeps_subjects_to_one_line_without_amounts_or_names(language, kind, part):
    subject = _render(language, kind, part).strip()

    assert subject
    assert "\n" not in subject
    assert len(subject) <= 120
    assert "€" not in subject
    assert SAMPLES[language]["debtor_name"] not in subject


@pytest.mark.parametrize(("language", "kind", "part"), _files("sms.txt"))
def test_it_keeps_an_sms_within_two_gsm7_parts(language, kind, part):
    sms = _render(language, kind, part).strip()

    assert set(sms) <= GSM7_BASIC | GSM7_EXTENSION, set(sms) - GSM7_BASIC - GSM7_EXTENSION
    assert _sms_length(sms) <= TWO_SMS_PARTS


@pytest.mark.parametrize(("language", "kind", "part"), _files("body.html", "letter.html"))
def test_it_writes_html_fragments_that_escape_what_the_debtor_typed(language, kind, part):
    source = _source(language, kind, part).lower()
    rendered = _render(language, kind, part, debtor_name="<b>Alice</b>")

    for tag in ("<html", "<head", "<body", "<style", "<link", "<script", "<img", "|safe"):
        assert tag not in source
    assert "<b>Alice</b>" not in rendered
    assert "&lt;b&gt;Alice&lt;/b&gt;" in rendered
    # The ready-made table arrives as markup and must stay a table.
    assert "<table>" in rendered
