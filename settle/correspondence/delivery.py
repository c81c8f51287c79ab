"""Delivering the outbox: the worker claims due messages and hands each to its channel.

Delivery happens outside any transaction; each outcome is recorded with `claim_finish`, so a
worker that dies between sending and recording leaves the row to be sent again after its
lease — at least once, with the idempotency key as Message-ID so that the copy is recognisable
as the same e-mail.
"""

import logging
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import prefetch_related_objects
from django.utils import timezone

from settle.common.claims import DEFAULT_LEASE, Lease, claim_due, claim_finish
from settle.correspondence.letters import letter_pdf
from settle.correspondence.models import Channel, Message, MessageStatus
from settle.correspondence.sms import SmsError, sms_backend

logger = logging.getLogger(__name__)

SEND_BATCH = 50
SEND_LEASE = DEFAULT_LEASE
# Attempt n waits FIRST_RETRY * 2**(n-1) before the next: 1, 2, 4 … 64 minutes, so the eight
# attempts span a little over two hours before the message is given up as FAILED.
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
# Characters allowed in the left part of a Message-ID (RFC 5322 "atext" and dots).
_MESSAGE_ID_SAFE = "!#$%&'*+-/=?^_`{|}~."


def message_id(message: Message) -> str:
    """The e-mail's Message-ID: the idempotency key, so every resend carries the same one."""
    return f"<{quote(message.idempotency_key, safe=_MESSAGE_ID_SAFE)}@settle>"


def messages_process_due() -> int:
    """Claim a batch of due messages and deliver them; return how many were claimed.

    READY messages are due at their `due_at`; a SENDING message whose worker died is due again
    once its lease runs out.
    """
    messages = claim_due(
        Message.objects.filter(status__in=[MessageStatus.READY, MessageStatus.SENDING]),
        limit=SEND_BATCH,
        lease=SEND_LEASE,
    )
    if not messages:
        return 0
    Message.objects.filter(pk__in=[m.pk for m in messages]).filter(
        lease_token=messages[0].lease_token
    ).update(status=MessageStatus.SENDING)
    prefetch_related_objects(messages, "attachments")
    # One SMTP session for the batch: opened here, since a backend that opens the connection
    # itself for a send closes it after that send. A failure closes it; the next e-mail opens
    # a new one.
    connection = None
    lease = Lease.of(messages, length=SEND_LEASE)
    try:
        for message in messages:
            # The heartbeat: a long batch keeps its rows; a crash frees them within SEND_LEASE.
            lease.renew()
            if message.channel == Channel.EMAIL:
                if connection is None:
                    connection = get_connection()
                _email_deliver(message, connection=connection)
            elif message.channel == Channel.SMS:
                _sms_deliver(message)
            else:
                _letter_deliver(message)
    finally:
        if connection is not None:
            connection.close()
    return len(messages)


def _email_deliver(message: Message, *, connection) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Message-ID": message_id(message)},
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    try:
        if getattr(connection, "connection", True) is None:
            connection.open()
        for attachment in message.attachments.all():
            with attachment.file.open("rb") as handle:
                email.attach(attachment.filename, handle.read(), attachment.content_type)
        email.send()
    except Exception as exc:  # noqa: BLE001 (any failure to hand over is retried later)
        connection.close()
        _failed(message, error=f"{type(exc).__name__}: {exc}")
        return
    _sent(message)


def _sms_deliver(message: Message) -> None:
    try:
        reference = sms_backend().send(
            to=message.recipient, text=message.body_text, reference=message.idempotency_key
        )
    except SmsError as exc:
        _failed(message, error=str(exc), final=not exc.retryable)
        return
    _sent(message, provider_reference=reference[:100])


def _letter_deliver(message: Message) -> None:
    """A letter is delivered by rendering its PDF; printing and posting are the organisation's."""
    try:
        pdf = letter_pdf(message.body_html)
        name = default_storage.save(
            f"letters/{timezone.now():%Y/%m}/letter-{message.pk}.pdf", ContentFile(pdf)
        )
    except Exception as exc:  # noqa: BLE001 (a rendering failure is recorded, not raised)
        _failed(message, error=f"{type(exc).__name__}: {exc}")
        return
    _sent(message, pdf=name)


def _sent(message: Message, **changes) -> None:
    if not claim_finish(
        message, status=MessageStatus.SENT, sent_at=timezone.now(), last_error="", **changes
    ):
        logger.warning("message %s: sent, but its lease was lost to another worker", message.pk)


def _failed(message: Message, *, error: str, final: bool = False) -> None:
    logger.warning("message %s: attempt %d failed: %s", message.pk, message.attempts, error)
    if final or message.attempts >= MAX_ATTEMPTS:
        claim_finish(message, status=MessageStatus.FAILED, last_error=error)
        return
    delay = FIRST_RETRY * 2 ** (message.attempts - 1)
    claim_finish(
        message,
        status=MessageStatus.READY,
        due_at=timezone.now() + delay,
        last_error=error,
    )
