"""The journey of issue 4: an administrator rewords the first reminder, checks it in the preview,
and the next reminder an employee sends is written with the new wording and arrives by SMTP."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from settle.correspondence.delivery import messages_process_due
from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Message, MessageStatus, Template
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

PASSWORD = "correct-horse-battery-staple"
SUBJECT = "Nog open bij ons: {{ invoices|length }} factuur/facturen ({{ debtor_number }})"
BODY = "Beste {{ debtor_name }},\n\nWilt u {{ total_open_amount }} vandaag nog betalen?\n"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_sends_the_next_reminder_with_the_edited_template(page, django_user_model, smtp_server):
    django_user_model.objects.create_user(
        username="dave", password=PASSWORD, is_staff=True, is_superuser=True
    )
    debtor = DebtorFactory(number="D-7001", name="Bakkerij Korrel", email="korrel@example.test")
    InvoiceFactory(debtor=debtor, number="F-7001")
    template = Template.objects.get(kind=Kind.REMINDER_1, channel=Channel.EMAIL, language="nl")
    with translation.override("nl"):
        saved = gettext("The template has been saved.")
        queued = gettext("Queued: %(kind)s (%(channel)s) to %(recipient)s.").split(":")[0]
        reminder = str(Kind.REMINDER_1.label)

    page.goto(f"{page.base}/backoffice/login/")
    page.fill("#id_username", "dave")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator("nav.nav")).to_be_visible()

    # Reword the reminder and watch the preview follow, for this debtor.
    page.goto(f"{page.base}/backoffice/settings/templates/{template.pk}/")
    page.fill("#id_debtor", "D-7001")
    page.fill("#id_subject", SUBJECT)
    page.fill("#id_body_text", BODY)
    page.locator("#id_body_text").press("End")
    preview = page.locator("#template-preview")
    expect(preview).to_contain_text("Nog open bij ons: 1 factuur/facturen (D-7001)")
    expect(preview).to_contain_text("Beste Bakkerij Korrel,")
    page.locator("button.button--primary[type=submit]").first.click()
    expect(page.locator(".message--success")).to_contain_text(saved)

    # An employee sends the next first reminder from the debtor's page.
    page.goto(f"{page.base}{debtor.get_absolute_url()}")
    form = page.locator("form.send-form")
    form.locator("select[name=kind]").select_option(Kind.REMINDER_1.value)
    form.locator("select[name=channel]").select_option(Channel.EMAIL.value)
    form.locator("button[type=submit]").click()
    expect(page.locator(".message--success")).to_contain_text(queued)
    expect(page.locator("main")).to_contain_text("Nog open bij ons: 1 factuur/facturen (D-7001)")
    expect(page.locator("main")).to_contain_text(reminder)

    # The worker delivers it over SMTP, worded as edited.
    assert messages_process_due() == 1
    message = Message.objects.get(debtor=debtor)
    assert message.status == MessageStatus.SENT
    [email] = smtp_server.inbox.emails
    assert email["Subject"] == "Nog open bij ons: 1 factuur/facturen (D-7001)"
    assert email["To"] == "korrel@example.test"
    assert "Wilt u €\xa0121,00 vandaag nog betalen?" in email.get_body(("plain",)).get_content()
