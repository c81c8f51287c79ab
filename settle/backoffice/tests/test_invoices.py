from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from settle.receivables.models import DeliveryMethod, PaymentMethod, PaymentSource
from settle.receivables.services.invoices import invoice_document_attach
from settle.receivables.services.payments import payment_book
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def listed(client, **params) -> list[str]:
    response = client.get(reverse("backoffice:invoice_list"), params)
    assert response.status_code == 200
    return [invoice.number for invoice in response.context["page"].object_list]


def test_it_lists_invoices_with_the_columns_an_employee_needs(bob_client, alice):
    alice.payment_method = PaymentMethod.DIRECT_DEBIT
    alice.delivery_method = DeliveryMethod.SMS
    alice.save()
    InvoiceFactory(
        debtor=alice,
        number="F-2026-001",
        amount=Decimal("1234.50"),
        open_amount=Decimal("234.50"),
        due_date=date(2026, 2, 1),
        collection_status_id="reminder_1",
    )

    html = bob_client.get(reverse("backoffice:invoice_list")).content.decode()

    for text in (
        "F-2026-001",
        "Alice Jansen",
        "01/02/2026",
        "€1,234.50",
        "€234.50",
        "Direct debit",
        "SMS",
        "Partly paid",
    ):
        assert text in html, text


def test_it_shows_dates_and_amounts_the_dutch_way_in_dutch(client, bob, alice):
    client.cookies.clear()
    client.force_login(bob)
    InvoiceFactory(
        debtor=alice,
        amount=Decimal("1234.50"),
        open_amount=Decimal("1234.50"),
        due_date=date(2026, 2, 1),
    )

    html = client.get(reverse("backoffice:invoice_list")).content.decode()

    assert "1-2-2026" in html
    assert "€\xa01.234,50" in html


def test_it_finds_invoices_by_number_debtor_or_payment_reference(bob_client, alice, carol):
    InvoiceFactory(debtor=alice, number="F-100", payment_reference="RF-ALPHA")
    InvoiceFactory(debtor=carol, number="F-200", payment_reference="RF-BETA")

    assert listed(bob_client, q="F-100") == ["F-100"]
    assert listed(bob_client, q="D-CAROL") == ["F-200"]
    assert listed(bob_client, q="jansen") == ["F-100"]
    assert listed(bob_client, q="rf-beta") == ["F-200"]
    assert listed(bob_client, q="nothing") == []


def test_it_filters_by_payment_state(bob_client):
    InvoiceFactory(number="F-OPEN", amount=Decimal("10.00"))
    InvoiceFactory(number="F-PART", amount=Decimal("10.00"), open_amount=Decimal("4.00"))
    InvoiceFactory(number="F-PAID", amount=Decimal("10.00"), open_amount=Decimal("0.00"))

    assert listed(bob_client, state="open") == ["F-OPEN"]
    assert listed(bob_client, state="partly_paid") == ["F-PART"]
    assert listed(bob_client, state="paid") == ["F-PAID"]
    assert sorted(listed(bob_client, state="unpaid")) == ["F-OPEN", "F-PART"]
    assert len(listed(bob_client, state="bogus")) == 3


def test_it_filters_by_collection_status(bob_client):
    InvoiceFactory(number="F-1", collection_status_id="open")
    InvoiceFactory(number="F-2", collection_status_id="reminder_1")

    assert listed(bob_client, status="reminder_1") == ["F-2"]
    assert len(listed(bob_client, status="no-such-status")) == 2


def test_it_filters_overdue_invoices(bob_client):
    today = timezone.localdate()
    InvoiceFactory(number="F-LATE", due_date=today - timedelta(days=1))
    InvoiceFactory(number="F-LATE-PAID", due_date=today - timedelta(days=1), open_amount=0)
    InvoiceFactory(number="F-TODAY", due_date=today)

    assert listed(bob_client, overdue="on") == ["F-LATE"]


def test_it_sorts_by_due_date_number_or_open_amount(bob_client):
    today = timezone.localdate()
    InvoiceFactory(number="F-B", due_date=today, amount=Decimal("1.00"))
    InvoiceFactory(number="F-A", due_date=today - timedelta(days=5), amount=Decimal("3.00"))
    InvoiceFactory(number="F-C", due_date=today + timedelta(days=5), amount=Decimal("2.00"))

    assert listed(bob_client) == ["F-A", "F-B", "F-C"]
    assert listed(bob_client, sort="-due_date") == ["F-C", "F-B", "F-A"]
    assert listed(bob_client, sort="-open_amount", q="F-") == ["F-A", "F-C", "F-B"]
    assert listed(bob_client, sort="-number") == ["F-C", "F-B", "F-A"]
    assert listed(bob_client, sort="drop table") == ["F-A", "F-B", "F-C"]


def test_it_offers_the_opposite_sort_on_the_sorted_column(bob_client):
    InvoiceFactory()

    html = bob_client.get(reverse("backoffice:invoice_list"), {"q": "F"}).content.decode()

    assert 'aria-sort="ascending"' in html
    assert 'href="?q=F&amp;sort=-due_date"' in html


def test_it_shows_fifty_invoices_per_page(bob_client):
    InvoiceFactory.create_batch(51)

    assert len(listed(bob_client)) == 50
    assert len(listed(bob_client, page=2)) == 1


def test_it_uses_as_many_queries_for_fifty_invoices_as_for_five(bob_client):
    url = reverse("backoffice:invoice_list")
    InvoiceFactory.create_batch(5)
    bob_client.get(url)
    with CaptureQueriesContext(connection) as five:
        assert len(bob_client.get(url).context["page"].object_list) == 5
    InvoiceFactory.create_batch(45)
    with CaptureQueriesContext(connection) as fifty:
        assert len(bob_client.get(url).context["page"].object_list) == 50

    assert len(five) == len(fifty)


def test_it_shows_an_invoice_with_the_payments_that_paid_it(bob_client, alice):
    invoice = InvoiceFactory(
        debtor=alice,
        number="F-777",
        amount=Decimal("300.00"),
        payment_reference="RF777",
        collection_status_id="final_notice",
    )
    payment_book(
        amount=Decimal("120.00"),
        date=date(2026, 3, 2),
        source=PaymentSource.BANK,
        reference="BANK-777",
        allocations=[("F-777", Decimal("120.00"))],
    )

    html = bob_client.get(invoice.get_absolute_url()).content.decode()

    for text in (
        "Invoice F-777",
        "Alice Jansen",
        "€300.00",
        "€180.00",
        "RF777",
        "Partly paid",
        "BANK-777",
        "€120.00",
        "No document",
    ):
        assert text in html, text
    assert reverse("backoffice:invoice_document", kwargs={"pk": invoice.pk}) not in html


def test_it_shows_the_collection_status_in_the_active_language(client, bob):
    client.cookies.clear()
    client.force_login(bob)
    invoice = InvoiceFactory(collection_status_id="reminder_1")
    status = invoice.collection_status

    assert status.label_nl in client.get(invoice.get_absolute_url()).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert status.label_en in client.get(invoice.get_absolute_url()).content.decode()


def test_it_answers_404_for_an_unknown_invoice(bob_client):
    response = bob_client.get(reverse("backoffice:invoice_detail", kwargs={"pk": 999999}))

    assert response.status_code == 404


def test_it_lets_an_employee_download_the_invoice_document(bob_client):
    invoice = invoice_document_attach(invoice=InvoiceFactory(number="F/2026/9"), content=PDF)
    url = reverse("backoffice:invoice_document", kwargs={"pk": invoice.pk})

    assert url in bob_client.get(invoice.get_absolute_url()).content.decode()
    response = bob_client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="F-2026-9.pdf"'
    assert b"".join(response.streaming_content) == PDF


def test_it_answers_404_for_a_document_that_does_not_exist(bob_client):
    without = InvoiceFactory()
    lost = invoice_document_attach(invoice=InvoiceFactory(), content=PDF)
    lost.document.storage.delete(lost.document.name)

    for invoice in (without, lost):
        url = reverse("backoffice:invoice_document", kwargs={"pk": invoice.pk})
        assert bob_client.get(url).status_code == 404
    missing = reverse("backoffice:invoice_document", kwargs={"pk": 999999})
    assert bob_client.get(missing).status_code == 404


def test_it_gives_documents_to_staff_only(client, django_user_model):
    invoice = invoice_document_attach(invoice=InvoiceFactory(), content=PDF)
    url = reverse("backoffice:invoice_document", kwargs={"pk": invoice.pk})

    assert client.get(url).status_code == 302
    client.force_login(django_user_model.objects.create_user(username="eve", password="x"))
    assert client.get(url).status_code == 302


def test_it_escapes_invoice_and_debtor_names_from_imports(bob_client):
    debtor = DebtorFactory(name=XSS)
    invoice = InvoiceFactory(debtor=debtor, number=XSS, payment_reference=XSS)

    for url in (
        reverse("backoffice:invoice_list"),
        f"{reverse('backoffice:invoice_list')}?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        invoice.get_absolute_url(),
    ):
        html = bob_client.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "<script" not in html, url
