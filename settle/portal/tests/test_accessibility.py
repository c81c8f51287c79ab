"""axe-core finds nothing wrong on any page of the portal, in Dutch or in English: the debtor's own
language, and the other one after switching with the language switcher."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from settle.portal.models import PortalLink
from settle.portal.services import portal_link_revoke
from settle.portal.tests.browser import (
    HOME_URL,
    axe_violations,
    choose_invoices,
    choose_type,
    link_url,
    open_portal,
    save,
)
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Audit:
    """Runs axe on each page visited and keeps every violation, so one run reports them all."""

    def __init__(self, page: Page, language: str):
        self.page = page
        self.language = language
        self.found: list[str] = []
        self.pages: list[str] = []

    def check(self, name: str) -> None:
        expect(self.page.locator("html")).to_have_attribute("lang", self.language)
        self.pages.append(name)
        self.found += [f"{name}: {line}" for line in axe_violations(self.page)]

    def assert_clean(self) -> None:
        assert not self.found, f"{len(self.found)} axe violations:\n" + "\n".join(self.found)


def switch_language(page: Page, language: str) -> None:
    page.select_option("#lang-select", language)
    page.locator("form.lang button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.parametrize(
    ("debtor_name", "switch_to", "switch_on"),
    [
        ("alice", None, None),
        ("carol", None, None),
        ("alice", "en", "link page"),
        ("carol", "nl", "landing page"),
    ],
    ids=["dutch", "english", "dutch-switched-to-english", "english-switched-to-dutch"],
)
def test_it_has_no_accessibility_violations_on_any_portal_page(
    page, request, debtor_name, switch_to, switch_on
):
    debtor = request.getfixturevalue(debtor_name)
    today = timezone.localdate()
    InvoiceFactory(debtor=debtor, number="F-2026-0001", due_date=today - timedelta(days=20))
    InvoiceFactory(
        debtor=debtor,
        number="F-2026-0002",
        amount=Decimal("1234567.89"),
        open_amount=Decimal("1000000.00"),
    )
    invoice = InvoiceFactory(debtor=debtor, number="F-2026-0003", due_date=today)
    audit = Audit(page, debtor.language)

    page.goto(link_url(page, debtor))
    audit.check("link page")
    if switch_on == "link page":
        # Chosen before signing in, the language carries over into the portal.
        switch_language(page, switch_to)
        audit.language = switch_to
        audit.check("link page after switching")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(HOME_URL)
    audit.check("landing page")
    if switch_on == "landing page":
        switch_language(page, switch_to)
        expect(page).to_have_url(HOME_URL)
        audit.language = switch_to
        audit.check("landing page after switching")

    choose_invoices(page, [invoice])
    audit.check("response page")
    choose_type(page, "promise")
    audit.check("response page with a type chosen")
    save(page)
    expect(page.locator("#response-fields .errorlist")).to_be_visible()
    audit.check("response page with errors")
    page.locator("#response-fields input[type=date]").fill(str(today + timedelta(days=3)))
    choose_type(page, "complaint")
    save(page)
    expect(page.locator("#response-fields .errorlist")).to_be_visible()
    audit.check("complaint with errors")
    page.locator("#response-fields textarea").fill("Het bedrag klopt niet.")
    save(page)
    expect(page).to_have_url(HOME_URL)
    expect(page.locator(".messages")).to_be_visible()
    audit.check("landing page with confirmation")

    page.locator("form.signout button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/portal/signed-out/$"))
    audit.check("signed-out page")

    open_portal(page, debtor)
    portal_link_revoke(link=PortalLink.objects.filter(debtor=debtor).latest("created_at"))
    page.reload()
    expect(page).to_have_url(re.compile(r"/portal/ended/$"))
    audit.check("session-ended page")

    page.goto(page.base + "/portal/new-link/")
    audit.check("new-link page")
    # As a browser that ignores `required` would send it: empty, so the server's error shows.
    page.locator("main form input[name=identifier]").evaluate("(input) => input.required = false")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main form input[name=identifier]")).to_have_attribute(
        "aria-invalid", "true"
    )
    audit.check("new-link page with an error")
    page.locator("main form input[name=identifier]").fill(debtor.email)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    audit.check("new-link page after asking")

    page.goto(page.base + "/p/" + "x" * 43)
    expect(page.locator("main input[name=identifier]")).to_be_visible()
    audit.check("invalid-link page")

    # The limiter counts per clock minute; 45 failures fill at least one minute past its 20.
    for _ in range(45):
        if page.request.get(page.base + "/p/" + "y" * 43).status == 429:
            break
    response = page.goto(page.base + "/p/" + "z" * 43)
    assert response.status == 429
    audit.check("too-many-attempts page")

    audit.assert_clean()
