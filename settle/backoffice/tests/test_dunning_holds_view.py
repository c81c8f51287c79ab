"""Holds for dunning on the invoice and debtor pages: any employee puts an invoice or a whole
debtor on hold until a date with a reason, and lifts it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from settle.backoffice.tests.support import GARBAGE, MISSING_PKS, page_after, short, shown_errors
from settle.dunning.models import DunningHold
from settle.dunning.tests.factories import DunningHoldFactory
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("backoffice:dunning_hold_create")


def days(count: int) -> str:
    return (timezone.localdate() + timedelta(days=count)).isoformat()


def lift_url(hold) -> str:
    return reverse("backoffice:dunning_hold_lift", args=[hold.pk])


def holds_panel(html: str) -> str:
    return html.split('id="dunning-holds"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def invoice(alice):
    return InvoiceFactory(debtor=alice, number="F-100")


def test_it_offers_a_hold_on_the_invoice_page(bob_client, invoice):
    html = bob_client.get(invoice.get_absolute_url()).content.decode()

    panel = holds_panel(html)
    assert "Geblokkeerd voor herinneringen" in html
    assert "Deze factuur is nooit geblokkeerd" in panel
    assert f'name="invoice" value="{invoice.pk}"' in panel


def test_it_puts_an_invoice_on_hold(bob_client, bob, invoice):
    response = bob_client.post(
        CREATE, {"invoice": invoice.pk, "until": days(10), "reason": "Klant belt terug"}
    )

    assert response["Location"] == invoice.get_absolute_url() + "#dunning-holds"
    html = page_after(bob_client, response)
    assert "Factuur F-100 is tot en met" in html
    panel = holds_panel(html)
    assert "Klant belt terug" in panel
    assert "Opheffen" in panel
    hold = DunningHold.objects.get()
    assert (hold.invoice, hold.debtor, hold.created_by) == (invoice, None, bob)


def test_it_puts_a_whole_debtor_on_hold_and_shows_it_on_their_invoices(bob_client, alice, invoice):
    response = bob_client.post(
        CREATE, {"debtor": alice.pk, "until": days(5), "reason": "Faillissement onderzocht"}
    )

    assert response["Location"] == alice.get_absolute_url() + "#dunning-holds"
    assert "Faillissement onderzocht" in holds_panel(page_after(bob_client, response))
    invoice_panel = holds_panel(bob_client.get(invoice.get_absolute_url()).content.decode())
    assert "Faillissement onderzocht" in invoice_panel
    assert "de hele debiteur" in invoice_panel


@pytest.mark.parametrize(
    "changes",
    [
        {"until": days(-1)},
        {"until": ""},
        {"until": "morgen"},
        {"reason": "  "},
        {"reason": "x" * 201},
    ],
    ids=short,
)
def test_it_refuses_a_bad_hold_on_its_form(bob_client, invoice, changes):
    data = {"invoice": invoice.pk, "until": days(3), "reason": "Reden"} | changes

    response = bob_client.post(CREATE, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert shown_errors(html)
    assert invoice.get_absolute_url() in html  # the way back
    assert not DunningHold.objects.exists()


def test_it_lifts_a_hold_and_returns_to_the_page(bob_client, invoice):
    hold = DunningHoldFactory(invoice=invoice, reason="Even wachten")
    page = invoice.get_absolute_url()

    response = bob_client.post(lift_url(hold), {"next": page + "#dunning-holds"})

    assert response["Location"] == page + "#dunning-holds"
    html = page_after(bob_client, response)
    assert "De blokkade is opgeheven" in html
    assert "opgeheven" in holds_panel(html)
    assert lift_url(hold) not in html
    hold.refresh_from_db()
    assert hold.lifted_at is not None


def test_it_says_so_when_a_hold_was_lifted_already(bob_client, invoice):
    hold = DunningHoldFactory(invoice=invoice, lifted_at=timezone.now())

    response = bob_client.post(lift_url(hold))

    assert "Deze blokkade was al opgeheven" in page_after(bob_client, response)


def test_it_shows_an_ended_hold_without_lift(bob_client, invoice):
    hold = DunningHoldFactory(
        invoice=invoice, until=timezone.localdate() - timedelta(days=1), reason="Oud"
    )

    panel = holds_panel(bob_client.get(invoice.get_absolute_url()).content.decode())

    assert "beëindigd" in panel
    assert lift_url(hold) not in panel


def test_it_never_redirects_elsewhere_after_lifting(bob_client, invoice):
    hold = DunningHoldFactory(invoice=invoice)

    response = bob_client.post(lift_url(hold), {"next": "https://evil.example/"})

    assert response["Location"] == invoice.get_absolute_url() + "#dunning-holds"


def test_it_sends_strangers_to_sign_in(client, invoice):
    hold = DunningHoldFactory(invoice=invoice)

    for response in (
        client.post(CREATE, {"invoice": invoice.pk, "until": days(3), "reason": "x"}),
        client.post(lift_url(hold)),
    ):
        assert response.status_code == 302
        assert reverse("backoffice:login") in response["Location"]
    hold.refresh_from_db()
    assert hold.lifted_at is None
    assert DunningHold.objects.count() == 1


def test_it_refuses_a_hold_on_both_or_neither(bob_client, alice, invoice):
    both = {"invoice": invoice.pk, "debtor": alice.pk, "until": days(3), "reason": "x"}

    assert bob_client.post(CREATE, both).status_code == 404
    assert bob_client.post(CREATE, {"until": days(3), "reason": "x"}).status_code == 404
    assert not DunningHold.objects.exists()


@pytest.mark.parametrize("value", [*GARBAGE, *MISSING_PKS], ids=short)
def test_it_answers_404_for_an_unknown_target(bob_client, value):
    for name in ("invoice", "debtor"):
        response = bob_client.post(CREATE, {name: value, "until": days(3), "reason": "x"})
        assert response.status_code == 404


@pytest.mark.parametrize("pk", MISSING_PKS, ids=short)
def test_it_answers_404_for_lifting_a_missing_hold(bob_client, pk):
    assert bob_client.post(reverse("backoffice:dunning_hold_lift", args=[pk])).status_code == 404


@pytest.mark.parametrize("value", GARBAGE, ids=short)
def test_it_never_fails_on_garbage_input(bob_client, invoice, value):
    response = bob_client.post(CREATE, {"invoice": invoice.pk, "until": value, "reason": value})

    assert response.status_code in (302, 400)


def test_it_speaks_english_to_who_chose_it(bob_client, invoice, settings):
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    panel = holds_panel(bob_client.get(invoice.get_absolute_url()).content.decode())

    assert "On hold for dunning" in panel
    assert "Put this invoice on hold" in panel
