from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from settle.common.claims import claim_due
from settle.correspondence.models import Channel, Message
from settle.dunning import processing
from settle.dunning.exports import agency_export
from settle.dunning.models import ActionType, DunningRunItem, ItemState, RunState
from settle.dunning.processing import items_process_due
from settle.dunning.runs import item_messages, run_progress, run_start
from settle.dunning.tests.factories import ActionFactory, ActionGroupFactory, DunningHoldFactory
from settle.receivables.models import CollectionStatus, DebtorKind, DeliveryMethod, Invoice
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def status(code: str) -> CollectionStatus:
    return CollectionStatus.objects.get(code=code)


@pytest.fixture
def group():
    group = ActionGroupFactory(name="Herinnering 1")
    ActionFactory(
        group=group,
        name="E-mail",
        action_type=ActionType.EMAIL,
        message_kind="reminder_1",
        resulting_status=status("reminder_1"),
    )
    return group


def started(group, **kwargs):
    return run_start(group=group, invoices=Invoice.objects.all(), **kwargs)


def work_all() -> int:
    handled = 0
    while batch := items_process_due():
        handled += batch
    return handled


def test_it_sends_one_consolidated_message_per_debtor(group, bob):
    alice = DebtorFactory(number="D-A", email="alice@example.test")
    InvoiceFactory(number="F-1", debtor=alice)
    InvoiceFactory(number="F-2", debtor=alice)
    carol = DebtorFactory(number="D-C", email="carol@example.test")
    InvoiceFactory(number="F-3", debtor=carol)
    run = started(group, created_by=bob)

    assert work_all() == 2

    messages = Message.objects.order_by("recipient")
    assert [m.recipient for m in messages] == ["alice@example.test", "carol@example.test"]
    assert [sorted(m.invoices.values_list("number", flat=True)) for m in messages] == [
        ["F-1", "F-2"],
        ["F-3"],
    ]
    assert all(m.cause == "dunning" and m.kind == "reminder_1" for m in messages)
    assert all(m.created_by == bob for m in messages)
    item = run.items.get(debtor=alice)
    assert list(item_messages(item=item)) == [messages[0]]
    assert messages[0].idempotency_key == f"dunning:{item.pk}:{group.actions.get().pk}"
    run.refresh_from_db()
    assert run.state == RunState.DONE
    assert run.processed_at is not None
    assert run_progress(run=run).sent == 2
    assert run_progress(run=run).finished


def test_it_sets_the_resulting_status_and_stamps_the_invoices(group):
    invoice = InvoiceFactory()
    run = started(group)

    work_all()

    invoice.refresh_from_db()
    assert invoice.collection_status_id == "reminder_1"
    line = run.items.get().lines.get()
    assert line.processed_at is not None
    assert line.skipped_reason == ""
    assert run.items.get().state == ItemState.SENT


def test_it_leaves_out_an_invoice_paid_since_the_run_was_made(group):
    alice = DebtorFactory()
    InvoiceFactory(number="F-OPEN", debtor=alice)
    paid = InvoiceFactory(number="F-PAID", debtor=alice)
    run = started(group)
    Invoice.objects.filter(pk=paid.pk).update(open_amount=Decimal("0.00"))

    work_all()

    message = Message.objects.get()
    assert list(message.invoices.values_list("number", flat=True)) == ["F-OPEN"]
    line = run.items.get().lines.get(invoice=paid)
    assert (line.skipped_reason, line.processed_at) == ("paid", None)
    paid.refresh_from_db()
    assert paid.collection_status_id == "open"


def test_it_skips_a_debtor_whose_invoices_were_all_paid_or_held_since(group):
    alice = DebtorFactory()
    paid = InvoiceFactory(debtor=alice)
    held = InvoiceFactory(debtor=alice)
    InvoiceFactory(debtor=DebtorFactory())
    run = started(group)
    Invoice.objects.filter(pk=paid.pk).update(open_amount=Decimal("0.00"))
    DunningHoldFactory(invoice=held)

    work_all()

    item = run.items.get(debtor=alice)
    assert item.state == ItemState.SKIPPED
    assert item.reason in {"paid", "held"}
    assert sorted(item.lines.values_list("skipped_reason", flat=True)) == ["held", "paid"]
    assert not item_messages(item=item).exists()
    assert Message.objects.count() == 1
    progress = run_progress(run=run)
    assert (progress.sent, progress.skipped, progress.finished) == (1, 1, True)


def test_it_falls_back_to_the_debtors_delivery_method(group):
    alice = DebtorFactory(email="", delivery_method=DeliveryMethod.POST)
    InvoiceFactory(debtor=alice)

    run = started(group)
    work_all()

    item = run.items.get()
    assert item.state == ItemState.SENT
    assert [m.channel for m in item_messages(item=item)] == [Channel.LETTER]


def test_it_skips_a_debtor_who_cannot_receive_the_action(group):
    alice = DebtorFactory(email="", delivery_method=DeliveryMethod.EMAIL)
    invoice = InvoiceFactory(debtor=alice)
    run = started(group)

    work_all()

    item = run.items.get()
    assert (item.state, item.reason) == (ItemState.SKIPPED, "no_address")
    assert not Message.objects.exists()
    invoice.refresh_from_db()
    assert invoice.collection_status_id == "open"
    assert item.lines.get().processed_at is None


def test_it_does_the_other_actions_of_a_debtor_without_an_address(group):
    ActionFactory(
        group=group,
        name="Status",
        action_type=ActionType.STATUS_ONLY,
        message_kind="",
        resulting_status=status("reminder_2"),
    )
    invoice = InvoiceFactory(debtor=DebtorFactory(email="", delivery_method=DeliveryMethod.EMAIL))
    run = started(group)

    work_all()

    item = run.items.get()
    assert item.state == ItemState.SENT
    assert item.detail.startswith("E-mail: ")
    invoice.refresh_from_db()
    assert invoice.collection_status_id == "reminder_2"


def test_it_sends_one_message_per_action_in_order():
    group = ActionGroupFactory()
    first = ActionFactory(group=group, action_type=ActionType.EMAIL, message_kind="reminder_2")
    second = ActionFactory(
        group=group,
        action_type=ActionType.INVITATION,
        message_kind="portal_invitation",
        channel=Channel.EMAIL,
    )
    InvoiceFactory.create_batch(3, debtor=DebtorFactory())
    run = started(group)

    work_all()

    item = run.items.get()
    keys = [m.idempotency_key for m in item_messages(item=item)]
    assert keys == [f"dunning:{item.pk}:{first.pk}", f"dunning:{item.pk}:{second.pk}"]
    assert [m.invoices.count() for m in item_messages(item=item)] == [3, 3]


def test_it_sends_the_fourteen_day_letter_to_consumers_only():
    group = ActionGroupFactory()
    ActionFactory(
        group=group,
        action_type=ActionType.FOURTEEN_DAY_LETTER,
        message_kind="fourteen_day_letter",
        channel=Channel.LETTER,
    )
    business = DebtorFactory(kind=DebtorKind.BUSINESS)
    InvoiceFactory(debtor=business)
    run = started(group)

    work_all()

    item = run.items.get()
    assert (item.state, item.reason) == (ItemState.SKIPPED, "not_consumer")
    assert not Message.objects.exists()


def test_it_sends_a_consumer_the_fourteen_day_letter_with_the_statutory_costs():
    group = ActionGroupFactory()
    ActionFactory(
        group=group,
        action_type=ActionType.FOURTEEN_DAY_LETTER,
        message_kind="fourteen_day_letter",
        channel=Channel.LETTER,
    )
    consumer = DebtorFactory(kind=DebtorKind.CONSUMER)
    InvoiceFactory(debtor=consumer, amount=Decimal("300.00"), open_amount=Decimal("300.00"))
    run = started(group)

    work_all()

    item = run.items.get()
    [letter] = item_messages(item=item)
    assert (item.state, letter.channel) == (ItemState.SENT, Channel.LETTER)
    # 15 % of € 300 is € 45 (above the € 40 minimum).
    assert "45,00" in letter.body_html


def test_it_hands_a_debtor_over_to_the_agency_without_sending():
    group = ActionGroupFactory()
    ActionFactory(
        group=group,
        action_type=ActionType.COLLECTION_AGENCY,
        message_kind="",
        resulting_status=status("collection_agency"),
    )
    alice = DebtorFactory(
        number="D-A", name="Alice", street="Dorpsstraat 1", postal_code="1234 AB", city="Utrecht"
    )
    InvoiceFactory(
        debtor=alice,
        number="F-1",
        due_date=timezone.localdate().replace(year=2026, month=11, day=1),
        open_amount=Decimal("80.50"),
    )
    run = started(group)

    work_all()

    assert not Message.objects.exists()
    assert Invoice.objects.get().collection_status_id == "collection_agency"
    rows = agency_export(run=run).splitlines()
    assert len(rows) == 2
    assert rows[1] == (
        'D-A,Alice,"Dorpsstraat 1, 1234 AB Utrecht, NL",d-a@example.test,F-1,2026-11-01,80.50'
    )


def test_it_exports_no_one_for_a_group_without_a_hand_over(group):
    InvoiceFactory()
    run = started(group)
    work_all()

    assert len(agency_export(run=run).splitlines()) == 1


def test_it_sends_nothing_twice_when_an_item_is_worked_again(group):
    InvoiceFactory.create_batch(2, debtor=DebtorFactory())
    run = started(group)
    work_all()
    # As if the worker had died after queueing the message and before finishing the item.
    DunningRunItem.objects.filter(run=run).update(state=ItemState.PENDING, processed_at=None)

    assert work_all() == 1

    assert Message.objects.count() == 1
    assert run.items.get().state == ItemState.SENT


def test_it_drops_its_work_when_another_worker_took_the_item_over(group):
    InvoiceFactory()
    run = started(group)
    [item] = claim_due(DunningRunItem.objects.all(), limit=10)
    # The lease ran out and another worker claimed the row.
    DunningRunItem.objects.filter(pk=item.pk).update(lease_token=None, leased_until=None)
    batch = processing._batch([item])

    with pytest.raises(processing.LeaseLost):
        processing._item_work(item, batch)

    assert not Message.objects.exists()
    item.refresh_from_db()
    assert item.state == ItemState.PENDING
    assert item.lines.get().processed_at is None
    assert run.items.count() == 1


def test_it_tries_a_failing_item_again_and_gives_up_after_some_attempts(group, monkeypatch):
    InvoiceFactory()
    run = started(group)

    def broken(**kwargs):
        raise RuntimeError("the template store is down")

    monkeypatch.setattr(processing, "message_send", broken)
    for attempt in range(processing.MAX_ATTEMPTS):
        assert items_process_due() == 1
        item = run.items.get()
        if attempt < processing.MAX_ATTEMPTS - 1:
            assert item.state == ItemState.PENDING
            assert item.leased_until > timezone.now()
            # The lease runs out; the row is due again.
            DunningRunItem.objects.update(leased_until=timezone.now())

    item = run.items.get()
    assert (item.state, item.reason) == (ItemState.FAILED, "error")
    assert "the template store is down" in item.detail
    run.refresh_from_db()
    assert run.state == RunState.DONE
    assert run_progress(run=run).failed == 1


def test_it_works_items_in_batches_with_few_queries(group, django_assert_max_num_queries):
    for debtor in DebtorFactory.create_batch(10):
        InvoiceFactory.create_batch(2, debtor=debtor)
    started(group)

    with django_assert_max_num_queries(10 * 25):
        assert items_process_due() == 10

    assert Message.objects.count() == 10


def test_it_closes_a_run_left_open_by_a_worker_that_died(group):
    InvoiceFactory()
    run = started(group)
    # The item was finished, and the worker died before marking the run done.
    DunningRunItem.objects.update(state=ItemState.SENT, processed_at=timezone.now())

    assert items_process_due() == 0

    run.refresh_from_db()
    assert run.state == RunState.DONE
    assert run.processed_at is not None


def test_it_leaves_a_run_with_work_pending_open(group):
    InvoiceFactory.create_batch(2, debtor=DebtorFactory())
    InvoiceFactory(debtor=DebtorFactory())
    run = started(group)
    later = run.items.last()
    DunningRunItem.objects.filter(pk=later.pk).update(due_at=timezone.now() + timedelta(hours=1))

    assert work_all() == 1

    run.refresh_from_db()
    assert run.state == RunState.RUNNING
    assert run_progress(run=run).pending == 1
