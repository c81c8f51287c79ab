"""The page a checkout sends the debtor back to: the state the provider reports now, never the
one in the address; while the payment is not final it polls itself (htmx) until it is."""

import logging
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from settle.common.logfilters import RedactPortalKeys, redact
from settle.payments.models import PaymentRequest, RequestState
from settle.payments.providers.demo import demo_payment_set
from settle.payments.services import payment_request_create
from settle.portal.tests.support import sign_in, text_of
from settle.portal.tokens import key_new
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

INLINE_SCRIPT_RE = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def _started(debtor, *amounts: str, language: str = "en") -> PaymentRequest:
    invoices = [
        InvoiceFactory(debtor=debtor, number=f"R-{n}", amount=Decimal(amount))
        for n, amount in enumerate(amounts, start=1)
    ]
    return payment_request_create(debtor=debtor, invoices=invoices, language=language)


def _return(request: PaymentRequest) -> str:
    return reverse("portal:pay_return", kwargs={"key": request.key})


def _status(request: PaymentRequest) -> str:
    return reverse("portal:pay_return_status", kwargs={"key": request.key})


def test_it_waits_and_polls_while_the_payment_is_open(client, carol):
    request = _started(carol, "50.00")

    html = text_of(client.get(_return(request)))

    assert "We are waiting for the confirmation of your payment." in html
    assert f'hx-get="{_status(request)}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert 'hx-swap="outerHTML"' in html
    assert not INLINE_SCRIPT_RE.search(html)


def test_it_never_believes_the_query_string(client, carol):
    request = _started(carol, "50.00")

    html = text_of(client.get(_return(request), {"status": "paid", "state": "paid"}))

    request.refresh_from_db()
    assert request.state == RequestState.OPEN
    assert request.payment is None
    assert "Thank you" not in html
    assert "We are waiting for the confirmation of your payment." in html


def test_it_shows_the_payment_paid_once_the_provider_says_so(client, carol):
    request = _started(carol, "50.00", "25.00")
    # Paid at the provider; nothing has told Settle yet: the page itself asks.
    demo_payment_set(demo_id=request.provider_id, state="paid")

    html = text_of(client.get(_return(request)))

    request.refresh_from_db()
    assert request.state == RequestState.PAID
    assert request.payment is not None
    assert "Thank you, we have received your payment." in html
    assert "You paid €75.00 for invoices R-1, R-2." in html
    assert "hx-trigger" not in html


def test_it_says_the_payment_was_not_completed_and_offers_a_new_link(client, carol):
    request = _started(carol, "50.00")
    demo_payment_set(demo_id=request.provider_id, state="canceled")

    html = text_of(client.get(_return(request)))

    assert "Your payment was not completed." in html
    assert f'href="{reverse("portal:new_link")}"' in html
    assert "hx-trigger" not in html


def test_it_leads_a_signed_in_debtor_back_to_the_invoices(client, carol):
    request = _started(carol, "50.00")
    demo_payment_set(demo_id=request.provider_id, state="failed")
    sign_in(client, carol)

    html = text_of(client.get(_return(request)))

    assert "Your payment was not completed." in html
    assert f'href="{reverse("portal:home")}"' in html


def test_it_stops_polling_in_the_fragment_of_a_final_state(client, carol):
    request = _started(carol, "50.00")
    headers = {"HX-Request": "true"}

    waiting = text_of(client.get(_status(request), headers=headers))
    demo_payment_set(demo_id=request.provider_id, state="paid")
    final = text_of(client.get(_status(request), headers=headers))

    assert waiting.startswith('<div class="pay-status"')
    assert 'hx-trigger="every 2s"' in waiting
    assert "<html" not in waiting
    assert "Thank you, we have received your payment." in final
    assert "hx-get" not in final and "hx-trigger" not in final


def test_it_shows_the_page_in_the_language_the_debtor_paid_in(alice):
    request = _started(alice, "50.00", language="nl")
    demo_payment_set(demo_id=request.provider_id, state="paid")

    html = text_of(Client().get(_return(request)))

    assert "Dank u wel, we hebben uw betaling ontvangen." in html
    assert "U hebt €\xa050,00 betaald voor factuur R-1." in html


def test_it_answers_404_for_an_unknown_key(client):
    assert client.get(reverse("portal:pay_return", kwargs={"key": key_new()})).status_code == 404
    assert client.get(reverse("portal:pay_return", kwargs={"key": "short"})).status_code == 404
    status = reverse("portal:pay_return_status", kwargs={"key": key_new()})
    assert client.get(status).status_code == 404


def test_it_is_never_cached(client, carol):
    request = _started(carol, "50.00")

    response = client.get(_return(request))

    assert "no-store" in response["Cache-Control"]


def test_it_refuses_a_post(client, carol):
    request = _started(carol, "50.00")

    assert client.post(_return(request)).status_code == 405


def test_it_keeps_the_key_out_of_log_lines(carol):
    request = _started(carol, "50.00")
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET {_status(request)}?status=paid HTTP/1.1", "200", "512"),
        None,
    )

    RedactPortalKeys().filter(record)

    assert request.key not in record.getMessage()
    assert "GET /pay/return/[redacted]/status?status=paid" in record.getMessage()
    # The portal's own pay pages hold no secret and stay readable.
    assert redact("POST /portal/pay/instalment/ 303") == "POST /portal/pay/instalment/ 303"


def test_it_stops_asking_by_itself_after_a_while(client, carol):
    request = _started(carol, "50.00")

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        html = text_of(client.get(_return(request)))

    assert "We are waiting for the confirmation of your payment." in html
    assert "This is taking longer than usual." in html
    assert "hx-trigger" not in html
    assert f'href="{_return(request)}"' in html
