from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from settle.backoffice.tests.support import (
    GARBAGE,
    PASSWORD,
    axe_violations_in_main,
    short,
    shown_errors,
    unlabelled_inputs,
)
from settle.common.dates import organisation_today
from settle.dunning.tests.factories import ActionFactory, ActionGroupFactory, DunningHoldFactory
from settle.receivables.models import DeliveryMethod, PaymentMethod
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("backoffice:dunning_overview")


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def listed(client, **params) -> list[str]:
    response = client.get(OVERVIEW, params)
    assert response.status_code == 200
    return [invoice.number for invoice in response.context["page"].object_list]


def test_it_lists_the_open_invoices_with_what_an_employee_chooses_by(bob_client, alice):
    alice.payment_method = PaymentMethod.DIRECT_DEBIT
    alice.delivery_method = DeliveryMethod.POST
    alice.save()
    invoice = InvoiceFactory(
        debtor=alice,
        number="F-2026-001",
        amount=Decimal("1234.50"),
        due_date=organisation_today() - timedelta(days=12),
        collection_status_id="reminder_1",
    )
    InvoiceFactory(debtor=alice, number="F-PAID", open_amount=Decimal("0.00"))

    html = bob_client.get(OVERVIEW).content.decode()

    for text in (
        "F-2026-001",
        reverse("backoffice:invoice_detail", args=[invoice.pk]),
        "Alice Jansen",
        "€1,234.50",
        ">12<",
        "Reminder 1 sent",
        "Direct debit",
        "Post",
        "never",
        f'name="invoice" value="{invoice.pk}"',
    ):
        assert text in html, text
    assert "F-PAID" not in html


def test_it_marks_held_and_excluded_invoices(bob_client, alice):
    DunningHoldFactory(invoice=InvoiceFactory(debtor=alice))

    html = bob_client.get(OVERVIEW).content.decode()

    assert "on hold for dunning" in html


def test_it_filters_and_keeps_the_filter_in_the_address(bob_client):
    InvoiceFactory(number="SMALL", amount=Decimal("10.00"))
    InvoiceFactory(number="LARGE", amount=Decimal("500.00"))

    response = bob_client.get(OVERVIEW, {"open_amount_min": "100"})

    assert [i.number for i in response.context["page"].object_list] == ["LARGE"]
    html = response.content.decode()
    assert 'name="query" value="open_amount_min=100"' in html
    assert 'value="100"' in html


def test_it_sorts_by_a_column_header(bob_client):
    InvoiceFactory(number="SMALL", amount=Decimal("10.00"))
    InvoiceFactory(number="LARGE", amount=Decimal("500.00"))

    assert listed(bob_client, sort="-open_amount") == ["LARGE", "SMALL"]
    html = bob_client.get(OVERVIEW, {"sort": "-open_amount"}).content.decode()
    assert 'aria-sort="descending"' in html


def test_it_pages_by_fifty_and_offers_to_select_all_that_match(bob_client, alice):
    InvoiceFactory.create_batch(51, debtor=alice)

    first = bob_client.get(OVERVIEW)
    second = bob_client.get(OVERVIEW, {"page": "2"})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 1
    html = first.content.decode()
    assert "Select all 51 invoices matching this filter" in html
    assert 'name="select_all" value="1"' in html
    assert html.count('name="invoice"') == 50


def test_it_offers_the_active_groups_only(bob_client, alice):
    InvoiceFactory(debtor=alice)
    ActionFactory(group=ActionGroupFactory(name="Eerste herinnering"))
    archived = ActionGroupFactory(name="Oude groep")
    archived.archived_at = archived.created_at
    archived.save()

    html = bob_client.get(OVERVIEW).content.decode()

    run_choices = html.split('name="group"')[1].split("</select>")[0]
    assert "Eerste herinnering" in run_choices
    assert "Oude groep" not in run_choices


def test_it_shows_bad_input_as_errors_and_no_invoices(bob_client, alice):
    InvoiceFactory(debtor=alice)

    response = bob_client.get(
        OVERVIEW, {"open_amount_min": "abc", "due_from": "2026-02-01", "due_to": "2026-01-01"}
    )

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    errors = shown_errors(response.content.decode())
    assert any("Enter a number." in error for error in errors)
    assert any("The end date is before the start date." in error for error in errors)
    assert 'name="select_all"' not in response.content.decode()


def test_it_shows_the_errors_in_dutch(client, bob):
    client.cookies.clear()
    client.force_login(bob)

    response = client.get(OVERVIEW, {"overdue_min": "20", "overdue_max": "7"})

    errors = shown_errors(response.content.decode())
    assert any("Het hoogste aantal dagen is lager dan het laagste." in e for e in errors), errors


@pytest.mark.parametrize("value", GARBAGE, ids=short)
def test_it_never_fails_on_garbage_in_any_parameter(bob_client, alice, value):
    InvoiceFactory(debtor=alice)
    names = [
        "debtor", "number", "open_amount_min", "open_amount_max", "due_from", "due_to",
        "overdue_min", "overdue_max", "status", "payment_method", "delivery_method",
        "last_action", "last_from", "last_to", "excluded", "sort", "page",
    ]  # fmt: skip

    response = bob_client.get(OVERVIEW, dict.fromkeys(names, value))

    assert response.status_code == 200


def test_it_labels_every_input(bob_client, alice):
    InvoiceFactory(debtor=alice)
    ActionFactory()

    html = bob_client.get(OVERVIEW).content.decode()

    assert unlabelled_inputs(html) == []


def test_it_is_for_employees_only(client, alice):
    response = client.get(OVERVIEW)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_it_is_in_the_main_navigation(bob_client):
    html = bob_client.get(reverse("backoffice:home")).content.decode()

    assert f'href="{OVERVIEW}"' in html


@pytest.mark.django_db(transaction=True)
def test_it_selects_a_page_in_the_browser_and_confirms_it(page, bob):
    for _ in range(55):
        InvoiceFactory()
    ActionFactory(group=ActionGroupFactory(name="Eerste herinnering"))
    page.goto(f"{page.base}/backoffice/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(f"{page.base}{OVERVIEW}?sort=-days_overdue")

    page.check("#select-page")
    assert page.locator("input[name=invoice]:checked").count() == 50
    page.locator("input[name=invoice]").first.uncheck()
    assert page.eval_on_selector("#select-page", "box => box.indeterminate")
    assert not axe_violations_in_main(page)
    page.select_option("#id_group", label="Eerste herinnering")
    page.get_by_role("button", name="Uitvoeren").click()

    assert page.locator("[data-count=invoices]").text_content() == "49"
    assert not axe_violations_in_main(page)


def test_it_reads_a_page_in_the_same_few_queries_however_many_rows(
    bob_client, django_assert_max_num_queries
):
    InvoiceFactory.create_batch(3)
    with CaptureQueriesContext(connection) as few:
        bob_client.get(OVERVIEW)
    InvoiceFactory.create_batch(40)

    with django_assert_max_num_queries(len(few.captured_queries)):
        bob_client.get(OVERVIEW)
