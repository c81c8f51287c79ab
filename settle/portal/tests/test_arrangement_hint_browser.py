"""The arrangement form's hint in a real browser: htmx updates it as the debtor types, without
inline script (the page is watched for CSP violations)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from settle.portal.tests.browser import (
    PageWatch,
    choose_invoices,
    choose_type,
    field_input,
    open_portal,
)
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.models import Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_updates_the_hint_while_the_debtor_types(page: Page, carol):
    invoice = InvoiceFactory(debtor=carol, amount=Decimal("300.00"))
    watch = PageWatch.attach(page)
    open_portal(page, carol)
    choose_invoices(page, [invoice])
    choose_type(page, "arrangement")
    hint = page.locator("#form-hint")
    expect(hint).to_contain_text("Fill in the number of instalments")

    first = timezone.localdate() + timedelta(days=5)
    field_input(page, "arrangement", "first_date", "en").fill(str(first))
    field_input(page, "arrangement", "instalments", "en").fill("3")
    expect(hint).to_contain_text("3 instalments of €100.00")
    expect(hint).to_contain_text("accepted as soon as you save")

    field_input(page, "arrangement", "instalments", "en").fill("12")
    expect(hint).to_contain_text("An employee will review this proposal")
    expect(hint).to_contain_text("More than 6 instalments")

    assert not Response.objects.exists()
    watch.assert_clean()
