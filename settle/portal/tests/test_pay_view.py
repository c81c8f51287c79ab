"""The pay page: the selected invoices still open, their total and a pay button; its POST
starts a payment at the provider (the demo in tests) and sends the debtor to its checkout. And
the landing page's "Pay this instalment" for a running arrangement."""

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from settle.arrangements.tests.factories import invoices_of, propose
from settle.arrangements.tests.factories import pay as bank_pay
from settle.payments.configuration import PaymentsConfig
from settle.payments.models import PaymentRequest, RequestOrigin, RequestPurpose
from settle.portal.tests.support import database_snapshot, sign_in, text_of
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

PAY = reverse("portal:pay")
PAY_INSTALMENT = reverse("portal:pay_instalment")
HOME = reverse("portal:home")


def _total_field(html: str) -> str:
    found = re.search(r'name="total" value="([^"]*)"', html)
    assert found, "no total posted with the pay button"
    return found.group(1)


def _pay(client, invoices, total: str | None = None):
    """Press the pay button as the page offers it: its invoices and the total it showed."""
    if total is None:
        total = _total_field(text_of(client.get(PAY, {"invoice": [i.pk for i in invoices]})))
    return client.post(PAY, {"invoice": [i.pk for i in invoices], "total": total})


def test_it_shows_the_selected_invoices_and_their_total_in_english(client, carol):
    first = InvoiceFactory(debtor=carol, number="C-1", amount=Decimal("100.00"))
    second = InvoiceFactory(debtor=carol, number="C-2", amount=Decimal("21.50"))
    InvoiceFactory(debtor=carol, number="C-NOT-SELECTED")
    sign_in(client, carol)

    html = text_of(client.get(PAY, {"invoice": [first.pk, second.pk]}))

    assert "C-1" in html and "C-2" in html
    assert "C-NOT-SELECTED" not in html
    assert "Total to pay" in html
    assert "Pay €121.50" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_it_shows_the_summary_in_dutch(client, alice):
    invoice = InvoiceFactory(debtor=alice, amount=Decimal("1234.50"))
    sign_in(client, alice)

    html = text_of(client.get(PAY, {"invoice": invoice.pk}))

    assert "Totaal te betalen" in html
    assert "€\xa01.234,50 betalen" in html


def test_it_creates_nothing_on_get(client, carol):
    invoice = InvoiceFactory(debtor=carol)
    sign_in(client, carol)
    before = database_snapshot()

    client.get(PAY, {"invoice": invoice.pk})
    client.head(PAY, {"invoice": invoice.pk})

    after = database_snapshot()
    # Only the session's row may change: signing in wrote it, a page view may touch it.
    before.pop("sessions.Session"), after.pop("sessions.Session")
    assert after == before


def test_it_answers_404_for_another_debtors_invoice(client, alice, carol):
    own = InvoiceFactory(debtor=carol)
    alices = InvoiceFactory(debtor=alice, number="A-SECRET")
    sign_in(client, carol)

    shown = client.get(PAY, {"invoice": [own.pk, alices.pk]})
    posted = client.post(PAY, {"invoice": [own.pk, alices.pk], "total": "242.00"})

    assert shown.status_code == 404
    assert posted.status_code == 404
    assert "A-SECRET" not in text_of(shown)
    assert not PaymentRequest.objects.exists()


def test_it_answers_404_for_what_is_not_an_invoice_id(client, carol):
    sign_in(client, carol)

    assert client.get(PAY, {"invoice": "1 OR 1=1"}).status_code == 404


def test_it_sends_the_debtor_back_when_nothing_is_selected(client, carol):
    InvoiceFactory(debtor=carol)
    sign_in(client, carol)

    response = client.get(PAY, follow=True)

    assert response.redirect_chain == [(HOME, 302)]
    assert "Select the invoices you want to pay." in text_of(response)


def test_it_asks_a_signed_out_visitor_to_sign_in(client, carol):
    invoice = InvoiceFactory(debtor=carol)

    response = client.get(PAY, {"invoice": invoice.pk})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:signed_out")


def test_it_creates_the_payment_and_sends_the_debtor_to_the_checkout(client, carol):
    invoices = [InvoiceFactory(debtor=carol, amount=Decimal(a)) for a in ("100.00", "21.50")]
    sign_in(client, carol)

    response = _pay(client, invoices)

    request = PaymentRequest.objects.get()
    assert response.status_code == 303
    assert response["Location"] == request.checkout_url
    checkout = urlsplit(request.checkout_url).path
    assert checkout == reverse("portal:demo_checkout", kwargs={"demo_id": request.provider_id})
    assert request.amount == Decimal("121.50")
    assert request.origin == RequestOrigin.PORTAL
    assert request.purpose == RequestPurpose.INVOICES
    assert request.language == "en"
    assert sorted(request.lines.values_list("invoice_id", flat=True)) == sorted(
        i.pk for i in invoices
    )


def test_it_asks_only_what_is_still_open(client, carol):
    invoice = InvoiceFactory(debtor=carol, amount=Decimal("100.00"))
    sign_in(client, carol)
    bank_pay(carol, "40.00")

    html = text_of(client.get(PAY, {"invoice": invoice.pk}))
    _pay(client, [invoice])

    assert "Pay €60.00" in html
    assert PaymentRequest.objects.get().amount == Decimal("60.00")


def test_it_refuses_when_the_amount_changed_since_the_page_was_shown(client, carol):
    invoice = InvoiceFactory(debtor=carol, amount=Decimal("100.00"))
    sign_in(client, carol)
    shown_total = _total_field(text_of(client.get(PAY, {"invoice": invoice.pk})))
    bank_pay(carol, "40.00")

    response = _pay(client, [invoice], total=shown_total)

    html = text_of(response)
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "The amount to pay has changed in the meantime" in html
    assert "Pay €60.00" in html
    assert not PaymentRequest.objects.exists()


def test_it_says_so_when_everything_was_paid_in_the_meantime(client, carol):
    invoice = InvoiceFactory(debtor=carol, amount=Decimal("100.00"))
    sign_in(client, carol)
    bank_pay(carol, "100.00")

    response = client.post(PAY, {"invoice": invoice.pk, "total": "100.00"})

    html = text_of(response)
    assert response.status_code == 200
    assert "there is nothing left to pay" in html
    assert 'role="alert"' in html
    assert "Pay €" not in html
    assert not PaymentRequest.objects.exists()


def test_it_shows_the_refusal_when_online_payment_is_off(client, carol, settings):
    invoice = InvoiceFactory(debtor=carol, amount=Decimal("100.00"))
    sign_in(client, carol)
    settings.SETTLE_PAYMENTS = PaymentsConfig()

    response = client.post(PAY, {"invoice": invoice.pk, "total": "100.00"})

    html = text_of(response)
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "Online payment is not available." in html
    assert not PaymentRequest.objects.exists()


def test_it_tells_of_a_payment_in_progress_and_lets_the_debtor_pay_again(client, carol):
    invoice = InvoiceFactory(debtor=carol, amount=Decimal("100.00"))
    sign_in(client, carol)
    _pay(client, [invoice])

    html = text_of(client.get(PAY, {"invoice": invoice.pk}))
    again = _pay(client, [invoice])

    assert "A payment for these invoices is in progress." in html
    assert again.status_code == 303
    first, second = PaymentRequest.objects.order_by("pk")
    first.refresh_from_db()
    assert first.superseded_by == second


# --- An arrangement's next instalment ----------------------------------------------------------


def _running(debtor, *amounts):
    invoices = invoices_of(debtor, *amounts)
    arrangement = propose(
        debtor, invoices, count=3, first_date=timezone.localdate() + timedelta(days=7)
    )
    assert arrangement.state == "accepted"
    return arrangement, invoices


def test_it_pays_the_first_unpaid_instalment(client, carol):
    arrangement, invoices = _running(carol, "100.00", "200.00")
    sign_in(client, carol)

    response = client.post(PAY_INSTALMENT, {"arrangement": arrangement.pk})

    request = PaymentRequest.objects.get()
    assert response.status_code == 303
    assert response["Location"] == request.checkout_url
    assert request.amount == Decimal("100.00")
    assert request.purpose == RequestPurpose.INSTALMENT
    # The instalment goes to the arrangement's invoices, oldest due first.
    assert set(request.lines.values_list("invoice_id", flat=True)) <= {i.pk for i in invoices}


def test_it_pays_what_is_left_of_a_partly_paid_instalment(client, carol):
    arrangement, _invoices = _running(carol, "300.00")
    bank_pay(carol, "130.00")
    sign_in(client, carol)

    client.post(PAY_INSTALMENT, {"arrangement": arrangement.pk})

    # 130 covers the first instalment of 100 and 30 of the second.
    assert PaymentRequest.objects.get().amount == Decimal("70.00")


def test_it_answers_404_for_another_debtors_arrangement(client, alice, carol):
    arrangement, _invoices = _running(alice, "300.00")
    sign_in(client, carol)

    response = client.post(PAY_INSTALMENT, {"arrangement": arrangement.pk})

    assert response.status_code == 404
    assert not PaymentRequest.objects.exists()


def test_it_refuses_to_pay_an_instalment_on_get(client, carol):
    arrangement, _invoices = _running(carol, "300.00")
    sign_in(client, carol)

    response = client.get(PAY_INSTALMENT, {"arrangement": arrangement.pk})

    assert response.status_code == 405
    assert not PaymentRequest.objects.exists()


def _directive(response, name: str) -> list[str]:
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    return []


def test_it_lets_the_pay_form_lead_to_the_providers_checkout_and_nowhere_else(
    client, carol, settings
):
    invoice = InvoiceFactory(debtor=carol)
    sign_in(client, carol)
    demo = client.get(PAY, {"invoice": invoice.pk})
    settings.SETTLE_PAYMENTS = PaymentsConfig(
        provider="mollie", api_key="test_" + "x" * 30, endpoint="https://api.mollie.com"
    )

    mollie = client.get(PAY, {"invoice": invoice.pk})

    # Browsers hold the redirect after a form's POST to form-action too.
    assert _directive(demo, "form-action") == ["'self'"]
    assert _directive(mollie, "form-action") == ["'self'", "https://www.mollie.com"]
    assert _directive(mollie, "script-src") == ["'self'"]
    assert _directive(mollie, "default-src") == ["'self'"]
