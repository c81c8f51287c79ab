"""Configuring response types: what the administrator changes under Portal settings.

A change takes effect at the next page a debtor opens: the portal reads the types and their
fields on every request, so there is nothing to reload.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError, FieldError
from settle.responses.models import ResponseField, ResponseType

MAX_POSITION = 999
NAME_LENGTH = ResponseType._meta.get_field("name_nl").max_length
ACTION_ID_LENGTH = ResponseType._meta.get_field("external_action_id").max_length
LABEL_LENGTH = ResponseField._meta.get_field("label_nl").max_length


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


def response_fields_update(
    *, response_type: ResponseType, fields: Mapping[int, FieldSettings]
) -> list[ResponseField]:
    """Apply `fields` (by field id) to the fields of `response_type`, all or nothing.

    Every id must be one of this type's fields; `FieldError.index` is that id. Fields not in
    `fields` keep their settings. Returns the type's fields in their new order.
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
) -> ResponseType:
    """Change a response type and, if given, its fields, in one transaction: nothing is saved
    unless everything is valid.

    Exclusion from dunning is judged when dunning asks, so changing it applies at once to the
    type's open responses too.
    """
    name_nl, name_en = name_nl.strip(), name_en.strip()
    external_action_id = external_action_id.strip()
    errors = _text_errors({"name_nl": name_nl, "name_en": name_en}, limit=NAME_LENGTH)
    if len(external_action_id) > ACTION_ID_LENGTH:
        errors += _text_errors({"external_action_id": external_action_id}, limit=ACTION_ID_LENGTH)
    errors += _position_errors(position)
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
        locked.save()
        if fields:
            response_fields_update(response_type=locked, fields=fields)
    response_type.refresh_from_db()
    return response_type
