import pytest

from settle.common.errors import ApplicationError
from settle.responses.configuration import (
    FieldSettings,
    response_fields_update,
    response_type_update,
)
from settle.responses.models import ResponseField, ResponseType
from settle.responses.selectors import response_types_for_portal

pytestmark = pytest.mark.django_db


def settings_of(field: ResponseField, **changes) -> FieldSettings:
    values = {
        "label_nl": field.label_nl,
        "label_en": field.label_en,
        "visible": field.visible,
        "optional": field.optional,
        "position": field.position,
    }
    return FieldSettings(**{**values, **changes})


def update(response_type: ResponseType, **changes) -> ResponseType:
    values = {
        "name_nl": response_type.name_nl,
        "name_en": response_type.name_en,
        "external_action_id": response_type.external_action_id,
        "excludes_from_dunning": response_type.excludes_from_dunning,
        "enabled_in_portal": response_type.enabled_in_portal,
        "position": response_type.position,
    }
    return response_type_update(response_type=response_type, **{**values, **changes})


def test_it_changes_a_type_and_its_fields_together():
    paid = ResponseType.objects.get(code="already_paid")
    proof = paid.fields.get(key="proof")

    update(
        paid,
        name_en=" Paid already ",
        enabled_in_portal=False,
        fields={proof.pk: settings_of(proof, visible=False, position=1)},
    )

    paid.refresh_from_db()
    proof.refresh_from_db()
    assert paid.name_en == "Paid already"
    assert not paid.enabled_in_portal
    assert not proof.visible
    assert [field.key for field in paid.fields.all()] == ["proof", "payment_date", "amount"]
    assert paid not in response_types_for_portal()


def test_it_saves_nothing_when_a_field_is_wrong():
    paid = ResponseType.objects.get(code="already_paid")
    amount = paid.fields.get(key="amount")
    proof = paid.fields.get(key="proof")

    with pytest.raises(ApplicationError) as refusal:
        update(
            paid,
            name_en="Changed",
            fields={
                proof.pk: settings_of(proof, visible=False),
                amount.pk: settings_of(amount, label_en=" ", position=1000),
            },
        )

    assert {(error.field, error.index) for error in refusal.value.errors} == {
        ("label_en", amount.pk),
        ("position", amount.pk),
    }
    paid.refresh_from_db()
    proof.refresh_from_db()
    assert paid.name_en == "Already paid"
    assert proof.visible


def test_it_refuses_fields_of_another_type():
    promise = ResponseType.objects.get(code="promise")
    foreign = ResponseField.objects.get(response_type__code="complaint", key="text")

    with pytest.raises(ApplicationError) as refusal:
        response_fields_update(
            response_type=promise, fields={foreign.pk: settings_of(foreign, label_nl="Gekaapt")}
        )

    assert refusal.value.errors[0].index == foreign.pk
    foreign.refresh_from_db()
    assert foreign.label_nl == "Omschrijving van uw klacht"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name_nl": "  "}, "name_nl"),
        ({"name_en": "x" * 101}, "name_en"),
        ({"external_action_id": "x" * 51}, "external_action_id"),
        ({"position": -1}, "position"),
    ],
)
def test_it_refuses_a_type_with_a_wrong_value(changes, field):
    promise = ResponseType.objects.get(code="promise")

    with pytest.raises(ApplicationError) as refusal:
        update(promise, **changes)

    assert [error.field for error in refusal.value.errors] == [field]
    promise.refresh_from_db()
    assert promise.name_nl == "Ik ga betalen"


def test_it_changes_the_parameters_of_the_types_workflow():
    promise = ResponseType.objects.get(code="promise")

    update(
        promise,
        parameters={
            "promise_max_days": 14,
            "grace_days": 0,
            "on_broken": "resume",
            "notify_broken": False,
        },
    )

    promise.refresh_from_db()
    assert (promise.promise_max_days, promise.grace_days) == (14, 0)
    assert (promise.on_broken, promise.notify_broken) == ("resume", False)


@pytest.mark.parametrize(
    ("code", "parameters", "field"),
    [
        ("promise", {"promise_max_days": 0}, "promise_max_days"),
        ("promise", {"grace_days": 61}, "grace_days"),
        ("promise", {"grace_days": True}, "grace_days"),
        ("promise", {"on_broken": "forget"}, "on_broken"),
        ("promise", {"notify_broken": "yes"}, "notify_broken"),
        ("promise", {"task_due_days": 3}, "task_due_days"),
        ("complaint", {"grace_days": 3}, "grace_days"),
        ("complaint", {"task_due_days": 366}, "task_due_days"),
    ],
)
def test_it_refuses_a_parameter_out_of_range_or_of_another_workflow(code, parameters, field):
    response_type = ResponseType.objects.get(code=code)

    with pytest.raises(ApplicationError) as refused:
        update(response_type, name_en="Changed", parameters=parameters)

    assert [error.field for error in refused.value.errors] == [field]
    response_type.refresh_from_db()
    assert response_type.name_en != "Changed"


@pytest.mark.parametrize(
    ("code", "key"),
    [("promise", "promised_date"), ("arrangement", "instalments"), ("arrangement", "first_date")],
)
def test_it_refuses_to_hide_or_make_optional_a_field_the_workflow_needs(code, key):
    field = ResponseField.objects.get(response_type__code=code, key=key)

    with pytest.raises(ApplicationError) as refusal:
        response_fields_update(
            response_type=field.response_type,
            fields={field.pk: settings_of(field, visible=False, optional=True)},
        )

    assert {(error.field, error.index) for error in refusal.value.errors} == {
        ("visible", field.pk),
        ("optional", field.pk),
    }
    field.refresh_from_db()
    assert field.visible and not field.optional


def test_it_still_lets_a_copy_request_hide_its_address():
    """The copy goes to the debtor's own address when none is given: not a needed field."""
    email = ResponseField.objects.get(response_type__code="copy_request", key="email")

    response_fields_update(
        response_type=email.response_type, fields={email.pk: settings_of(email, optional=True)}
    )

    email.refresh_from_db()
    assert email.optional
