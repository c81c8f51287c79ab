"""Online payment on the landing page and the sign-in page: a pay button for the selected
invoices, "Payment in progress" on invoices being paid, "Pay this instalment" for a running
arrangement, and words about paying only when a provider is configured."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from settle.arrangements.tests.factories import invoices_of, propose
from settle.arrangements.tests.factories import pay as bank_pay
from settle.payments.configuration import PaymentsConfig
from settle.payments.providers.demo import demo_payment_set
from settle.payments.services import payment_request_create
from settle.portal.services import portal_link_issue
from settle.portal.tests.support import link_path, sign_in, text_of
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")
PAY_BUTTON = f'formaction="{reverse("portal:pay")}"'


@pytest.fixture
def no_online_payment(settings):
    settings.SETTLE_PAYMENTS = PaymentsConfig()


def _status(html: str, invoice) -> str:
    found = re.search(
        rf'<label for="invoice-{invoice.pk}">.*?<span class="status">(.*?)</span>', html, re.S
    )
    assert found, invoice.number
    return found.group(1)


def test_it_offers_to_pay_the_selected_invoices(client, carol):
    InvoiceFactory(debtor=carol)
    sign_in(client, carol)

    html = text_of(client.get(HOME))

    assert f'<input type="submit" class="button primary" {PAY_BUTTON} value="Pay">' in html
    assert ">Respond</button>" in html


def test_it_offers_no_pay_button_without_a_provider(client, carol, no_online_payment):
    InvoiceFactory(debtor=carol)
    sign_in(client, carol)

    html = text_of(client.get(HOME))

    assert PAY_BUTTON not in html
    assert ">Respond</button>" in html


def test_it_shows_a_payment_in_progress_in_dutch_and_english(client, alice, carol):
    alices = InvoiceFactory(debtor=alice)
    carols, other = InvoiceFactory(debtor=carol), InvoiceFactory(debtor=carol)
    payment_request_create(debtor=alice, invoices=[alices], language="nl")
    payment_request_create(debtor=carol, invoices=[carols], language="en")

    sign_in(client, alice)
    dutch = text_of(client.get(HOME))
    sign_in(client, carol)
    english = text_of(client.get(HOME))

    assert _status(dutch, alices) == "Betaling in behandeling"
    assert _status(english, carols) == "Payment in progress"
    assert _status(english, other) == other.collection_status.label_en


def test_it_shows_the_status_again_once_the_attempt_failed(client, carol):
    invoice = InvoiceFactory(debtor=carol)
    request = payment_request_create(debtor=carol, invoices=[invoice], language="en")
    demo_payment_set(demo_id=request.provider_id, state="failed")
    client.get(reverse("portal:pay_return", kwargs={"key": request.key}))
    sign_in(client, carol)

    html = text_of(client.get(HOME))

    assert _status(html, invoice) == invoice.collection_status.label_en


def test_it_costs_at_most_one_query_more(client, carol, settings):
    for _ in range(5):
        InvoiceFactory(debtor=carol)
    sign_in(client, carol)
    client.get(HOME)

    with CaptureQueriesContext(connection) as with_payments:
        client.get(HOME)
    settings.SETTLE_PAYMENTS = PaymentsConfig()
    with CaptureQueriesContext(connection) as without:
        client.get(HOME)

    assert len(with_payments) == len(without) + 1


def _running(debtor, *amounts):
    invoices = invoices_of(debtor, *amounts)
    first = timezone.localdate() + timedelta(days=7)
    arrangement = propose(debtor, invoices, count=3, first_date=first)
    assert arrangement.state == "accepted"
    return arrangement


def _instalment_form(html: str) -> str:
    found = re.search(
        r'<form method="post" action="([^"]+)" class="pay-instalment">(.*?)</form>', html, re.S
    )
    assert found, "no pay-this-instalment form"
    assert found.group(1) == reverse("portal:pay_instalment")
    return found.group(2)


def test_it_offers_to_pay_the_next_instalment(client, carol):
    arrangement = _running(carol, "100.00", "200.00")
    sign_in(client, carol)

    form = _instalment_form(text_of(client.get(HOME)))

    assert 'name="csrfmiddlewaretoken"' in form
    assert f'name="arrangement" value="{arrangement.pk}"' in form
    assert "Pay this instalment (€100.00)" in form


def test_it_offers_what_is_left_of_a_partly_paid_instalment_in_dutch(client, alice):
    _running(alice, "300.00")
    bank_pay(alice, "130.00")
    sign_in(client, alice)

    form = _instalment_form(text_of(client.get(HOME)))

    assert "Deze termijn betalen (€\xa070,00)" in form


def test_it_offers_no_instalment_payment_without_a_provider(client, carol, no_online_payment):
    _running(carol, "300.00")
    sign_in(client, carol)

    html = text_of(client.get(HOME))

    assert "Your payment arrangement" in html
    assert "pay-instalment" not in html


def test_it_mentions_paying_on_the_sign_in_page_only_with_a_provider(client, alice, settings):
    key = portal_link_issue(debtor=alice).key

    with_payment = text_of(client.get(link_path(key)))
    settings.SETTLE_PAYMENTS = PaymentsConfig()
    without = text_of(client.get(link_path(key)))

    assert "te bekijken en te betalen of erop te reageren" in with_payment
    assert "te bekijken en erop te reageren" in without
    assert "betalen" not in without.split("<main", 1)[1]
