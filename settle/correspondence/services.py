"""The outbox: queueing correspondence with the change that causes it, and delivering it later.

A message is only a row until the worker claims it, so a transaction that rolls back leaves no
message behind. Delivery happens outside any transaction; each outcome is recorded with
`claim_finish`, so a worker that dies between sending and recording leaves the row to be sent
again after its lease — at least once, with the idempotency key as Message-ID so that the copy
is recognisable as the same e-mail.
"""

import logging
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from settle.common.claims import claim_due, claim_finish
from settle.common.errors import ApplicationError, FieldError
from settle.correspondence.models import Channel, Message, MessageStatus
from settle.receivables.models import Debtor

logger = logging.getLogger(__name__)

SEND_BATCH = 50
SEND_LEASE = timedelta(minutes=5)
# Attempt n waits FIRST_RETRY * 2**(n-1) before the next: 1, 2, 4 … 64 minutes, so the eight
# attempts span a little over two hours before the message is given up as FAILED.
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
# Characters allowed in the left part of a Message-ID (RFC 5322 "atext" and dots).
_MESSAGE_ID_SAFE = "!#$%&'*+-/=?^_`{|}~."


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
) -> Message:
    """Put a message in the outbox, in the caller's transaction, due at once.

    The same `idempotency_key` returns the message queued before instead of a second one.
    Refuses (ApplicationError) a recipient the channel cannot deliver to.
    """
    existing = Message.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    recipient = recipient.strip()
    if channel != Channel.EMAIL:
        # SMS and letters come in a later slice; refuse rather than queue what nothing delivers.
        raise ApplicationError(
            _("Sending by %(channel)s is not available yet.")
            % {"channel": Channel(channel).label if channel in Channel.values else channel}
        )
    try:
        validate_email(recipient)
    except ValidationError as exc:
        message = (
            _("There is no e-mail address to send this message to.")
            if not recipient
            else _("“%(recipient)s” is not a valid e-mail address.") % {"recipient": recipient}
        )
        raise ApplicationError(
            message, errors=[FieldError(field="recipient", message=message)]
        ) from exc
    try:
        # A savepoint: a concurrent queue of the same key fails here without spoiling the
        # caller's transaction, and the message that won is returned.
        with transaction.atomic():
            return Message.objects.create(
                channel=channel,
                recipient=recipient,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                debtor=debtor,
                cause=cause,
                idempotency_key=idempotency_key,
                due_at=timezone.now(),
            )
    except IntegrityError:
        return Message.objects.get(idempotency_key=idempotency_key)


def message_retry(*, message: Message) -> Message:
    """Put a FAILED message back in the outbox, due now, with a fresh series of attempts."""
    if message.status != MessageStatus.FAILED:
        raise ApplicationError(_("Only a failed message can be sent again."))
    now = timezone.now()
    Message.objects.filter(pk=message.pk, status=MessageStatus.FAILED).update(
        status=MessageStatus.READY, due_at=now, attempts=0, updated_at=now
    )
    message.refresh_from_db()
    return message


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
    # One connection for the batch; a failure closes it, and the next message opens a new one.
    connection = get_connection()
    try:
        for message in messages:
            _message_deliver(message, connection=connection)
    finally:
        connection.close()
    return len(messages)


def _message_deliver(message: Message, *, connection) -> None:
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
        email.send()
    except Exception as exc:  # noqa: BLE001 (any failure to hand over is retried later)
        connection.close()
        _message_failed(message, error=f"{type(exc).__name__}: {exc}")
        return
    if not claim_finish(message, status=MessageStatus.SENT, sent_at=timezone.now(), last_error=""):
        logger.warning("message %s: sent, but its lease was lost to another worker", message.pk)


def _message_failed(message: Message, *, error: str) -> None:
    logger.warning("message %s: attempt %d failed: %s", message.pk, message.attempts, error)
    if message.attempts >= MAX_ATTEMPTS:
        claim_finish(message, status=MessageStatus.FAILED, last_error=error)
        return
    delay = FIRST_RETRY * 2 ** (message.attempts - 1)
    claim_finish(
        message,
        status=MessageStatus.READY,
        due_at=timezone.now() + delay,
        last_error=error,
    )
