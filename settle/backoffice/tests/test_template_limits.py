"""The template editor refuses what would build too much (issue #10, point 4)."""

import time
import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Message, MessageStatus, Template
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def email_template() -> Template:
    return Template.objects.get(kind=Kind.PORTAL_INVITATION, channel=Channel.EMAIL, language="nl")


def texts(stored: Template, **changes) -> dict:
    data = {"subject": stored.subject, "body_text": stored.body_text, "body_html": stored.body_html}
    return {**data, **changes}


def preview(client, stored: Template, data: dict, language: str = "en"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("backoffice:template_preview", args=[stored.pk])
    return client.post(url, data, **HTMX)


def test_it_previews_a_huge_number_as_a_problem_not_an_error(dave_client):
    stored = email_template()

    response = preview(dave_client, stored, texts(stored, body_text="{{ 10**100000 }}"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "this would build a number of more than 100 digits." in html
    assert "<iframe" not in html


def test_it_refuses_a_huge_text_at_once_with_a_short_answer(dave_client):
    stored = email_template()
    started = time.monotonic()

    response = preview(dave_client, stored, texts(stored, body_html="<p>{{ 'x'*100000000 }}</p>"))

    assert time.monotonic() - started < 2
    assert len(response.content) < 100_000
    assert "this would build a text or list of more than 524288" in response.content.decode()


def test_it_says_so_in_the_editors_language(dave_client):
    stored = email_template()

    response = preview(dave_client, stored, texts(stored, body_text="{{ 10**100000 }}"), "nl")

    assert "dit zou een getal van meer dan 100 cijfers maken." in response.content.decode()


def test_it_does_not_save_a_template_over_a_limit(dave_client):
    stored = email_template()
    before = stored.body_text
    dave_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = "Dear {{ debtor_name }},\n{{ debtor_name * 100000000 }}"

    response = dave_client.post(
        reverse("backoffice:template_edit", args=[stored.pk]), texts(stored, body_text=body)
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Line 2: this would build a text or list of more than 524288" in html
    stored.refresh_from_db()
    assert stored.body_text == before


def test_it_previews_a_limit_that_only_a_real_debtors_invoices_reach(dave_client, alice):
    # Three sample invoices stay under the limit; alice's four do not.
    InvoiceFactory.create_batch(4, debtor=alice)
    stored = email_template()
    body = "{% for invoice in invoices %}{{ 'x' * 150000 }}{% endfor %}"

    sample = preview(dave_client, stored, texts(stored, body_text=body))
    real = preview(dave_client, stored, {**texts(stored, body_text=body), "debtor": alice.number})

    assert "With sample data." in sample.content.decode()
    html = real.content.decode()
    assert real.status_code == 200
    assert "the text would be longer than 524288 characters" in html
    assert len(real.content) < 100_000


def test_a_message_over_a_limit_is_a_failed_message_that_says_why(bob_client, alice):
    Template.objects.filter(
        kind=Kind.REMINDER_1, channel=Channel.EMAIL, language=alice.language
    ).update(body_text="{% for invoice in invoices %}{{ 'x' * 150000 }}{% endfor %}")
    InvoiceFactory.create_batch(4, debtor=alice)
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = bob_client.post(
        reverse("backoffice:debtor_send_message", args=[alice.pk]),
        {"kind": Kind.REMINDER_1, "channel": Channel.EMAIL, "key": str(uuid.uuid4())},
        follow=True,
    )

    html = response.content.decode()
    message = Message.objects.get(debtor=alice)
    assert message.status == MessageStatus.FAILED
    assert response.redirect_chain[-1][0] == reverse("backoffice:message_detail", args=[message.pk])
    assert "cannot be rendered" in html and "longer than 524288 characters" in html
    assert "Queued:" not in html
    assert reverse("backoffice:message_retry", args=[message.pk]) not in html
