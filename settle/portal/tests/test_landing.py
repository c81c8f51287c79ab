import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from settle.portal.tests.support import sign_in, text_of
from settle.receivables.models import Invoice
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.closing import response_close
from settle.responses.models import ResponseType
from settle.responses.services import response_submit

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")


def _rows(html: str) -> list[str]:
    """The text of each invoice on the page, in page order."""
    items = re.findall(r'<li class="invoice">(.*?)</li>', html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def _respond(debtor, invoices, code, values, key):
    return response_submit(
        debtor=debtor,
        response_type=ResponseType.objects.get(code=code),
        invoices=invoices,
        values=values,
        submission_key=key,
    )


@pytest.fixture
def carol_client(client, carol):
    sign_in(client, carol)
    return client


def test_it_shows_the_debtors_open_invoices_sorted_by_due_date(carol_client, carol, alice):
    today = timezone.localdate()
    InvoiceFactory(debtor=carol, number="C-LATE", due_date=today + timedelta(days=20))
    InvoiceFactory(debtor=carol, number="C-EARLY", due_date=today - timedelta(days=20))
    InvoiceFactory(debtor=carol, number="C-MIDDLE", due_date=today)
    InvoiceFactory(debtor=carol, number="C-PAID", open_amount=Decimal("0.00"))
    InvoiceFactory(debtor=alice, number="A-OTHER")

    rows = _rows(text_of(carol_client.get(HOME)))

    assert [row.split()[1] for row in rows] == ["C-EARLY", "C-MIDDLE", "C-LATE"]


def test_it_shows_number_dates_amounts_and_status(carol_client, carol):
    InvoiceFactory(
        debtor=carol,
        number="C-1",
        issue_date=date(2025, 3, 1),
        due_date=date(2025, 3, 31),
        amount=Decimal("1210.00"),
        open_amount=Decimal("605.50"),
        collection_status_id="reminder_1",
    )

    (row,) = _rows(text_of(carol_client.get(HOME)))

    assert row == (
        "Invoice C-1 €605.50 Invoice date 01/03/2025 · Due 31/03/2025 · Amount €1,210.00 "
        "Reminder 1 sent"
    )


def test_it_shows_the_total_open(carol_client, carol):
    InvoiceFactory(debtor=carol, amount=Decimal("100.00"), open_amount=Decimal("40.25"))
    InvoiceFactory(debtor=carol, amount=Decimal("2000.00"))
    InvoiceFactory(debtor=carol, open_amount=Decimal("0.00"))

    html = text_of(carol_client.get(HOME))

    assert "Total open: <strong>€2,040.25</strong>" in html


def test_it_shows_the_latest_open_response_as_the_status(carol_client, carol):
    promised, complained, closed, plain = (
        InvoiceFactory(debtor=carol, number=f"C-{n}", due_date=date(2025, 1, n))
        for n in range(1, 5)
    )
    _respond(carol, [promised], "complaint", {"text": "Wrong"}, "k1")
    _respond(carol, [promised], "promise", {"promised_date": "2026-12-12"}, "k2")
    _respond(carol, [complained], "complaint", {"text": "Wrong"}, "k3")
    response_close(response=_respond(carol, [closed], "complaint", {"text": "x"}, "k4"))

    rows = _rows(text_of(carol_client.get(HOME)))

    assert [row.split(" Amount ")[1].split(" ", 1)[1] for row in rows] == [
        "Payment promised for 12/12/2026",
        "Complaint being handled",
        "Open",
        "Open",
    ]


def test_it_shows_an_open_response_under_a_newer_closed_one(carol_client, carol):
    invoice = InvoiceFactory(debtor=carol, number="C-1")
    _respond(carol, [invoice], "promise", {"promised_date": "2026-12-12"}, "k1")
    response_close(response=_respond(carol, [invoice], "complaint", {"text": "x"}, "k2"))

    (row,) = _rows(text_of(carol_client.get(HOME)))

    assert row.endswith("Payment promised for 12/12/2026")


def test_it_says_so_when_nothing_is_open(carol_client, carol):
    InvoiceFactory(debtor=carol, open_amount=Decimal("0.00"))

    html = text_of(carol_client.get(HOME))

    assert "You have no open invoices" in html
    assert not _rows(html)


def test_it_shows_no_other_personal_data(client, carol):
    carol.street = "Kanaalweg 99"
    carol.postal_code = "9999 ZZ"
    carol.city = "Zwolle"
    carol.mobile = "+31687654321"
    carol.save()
    InvoiceFactory(debtor=carol)
    sign_in(client, carol)

    html = text_of(client.get(HOME))

    for value in ("Kanaalweg", "9999 ZZ", "Zwolle", "687654321", "carol@example.test", "Carol"):
        assert value not in html


def test_it_escapes_what_an_import_or_a_debtor_wrote(carol_client, carol):
    InvoiceFactory(debtor=carol, number="<script>alert(1)</script>")
    invoice = InvoiceFactory(debtor=carol)
    _respond(carol, [invoice], "complaint", {"text": "<script>alert(2)</script>"}, "k")

    html = text_of(carol_client.get(HOME))

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_it_fits_a_phone(carol_client):
    html = text_of(carol_client.get(HOME))

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def _landing_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    return len(queries)


def test_it_needs_as_many_queries_for_500_invoices_as_for_1(client, carol):
    first = InvoiceFactory(debtor=carol)
    _respond(carol, [first], "promise", {"promised_date": "2026-12-12"}, "k0")
    sign_in(client, carol)
    client.get(HOME)
    one = _landing_queries(client)

    template = InvoiceFactory.build(debtor=carol)
    Invoice.objects.bulk_create(
        Invoice(
            number=f"C-{n:04d}",
            debtor=carol,
            issue_date=template.issue_date,
            due_date=template.due_date,
            amount=template.amount,
            open_amount=template.amount,
        )
        for n in range(499)
    )
    for n, invoice in enumerate(Invoice.objects.filter(debtor=carol)[:50]):
        code = "promise" if n % 2 else "complaint"
        _respond(carol, [invoice], code, {"promised_date": "2026-12-12", "text": "t"}, f"k{n + 1}")
    many = _landing_queries(client)

    assert len(_rows(text_of(client.get(HOME)))) == 500
    assert one == many


def test_it_shows_amounts_in_each_invoices_currency(carol_client, carol):
    InvoiceFactory(debtor=carol, amount=Decimal("10.00"), currency="USD")
    InvoiceFactory(debtor=carol, amount=Decimal("20.00"))

    html = text_of(carol_client.get(HOME))

    assert "Total open: <strong>$10.00 + €20.00</strong>" in html
    assert '<span class="open">$10.00</span>' in html
