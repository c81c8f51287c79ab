"""selection_summary: the counts an employee confirms before a run starts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from settle.dunning.selectors import invoices_dunnable, selection_summary
from settle.dunning.tests.factories import ActionFactory, ActionGroupFactory, DunningHoldFactory
from settle.receivables.models import Invoice
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory
from settle.responses.tests.factories import ResponseFactory, ResponseTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_group():
    group = ActionGroupFactory()
    ActionFactory(group=group, action_type="email", message_kind="reminder_1")
    return group


def test_it_counts_invoices_debtors_and_one_message_per_debtor(mail_group):
    alice, carol = DebtorFactory(), DebtorFactory()
    InvoiceFactory.create_batch(3, debtor=alice)
    InvoiceFactory.create_batch(2, debtor=carol)

    summary = selection_summary(invoices=Invoice.objects.all(), group=mail_group)

    assert (summary.invoice_count, summary.debtor_count) == (5, 2)
    assert summary.messages_by_channel == {"email": 2}
    assert summary.skipped == {}


def test_it_counts_skipped_invoices_by_reason(mail_group):
    debtor = DebtorFactory()
    InvoiceFactory(debtor=debtor)
    InvoiceFactory(debtor=debtor, open_amount=Decimal("0.00"))
    held = InvoiceFactory.create_batch(2, debtor=debtor)
    for invoice in held:
        DunningHoldFactory(invoice=invoice)
    excluded = InvoiceFactory(debtor=debtor)
    ResponseFactory(
        debtor=debtor,
        response_type=ResponseTypeFactory(excludes_from_dunning=True),
        invoices=[excluded],
    )
    only_held = InvoiceFactory()
    DunningHoldFactory(invoice=None, debtor=only_held.debtor)

    summary = selection_summary(invoices=Invoice.objects.all(), group=mail_group)

    assert (summary.invoice_count, summary.debtor_count) == (1, 1)
    assert summary.skipped == {"paid": 1, "held": 3, "excluded_response": 1}
    assert summary.messages_by_channel == {"email": 1}


def test_it_counts_the_fallback_channel_and_debtors_without_an_address(mail_group):
    InvoiceFactory(debtor=DebtorFactory(email="", delivery_method="post"))
    InvoiceFactory(debtor=DebtorFactory(email="", delivery_method="sms"))
    InvoiceFactory(debtor=DebtorFactory(email="", delivery_method="email"))
    InvoiceFactory(debtor=DebtorFactory())

    summary = selection_summary(invoices=Invoice.objects.all(), group=mail_group)

    assert summary.debtor_count == 4
    assert summary.messages_by_channel == {"email": 1, "letter": 1, "sms": 1}
    assert summary.skipped == {"no_address": 1}


def test_it_counts_each_message_action_and_none_for_the_others():
    group = ActionGroupFactory()
    ActionFactory(group=group, action_type="email", message_kind="reminder_2")
    ActionFactory(
        group=group, action_type="invitation", message_kind="portal_invitation", channel="sms"
    )
    ActionFactory(group=group, action_type="status_only", message_kind="")
    InvoiceFactory.create_batch(2, debtor=DebtorFactory())
    InvoiceFactory(debtor=DebtorFactory(mobile="", delivery_method="email"))
    InvoiceFactory(debtor=DebtorFactory(mobile="", delivery_method="sms"))

    summary = selection_summary(invoices=Invoice.objects.all(), group=group)

    # The second debtor's invitation falls back to e-mail; the third's reaches no one.
    assert summary.messages_by_channel == {"email": 4, "sms": 1}
    assert summary.skipped == {"no_address": 1}


def test_it_summarises_only_the_selection(mail_group):
    InvoiceFactory(number="A")
    InvoiceFactory(number="B")

    summary = selection_summary(invoices=Invoice.objects.filter(number="A"), group=mail_group)

    assert (summary.invoice_count, summary.debtor_count) == (1, 1)


def test_it_summarises_an_empty_selection(mail_group):
    summary = selection_summary(invoices=Invoice.objects.none(), group=mail_group)

    assert (summary.invoice_count, summary.debtor_count, summary.messages_by_channel) == (0, 0, {})


def test_it_takes_a_fixed_number_of_queries(mail_group):
    def queries_for(count: int) -> int:
        Invoice.objects.all().delete()
        for number in range(count):
            InvoiceFactory(debtor=DebtorFactory(email="" if number % 2 else "x@example.test"))
        with CaptureQueriesContext(connection) as queries:
            selection_summary(invoices=Invoice.objects.all(), group=mail_group)
        return len(queries)

    assert queries_for(2) == queries_for(12) == 2


def test_it_summarises_the_overviews_annotated_and_ordered_queryset(mail_group):
    debtor = DebtorFactory()
    InvoiceFactory.create_batch(2, debtor=debtor)
    DunningHoldFactory(invoice=InvoiceFactory(debtor=debtor))
    overview = invoices_dunnable(Invoice.objects.filter(open_amount__gt=0)).order_by(
        "-open_amount", "last_dunning_at"
    )

    summary = selection_summary(invoices=overview, group=mail_group)

    assert (summary.invoice_count, summary.debtor_count, summary.skipped) == (2, 1, {"held": 1})
    assert summary.messages_by_channel == {"email": 1}
