from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_it_shows_the_counts_of_debtors_and_open_and_overdue_invoices(bob_client):
    today = timezone.localdate()
    alice = DebtorFactory(name="Alice")
    DebtorFactory(name="Carol")
    InvoiceFactory(debtor=alice, amount=Decimal("1000.00"), due_date=today - timedelta(days=3))
    InvoiceFactory(
        debtor=alice,
        amount=Decimal("500.00"),
        open_amount=Decimal("250.50"),
        due_date=today + timedelta(days=10),
    )
    InvoiceFactory(debtor=alice, amount=Decimal("75.00"), open_amount=Decimal("0.00"))

    response = bob_client.get(reverse("backoffice:home"))

    figures = response.context["figures"]
    assert figures.debtors == 2
    assert figures.open_invoices == 2
    assert figures.open_total == Decimal("1250.50")
    assert figures.overdue_invoices == 1
    html = response.content.decode()
    assert "€1,250.50" in html
    assert "€1,000.00 overdue" in html


def test_it_shows_zero_without_any_data(bob_client):
    figures = bob_client.get(reverse("backoffice:home")).context["figures"]

    assert (figures.debtors, figures.open_invoices, figures.open_total) == (0, 0, Decimal("0"))


def test_it_needs_the_same_few_queries_for_any_amount_of_data(bob_client):
    bob_client.get(reverse("backoffice:home"))
    with CaptureQueriesContext(connection) as few:
        bob_client.get(reverse("backoffice:home"))
    InvoiceFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        bob_client.get(reverse("backoffice:home"))

    assert len(few) == len(many)
