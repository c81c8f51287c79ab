"""The values a template sees: plain, already formatted strings in the debtor's language.

Templates get no model objects (see `rendering.py`), so everything is turned into text here:
amounts in the language's notation, dates written out, and the invoice and instalment tables
once as plain text (for e-mail text and SMS) and once as HTML (for e-mail HTML and letters).
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override
from markupsafe import Markup

from settle.common.dates import organisation_today
from settle.common.hooks import hooks
from settle.common.money import money
from settle.correspondence.kinds import REMINDER_KINDS, kind_issues_link
from settle.correspondence.models import Organisation
from settle.receivables.models import Debtor, Invoice

LONG_DATE = "j F Y"


def long_date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return date_format(value, LONG_DATE)


def _short_date(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _text_table(header: Sequence[str], rows: list[Sequence[str]], total: Sequence[str]) -> str:
    lines = [header, *rows, total]
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]

    def layout(line: Sequence[str]) -> str:
        cells = [
            cell.rjust(width) if column == len(header) - 1 else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    return "\n".join(layout(line) for line in lines)


def _html_table(header: Sequence[str], rows: list[Sequence[str]], total: Sequence[str]) -> Markup:
    def row(cells: Sequence[str], tag: str) -> SafeString:
        last = len(cells) - 1
        return format_html_join(
            "",
            '<{} style="text-align:{};padding:2px 8px">{}</{}>',
            ((tag, "right" if i == last else "left", cell, tag) for i, cell in enumerate(cells)),
        )

    body = format_html_join("", "<tr>{}</tr>", ((row(cells, "td"),) for cells in rows))
    html = format_html(
        '<table style="border-collapse:collapse">'
        "<thead><tr>{}</tr></thead><tbody>{}</tbody><tfoot><tr>{}</tr></tfoot></table>",
        row(header, "th"),
        body,
        row(total, "th"),
    )
    # Every cell went through format_html, which escaped it.
    return Markup(str(html))  # noqa: S704


def _invoice_values(invoices: Iterable[Invoice]) -> tuple[list[dict], Decimal]:
    values, total = [], Decimal("0.00")
    for invoice in invoices:
        total += invoice.open_amount
        values.append(
            {
                "number": invoice.number,
                "invoice_date": long_date(invoice.issue_date),
                "due_date": long_date(invoice.due_date),
                "amount": money(invoice.amount, invoice.currency),
                "open_amount": money(invoice.open_amount, invoice.currency),
                "payment_reference": invoice.payment_reference,
                "_short": (_short_date(invoice.issue_date), _short_date(invoice.due_date)),
            }
        )
    return values, total


def _tables(header, rows, total) -> tuple[str, Markup]:
    return _text_table(header, rows, total), _html_table(header, rows, total)


def _invoice_part(invoices: list[Invoice]) -> tuple[list[dict], Decimal, tuple[str, Markup]]:
    """The values of `invoices`, their total open amount and their table (text, HTML)."""
    values, total = _invoice_values(invoices)
    header = (_("Invoice"), _("Invoice date"), _("Due date"), _("Open amount"))
    rows = [(v["number"], *v.pop("_short"), v["open_amount"]) for v in values]
    return values, total, _tables(header, rows, ("", "", _("Total"), money(total)))


def organisation_values(organisation: Organisation) -> dict[str, str]:
    return {
        "organisation_name": organisation.name,
        "organisation_address": ", ".join(organisation.address_lines),
        "organisation_email": organisation.email,
        "organisation_phone": organisation.phone,
        "organisation_website": organisation.website,
        "organisation_iban": organisation.iban,
        "organisation_bic": organisation.bic,
    }


def message_link(
    *, debtor: Debtor | None, issue: bool, created_by=None
) -> tuple[str, datetime | None]:
    """The `portal_link` of a message and when it expires, from the portal (a higher app)
    through the `SETTLE_MESSAGE_LINK` hook: a fresh link when `issue` (a stand-in when there
    is no debtor, for previews), else the page where a debtor asks for a new link, which does
    not expire. Nothing where no portal is installed."""
    for provider in hooks("SETTLE_MESSAGE_LINK"):
        return provider(debtor=debtor, issue=issue, created_by=created_by)
    return "", None


def message_values(
    *, debtor: Debtor | None, invoices: Iterable[Invoice], link_expires_at: datetime | None
) -> dict:
    """The values the apps above correspondence give a message, through the
    `SETTLE_MESSAGE_VALUES` hook: whether debtors can pay online, and a pay link for `invoices`
    valid as long as the message's portal link (a stand-in when there is no debtor, for
    previews). Where no such app is installed, templates still render: nothing to pay online.
    """
    invoices = list(invoices)
    values: dict = {"online_payment": False, "pay_link": ""}
    for provider in hooks("SETTLE_MESSAGE_VALUES"):
        values.update(provider(debtor=debtor, invoices=invoices, link_expires_at=link_expires_at))
    return values


def payable_invoices(kind: str, invoices: list[Invoice]) -> list[Invoice]:
    """The invoices a message asks payment for: a reminder's overdue ones (all of them when,
    unusually, none is overdue yet), every one for the other kinds."""
    if kind in REMINDER_KINDS:
        return [invoice for invoice in invoices if invoice.is_overdue] or invoices
    return invoices


def message_context(
    *,
    language: str,
    debtor_name: str,
    debtor_number: str,
    invoices: Iterable[Invoice],
    link_url: str,
    link_expires_at: datetime | None,
    organisation: Organisation,
    extra: dict | None = None,
    more: dict | None = None,
) -> tuple[dict, dict]:
    """The variables for the text parts and for the HTML parts of one message.

    The two differ only in the ready-made tables. `extra` holds the kind's own values (a
    promise date, instalments as (number, due date, amount) …), formatted here; `more` those
    of `message_values`, ready as they are.
    """
    with override(language):
        invoices = list(invoices)
        invoice_values, total, (text_table, html_table) = _invoice_part(invoices)
        # A reminder names what is overdue, and says of anything else that it is not due yet.
        overdue = [invoice for invoice in invoices if invoice.is_overdue]
        not_due = [invoice for invoice in invoices if not invoice.is_overdue]
        overdue_values, overdue_total, overdue_tables = _invoice_part(overdue)
        not_due_values, not_due_total, not_due_tables = _invoice_part(not_due)
        if link_expires_at is not None:
            # Counted in calendar days, like the expiry (the end of the day named), so that
            # "14 days" and "up to and including 7 December" always agree.
            last_day = timezone.localtime(link_expires_at, timezone.get_default_timezone()).date()
            days = max(1, (last_day - organisation_today()).days)
            valid_until = long_date(last_day)
            validity = ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
        else:
            valid_until = validity = ""
        context = {
            "debtor_name": debtor_name,
            "debtor_number": debtor_number,
            "invoices": invoice_values,
            "total_open_amount": money(total),
            "overdue_invoices": overdue_values,
            "overdue_amount": money(overdue_total),
            "not_yet_due_invoices": not_due_values,
            "not_yet_due_amount": money(not_due_total),
            "portal_link": link_url,
            "portal_link_valid_until": valid_until,
            "portal_link_validity": validity,
            **organisation_values(organisation),
            "today": long_date(timezone.localdate()),
            "online_payment": False,
            "pay_link": "",
            **(more or {}),
        }
        tables = {
            "overdue_invoice_table": overdue_tables,
            "not_yet_due_invoice_table": not_due_tables,
        }
        for name, value in (extra or {}).items():
            if name == "instalments":
                instalments = [
                    {"number": str(n), "due_date": long_date(d), "amount": money(a)}
                    for n, d, a in value
                ]
                context["instalments"] = instalments
                tables["instalment_table"] = _tables(
                    (_("Instalment"), _("Due date"), _("Amount")),
                    [(i["number"], i["due_date"], i["amount"]) for i in instalments],
                    ("", _("Total"), money(sum((a for _n, _d, a in value), Decimal("0.00")))),
                )
            else:
                context[name] = _formatted(value)
    text = {**context, "invoice_table": text_table}
    html = {**context, "invoice_table": html_table}
    for name, (text_value, html_value) in tables.items():
        text[name], html[name] = text_value, html_value
    return text, html


def _formatted(value) -> str | bool:
    # A yes/no stays one, for `{% if %}`: as text even "False" would count as yes.
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, date | datetime):
        return long_date(value)
    return str(value)


def sample_context(kind: str, language: str) -> tuple[dict, dict]:
    """Realistic values for checking a template before it is saved: two overdue invoices and one
    not due yet, a link valid for two weeks, and every value the kind has of its own."""
    today = timezone.localdate()
    invoices = [
        Invoice(
            number=f"F-2026-{n}",
            issue_date=today - timedelta(days=45 - n),
            due_date=today - timedelta(days=15 - n),
            amount=Decimal(amount),
            open_amount=Decimal(amount),
            payment_reference=f"100000000000{n:04d}",
        )
        for n, amount in ((1, "121.00"), (2, "1450.50"))
    ]
    # And one that is not due yet, so that a reminder's "not yet due" part shows too.
    invoices.append(
        Invoice(
            number="F-2026-3",
            issue_date=today - timedelta(days=4),
            due_date=today + timedelta(days=26),
            amount=Decimal("250.00"),
            open_amount=Decimal("250.00"),
            payment_reference="1000000000000003",
        )
    )
    with override(language):
        extra = sample_extra(kind, language)
        debtor_name = _("Sample Company Ltd")
    link_url, link_expires_at = message_link(debtor=None, issue=kind_issues_link(kind))
    more = message_values(debtor=None, invoices=invoices, link_expires_at=link_expires_at)
    return message_context(
        language=language,
        debtor_name=debtor_name,
        debtor_number="D-0001",
        invoices=invoices,
        link_url=link_url,
        link_expires_at=link_expires_at,
        organisation=Organisation.load(),
        extra=extra,
        more=more,
    )


def sample_extra(kind: str, language: str) -> dict:
    """Sample values for what a kind has of its own (a promise, instalments, a reason)."""
    today = timezone.localdate()
    with override(language):
        return {
            "response_type": _("Complaint"),
            "promise_date": today + timedelta(days=3),
            "promise_amount": Decimal("1571.50"),
            "instalments": [
                (1, today + timedelta(days=7), Decimal("523.84")),
                (2, today + timedelta(days=37), Decimal("523.83")),
                (3, today + timedelta(days=67), Decimal("523.83")),
            ],
            "arrangement_total": Decimal("1571.50"),
            "schedule_changed": False,
            "rejection_reason": _("The first instalment is too far away."),
            "end_reason": _("At your request: you will pay the rest in one go."),
            "arrangement_paid": Decimal("523.84"),
            # Statutory costs (dunning/costs.py) for the sample's overdue € 1,571.50: the
            # preview shows both the consumer's and the business's wording.
            "collection_costs": Decimal("235.73"),
            "collection_costs_deadline": today + timedelta(days=16),
            "collection_costs_chargeable": True,
            "commercial_interest": Decimal("6.54"),
            "compensation_fee": Decimal("80.00"),
        }
