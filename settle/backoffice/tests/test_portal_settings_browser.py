import re

import pytest
from playwright.sync_api import expect

from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory
from settle.responses.models import Response, ResponseField, ResponseType

PASSWORD = "correct-horse-battery-staple"


def field_input(code: str, key: str, name: str) -> str:
    field = ResponseField.objects.get(response_type__code=code, key=key)
    return f"#id_field-{field.pk}-{name}"


def edit(page, code: str) -> None:
    page.goto(f"{page.base}/backoffice/settings/portal/")
    pk = ResponseType.objects.get(code=code).pk
    page.locator(f"a[href='/backoffice/settings/portal/types/{pk}/']").click()
    expect(page.locator("#id_name_nl")).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_changes_what_the_debtor_sees_from_the_settings_page(page, django_user_model):
    django_user_model.objects.create_user(
        username="dave", password=PASSWORD, is_staff=True, is_superuser=True
    )
    debtor = DebtorFactory(number="D-9001", name="Drukkerij Letterzetter")
    invoice = InvoiceFactory(debtor=debtor, number="F-9001")

    page.goto(f"{page.base}/backoffice/login/")
    page.fill("#id_username", "dave")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator("nav.nav")).to_be_visible()

    # Take the payment arrangement out of the portal.
    edit(page, "arrangement")
    page.uncheck("#id_enabled_in_portal")
    page.locator("form.settings-form button[type=submit]").click()
    expect(page.locator(".message--success")).to_be_visible()
    # Make the complaint's text optional and hide its attachment.
    edit(page, "complaint")
    page.check(field_input("complaint", "text", "optional"))
    page.uncheck(field_input("complaint", "attachment", "visible"))
    page.locator("form.settings-form button[type=submit]").click()
    expect(page.locator(".message--success")).to_be_visible()

    # Create a link on the debtor's page and copy it.
    page.goto(f"{page.base}{debtor.get_absolute_url()}")
    page.locator("form[action$='/portal-links/'] button").click()
    url_input = page.locator("#portal-link-url")
    expect(url_input).to_have_value(re.compile(r"/p/[A-Za-z0-9_-]{43}$"))
    copy = page.locator("button[data-copy='portal-link-url']")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.locator(".copy-field__status")).not_to_be_empty()
    path = "/p/" + url_input.input_value().rsplit("/p/", 1)[1]

    # The debtor, in a browser of their own.
    debtor_page = page.context.browser.new_page(locale="nl-NL")
    try:
        debtor_page.goto(f"{page.base}{path}")
        debtor_page.locator("main form button[type=submit]").click()
        debtor_page.check(f"#invoice-{invoice.pk}")
        debtor_page.locator("form.invoices button[type=submit]").click()
        expect(debtor_page.locator("#type-promise")).to_be_visible()
        expect(debtor_page.locator("#type-arrangement")).to_have_count(0)
        debtor_page.check("#type-complaint")
        expect(debtor_page.locator("#id_f_text")).to_be_visible()
        expect(debtor_page.locator("[name=f_attachment]")).to_have_count(0)
        debtor_page.locator("form.response-form button[type=submit]").click()
        expect(debtor_page).to_have_url(re.compile(r"/portal/$"))
    finally:
        debtor_page.close()

    response = Response.objects.get(debtor=debtor)
    assert response.response_type.code == "complaint"
    assert response.values == {}
