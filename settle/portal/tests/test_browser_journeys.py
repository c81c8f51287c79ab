"""A debtor in a real browser: from the link in their message to a saved response, for each of the
default response types, with and without JavaScript, on a phone and on a desktop. Every journey
is watched for Content-Security-Policy violations and requests to other origins."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from settle.arrangements.models import PaymentArrangement
from settle.common.money import money
from settle.portal.tests.browser import (
    HOME_URL,
    PageWatch,
    assert_no_horizontal_scroll,
    axe_violations,
    choose_invoices,
    choose_type,
    field_input,
    gettext_in,
    invoice_status,
    link_url,
    open_portal,
    save,
    screenshot,
    short_date,
    small_pdf,
)
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.forms import email_masked
from settle.responses.models import Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THANKS = "Thank you, we have received your response."
# The password of the `bob` fixture (the root conftest).
PASSWORD = "correct-horse-battery-staple"  # noqa: S105 (test users only)


@dataclass(frozen=True)
class Journey:
    code: str
    # "one", "two" or "all" (the "select all" box) of the debtor's three open invoices
    selection: str
    fill: Callable[[Page, "Visit"], None]
    values: Callable[["Visit"], dict]
    status: Callable[["Visit"], str]
    files: int = 0


@dataclass(frozen=True)
class Visit:
    debtor: object
    language: str
    today: date
    pdf: object = None

    def field(self, page: Page, code: str, key: str):
        return field_input(page, code, key, self.language)

    def days(self, count: int) -> date:
        return self.today + timedelta(days=count)


def _complaint(page: Page, visit: Visit) -> None:
    visit.field(page, "complaint", "text").fill("Het bedrag klopt niet: de korting ontbreekt.")
    visit.field(page, "complaint", "attachment").set_input_files(visit.pdf)


def _already_paid(page: Page, visit: Visit) -> None:
    visit.field(page, "already_paid", "payment_date").fill(str(visit.days(-2)))
    # Typed the Dutch way: a decimal comma.
    visit.field(page, "already_paid", "amount").fill("242,00")


def _promise(page: Page, visit: Visit) -> None:
    visit.field(page, "promise", "promised_date").fill(str(visit.days(4)))


def _unknown(page: Page, visit: Visit) -> None:
    visit.field(page, "unknown_invoice", "text").fill("Wij hebben niets besteld.")


def _not_approved(page: Page, visit: Visit) -> None:
    visit.field(page, "not_approved", "expected_approval_date").fill(str(visit.days(9)))
    visit.field(page, "not_approved", "text").fill("Ligt bij de afdeling inkoop.")


def _copy_request(page: Page, visit: Visit) -> None:
    # The address on file is only named, masked; left empty, the copy goes there.
    expect(visit.field(page, "copy_request", "email")).to_have_value("")
    expect(page.get_by_text(email_masked(visit.debtor.email))).to_be_visible()


def _arrangement(page: Page, visit: Visit) -> None:
    visit.field(page, "arrangement", "instalments").fill("3")
    visit.field(page, "arrangement", "first_date").fill(str(visit.days(7)))
    visit.field(page, "arrangement", "text").fill("Graag per maand.")


JOURNEYS = [
    Journey(
        "complaint",
        "one",
        _complaint,
        lambda v: {"text": "Het bedrag klopt niet: de korting ontbreekt."},
        lambda v: gettext_in(v.language, "Complaint being handled"),
        files=1,
    ),
    Journey(
        "already_paid",
        "two",
        _already_paid,
        lambda v: {"payment_date": str(v.days(-2)), "amount": "242.00"},
        lambda v: gettext_in(v.language, "Reported as paid, being checked"),
    ),
    Journey(
        "promise",
        "all",
        _promise,
        lambda v: {"promised_date": str(v.days(4))},
        lambda v: gettext_in(
            v.language, "Payment promised for %(date)s", date=short_date(v.language, v.days(4))
        ),
    ),
    Journey(
        "unknown_invoice",
        "one",
        _unknown,
        lambda v: {"text": "Wij hebben niets besteld."},
        lambda v: gettext_in(v.language, "Reported as unknown, being checked"),
    ),
    Journey(
        "not_approved",
        "two",
        _not_approved,
        lambda v: {
            "expected_approval_date": str(v.days(9)),
            "text": "Ligt bij de afdeling inkoop.",
        },
        lambda v: gettext_in(
            v.language,
            "Awaiting approval, expected %(date)s",
            date=short_date(v.language, v.days(9)),
        ),
    ),
    Journey(
        "copy_request",
        "one",
        _copy_request,
        lambda v: {},
        lambda v: gettext_in(v.language, "Copy requested"),
    ),
    Journey(
        "arrangement",
        "two",
        _arrangement,
        lambda v: {"instalments": 3, "first_date": str(v.days(7)), "text": "Graag per maand."},
        # F-2026-0102 and -0103 (€ 121 + € 80) in three: within the policy, so accepted at once.
        lambda v: running(v.language, Decimal("67.00"), v.days(7)),
    ),
]


def running(language: str, amount: Decimal, due_date: date) -> str:
    """The status line of a running arrangement whose next instalment is `amount` on `due_date`."""
    with translation.override(language):
        formatted = money(amount, "EUR")
    return gettext_in(
        language,
        "Payment arrangement running, next instalment %(amount)s on %(date)s",
        amount=formatted,
        date=short_date(language, due_date),
    )


def three_open_invoices(debtor) -> list:
    today = timezone.localdate()
    return [
        InvoiceFactory(debtor=debtor, number="F-2026-0101", due_date=today - timedelta(days=30)),
        InvoiceFactory(debtor=debtor, number="F-2026-0102", due_date=today - timedelta(days=20)),
        InvoiceFactory(
            debtor=debtor,
            number="F-2026-0103",
            due_date=today - timedelta(days=10),
            amount=Decimal("80.00"),
        ),
    ]


@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.code for j in JOURNEYS])
def test_it_takes_a_debtor_from_the_link_to_a_saved_response(page, alice, tmp_path, journey):
    invoices = three_open_invoices(alice)
    pdf = tmp_path / "klacht.pdf"
    pdf.write_bytes(small_pdf("Factuur F-2026-0101 klopt niet"))
    visit = Visit(debtor=alice, language="nl", today=timezone.localdate(), pdf=pdf)
    watch = PageWatch.attach(page)

    open_portal(page, alice)
    # Sorted by due date, the oldest first.
    expect(page.locator(".invoice .number")).to_have_text(
        [re.compile(invoice.number) for invoice in invoices]
    )
    if journey.selection == "all":
        selected = invoices
        page.get_by_label(gettext_in("nl", "Select all")).check()
        for invoice in invoices:
            expect(page.locator(f"#invoice-{invoice.pk}")).to_be_checked()
        page.locator("form.invoices button[type=submit]").click()
    else:
        selected = invoices[:1] if journey.selection == "one" else invoices[1:]
        choose_invoices(page, selected)
    expect(page.locator("table.selected tbody tr")).to_have_text(
        [re.compile(invoice.number) for invoice in selected]
    )

    respond_url = page.url
    choose_type(page, journey.code)
    # htmx swapped the fields in: same page, and no "Next" step for a browser with JavaScript.
    assert page.url == respond_url
    expect(page.locator("form.choose-type button[type=submit]")).to_be_hidden()
    journey.fill(page, visit)
    save(page)

    expect(page).to_have_url(HOME_URL)
    expect(page.locator(".messages")).to_contain_text(gettext_in("nl", THANKS))
    for invoice in invoices:
        expected = (
            journey.status(visit) if invoice in selected else invoice.collection_status.label_nl
        )
        expect(invoice_status(page, invoice)).to_have_text(expected)
    response = Response.objects.get(debtor=alice)
    assert response.response_type.code == journey.code
    assert response.values == journey.values(visit)
    assert sorted(response.invoices.values_list("pk", flat=True)) == [i.pk for i in selected]
    attachments = list(response.attachments.all())
    assert len(attachments) == journey.files
    for attachment in attachments:
        assert attachment.content_type == "application/pdf"
        with attachment.file.open("rb") as stored:
            assert stored.read() == pdf.read_bytes()
    watch.assert_clean()


def test_it_shows_a_refused_date_next_to_its_field_and_saves_the_correction(page, carol):
    (invoice,) = three_open_invoices(carol)[:1]
    today = timezone.localdate()
    watch = PageWatch.attach(page)

    open_portal(page, carol)
    choose_invoices(page, [invoice])
    choose_type(page, "promise")
    date_input = field_input(page, "promise", "promised_date", "en")
    date_input.fill(str(today - timedelta(days=1)))
    save(page)

    field = page.locator(".field").filter(has=page.get_by_label("I will pay by"))
    expect(field.locator(".errorlist")).to_have_text("Choose today or a later date.")
    expect(date_input).to_have_attribute("aria-invalid", "true")
    expect(date_input).to_have_value(str(today - timedelta(days=1)))
    assert not Response.objects.exists()

    date_input.fill(str(today + timedelta(days=2)))
    save(page)

    expect(page).to_have_url(HOME_URL)
    expect(page.locator(".messages")).to_contain_text(THANKS)
    expect(invoice_status(page, invoice)).to_have_text(
        f"Payment promised for {short_date('en', today + timedelta(days=2))}"
    )
    assert Response.objects.get().values == {"promised_date": str(today + timedelta(days=2))}
    watch.assert_clean()


def test_it_works_without_javascript_in_two_steps(page, alice):
    invoices = three_open_invoices(alice)
    context = page.context.browser.new_context(locale="nl-NL", java_script_enabled=False)
    context.set_default_timeout(10_000)
    plain = context.new_page()
    plain.base = page.base
    try:
        watch = PageWatch.attach(plain)
        plain.goto(link_url(plain, alice))
        plain.locator("main form button[type=submit]").click()
        expect(plain).to_have_url(HOME_URL)
        # "Select all" needs a script, so without one it is not offered.
        expect(plain.locator("#select-all")).to_be_hidden()
        choose_invoices(plain, invoices[1:])

        plain.check("#type-arrangement")
        # No fields until the debtor takes the second step.
        expect(plain.locator("#response-fields input[name=type]")).to_have_count(0)
        plain.locator("form.choose-type button[type=submit]").click()
        expect(plain.locator("#type-arrangement")).to_be_checked()
        field_input(plain, "arrangement", "instalments", "nl").fill("4")
        field_input(plain, "arrangement", "first_date", "nl").fill(
            str(timezone.localdate() + timedelta(days=5))
        )
        save(plain)

        expect(plain).to_have_url(HOME_URL)
        expect(plain.locator(".messages")).to_contain_text(gettext_in("nl", THANKS))
        # € 121 + € 80 in four: within the policy, so running at once.
        status = running("nl", Decimal("50.25"), timezone.localdate() + timedelta(days=5))
        for invoice in invoices[1:]:
            expect(invoice_status(plain, invoice)).to_have_text(status)
        watch.assert_clean()
    finally:
        context.close()
    response = Response.objects.get(debtor=alice)
    assert response.values["instalments"] == 4


def _propose_arrangement(page: Page, debtor, invoices, count: int, first_date: date) -> None:
    # As on the debtor's own device: no session or language cookie of anyone before.
    page.context.clear_cookies()
    open_portal(page, debtor)
    choose_invoices(page, invoices)
    choose_type(page, "arrangement")
    field_input(page, "arrangement", "instalments", debtor.language).fill(str(count))
    field_input(page, "arrangement", "first_date", debtor.language).fill(str(first_date))
    save(page)
    expect(page).to_have_url(HOME_URL)


def test_it_shows_an_arrangement_accepted_at_once_or_after_review_with_its_schedule(
    page, alice, carol, bob
):
    watch = PageWatch.attach(page)
    first = timezone.localdate() + timedelta(days=7)

    # Within the policy (€ 201 in three from next week): accepted at once, schedule shown.
    _propose_arrangement(page, alice, three_open_invoices(alice)[1:], 3, first)
    invoices = list(PaymentArrangement.objects.get(debtor=alice).response.invoices.all())
    for invoice in invoices:
        expect(invoice_status(page, invoice)).to_have_text(running("nl", Decimal("67.00"), first))
    schedule = page.get_by_role("table", name=re.compile(gettext_in("nl", "Instalments")))
    expect(schedule.locator("tbody tr")).to_have_count(3)
    expect(schedule.locator("tbody tr").first).to_contain_text(short_date("nl", first))
    expect(schedule.locator("tbody tr").first).to_contain_text(gettext_in("nl", "Open"))

    # Twelve instalments is more than the policy allows: under review, no schedule yet.
    own = [InvoiceFactory(debtor=carol, number=f"F-2026-020{n}") for n in (1, 2)]
    _propose_arrangement(page, carol, own, 12, first)
    arrangement = PaymentArrangement.objects.get(debtor=carol)
    invoices = list(arrangement.response.invoices.all())
    for invoice in invoices:
        expect(invoice_status(page, invoice)).to_have_text(
            gettext_in("en", "Arrangement proposal under review")
        )
    expect(page.locator("table.schedule")).to_have_count(0)

    # An employee finds the proposal on the worklist and accepts it in six instead.
    six = _accept_in_six_from_the_worklist(page, carol, arrangement.total)

    page.reload()
    for invoice in invoices:
        expect(invoice_status(page, invoice)).to_have_text(running("en", six, first))
    expect(page.locator("table.schedule tbody tr")).to_have_count(6)
    assert axe_violations(page) == []
    assert_no_horizontal_scroll(page, page.viewport_size["width"])
    watch.assert_clean()


def _accept_in_six_from_the_worklist(page: Page, debtor, total: Decimal) -> Decimal:
    """Bob, in a browser of his own, accepts the debtor's proposal from the worklist with the
    schedule changed to six instalments; returns the amount of each but the last."""
    context = page.context.browser.new_context(
        locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    office = context.new_page()
    office.base = page.base
    watch = PageWatch.attach(office)
    try:
        office.goto(f"{office.base}/backoffice/login/")
        office.fill("#id_username", "bob")
        office.fill("#id_password", PASSWORD)
        office.locator("main button[type=submit]").click()
        office.locator("nav.nav a[href='/backoffice/worklist/']").click()

        row = office.locator("table.table tbody tr", has_text=debtor.name)
        expect(row).to_have_count(1)
        row.get_by_role("link", name=gettext_in("nl", "Review arrangement proposal")).click()
        expect(office.locator("main")).to_contain_text(debtor.name)
        expect(office.locator(".schedule-edit tbody tr")).to_have_count(12 + 2)

        each = (total / 6).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        last = total - 5 * each
        for index in range(6, 14):
            office.locator(f"#accept_due_date_{index}").fill("")
            office.locator(f"#accept_amount_{index}").fill("")
        for index in range(6):
            amount = each if index < 5 else last
            office.locator(f"#accept_amount_{index}").fill(f"{amount}".replace(".", ","))
        office.get_by_role("button", name=gettext_in("nl", "Accept arrangement")).click()

        # Back on the task, now done; the worklist holds nothing of this debtor any more.
        expect(office.locator(".messages")).to_contain_text(
            gettext_in("nl", "The arrangement has been accepted; the debtor is sent the schedule.")
        )
        expect(office.locator(".state--task-done").first).to_have_text(gettext_in("nl", "Done"))
        office.locator("nav.nav a[href='/backoffice/worklist/']").click()
        expect(office.locator("table.table tbody tr", has_text=debtor.name)).to_have_count(0)
        watch.assert_clean()
    finally:
        context.close()
    return each


def test_it_breaks_no_csp_rule_and_asks_no_other_origin(page, alice):
    three_open_invoices(alice)
    watch = PageWatch.attach(page)

    open_portal(page, alice)
    page.get_by_label(gettext_in("nl", "Select all")).check()
    page.locator("form.invoices button[type=submit]").click()
    for code in ("complaint", "already_paid", "arrangement"):
        choose_type(page, code)
    save(page)
    expect(page.locator("#response-fields .errorlist").first).to_be_visible()
    page.locator("form.signout button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/signed-out/$"))
    page.goto(page.base + "/p/" + "x" * 43)
    expect(page.locator("main input[name=identifier]")).to_be_visible()

    watch.assert_clean()
    # The watch is not blind: an inline script slipped into the page is refused and reported.
    directive = page.evaluate(
        """() => new Promise((resolve) => {
          document.addEventListener("securitypolicyviolation",
            (event) => resolve(event.violatedDirective), {once: true});
          setTimeout(() => resolve("no violation reported"), 5000);
          const script = document.createElement("script");
          script.textContent = "window.injected = 1";
          document.body.appendChild(script);
        })"""
    )
    assert directive.startswith("script-src")
    assert page.evaluate("() => window.injected") is None
    assert any("script-src" in violation for violation in watch.csp_violations), watch


# --- Phone and desktop -----------------------------------------------------------------------

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize(
    ("debtor_name", "size"),
    [("alice", PHONE), ("carol", PHONE), ("carol", DESKTOP)],
    ids=["dutch-360px", "english-360px", "english-desktop"],
)
def test_it_fits_the_screen_without_scrolling_sideways(page, request, debtor_name, size):
    debtor = request.getfixturevalue(debtor_name)
    language = debtor.language
    today = timezone.localdate()
    invoices = [
        InvoiceFactory(
            debtor=debtor,
            number="F-2026-000000123456",
            due_date=today - timedelta(days=30),
            amount=Decimal("1234567.89"),
            open_amount=Decimal("1234567.89"),
        ),
        InvoiceFactory(debtor=debtor, number="F-2026-0002", due_date=today - timedelta(days=3)),
        InvoiceFactory(debtor=debtor, number="F-2026-0003", due_date=today + timedelta(days=14)),
    ]
    phone = size["width"] == PHONE["width"]
    context = page.context.browser.new_context(
        locale="nl-NL" if language == "nl" else "en-GB",
        viewport=size,
        is_mobile=phone,
        has_touch=phone,
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base = page.base
    name = f"{'360' if phone else 'desktop'}-{language}"
    try:
        open_portal(tab, debtor)
        respond = tab.locator("form.invoices button[type=submit]")
        expect(respond).to_be_in_viewport()
        screenshot(tab, "landing", name)
        assert_no_horizontal_scroll(tab, size["width"])

        tab.get_by_label(gettext_in(language, "Select all")).check()
        respond.click()
        choose_type(tab, "already_paid")
        save(tab)
        expect(tab.locator("#response-fields .errorlist").first).to_be_visible()
        screenshot(tab, "respond-errors", name)
        assert_no_horizontal_scroll(tab, size["width"])

        choose_type(tab, "not_approved")
        expect(tab.locator("form.response-form button[type=submit]")).to_be_visible()
        screenshot(tab, "respond", name)
        assert_no_horizontal_scroll(tab, size["width"])
        field_input(tab, "not_approved", "expected_approval_date", language).fill(
            str(today + timedelta(days=21))
        )
        save(tab)

        expect(tab).to_have_url(HOME_URL)
        expect(tab.locator(".messages")).to_contain_text(gettext_in(language, THANKS))
        status = gettext_in(
            language,
            "Awaiting approval, expected %(date)s",
            date=short_date(language, today + timedelta(days=21)),
        )
        for invoice in invoices:
            expect(invoice_status(tab, invoice)).to_have_text(status)
        expect(respond).to_be_in_viewport()
        screenshot(tab, "confirmation", name)
        assert_no_horizontal_scroll(tab, size["width"])
    finally:
        context.close()
