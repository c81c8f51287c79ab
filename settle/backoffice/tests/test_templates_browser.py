import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Template
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

PASSWORD = "correct-horse-battery-staple"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_previews_a_template_live_in_a_styled_sandboxed_frame(page, django_user_model):
    django_user_model.objects.create_user(
        username="dave", password=PASSWORD, is_staff=True, is_superuser=True
    )
    debtor = DebtorFactory(number="D-9001", name="Drukkerij Letterzetter")
    InvoiceFactory(debtor=debtor, number="F-9001")
    template = Template.objects.get(
        kind=Kind.PORTAL_INVITATION, channel=Channel.EMAIL, language="nl"
    )
    refusals = []
    page.on(
        "console",
        lambda message: (
            refusals.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(f"{page.base}/backoffice/login/")
    page.fill("#id_username", "dave")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator("nav.nav")).to_be_visible()
    page.goto(f"{page.base}/backoffice/settings/templates/{template.pk}/")

    # The preview loads by itself, with sample data, its HTML styled by its own inline styles.
    preview = page.locator("#template-preview")
    with translation.override("nl"):
        sample, line_2 = gettext("With sample data."), gettext("Line %(line)d: %(reason)s")
    expect(preview).to_contain_text(sample)
    frame = page.frame_locator("#template-preview iframe")
    expect(frame.locator("body")).to_contain_text("portaal")
    expect(frame.locator("body")).to_have_css("padding-top", "24px")

    # Typing updates it once typing pauses; a debtor number swaps in that debtor's data.
    page.fill("#id_subject", "Live {{ debtor_number }}")
    page.locator("#id_subject").press("End")
    expect(preview).to_contain_text("Live D-0001")
    page.fill("#id_debtor", "D-9001")
    page.locator("#id_debtor").press("Tab")
    expect(preview).to_contain_text("Live D-9001")
    expect(frame.locator("body")).to_contain_text("F-9001")

    # A mistake shows in the preview; nothing is saved until Save.
    page.fill("#id_body_text", "Beste {{ debtor_name }},\n{{ debtor_nmae }}")
    page.locator("#id_body_text").press("End")
    line_2 = line_2.split("%")[0] + "2: "
    expect(preview).to_contain_text(re.compile(re.escape(line_2) + ".*debtor_nmae"))
    template.refresh_from_db()
    assert "debtor_nmae" not in template.body_text
    assert refusals == []
