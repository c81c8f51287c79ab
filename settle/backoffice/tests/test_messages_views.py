import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader, PdfWriter

from settle.backoffice.selectors import debtor_timeline
from settle.correspondence.delivery import messages_process_due
from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Message, MessageStatus, Organisation
from settle.correspondence.services import Attachment, message_queue, message_send
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

LIST = reverse("backoffice:message_list")
LETTERS_PDF = reverse("backoffice:message_letters_pdf")


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def detail_url(message) -> str:
    return reverse("backoffice:message_detail", args=[message.pk])


def queue(channel=Channel.EMAIL, *, key, debtor=None, **fields) -> Message:
    recipients = {
        Channel.EMAIL: "alice@example.test",
        Channel.SMS: "+31612345678",
        Channel.LETTER: "Alice Jansen, Dorpsstraat 1, 1234 AB Utrecht",
    }
    fields.setdefault("subject", f"Subject {key}")
    fields.setdefault("body_text", f"Text of {key}")
    return message_queue(
        channel=channel,
        recipient=recipients[channel],
        debtor=debtor,
        cause="test",
        idempotency_key=key,
        **fields,
    )


def blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_pdf(message: Message, pages: int) -> Message:
    message.pdf.save(f"letter-{message.pk}.pdf", ContentFile(blank_pdf(pages)), save=True)
    return message


def rows_of(html: str) -> str:
    return html[html.index("<tbody>") : html.index("</tbody>")]


# --- The list ---------------------------------------------------------------------------------


def test_it_lists_messages_newest_first_with_their_details(bob_client, alice):
    older = queue(key="k-old", debtor=alice, kind=Kind.REMINDER_1)
    newer = queue(Channel.SMS, key="k-new", debtor=alice, kind=Kind.PORTAL_INVITATION)
    Message.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=1))

    response = bob_client.get(LIST)

    html = response.content.decode()
    assert response.status_code == 200
    rows = rows_of(html)
    assert rows.index(detail_url(newer)) < rows.index(detail_url(older))
    for text in ("Payment reminder 1", "Portal invitation", "+31612345678", "Ready", "SMS"):
        assert text in rows
    assert alice.get_absolute_url() in rows
    assert "2 messages" in html


def test_it_filters_by_status_and_channel(bob_client):
    sms = queue(Channel.SMS, key="k-sms")
    email = queue(key="k-email")
    failed = queue(key="k-failed")
    Message.objects.filter(pk=failed.pk).update(status=MessageStatus.FAILED)

    by_channel = rows_of(bob_client.get(LIST, {"channel": "sms"}).content.decode())
    by_status = rows_of(bob_client.get(LIST, {"status": "failed"}).content.decode())
    both = bob_client.get(LIST, {"status": "ready", "channel": "email"}).content.decode()
    nonsense = bob_client.get(LIST, {"status": "lost", "channel": "pigeon"})

    assert detail_url(sms) in by_channel and detail_url(email) not in by_channel
    assert detail_url(failed) in by_status and detail_url(email) not in by_status
    assert detail_url(email) in both
    assert detail_url(failed) not in both and detail_url(sms) not in both
    assert nonsense.status_code == 200


def test_it_pages_the_list_by_fifty(bob_client):
    for n in range(51):
        queue(key=f"k-{n}")

    first = bob_client.get(LIST).content.decode()
    second = bob_client.get(LIST, {"page": 2}).content.decode()

    assert rows_of(first).count("<tr>") == 50
    assert rows_of(second).count("<tr>") == 1
    assert "Page 1 of 2" in first


def test_it_keeps_the_outbox_for_employees(client, django_user_model):
    message = queue(key="k-1")
    client.force_login(django_user_model.objects.create_user(username="eve", password="x-1234567"))

    for url in (LIST, detail_url(message), LETTERS_PDF):
        answer = client.get(url)
        assert answer.status_code == 302
        assert answer.url.startswith(reverse("backoffice:login"))


def test_it_links_messages_from_the_navigation(bob_client):
    html = bob_client.get(reverse("backoffice:home")).content.decode()

    assert f'href="{LIST}"' in html
    assert re.search(rf'href="{LIST}" aria-current="page"', bob_client.get(LIST).content.decode())


# --- One message ------------------------------------------------------------------------------


def test_it_shows_a_messages_content_invoices_and_attachments(bob_client, alice):
    invoice = InvoiceFactory(debtor=alice, number="F-777")
    message = queue(
        key="k-1",
        debtor=alice,
        kind=Kind.INVOICE_COPY,
        subject="Your invoice F-777",
        body_text="Dear Alice,\n<b>not bold</b>",
        body_html='<p style="color:#123456">Dear <strong>Alice</strong></p>',
        invoices=[invoice],
        attachments=[Attachment(filename="F-777.pdf", content=blank_pdf(1))],
    )
    Message.objects.filter(pk=message.pk).update(last_error="SMTPServerDisconnected: gone")

    response = bob_client.get(detail_url(message))

    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Your invoice F-777" in html
    assert (
        '<pre class="message-text" tabindex="0" role="region" aria-labelledby="text-title">'
        "Dear Alice,\n&lt;b&gt;not bold&lt;/b&gt;</pre>"
    ) in html
    assert "SMTPServerDisconnected: gone" in html
    assert "Invoice copy" in html
    assert invoice.get_absolute_url() in html
    frame = re.search(r'<iframe[^>]*\bsandbox\b[^>]*src="([^"]+)"', html)
    assert frame, "the HTML is shown in a sandboxed frame"
    framed = bob_client.get(frame.group(1))
    assert framed.content.decode() == '<p style="color:#123456">Dear <strong>Alice</strong></p>'
    policy = framed["Content-Security-Policy"]
    assert "sandbox" in policy
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    attachment = message.attachments.get()
    download_url = reverse("backoffice:message_attachment", args=[attachment.pk])
    assert download_url in html
    download = bob_client.get(download_url)
    assert download["Content-Type"] == "application/pdf"
    assert 'attachment; filename="F-777.pdf"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_it_keeps_the_page_itself_unframeable_and_without_inline_script(bob_client, alice):
    message = queue(key="k-1", debtor=alice, body_html="<p>Hi</p><script>alert(1)</script>")

    response = bob_client.get(detail_url(message))

    html = response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    assert "alert(1)" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "srcdoc" not in html


def test_it_sends_a_failed_message_again(bob_client):
    message = queue(key="k-1")
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, attempts=8, due_at=timezone.now() - timedelta(days=1)
    )
    retry_url = reverse("backoffice:message_retry", args=[message.pk])
    assert retry_url in bob_client.get(detail_url(message)).content.decode()

    response = bob_client.post(retry_url, follow=True)

    message.refresh_from_db()
    assert message.status == MessageStatus.READY
    assert message.attempts == 0
    assert message.due_at > timezone.now() - timedelta(minutes=1)
    html = response.content.decode()
    assert "will be sent again" in html
    assert retry_url not in html


def test_it_refuses_to_send_again_a_message_that_did_not_fail(bob_client):
    message = queue(key="k-1")
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT)

    response = bob_client.post(reverse("backoffice:message_retry", args=[message.pk]), follow=True)

    assert "Only a failed message can be sent again." in response.content.decode()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_it_shows_a_sent_letter_and_its_pdf(bob_client, alice):
    Organisation.objects.filter(pk=Organisation.load().pk).update(
        name="Acme Incasso BV", iban="NL91ABNA0417164300"
    )
    InvoiceFactory(debtor=alice, number="F-900")
    message = message_send(
        kind=Kind.REMINDER_1,
        channel=Channel.LETTER,
        debtor=alice,
        cause="test",
        idempotency_key="letter-1",
    )
    messages_process_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT, message.last_error

    html = bob_client.get(detail_url(message)).content.decode()
    pdf_url = reverse("backoffice:message_pdf", args=[message.pk])
    assert pdf_url in html
    assert "Download PDF" in html
    pdf = bob_client.get(pdf_url)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    framed = bob_client.get(reverse("backoffice:message_html", args=[message.pk]))
    assert "F-900" in framed.content.decode()


# --- Printing letters -------------------------------------------------------------------------


def test_it_combines_the_listed_letters_into_one_pdf(bob_client):
    with_pdf(queue(Channel.LETTER, key="l-1"), pages=1)
    with_pdf(queue(Channel.LETTER, key="l-2"), pages=2)
    failed = with_pdf(queue(Channel.LETTER, key="l-3"), pages=4)
    Message.objects.filter(pk=failed.pk).update(status=MessageStatus.FAILED)
    queue(Channel.LETTER, key="l-unrendered")
    queue(key="e-1")
    page = bob_client.get(LIST, {"channel": "letter", "status": "ready"}).content.decode()
    assert "Combined PDF for printing" in page
    assert "at most 1000 letters" in page

    response = bob_client.get(LETTERS_PDF, {"channel": "letter", "status": "ready"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="letters.pdf"'
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 3
    everything = bob_client.get(LETTERS_PDF, {"channel": "letter"})
    assert len(PdfReader(io.BytesIO(everything.content)).pages) == 7


def test_it_offers_printing_for_letters_only(bob_client):
    with_pdf(queue(Channel.LETTER, key="l-1"), pages=1)

    assert "Combined PDF for printing" not in bob_client.get(LIST).content.decode()
    assert (
        "Combined PDF for printing"
        not in bob_client.get(LIST, {"channel": "email"}).content.decode()
    )


def test_it_says_so_when_there_are_no_letters_to_print(bob_client):
    queue(Channel.LETTER, key="l-unrendered")
    queue(key="e-1")

    response = bob_client.get(LETTERS_PDF, {"channel": "letter", "status": "sent"}, follow=True)

    assert response.redirect_chain[-1][0] == f"{LIST}?status=sent&channel=letter"
    assert "There are no letters with a PDF in this list to print." in response.content.decode()


# --- The debtor's timeline --------------------------------------------------------------------


def test_it_puts_the_debtors_messages_on_their_timeline_only(bob_client, alice, carol):
    mine = queue(key="k-alice", debtor=alice, kind=Kind.REMINDER_2)
    theirs = queue(key="k-carol", debtor=carol, kind=Kind.FINAL_NOTICE)
    Message.objects.filter(pk=mine.pk).update(status=MessageStatus.FAILED)

    with translation.override("en"):
        entries = [entry for entry in debtor_timeline(debtor=alice) if entry.source == "message"]
    html = bob_client.get(alice.get_absolute_url()).content.decode()

    assert [(entry.title, entry.state_label) for entry in entries] == [
        ("Payment reminder 2 (E-mail)", "Failed")
    ]
    assert entries[0].url == detail_url(mine)
    assert detail_url(mine) in html
    assert 'state--message-failed">Failed<' in html
    assert detail_url(theirs) not in html
    assert "Final notice" not in html.split('id="timeline"')[1]


def test_it_builds_the_timeline_of_messages_at_a_constant_query_cost(bob_client, bob, alice):
    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert bob_client.get(alice.get_absolute_url()).status_code == 200
        return len(queries)

    queue(key="k-0", debtor=alice, kind=Kind.REMINDER_1, created_by=bob)
    one = page_queries()
    for n in range(1, 6):
        queue(key=f"k-{n}", debtor=alice, kind=Kind.REMINDER_1, created_by=bob)

    assert page_queries() == one
