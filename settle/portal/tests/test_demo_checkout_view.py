"""The demo provider's checkout: it says no money moves, shows the amount, and its buttons drive
the same booking path a real provider's webhook does, then lead back to the return page."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from settle.payments.configuration import PaymentsConfig
from settle.payments.models import DemoPayment, PaymentRequest, RequestState
from settle.payments.services import payment_request_create
from settle.portal.tests.support import text_of
from settle.receivables.models import Invoice
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


def _started(debtor, *amounts: str, prefix: str = "D") -> PaymentRequest:
    invoices = [
        InvoiceFactory(debtor=debtor, number=f"{prefix}-{n}", amount=Decimal(amount))
        for n, amount in enumerate(amounts, start=1)
    ]
    return payment_request_create(debtor=debtor, invoices=invoices, language=debtor.language)


def _checkout(request: PaymentRequest) -> str:
    return reverse("portal:demo_checkout", kwargs={"demo_id": request.provider_id})


def _return_path(request: PaymentRequest) -> str:
    return reverse("portal:pay_return", kwargs={"key": request.key})


def test_it_shows_the_amount_and_four_buttons_and_says_no_money_moves(carol):
    request = _started(carol, "100.00", "21.50")

    html = text_of(Client().get(_checkout(request)))

    assert "Demo payment provider" in html
    assert "No money is moved" in html
    assert "€121.50" in html
    assert "Invoices D-1, D-2" in html
    for value, label in (
        ("paid", "Paid"),
        ("failed", "Failed"),
        ("canceled", "Cancelled"),
        ("pending", "Still pending"),
    ):
        assert f'name="state" value="{value}" class="button' in html
        assert f">{label}</button>" in html


def test_it_books_the_payment_when_paid_is_pressed(carol):
    request = _started(carol, "100.00", "21.50")

    response = Client().post(_checkout(request), {"state": "paid"})

    request.refresh_from_db()
    assert response.status_code == 303
    assert urlsplit(response["Location"]).path == _return_path(request)
    assert request.state == RequestState.PAID
    assert request.payment is not None
    assert request.payment.amount == Decimal("121.50")
    assert not Invoice.objects.filter(debtor=carol).open().exists()


def test_it_books_nothing_for_failed_cancelled_or_pending(carol):
    outcomes = {}
    for state in ("failed", "canceled", "pending"):
        request = _started(carol, "10.00", prefix=state)
        Client().post(_checkout(request), {"state": state})
        request.refresh_from_db()
        outcomes[state] = (request.state, request.payment)

    assert outcomes == {
        "failed": (RequestState.FAILED, None),
        "canceled": (RequestState.CANCELED, None),
        "pending": (RequestState.PENDING, None),
    }
    assert Invoice.objects.filter(debtor=carol).open().count() == 3


def test_it_lets_a_pending_payment_still_be_paid(carol):
    request = _started(carol, "10.00")
    Client().post(_checkout(request), {"state": "pending"})

    Client().post(_checkout(request), {"state": "paid"})

    request.refresh_from_db()
    assert request.state == RequestState.PAID


def test_it_never_changes_a_final_payment(carol):
    request = _started(carol, "10.00")
    browser = Client()
    browser.post(_checkout(request), {"state": "failed"})

    again = browser.post(_checkout(request), {"state": "paid"})
    shown = text_of(browser.get(_checkout(request)))

    request.refresh_from_db()
    assert again.status_code == 409
    assert "This payment is final and cannot be changed any more." in text_of(again)
    assert request.state == RequestState.FAILED
    assert request.payment is None
    assert DemoPayment.objects.get(demo_id=request.provider_id).state == "failed"
    assert 'name="state"' not in shown


def test_it_refuses_a_state_no_button_sets(carol):
    request = _started(carol, "10.00")

    response = Client().post(_checkout(request), {"state": "authorized"})

    request.refresh_from_db()
    assert response.status_code == 400
    assert request.state == RequestState.OPEN


def test_it_answers_404_for_an_unknown_payment(client):
    url = reverse("portal:demo_checkout", kwargs={"demo_id": "demo_000000000000000000000000"})

    assert client.get(url).status_code == 404
    assert client.post(url, {"state": "paid"}).status_code == 404


def test_it_answers_404_when_the_demo_is_not_the_provider(carol, settings):
    request = _started(carol, "10.00")
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="mollie", api_key="test_" + "x" * 30)

    assert Client().get(_checkout(request)).status_code == 404
    assert Client().post(_checkout(request), {"state": "paid"}).status_code == 404
    request.refresh_from_db()
    assert request.state == RequestState.OPEN


def test_it_shows_the_checkout_in_dutch(alice):
    request = _started(alice, "10.00")

    html = text_of(Client().get(_checkout(request)))

    assert "Demo-betaalprovider" in html
    assert ">Geannuleerd</button>" in html
    assert ">Nog in behandeling</button>" in html


def test_it_needs_no_inline_script_or_style(carol):
    request = _started(carol, "10.00")

    response = Client().get(_checkout(request))

    html = text_of(response)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not re.search(r"<script\b(?![^>]*\bsrc=)", html)
    assert not re.search(r"<[^>]*\s(style|on[a-z]+)\s*=", html)
