from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from settle.backoffice.tests.support import GARBAGE, MISSING_PKS, page_after, short, shown_errors
from settle.dunning.models import DunningItemInvoice, DunningRun, RunSource
from settle.dunning.tests.factories import ActionFactory, ActionGroupFactory, DunningHoldFactory
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("backoffice:dunning_overview")
CONFIRM = reverse("backoffice:dunning_confirm")
START = reverse("backoffice:dunning_start")


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def group():
    group = ActionGroupFactory(name="Eerste herinnering")
    ActionFactory(group=group, name="E-mail", message_kind="reminder_1")
    return group


def counts(response) -> dict[str, str]:
    """The confirmation's counts as shown: {"invoices": "3", "debtors": "2", "channel-email": …}."""
    html = response.content.decode()
    shown = {}
    for part in html.split('data-count="')[1:]:
        name, rest = part.split('">', 1)
        shown[name] = rest.split("<", 1)[0]
    return shown


def test_it_confirms_the_ticked_invoices_of_a_page_with_the_counts(bob_client, group):
    alice = DebtorFactory(name="Alice")
    carol = DebtorFactory(name="Carol", email="")
    ids = [InvoiceFactory(debtor=alice).pk, InvoiceFactory(debtor=alice).pk]
    ids.append(InvoiceFactory(debtor=carol).pk)
    InvoiceFactory(debtor=carol)  # not ticked

    response = bob_client.post(CONFIRM, {"group": group.pk, "invoice": ids})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Eerste herinnering" in html
    # Carol has no e-mail address: her delivery method (e-mail) cannot reach her either.
    assert counts(response) == {"invoices": "3", "debtors": "2", "channel-email": "1"}
    assert "No address for the channel: 1 debtor" in html
    assert html.count('name="invoice"') == 3
    assert "Start the run" in html


def test_it_confirms_every_invoice_matching_the_filter_when_all_are_selected(bob_client, group):
    for _ in range(60):
        InvoiceFactory(amount=Decimal("200.00"))
    InvoiceFactory(amount=Decimal("5.00"))

    response = bob_client.post(
        CONFIRM, {"group": group.pk, "select_all": "1", "query": "open_amount_min=100&page=2"}
    )

    assert counts(response)["invoices"] == "60"
    assert counts(response)["debtors"] == "60"
    html = response.content.decode()
    assert 'name="select_all" value="1"' in html
    assert 'name="invoice"' not in html


def test_it_counts_the_skipped_invoices_by_reason(bob_client, group, alice):
    free = InvoiceFactory(debtor=alice)
    held = InvoiceFactory(debtor=alice)
    DunningHoldFactory(invoice=held)
    paid = InvoiceFactory(debtor=alice, open_amount=Decimal("0.00"))

    response = bob_client.post(CONFIRM, {"group": group.pk, "invoice": [free.pk, held.pk, paid.pk]})

    html = response.content.decode()
    assert counts(response)["invoices"] == "1"
    assert "On hold for dunning: 1 invoice" in html
    assert "Paid, nothing open: 1 invoice" in html


def test_it_says_so_when_nothing_can_be_reminded(bob_client, group, alice):
    held = InvoiceFactory(debtor=alice)
    DunningHoldFactory(invoice=held)

    response = bob_client.post(CONFIRM, {"group": group.pk, "invoice": [held.pk]})

    html = response.content.decode()
    assert "nothing to run" in html
    assert "Start the run" not in html


def test_it_starts_the_run_and_opens_its_page(bob_client, bob, group, alice):
    ids = [InvoiceFactory(debtor=alice).pk, InvoiceFactory(debtor=alice).pk]

    response = bob_client.post(START, {"group": group.pk, "invoice": ids})

    run = DunningRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/backoffice/dunning/runs/{run.pk}/"
    assert (run.group, run.created_by, run.source) == (group, bob, RunSource.MANUAL)
    assert (run.invoice_count, run.debtor_count) == (2, 1)
    assert run.filter_query == ""
    assert sorted(DunningItemInvoice.objects.values_list("invoice_id", flat=True)) == ids


def test_it_starts_a_run_over_the_filter_and_keeps_the_filter(bob_client, group):
    InvoiceFactory(number="OLD", due_date=timezone.localdate() - timedelta(days=30))
    InvoiceFactory(number="NEW", due_date=timezone.localdate() - timedelta(days=2))

    bob_client.post(
        START, {"group": group.pk, "select_all": "1", "query": "overdue_min=10&sort=due_date"}
    )

    run = DunningRun.objects.get()
    assert run.filter_query == "overdue_min=10&sort=due_date"
    assert list(DunningItemInvoice.objects.values_list("invoice__number", flat=True)) == ["OLD"]


def test_it_refuses_an_archived_group_with_a_clear_message(bob_client, group, alice):
    invoice = InvoiceFactory(debtor=alice)
    group.archived_at = timezone.now()
    group.save()

    for url in (CONFIRM, START):
        response = bob_client.post(url, {"group": group.pk, "invoice": [invoice.pk]})
        errors = shown_errors(page_after(bob_client, response))
        assert any("archived" in error for error in errors), errors
    assert not DunningRun.objects.exists()


def test_it_asks_for_a_selection_and_a_group(bob_client, group):
    response = bob_client.post(CONFIRM, {"group": group.pk})
    assert "Select at least one invoice." in shown_errors(page_after(bob_client, response))

    response = bob_client.post(CONFIRM, {"invoice": [InvoiceFactory().pk]})
    assert "Choose an action group." in shown_errors(page_after(bob_client, response))


def test_it_says_so_when_no_invoice_matches(bob_client, group):
    response = bob_client.post(
        CONFIRM, {"group": group.pk, "select_all": "1", "query": "number=nothing-like-it"}
    )

    page = page_after(bob_client, response)
    assert "No invoice matches this selection." in shown_errors(page)
    assert "number=nothing-like-it" in response["Location"]


def test_it_refuses_a_filter_it_cannot_read_rather_than_select_everything(bob_client, group):
    InvoiceFactory()

    response = bob_client.post(
        START, {"group": group.pk, "select_all": "1", "query": "open_amount_min=lots"}
    )

    assert response.status_code == 302
    assert "cannot be read" in " ".join(shown_errors(page_after(bob_client, response)))
    assert not DunningRun.objects.exists()


def test_it_shows_the_refusal_in_dutch(client, bob, group):
    client.cookies.clear()
    client.force_login(bob)

    response = client.post(CONFIRM, {"group": group.pk})

    assert "Selecteer ten minste één factuur." in shown_errors(page_after(client, response))


@pytest.mark.parametrize("value", [*GARBAGE, *map(str, MISSING_PKS), "a=1\r\nX: y"], ids=short)
def test_it_never_fails_on_garbage(bob_client, group, value):
    InvoiceFactory()

    for url in (CONFIRM, START):
        for data in (
            {"group": value, "invoice": [value]},
            {"group": group.pk, "invoice": [value]},
            {"group": group.pk, "select_all": value, "query": value},
        ):
            response = bob_client.post(url, data)
            assert response.status_code in (200, 302), (url, data)


def test_it_only_answers_a_post(bob_client):
    assert bob_client.get(CONFIRM).status_code == 405
    assert bob_client.get(START).status_code == 405


def test_it_is_for_employees_only(client, group):
    response = client.post(START, {"group": group.pk, "invoice": [InvoiceFactory().pk]})

    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not DunningRun.objects.exists()
