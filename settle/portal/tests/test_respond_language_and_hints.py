"""The response page says a date field's limit before the debtor submits, and switching the
language on a page with errors stays on it with what was typed."""

import html
import re
import secrets
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.models import Response, ResponseType

pytestmark = pytest.mark.django_db

RESPOND = reverse("portal:respond")
HOME = reverse("portal:home")


def _switch_to(page) -> str:
    """Where the page's language switch returns to."""
    found = re.search(
        r'<form class="lang".*?name="next" value="([^"]*)"', page.content.decode(), re.S
    )
    assert found, "no language switch on the page"
    return html.unescape(found.group(1))


def _input(page, name: str) -> str:
    found = re.search(rf"<(?:input|textarea)[^>]*name=\"{name}\"[^>]*>", page.content.decode())
    assert found, name
    return found.group(0)


def test_it_says_how_far_ahead_a_promised_date_may_be_before_submitting(alice_portal, alice):
    invoice = InvoiceFactory(debtor=alice)
    promise = ResponseType.objects.get(code="promise")
    promise.promise_max_days = 30
    promise.save()
    latest = timezone.localdate() + timedelta(days=30)

    page = alice_portal.get(RESPOND, {"invoice": invoice.pk, "type": "promise"})

    with override("nl"):
        hint = f"Hoogstens 30 dagen na vandaag: {date_format(latest, 'j F Y')} of eerder."
    content = page.content.decode()
    assert f'<p class="hint" id="id_f_promised_date_helptext">{hint}</p>' in content
    date_input = _input(page, "f_promised_date")
    assert 'aria-describedby="id_f_promised_date_helptext"' in date_input
    assert f'max="{latest.isoformat()}"' in date_input
    assert f'min="{timezone.localdate().isoformat()}"' in date_input


def test_it_names_the_date_rule_of_other_date_fields(carol_portal, carol):
    invoice = InvoiceFactory(debtor=carol)

    page = carol_portal.get(RESPOND, {"invoice": invoice.pk, "type": "already_paid"})

    assert '<p class="hint" id="id_f_payment_date_helptext">Today or earlier</p>' in (
        page.content.decode()
    )
    assert 'aria-describedby="id_f_payment_date_helptext"' in _input(page, "f_payment_date")


def test_it_stays_on_the_page_with_what_was_typed_when_the_language_is_switched(
    alice_portal, alice
):
    invoices = [InvoiceFactory(debtor=alice) for _ in range(2)]
    key = secrets.token_urlsafe(24)
    page = alice_portal.post(
        RESPOND,
        {
            "invoice": [str(invoice.pk) for invoice in invoices],
            "type": "not_approved",
            "submission_key": key,
            "f_expected_approval_date": "not a date",
            "f_text": "Ligt bij de afdeling <inkoop>.",
        },
    )
    assert page.status_code == 200
    assert 'aria-invalid="true"' in _input(page, "f_expected_approval_date")

    switched = alice_portal.post(
        reverse("set_language"), {"language": "en", "next": _switch_to(page)}
    )
    assert switched.status_code == 302
    assert switched["Location"].startswith(RESPOND + "?")
    shown = alice_portal.get(switched["Location"])

    content = shown.content.decode()
    assert shown.status_code == 200
    assert '<html lang="en">' in content
    # The same invoices, the same type, the typed values and their errors, now in English.
    for invoice in invoices:
        assert f'<input type="hidden" name="invoice" value="{invoice.pk}">' in content
    assert 'id="type-not_approved" checked' in content or (
        'value="not_approved" id="type-not_approved" checked' in content
    )
    assert "Ligt bij de afdeling &lt;inkoop&gt;." in content
    assert 'value="not a date"' in _input(shown, "f_expected_approval_date")
    assert "Enter a valid date." in content
    # The same one-time key: a save from here is still the same response.
    assert f'name="submission_key" value="{key}"' in content
    # Saving from the switched page works and forgets the draft.
    saved = alice_portal.post(
        RESPOND,
        {
            "invoice": [str(invoice.pk) for invoice in invoices],
            "type": "not_approved",
            "submission_key": key,
            "f_expected_approval_date": (timezone.localdate() + timedelta(days=5)).isoformat(),
            "f_text": "Ligt bij de afdeling inkoop.",
        },
    )
    assert saved.status_code == 302 and saved["Location"] == HOME
    assert Response.objects.filter(debtor=alice).count() == 1
    again = alice_portal.get(switched["Location"])
    assert "Ligt bij de afdeling" not in again.content.decode()


def test_it_keeps_no_draft_for_another_debtor_or_type(alice_portal, alice):
    invoice = InvoiceFactory(debtor=alice)
    alice_portal.post(
        RESPOND,
        {
            "invoice": [str(invoice.pk)],
            "type": "not_approved",
            "submission_key": secrets.token_urlsafe(24),
            "f_text": "Eerste versie",
        },
    )

    other_type = alice_portal.get(RESPOND, {"invoice": invoice.pk, "type": "complaint", "draft": 1})

    assert "Eerste versie" not in other_type.content.decode()
    assert "errorlist" not in other_type.content.decode()
