"""The return page in a real browser: left waiting, it updates by itself (htmx, under the strict
CSP) once the provider confirms the payment. (The whole journey, from the landing page to a
kept promise, is test_pay_browser.py's.)"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from settle.payments.models import PaymentRequest
from settle.payments.providers.demo import demo_payment_set
from settle.portal.tests.browser import PageWatch, gettext_in, open_portal
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def links_to_the_live_server(settings, live_server):
    # Checkout and return addresses are built from SETTLE_BASE_URL, as in production.
    settings.SETTLE_BASE_URL = live_server.url


def test_it_updates_a_waiting_return_page_by_itself(page, carol, links_to_the_live_server):
    InvoiceFactory(debtor=carol, number="W-1", amount=Decimal("40.00"))
    watch = PageWatch.attach(page)
    open_portal(page, carol)

    page.locator("form.invoices input[type=checkbox][name=invoice]").first.check()
    page.get_by_role("button", name=gettext_in("en", "Pay"), exact=True).click()
    page.get_by_role("button", name=re.compile("40.00")).click()
    page.get_by_role("button", name=gettext_in("en", "Still pending")).click()
    expect(page.locator("#pay-status")).to_contain_text(
        gettext_in("en", "We are waiting for the confirmation of your payment.")
    )
    waiting_url = page.url
    request = PaymentRequest.objects.get()
    assert waiting_url.endswith(reverse("portal:pay_return", kwargs={"key": request.key}))

    # Confirmed at the provider behind the page's back: the page's own polling finds out.
    demo_payment_set(demo_id=request.provider_id, state="paid")

    expect(page.locator("#pay-status")).to_contain_text(
        gettext_in("en", "Thank you, we have received your payment."), timeout=8_000
    )
    assert page.url == waiting_url
    watch.assert_clean()
