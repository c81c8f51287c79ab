"""Telling a debtor about a step of a workflow (a response received, a promise confirmed or
broken, an invoice copy, an arrangement accepted or ended): one path for every workflow, so each
chooses its channel, keeps a failed message from undoing its work and logs it the same way."""

import logging
from collections.abc import Iterable, Sequence

from django.db import transaction

from settle.common.errors import ApplicationError
from settle.correspondence.kinds import kind_channels
from settle.correspondence.models import Channel, Message
from settle.correspondence.services import Attachment, message_send
from settle.receivables.models import Debtor, Invoice

logger = logging.getLogger(__name__)

# E-mail first; a debtor without an address gets a letter when the kind has one.
EMAIL_ELSE_LETTER = (Channel.EMAIL, Channel.LETTER)


def message_notify(
    *,
    debtor: Debtor,
    kind: str,
    cause: str,
    idempotency_key: str,
    invoices: Iterable[Invoice] | None = None,
    extra: dict | None = None,
    recipient: str = "",
    attachments: Sequence[Attachment] = (),
    channels: Sequence[str] = EMAIL_ELSE_LETTER,
) -> Message | None:
    """Queue the message of `kind` to the debtor (`message_send`) by the first of `channels`
    that the kind has and the debtor can be reached on: e-mail with an address on file or a
    `recipient`, a letter to the postal address.

    The workflow's step stands whatever happens to its message: a debtor we cannot write to,
    or a message the outbox refuses, is logged and gives None. A savepoint keeps a message that
    fails half-way from leaving anything of itself behind in the caller's transaction.
    """
    channel = _channel(debtor=debtor, kind=kind, channels=channels, recipient=recipient)
    if channel is None:
        logger.info("%s: no channel to send a %s message by", cause, kind)
        return None
    try:
        with transaction.atomic():
            return message_send(
                kind=kind,
                channel=channel,
                debtor=debtor,
                invoices=invoices,
                extra=extra,
                cause=cause,
                idempotency_key=idempotency_key,
                recipient=recipient,
                attachments=attachments,
            )
    except ApplicationError:
        logger.warning("%s: no %s message sent", cause, kind, exc_info=True)
        return None


def _channel(*, debtor: Debtor, kind: str, channels: Sequence[str], recipient: str) -> str | None:
    """The first of `channels` that `kind` has and the debtor can be reached on. A letter is
    always tried: whether the postal address will do is message_send's to judge."""
    for channel in channels:
        if channel not in kind_channels(kind):
            continue
        if channel == Channel.EMAIL and not (recipient or debtor.email):
            continue
        if channel == Channel.SMS and not (recipient or debtor.mobile):
            continue
        return channel
    return None
