"""A debtor's response as the back office shows it: its values labelled by its type's fields,
typed for the template to format, and its attachments with the labels of their fields."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from settle.responses.models import FieldKind, Response, ResponseAttachment


@dataclass(frozen=True)
class ShownValue:
    label: str
    kind: str
    value: object


def _shown(label: str, kind: str, value: object) -> ShownValue:
    """A stored value in the type the template formats (a date, an amount); a value that does
    not read as its kind is shown as plain text rather than dropped."""
    try:
        if kind == FieldKind.DATE and isinstance(value, str):
            return ShownValue(label, kind, date.fromisoformat(value))
        if kind == FieldKind.AMOUNT and isinstance(value, str | int):
            return ShownValue(label, kind, Decimal(value))
    except (ValueError, InvalidOperation):
        pass
    return ShownValue(label, FieldKind.TEXT, value)


def shown_values(response: Response) -> list[ShownValue]:
    """The response's values labelled by its type's fields (prefetched), in the fields' order;
    a value whose field is gone since is still shown, under its key."""
    values = dict(response.values or {})
    rows = [
        _shown(field.label, field.kind, values.pop(field.key))
        for field in response.response_type.fields.all()
        if field.key in values
    ]
    rows += [ShownValue(key, FieldKind.TEXT, value) for key, value in values.items()]
    return rows


def shown_attachments(response: Response) -> list[tuple[ResponseAttachment, str]]:
    """Each attachment (prefetched) with the label of the field it was uploaded in."""
    labels = {field.key: field.label for field in response.response_type.fields.all()}
    return [
        (attachment, labels.get(attachment.field_key, attachment.field_key))
        for attachment in response.attachments.all()
    ]
