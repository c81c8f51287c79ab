"""invoices_dunnable: why an invoice may not be reminded, whether it is held, and when a run
last reached it, annotated in one query."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from settle.arrangements.models import ArrangementState, PaymentArrangement
from settle.dunning.selectors import invoices_dunnable
from settle.dunning.tests.factories import (
    ActionGroupFactory,
    DunningHoldFactory,
    DunningItemInvoiceFactory,
    DunningRunFactory,
    DunningRunItemFactory,
)
from settle.payments.models import RequestState
from settle.payments.tests.factories import PaymentRequestFactory
from settle.receivables.models import Invoice
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory
from settle.responses.models import OnBroken, ResponseState
from settle.responses.tests.factories import ResponseFactory, ResponseTypeFactory

pytestmark = pytest.mark.django_db


def annotated(invoice: Invoice) -> Invoice:
    return invoices_dunnable().get(pk=invoice.pk)


def reason(invoice: Invoice) -> tuple[str, str]:
    row = annotated(invoice)
    return row.dunning_excluded_reason, row.dunning_skip_reason


def arrangement(response, state: str) -> PaymentArrangement:
    return PaymentArrangement.objects.create(
        response=response,
        debtor=response.debtor,
        total=Decimal("100.00"),
        state=state,
        grace_days=5,
        on_broken=OnBroken.TASK,
    )


def test_it_leaves_an_ordinary_overdue_invoice_remindable():
    row = annotated(InvoiceFactory())

    assert (row.dunning_excluded_reason, row.dunning_held, row.dunning_skip_reason) == (
        "",
        False,
        "",
    )
    assert (row.last_dunning_at, row.last_dunning_action) == (None, None)


def test_it_excludes_an_invoice_with_an_open_excluding_response():
    invoice = InvoiceFactory()
    ResponseFactory(
        debtor=invoice.debtor,
        response_type=ResponseTypeFactory(excludes_from_dunning=True),
        invoices=[invoice],
    )

    assert reason(invoice) == ("response", "excluded_response")


def test_it_ignores_a_closed_or_not_excluding_response():
    invoice = InvoiceFactory()
    ResponseFactory(
        debtor=invoice.debtor,
        response_type=ResponseTypeFactory(excludes_from_dunning=False),
        invoices=[invoice],
    )
    ResponseFactory(
        debtor=invoice.debtor,
        response_type=ResponseTypeFactory(excludes_from_dunning=True),
        state=ResponseState.CLOSED,
        closed_at=timezone.now(),
        invoices=[invoice],
    )

    assert reason(invoice) == ("", "")


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (ArrangementState.ACCEPTED, ("arrangement", "excluded_arrangement")),
        (ArrangementState.DEFAULTED, ("", "")),
        (ArrangementState.PROPOSED, ("", "")),
    ],
)
def test_it_excludes_an_invoice_of_a_running_arrangement(state, expected):
    invoice = InvoiceFactory()
    response = ResponseFactory(
        debtor=invoice.debtor,
        response_type=ResponseTypeFactory(excludes_from_dunning=False),
        invoices=[invoice],
    )
    arrangement(response, state)

    assert reason(invoice) == expected


def test_it_names_the_arrangement_before_its_response():
    invoice = InvoiceFactory()
    response = ResponseFactory(
        debtor=invoice.debtor,
        response_type=ResponseTypeFactory(excludes_from_dunning=True),
        invoices=[invoice],
    )
    arrangement(response, ArrangementState.ACCEPTED)

    assert reason(invoice) == ("arrangement", "excluded_arrangement")


def test_it_excludes_an_invoice_with_a_payment_in_progress():
    invoice, other = InvoiceFactory(), InvoiceFactory()
    PaymentRequestFactory(debtor=invoice.debtor, invoices=[invoice], state=RequestState.PENDING)
    old = PaymentRequestFactory(debtor=other.debtor, invoices=[other], state=RequestState.OPEN)
    old.superseded_by = PaymentRequestFactory(
        debtor=other.debtor, state=RequestState.FAILED, invoices=[other]
    )
    old.save()

    assert reason(invoice) == ("payment", "payment_in_progress")
    assert reason(other) == ("", "")


def test_it_marks_an_invoice_held_on_itself_or_its_debtor():
    debtor = DebtorFactory()
    held, free = InvoiceFactory(debtor=debtor), InvoiceFactory(debtor=debtor)
    DunningHoldFactory(invoice=held)
    of_debtor = InvoiceFactory()
    DunningHoldFactory(invoice=None, debtor=of_debtor.debtor)

    assert (annotated(held).dunning_held, annotated(held).dunning_skip_reason) == (True, "held")
    assert annotated(free).dunning_held is False
    assert annotated(of_debtor).dunning_held is True


def test_it_ignores_a_lifted_or_ended_hold():
    lifted, ended, today = InvoiceFactory(), InvoiceFactory(), InvoiceFactory()
    DunningHoldFactory(invoice=lifted, lifted_at=timezone.now())
    DunningHoldFactory(invoice=ended, until=timezone.localdate() - timedelta(days=1))
    DunningHoldFactory(invoice=today, until=timezone.localdate())

    assert annotated(lifted).dunning_held is False
    assert annotated(ended).dunning_held is False
    assert annotated(today).dunning_held is True


def test_it_skips_a_paid_invoice_before_anything_else():
    invoice = InvoiceFactory(open_amount=Decimal("0.00"))
    DunningHoldFactory(invoice=invoice)

    assert annotated(invoice).dunning_skip_reason == "paid"


def test_it_names_the_last_run_that_reached_the_invoice():
    invoice = InvoiceFactory()
    now = timezone.now()
    for name, days_ago, skipped in (
        ("First reminder", 20, ""),
        ("Second reminder", 5, ""),
        ("Final notice", 1, "held"),
    ):
        item = DunningRunItemFactory(
            run=DunningRunFactory(group=ActionGroupFactory(name=name)), debtor=invoice.debtor
        )
        DunningItemInvoiceFactory(
            item=item,
            invoice=invoice,
            processed_at=now - timedelta(days=days_ago),
            skipped_reason=skipped,
        )
    pending = DunningRunItemFactory(
        run=DunningRunFactory(group=ActionGroupFactory(name="Pending")), debtor=invoice.debtor
    )
    DunningItemInvoiceFactory(item=pending, invoice=invoice)

    row = annotated(invoice)

    assert (row.last_dunning_action, row.last_dunning_at) == (
        "Second reminder",
        now - timedelta(days=5),
    )


def test_it_filters_and_orders_on_the_annotations():
    InvoiceFactory(number="A")
    held = InvoiceFactory(number="B")
    DunningHoldFactory(invoice=held)

    assert list(
        invoices_dunnable().filter(dunning_skip_reason="").values_list("number", flat=True)
    ) == ["A"]
    assert list(
        invoices_dunnable(Invoice.objects.filter(number="B")).values_list("number", flat=True)
    ) == ["B"]


def test_it_reads_a_page_in_one_query():
    for _ in range(5):
        invoice = InvoiceFactory()
        DunningHoldFactory(invoice=invoice)

    with CaptureQueriesContext(connection) as queries:
        rows = list(invoices_dunnable())
        [(r.dunning_held, r.dunning_excluded_reason, r.last_dunning_action) for r in rows]

    assert len(queries) == 1


def test_it_returns_an_annotated_queryset_unchanged():
    queryset = invoices_dunnable()

    assert invoices_dunnable(queryset) is queryset
