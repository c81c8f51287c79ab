"""The form a debtor fills in for a response type, built from the type's configured fields."""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from settle.responses.models import DateRule, FieldKind, ResponseField, ResponseType
from settle.responses.uploads import validate_upload

MAX_TEXT = 2000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_validator(rule: str):
    def check(value: date) -> None:
        today = timezone.localdate()
        if rule == DateRule.TODAY_OR_LATER and value < today:
            raise ValidationError(_("Choose today or a later date."), code="past")
        if rule == DateRule.TODAY_OR_EARLIER and value > today:
            raise ValidationError(_("Choose today or an earlier date."), code="future")

    return check


def _upload_validator(upload) -> None:
    validate_upload(upload)


def _form_field(field: ResponseField, *, initial_email: str) -> forms.Field:
    common = {"label": field.label, "required": not field.optional}
    kind = field.kind
    if kind == FieldKind.TEXT:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_TEXT, **common
        )
    if kind == FieldKind.DATE:
        return forms.DateField(
            widget=DateInput(),
            input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
            validators=[_date_validator(field.date_rule)],
            **common,
        )
    if kind == FieldKind.AMOUNT:
        return forms.DecimalField(
            max_digits=12,
            decimal_places=2,
            min_value=Decimal("0.01"),
            localize=True,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            **common,
        )
    if kind == FieldKind.INTEGER:
        return forms.IntegerField(min_value=1, max_value=120, **common)
    if kind == FieldKind.CHOICE:
        lang_en = (get_language() or "nl").startswith("en")
        choices = [
            (c.get("value", ""), c.get("label_en" if lang_en else "label_nl") or c.get("value"))
            for c in field.choices or []
        ]
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if kind == FieldKind.EMAIL:
        return forms.EmailField(initial=initial_email or None, **common)
    if kind == FieldKind.FILE:
        return forms.FileField(
            validators=[_upload_validator],
            widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
            **common,
        )
    raise ValueError(f"unknown field kind {kind}")


class ResponseForm(forms.Form):
    """Fields are added per response type; hidden fields are not in the form at all."""

    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, response_type: ResponseType, initial_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.response_type = response_type
        self.config = [f for f in response_type.fields.all() if f.visible]
        for field in self.config:
            self.fields[f"f_{field.key}"] = _form_field(field, initial_email=initial_email)

    def values(self) -> dict:
        """The entered values, JSON-safe, by field key (files are handled separately)."""
        result = {}
        for field in self.config:
            value = self.cleaned_data.get(f"f_{field.key}")
            if field.kind == FieldKind.FILE or value in (None, ""):
                continue
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            result[field.key] = value
        return result

    def files_by_key(self) -> dict:
        return {
            field.key: self.cleaned_data[f"f_{field.key}"]
            for field in self.config
            if field.kind == FieldKind.FILE and self.cleaned_data.get(f"f_{field.key}")
        }
