import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import translation
from pypdf import PdfReader

from settle.common.errors import ApplicationError
from settle.correspondence.configuration import template_update
from settle.correspondence.delivery import messages_process_due
from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Message, MessageStatus, Organisation, Template
from settle.correspondence.services import Attachment, message_send
from settle.correspondence.smsparts import sms_size
from settle.portal.models import PortalLink
from settle.portal.services import portal_link_check
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<]+/p/([A-Za-z0-9_-]+)")


@pytest.fixture(autouse=True)
def organisation():
    Organisation.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Acme Incasso BV",
            "street": "Stationsplein 1",
            "postal_code": "3511 ED",
            "city": "Utrecht",
            "email": "debiteuren@acme.test",
            "iban": "NL91ABNA0417164300",
            "bic": "ABNANL2A",
        },
    )


def _send(debtor, kind=Kind.PORTAL_INVITATION, channel=Channel.EMAIL, key="k-1", **extra):
    return message_send(
        kind=kind, channel=channel, debtor=debtor, cause="test", idempotency_key=key, **extra
    )


def test_it_writes_a_portal_invitation_in_dutch_with_a_working_link(alice):
    invoice = InvoiceFactory(debtor=alice, number="F-100", open_amount=Decimal("1234.50"))
    InvoiceFactory(debtor=alice, number="F-PAID", open_amount=Decimal("0.00"))

    message = _send(alice)

    assert message.recipient == "alice@example.test"
    assert message.language == "nl"
    assert "Alice Jansen" in message.body_text
    assert "14 dagen" in message.body_text
    key = LINK.search(message.body_text).group(1)
    assert portal_link_check(key=key).link.debtor == alice
    assert LINK.search(message.body_html).group(1) == key
    assert "F-100" in message.body_html and "F-PAID" not in message.body_html
    assert "€\xa01.234,50" in message.body_html
    assert list(message.invoices.all()) == [invoice]
    assert message.status == MessageStatus.READY


def test_it_writes_in_the_debtors_language(carol):
    InvoiceFactory(debtor=carol)
    message = _send(carol)
    assert message.language == "en"
    assert "14 days" in message.body_text


def test_it_sends_the_same_cause_once_with_one_link(alice):
    first = _send(alice)
    second = _send(alice)
    assert first.pk == second.pk
    assert Message.objects.count() == 1
    assert PortalLink.objects.filter(debtor=alice).count() == 1


def test_it_leaves_no_message_and_no_link_when_the_cause_rolls_back(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        _send(alice)
        raise RuntimeError("the change that caused the message failed")
    assert not Message.objects.exists()
    assert not PortalLink.objects.exists()


def test_it_refuses_an_sms_to_a_debtor_without_mobile_number():
    debtor = DebtorFactory(mobile="")
    with translation.override("en"), pytest.raises(ApplicationError) as refusal:
        _send(debtor, channel=Channel.SMS)
    assert "no mobile number" in refusal.value.message
    assert not Message.objects.exists()
    assert not PortalLink.objects.exists()


def test_it_sends_an_sms_to_the_number_in_e164(alice):
    alice.mobile = "06 1234 5678"
    alice.save()
    InvoiceFactory(debtor=alice, open_amount=Decimal("12.50"))
    message = _send(alice, kind=Kind.REMINDER_1, channel=Channel.SMS)
    assert message.recipient == "+31612345678"
    assert LINK.search(message.body_text)
    # "€ 12,50" is written with a plain space, so the SMS stays in the 7-bit alphabet.
    assert "€ 12,50" in message.body_text
    assert sms_size(message.body_text).encoding == "GSM-7"
    assert messages_process_due() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider_reference


def test_it_refuses_a_channel_the_kind_does_not_have(alice):
    with translation.override("en"), pytest.raises(ApplicationError):
        _send(alice, kind=Kind.RESPONSE_RECEIVED, channel=Channel.SMS)
    assert not Message.objects.exists()


def test_it_renders_a_letter_to_a_pdf_addressed_to_the_debtor(alice):
    InvoiceFactory(debtor=alice, open_amount=Decimal("99.95"))
    message = _send(alice, kind=Kind.REMINDER_1, channel=Channel.LETTER)
    assert message.recipient == "Alice Jansen, Dorpsstraat 1, 1234 AB Utrecht"

    assert messages_process_due() == 1

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT, message.last_error
    with message.pdf.open("rb") as handle:
        text = PdfReader(handle).pages[0].extract_text()
    assert "Alice Jansen" in text
    assert "1234 AB Utrecht" in text


def test_it_refuses_a_letter_to_a_debtor_without_address():
    debtor = DebtorFactory(street="", postal_code="", city="")
    with translation.override("en"), pytest.raises(ApplicationError) as refusal:
        _send(debtor, kind=Kind.REMINDER_1, channel=Channel.LETTER)
    assert "no postal address" in refusal.value.message


def test_it_uses_the_template_as_last_saved(alice, dave):
    template = Template.objects.get(kind=Kind.REMINDER_1, channel=Channel.EMAIL, language="nl")
    template_update(
        template=template,
        subject="Herinnering voor {{ debtor_number }}",
        body_text="Nieuwe tekst: {{ total_open_amount }}",
        body_html="",
        updated_by=dave,
    )
    InvoiceFactory(debtor=alice, open_amount=Decimal("10.00"))
    message = _send(alice, kind=Kind.REMINDER_1)
    assert message.subject == "Herinnering voor D-ALICE"
    assert message.body_text == "Nieuwe tekst: €\xa010,00"
    assert message.body_html == ""
    # A reminder without the link variables issues no link.
    assert not PortalLink.objects.exists()


def test_it_delivers_attachments_over_smtp(smtp_server, alice):
    message = _send(
        alice,
        kind=Kind.INVOICE_COPY,
        attachments=[Attachment("F-100.pdf", b"%PDF-1.4 test copy")],
    )
    assert message.attachments.count() == 1
    assert messages_process_due() == 1
    [email] = smtp_server.inbox.emails
    attachments = list(email.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["F-100.pdf"]
    assert attachments[0].get_content() == b"%PDF-1.4 test copy"
    assert email.get_body(("plain",)) is not None and email.get_body(("html",)) is not None


def test_it_refuses_a_link_for_an_inactive_debtor(alice):
    alice.active = False
    alice.save()
    with translation.override("en"), pytest.raises(ApplicationError) as refusal:
        _send(alice)
    assert "inactive" in refusal.value.message
    assert not PortalLink.objects.exists()
