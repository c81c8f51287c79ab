"""One message written from its template: the values, the parts its channel uses, the SMS as
plain text and the e-mail in its layout.

Sending (`services.message_send`) and the template preview (`configuration.template_preview`)
both write through `message_render`, so an editor previews exactly what a debtor would get, and
the render limits of `limits.py` hold on both paths. The letter layout around a rendered body is
`services.letter_document`, which each of the two calls with its own invoices.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.template.loader import render_to_string
from django.utils.translation import override

from settle.correspondence.models import Channel, Organisation, Template
from settle.correspondence.rendering import output_limit, template_compile, template_render
from settle.correspondence.selectors import template_variables
from settle.correspondence.smsparts import sms_plain
from settle.correspondence.variables import (
    message_context,
    message_values,
    payable_invoices,
    sample_context,
)
from settle.receivables.models import Debtor, Invoice

# Which parts a channel uses, and whether each is HTML.
CHANNEL_PARTS: dict[str, tuple[tuple[str, bool], ...]] = {
    Channel.EMAIL: (("subject", False), ("body_text", False), ("body_html", True)),
    Channel.SMS: (("body_text", False),),
    Channel.LETTER: (("subject", False), ("body_html", True)),
}


@dataclass(frozen=True)
class Rendered:
    """The written parts; an e-mail's HTML is the whole mail, a letter's only its body."""

    subject: str = ""
    body_text: str = ""
    body_html: str = ""


class PartFailed(Exception):  # noqa: N818 (a signal to the caller, who words the refusal)
    """One part of a template could not be written for these values; `error` says why."""

    def __init__(self, part: str, error: Exception) -> None:
        super().__init__(part, error)
        self.part = part
        self.error = error


def message_render(
    *,
    kind: str,
    channel: str,
    language: str,
    texts: Mapping[str, str],
    debtor: Debtor | None,
    invoices: Iterable[Invoice] = (),
    link: tuple[str, datetime | None] = ("", None),
    organisation: Organisation | None = None,
    extra: dict | None = None,
    preview: bool = False,
) -> Rendered:
    """The parts of `texts` (subject, body_text, body_html) that `channel` uses, written in
    `language` for `debtor` with these invoices, link and kind values; for the sample debtor
    and values when `debtor` is None. A `preview` creates nothing (its pay link is a
    stand-in, like its portal link). Raises PartFailed for the first part that cannot be
    written (a render limit reached, a value missing)."""
    if debtor is None:
        values = sample_context(kind, language)
    else:
        invoices = list(invoices)
        # A pay link is a row of its own: made only for a template that shows it (a letter
        # cannot be clicked, and an administrator may have left the button out).
        shows_pay_link = "pay_link" in template_variables(Template(**_fields(texts)))
        more = message_values(
            debtor=None if preview else debtor,
            invoices=payable_invoices(kind, invoices),
            link_expires_at=link[1] if shows_pay_link else None,
        )
        values = message_context(
            language=language,
            debtor_name=debtor.name,
            debtor_number=debtor.number,
            invoices=invoices,
            link_url=link[0],
            link_expires_at=link[1],
            organisation=organisation or Organisation.load(),
            extra=extra,
            more=more,
        )
    return message_parts(channel=channel, language=language, texts=texts, values=values)


def _fields(texts: Mapping[str, str]) -> dict[str, str]:
    return {part: texts.get(part, "") for part in ("subject", "body_text", "body_html")}


def message_parts(
    *, channel: str, language: str, texts: Mapping[str, str], values: tuple[dict, dict]
) -> Rendered:
    """The writing half of `message_render`, for values already made (the text ones and the
    HTML ones): a template check that holds the sample values renders with them."""
    text, html = values
    parts = {}
    for part, is_html in CHANNEL_PARTS[channel]:
        try:
            compiled = template_compile(texts.get(part, ""), html=is_html)
            parts[part] = template_render(
                compiled, html if is_html else text, limit=output_limit(channel=channel, part=part)
            )
        except Exception as exc:  # noqa: BLE001 (the caller says which template broke, and how)
            raise PartFailed(part, exc) from exc
    subject = " ".join(parts.get("subject", "").split())
    body_text = parts.get("body_text", "")
    body_html = parts.get("body_html", "")
    if channel == Channel.SMS:
        body_text = sms_plain(body_text)
    elif channel == Channel.EMAIL and body_html:
        with override(language):
            body_html = render_to_string(
                "correspondence/email.html",
                {"subject": subject, "body": body_html, "language": language},
            )
    return Rendered(subject=subject, body_text=body_text, body_html=body_html)
