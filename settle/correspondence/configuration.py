"""What administrators configure for correspondence: the templates and the sender details.

A template is checked before it is stored — syntax, variables, a trial render, and for letters
the files it would make WeasyPrint fetch — so the outbox never meets a template that fails.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from settle.common.errors import ApplicationError, FieldError
from settle.correspondence.compose import (
    CHANNEL_PARTS,
    PartFailed,
    message_parts,
    message_render,
)
from settle.correspondence.defaults import default_fields
from settle.correspondence.kinds import kind_issues_link, kind_variable_names
from settle.correspondence.letters import letter_fetch_refusals
from settle.correspondence.models import Channel, Organisation, Template
from settle.correspondence.qr import iban_normalise
from settle.correspondence.rendering import (
    Problem,
    output_limit,
    render_reason,
    template_problems,
)
from settle.correspondence.services import letter_document
from settle.correspondence.smsparts import SmsSize, sms_size
from settle.correspondence.variables import message_link, sample_context, sample_extra
from settle.receivables.models import Debtor, Invoice

MAX_SMS_PARTS = 8
OPTIONAL_PARTS = {(Channel.EMAIL, "body_html")}
SUBJECT_LENGTH = Template._meta.get_field("subject").max_length


def template_check(
    *,
    kind: str,
    channel: str,
    language: str,
    subject: str,
    body_text: str,
    body_html: str,
    fetch_check: bool = True,
) -> list[FieldError]:
    """Every reason the texts cannot be saved as this template, each with its part and line.

    `fetch_check` renders a letter to find what it would fetch, which takes about a second; a
    preview leaves it to the save (its frame cannot fetch from elsewhere anyway).
    """
    values = {"subject": subject, "body_text": body_text, "body_html": body_html}
    allowed = kind_variable_names(kind)
    sample = text_sample, html_sample = sample_context(kind, language)
    problems: list[Problem] = []
    errors: list[FieldError] = []
    for part, html in CHANNEL_PARTS[channel]:
        source = values[part]
        if not source.strip():
            if (channel, part) not in OPTIONAL_PARTS:
                errors.append(FieldError(part, _("This field is required.")))
            continue
        problems += template_problems(
            source,
            part=part,
            html=html,
            allowed=allowed,
            sample=html_sample if html else text_sample,
            limit=output_limit(channel=channel, part=part),
        )
    if len(subject) > SUBJECT_LENGTH:
        errors.append(
            FieldError(
                "subject", _("Use at most %(limit)d characters.") % {"limit": SUBJECT_LENGTH}
            )
        )
    errors += [FieldError(problem.part, str(problem), problem.line) for problem in problems]
    if errors:
        return errors
    if channel == Channel.SMS:
        rendered = message_parts(channel=channel, language=language, texts=values, values=sample)
        size = sms_size(rendered.body_text)
        if size.parts > MAX_SMS_PARTS:
            errors.append(
                FieldError(
                    "body_text",
                    _("With sample values this SMS needs %(parts)d parts; at most %(max)d.")
                    % {"parts": size.parts, "max": MAX_SMS_PARTS},
                )
            )
    if channel == Channel.LETTER and fetch_check:
        body = message_parts(
            channel=channel, language=language, texts=values, values=sample
        ).body_html
        refused = letter_fetch_refusals(_sample_letter(body, subject, language))
        if refused:
            errors.append(
                FieldError(
                    "body_html",
                    _("Letters may only use Settle's own files; this template refers to %(urls)s.")
                    % {"urls": ", ".join(sorted(set(refused)))},
                )
            )
    return errors


def _sample_letter(body_html: str, subject: str, language: str) -> str:
    html, _notes = letter_preview(
        language=language, subject=subject, body_html=body_html, debtor=None
    )
    return html


def letter_preview(
    *, language: str, subject: str, body_html: str, debtor: Debtor | None
) -> tuple[str, list[str]]:
    """The whole letter around a rendered body, for `debtor` or a sample one, and notes for the
    editor. A payment block the letter cannot have (the organisation's IBAN is unusable, say)
    is left out, and a note says why rather than the preview showing nothing."""
    if debtor is None:
        with override(language):
            debtor = Debtor(
                number="D-0001",
                name=_("Sample Company Ltd"),
                street="Street 1",
                postal_code="1000 AA",
                city="Amsterdam",
            )
        invoices = [Invoice(open_amount=Decimal("1571.50"), payment_reference="")]
    else:
        invoices = list(Invoice.objects.open().filter(debtor=debtor).order_by("due_date"))
    arguments = {
        "debtor": debtor,
        "organisation": Organisation.load(),
        "subject": subject,
        "body_html": body_html,
        "language": language,
    }
    try:
        return letter_document(invoices=invoices, **arguments), []
    except ApplicationError as exc:
        return letter_document(invoices=[], **arguments), [exc.message]


def template_update(
    *, template: Template, subject: str, body_text: str, body_html: str, updated_by=None
) -> Template:
    """Store new texts for a template, or refuse them with every problem found."""
    errors = template_check(
        kind=template.kind,
        channel=template.channel,
        language=template.language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
    )
    if errors:
        raise ApplicationError(_("The template was not saved; please correct it."), errors=errors)
    used = {part for part, _html in CHANNEL_PARTS[template.channel]}
    values = {"subject": subject, "body_text": body_text, "body_html": body_html}
    for part in set(values) - used:
        values[part] = ""
    with transaction.atomic():
        for name, value in values.items():
            setattr(template, name, value)
        template.updated_by = updated_by
        template.save()
    return template


def template_reset(*, template: Template, updated_by=None) -> Template:
    """Go back to the wording Settle ships with."""
    fields = default_fields(
        kind=template.kind, channel=template.channel, language=template.language
    )
    return template_update(template=template, updated_by=updated_by, **fields)


@dataclass
class Preview:
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    sms: SmsSize | None = None
    errors: list[FieldError] = field(default_factory=list)


def template_preview(
    *,
    kind: str,
    channel: str,
    language: str,
    subject: str,
    body_text: str,
    body_html: str,
    debtor: Debtor | None,
) -> Preview:
    """The texts as `debtor` would get them (with stand-ins for the portal and pay links, which
    a preview must not create), or the problems that keep them from rendering."""
    errors = template_check(
        kind=kind,
        channel=channel,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        fetch_check=False,
    )
    if errors:
        return Preview(errors=errors)
    link, invoices, extra = ("", None), Invoice.objects.none(), None
    if debtor is not None:
        link = message_link(debtor=None, issue=kind_issues_link(kind))
        invoices = Invoice.objects.open().filter(debtor=debtor).order_by("due_date", "number")
        extra = sample_extra(kind, language)
    # The sample passed the checks; a real debtor's values (many more invoices, say) can still
    # reach a limit, which the editor is told about like any other problem.
    try:
        rendered = message_render(
            kind=kind,
            channel=channel,
            language=language,
            texts={"subject": subject, "body_text": body_text, "body_html": body_html},
            debtor=debtor,
            invoices=invoices,
            link=link,
            extra=extra,
            preview=True,
        )
    except PartFailed as exc:
        problem = Problem(exc.part, None, render_reason(exc.error))
        return Preview(errors=[FieldError(exc.part, str(problem))])
    preview = Preview(
        subject=rendered.subject, body_text=rendered.body_text, body_html=rendered.body_html
    )
    if channel == Channel.SMS:
        preview.sms = sms_size(preview.body_text)
    return preview


def organisation_update(*, values: dict[str, str]) -> Organisation:
    """Change who the correspondence comes from."""
    organisation = Organisation.load()
    errors = []
    names = ("name", "street", "postal_code", "city", "email", "phone", "website", "iban", "bic")
    cleaned = {name: str(values.get(name, "")).strip() for name in names}
    if not cleaned["name"]:
        errors.append(FieldError("name", _("This field is required.")))
    if cleaned["iban"]:
        try:
            cleaned["iban"] = iban_normalise(cleaned["iban"])
        except ApplicationError as exc:
            errors.append(FieldError("iban", exc.message))
    for name in names:
        limit = Organisation._meta.get_field(name).max_length
        if len(cleaned[name]) > limit:
            errors.append(
                FieldError(name, _("Use at most %(limit)d characters.") % {"limit": limit})
            )
    if errors:
        raise ApplicationError(_("The details were not saved; please correct them."), errors=errors)
    Organisation.objects.filter(pk=organisation.pk).update(**cleaned)
    organisation.refresh_from_db()
    return organisation
