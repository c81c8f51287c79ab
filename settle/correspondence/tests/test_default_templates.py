"""The seeded default templates: every kind, channel and language exists, and each one renders.

They are checked the way the app renders them: Jinja2's SandboxedEnvironment with StrictUndefined,
autoescaping on for .html parts only.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import jinja2
import pytest
from django.utils import timezone
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from settle.correspondence.configuration import template_check
from settle.correspondence.defaults import default_fields
from settle.correspondence.kinds import CHANNELS, kind_issues_link, kind_variable_names
from settle.correspondence.models import Channel, Organisation
from settle.correspondence.smsparts import sms_plain
from settle.correspondence.variables import message_context, sample_extra
from settle.receivables.models import Invoice

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
    "arrangement_ended": EMAIL + LETTER,
    "invoice_copy": EMAIL,
    "fourteen_day_letter": EMAIL + LETTER,
}

# GSM 03.38: anything outside these switches an SMS to UCS-2 and a part shrinks to 70 characters.
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
TWO_SMS_PARTS = 306
THREE_SMS_PARTS = 459

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


# A real link: a public base URL, /p/ and a 43-character key.
LINK = "https://portaal.voorbeeldstad.nl/p/" + "Xq3v_8KpZr2LmN0aBcD4eFgH5iJkL6mNoP7qRsT9uVw"
# A real pay link: /pay/ and a signed 47-character token.
PAY_LINK = (
    "https://portaal.voorbeeldstad.nl/pay/" + "b7Q." + "Zr2LmN0aBcD4eFgH5iJkL6mNoP7qRsT9uVwXq3v_8Kp"
)
# What a message the debtor caused in the portal links to instead: no key of its own.
NEW_LINK_PAGE = "https://portaal.voorbeeldstad.nl/portal/new-link/"
ORGANISATION = Organisation(
    name="Woningstichting Voorbeeldstad",
    street="Stationsplein 12",
    postal_code="3511 ED",
    city="Utrecht",
    email="debiteuren@voorbeeldstad.nl",
    phone="030 123 45 67",
    website="www.voorbeeldstad.nl",
    iban="NL91ABNA0417164300",
    bic="ABNANL2A",
)


def _context(language: str, kind: str, part: str, invoice_count: int = 2, **overrides) -> dict:
    """The values the app itself gives a template (its own context builder), for sample data."""
    today = timezone.localdate()
    invoices = [
        Invoice(
            number=f"F-2026-0{n}42",
            issue_date=today - timedelta(days=40 + n),
            due_date=today - timedelta(days=10 + n),
            amount=Decimal(amount),
            open_amount=Decimal(amount),
            payment_reference=f"RF18{n}00000",
        )
        for n, amount in ((1, "834.56"), (2, "400.00"))
    ][:invoice_count]
    text, html = message_context(
        language=language,
        debtor_name=overrides.pop("debtor_name", "Alice de Vries"),
        debtor_number="D-100234",
        invoices=invoices,
        link_url=LINK if kind_issues_link(kind) else NEW_LINK_PAGE,
        link_expires_at=timezone.now() + timedelta(days=14) if kind_issues_link(kind) else None,
        organisation=ORGANISATION,
        extra=sample_extra(kind, language),
        more={
            "online_payment": overrides.pop("online_payment", True),
            "pay_link": overrides.pop("pay_link", PAY_LINK if kind_issues_link(kind) else ""),
        },
    )
    return (html if part.endswith(".html") else text) | overrides


def _render(language: str, kind: str, part: str, **context_options) -> str:
    template = _environment(part).from_string(_source(language, kind, part))
    return template.render(_context(language, kind, part, **context_options))


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
    assert ORGANISATION.name in rendered
    if not kind_issues_link(kind):
        # An answer to the debtor's own action carries no key: it leads to the page where a
        # debtor asks for a new link, and promises no validity it does not have.
        assert NEW_LINK_PAGE in rendered
        assert LINK not in rendered
        return
    # Every other message leads to the portal, says how long the link works and that it is
    # personal.
    context = _context(language, kind, part)
    assert LINK in rendered
    assert context["portal_link_validity"] in rendered
    assert context["portal_link_valid_until"] in rendered


@pytest.mark.parametrize(("language", "kind", "part"), _files("subject.txt"))
def test_it_keeps_subjects_to_one_line_without_amounts_or_names(language, kind, part):
    subject = _render(language, kind, part).strip()

    assert subject
    assert "\n" not in subject
    assert len(subject) <= 120
    assert "€" not in subject
    assert "Alice de Vries" not in subject


@pytest.mark.parametrize("pay_link", [PAY_LINK, ""], ids=["pay-link", "no-pay-link"])
@pytest.mark.parametrize(("language", "kind", "part"), _files("sms.txt"))
def test_it_keeps_an_sms_within_two_gsm7_parts(language, kind, part, pay_link):
    sms = sms_plain(_render(language, kind, part, pay_link=pay_link).strip())

    assert set(sms) <= GSM7_BASIC | GSM7_EXTENSION, set(sms) - GSM7_BASIC - GSM7_EXTENSION
    # A final notice says what it must in full, and a pay link next to the portal link then
    # takes a third part.
    limit = THREE_SMS_PARTS if pay_link and kind == "final_notice" else TWO_SMS_PARTS
    assert _sms_length(sms) <= limit


@pytest.mark.parametrize(("language", "kind", "part"), _files("body.html", "letter.html"))
def test_it_writes_html_fragments_that_escape_what_the_debtor_typed(language, kind, part):
    source = _source(language, kind, part).lower()
    rendered = _render(language, kind, part, debtor_name="<b>Alice</b>")

    for tag in ("<html", "<head", "<body", "<style", "<link", "<script", "<img", "|safe"):
        assert tag not in source
    assert "<b>Alice</b>" not in rendered
    assert "&lt;b&gt;Alice&lt;/b&gt;" in rendered
    # The ready-made table arrives as markup and must stay a table.
    assert "<table" in rendered
