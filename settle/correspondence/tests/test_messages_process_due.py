from datetime import timedelta

import pytest
from django.utils import timezone

from settle.common.claims import claim_due
from settle.common.errors import ApplicationError
from settle.correspondence.delivery import MAX_ATTEMPTS, messages_process_due
from settle.correspondence.models import Channel, Message, MessageStatus
from settle.correspondence.services import message_queue, message_retry

pytestmark = pytest.mark.django_db


def _queue(number: int = 1, **overrides) -> Message:
    values = {
        "channel": Channel.EMAIL,
        "recipient": f"debtor{number}@example.test",
        "subject": f"Reminder {number}",
        "body_text": f"Please pay invoice {number}.",
        "body_html": f"<p>Please pay invoice <b>{number}</b>.</p>",
        "cause": f"reminder:{number}",
        "idempotency_key": f"reminder-{number}",
    }
    return message_queue(**(values | overrides))


def _work_off() -> int:
    """Run the worker task until nothing is due, as the worker loop would."""
    total = 0
    while handled := messages_process_due():
        total += handled
    return total


def test_it_delivers_subject_text_html_and_message_id(smtp_server, alice):
    message = _queue(debtor=alice, recipient="alice@example.test")

    assert _work_off() == 1

    [email] = smtp_server.inbox.emails
    assert email["To"] == "alice@example.test"
    assert email["Subject"] == "Reminder 1"
    assert email["Message-ID"] == "<reminder-1@settle>"
    assert email.get_body(("plain",)).get_content().strip() == "Please pay invoice 1."
    assert email.get_body(("html",)).get_content().strip() == "<p>Please pay invoice <b>1</b>.</p>"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.sent_at is not None


def test_it_marks_the_message_sent_without_smtp_in_the_embedded_default(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    message = _queue()

    assert _work_off() == 1

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_it_delivers_every_message_exactly_once_after_an_outage(smtp_server, time_machine):
    time_machine.move_to(timezone.now())
    for number in range(200):
        _queue(number)
    smtp_server.stop()

    assert _work_off() == 200
    assert Message.objects.filter(status=MessageStatus.READY, attempts=1).count() == 200
    assert not Message.objects.filter(last_error="").exists()

    smtp_server.start()
    assert _work_off() == 0  # not due again before the backoff has passed
    time_machine.shift(timedelta(minutes=2))
    assert _work_off() == 200

    ids = smtp_server.inbox.message_ids()
    assert len(ids) == 200
    assert set(ids) == {f"<reminder-{number}@settle>" for number in range(200)}
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 200


def test_it_sends_a_message_of_a_dead_worker_once_after_the_lease(smtp_server, time_machine):
    time_machine.move_to(timezone.now())
    _queue()
    # A worker claims the message and dies before sending it.
    [claimed] = claim_due(Message.objects.all(), limit=10)

    assert _work_off() == 0
    time_machine.shift(timedelta(seconds=59))
    assert _work_off() == 0
    assert smtp_server.inbox.emails == []

    time_machine.shift(timedelta(seconds=2))
    assert _work_off() == 1
    assert smtp_server.inbox.message_ids() == ["<reminder-1@settle>"]
    assert Message.objects.get(pk=claimed.pk).status == MessageStatus.SENT


def test_it_gives_up_after_the_last_attempt_and_retries_on_request(smtp_server, time_machine):
    time_machine.move_to(timezone.now())
    started = timezone.now()
    message = _queue()
    smtp_server.stop()

    for _attempt in range(MAX_ATTEMPTS):
        message.refresh_from_db()
        assert message.status == MessageStatus.READY
        time_machine.move_to(message.due_at + timedelta(seconds=1))
        assert _work_off() == 1

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert "Connection" in message.last_error
    assert timezone.now() - started >= timedelta(hours=1)

    smtp_server.start()
    message_retry(message=message)
    assert _work_off() == 1
    assert smtp_server.inbox.message_ids() == ["<reminder-1@settle>"]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_it_refuses_to_retry_a_message_that_has_not_failed():
    message = _queue()

    with pytest.raises(ApplicationError):
        message_retry(message=message)


def test_it_delivers_a_batch_in_one_smtp_session(smtp_server):
    for number in range(10):
        _queue(number)

    assert _work_off() == 10

    assert len(smtp_server.inbox.emails) == 10
    assert len(smtp_server.inbox.sessions) == 1
