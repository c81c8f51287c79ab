"""Tampered and garbage input to the arrangement type's settings page, whose policy is saved
with the type in one go: whatever is posted, the answer is the page with the mistakes marked,
never a server error, and a refused save leaves the type, its fields and its policy as they
were."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from settle.arrangements.models import ArrangementPolicy
from settle.arrangements.policy import POLICY_LIMITS, policy_update
from settle.backoffice.tests.support import (
    HUGE,
    LONG,
    edit_url,
    form_data,
    short,
    shown_errors,
    type_named,
)
from settle.responses.models import ResponseField, ResponseType

pytestmark = pytest.mark.django_db

WHOLE_NUMBERS = [name for name, (low, _high) in POLICY_LIMITS.items() if isinstance(low, int)]
AMOUNTS = [name for name in POLICY_LIMITS if name not in WHOLE_NUMBERS]

# Refused in any policy input.
GARBAGE = [
    "abc",
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1e9",
    "1E2",
    "0x10",
    "½",
    "\x00",
    "1\x00",
    "-1",
    "",
    "   ",
    HUGE,
    "9" * 5000,
    LONG,
    ["5", "abc"],
]
GARBAGE_WHOLE_NUMBERS = ["1.5", "5,5", "١٢٠٠", "٣.٥"]
GARBAGE_AMOUNTS = ["12.345", "0,0001", "1.23456789", "100000000.01", "١٢", "--5", "5-"]


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def arrangement() -> ResponseType:
    return type_named("arrangement")


def as_stored(response_type: ResponseType) -> dict:
    """The type, its fields and its policy (None while it has none) as stored."""
    policy = ArrangementPolicy.objects.filter(response_type=response_type)
    return {
        "type": ResponseType.objects.filter(pk=response_type.pk).values().get(),
        "fields": list(
            ResponseField.objects.filter(response_type=response_type).order_by("pk").values()
        ),
        "policy": policy.values(*POLICY_LIMITS).first(),
    }


def refused(response) -> list[str]:
    assert response.status_code == 400, response.status_code
    html = response.content.decode()
    assert "Nothing was saved" in html
    errors = shown_errors(html)
    # More than the banner: the input at fault is marked with why.
    assert len(errors) > 1, errors
    return errors


@pytest.mark.parametrize(
    ("name", "value"),
    [(name, value) for name in POLICY_LIMITS for value in GARBAGE]
    + [(name, value) for name in WHOLE_NUMBERS for value in GARBAGE_WHOLE_NUMBERS]
    + [(name, value) for name in AMOUNTS for value in GARBAGE_AMOUNTS],
    ids=short,
)
def test_it_refuses_a_garbage_policy_value_and_saves_nothing(dave_client, arrangement, name, value):
    before = as_stored(arrangement)

    response = dave_client.post(
        edit_url(arrangement),
        form_data(arrangement, name_en="Pay in parts", **{f"policy-{name}": value}),
    )

    refused(response)
    assert as_stored(arrangement) == before


def test_it_refuses_a_policy_without_any_of_its_inputs(dave_client, arrangement):
    before = as_stored(arrangement)
    data = {
        key: value
        for key, value in form_data(arrangement, name_en="Pay in parts").items()
        if not key.startswith("policy-")
    }

    errors = refused(dave_client.post(edit_url(arrangement), data))

    assert errors.count("This field is required.") == len(POLICY_LIMITS)
    assert as_stored(arrangement) == before


def test_it_keeps_a_saved_policy_when_a_garbage_value_is_refused(dave_client, arrangement):
    policy_update(
        response_type=arrangement,
        max_instalments=9,
        min_instalment_amount=Decimal("10.00"),
        max_total_amount=Decimal("900.00"),
        max_days_to_first=14,
        max_duration_months=9,
        no_auto_accept_months=0,
    )
    before = as_stored(arrangement)

    response = dave_client.post(
        edit_url(arrangement),
        form_data(
            arrangement,
            **{"policy-max_instalments": "12", "policy-max_total_amount": "NaN"},
        ),
    )

    refused(response)
    assert as_stored(arrangement) == before


@pytest.mark.parametrize(
    "changes",
    [
        {"name_nl": "\x00"},
        {"name_en": LONG},
        {"position": "abc"},
        {"position": HUGE},
        {"external_action_id": "x\x00"},
        {"grace_days": "NaN"},
        {"grace_days": "-1"},
        {"on_broken": "explode"},
        {"on_broken": ["task", "\x00"]},
        {"field_instalments__position": "-1"},
        {"field_instalments__label_en": ""},
        {"field_first_date__label_nl": "\x00"},
    ],
    ids=short,
)
def test_it_saves_no_policy_when_another_input_of_the_page_is_garbage(
    dave_client, arrangement, changes
):
    before = as_stored(arrangement)

    response = dave_client.post(
        edit_url(arrangement),
        form_data(arrangement, **{"policy-max_instalments": "12"} | changes),
    )

    refused(response)
    assert as_stored(arrangement) == before


@pytest.mark.parametrize("bound", [0, 1], ids=["lowest", "highest"])
def test_it_saves_every_policy_value_at_its_limits(dave_client, arrangement, bound):
    values = {name: limits[bound] for name, limits in POLICY_LIMITS.items()}

    response = dave_client.post(
        edit_url(arrangement),
        form_data(arrangement, **{f"policy-{name}": str(v) for name, v in values.items()}),
    )

    assert response.status_code == 302
    assert as_stored(arrangement)["policy"] == values


def test_it_ignores_policy_inputs_posted_to_a_type_without_a_policy(dave_client):
    promise = type_named("promise")

    response = dave_client.post(
        edit_url(promise),
        form_data(promise, **{"policy-max_instalments": "NaN", "policy-max_total_amount": "1"}),
    )

    assert response.status_code == 302
    assert not ArrangementPolicy.objects.exists()


def test_it_ignores_inputs_for_the_fields_of_another_type(dave_client, arrangement):
    promise = type_named("promise")
    others = as_stored(promise)["fields"]
    smuggled = {}
    for field in promise.fields.all():
        smuggled[f"field-{field.pk}-label_en"] = "Hijacked"
        smuggled[f"field-{field.pk}-position"] = "abc"

    response = dave_client.post(edit_url(arrangement), form_data(arrangement) | smuggled)

    assert response.status_code == 302
    assert as_stored(promise)["fields"] == others


@pytest.mark.parametrize("pk", [0, 987_654, 2**63, int(HUGE)])
def test_it_answers_404_for_a_type_that_does_not_exist(dave_client, arrangement, pk):
    url = reverse("backoffice:response_type_edit", args=[pk])

    assert dave_client.get(url).status_code == 404
    assert dave_client.post(url, form_data(arrangement)).status_code == 404
    assert not ArrangementPolicy.objects.exists()


def test_it_keeps_an_employee_from_changing_the_policy(bob_client, arrangement):
    before = as_stored(arrangement)

    response = bob_client.post(
        edit_url(arrangement), form_data(arrangement, **{"policy-max_instalments": "120"})
    )

    assert response.status_code == 403
    assert as_stored(arrangement) == before
