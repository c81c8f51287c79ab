import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from settle.backoffice.tests.support import HTMX, template, texts, unlabelled_inputs, url
from settle.correspondence.defaults import default_fields
from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Organisation, Template
from settle.correspondence.services import message_send
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

LIST = reverse("backoffice:template_settings")
FRAME = re.compile(r'<iframe[^>]*\bsandbox\b[^>]*src="([^"]+)"')


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def organisation():
    Organisation.objects.update_or_create(
        pk=1, defaults={"name": "Acme Incasso BV", "iban": "NL91ABNA0417164300"}
    )


def stored_texts(stored: Template) -> tuple:
    stored.refresh_from_db()
    return stored.subject, stored.body_text, stored.body_html, stored.updated_at


# --- Who may come in --------------------------------------------------------------------------


def test_it_refuses_employees_and_says_why(bob_client):
    email = template()
    before = stored_texts(email)
    gets = [LIST, url("template_edit", email), url("template_preview_frame", email)]
    posts = [
        url("template_edit", email),
        url("template_preview", email),
        url("template_reset", email),
        url("template_preview_pdf", template(channel=Channel.LETTER)),
    ]

    for address in gets:
        response = bob_client.get(address)
        assert response.status_code == 403
        assert "Only administrators can change the settings." in response.content.decode()
    for address in posts:
        assert bob_client.post(address, texts(email, subject="Hacked")).status_code == 403
    assert stored_texts(email) == before


def test_it_lists_the_templates_by_kind_for_administrators(dave_client, dave):
    email = template()
    Template.objects.filter(pk=email.pk).update(updated_by=dave)

    response = dave_client.get(LIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(">Portal invitation</th>") == 1
    for label in ("Payment reminder 1", "Final notice", "Invoice copy", "Response received"):
        assert label in html
    assert url("template_edit", email) in html
    assert url("template_edit", template(channel=Channel.SMS, language="en")) in html
    assert "by Dave" in html
    assert 'aria-current="page">Message templates<' in html


# --- Editing ----------------------------------------------------------------------------------


def test_it_shows_the_parts_each_channel_has_with_the_variables(dave_client):
    email = dave_client.get(url("template_edit", template())).content.decode()
    sms = dave_client.get(url("template_edit", template(channel=Channel.SMS))).content.decode()
    letter = dave_client.get(
        url("template_edit", template(channel=Channel.LETTER))
    ).content.decode()

    for name in ("subject", "body_text", "body_html"):
        assert f'name="{name}"' in email
    assert 'name="body_text"' in sms
    assert 'name="subject"' not in sms and 'name="body_html"' not in sms
    assert 'name="subject"' in letter and 'name="body_html"' in letter
    assert 'name="body_text"' not in letter
    assert "<code>{{ debtor_name }}</code>" in email
    assert "<code>{{ portal_link }}</code>" in email
    assert "The debtor&#x27;s personal portal link" in email
    assert "PDF preview" in letter and "PDF preview" not in email
    for page in (email, sms, letter):
        assert unlabelled_inputs(page) == []
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)
        assert "django_htmx/htmx-2.min.js" in page


def test_it_refuses_an_unknown_variable_and_says_on_which_line(dave_client):
    email = template()
    before = stored_texts(email)
    body = "Beste {{ debtor_name }},\nUw nummer: {{ debtor_nmae }}\n"

    response = dave_client.post(url("template_edit", email), texts(email, body_text=body))

    html = response.content.decode()
    assert response.status_code == 400
    assert stored_texts(email) == before
    summary = html[html.index('role="alert"') : html.index('class="template-editor"')]
    assert "Line 2" in summary and "debtor_nmae" in summary
    assert 'href="#id_body_text"' in summary
    errors = re.search(r'<ul class="errors field__errors" id="id_body_text_error">(.*?)</ul>', html)
    assert errors and "Line 2: unknown variable “debtor_nmae”." in errors.group(1)
    assert re.search(r'<textarea[^>]*aria-invalid="true"[^>]*id="id_body_text"', html)
    # What was typed stays in the editor.
    assert "{{ debtor_nmae }}" in html


def test_it_saves_a_change_that_the_next_message_uses(dave_client, dave, alice):
    email = template()

    response = dave_client.post(
        url("template_edit", email),
        texts(email, subject="Nieuwe link voor {{ debtor_name }}", body_text="Hallo\r\nwereld"),
        follow=True,
    )

    assert "The template has been saved." in response.content.decode()
    email.refresh_from_db()
    assert email.updated_by == dave
    assert email.body_text == "Hallo\nwereld"
    message = message_send(
        kind=Kind.PORTAL_INVITATION,
        channel=Channel.EMAIL,
        debtor=alice,
        cause="test",
        idempotency_key="after-edit",
    )
    assert message.subject == "Nieuwe link voor Alice Jansen"
    assert message.body_text == "Hallo\nwereld"


def test_it_restores_the_default_wording(dave_client):
    sms = template(channel=Channel.SMS)
    dave_client.post(url("template_edit", sms), {"body_text": "Betaal nu, {{ debtor_name }}."})
    assert template(channel=Channel.SMS).body_text == "Betaal nu, {{ debtor_name }}."

    response = dave_client.post(url("template_reset", sms), follow=True)

    assert "default wording" in response.content.decode()
    shipped = default_fields(kind=Kind.PORTAL_INVITATION, channel=Channel.SMS, language="nl")
    assert template(channel=Channel.SMS).body_text == shipped["body_text"]


def test_it_refuses_a_letter_that_loads_a_file_from_elsewhere(dave_client, organisation):
    letter = template(channel=Channel.LETTER)
    before = stored_texts(letter)
    body = '<p>{{ debtor_name }}</p>\n<img src="https://example.org/x.png" alt="">'

    response = dave_client.post(url("template_edit", letter), texts(letter, body_html=body))

    html = response.content.decode()
    assert response.status_code == 400
    assert "https://example.org/x.png" in html
    assert "Letters may only use Settle" in html
    assert stored_texts(letter) == before


# --- Preview ----------------------------------------------------------------------------------


def test_it_previews_with_a_chosen_debtors_name_and_invoices(dave_client, alice):
    InvoiceFactory(debtor=alice, number="F-PREVIEW-1")
    email = template()
    before = stored_texts(email)

    response = dave_client.post(
        url("template_preview", email), {**texts(email), "debtor": alice.number}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Alice Jansen" in html and "F-PREVIEW-1" in html
    assert "the portal link is a stand-in" in html
    framed = dave_client.get(FRAME.search(html).group(1).replace("&amp;", "&"))
    assert framed.status_code == 200
    assert "Alice Jansen" in framed.content.decode()
    assert "F-PREVIEW-1" in framed.content.decode()
    assert "sandbox" in framed["Content-Security-Policy"]
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    assert stored_texts(email) == before
    assert not alice.portal_links.exists()


def test_it_previews_unsaved_text_with_sample_data(dave_client):
    email = template()

    html = dave_client.post(
        url("template_preview", email), texts(email, subject="Test {{ debtor_number }}"), **HTMX
    ).content.decode()

    assert "With sample data." in html
    assert "Test D-0001" in html


def test_it_previews_the_problems_instead(dave_client):
    email = template()

    unknown = dave_client.post(
        url("template_preview", email), {**texts(email), "debtor": "D-NOBODY"}, **HTMX
    ).content.decode()
    broken = dave_client.post(
        url("template_preview", email), texts(email, body_html="<p>\n{{ debtor_nmae }}</p>"), **HTMX
    ).content.decode()

    assert "There is no debtor with number “D-NOBODY”." in unknown
    assert "HTML: Line 2: unknown variable “debtor_nmae”." in broken
    assert "<iframe" not in broken


def test_it_counts_the_parts_of_an_sms(dave_client):
    sms = template(channel=Channel.SMS)

    short = dave_client.post(url("template_preview", sms), {"body_text": "Hallo!"}, **HTMX)
    emoji = dave_client.post(url("template_preview", sms), {"body_text": "Hallo 🙂 " * 12}, **HTMX)

    assert "6 characters in GSM-7: 1 text message" in short.content.decode()
    assert "UCS-2: 2 text messages" in emoji.content.decode()


def test_it_previews_on_the_whole_page_without_script(dave_client, alice):
    email = template()

    response = dave_client.post(
        url("template_preview", email), {**texts(email), "debtor": "D-ALICE"}
    )

    html = response.content.decode()
    assert "<html" in html
    assert 'id="template-preview"' in html and "Alice Jansen" in html
    assert 'name="debtor"' in html and 'value="D-ALICE"' in html


def test_it_makes_a_pdf_preview_of_a_letter(dave_client, alice, organisation):
    InvoiceFactory(debtor=alice, number="F-LETTER-1")
    letter = template(kind=Kind.REMINDER_1, channel=Channel.LETTER)

    response = dave_client.post(
        url("template_preview_pdf", letter), {**texts(letter), "debtor": alice.number}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Alice Jansen" in text
    assert "F-LETTER-1" in text


def test_it_previews_a_letter_whole_with_a_sample_addressee(dave_client, organisation):
    letter = template(kind=Kind.REMINDER_1, channel=Channel.LETTER, language="en")

    html = dave_client.post(url("template_preview", letter), texts(letter), **HTMX).content.decode()

    framed = dave_client.get(FRAME.search(html).group(1).replace("&amp;", "&")).content.decode()
    assert "Sample Company Ltd" in framed
    assert "Acme Incasso BV" in framed
    assert "NL91 ABNA 0417 1643 00" in framed
