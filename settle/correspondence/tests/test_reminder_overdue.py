"""A reminder names the overdue invoices; the others it lists as not yet due (issue 10, point 9)."""

import importlib
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps

from settle.correspondence.defaults import default_fields
from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Organisation, Template
from settle.correspondence.services import message_send
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

# DEMO-1010's case: a reminder on 4 December, two invoices overdue and two due later that month.
TODAY = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture(autouse=True)
def fourth_of_december():
    with time_machine.travel(TODAY, tick=False):
        yield


def invoices_of(debtor):
    due = {
        "F-OVERDUE-1": date(2026, 11, 1),
        "F-OVERDUE-2": date(2026, 11, 20),
        "F-LATER-1": date(2026, 12, 18),
        "F-LATER-2": date(2026, 12, 28),
    }
    for number, due_date in due.items():
        InvoiceFactory(
            debtor=debtor,
            number=number,
            issue_date=date(2026, 10, 1),
            due_date=due_date,
            amount=Decimal("100.00"),
        )


def reminder(debtor, channel=Channel.EMAIL, kind=Kind.REMINDER_1):
    return message_send(
        kind=kind, channel=channel, debtor=debtor, cause="test", idempotency_key=f"{kind}{channel}"
    )


def before_and_after(text: str, marker: str) -> tuple[str, str]:
    at = text.index(marker)
    return text[:at], text[at:]


def test_it_names_only_overdue_invoices_as_not_received_in_dutch(alice):
    invoices_of(alice)

    message = reminder(alice)

    received, later = before_and_after(message.body_text, "Ter informatie")
    assert "nog niet ontvangen" in received
    assert "F-OVERDUE-1" in received and "F-OVERDUE-2" in received
    assert "F-LATER" not in received
    assert "het vervallen bedrag van € 200,00" in received.replace("\xa0", " ")
    assert "de volgende facturen zijn nog niet vervallen" in later
    assert "F-LATER-1" in later and "F-LATER-2" in later
    assert "F-OVERDUE" not in later
    html_received, html_later = before_and_after(message.body_html, "Ter informatie")
    assert "F-LATER" not in html_received and "F-LATER-1" in html_later


@pytest.mark.parametrize("kind", [Kind.REMINDER_1, Kind.REMINDER_2, Kind.FINAL_NOTICE])
def test_every_reminder_kind_says_which_are_not_yet_due_in_english(carol, kind):
    invoices_of(carol)

    message = reminder(carol, kind=kind)

    received, later = before_and_after(message.body_text, "For your information")
    assert "F-LATER" not in received and "F-OVERDUE-1" in received
    assert "the following invoices are not yet due" in later
    assert "F-LATER-1" in later and "F-LATER-2" in later


def test_a_letter_and_an_sms_ask_for_the_overdue_amount_only(carol):
    invoices_of(carol)

    letter = reminder(carol, channel=Channel.LETTER)
    carol.mobile = "+31612345678"
    carol.save()
    sms = reminder(carol, channel=Channel.SMS)

    received, later = before_and_after(letter.body_html, "For your information")
    assert "F-LATER" not in received and "F-LATER-2" in later
    assert "€200.00 is overdue" in sms.body_text.replace("\xa0", "")


def test_a_reminder_letters_payment_block_asks_for_the_overdue_amount(carol):
    Organisation.objects.update_or_create(
        pk=1, defaults={"name": "Acme Incasso BV", "iban": "NL91ABNA0417164300"}
    )
    invoices_of(carol)

    letter = reminder(carol, channel=Channel.LETTER)

    text = letter.body_html.replace("\xa0", "")
    assert '<th scope="row">Amount</th><td>€200.00</td>' in text
    assert "€400.00" not in text


def test_it_leaves_out_the_not_yet_due_part_when_all_are_overdue(alice):
    InvoiceFactory(debtor=alice, number="F-OVERDUE-1", due_date=date(2026, 11, 1))

    message = reminder(alice)

    assert "F-OVERDUE-1" in message.body_text
    assert "Ter informatie" not in message.body_text
    assert "de onderstaande factuur nog niet ontvangen" in message.body_text


OLD_DUTCH_SMS = (
    "{{ organisation_name }}: vriendelijke herinnering, er staat nog {{ total_open_amount }} "
    "voor u open. Betaal of reageer via {{ portal_link }} (persoonlijke link, "
    "{{ portal_link_validity }} geldig t/m {{ portal_link_valid_until }}; niet delen)"
)


def test_the_migration_rewords_only_templates_still_as_shipped():
    migration = importlib.import_module(
        "settle.correspondence.migrations.0006_reminders_overdue_and_not_yet_due"
    )
    shipped = Template.objects.get(kind=Kind.REMINDER_1, channel=Channel.SMS, language="nl")
    shipped.body_text = OLD_DUTCH_SMS
    shipped.save()
    changed = Template.objects.get(kind=Kind.REMINDER_2, channel=Channel.SMS, language="nl")
    changed.body_text = "Betaal nu {{ total_open_amount }}, {{ debtor_name }}."
    changed.save()

    migration.reword(apps, None)

    shipped.refresh_from_db()
    changed.refresh_from_db()
    new = default_fields(kind=Kind.REMINDER_1, channel=Channel.SMS, language="nl")["body_text"]
    assert shipped.body_text == new
    assert "{{ overdue_amount }}" in shipped.body_text
    assert changed.body_text == "Betaal nu {{ total_open_amount }}, {{ debtor_name }}."
