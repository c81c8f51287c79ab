from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from settle.receivables.models import DeliveryMethod, PaymentSource
from settle.receivables.services.payments import payment_book
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def search(client, query: str) -> list[str]:
    response = client.get(reverse("backoffice:debtor_list"), {"q": query})
    assert response.status_code == 200
    return [debtor.number for debtor in response.context["page"].object_list]


def test_it_lists_debtors_with_their_open_invoices(bob_client, alice, carol):
    alice.delivery_method = DeliveryMethod.POST
    alice.save()
    InvoiceFactory(debtor=alice, amount=Decimal("1000.00"))
    InvoiceFactory(debtor=alice, amount=Decimal("250.00"), open_amount=Decimal("100.25"))
    InvoiceFactory(debtor=alice, open_amount=Decimal("0.00"))

    response = bob_client.get(reverse("backoffice:debtor_list"))

    rows = {debtor.number: debtor for debtor in response.context["page"].object_list}
    assert rows["D-ALICE"].open_invoice_count == 2
    assert rows["D-ALICE"].open_total == Decimal("1100.25")
    assert rows["D-CAROL"].open_invoice_count == 0
    assert rows["D-CAROL"].open_total == Decimal("0")
    html = response.content.decode()
    assert "Alice Jansen" in html
    assert "€1,100.25" in html
    assert "Post" in html
    assert "Utrecht" in html


def test_it_finds_a_debtor_by_name_number_email_or_city(bob_client, alice, carol):
    carol.city = "Amersfoort"
    carol.save()

    assert search(bob_client, "jansen") == ["D-ALICE"]
    assert search(bob_client, "D-CAR") == ["D-CAROL"]
    assert search(bob_client, "carol@example") == ["D-CAROL"]
    assert search(bob_client, "amersfoort") == ["D-CAROL"]
    assert search(bob_client, "  ") == ["D-ALICE", "D-CAROL"]
    assert search(bob_client, "nobody") == []


def test_it_says_when_no_debtor_matches(bob_client, alice):
    response = bob_client.get(reverse("backoffice:debtor_list"), {"q": "nobody"})

    assert "No debtor matches your search." in response.content.decode()


def test_it_shows_fifty_debtors_per_page(bob_client):
    DebtorFactory.create_batch(51)

    first = bob_client.get(reverse("backoffice:debtor_list"))
    second = bob_client.get(reverse("backoffice:debtor_list"), {"page": 2})
    beyond = bob_client.get(reverse("backoffice:debtor_list"), {"page": "x"})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 1
    assert beyond.status_code == 200
    assert 'href="?page=2"' in first.content.decode()


def test_it_keeps_the_search_when_paging(bob_client):
    DebtorFactory.create_batch(51, city="Zwolle")

    html = bob_client.get(reverse("backoffice:debtor_list"), {"q": "Zwolle"}).content.decode()

    assert 'href="?q=Zwolle&amp;page=2"' in html


def test_it_uses_as_many_queries_for_fifty_debtors_as_for_five(bob_client):
    def debtors_with_invoices(count):
        for debtor in DebtorFactory.create_batch(count):
            InvoiceFactory.create_batch(2, debtor=debtor)

    url = reverse("backoffice:debtor_list")
    debtors_with_invoices(5)
    bob_client.get(url)
    with CaptureQueriesContext(connection) as five:
        assert len(bob_client.get(url).context["page"].object_list) == 5
    debtors_with_invoices(45)
    with CaptureQueriesContext(connection) as fifty:
        assert len(bob_client.get(url).context["page"].object_list) == 50

    assert len(five) == len(fifty)


def test_it_shows_a_debtors_details(bob_client, alice):
    alice.mobile = "+31612345678"
    alice.save()

    html = bob_client.get(alice.get_absolute_url()).content.decode()

    for text in (
        "D-ALICE",
        "Alice Jansen",
        "Dutch",
        "alice@example.test",
        "+31612345678",
        "Dorpsstraat 1",
        "1234 AB Utrecht",
        "Bank transfer",
        "E-mail",
    ):
        assert text in html


def test_it_shows_a_debtors_invoices_and_payments(bob_client, alice, carol):
    paid = InvoiceFactory(debtor=alice, number="F-PAID", amount=Decimal("100.00"))
    partly = InvoiceFactory(debtor=alice, number="F-PARTLY", amount=Decimal("200.00"))
    InvoiceFactory(debtor=alice, number="F-OPEN", amount=Decimal("300.00"))
    InvoiceFactory(debtor=carol, number="F-CAROL")
    payment_book(
        amount=Decimal("150.00"),
        date=date(2026, 1, 15),
        source=PaymentSource.BANK,
        reference="BANK-0001",
        allocations=[("F-PAID", Decimal("100.00")), ("F-PARTLY", Decimal("50.00"))],
    )

    response = bob_client.get(alice.get_absolute_url())

    html = response.content.decode()
    assert {i.number for i in response.context["invoices"]} == {"F-OPEN", "F-PARTLY", "F-PAID"}
    assert "F-CAROL" not in html
    assert f'href="{paid.get_absolute_url()}"' in html
    assert f'href="{partly.get_absolute_url()}"' in html
    assert "Partly paid" in html
    assert "Paid" in html
    assert "BANK-0001" in html
    assert "€150.00" in html
    assert "€50.00" in html


def test_it_shows_a_payment_booked_without_debtor_on_the_debtor_it_paid(bob_client, alice):
    InvoiceFactory(debtor=alice, number="F-1", amount=Decimal("80.00"))
    payment = payment_book(
        amount=Decimal("80.00"),
        date=date(2026, 1, 15),
        source=PaymentSource.BANK,
        reference="BANK-0002",
        allocations=[("F-1", Decimal("80.00"))],
    )
    payment.debtor = None
    payment.save()

    assert "BANK-0002" in bob_client.get(alice.get_absolute_url()).content.decode()


def test_it_uses_as_many_queries_for_a_debtor_with_many_invoices_and_payments(bob_client, alice):
    def invoices_and_payments(count, start):
        for n in range(start, start + count):
            InvoiceFactory(debtor=alice, number=f"F-{n}", amount=Decimal("10.00"))
            payment_book(
                amount=Decimal("5.00"),
                date=date(2026, 1, 1),
                source=PaymentSource.BANK,
                reference=f"B-{n}",
                allocations=[(f"F-{n}", Decimal("5.00"))],
            )

    invoices_and_payments(2, 0)
    bob_client.get(alice.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        bob_client.get(alice.get_absolute_url())
    invoices_and_payments(10, 2)
    with CaptureQueriesContext(connection) as many:
        bob_client.get(alice.get_absolute_url())

    assert len(few) == len(many)


def test_it_answers_404_for_an_unknown_debtor(bob_client):
    response = bob_client.get(reverse("backoffice:debtor_detail", kwargs={"pk": 999999}))

    assert response.status_code == 404


def test_it_escapes_names_and_addresses_from_imports(bob_client):
    debtor = DebtorFactory(name=XSS, city=XSS, street=XSS, email="x@example.test")
    InvoiceFactory(debtor=debtor, number=XSS, payment_reference=XSS)

    for url in (
        reverse("backoffice:debtor_list"),
        f"{reverse('backoffice:debtor_list')}?q=%3Cscript%3E",
        debtor.get_absolute_url(),
    ):
        html = bob_client.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "<script" not in html, url


def test_it_shows_whether_a_debtor_is_a_business_or_a_consumer(bob_client, alice):
    alice.kind = "consumer"
    alice.save()
    business = DebtorFactory(kind="business")

    consumer_html = bob_client.get(alice.get_absolute_url()).content.decode()
    business_html = bob_client.get(business.get_absolute_url()).content.decode()

    assert "<dt>Kind</dt><dd>Consumer</dd>" in consumer_html
    assert "<dt>Kind</dt><dd>Business</dd>" in business_html
