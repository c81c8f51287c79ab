"""A workflow goes on when a message it sends is over a rendering limit (issue 10, point 4)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Message, MessageStatus, Template
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.models import PaymentPromise, ResponseType
from settle.responses.services import response_submit

pytestmark = pytest.mark.django_db


def test_it_goes_on_with_a_workflow_whose_message_is_over_a_limit(alice):
    # The promise is made and checked later; only its confirmation cannot be written.
    Template.objects.filter(
        kind=Kind.PROMISE_CONFIRMED, channel=Channel.EMAIL, language=alice.language
    ).update(body_text="{% for invoice in invoices %}{{ 'x' * 150000 }}{% endfor %}")
    invoices = InvoiceFactory.create_batch(4, debtor=alice)

    response = response_submit(
        debtor=alice,
        response_type=ResponseType.objects.get(code="promise"),
        invoices=invoices,
        values={"promised_date": (timezone.localdate() + timedelta(days=5)).isoformat()},
        submission_key="promise-over-limit",
    )

    assert PaymentPromise.objects.filter(response=response).exists()
    [message] = Message.objects.filter(kind=Kind.PROMISE_CONFIRMED)
    assert message.status == MessageStatus.FAILED
    assert "promise_confirmed / email / nl" in message.last_error
