"""The outbox worker's lease: short, so a killed worker's e-mails go out within about a minute,
and renewed while a live worker works through a long batch, so nobody sends them twice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from settle.common.claims import claim_due
from settle.correspondence.delivery import messages_process_due
from settle.correspondence.models import Channel, Message, MessageStatus
from settle.correspondence.services import message_queue

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class WorkerKilled(BaseException):
    """What SIGKILL does to a worker: it stops at once, running no handler of ours."""


class DyingSmtp(locmem.EmailBackend):
    """Accepts two e-mails; the worker is killed while it hands over the third."""

    def send_messages(self, messages):
        if len(mail.outbox) >= 2:
            raise WorkerKilled
        return super().send_messages(messages)


class SlowSmtp(locmem.EmailBackend):
    """Takes 25 s to accept each e-mail; meanwhile a second worker looks for due messages."""

    traveller = None
    taken_over: list[int] = []

    def send_messages(self, messages):
        SlowSmtp.traveller.shift(timedelta(seconds=25))
        # The second worker's claim, as messages_process_due makes it.
        second = claim_due(
            Message.objects.filter(status__in=[MessageStatus.READY, MessageStatus.SENDING]),
            limit=50,
        )
        SlowSmtp.taken_over.extend(message.pk for message in second)
        return super().send_messages(messages)


def _queue(count: int) -> list[Message]:
    return [
        message_queue(
            channel=Channel.EMAIL,
            recipient=f"debtor{number}@example.test",
            subject=f"Reminder {number}",
            body_text=f"Please pay invoice {number}.",
            cause=f"reminder:{number}",
            idempotency_key=f"reminder-{number}",
        )
        for number in range(count)
    ]


def test_it_sends_the_rest_of_a_killed_workers_batch_within_a_minute(
    settings, smtp_server, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    _queue(5)
    settings.EMAIL_BACKEND = f"{__name__}.DyingSmtp"
    with pytest.raises(WorkerKilled):
        messages_process_due()
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 2
    assert Message.objects.filter(status=MessageStatus.SENDING).count() == 3

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    time_machine.shift(timedelta(seconds=59))
    assert messages_process_due() == 0
    time_machine.shift(timedelta(seconds=2))
    assert messages_process_due() == 3

    assert smtp_server.inbox.message_ids() == [f"<reminder-{n}@settle>" for n in (2, 3, 4)]
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 5


def test_it_keeps_a_long_batch_of_a_live_worker_to_itself(settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    SlowSmtp.traveller = time_machine
    SlowSmtp.taken_over = []
    settings.EMAIL_BACKEND = f"{__name__}.SlowSmtp"
    _queue(8)

    # 8 e-mails of 25 s each: the batch runs for 200 s, more than three leases.
    assert messages_process_due() == 8

    assert SlowSmtp.taken_over == []
    assert len(mail.outbox) == 8
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 8
