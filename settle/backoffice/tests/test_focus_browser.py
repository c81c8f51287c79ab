"""The back office in a real browser: a task completed without an outcome starts at a focused
error summary whose link leads to the field; the template preview's scrolling text passes axe's
scrollable-region-focusable; invoice numbers in the worklist stay on one line at 360 px; the
focus ring is 3:1 on white."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from settle.backoffice.tests.support import PASSWORD, axe_violations_in_main
from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Template
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory
from settle.responses.tests.factories import ResponseFactory
from settle.worklist.models import TaskKind
from settle.worklist.services import task_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username: str) -> None:
    page.goto(f"{page.base}/backoffice/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator("nav.nav")).to_be_visible()


def _task(number: str = "2026-0144"):
    debtor = DebtorFactory(number="D-5001", name="Bloemenhandel Tulp")
    invoice = InvoiceFactory(debtor=debtor, number=number)
    response = ResponseFactory(debtor=debtor, invoices=[invoice], values={"text": "Verwelkt"})
    return task_create(
        kind=TaskKind.COMPLAINT,
        title="Klacht van Bloemenhandel Tulp",
        debtor=debtor,
        due_date=timezone.localdate() + timedelta(days=1),
        invoices=[invoice],
        response=response,
    )


def test_it_focuses_the_error_summary_when_a_task_is_completed_without_an_outcome(
    page, django_user_model
):
    django_user_model.objects.create_user(username="bob", password=PASSWORD, is_staff=True)
    task = _task()
    page.set_viewport_size({"width": 1280, "height": 600})
    _sign_in(page, "bob")
    page.goto(f"{page.base}/backoffice/worklist/{task.pk}/")

    page.locator("#id_outcome").fill("   ")
    page.get_by_role("button", name="Taak afronden").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_in_viewport()
    summary.get_by_role("link").click()
    expect(page.locator("#id_outcome")).to_be_focused()
    expect(page.locator("#id_outcome")).to_be_in_viewport()
    assert not axe_violations_in_main(page)


def test_it_lets_the_keyboard_reach_the_scrolling_preview_text(page, django_user_model):
    from axe_playwright_python.sync_playwright import Axe

    django_user_model.objects.create_user(
        username="dave", password=PASSWORD, is_staff=True, is_superuser=True
    )
    template = Template.objects.get(
        kind=Kind.PORTAL_INVITATION, channel=Channel.EMAIL, language="nl"
    )
    _sign_in(page, "dave")
    page.goto(f"{page.base}/backoffice/settings/templates/{template.pk}/")
    # More lines than the preview is high: the text scrolls.
    page.fill("#id_body_text", "Beste {{ debtor_name }},\n" + "Een regel.\n" * 80 + "Het einde.")
    page.locator("#id_body_text").press("End")
    text = page.locator("#template-preview pre.message-text")
    expect(text).to_contain_text("Het einde.")
    assert text.evaluate("(pre) => pre.scrollHeight > pre.clientHeight")

    results = Axe().run(
        page, options={"runOnly": {"type": "rule", "values": ["scrollable-region-focusable"]}}
    )
    assert results.response["violations"] == []
    assert results.response["passes"], "axe found no scrollable region to check"
    expect(text).to_have_accessible_name("Tekst")


def test_it_keeps_invoice_numbers_whole_in_the_worklist_on_a_phone(page, django_user_model):
    django_user_model.objects.create_user(username="bob", password=PASSWORD, is_staff=True)
    _task("2026-000000000144")
    page.set_viewport_size({"width": 360, "height": 740})
    _sign_in(page, "bob")
    page.goto(f"{page.base}/backoffice/worklist/?scope=all")

    number = page.locator("table.table .invoice-number")
    expect(number).to_have_text("2026-000000000144")
    lines = number.evaluate(
        """(element) => new Set(Array.from(element.getClientRects()).map((r) => r.top)).size"""
    )
    assert lines == 1


def test_it_draws_a_focus_ring_of_3_to_1_on_white(page, django_user_model):
    django_user_model.objects.create_user(username="bob", password=PASSWORD, is_staff=True)
    _sign_in(page, "bob")
    page.keyboard.press("Shift")
    colours = {}
    for name, target in [
        ("skip link", "a.skip-link"),
        ("link", "main a >> nth=0"),
        ("button", "header button.button--quiet"),
    ]:
        page.locator(target).evaluate("(element) => element.focus({focusVisible: true})")
        colours[name] = page.locator(target).evaluate(
            "(element) => [getComputedStyle(element).outlineStyle,"
            " getComputedStyle(element).outlineColor]"
        )
    assert len({tuple(value) for value in colours.values()}) == 1, colours
    style, colour = colours["link"]
    assert style == "solid"
    channels = [int(part) / 255 for part in colour[colour.index("(") + 1 : -1].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    assert 1.05 / (luminance + 0.05) >= 3
