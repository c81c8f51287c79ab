"""An employee works the worklist in a real browser: filters it, takes a task, completes it with
an outcome and sees the task gone and its response closed."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from settle.backoffice.tests.support import PASSWORD, axe_violations_in_main
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory
from settle.responses.models import ResponseState
from settle.responses.selectors import invoices_excluded_from_dunning
from settle.responses.tests.factories import ResponseFactory
from settle.worklist.models import Task, TaskKind, TaskState
from settle.worklist.services import task_create


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_lets_an_employee_take_and_complete_a_task(page, django_user_model):
    bob = django_user_model.objects.create_user(
        username="bob", password=PASSWORD, is_staff=True, first_name="Bob"
    )
    today = timezone.localdate()
    debtor = DebtorFactory(number="D-5001", name="Bloemenhandel Tulp")
    invoice = InvoiceFactory(debtor=debtor, number="F-5001")
    response = ResponseFactory(
        debtor=debtor, invoices=[invoice], values={"text": "De bloemen waren verwelkt"}
    )
    task = task_create(
        kind=TaskKind.COMPLAINT,
        title="Klacht van Bloemenhandel Tulp",
        description="Bel de klant terug.\nBekijk de foto's.",
        debtor=debtor,
        due_date=today - timedelta(days=1),
        invoices=[invoice],
        response=response,
    )
    other = task_create(
        kind=TaskKind.ALREADY_PAID,
        title="Betaling controleren",
        debtor=DebtorFactory(number="D-5002", name="Garage Van Dijk"),
        due_date=today + timedelta(days=3),
    )

    page.goto(f"{page.base}/backoffice/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.locator("nav.nav a[href='/backoffice/worklist/']").click()

    # Bob has nothing of his own yet: the worklist opens on the unassigned tasks.
    rows = page.locator("table.table tbody tr")
    expect(page.locator("#id_scope")).to_have_value("unassigned")
    expect(rows).to_have_count(2)
    assert not axe_violations_in_main(page)

    page.select_option("#id_kind", TaskKind.COMPLAINT)
    page.check("#id_overdue")
    page.locator("form[role=search] button[type=submit]").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bloemenhandel Tulp")
    expect(rows.first).to_contain_text("F-5001")
    rows.first.get_by_role("link", name="Klacht van Bloemenhandel Tulp").click()

    expect(page.locator("h1")).to_contain_text("Klacht van Bloemenhandel Tulp")
    expect(page.locator(".task-text")).to_have_text("Bel de klant terug.\nBekijk de foto's.")
    assert not axe_violations_in_main(page)
    page.locator("form[action$='/take/'] button").click()
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("form[action$='/take/']")).to_have_count(0)
    expect(page.locator("#id_assignee")).to_have_value(str(bob.pk))

    # Completing with the keyboard: the outcome, the box (ticked already), the button.
    close_box = page.locator("#id_close_response")
    expect(close_box).to_be_checked()
    page.locator("#id_outcome").fill("Klant gebeld; creditnota verstuurd.")
    page.locator("#id_outcome").press("Tab")
    expect(close_box).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator(".task-text").last).to_have_text("Klant gebeld; creditnota verstuurd.")
    expect(page.locator("form[action$='/complete/']")).to_have_count(0)

    # Gone from the open tasks, mine or anyone's.
    page.locator("nav.nav a[href='/backoffice/worklist/']").click()
    expect(page.locator("#id_scope")).to_have_value("unassigned")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Betaling controleren")
    page.select_option("#id_scope", "all")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"scope=all"))
    expect(rows).to_have_count(1)
    expect(page.get_by_text("Klacht van Bloemenhandel Tulp")).to_have_count(0)

    # The response is closed, so the invoice can be reminded again.
    page.goto(f"{page.base}/backoffice/worklist/{task.pk}/")
    page.locator(f"a[href='/backoffice/responses/{response.pk}/']").click()
    expect(page.locator(".page-header .state--response-closed")).to_be_visible()
    expect(page.locator(".badge--excluded")).to_have_count(0)

    task.refresh_from_db()
    assert (task.state, task.assignee, task.closed_by) == (TaskState.DONE, bob, bob)
    response.refresh_from_db()
    assert response.state == ResponseState.CLOSED
    assert not invoices_excluded_from_dunning().filter(pk=invoice.pk).exists()
    assert Task.objects.get(pk=other.pk).state == TaskState.OPEN
