"""An employee runs dunning in a real browser: filters the overview, selects every invoice that
matches (more than one page), chooses an action group, confirms the counts and starts the run,
watches its progress finish while the worker works, opens the history and downloads the run's
letters as one PDF."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from settle.backoffice.tests.support import PASSWORD, axe_violations_in_main
from settle.correspondence.delivery import messages_process_due
from settle.dunning.models import ActionType, DunningRun
from settle.dunning.processing import items_process_due
from settle.dunning.services import action_add, action_group_create
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory


def _work() -> None:
    """What the worker does meanwhile: the run's items, then the letters' PDFs."""
    while items_process_due():
        pass
    while messages_process_due():
        pass


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_runs_a_group_on_every_matching_invoice_and_prints_its_letters(page, django_user_model):
    django_user_model.objects.create_user(
        username="bob", password=PASSWORD, is_staff=True, first_name="Bob"
    )
    group = action_group_create(name="Aanmaning per post")
    action_add(
        group=group,
        name="Aanmaning per brief",
        action_type=ActionType.LETTER,
        message_kind="final_notice",
    )
    today = timezone.localdate()
    # 60 invoices 30 days overdue (more than a page of 50) for three debtors, and one invoice
    # only 5 days overdue that the filter leaves out.
    debtors = [
        DebtorFactory(number=f"D-70{n}", name=name)
        for n, name in enumerate(["Bakkerij Brood", "Garage Van Dijk", "Kapsalon Knip"])
    ]
    for n in range(60):
        InvoiceFactory(
            number=f"F-7{n:03d}", debtor=debtors[n % 3], due_date=today - timedelta(days=30)
        )
    InvoiceFactory(number="F-7999", debtor=debtors[0], due_date=today - timedelta(days=5))

    page.goto(f"{page.base}/backoffice/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(f"{page.base}/backoffice/dunning/")

    page.fill("#id_overdue_min", "20")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"overdue_min=20"))
    expect(page.locator(".result-count")).to_contain_text("60")
    expect(page.locator("table.dunning-table tbody tr")).to_have_count(50)
    assert not axe_violations_in_main(page)

    page.check("#select-all")
    page.select_option("#id_group", label="Aanmaning per post")
    page.locator("form.dunning-selection button[type=submit]").click()

    expect(page.locator("[data-count=invoices]")).to_have_text("60")
    expect(page.locator("[data-count=debtors]")).to_have_text("3")
    expect(page.locator("[data-count=channel-letter]")).to_have_text("3")
    page.locator("form.dunning-start button[type=submit]").click()

    progress = page.locator("#run-progress")
    expect(progress).to_have_attribute("data-finished", "false")
    run = DunningRun.objects.get()
    assert run.invoice_count == 60
    # The worker works the run while the page is open; the page polls until it is finished.
    _work()
    expect(progress).to_have_attribute("data-finished", "true", timeout=15_000)
    expect(progress.locator(".run-progress__sent")).to_have_text("3")

    page.goto(f"{page.base}/backoffice/dunning/history/")
    row = page.locator(f"#run-{run.pk}")
    expect(row).to_contain_text("Aanmaning per post")
    expect(row).to_contain_text("Bob")
    row.locator("a").first.click()
    expect(page.locator("h1")).to_contain_text("Aanmaning per post")
    expect(page.locator("section[aria-labelledby=items-title] tbody tr")).to_have_count(3)
    assert not axe_violations_in_main(page)

    with page.expect_download() as download_info:
        page.locator(f"a[href='/backoffice/dunning/runs/{run.pk}/letters.pdf']").click()
    download = download_info.value
    assert download.suggested_filename == f"dunning-run-{run.pk}-letters.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-")
    # One page or more per debtor's letter, combined into one file.
    assert content.count(b"/Type /Page") - content.count(b"/Type /Pages") >= 3
