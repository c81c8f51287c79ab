import pytest
from django.db import transaction
from django.utils import translation

from settle.common.errors import ApplicationError
from settle.correspondence.models import Channel, Message, MessageStatus
from settle.correspondence.services import message_queue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # The assertions read the English source texts, whatever the catalogues say.
    with translation.override("en"):
        yield


def _queue(**overrides):
    values = {
        "channel": Channel.EMAIL,
        "recipient": "alice@example.test",
        "subject": "Your invoices",
        "body_text": "Hello Alice",
        "cause": "portal_invitation:1",
        "idempotency_key": "portal_invitation-1",
    }
    return message_queue(**(values | overrides))


def test_it_queues_a_ready_message_for_the_debtor(alice):
    message = _queue(debtor=alice)

    assert message.status == MessageStatus.READY
    assert message.debtor == alice
    assert list(alice.messages.all()) == [message]


def test_it_leaves_no_message_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue()
        raise RuntimeError("the change that caused it failed")

    assert not Message.objects.exists()


def test_it_queues_one_message_for_the_same_idempotency_key():
    first = _queue()
    second = _queue(subject="Something else")

    assert second.pk == first.pk
    assert Message.objects.count() == 1


def test_it_refuses_an_e_mail_without_an_address():
    with pytest.raises(ApplicationError) as refusal:
        _queue(recipient="  ")

    assert "no e-mail address" in refusal.value.message
    assert not Message.objects.exists()


def test_it_refuses_an_invalid_e_mail_address():
    with pytest.raises(ApplicationError) as refusal:
        _queue(recipient="alice at example")

    assert "“alice at example” is not a valid e-mail address" in refusal.value.message
