import secrets
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from settle.portal.services import portal_link_issue
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory
from settle.responses.closing import response_close
from settle.responses.models import Response, ResponseState, ResponseType
from settle.responses.services import response_submit
from settle.responses.tests.factories import pdf_bytes, pdf_upload, png_bytes, png_upload

pytestmark = pytest.mark.django_db

INBOX = reverse("backoffice:response_list")
XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def submit(debtor, code: str, invoices, values=None, files=None) -> Response:
    return response_submit(
        debtor=debtor,
        response_type=ResponseType.objects.get(code=code),
        invoices=invoices,
        values=values or {},
        files=files,
        submission_key=secrets.token_urlsafe(24),
    )


def detail_url(response: Response) -> str:
    return reverse("backoffice:response_detail", args=[response.pk])


def listed(client, **params) -> list[int]:
    page = client.get(INBOX, params)
    assert page.status_code == 200
    return [response.pk for response, _values, _files in page.context["rows"]]


# --- The inbox ----------------------------------------------------------------------------


def test_it_lists_open_responses_with_debtor_invoices_type_and_values(bob_client, alice):
    first = InvoiceFactory(debtor=alice, number="F-100")
    second = InvoiceFactory(debtor=alice, number="F-101")
    response = submit(
        alice,
        "already_paid",
        [first, second],
        {"payment_date": "2026-01-15", "amount": "250.50"},
    )

    html = bob_client.get(INBOX).content.decode()

    for text in (
        "Alice Jansen",
        "D-ALICE",
        alice.get_absolute_url(),
        "F-100",
        "F-101",
        first.get_absolute_url(),
        "Already paid",
        "Payment date",
        "15 January 2026",
        "Amount paid",
        "€250.50",
        detail_url(response),
        "Open",
    ):
        assert text in html, text


def test_it_lists_the_newest_first_and_only_open_ones_unless_asked(bob_client, alice, carol):
    older = submit(
        alice, "promise", [InvoiceFactory(debtor=alice)], {"promised_date": "2030-01-01"}
    )
    newer = submit(carol, "complaint", [InvoiceFactory(debtor=carol)], {"text": "Wrong amount"})
    closed = submit(alice, "complaint", [InvoiceFactory(debtor=alice)], {"text": "Done"})
    Response.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
    response_close(response=closed, note="Handled")

    assert listed(bob_client) == [newer.pk, older.pk]
    assert listed(bob_client, state="open") == [newer.pk, older.pk]
    assert listed(bob_client, state="closed") == [closed.pk]
    assert listed(bob_client, state="all") == [closed.pk, newer.pk, older.pk]
    assert listed(bob_client, state="all", type="complaint") == [closed.pk, newer.pk]
    assert listed(bob_client, type="promise") == [older.pk]
    # Values the form does not know are ignored, not an error.
    assert listed(bob_client, state="nonsense", type="nonsense") == [newer.pk, older.pk]


def test_it_says_when_there_is_nothing_open(bob_client):
    assert "There are no open responses." in bob_client.get(INBOX).content.decode()


def test_it_shows_debtor_text_escaped(bob_client, alice):
    alice.name = XSS
    alice.save()
    response = submit(
        alice,
        "complaint",
        [InvoiceFactory(debtor=alice)],
        {"text": XSS},
        {"attachment": png_upload(name=f"{XSS}.png")},
    )

    for url in (INBOX, detail_url(response), alice.get_absolute_url()):
        html = bob_client.get(url).content.decode()
        assert XSS not in html, url
        assert ESCAPED in html, url


def test_it_costs_the_same_queries_for_one_response_as_for_many(bob_client):
    def inbox_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert bob_client.get(INBOX).status_code == 200
        return len(queries)

    debtor = DebtorFactory()
    submit(
        debtor,
        "complaint",
        [InvoiceFactory(debtor=debtor)],
        {"text": "x"},
        {"attachment": png_upload()},
    )
    one = inbox_queries()
    for _ in range(8):
        debtor = DebtorFactory()
        invoices = InvoiceFactory.create_batch(3, debtor=debtor)
        submit(debtor, "complaint", invoices, {"text": "x"}, {"attachment": png_upload()})
        submit(debtor, "promise", invoices[:1], {"promised_date": "2030-01-01"})

    assert inbox_queries() == one


def test_it_keeps_the_inbox_for_employees(client, alice, django_user_model):
    response = submit(alice, "complaint", [InvoiceFactory(debtor=alice)], {"text": "x"})
    customer = django_user_model.objects.create_user(username="eve", password="x-1234567890")

    anonymous = [client.get(INBOX), client.get(detail_url(response))]
    client.force_login(customer)
    not_staff = [client.get(INBOX), client.get(detail_url(response))]

    for page in anonymous + not_staff:
        assert page.status_code == 302
        assert page.url.startswith(reverse("backoffice:login"))


def test_it_answers_404_for_an_unknown_response(bob_client):
    assert bob_client.get(reverse("backoffice:response_detail", args=[999999])).status_code == 404


# --- Attachments --------------------------------------------------------------------------


def attachment_url(response: Response, index: int = 0) -> str:
    attachment = response.attachments.all()[index]
    return reverse("backoffice:response_attachment", args=[attachment.pk])


def test_it_lets_an_employee_download_an_attachment(bob_client, alice):
    response = submit(
        alice,
        "already_paid",
        [InvoiceFactory(debtor=alice)],
        {"payment_date": "2026-01-15", "amount": "10.00"},
        {"proof": pdf_upload(name="bank statement.pdf")},
    )

    download = bob_client.get(attachment_url(response))

    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="bank statement.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == pdf_bytes()
    html = bob_client.get(detail_url(response)).content.decode()
    assert attachment_url(response) in html
    assert "Proof of payment" in html


def test_it_serves_an_attachment_with_the_type_found_in_its_content(bob_client, alice):
    response = submit(
        alice,
        "complaint",
        [InvoiceFactory(debtor=alice)],
        {"text": "see picture"},
        {"attachment": png_upload(name="photo.pdf")},
    )

    download = bob_client.get(attachment_url(response))

    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == png_bytes()


def test_it_reduces_the_download_name_to_harmless_characters(bob_client, alice):
    response = submit(
        alice,
        "complaint",
        [InvoiceFactory(debtor=alice)],
        {"text": "x"},
        {"attachment": png_upload(name='a"b;c<d>.png')},
    )

    download = bob_client.get(attachment_url(response))

    assert download["Content-Disposition"] == 'attachment; filename="a_b_c_d_.png"'


def test_it_gives_attachments_to_employees_only(client, alice, carol, django_user_model):
    response = submit(
        alice,
        "complaint",
        [InvoiceFactory(debtor=alice)],
        {"text": "x"},
        {"attachment": png_upload()},
    )
    url = attachment_url(response)

    anonymous = client.get(url)
    client.force_login(django_user_model.objects.create_user(username="eve", password="x-12345678"))
    not_staff = client.get(url)
    debtor = Client()
    issued = portal_link_issue(debtor=alice)
    assert debtor.post(reverse("portal:link", kwargs={"key": issued.key})).status_code == 302
    signed_in_debtor = debtor.get(url)

    for refused in (anonymous, not_staff, signed_in_debtor):
        assert refused.status_code == 302
        assert refused.url.startswith(reverse("backoffice:login"))


def test_it_answers_404_for_an_unknown_or_missing_attachment(bob_client, alice):
    response = submit(
        alice,
        "complaint",
        [InvoiceFactory(debtor=alice)],
        {"text": "x"},
        {"attachment": png_upload()},
    )
    attachment = response.attachments.get()
    attachment.file.storage.delete(attachment.file.name)

    assert (
        bob_client.get(reverse("backoffice:response_attachment", args=[999999])).status_code == 404
    )
    assert bob_client.get(attachment_url(response)).status_code == 404


def test_it_serves_attachments_on_get_only(bob_client, alice):
    response = submit(
        alice,
        "complaint",
        [InvoiceFactory(debtor=alice)],
        {"text": "x"},
        {"attachment": png_upload()},
    )

    assert bob_client.post(attachment_url(response)).status_code == 405


# --- Closing ------------------------------------------------------------------------------


def test_it_closes_a_response_with_a_note_and_lifts_its_dunning_exclusion(bob_client, bob, alice):
    invoice = InvoiceFactory(debtor=alice, number="F-200")
    response = submit(alice, "complaint", [invoice], {"text": "Not ordered"})
    assert "excluded from dunning" in bob_client.get(invoice.get_absolute_url()).content.decode()

    answer = bob_client.post(
        reverse("backoffice:response_close", args=[response.pk]),
        {"note": "Credited, see credit note C-1"},
    )

    assert answer.status_code == 302
    assert answer.url == detail_url(response)
    response.refresh_from_db()
    assert response.state == ResponseState.CLOSED
    assert response.closed_by == bob
    assert response.close_note == "Credited, see credit note C-1"
    html = bob_client.get(detail_url(response)).content.decode()
    assert "The response has been closed." in html
    assert "Credited, see credit note C-1" in html
    assert "Bob" in html
    assert 'name="note"' not in html
    assert (
        "excluded from dunning" not in bob_client.get(invoice.get_absolute_url()).content.decode()
    )
    assert listed(bob_client) == []


def test_it_requires_a_note_to_close(bob_client, alice):
    response = submit(alice, "complaint", [InvoiceFactory(debtor=alice)], {"text": "x"})

    answer = bob_client.post(
        reverse("backoffice:response_close", args=[response.pk]), {"note": " "}
    )

    assert answer.status_code == 400
    assert "This field is required." in answer.content.decode()
    response.refresh_from_db()
    assert response.state == ResponseState.OPEN


def test_it_says_so_when_a_response_was_closed_already(bob_client, alice):
    response = submit(alice, "complaint", [InvoiceFactory(debtor=alice)], {"text": "x"})
    response_close(response=response, note="first")

    answer = bob_client.post(
        reverse("backoffice:response_close", args=[response.pk]), {"note": "second"}
    )

    assert answer.status_code == 409
    html = answer.content.decode()
    assert "This response has already been closed." in html
    assert "Your note was not saved:" in html and "second" in html
    response.refresh_from_db()
    assert response.close_note == "first"


def test_it_closes_only_on_a_post_with_a_csrf_token(bob, alice):
    response = submit(alice, "complaint", [InvoiceFactory(debtor=alice)], {"text": "x"})
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob)
    url = reverse("backoffice:response_close", args=[response.pk])

    assert strict.get(url).status_code == 405
    assert strict.post(url, {"note": "x"}).status_code == 403
    response.refresh_from_db()
    assert response.state == ResponseState.OPEN


# --- Dunning exclusion on the invoice pages -----------------------------------------------


def test_it_marks_invoices_excluded_from_dunning_in_the_lists(bob_client, alice):
    excluded = InvoiceFactory(debtor=alice, number="F-EXCL")
    copy_asked = InvoiceFactory(debtor=alice, number="F-COPY")
    InvoiceFactory(debtor=alice, number="F-PLAIN")
    submit(alice, "promise", [excluded], {"promised_date": "2030-01-01"})
    # A copy request does not exclude its invoice from dunning.
    submit(alice, "copy_request", [copy_asked], {"email": "alice@example.test"})

    invoice_list = bob_client.get(reverse("backoffice:invoice_list"))
    debtor_page = bob_client.get(alice.get_absolute_url())

    marked = {
        invoice.number: invoice.excluded_from_dunning
        for invoice in invoice_list.context["page"].object_list
    }
    assert marked == {"F-EXCL": True, "F-COPY": False, "F-PLAIN": False}
    for page in (invoice_list, debtor_page):
        assert page.content.decode().count("excluded from dunning") == 1
    assert (
        "excluded from dunning"
        not in bob_client.get(copy_asked.get_absolute_url()).content.decode()
    )


def test_it_marks_exclusions_at_a_constant_query_cost(bob_client):
    def list_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert bob_client.get(reverse("backoffice:invoice_list")).status_code == 200
        return len(queries)

    debtor = DebtorFactory()
    submit(debtor, "promise", [InvoiceFactory(debtor=debtor)], {"promised_date": "2030-01-01"})
    one = list_queries()
    for _ in range(10):
        invoice = InvoiceFactory(debtor=debtor, amount=Decimal("10.00"))
        submit(debtor, "complaint", [invoice], {"text": "x"})

    assert list_queries() == one
