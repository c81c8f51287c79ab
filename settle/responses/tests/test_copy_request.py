"""The copy request in the portal: the address on file is shown masked, never in the page, and
the copy goes there unless the debtor types another address (issue 10, point 14)."""

import re
import secrets

import pytest
from django.urls import reverse

from settle.correspondence.models import Message
from settle.receivables.services.invoices import invoice_document_attach
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory
from settle.responses.forms import email_masked
from settle.responses.tests.factories import pdf_bytes
from settle.responses.tests.support import portal_sign_in

pytestmark = pytest.mark.django_db

RESPOND = reverse("portal:respond")
FIELDS = reverse("portal:respond_fields")


def _invoice(debtor):
    invoice = InvoiceFactory(debtor=debtor, number="F-1")
    return invoice_document_attach(invoice=invoice, content=pdf_bytes())


def _post(client, invoice, email: str):
    return client.post(
        RESPOND,
        {
            "invoice": [str(invoice.pk)],
            "type": "copy_request",
            "submission_key": secrets.token_urlsafe(24),
            "f_email": email,
        },
    )


def _input(html: str) -> str:
    match = re.search(r'<input[^>]*name="f_email"[^>]*>', html)
    assert match, "the page has no address field"
    return match.group(0)


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("alice@example.test", "a•••@example.test"),
        ("j@example.nl", "j•••@example.nl"),
        ("Jan.de.Vries+facturen@sub.example.nl", "J•••@sub.example.nl"),
        ("not-an-address", "•••"),
    ],
)
def test_it_masks_all_but_the_first_letter_and_the_domain(address, masked):
    assert email_masked(address) == masked


def test_it_shows_the_address_on_file_only_masked(alice_portal, alice):
    invoice = _invoice(alice)

    html = alice_portal.get(RESPOND, {"invoice": invoice.pk, "type": "copy_request"})
    partial = alice_portal.get(FIELDS, {"type": "copy_request"}, HTTP_HX_REQUEST="true")

    for page in (html.content.decode(), partial.content.decode()):
        assert "alice@example.test" not in page
        assert "alice%40example.test" not in page
        assert "a•••@example.test" in page
        assert "value=" not in _input(page)
        assert "required" not in _input(page)


def test_it_sends_the_copy_to_the_address_on_file_when_the_field_is_left_empty(alice_portal, alice):
    invoice = _invoice(alice)

    saved = _post(alice_portal, invoice, "")

    assert saved.status_code == 302
    message = Message.objects.get(kind="invoice_copy")
    assert message.recipient == "alice@example.test"
    assert [a.filename for a in message.attachments.all()] == ["F-1.pdf"]


def test_it_sends_the_copy_to_the_address_the_debtor_typed(alice_portal, alice):
    invoice = _invoice(alice)

    saved = _post(alice_portal, invoice, "boekhouding@alice.test")

    assert saved.status_code == 302
    assert Message.objects.get(kind="invoice_copy").recipient == "boekhouding@alice.test"


def test_it_keeps_the_address_on_file_out_of_a_page_with_errors(alice_portal, alice):
    invoice = _invoice(alice)

    page = _post(alice_portal, invoice, "geen-adres").content.decode()

    assert 'aria-invalid="true"' in _input(page)
    assert "alice@example.test" not in page
    assert "a•••@example.test" in page
    assert not Message.objects.exists()


def test_it_asks_for_an_address_when_there_is_none_on_file(client):
    debtor = DebtorFactory(number="D-NOMAIL", email="")
    invoice = _invoice(debtor)
    portal_sign_in(client, debtor)

    page = client.get(RESPOND, {"invoice": invoice.pk, "type": "copy_request"}).content.decode()
    refused = _post(client, invoice, "")

    assert "required" in _input(page)
    assert "•••" not in page
    assert refused.status_code == 200
    assert not Message.objects.exists()
