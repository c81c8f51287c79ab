from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone

from settle.common.errors import ApplicationError
from settle.dunning.models import (
    DunningRun,
    DunningRunItem,
    DunningSchedule,
    ItemState,
    RunSource,
    RunState,
)
from settle.dunning.runs import RunProgress, run_progress, run_start
from settle.dunning.tests.factories import (
    ActionFactory,
    ActionGroupFactory,
    DunningHoldFactory,
)
from settle.receivables.models import Invoice
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory
from settle.responses.tests.factories import ResponseFactory, ResponseTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    group = ActionGroupFactory(name="Herinnering 1")
    ActionFactory(group=group)
    return group


def lines_of(run: DunningRun) -> dict[str, list[str]]:
    return {
        item.debtor.number: sorted(line.invoice.number for line in item.lines.all())
        for item in run.items.select_related("debtor").prefetch_related("lines__invoice")
    }


def test_it_makes_one_item_per_debtor_listing_that_debtors_invoices(group, bob):
    alice = DebtorFactory(number="D-A")
    carol = DebtorFactory(number="D-C")
    for number in ("F-1", "F-2", "F-3"):
        InvoiceFactory(number=number, debtor=alice)
    InvoiceFactory(number="F-4", debtor=carol)

    run = run_start(
        group=group, invoices=Invoice.objects.all(), created_by=bob, filter_query="days=7"
    )

    assert lines_of(run) == {"D-A": ["F-1", "F-2", "F-3"], "D-C": ["F-4"]}
    assert (run.invoice_count, run.debtor_count, run.skipped) == (3 + 1, 2, {})
    assert (run.created_by, run.source, run.filter_query) == (bob, RunSource.MANUAL, "days=7")
    assert run.state == RunState.RUNNING
    assert all(item.due_at <= timezone.now() for item in run.items.all())
    assert run_progress(run=run) == RunProgress(
        total=2, pending=2, sent=0, skipped=0, failed=0, finished=False
    )


def test_it_takes_only_the_selected_invoices():
    group = ActionFactory().group
    alice = DebtorFactory()
    chosen = InvoiceFactory(number="F-CHOSEN", debtor=alice)
    InvoiceFactory(number="F-OTHER", debtor=alice)

    run = run_start(group=group, invoices=Invoice.objects.filter(pk=chosen.pk))

    assert lines_of(run) == {alice.number: ["F-CHOSEN"]}


def test_it_leaves_out_and_counts_paid_held_and_excluded_invoices(group):
    alice = DebtorFactory(number="D-A")
    InvoiceFactory(number="F-OK", debtor=alice)
    InvoiceFactory(number="F-PAID", debtor=alice, open_amount=Decimal("0.00"))
    held = InvoiceFactory(number="F-HELD", debtor=alice)
    DunningHoldFactory(invoice=held)
    disputed = InvoiceFactory(number="F-DISPUTED", debtor=alice)
    ResponseFactory(debtor=alice, response_type=ResponseTypeFactory(), invoices=[disputed])
    # A whole debtor on hold: none of theirs is put in the run.
    bart = DebtorFactory(number="D-B")
    InvoiceFactory.create_batch(2, debtor=bart)
    DunningHoldFactory(invoice=None, debtor=bart)

    run = run_start(group=group, invoices=Invoice.objects.all())

    assert lines_of(run) == {"D-A": ["F-OK"]}
    assert run.skipped == {"excluded_response": 1, "held": 3, "paid": 1}
    assert (run.invoice_count, run.debtor_count) == (1, 1)


def test_it_ignores_a_hold_that_has_ended(group):
    invoice = InvoiceFactory(number="F-1")
    DunningHoldFactory(invoice=invoice, until=date(2020, 1, 1))

    run = run_start(group=group, invoices=Invoice.objects.all())

    assert run.invoice_count == 1
    assert run.skipped == {}


def test_it_finishes_a_run_with_nothing_to_do_at_once(group):
    InvoiceFactory(open_amount=Decimal("0.00"))

    run = run_start(group=group, invoices=Invoice.objects.all())

    assert run.state == RunState.DONE
    assert run.processed_at is not None
    assert run.skipped == {"paid": 1}
    assert run_progress(run=run).finished


def test_it_refuses_an_archived_group(group):
    group.archived_at = timezone.now()
    group.save()
    InvoiceFactory()

    with pytest.raises(ApplicationError, match="gearchiveerd"):
        run_start(group=group, invoices=Invoice.objects.all())

    assert not DunningRun.objects.exists()


def test_it_refuses_a_group_without_actions():
    InvoiceFactory()

    with pytest.raises(ApplicationError, match="geen acties"):
        run_start(group=ActionGroupFactory(), invoices=Invoice.objects.all())


def test_it_runs_a_schedule_once_a_day(group):
    InvoiceFactory()
    schedule = DunningSchedule.objects.create(name="Eerste", group=group, run_at="09:00")
    day = date(2026, 12, 4)
    run_start(
        group=group,
        invoices=Invoice.objects.all(),
        source=RunSource.SCHEDULE,
        schedule=schedule,
        schedule_day=day,
    )

    with pytest.raises(IntegrityError):
        run_start(
            group=group,
            invoices=Invoice.objects.all(),
            source=RunSource.SCHEDULE,
            schedule=schedule,
            schedule_day=day,
        )


def test_it_writes_the_items_in_bulk(group, django_assert_max_num_queries):
    debtors = DebtorFactory.create_batch(30)
    for debtor in debtors:
        InvoiceFactory.create_batch(3, debtor=debtor)

    with django_assert_max_num_queries(12):
        run = run_start(group=group, invoices=Invoice.objects.all())

    assert run.invoice_count == 90
    assert DunningRunItem.objects.filter(run=run, state=ItemState.PENDING).count() == 30
