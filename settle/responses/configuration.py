"""Configuring response types: what the administrator changes under Portal settings.

A change takes effect at the next page a debtor opens: the portal reads the types and their
fields on every request, so there is nothing to reload.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError, FieldError
from settle.responses.models import OnBroken, ResponseField, ResponseType, WorkflowKind

MAX_POSITION = 999
NAME_LENGTH = ResponseType._meta.get_field("name_nl").max_length
ACTION_ID_LENGTH = ResponseType._meta.get_field("external_action_id").max_length
LABEL_LENGTH = ResponseField._meta.get_field("label_nl").max_length

# The workflow parameters of a response type, with the range of whole numbers each allows.
PARAMETER_RANGES = {
    "promise_max_days": (1, 365),
    "grace_days": (0, 60),
    "task_due_days": (0, 365),
}
_TASK_PARAMETERS = ("task_due_days",)
# Which parameters each workflow uses; the edit page shows only these. `grace_days` and
# `on_broken` also steer the instalment checks of a payment arrangement, `task_due_days` the
# review of a proposal outside its policy.
WORKFLOW_PARAMETERS: dict[str, tuple[str, ...]] = {
    WorkflowKind.PROMISE: ("promise_max_days", "grace_days", "on_broken", "notify_broken"),
    WorkflowKind.ARRANGEMENT: ("grace_days", "on_broken", "task_due_days"),
    WorkflowKind.COMPLAINT: _TASK_PARAMETERS,
    WorkflowKind.ALREADY_PAID: _TASK_PARAMETERS,
    WorkflowKind.UNKNOWN_INVOICE: _TASK_PARAMETERS,
    WorkflowKind.NOT_APPROVED: _TASK_PARAMETERS,
    WorkflowKind.COPY_REQUEST: _TASK_PARAMETERS,
}


# The fields each workflow cannot do without: a promise needs its date, an arrangement the
# number of instalments and the first date (without them no schedule can be built and the
# proposal could never be accepted). They stay visible and required. A copy request needs no
# address: it falls back to the debtor's own.
WORKFLOW_REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    WorkflowKind.PROMISE: ("promised_date",),
    WorkflowKind.ARRANGEMENT: ("instalments", "first_date"),
}


def field_needed_by_workflow(field: ResponseField, *, workflow: str) -> bool:
    """Whether `field` is one its type's workflow needs, so it cannot be hidden or optional."""
    return field.key in WORKFLOW_REQUIRED_FIELDS.get(workflow, ())


@dataclass(frozen=True)
class FieldSettings:
    """What an administrator may change about one field; its key and kind stay as they are."""

    label_nl: str
    label_en: str
    visible: bool
    optional: bool
    position: int


def _text_errors(values: Mapping[str, str], *, limit: int, index: int | None = None):
    errors = []
    for name, value in values.items():
        if not value:
            errors.append(FieldError(name, _("This field is required."), index))
        elif len(value) > limit:
            errors.append(
                FieldError(name, _("Use at most %(limit)d characters.") % {"limit": limit}, index)
            )
    return errors


def _position_errors(position: int, *, index: int | None = None) -> list[FieldError]:
    if not 0 <= position <= MAX_POSITION:
        message = _("Use a number from 0 to %(max)d.") % {"max": MAX_POSITION}
        return [FieldError("position", message, index)]
    return []


def _parameter_errors(parameters: Mapping[str, Any], *, workflow: str) -> list[FieldError]:
    allowed = WORKFLOW_PARAMETERS.get(workflow, ())
    errors = []
    for name, value in parameters.items():
        if name not in allowed:
            errors.append(FieldError(name, _("This setting does not apply to this workflow.")))
        elif name in PARAMETER_RANGES:
            low, high = PARAMETER_RANGES[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                message = _("Use a whole number from %(low)d to %(high)d.") % {
                    "low": low,
                    "high": high,
                }
                errors.append(FieldError(name, message))
        elif name == "on_broken" and value not in OnBroken.values:
            errors.append(FieldError(name, _("Choose one of the options.")))
        elif name == "notify_broken" and not isinstance(value, bool):
            errors.append(FieldError(name, _("Choose yes or no.")))
    return errors


def response_fields_update(
    *, response_type: ResponseType, fields: Mapping[int, FieldSettings]
) -> list[ResponseField]:
    """Apply `fields` (by field id) to the fields of `response_type`, all or nothing.

    Every id must be one of this type's fields; `FieldError.index` is that id. A field the
    type's workflow needs (WORKFLOW_REQUIRED_FIELDS) cannot be hidden or made optional. Fields
    not in `fields` keep their settings. Returns the type's fields in their new order.
    """
    with transaction.atomic():
        current = {
            field.pk: field
            for field in ResponseField.objects.select_for_update().filter(
                response_type=response_type
            )
        }
        errors = []
        for pk, new in fields.items():
            if pk not in current:
                errors.append(FieldError("id", _("This field does not belong to this type."), pk))
                continue
            labels = {"label_nl": new.label_nl.strip(), "label_en": new.label_en.strip()}
            errors += _text_errors(labels, limit=LABEL_LENGTH, index=pk)
            if field_needed_by_workflow(current[pk], workflow=response_type.workflow):
                message = _("The workflow needs this field: it stays visible and required.")
                if not new.visible:
                    errors.append(FieldError("visible", message, pk))
                if new.optional:
                    errors.append(FieldError("optional", message, pk))
            errors += _position_errors(new.position, index=pk)
        if errors:
            raise ApplicationError(_("The fields could not be saved."), errors=errors)
        changed = []
        for pk, new in fields.items():
            field = current[pk]
            field.label_nl = new.label_nl.strip()
            field.label_en = new.label_en.strip()
            field.visible = new.visible
            field.optional = new.optional
            field.position = new.position
            changed.append(field)
        ResponseField.objects.bulk_update(
            changed, ["label_nl", "label_en", "visible", "optional", "position"]
        )
    return list(ResponseField.objects.filter(response_type=response_type))


def response_type_update(
    *,
    response_type: ResponseType,
    name_nl: str,
    name_en: str,
    external_action_id: str,
    excludes_from_dunning: bool,
    enabled_in_portal: bool,
    position: int,
    fields: Mapping[int, FieldSettings] | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> ResponseType:
    """Change a response type and, if given, its fields and workflow parameters (by name, only
    those of `WORKFLOW_PARAMETERS` for its workflow), in one transaction: nothing is saved
    unless everything is valid.

    Exclusion from dunning is judged when dunning asks, so changing it applies at once to the
    type's open responses too. Workflow parameters apply to new responses only: a running
    workflow keeps the values it started with.
    """
    parameters = dict(parameters or {})
    name_nl, name_en = name_nl.strip(), name_en.strip()
    external_action_id = external_action_id.strip()
    errors = _text_errors({"name_nl": name_nl, "name_en": name_en}, limit=NAME_LENGTH)
    if len(external_action_id) > ACTION_ID_LENGTH:
        errors += _text_errors({"external_action_id": external_action_id}, limit=ACTION_ID_LENGTH)
    errors += _position_errors(position)
    errors += _parameter_errors(parameters, workflow=response_type.workflow)
    if errors:
        raise ApplicationError(_("The response type could not be saved."), errors=errors)
    with transaction.atomic():
        locked = ResponseType.objects.select_for_update().get(pk=response_type.pk)
        locked.name_nl = name_nl
        locked.name_en = name_en
        locked.external_action_id = external_action_id
        locked.excludes_from_dunning = excludes_from_dunning
        locked.enabled_in_portal = enabled_in_portal
        locked.position = position
        for name, value in parameters.items():
            setattr(locked, name, value)
        locked.save()
        if fields:
            response_fields_update(response_type=locked, fields=fields)
    response_type.refresh_from_db()
    return response_type
