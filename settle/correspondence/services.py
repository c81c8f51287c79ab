"""The outbox: queueing correspondence with the change that causes it; and the templates and
sender details that correspondence is written from.

A message is only a row until the worker claims it (`delivery.py`), so a transaction that rolls
back leaves no message behind.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError, FieldError
from settle.correspondence.compose import PartFailed, message_render
from settle.correspondence.kinds import Kind, kind_channels, kind_issues_link
from settle.correspondence.letters import Payment, Recipient, Sender, letter_html
from settle.correspondence.models import (
    Channel,
    Message,
    MessageAttachment,
    MessageStatus,
    Organisation,
    Template,
)
from settle.correspondence.selectors import template_for, template_uses_link, template_variables
from settle.correspondence.sms import phone_e164
from settle.correspondence.variables import message_link, payable_invoices
from settle.receivables.models import Debtor, Invoice


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = "application/pdf"


def message_queue(
    *,
    channel: str,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    debtor: Debtor | None = None,
    cause: str,
    idempotency_key: str,
    kind: str = "",
    language: str = "",
    invoices: Sequence[Invoice] = (),
    attachments: Sequence[Attachment] = (),
    created_by=None,
) -> Message:
    """Put a message in the outbox, in the caller's transaction, due at once.

    The same `idempotency_key` returns the message queued before instead of a second one.
    Refuses (ApplicationError) a recipient the channel cannot deliver to.
    """
    existing = Message.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    recipient = recipient_check(channel=channel, recipient=recipient)
    try:
        # A savepoint: a concurrent queue of the same key fails here without spoiling the
        # caller's transaction, and the message that won is returned.
        with transaction.atomic():
            message = Message.objects.create(
                channel=channel,
                recipient=recipient,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                debtor=debtor,
                cause=cause,
                idempotency_key=idempotency_key,
                kind=kind,
                language=language,
                created_by=created_by,
                due_at=timezone.now(),
            )
    except IntegrityError:
        return Message.objects.get(idempotency_key=idempotency_key)
    if invoices:
        message.invoices.set(invoices)
    for attachment in attachments:
        stored = MessageAttachment(
            message=message, filename=attachment.filename, content_type=attachment.content_type
        )
        stored.file.save(attachment.filename, ContentFile(attachment.content), save=True)
    return message


def recipient_check(*, channel: str, recipient: str) -> str:
    """The recipient as the channel needs it, or an ApplicationError saying what is wrong."""
    recipient = recipient.strip()
    if channel == Channel.SMS:
        return phone_e164(recipient)
    if channel == Channel.LETTER:
        if not recipient:
            raise _refusal("recipient", _("This debtor has no postal address."))
        return recipient
    if channel != Channel.EMAIL:
        raise _refusal("channel", _("Unknown channel “%(channel)s”.") % {"channel": channel})
    try:
        validate_email(recipient)
    except ValidationError as exc:
        message = (
            _("There is no e-mail address to send this message to.")
            if not recipient
            else _("“%(recipient)s” is not a valid e-mail address.") % {"recipient": recipient}
        )
        raise _refusal("recipient", message) from exc
    return recipient


def _refusal(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, errors=[FieldError(field=field, message=message)])


def message_send(
    *,
    kind: str,
    channel: str,
    debtor: Debtor,
    cause: str,
    idempotency_key: str,
    invoices: Iterable[Invoice] | None = None,
    extra: dict | None = None,
    recipient: str = "",
    attachments: Sequence[Attachment] = (),
    created_by=None,
) -> Message:
    """Write a message of `kind` from its template in the debtor's language and queue it.

    The invoices default to the debtor's open ones. A template that shows the portal link gets
    it from the `SETTLE_MESSAGE_LINK` hook: a fresh link, issued in the same transaction as the
    message, for the kinds that issue one (`LINK_KINDS`); the page where a debtor asks for a
    new link for the others. `recipient` overrides the
    debtor's address for this channel (e.g. the address a copy request named). A message whose
    template cannot be written for these values (over a rendering limit, say) is recorded as
    FAILED with the reason in `last_error`, and nothing else of it is kept.
    """
    existing = Message.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if kind not in Kind.values or channel not in kind_channels(kind):
        raise _refusal(
            "channel",
            _("A “%(kind)s” cannot be sent by %(channel)s.")
            % {"kind": Kind(kind).label if kind in Kind.values else kind, "channel": channel},
        )
    languages = {code for code, _name in settings.LANGUAGES}
    language = debtor.language if debtor.language in languages else settings.LANGUAGE_CODE
    recipient = recipient_check(
        channel=channel, recipient=recipient or _debtor_address(debtor, channel)
    )
    if invoices is None:
        invoices = Invoice.objects.open().filter(debtor=debtor).order_by("due_date", "number")
    invoices = list(invoices)
    template = template_for(kind=kind, channel=channel, language=language)
    issue = kind_issues_link(kind)
    # A pay link lives as long as the message's portal link, so a template showing only the
    # pay button still gets one issued.
    uses_link = template_uses_link(template) or "pay_link" in template_variables(template)
    if issue and uses_link and not debtor.active:
        raise _refusal("debtor", _("This debtor is inactive; a portal link would not sign in."))
    organisation = Organisation.load()
    try:
        with transaction.atomic():
            link_url, expires_at = "", None
            if uses_link:
                link_url, expires_at = message_link(
                    debtor=debtor, issue=issue, created_by=created_by
                )
            try:
                rendered = message_render(
                    kind=kind,
                    channel=channel,
                    language=language,
                    texts=_texts(template),
                    debtor=debtor,
                    invoices=invoices,
                    link=(link_url, expires_at),
                    organisation=organisation,
                    extra=extra,
                )
            except PartFailed as exc:
                # Templates are checked when saved; a message says which one broke, and how.
                raise RenderFailed(
                    _("The template “%(template)s” cannot be rendered: %(error)s")
                    % {"template": template, "error": exc.error}
                ) from exc.error
            subject, body_text, body_html = rendered.subject, rendered.body_text, rendered.body_html
            if channel == Channel.LETTER:
                body_html = letter_document(
                    debtor=debtor,
                    invoices=payable_invoices(kind, invoices),
                    organisation=organisation,
                    subject=subject,
                    body_html=body_html,
                    language=language,
                )
            return message_queue(
                channel=channel,
                recipient=recipient,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                debtor=debtor,
                cause=cause,
                idempotency_key=idempotency_key,
                kind=kind,
                language=language,
                invoices=invoices,
                attachments=attachments,
                created_by=created_by,
            )
    except RenderFailed as exc:
        # Nothing of the message was kept (nor the link issued for it); the outbox records
        # why it could not be written, where the failed messages are looked at.
        return _message_failed(
            channel=channel,
            recipient=recipient,
            debtor=debtor,
            cause=cause,
            idempotency_key=idempotency_key,
            kind=kind,
            language=language,
            invoices=invoices,
            created_by=created_by,
            error=exc.message,
        )


def _debtor_address(debtor: Debtor, channel: str) -> str:
    if channel == Channel.EMAIL:
        return debtor.email
    if channel == Channel.SMS:
        return debtor.mobile
    lines = _postal_lines(debtor)
    return ", ".join(lines) if len(lines) > 1 else ""


def _postal_lines(debtor: Debtor) -> list[str]:
    place = " ".join(part for part in (debtor.postal_code, debtor.city) if part)
    lines = [debtor.name, debtor.street, place]
    if debtor.country and debtor.country != "NL":
        lines.append(debtor.country)
    return [line for line in lines if line]


class RenderFailed(ApplicationError):
    """A template could not be written for this message (a limit, a missing value)."""


def _message_failed(*, error: str, invoices: Sequence[Invoice], **fields) -> Message:
    existing = Message.objects.filter(idempotency_key=fields["idempotency_key"]).first()
    if existing is not None:
        return existing
    message = Message.objects.create(
        **fields, status=MessageStatus.FAILED, last_error=error, due_at=timezone.now()
    )
    if invoices:
        message.invoices.set(invoices)
    return message


def _texts(template: Template) -> dict[str, str]:
    return {
        "subject": template.subject,
        "body_text": template.body_text,
        "body_html": template.body_html,
    }


def letter_document(
    *,
    debtor: Debtor,
    invoices: Sequence[Invoice],
    organisation: Organisation,
    subject: str,
    body_html: str,
    language: str,
) -> str:
    """The whole letter as HTML: the rendered body in the letter layout, addressed to the debtor,
    with a payment block and QR code for the open amount when there is an account to pay to."""
    total = sum((invoice.open_amount for invoice in invoices), start=0)
    references = {invoice.payment_reference for invoice in invoices if invoice.payment_reference}
    reference = references.pop() if len(references) == 1 else debtor.number
    payment = None
    if total > 0 and organisation.iban:
        payment = Payment(amount=total, reference=reference)
    lines = _postal_lines(debtor)
    return letter_html(
        body_html=body_html,
        sender=Sender(
            name=organisation.name,
            address_lines=organisation.address_lines,
            email=organisation.email,
            phone=organisation.phone,
            website=organisation.website,
            iban=organisation.iban,
            bic=organisation.bic,
        ),
        recipient=Recipient(name=lines[0], address_lines=lines[1:]),
        letter_date=timezone.localdate(),
        subject=subject,
        reference=debtor.number,
        payment=payment,
        language=language,
    )


def message_retry(*, message: Message) -> Message:
    """Put a FAILED message back in the outbox, due now, with a fresh series of attempts."""
    if message.status != MessageStatus.FAILED:
        raise ApplicationError(_("Only a failed message can be sent again."))
    if not (message.body_text or message.body_html):
        raise ApplicationError(
            _(
                "This message could not be written from its template; correct the template "
                "and send a new message."
            )
        )
    now = timezone.now()
    Message.objects.filter(pk=message.pk, status=MessageStatus.FAILED).update(
        status=MessageStatus.READY, due_at=now, attempts=0, updated_at=now
    )
    message.refresh_from_db()
    return message
