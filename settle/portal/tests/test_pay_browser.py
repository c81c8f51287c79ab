"""Issue 12 in a real browser, with the demo provider: a debtor selects two invoices, pays them
at the demo checkout and finds them paid (and the promise on one of them kept); and the pay
button of a reminder that arrived over SMTP leads to the same checkout."""

import re
import socket
from datetime import date, timedelta
from decimal import Decimal
from email import message_from_bytes, policy
from html.parser import HTMLParser

import pytest
from aiosmtpd.controller import Controller
from django.utils import translation
from playwright.sync_api import Page, expect

from settle.common.money import money
from settle.correspondence.delivery import message_id, messages_process_due
from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel
from settle.correspondence.services import message_send
from settle.payments.configuration import PaymentsConfig
from settle.payments.models import PaymentRequest, RequestOrigin, RequestState
from settle.portal.tests.browser import (
    HOME_URL,
    PageWatch,
    gettext_in,
    invoice_status,
    open_portal,
)
from settle.receivables.models import Invoice, PaymentSource
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.models import PromiseState, ResponseState, ResponseType
from settle.responses.services import response_submit
from settle.responses.tests.factories import status_line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_CHECKOUT = re.compile(r"/pay/demo/[^/]+$")


@pytest.fixture(autouse=True)
def _demo_provider(settings, live_server):
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="demo")
    # Checkout and return pages and the links in messages are built from the base URL: the
    # live server's.
    settings.SETTLE_BASE_URL = live_server.url


@pytest.fixture
def three_invoices(alice):
    """alice's three open invoices, a promise to pay on the first."""
    invoices = [
        InvoiceFactory(debtor=alice, number=number, amount=amount, open_amount=amount)
        for number, amount in (
            ("F-1201", Decimal("121.00")),
            ("F-1202", Decimal("50.50")),
            ("F-1203", Decimal("75.25")),
        )
    ]
    response_submit(
        debtor=alice,
        response_type=ResponseType.objects.get(code="promise"),
        invoices=[invoices[0]],
        values={"promised_date": (date.today() + timedelta(days=5)).isoformat()},
        submission_key="promise-f-1201",
    )
    return invoices


def _amount(value: str) -> str:
    """An amount as a Dutch reader sees it."""
    with translation.override("nl"):
        return money(Decimal(value), "EUR")


def _press_pay(page: Page, amount: str) -> None:
    """The pay button of the summary or pay-link page, which names the amount it pays."""
    button = page.locator("form.pay-form button[type=submit]")
    expect(button).to_have_text(gettext_in("nl", "Pay %(amount)s", amount=_amount(amount)))
    button.click()


def _press_paid(page: Page) -> None:
    """The demo checkout's "Paid" button, as a debtor presses it at a provider's checkout."""
    expect(page).to_have_url(DEMO_CHECKOUT)
    button = page.locator("form.demo-buttons button[value=paid]")
    expect(button).to_have_text(gettext_in("nl", "Paid"))
    button.click()


def test_it_pays_two_selected_invoices_and_keeps_the_promise_on_one(
    page: Page, alice, three_invoices
):
    promised, other, third = three_invoices
    promise = alice.promises.get()
    with translation.override("nl"):
        promised_status = status_line(promise.response)
    # The whole way, checkout included, stays on our origin under the strict CSP.
    watch = PageWatch.attach(page)
    open_portal(page, alice)
    for invoice in three_invoices:
        expect(page.locator(f"#invoice-{invoice.pk}")).to_be_visible()
    expect(invoice_status(page, promised)).to_have_text(promised_status)

    page.check(f"#invoice-{promised.pk}")
    page.check(f"#invoice-{other.pk}")
    page.locator("form.invoices").get_by_role(
        "button", name=gettext_in("nl", "Pay"), exact=True
    ).click()
    # The summary: the two invoices and their total; nothing is created before the button.
    summary = page.locator("table.selected")
    expect(summary).to_contain_text("F-1201")
    expect(summary).to_contain_text("F-1202")
    expect(summary).not_to_contain_text("F-1203")
    expect(summary.locator("tfoot")).to_contain_text(_amount("171.50"))
    assert not PaymentRequest.objects.exists()

    _press_pay(page, "171.50")
    expect(page).to_have_url(DEMO_CHECKOUT)
    request = PaymentRequest.objects.get()
    assert request.amount == Decimal("171.50")
    assert {line.invoice_id for line in request.lines.all()} == {promised.pk, other.pk}
    assert page.url == request.checkout_url
    expect(page.locator("dl.demo-payment")).to_contain_text(_amount("171.50"))

    _press_paid(page)
    expect(page).to_have_url(page.base + f"/pay/return/{request.key}")
    status = page.locator("#pay-status")
    expect(status).to_contain_text(gettext_in("nl", "Thank you, we have received your payment."))
    expect(status).to_contain_text("F-1201")
    expect(status).to_contain_text("F-1202")

    request.refresh_from_db()
    assert request.state == RequestState.PAID
    assert request.payment.source == PaymentSource.PSP
    assert request.payment.amount == Decimal("171.50")
    assert Invoice.objects.get(pk=promised.pk).open_amount == 0
    assert Invoice.objects.get(pk=other.pk).open_amount == 0
    assert Invoice.objects.get(pk=third.pk).open_amount == Decimal("75.25")
    promise.refresh_from_db()
    assert promise.state == PromiseState.KEPT
    assert promise.response.state == ResponseState.CLOSED

    status.get_by_role("link", name=gettext_in("nl", "Back to your invoices")).click()
    expect(page).to_have_url(HOME_URL)
    expect(page.locator(f"#invoice-{third.pk}")).to_be_visible()
    expect(page.locator(f"#invoice-{promised.pk}")).to_have_count(0)
    expect(page.locator(f"#invoice-{other.pk}")).to_have_count(0)
    expect(page.locator("p.total")).to_contain_text(_amount("75.25"))
    # Nothing on the page speaks of the promise any more: it was kept and its response closed.
    expect(page.locator("main")).not_to_contain_text(promised_status)
    watch.assert_clean()


# --- the pay button in a reminder, over SMTP ---------------------------------------------------


class _Inbox:
    def __init__(self):
        self.emails = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.emails.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox(settings):
    """An SMTP server on 127.0.0.1 that Settle's outbox delivers to; yields what it received."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received = _Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield received
    controller.stop()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href", ""))


def _pay_button_url(email, base: str) -> str:
    """The address behind the e-mail's pay button: the one link of its HTML to a pay page."""
    links = _Links()
    links.feed(email.get_body(("html",)).get_content())
    pay = [
        href
        for href in links.hrefs
        if href.startswith(base + "/pay/") and not href.startswith(base + "/pay/demo/")
    ]
    assert len(pay) == 1, links.hrefs
    return pay[0]


def test_it_leads_from_the_pay_button_in_a_reminder_to_the_demo_checkout(
    page: Page, alice, three_invoices, inbox
):
    reminder = message_send(
        kind=Kind.REMINDER_1,
        channel=Channel.EMAIL,
        debtor=alice,
        cause="test",
        idempotency_key="reminder-1-alice",
    )
    # The promise's confirmation goes out with it.
    assert messages_process_due() == 2
    [email] = [e for e in inbox.emails if e["Message-ID"] == message_id(reminder)]
    assert email["To"] == alice.email
    url = _pay_button_url(email, page.base)
    assert url in email.get_body(("plain",)).get_content()

    # Opening the link (as a mail scanner would) shows what will be paid and creates nothing.
    page.goto(url)
    main = page.locator("main")
    expect(main).to_contain_text(alice.name)
    for number in ("F-1201", "F-1202", "F-1203"):
        expect(main.locator("table.selected")).to_contain_text(number)
    expect(main.locator("table.selected tfoot")).to_contain_text(_amount("246.75"))
    assert not PaymentRequest.objects.exists()

    _press_pay(page, "246.75")
    expect(page).to_have_url(DEMO_CHECKOUT)
    request = PaymentRequest.objects.get()
    assert request.origin == RequestOrigin.PAY_LINK
    assert request.amount == Decimal("246.75")
    assert page.url == request.checkout_url
    expect(page.locator("dl.demo-payment")).to_contain_text(_amount("246.75"))
    _press_paid(page)
    expect(page.locator("#pay-status")).to_contain_text(
        gettext_in("nl", "Thank you, we have received your payment.")
    )
    assert Invoice.objects.filter(debtor=alice, open_amount__gt=0).count() == 0
