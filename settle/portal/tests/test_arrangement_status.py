"""A debtor who proposed a payment arrangement reads on the landing page what became of it, and
sees the schedule of one that runs."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from settle.arrangements.models import InstalmentState, PaymentArrangement
from settle.arrangements.services import arrangement_accept, arrangement_reject
from settle.portal.tests.support import sign_in, text_of
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.models import ResponseType
from settle.responses.services import response_submit

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")


def _short(day) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _propose(debtor, invoices, *, count: int, first_in_days: int = 7) -> PaymentArrangement:
    first = timezone.localdate() + timedelta(days=first_in_days)
    response = response_submit(
        debtor=debtor,
        response_type=ResponseType.objects.get(code="arrangement"),
        invoices=invoices,
        values={"instalments": count, "first_date": first.isoformat()},
        submission_key=uuid.uuid4().hex,
    )
    return PaymentArrangement.objects.get(response=response)


def _status(html: str, invoice) -> str:
    found = re.search(
        rf'<label for="invoice-{invoice.pk}">.*?<span class="status">(.*?)</span>', html, re.S
    )
    assert found, invoice.number
    return found.group(1)


def _schedule(html: str) -> list[str]:
    """Each row of the schedule table as its cells' text."""
    table = re.search(r'<table class="schedule">(.*?)</table>', html, re.S)
    if table is None:
        return []
    body = table.group(1).split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


@pytest.fixture
def english():
    """Carol reads English; the expected texts are written in it too."""
    with translation.override("en"):
        yield


def _page(client) -> str:
    return text_of(client.get(HOME))


def test_it_shows_an_accepted_arrangement_running_with_its_schedule(client, carol, english):
    invoices = [InvoiceFactory(debtor=carol, amount=Decimal("100.00")) for _ in range(2)]
    other = InvoiceFactory(debtor=carol)
    arrangement = _propose(carol, invoices, count=3)
    first = timezone.localdate() + timedelta(days=7)
    sign_in(client, carol)

    html = _page(client)

    assert arrangement.state == "accepted"
    for invoice in invoices:
        assert _status(html, invoice) == (
            f"Payment arrangement running, next instalment €66.66 on {_short(first)}"
        )
    assert _status(html, other) == other.collection_status.label_en
    rows = _schedule(html)
    assert len(rows) == 3
    assert rows[0] == f"1 {_short(first)} €66.66 Open"
    assert rows[2].endswith("€66.68 Open")
    assert "Your payment arrangement" in html


def test_it_shows_a_proposal_outside_the_policy_under_review_without_a_schedule(
    client, carol, english
):
    invoice = InvoiceFactory(debtor=carol, amount=Decimal("1200.00"))
    arrangement = _propose(carol, [invoice], count=12)
    sign_in(client, carol)

    html = _page(client)

    assert arrangement.state == "under_review"
    assert _status(html, invoice) == "Arrangement proposal under review"
    assert _schedule(html) == []


def test_it_shows_the_arrangement_running_once_an_employee_accepts_it(client, carol, english):
    invoice = InvoiceFactory(debtor=carol, amount=Decimal("1200.00"))
    arrangement = _propose(carol, [invoice], count=12)
    arrangement_accept(arrangement=arrangement, decided_by=None)
    sign_in(client, carol)

    html = _page(client)

    first = timezone.localdate() + timedelta(days=7)
    assert _status(html, invoice) == (
        f"Payment arrangement running, next instalment €100.00 on {_short(first)}"
    )
    assert len(_schedule(html)) == 12


def test_it_shows_paid_instalments_and_names_the_next_open_one(client, carol, english):
    invoice = InvoiceFactory(debtor=carol, amount=Decimal("300.00"))
    arrangement = _propose(carol, [invoice], count=3)
    first = arrangement.instalments.get(number=1)
    first.state = InstalmentState.PAID
    first.settled_at = timezone.now()
    first.save()
    second = arrangement.instalments.get(number=2)
    sign_in(client, carol)

    html = _page(client)

    assert _status(html, invoice) == (
        f"Payment arrangement running, next instalment €100.00 on {_short(second.due_date)}"
    )
    assert [row.split()[-1] for row in _schedule(html)] == ["Paid", "Open", "Open"]


def test_it_shows_the_collection_status_again_after_a_rejection(client, carol, english):
    invoice = InvoiceFactory(debtor=carol, amount=Decimal("1200.00"))
    arrangement = _propose(carol, [invoice], count=12)
    arrangement_reject(arrangement=arrangement, decided_by=None, reason="Te lang.")
    sign_in(client, carol)

    html = _page(client)

    assert _status(html, invoice) == invoice.collection_status.label_en
    assert _schedule(html) == []


def test_it_shows_the_schedule_in_the_debtors_language(client, carol):
    invoice = InvoiceFactory(debtor=carol, amount=Decimal("300.00"))
    _propose(carol, [invoice], count=3)
    sign_in(client, carol)
    client.cookies["django_language"] = "nl"

    html = _page(client)

    assert '<th scope="col">Termijn</th>' in html
    assert '<th scope="col" class="num">Bedrag</th>' in html


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    return len(queries)


def test_it_needs_one_query_more_for_all_arrangements(client, carol):
    first = InvoiceFactory(debtor=carol)
    _propose(carol, [first], count=2)
    sign_in(client, carol)
    client.get(HOME)
    one = _queries(client)

    for count in (3, 12, 2):
        _propose(carol, [InvoiceFactory(debtor=carol) for _ in range(3)], count=count)
    many = _queries(client)

    assert one == many
