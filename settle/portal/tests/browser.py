"""Helpers for the portal's browser tests: signing a debtor in through the link page, the steps of
a response, checking a page with axe-core and for sideways scrolling, and watching a page for CSP
violations and requests to other origins."""

import os
import re
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import Locator, Page, expect

from settle.portal.services import portal_link_issue
from settle.receivables.models import Debtor
from settle.responses.models import ResponseField

HOME_URL = re.compile(r"/portal/$")
# Screenshots to look at after a layout change: browser-<page>-<360|desktop>.png.
SCREENSHOTS = Path(os.environ.get("SETTLE_SCREENSHOT_DIR", tempfile.gettempdir()))


def gettext_in(language: str, message: str, **values) -> str:
    """`message` as a debtor reading `language` sees it, whether or not the catalogue is
    compiled yet (English is the source language)."""
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


def short_date(language: str, value: date) -> str:
    with translation.override(language):
        return date_format(value, "SHORT_DATE_FORMAT")


def link_url(page: Page, debtor: Debtor) -> str:
    """A fresh link for `debtor`, as the full address the debtor's message would hold."""
    key = portal_link_issue(debtor=debtor).key
    return page.base + reverse("portal:link", kwargs={"key": key})


def open_portal(page: Page, debtor: Debtor) -> None:
    """Open a new link for `debtor` and press its Continue button, as the debtor does."""
    page.goto(link_url(page, debtor))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(HOME_URL)


def invoice_status(page: Page, invoice) -> Locator:
    """The status line of an invoice on the landing page."""
    return page.locator(f"label[for='invoice-{invoice.pk}'] .status")


def choose_invoices(page: Page, invoices) -> None:
    for invoice in invoices:
        page.check(f"#invoice-{invoice.pk}")
    page.locator("form.invoices button[type=submit]").click()
    expect(page.locator("form.choose-type")).to_be_visible()


def choose_type(page: Page, code: str) -> None:
    """Pick a response type and wait for htmx to swap its fields (and its Save button) in."""
    page.check(f"#type-{code}")
    expect(page.locator(f"#response-fields input[name=type][value='{code}']")).to_have_count(1)


def save(page: Page) -> None:
    # Not "Calculate", the arrangement form's second button.
    page.locator("form.response-form button[type=submit]:not([name=calculate])").click()


def field_input(page: Page, code: str, key: str, language: str) -> Locator:
    """The input of a response field, found by its label in the debtor's language."""
    config = ResponseField.objects.get(response_type__code=code, key=key)
    label = config.label_en if language == "en" else config.label_nl
    return page.locator("#response-fields").get_by_label(label)


# --- Layout ----------------------------------------------------------------------------------


def screenshot(page: Page, what: str, size: str) -> None:
    page.screenshot(path=SCREENSHOTS / f"browser-{what}-{size}.png", full_page=True)


def assert_no_horizontal_scroll(page: Page, width: int) -> None:
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    wide = page.evaluate(
        """(width) => Array.from(document.body.querySelectorAll("*"))
            .filter((element) => element.getBoundingClientRect().right > width)
            .map((element) => element.outerHTML.slice(0, 120))""",
        width,
    )
    assert scroll <= width, f"{page.url} is {scroll} px wide at {width} px: {wide}"


# --- axe-core --------------------------------------------------------------------------------


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the page as it is now, one readable line per element."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    lines = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            lines.append(
                f"{page.url} [{violation['id']}] {violation['help']}: {node['html']}"
                f" -- {node.get('failureSummary', '').strip()}"
            )
    return lines


# --- CSP and origins -------------------------------------------------------------------------

_LISTEN_FOR_CSP = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__settleCspViolation(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " in " +
    event.sourceFile + ":" + event.lineNumber
  );
});
"""


@dataclass
class PageWatch:
    """What a page did behind the debtor's back: CSP violations (the event and the console
    message Chromium writes for it), script errors, and requests to any other origin."""

    origin: str
    csp_violations: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: int = 0

    @classmethod
    def attach(cls, page: Page) -> "PageWatch":
        parts = urlsplit(page.base)
        watch = cls(origin=f"{parts.scheme}://{parts.netloc}")
        page.on("console", watch._console)
        page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
        page.on("request", watch._request)
        # A binding and an init script work through the DevTools protocol, so the page's own CSP
        # does not stop them; they run before any script of the page.
        page.expose_function("__settleCspViolation", lambda text: watch.csp_violations.append(text))
        page.add_init_script(_LISTEN_FOR_CSP)
        return watch

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)
            if "Content Security Policy" in message.text:
                self.csp_violations.append(message.text)

    def _request(self, request) -> None:
        self.requests += 1
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign_requests.append(request.url)

    def assert_clean(self) -> None:
        assert self.requests > 0, "the watch saw no request at all"
        assert not self.csp_violations, self.csp_violations
        assert not self.foreign_requests, self.foreign_requests
        assert not self.page_errors, self.page_errors
        assert not self.console_errors, self.console_errors


# --- Files -----------------------------------------------------------------------------------


def small_pdf(text: str = "Settle") -> bytes:
    """A real one-page PDF (with a correct cross-reference table) showing `text`."""
    stream = zlib.compress(f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
