"""Small things a debtor's browser notices: one "Get a new link" heading, a favicon at
/favicon.ico, and invoice numbers marked to stay whole."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from settle.portal.tests.support import sign_in
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


def test_it_names_the_new_link_page_once_after_a_request(client):
    page = client.post(reverse("portal:new_link"), {"identifier": "x@example.test"}, follow=True)

    content = page.content.decode()
    headings = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", content)
    assert headings.count("Nieuwe link aanvragen") + headings.count("Get a new link") == 1, headings


def test_it_still_offers_the_form_with_its_heading_on_the_signed_out_page(client):
    content = client.get(reverse("portal:signed_out")).content.decode()

    assert len(re.findall(r"<h2>[^<]+</h2>", content)) == 1


def test_it_serves_a_favicon_at_the_root():
    answer = Client().get("/favicon.ico")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/x-icon"
    body = b"".join(answer.streaming_content) if answer.streaming else answer.content
    assert body[:4] == b"\x00\x00\x01\x00"  # the ICO signature
    assert "max-age" in answer["Cache-Control"]


def test_it_keeps_invoice_numbers_whole_on_the_landing_page(client, alice):
    InvoiceFactory(debtor=alice, number="2026-0144")
    sign_in(client, alice)

    content = client.get(reverse("portal:home")).content.decode()

    assert '<span class="invoice-number">2026-0144</span>' in content
