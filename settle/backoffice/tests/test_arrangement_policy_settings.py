"""An administrator sets the arrangement policy on the arrangement type's settings page, and the
next proposal is judged by it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from settle.arrangements.models import ArrangementPolicy, ArrangementState, PaymentArrangement
from settle.backoffice.tests.support import edit_url, form_data, type_named
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.services import response_submit

DEFAULTS = {
    "max_instalments": 6,
    "min_instalment_amount": Decimal("25.00"),
    "max_total_amount": Decimal("5000.00"),
    "max_days_to_first": 30,
    "max_duration_months": 12,
    "no_auto_accept_months": 12,
}


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def stored_policy() -> dict:
    policy = ArrangementPolicy.objects.get(response_type=type_named("arrangement"))
    return {name: getattr(policy, name) for name in DEFAULTS}


def test_it_shows_the_defaults_without_writing_anything(dave_client):
    html = dave_client.get(edit_url(type_named("arrangement"))).content.decode()

    assert "Arrangement policy" in html
    assert 'name="policy-max_instalments" value="6"' in html
    assert 'name="policy-max_total_amount" value="5000.00"' in html
    assert not ArrangementPolicy.objects.exists()


def test_it_shows_amounts_with_a_decimal_comma_in_dutch(dave_client):
    dave_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"

    html = dave_client.get(edit_url(type_named("arrangement"))).content.decode()

    assert "Beleid voor betalingsregelingen" in html
    assert 'name="policy-min_instalment_amount" value="25,00"' in html


def test_it_offers_the_policy_on_the_arrangement_type_only(dave_client):
    html = dave_client.get(edit_url(type_named("promise"))).content.decode()

    assert "policy-max_instalments" not in html


def test_it_saves_the_policy_with_the_type(dave_client):
    arrangement = type_named("arrangement")

    response = dave_client.post(
        edit_url(arrangement),
        form_data(
            arrangement,
            name_en="Pay in parts",
            **{
                "policy-max_instalments": "10",
                "policy-min_instalment_amount": "12,50",
                "policy-max_total_amount": "750",
                "policy-no_auto_accept_months": "0",
            },
        ),
    )

    assert response.status_code == 302
    assert stored_policy() == DEFAULTS | {
        "max_instalments": 10,
        "min_instalment_amount": Decimal("12.50"),
        "max_total_amount": Decimal("750.00"),
        "no_auto_accept_months": 0,
    }
    arrangement.refresh_from_db()
    assert arrangement.name_en == "Pay in parts"
    page = dave_client.get(edit_url(arrangement)).content.decode()
    assert 'name="policy-max_instalments" value="10"' in page


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("max_instalments", "0", "Ensure this value is greater than or equal to 1."),
        ("max_instalments", "121", "Ensure this value is less than or equal to 120."),
        ("min_instalment_amount", "-5", "Ensure this value is greater than or equal to 0.00."),
        ("min_instalment_amount", "12.345", "Ensure that there are no more than 2 decimal"),
        ("max_total_amount", "lots", "Enter a number."),
        ("max_total_amount", "0", "Ensure this value is greater than or equal to 0.01."),
        ("max_days_to_first", "", "This field is required."),
        ("max_duration_months", "1.5", "Enter a whole number."),
    ],
)
def test_it_refuses_a_value_out_of_range_and_saves_nothing(dave_client, name, value, message):
    arrangement = type_named("arrangement")

    response = dave_client.post(
        edit_url(arrangement),
        form_data(arrangement, name_en="Pay in parts", **{f"policy-{name}": value}),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Nothing was saved" in html
    arrangement.refresh_from_db()
    assert arrangement.name_en != "Pay in parts"
    assert not ArrangementPolicy.objects.exists()


def test_it_keeps_the_policy_when_the_type_is_refused(dave_client):
    arrangement = type_named("arrangement")

    response = dave_client.post(
        edit_url(arrangement),
        form_data(arrangement, name_en="", **{"policy-max_instalments": "9"}),
    )

    assert response.status_code == 400
    assert not ArrangementPolicy.objects.exists()


def propose(debtor, amount: str, instalments: int, key: str) -> PaymentArrangement:
    invoice = InvoiceFactory(debtor=debtor, amount=Decimal(amount), open_amount=Decimal(amount))
    first = timezone.localdate() + timedelta(days=7)
    response = response_submit(
        debtor=debtor,
        response_type=type_named("arrangement"),
        invoices=[invoice],
        values={"instalments": instalments, "first_date": first.isoformat()},
        submission_key=key,
    )
    return PaymentArrangement.objects.get(response=response)


def test_it_judges_the_next_proposal_by_the_saved_policy(dave_client, alice, carol):
    before = propose(alice, "900.00", 8, "before")
    assert before.state == ArrangementState.UNDER_REVIEW

    arrangement = type_named("arrangement")
    dave_client.post(
        edit_url(arrangement), form_data(arrangement, **{"policy-max_instalments": "8"})
    )
    after = propose(carol, "900.00", 8, "after")

    assert after.state == ArrangementState.ACCEPTED
    before.refresh_from_db()
    assert before.state == ArrangementState.UNDER_REVIEW
