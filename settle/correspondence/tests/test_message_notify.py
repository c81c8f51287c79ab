"""message_notify: the one path by which every workflow tells the debtor about a step."""

import pytest
from django.db import transaction

from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Message, Organisation
from settle.correspondence.notifications import message_notify
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def organisation():
    Organisation.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Acme Incasso BV",
            "street": "Stationsplein 1",
            "postal_code": "3511 ED",
            "city": "Utrecht",
        },
    )


def notify(debtor, kind=Kind.ARRANGEMENT_ENDED, **options):
    return message_notify(
        debtor=debtor,
        kind=kind,
        invoices=[InvoiceFactory(debtor=debtor)],
        cause="test:1",
        idempotency_key=f"{kind}:test",
        **options,
    )


def test_it_writes_by_e_mail_to_a_debtor_with_an_address():
    message = notify(DebtorFactory(email="alice@example.test"))

    assert message.channel == Channel.EMAIL
    assert message.recipient == "alice@example.test"


def test_it_writes_a_letter_to_a_debtor_without_an_address_when_the_kind_has_one():
    message = notify(DebtorFactory(email=""))

    assert message.channel == Channel.LETTER


def test_it_sends_nothing_when_no_channel_it_may_use_reaches_the_debtor():
    debtor = DebtorFactory(email="")

    assert notify(debtor, kind=Kind.ARRANGEMENT_UNDER_REVIEW) is None
    assert notify(debtor, channels=(Channel.EMAIL,)) is None
    assert not Message.objects.exists()


def test_it_writes_to_the_address_given_for_this_message():
    message = notify(DebtorFactory(email=""), kind=Kind.INVOICE_COPY, recipient="b@example.test")

    assert (message.channel, message.recipient) == (Channel.EMAIL, "b@example.test")


def test_a_refused_message_leaves_the_callers_work_standing():
    debtor = DebtorFactory(email="", street="", postal_code="", city="")

    with transaction.atomic():
        assert notify(debtor) is None
        # The caller's transaction goes on: the savepoint took only the message with it.
        assert DebtorFactory(email="") is not None

    assert not Message.objects.exists()
