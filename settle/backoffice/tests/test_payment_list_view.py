import re
import secrets
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from settle.payments.models import PaymentRequest, PaymentRequestInvoice, RequestState
from settle.receivables.models import PaymentSource
from settle.receivables.services.payments import payment_book, payment_reverse
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

PAYMENTS = reverse("backoffice:payment_list")
ATTEMPTS = reverse("backoffice:payment_request_list")
XSS = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def attempt(debtor, invoices, *, provider_id, state=RequestState.OPEN, **fields) -> PaymentRequest:
    """An online attempt as the payments app leaves it, for the invoices' open amounts."""
    request = PaymentRequest.objects.create(
        key=secrets.token_hex(16),
        debtor=debtor,
        amount=sum(invoice.open_amount for invoice in invoices),
        description="Settle",
        provider="mollie",
        provider_id=provider_id,
        state=state,
        due_at=timezone.now(),
        **fields,
    )
    for invoice in invoices:
        PaymentRequestInvoice.objects.create(
            request=request, invoice=invoice, amount=invoice.open_amount
        )
    return request


def paid_online(debtor, invoices, *, provider_id: str):
    """A paid attempt and its booking, allocated to each invoice's open amount."""
    request = attempt(debtor, invoices, provider_id=provider_id, state=RequestState.PAID)
    payment = payment_book(
        amount=request.amount,
        date=timezone.localdate(),
        source=PaymentSource.PSP,
        reference=provider_id,
        debtor=debtor,
        allocations=[(invoice.number, invoice.open_amount) for invoice in invoices],
    )
    PaymentRequest.objects.filter(pk=request.pk).update(payment=payment)
    return payment


def book(debtor, amount: str, *, source=PaymentSource.BANK, reference="", on=None, invoice=None):
    allocations = [(invoice.number, Decimal(amount))] if invoice else []
    return payment_book(
        amount=Decimal(amount),
        date=on or timezone.localdate(),
        source=source,
        reference=reference,
        debtor=debtor,
        allocations=allocations,
    )


def row_text(html: str, row_id: str) -> str:
    """What a person reads in one row of the table, with the markup and spacing taken out."""
    match = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    cells = re.sub(r"</?(td|th|li|ul|br)\b[^>]*>", " ", match.group(1))
    return " ".join(re.sub(r"<[^>]+>", "", cells).split())


def listed(client, url=PAYMENTS, **params) -> list[str]:
    response = client.get(url, params)
    assert response.status_code == 200
    rows = response.context["page"].object_list
    return [getattr(row, "reference", None) or row.provider_id for row in rows]


def test_it_shows_a_provider_payment_with_its_invoices_its_attempt_and_a_reversal(
    bob_client, alice
):
    first = InvoiceFactory(debtor=alice, number="F-1", amount=Decimal("100.00"))
    second = InvoiceFactory(debtor=alice, number="F-2", amount=Decimal("50.00"))
    payment = paid_online(alice, [first, second], provider_id="tr_WDqYK6vllg")
    payment_reverse(payment=payment, amount=Decimal("30.00"), reason="Refunded at Mollie")

    html = bob_client.get(PAYMENTS).content.decode()

    row = row_text(html, f"payment-{payment.pk}")
    for text in (
        "Alice Jansen",
        "€150.00",
        "Payment provider",
        "tr_WDqYK6vllg",
        "Online payment attempt Paid",
        # The newest allocation gives back first: F-2 keeps 20.00 of its 50.00.
        "F-1: €100.00",
        "F-2: €20.00",
        "€30.00 Refunded at Mollie",
    ):
        assert text in row, text
    assert f'href="{ATTEMPTS}?q=tr_WDqYK6vllg"' in html


def test_it_lists_payments_of_every_source_newest_first(bob_client, alice):
    today = timezone.localdate()
    book(alice, "10.00", source=PaymentSource.ERP, reference="ERP-1", on=today - timedelta(3))
    book(alice, "20.00", source=PaymentSource.BANK, reference="BANK-1", on=today)
    book(alice, "30.00", source=PaymentSource.MANUAL, reference="MAN-1", on=today - timedelta(1))

    response = bob_client.get(PAYMENTS)

    assert listed(bob_client) == ["BANK-1", "MAN-1", "ERP-1"]
    html = response.content.decode()
    assert "3 payments" in html
    for label in ("ERP", "Bank", "Manual"):
        assert f"<td>{label}</td>" in html


def test_it_filters_by_source(bob_client, alice):
    book(alice, "10.00", source=PaymentSource.ERP, reference="ERP-1")
    book(alice, "20.00", source=PaymentSource.BANK, reference="BANK-1")
    paid_online(alice, [InvoiceFactory(debtor=alice)], provider_id="tr_online")

    assert listed(bob_client, source="psp") == ["tr_online"]
    assert listed(bob_client, source="bank") == ["BANK-1"]
    assert sorted(listed(bob_client, source="")) == ["BANK-1", "ERP-1", "tr_online"]


def test_it_finds_payments_by_debtor_invoice_number_or_reference(bob_client, alice, carol):
    invoices = [
        InvoiceFactory(debtor=alice, number="F-2026-7"),
        InvoiceFactory(debtor=alice, number="F-2026-70"),
    ]
    paid_online(alice, invoices, provider_id="tr_alice")
    book(carol, "5.00", reference="BANK-CAROL", invoice=InvoiceFactory(debtor=carol))

    # Both invoices match, and the payment still shows once.
    assert listed(bob_client, q="F-2026-7") == ["tr_alice"]
    assert listed(bob_client, q="jansen") == ["tr_alice"]
    assert listed(bob_client, q="D-CAROL") == ["BANK-CAROL"]
    assert listed(bob_client, q="bank-car") == ["BANK-CAROL"]
    response = bob_client.get(PAYMENTS, {"q": "nobody"})
    assert "No payment matches your search." in response.content.decode()


def test_it_pages_the_list(bob_client, alice):
    for number in range(51):
        book(alice, "1.00", reference=f"B-{number:03d}")

    first = bob_client.get(PAYMENTS).content.decode()
    second = listed(bob_client, page="2")

    assert "Page 1 of 2" in first
    assert "51 payments" in first
    assert second == ["B-000"]
    assert listed(bob_client, source="bank", page="2") == ["B-000"]


def test_it_shows_a_page_in_the_same_number_of_queries_for_one_payment_or_many(bob_client, alice):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert bob_client.get(PAYMENTS).status_code == 200
        return len(captured)

    payment = paid_online(alice, [InvoiceFactory(debtor=alice)], provider_id="tr_one")
    payment_reverse(payment=payment, amount=Decimal("1.00"), reason="refund")
    one = queries()
    for number in range(5):
        invoice = InvoiceFactory(debtor=DebtorFactory())
        payment = paid_online(invoice.debtor, [invoice], provider_id=f"tr_{number}")
        payment_reverse(payment=payment, amount=Decimal("1.00"), reason="chargeback")
        book(invoice.debtor, "2.00", reference=f"B-{number}")

    assert queries() == one


def test_it_escapes_what_debtors_and_providers_wrote(bob_client):
    debtor = DebtorFactory(name=XSS)
    payment = paid_online(debtor, [InvoiceFactory(debtor=debtor)], provider_id="tr_xss")
    payment_reverse(payment=payment, amount=Decimal("1.00"), reason=XSS)

    for url in (PAYMENTS, ATTEMPTS):
        html = bob_client.get(url).content.decode()
        assert XSS not in html
        assert "&lt;script&gt;" in html


def test_it_shows_what_debtors_tried_with_state_replacement_and_mismatch(bob_client, alice):
    invoice = InvoiceFactory(debtor=alice, number="F-9", amount=Decimal("80.00"))
    newer = attempt(alice, [invoice], provider_id="tr_newer", state=RequestState.PAID)
    older = attempt(alice, [invoice], provider_id="tr_older", superseded_by=newer)
    wrong = attempt(
        alice, [invoice], provider_id="tr_wrong", state=RequestState.PAID, mismatch=True
    )

    html = bob_client.get(ATTEMPTS).content.decode()

    assert "3 attempts" in html
    assert "Online payment attempts" in html
    older_row = row_text(html, f"attempt-{older.pk}")
    for text in ("Alice Jansen", "€80.00", "F-9: €80.00", "Open", "tr_older", "mollie"):
        assert text in older_row, text
    assert "Replaced by a newer attempt" in older_row
    assert "Amount or currency differs: not booked" in row_text(html, f"attempt-{wrong.pk}")
    newer_row = row_text(html, f"attempt-{newer.pk}")
    assert "Paid" in newer_row
    assert "Replaced" not in newer_row


def test_it_filters_attempts_by_state_and_finds_them_by_invoice_or_provider_id(
    bob_client, alice, carol
):
    attempt(alice, [InvoiceFactory(debtor=alice, number="F-A")], provider_id="tr_a")
    attempt(
        carol,
        [InvoiceFactory(debtor=carol, number="F-C")],
        provider_id="tr_c",
        state=RequestState.EXPIRED,
    )

    assert listed(bob_client, ATTEMPTS, state="expired") == ["tr_c"]
    assert listed(bob_client, ATTEMPTS, state="open") == ["tr_a"]
    assert listed(bob_client, ATTEMPTS, q="F-A") == ["tr_a"]
    assert listed(bob_client, ATTEMPTS, q="tr_c") == ["tr_c"]
    assert listed(bob_client, ATTEMPTS, q="Carol") == ["tr_c"]


@pytest.mark.parametrize(
    "params", [{"source": "bitcoin"}, {"page": "x"}, {"page": "999"}, {"q": "x" * 5000}]
)
def test_it_ignores_filter_values_it_does_not_know(bob_client, alice, params):
    book(alice, "1.00", reference="B-1", on=date(2026, 1, 5))

    for url in (PAYMENTS, ATTEMPTS):
        assert bob_client.get(url, params).status_code == 200


def test_it_links_the_list_from_the_navigation(bob_client):
    html = bob_client.get(PAYMENTS).content.decode()

    assert f'href="{PAYMENTS}" aria-current="page">Payments</a>' in html


def test_it_sends_anonymous_visitors_and_non_employees_to_sign_in(client, django_user_model):
    login = reverse("backoffice:login")
    for url in (PAYMENTS, ATTEMPTS):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{login}?next=")
    client.force_login(django_user_model.objects.create_user(username="eve"))
    for url in (PAYMENTS, ATTEMPTS):
        assert client.get(url)["Location"].startswith(f"{login}?next=")
