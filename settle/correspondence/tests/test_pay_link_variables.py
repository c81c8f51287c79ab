"""The pay button in messages: `pay_link` and `online_payment` from the portal's hook, in the
shipped templates, the template checks, previews, and the migration of stored templates."""

import importlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone, translation

from settle.common.errors import ApplicationError
from settle.correspondence.compose import message_parts
from settle.correspondence.configuration import template_preview, template_update
from settle.correspondence.defaults import default_fields
from settle.correspondence.delivery import messages_process_due
from settle.correspondence.kinds import CHANNELS, Kind
from settle.correspondence.models import Channel, Organisation, Template
from settle.correspondence.services import message_send
from settle.correspondence.smsparts import sms_size
from settle.correspondence.variables import sample_context
from settle.payments.configuration import PaymentsConfig
from settle.payments.models import PaymentRequest
from settle.portal.models import PayLink, PortalLink
from settle.portal.paylinks import pay_link_read
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

BASE = "https://incasso.example.test"
PAY_LINK = re.compile(re.escape(BASE) + r"/pay/([A-Za-z0-9._-]+)")


@pytest.fixture(autouse=True)
def demo_provider(settings):
    settings.SETTLE_BASE_URL = BASE
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="demo")
    Organisation.objects.update_or_create(
        pk=1, defaults={"name": "Acme Incasso BV", "iban": "NL91ABNA0417164300"}
    )


@pytest.fixture
def no_provider(settings):
    settings.SETTLE_PAYMENTS = PaymentsConfig()


def _send(debtor, kind=Kind.REMINDER_1, channel=Channel.EMAIL, key="k-1", **extra):
    return message_send(
        kind=kind, channel=channel, debtor=debtor, cause="test", idempotency_key=key, **extra
    )


def _overdue_and_not_due(debtor):
    overdue = InvoiceFactory(debtor=debtor, number="F-OVERDUE", open_amount=Decimal("100.00"))
    not_due = InvoiceFactory(
        debtor=debtor,
        number="F-LATER",
        due_date=timezone.localdate() + timedelta(days=20),
        open_amount=Decimal("50.00"),
    )
    return overdue, not_due


def test_it_puts_a_working_pay_button_in_a_reminder_email(alice):
    overdue, _not_due = _overdue_and_not_due(alice)

    message = _send(alice)

    token = PAY_LINK.search(message.body_text).group(1)
    assert PAY_LINK.search(message.body_html).group(1) == token
    assert "Nu betalen" in message.body_text and "Nu betalen</a>" in message.body_html
    claim = pay_link_read(token=token)
    assert claim.debtor_id == alice.pk
    # A reminder asks for the overdue invoices; the pay link pays exactly those.
    assert claim.invoice_ids == [overdue.pk]
    assert claim.expires_at == PortalLink.objects.get(debtor=alice).expires_at


def test_it_puts_the_pay_button_in_an_invitation_for_every_open_invoice(carol):
    overdue, not_due = _overdue_and_not_due(carol)

    message = _send(carol, kind=Kind.PORTAL_INVITATION)

    assert "Pay now" in message.body_text
    assert "pay online straight away" in message.body_text
    claim = pay_link_read(token=PAY_LINK.search(message.body_html).group(1))
    assert sorted(claim.invoice_ids) == sorted([overdue.pk, not_due.pk])


@pytest.mark.parametrize(
    ("kind", "parts"), [(Kind.REMINDER_1, 2), (Kind.REMINDER_2, 2), (Kind.FINAL_NOTICE, 3)]
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_it_puts_the_pay_link_next_to_the_portal_link_in_a_reminder_sms(
    alice, kind, parts, language
):
    alice.language = language
    alice.save()
    _overdue_and_not_due(alice)

    message = _send(alice, kind=kind, channel=Channel.SMS)

    pay_link_read(token=PAY_LINK.search(message.body_text).group(1))
    assert BASE + "/p/" in message.body_text
    # Reminders stay within the two parts they took before; a final notice says what it must
    # in full and takes a third.
    assert sms_size(message.body_text).parts <= parts


def test_it_gives_a_confirmation_no_pay_link(alice):
    InvoiceFactory(debtor=alice)

    message = _send(
        alice,
        kind=Kind.PROMISE_CONFIRMED,
        extra={"promise_date": timezone.localdate(), "promise_amount": Decimal("121.00")},
    )

    assert "/pay/" not in message.body_text + message.body_html
    assert "online betalen" in message.body_text
    assert not PayLink.objects.exists()


@pytest.mark.usefixtures("no_provider")
@pytest.mark.parametrize(
    ("kind", "channel"),
    [
        (Kind.REMINDER_1, Channel.EMAIL),
        (Kind.REMINDER_1, Channel.SMS),
        (Kind.REMINDER_1, Channel.LETTER),
        (Kind.PORTAL_INVITATION, Channel.EMAIL),
        (Kind.PORTAL_INVITATION, Channel.SMS),
        (Kind.FINAL_NOTICE, Channel.EMAIL),
    ],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_it_says_nothing_of_paying_online_without_a_provider(alice, kind, channel, language):
    alice.language = language
    alice.save()
    _overdue_and_not_due(alice)

    message = _send(alice, kind=kind, channel=channel)

    assert message.status == "ready", message.last_error
    text = message.body_text + message.body_html
    assert "online" not in text.lower()
    assert "/pay/" not in text
    assert not PayLink.objects.exists()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_shipped_template_speaks_of_paying_online_without_a_provider(settings, language):
    settings.SETTLE_PAYMENTS = PaymentsConfig()
    for kind, channels in CHANNELS.items():
        sample = sample_context(kind, language)
        for channel in channels:
            texts = default_fields(kind=kind, channel=channel, language=language)
            rendered = message_parts(channel=channel, language=language, texts=texts, values=sample)
            text = rendered.subject + rendered.body_text + rendered.body_html
            assert "online" not in text.lower(), (kind, channel)
            assert "/pay/" not in text, (kind, channel)


def test_the_shipped_templates_speak_of_paying_online_with_a_provider():
    sample = sample_context(Kind.PROMISE_CONFIRMED, "en")
    texts = default_fields(kind=Kind.PROMISE_CONFIRMED, channel=Channel.SMS, language="en")
    rendered = message_parts(channel=Channel.SMS, language="en", texts=texts, values=sample)
    assert "To pay online" in rendered.body_text


def test_it_previews_the_pay_button_without_creating_a_link(alice):
    InvoiceFactory(debtor=alice)
    template = Template.objects.get(kind=Kind.REMINDER_1, channel=Channel.EMAIL, language="nl")

    preview = template_preview(
        kind=template.kind,
        channel=template.channel,
        language="nl",
        subject=template.subject,
        body_text=template.body_text,
        body_html=template.body_html,
        debtor=alice,
    )

    assert not preview.errors
    assert BASE + "/pay/PREVIEW" in preview.body_text
    assert not PayLink.objects.exists()
    assert not PortalLink.objects.exists()


def test_a_template_may_use_the_pay_link_only_where_a_message_carries_a_portal_link(dave):
    reminder = Template.objects.get(kind=Kind.REMINDER_1, channel=Channel.SMS, language="en")
    template_update(
        template=reminder,
        subject="",
        body_text="Pay {{ overdue_amount }}: {{ pay_link }}{% if online_payment %}!{% endif %}",
        body_html="",
        updated_by=dave,
    )
    confirmation = Template.objects.get(
        kind=Kind.PROMISE_CONFIRMED, channel=Channel.SMS, language="en"
    )
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        template_update(
            template=confirmation, subject="", body_text="Pay: {{ pay_link }}", body_html=""
        )
    assert "pay_link" in str(refused.value.errors[0].message)


def test_it_issues_the_link_for_a_template_that_shows_only_the_pay_button(alice):
    InvoiceFactory(debtor=alice)
    Template.objects.filter(kind=Kind.REMINDER_1, channel=Channel.SMS, language="nl").update(
        body_text="Betaal {{ overdue_amount }}: {{ pay_link }}"
    )

    message = _send(alice, channel=Channel.SMS)

    claim = pay_link_read(token=PAY_LINK.search(message.body_text).group(1))
    assert claim.expires_at == PortalLink.objects.get(debtor=alice).expires_at


def test_the_migration_updates_templates_still_as_shipped_and_leaves_changed_ones():
    migration = importlib.import_module(
        "settle.correspondence.migrations.0008_online_payment_wording"
    )
    # The wording shipped before pay links (issue 12).
    old_sms = (
        "{{ organisation_name }}: vriendelijke herinnering, er staat nog {{ overdue_amount }} "
        "open waarvan de vervaldatum is verstreken. Betaal of reageer via {{ portal_link }} "
        "(persoonlijke link, {{ portal_link_validity }} geldig t/m "
        "{{ portal_link_valid_until }}; niet delen)"
    )
    shipped = Template.objects.get(kind=Kind.REMINDER_1, channel=Channel.SMS, language="nl")
    shipped.body_text = old_sms
    shipped.save()
    changed = Template.objects.get(kind=Kind.REMINDER_2, channel=Channel.SMS, language="nl")
    changed.body_text = old_sms.replace("vriendelijke herinnering", "tweede herinnering")
    changed.save()

    migration.reword(apps, None)

    shipped.refresh_from_db()
    changed.refresh_from_db()
    new = default_fields(kind=Kind.REMINDER_1, channel=Channel.SMS, language="nl")["body_text"]
    assert shipped.body_text == new
    assert "{{ pay_link }}" in shipped.body_text
    assert changed.body_text == old_sms.replace("vriendelijke herinnering", "tweede herinnering")


def test_it_makes_no_pay_link_for_a_message_that_does_not_show_one(alice):
    InvoiceFactory(debtor=alice)

    letter = _send(alice, channel=Channel.LETTER)

    assert letter.status == "ready", letter.last_error
    assert PortalLink.objects.filter(debtor=alice).exists()
    assert not PayLink.objects.exists()


def test_the_pay_button_of_a_reminder_that_arrived_over_smtp_opens_its_pay_page(
    smtp_server, client, alice
):
    _overdue_and_not_due(alice)
    _send(alice)
    while messages_process_due():
        pass

    [email] = smtp_server.inbox.emails
    url = PAY_LINK.search(email.get_body(("html",)).get_content()).group(0)
    assert url in email.get_body(("plain",)).get_content()
    page = client.get(url.removeprefix(BASE))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Alice Jansen" in text
    assert "F-OVERDUE" in text and "F-LATER" not in text
    # Opening the link (as a mail scanner does) starts no payment.
    assert not PaymentRequest.objects.exists()
