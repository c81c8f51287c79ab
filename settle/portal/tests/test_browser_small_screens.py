"""The portal on a phone and zoomed in (WCAG 1.4.10 reflow, 2.4.11 focus not obscured, 1.4.11
focus ring contrast), measured in a real browser: invoice numbers never break, the arrangement
schedule fits at 360 and 320 px, the sticky "Respond" bar never hides the focused checkbox."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from settle.portal.tests.browser import assert_no_horizontal_scroll, axe_violations, open_portal
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.models import ResponseType
from settle.responses.services import response_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context_page(page: Page, *, width: int, height: int, scale: float = 1, language="nl"):
    context = page.context.browser.new_context(
        locale="nl-NL" if language == "nl" else "en-GB",
        viewport={"width": width, "height": height},
        device_scale_factor=scale,
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base = page.base
    return context, tab


def _running_arrangement(debtor, count: int) -> None:
    invoices = [
        InvoiceFactory(debtor=debtor, number=f"2026-014{n}", amount=Decimal("1234.56"))
        for n in range(2)
    ]
    response_submit(
        debtor=debtor,
        response_type=ResponseType.objects.get(code="arrangement"),
        invoices=invoices,
        values={
            "instalments": count,
            "first_date": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
        submission_key=uuid.uuid4().hex,
    )


def _lines(tab: Page, selector: str) -> list[int]:
    """How many lines each element matching `selector` takes."""
    return tab.locator(selector).evaluate_all(
        """(elements) => elements.map((element) => {
            const range = document.createRange();
            range.selectNodeContents(element);
            const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
            return tops.size;
        })"""
    )


@pytest.mark.parametrize("width", [360, 320])
@pytest.mark.parametrize("debtor_name", ["alice", "carol"])
def test_it_fits_the_arrangement_schedule_and_invoice_numbers_on_a_phone(
    page, request, debtor_name, width
):
    debtor = request.getfixturevalue(debtor_name)
    _running_arrangement(debtor, 6)
    InvoiceFactory(
        debtor=debtor,
        number="2026-000000123456",
        amount=Decimal("1234567.89"),
        open_amount=Decimal("1234567.89"),
    )
    context, tab = _context_page(page, width=width, height=740, language=debtor.language)
    try:
        open_portal(tab, debtor)
        schedule = tab.locator("table.schedule")
        expect(schedule.locator("tbody tr")).to_have_count(6)
        box = schedule.bounding_box()
        assert box["x"] + box["width"] <= width, f"the schedule is {box['width']} px wide"
        # Every cell of the schedule, the status column too, lies within the screen.
        rights = schedule.locator("tbody th, tbody td").evaluate_all(
            "(cells) => cells.map((cell) => cell.getBoundingClientRect().right)"
        )
        assert max(rights) <= width
        assert_no_horizontal_scroll(tab, width)
        # Each invoice number on one line, however narrow the card.
        numbers = _lines(tab, ".invoice .invoice-number")
        assert numbers and set(numbers) == {1}, numbers
        assert axe_violations(tab) == []

        tab.locator(".invoice input[type=checkbox]").first.check()
        tab.locator("form.invoices button[type=submit]").click()
        expect(tab.locator("table.selected")).to_be_visible()
        assert set(_lines(tab, "table.selected .invoice-number")) == {1}
        assert_no_horizontal_scroll(tab, width)
        assert axe_violations(tab) == []
    finally:
        context.close()


def test_it_keeps_the_focused_invoice_checkbox_clear_of_the_sticky_bar_at_200_percent(page, alice):
    for n in range(12):
        InvoiceFactory(debtor=alice, number=f"F-2026-{n:04}")
    # A 1280 x 720 window at 200 % zoom: a 640 x 360 CSS-pixel viewport at twice the density.
    context, tab = _context_page(page, width=640, height=360, scale=2)
    try:
        open_portal(tab, alice)
        bar = tab.locator("form.invoices .actions")
        tab.locator(".invoice input[type=checkbox]").first.focus()
        covered = []
        for index in range(12):
            if index:
                tab.keyboard.press("Tab")
            focused = tab.evaluate(
                """() => {
                    const box = document.activeElement.getBoundingClientRect();
                    return {id: document.activeElement.id, top: box.top, bottom: box.bottom};
                }"""
            )
            assert focused["id"].startswith("invoice-"), focused
            top_of_bar = bar.bounding_box()["y"]
            if focused["bottom"] > top_of_bar:
                covered.append((focused["id"], focused["bottom"], top_of_bar))
        assert not covered, covered
    finally:
        context.close()


def _contrast(first: str, second: str) -> float:
    def luminance(rgb: str) -> float:
        channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1 : -1].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(first), luminance(second)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_it_shows_one_focus_ring_of_3_to_1_on_links_skip_link_buttons_and_date_fields(page, carol):
    InvoiceFactory(debtor=carol, number="F-2026-0001")
    open_portal(page, carol)
    page.locator(".invoice input[type=checkbox]").first.check()
    page.locator("form.invoices button[type=submit]").click()
    page.check("#type-promise")
    date_input = page.locator("#response-fields input[type=date]")
    expect(date_input).to_be_visible()

    rings = {}
    # A key pressed first: the browser then shows focus as it does for keyboard users.
    page.keyboard.press("Shift")
    for name, target in [
        ("skip link", "a.skip"),
        ("link", "p.back a"),
        ("button", "form.lang button"),
        ("radio button", "#type-promise"),
        ("date field", "#response-fields input[type=date]"),
    ]:
        page.locator(target).evaluate("(element) => element.focus({focusVisible: true})")
        style = page.locator(target).evaluate(
            """(element) => {
                const style = getComputedStyle(element);
                return {focused: document.activeElement === element,
                        color: style.outlineColor, width: style.outlineWidth,
                        outline: style.outlineStyle};
            }"""
        )
        assert style["focused"], name
        rings[name] = (style["color"], style["width"], style["outline"])
    assert len(set(rings.values())) == 1, rings
    color, width, kind = rings["link"]
    assert kind == "solid" and float(width.rstrip("px")) >= 2
    assert _contrast(color, "rgb(255, 255, 255)") >= 3
    assert _contrast(color, "rgb(245, 247, 250)") >= 3  # the page's background
