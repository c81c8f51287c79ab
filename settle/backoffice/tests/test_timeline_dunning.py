from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from settle.backoffice.selectors import debtor_timeline
from settle.backoffice.tests.dunning_support import item_of
from settle.dunning.models import DunningHold, DunningRunItem, ItemState
from settle.dunning.tests.factories import (
    ActionFactory,
    ActionGroupFactory,
    DunningHoldFactory,
    DunningRunFactory,
)
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(bob):
    group = ActionGroupFactory(name="First reminder")
    ActionFactory(group=group, name="Reminder e-mail")
    ActionFactory(group=group, name="Set status")
    return DunningRunFactory(group=group, created_by=bob)


def processed(item, *, minutes_ago: int):
    at = timezone.now() - timedelta(minutes=minutes_ago)
    DunningRunItem.objects.filter(pk=item.pk).update(processed_at=at)
    return item


def dunning_entries(debtor, language: str = "en"):
    with translation.override(language):
        entries = debtor_timeline(debtor=debtor)
    return [entry for entry in entries if entry.source == "dunning"]


def test_it_shows_a_processed_item_with_its_group_actions_and_invoices(alice, run):
    item = item_of(run, alice, invoices=2, state=ItemState.SENT, skipped=["paid"])
    reached = sorted(line.invoice.number for line in item.lines.all() if not line.skipped_reason)

    [entry] = dunning_entries(alice)

    assert entry.title == "Dunning: First reminder"
    assert entry.detail == f"Reminder e-mail, Set status · {', '.join(reached)}"
    assert entry.state_label == "Done"
    assert entry.url == reverse("backoffice:dunning_item", args=[item.pk])
    assert entry.actor == "Bob"
    assert entry.at == item.processed_at


def test_it_shows_a_skipped_item_with_its_reason_and_leaves_out_pending_ones(alice, carol, run):
    item_of(run, alice, state=ItemState.SKIPPED, reason="no_address")
    item_of(run, carol)

    [entry] = dunning_entries(alice)

    assert entry.state_label == "Skipped"
    assert entry.detail == "Reminder e-mail, Set status · No address for the channel"
    assert dunning_entries(carol) == []


def test_it_shows_holds_made_lifted_and_ended_by_themselves(alice, bob):
    today = timezone.localdate()
    invoice = InvoiceFactory(debtor=alice, number="F-HOLD")
    on_invoice = DunningHoldFactory(
        invoice=invoice, until=today + timedelta(days=10), reason="Disputed", created_by=bob
    )
    lifted = DunningHoldFactory(
        invoice=None, debtor=alice, until=today + timedelta(days=30), reason="Bankruptcy check"
    )
    DunningHold.objects.filter(pk=lifted.pk).update(lifted_at=timezone.now() + timedelta(minutes=1))
    ended = DunningHoldFactory(
        invoice=None, debtor=alice, until=today - timedelta(days=3), reason="Holiday"
    )

    entries = dunning_entries(alice)

    shown = {(entry.title, entry.detail) for entry in entries}
    assert ("Dunning hold lifted", "all invoices · Bankruptcy check") in shown
    assert ("Dunning hold ended", "all invoices · Holiday") in shown
    made = [entry for entry in entries if entry.title.startswith("On hold for dunning until")]
    assert len(made) == 3
    [invoice_hold] = [entry for entry in made if entry.detail == "F-HOLD · Disputed"]
    assert invoice_hold.actor == "Bob"
    assert invoice_hold.at == on_invoice.created_at
    [end] = [entry for entry in entries if entry.title == "Dunning hold ended"]
    assert end.at == timezone.make_aware(datetime.combine(ended.until + timedelta(days=1), time()))
    assert entries[0].title == "Dunning hold lifted"


def test_it_leaves_out_another_debtors_holds(alice, carol):
    DunningHoldFactory(invoice=InvoiceFactory(debtor=carol))
    DunningHoldFactory(invoice=None, debtor=carol)

    assert dunning_entries(alice) == []


def test_it_shows_them_in_dutch(alice, run):
    item_of(run, alice, state=ItemState.SENT)
    DunningHoldFactory(invoice=None, debtor=alice, until=timezone.localdate() + timedelta(days=5))

    titles = [entry.title for entry in dunning_entries(alice, "nl")]

    assert "Betalingsherinnering: First reminder" in titles
    assert any(title.startswith("Geblokkeerd voor herinneringen tot ") for title in titles)


def test_it_shows_the_entries_on_the_debtors_page(bob_client, alice, run):
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    item = item_of(run, alice, state=ItemState.SENT)

    html = bob_client.get(alice.get_absolute_url()).content.decode()

    assert "timeline__entry--dunning" in html
    assert (
        f'href="{reverse("backoffice:dunning_item", args=[item.pk])}">Dunning: First reminder<'
        in html
    )


def test_it_builds_the_timeline_at_a_constant_query_cost(alice, run):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            debtor_timeline(debtor=alice)
        return len(captured)

    processed(item_of(run, alice, state=ItemState.SENT), minutes_ago=5)
    DunningHoldFactory(invoice=InvoiceFactory(debtor=alice))
    one = queries()
    for _ in range(3):
        other = DunningRunFactory(group=run.group)
        processed(item_of(other, alice, invoices=3, state=ItemState.SENT), minutes_ago=1)
        DunningHoldFactory(
            invoice=None, debtor=alice, until=timezone.localdate() - timedelta(days=1)
        )

    assert queries() == one
