import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

PASSWORD = "correct-horse-battery-staple"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_lets_an_employee_find_a_debtor_and_open_an_invoice(page, django_user_model):
    django_user_model.objects.create_user(username="bob", password=PASSWORD, is_staff=True)
    debtor = DebtorFactory(number="D-4711", name="Bakkerij De Gouden Korst")
    DebtorFactory(number="D-4712", name="Garage Van Dijk")
    InvoiceFactory(
        debtor=debtor,
        number="F-2026-0042",
        amount=Decimal("1500.00"),
        open_amount=Decimal("1234.56"),
    )

    page.goto(f"{page.base}/backoffice/")
    expect(page).to_have_url(re.compile(r"/backoffice/login/"))
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()

    page.locator("nav.nav a[href='/backoffice/debtors/']").click()
    page.fill("input[name=q]", "gouden korst")
    page.keyboard.press("Enter")
    expect(page.locator("table.table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Bakkerij De Gouden Korst").click()

    expect(page.locator("h1")).to_contain_text("Bakkerij De Gouden Korst")
    page.get_by_role("link", name="F-2026-0042").click()

    expect(page.locator("h1")).to_contain_text("F-2026-0042")
    # The browser asks for Dutch, so the amount reads the Dutch way.
    expect(page.locator(".amount-open")).to_have_text("€\xa01.234,56")
