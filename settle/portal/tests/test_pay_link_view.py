"""The pay button of a message: GET shows whose invoices and how much and creates nothing (mail
scanners open links); POST starts the payment. Paid, expired and forged links say so politely."""

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from settle.arrangements.tests.factories import pay as bank_pay
from settle.common.logfilters import redact
from settle.payments.models import PaymentRequest, RequestOrigin
from settle.portal.paylinks import pay_link_url
from settle.portal.tests.support import database_snapshot, text_of
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


def _link(debtor, invoices, *, days: int = 14) -> str:
    url = pay_link_url(
        debtor=debtor, invoices=invoices, expires_at=timezone.now() + timedelta(days=days)
    )
    return urlsplit(url).path


def _invoices(debtor, *amounts: str, prefix: str = "L"):
    return [
        InvoiceFactory(debtor=debtor, number=f"{prefix}-{n}", amount=Decimal(amount))
        for n, amount in enumerate(amounts, start=1)
    ]


def test_it_shows_the_debtor_the_invoices_and_the_amount(carol):
    invoices = _invoices(carol, "100.00", "21.50")
    InvoiceFactory(debtor=carol, number="L-NOT-IN-THE-MESSAGE")
    path = _link(carol, invoices)

    html = text_of(Client().get(path))

    assert "Carol Smith" in html
    assert "L-1" in html and "L-2" in html
    assert "L-NOT-IN-THE-MESSAGE" not in html
    assert "Pay €121.50" in html
    assert 'method="post"' in html


def test_it_creates_nothing_on_get_or_head(carol):
    path = _link(carol, _invoices(carol, "100.00"))
    before = database_snapshot()

    browser = Client()
    for _ in range(3):
        browser.get(path)
        browser.head(path)

    assert database_snapshot() == before


def test_it_sets_the_csrf_cookie_its_button_needs(carol):
    path = _link(carol, _invoices(carol, "100.00"))
    browser = Client(enforce_csrf_checks=True)

    shown = browser.get(path)
    token = shown.cookies[settings.CSRF_COOKIE_NAME].value
    posted = browser.post(path, {"total": "100.00", "csrfmiddlewaretoken": token})

    assert posted.status_code == 303
    assert Client(enforce_csrf_checks=True).post(path, {"total": "100.00"}).status_code == 403


def test_it_starts_the_payment_on_post_and_sends_the_debtor_to_the_checkout(carol):
    invoices = _invoices(carol, "100.00", "21.50")
    path = _link(carol, invoices)

    response = Client().post(path, {"total": "121.50"})

    request = PaymentRequest.objects.get()
    assert response.status_code == 303
    assert response["Location"] == request.checkout_url
    assert request.origin == RequestOrigin.PAY_LINK
    assert request.debtor == carol
    assert request.amount == Decimal("121.50")


def test_it_asks_only_what_is_still_open(carol):
    invoices = _invoices(carol, "100.00", "50.00")
    path = _link(carol, invoices)
    bank_pay(carol, "120.00")

    html = text_of(Client().get(path))
    Client().post(path, {"total": "30.00"})

    assert "L-1" not in html
    assert "Pay €30.00" in html
    assert PaymentRequest.objects.get().amount == Decimal("30.00")


def test_it_refuses_when_the_amount_changed_since_the_page_was_shown(carol):
    path = _link(carol, _invoices(carol, "100.00"))
    bank_pay(carol, "40.00")

    response = Client().post(path, {"total": "100.00"})

    assert 'role="alert"' in text_of(response)
    assert "Pay €60.00" in text_of(response)
    assert not PaymentRequest.objects.exists()


def test_it_thanks_the_debtor_when_everything_is_paid(carol):
    path = _link(carol, _invoices(carol, "100.00"))
    bank_pay(carol, "100.00")

    for response in (Client().get(path), Client().post(path, {"total": "100.00"})):
        html = text_of(response)
        assert response.status_code == 200
        assert "These invoices have been paid. Thank you!" in html
        assert f'action="{reverse("portal:new_link")}"' in html
    assert not PaymentRequest.objects.exists()


def test_it_says_an_expired_link_has_expired_and_offers_a_new_one(carol):
    path = _link(carol, _invoices(carol, "100.00"), days=-1)

    for response in (Client().get(path), Client().post(path, {"total": "100.00"})):
        html = text_of(response)
        assert "This pay link has expired" in html
        assert f'action="{reverse("portal:new_link")}"' in html
        assert "Carol" not in html
    assert not PaymentRequest.objects.exists()


def test_it_refuses_a_forged_or_altered_token(carol):
    path = _link(carol, _invoices(carol, "100.00"))
    altered = path[:-1] + ("A" if path[-1] != "A" else "B")

    for url in (altered, reverse("portal:pay_link", kwargs={"token": "1.forged"})):
        response = Client().get(url)
        assert response.status_code == 404
        assert "Deze link is niet meer geldig" in text_of(response)
        assert "Carol" not in text_of(response)


def test_it_limits_failed_tokens_like_portal_keys(carol):
    path = _link(carol, _invoices(carol, "100.00"))
    browser = Client()

    answers = [
        browser.get(reverse("portal:pay_link", kwargs={"token": f"{n}.forged"})).status_code
        for n in range(25)
    ]
    # The same minute: a valid link from this address is refused too, telling a guesser nothing.
    limited = browser.get(path)

    assert 429 in answers
    assert limited.status_code == 429


def test_it_speaks_the_debtors_language_unless_the_browser_chose_one(alice):
    path = _link(alice, _invoices(alice, "100.00"))

    dutch = text_of(Client().get(path))
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = text_of(browser.get(path))

    assert "Uw facturen betalen" in dutch
    assert "€\xa0100,00 betalen" in dutch
    assert "Pay your invoices" in english


def test_it_pays_only_the_invoices_of_the_link_whatever_is_posted(alice, carol):
    own = _invoices(carol, "100.00")
    other = InvoiceFactory(debtor=carol, number="L-OTHER", amount=Decimal("900.00"))
    alices = InvoiceFactory(debtor=alice, number="A-SECRET", amount=Decimal("900.00"))
    path = _link(carol, own)

    Client().post(path, {"total": "100.00", "invoice": [other.pk, alices.pk]})

    request = PaymentRequest.objects.get()
    assert list(request.lines.values_list("invoice_id", flat=True)) == [own[0].pk]


def test_it_needs_no_inline_script_or_style(carol):
    path = _link(carol, _invoices(carol, "100.00"))

    response = Client().get(path)

    html = text_of(response)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not re.search(r"<script\b(?![^>]*\bsrc=)", html)
    assert not re.search(r"<[^>]*\s(style|on[a-z]+)\s*=", html)


def test_it_keeps_the_token_out_of_log_lines(carol):
    path = _link(carol, _invoices(carol, "100.00"))
    token = path.rsplit("/", 1)[1]

    assert token not in redact(f"Not Found: {path}")
    assert redact(f"Not Found: {path}") == "Not Found: /pay/[redacted]"
    assert redact(f"/i18n/setlang/?next=%2Fpay%2F{token}") == (
        "/i18n/setlang/?next=%2Fpay%2F[redacted]"
    )
