"""The arrangement form's hint: what the entered number of instalments and first date come to,
and whether the proposal is accepted at once or reviewed; by htmx while typing, and by the
"Calculate" button without JavaScript. The hint and the saved proposal follow one rule."""

import re
import secrets
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from settle.arrangements.models import ArrangementState, PaymentArrangement
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.models import Response

pytestmark = pytest.mark.django_db

RESPOND = reverse("portal:respond")
HINT = reverse("portal:respond_hint")
ACCEPTED = "This proposal is within our rules: it is accepted as soon as you save."
REVIEWED = "An employee will review this proposal, because:"


def day(offset: int) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


def form_data(invoices, count: str, first: str, **extra) -> dict:
    return {
        "invoice": [str(invoice.pk) for invoice in invoices],
        "type": "arrangement",
        "submission_key": secrets.token_urlsafe(24),
        "f_instalments": count,
        "f_first_date": first,
        **extra,
    }


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def invoice(carol):
    return InvoiceFactory(debtor=carol, amount=Decimal("300.00"))


def test_it_asks_htmx_for_a_hint_from_the_two_inputs(carol_portal, invoice):
    page = carol_portal.get(RESPOND, {"invoice": invoice.pk, "type": "arrangement"})
    html = page.content.decode()

    for name in ("f_instalments", "f_first_date"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert f'hx-post="{HINT}"' in tag and 'hx-target="#form-hint"' in tag
    assert 'id="form-hint" aria-live="polite"' in html
    assert "Fill in the number of instalments and the first date" in html
    assert 'name="calculate"' in html


def test_it_gives_no_hint_to_other_response_types(carol_portal, invoice):
    html = carol_portal.get(RESPOND, {"invoice": invoice.pk, "type": "complaint"}).content
    assert b'id="form-hint"' not in html and b'name="calculate"' not in html


def test_it_answers_htmx_with_the_amount_and_an_acceptance(carol_portal, invoice):
    partial = carol_portal.post(HINT, form_data([invoice], "3", day(5)), HTTP_HX_REQUEST="true")

    assert partial.status_code == 200
    shown = text(partial.content.decode())
    assert "3 instalments of €100.00" in shown
    assert ACCEPTED in shown
    assert "<html" not in partial.content.decode()
    assert not Response.objects.exists()


def test_it_names_the_rules_a_proposal_fails_and_the_uneven_last_instalment(carol_portal, carol):
    invoice = InvoiceFactory(debtor=carol, amount=Decimal("100.00"))

    partial = carol_portal.post(HINT, form_data([invoice], "7", day(5)), HTTP_HX_REQUEST="true")

    shown = text(partial.content.decode())
    assert "7 instalments of €14.28 (the last one €14.32)" in shown
    assert REVIEWED in shown
    assert "More than 6 instalments" in shown
    assert "An instalment below €25.00" in shown


def test_it_asks_for_both_values_until_both_are_there(carol_portal, invoice):
    partial = carol_portal.post(HINT, form_data([invoice], "3", "not a date"))

    assert "Fill in the number of instalments and the first date" in partial.content.decode()


def test_it_says_nothing_about_invoices_of_someone_else(carol_portal, alice):
    theirs = InvoiceFactory(debtor=alice, amount=Decimal("300.00"))

    partial = carol_portal.post(HINT, form_data([theirs], "3", day(5)))

    assert partial.status_code == 200
    assert partial.content.decode().strip() == ""


def test_it_refuses_a_get_and_a_visitor_without_a_session(client, carol_portal, invoice):
    assert carol_portal.get(HINT).status_code == 405
    carol_portal.cookies.clear()
    assert carol_portal.post(HINT, form_data([invoice], "3", day(5))).status_code in (302, 403)


def test_it_calculates_without_javascript_and_saves_nothing(carol_portal, invoice):
    page = carol_portal.post(RESPOND, form_data([invoice], "3", day(5), calculate="1"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "3 instalments of €100.00" in text(html)
    assert ACCEPTED in html
    assert 'value="3"' in html  # what was typed stays
    assert "has not been saved yet" not in html
    assert not Response.objects.exists()


def test_it_calculates_without_javascript_before_the_rest_is_filled_in(carol_portal, invoice):
    page = carol_portal.post(RESPOND, form_data([invoice], "", "", calculate="1"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Fill in the number of instalments and the first date" in html
    assert "This field is required." not in html


@pytest.mark.parametrize(
    ("count", "state", "verdict"),
    [("3", ArrangementState.ACCEPTED, ACCEPTED), ("7", ArrangementState.UNDER_REVIEW, REVIEWED)],
)
def test_it_foretells_what_saving_does(carol_portal, invoice, count, state, verdict):
    hint = carol_portal.post(HINT, form_data([invoice], count, day(5))).content.decode()
    assert verdict in hint

    saved = carol_portal.post(RESPOND, form_data([invoice], count, day(5)))

    assert saved.status_code == 302
    assert PaymentArrangement.objects.get().state == state
