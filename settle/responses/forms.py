"""The form a debtor fills in for a response type, built from the type's configured fields."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from settle.common.languages import in_language
from settle.responses.models import (
    DateRule,
    FieldKind,
    ResponseField,
    ResponseType,
    WorkflowKind,
)
from settle.responses.promises import promise_date_check
from settle.responses.uploads import ACCEPT, validate_upload

MAX_TEXT = 2000
MAX_INSTALMENTS = 120
# Longer than any amount a person types; anything longer is refused before it is parsed.
MAX_AMOUNT_CHARS = 30
_GROUPED = {",": re.compile(r"\d{1,3}(,\d{3})+"), ".": re.compile(r"\d{1,3}(\.\d{3})+")}


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


def _promise_date_validator(response_type: ResponseType):
    def check(value: date) -> None:
        promise_date_check(response_type=response_type, promised=value)

    return check


def amount_text_normalise(text: str, *, dutch: bool) -> str | None:
    """Turn an amount as people type it into "1234.56", or None if it cannot be read.

    Both "12,50" and "12.50" mean twelve fifty whatever the language, and grouped thousands
    ("1.234,56", "1,234.56") are understood; a lone separator followed by exactly three digits
    ("1.250") is a thousands separator in the notation of the language (Dutch: ".", English: ",").
    """
    text = text.replace("\xa0", "").replace(" ", "").replace("€", "")
    if not text or len(text) > MAX_AMOUNT_CHARS:
        return None
    sign = ""
    if text[0] in "+-":
        sign, text = ("-" if text[0] == "-" else ""), text[1:]
    if not re.fullmatch(r"[0-9.,]+", text) or not text[0].isdigit():
        return None
    separators = [s for s in ",." if s in text]
    if len(separators) == 2:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        whole, _sep, cents = text.rpartition(decimal_sep)
        if thousands in cents or not _GROUPED[thousands].fullmatch(whole):
            return None
        return f"{sign}{whole.replace(thousands, '')}.{cents}"
    if not separators:
        return sign + text
    sep = separators[0]
    if text.count(sep) > 1:
        return sign + text.replace(sep, "") if _GROUPED[sep].fullmatch(text) else None
    whole, _sep, cents = text.partition(sep)
    local_thousands = "." if dutch else ","
    if sep == local_thousands and len(cents) == 3:
        return sign + whole + cents
    return f"{sign}{whole}.{cents}"


class AmountField(forms.DecimalField):
    """An amount in euros, typed with a decimal comma or point, and shown with the decimal
    comma on a Dutch page (where "13.875" would read as thirteen thousand)."""

    def prepare_value(self, value):
        if isinstance(value, Decimal) and (get_language() or "nl").startswith("nl"):
            return str(value).replace(".", ",")
        return super().prepare_value(value)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        dutch = (get_language() or "nl").startswith("nl")
        normalised = amount_text_normalise(str(value).strip(), dutch=dutch)
        if normalised is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(normalised)


def email_masked(address: str) -> str:
    """An e-mail address as the portal may show it: the first letter of the local part, bullets,
    and the full domain ("j•••@example.nl"), so that a debtor recognises their address while
    someone else holding the link learns nothing usable from it."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        return "•••"
    return f"{local[0]}•••@{domain}"


def _form_field(field: ResponseField, *, email_on_file: str) -> forms.Field:
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
            # Said before the debtor submits, not only in the error after (WCAG 3.3.2).
            help_text="" if field.date_rule == DateRule.ANY else DateRule(field.date_rule).label,
            **common,
        )
    if kind == FieldKind.AMOUNT:
        return AmountField(
            max_digits=12,
            decimal_places=2,
            min_value=Decimal("0.01"),
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            **common,
        )
    if kind == FieldKind.INTEGER:
        return forms.IntegerField(
            min_value=1,
            max_value=MAX_INSTALMENTS,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    if kind == FieldKind.CHOICE:
        label = in_language("label_nl", "label_en")
        choices = [
            (c.get("value", ""), c.get(label) or c.get("value")) for c in field.choices or []
        ]
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if kind == FieldKind.EMAIL:
        # Whoever holds the link sees this page: the address on file is shown masked, never
        # put in the input, and is used when the debtor leaves the field empty.
        if email_on_file:
            common["required"] = False
            common["help_text"] = _(
                "Leave this empty to use %(address)s, the address we have on file, or type "
                "another address."
            ) % {"address": email_masked(email_on_file)}
        return forms.EmailField(
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            **common,
        )
    if kind == FieldKind.FILE:
        return forms.FileField(
            help_text=_("PDF, JPEG or PNG, at most 10 MB."),
            validators=[validate_upload],
            widget=forms.FileInput(attrs={"accept": ACCEPT}),
            **common,
        )
    raise ValueError(f"unknown field kind {kind}")


@dataclass(frozen=True)
class FormEntry:
    """A bound field with the configuration that made it, for the template."""

    field: forms.BoundField
    config: ResponseField

    @property
    def kind(self) -> str:
        return self.config.kind

    @property
    def optional(self) -> bool:
        return self.config.optional


class ResponseForm(forms.Form):
    """Fields are added per response type; hidden fields are not in the form at all."""

    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, response_type: ResponseType, email_on_file: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.response_type = response_type
        self.config = [f for f in response_type.fields.all() if f.visible]
        for field in self.config:
            self.fields[f"f_{field.key}"] = _form_field(field, email_on_file=email_on_file)
        promised = self.fields.get("f_promised_date")
        if response_type.workflow == WorkflowKind.PROMISE and isinstance(promised, forms.DateField):
            # The promise's own window (today up to the type's maximum) replaces the date rule,
            # and the hint names it, so the debtor knows the limit before submitting.
            promised.validators = [_promise_date_validator(response_type)]
            today = timezone.localdate()
            latest = today + timedelta(days=response_type.promise_max_days)
            promised.help_text = _("At most %(days)d days from today: %(date)s or earlier.") % {
                "days": response_type.promise_max_days,
                "date": date_format(latest, "j F Y"),
            }
            promised.widget.attrs.update(min=today.isoformat(), max=latest.isoformat())

    @property
    def is_multipart_needed(self) -> bool:
        return any(field.kind == FieldKind.FILE for field in self.config)

    def entries(self) -> list[FormEntry]:
        return [FormEntry(field=self[f"f_{c.key}"], config=c) for c in self.config]

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

    def add_field_errors(self, errors) -> None:
        """Put a service's field errors (by field key) next to their fields, others on top."""
        for error in errors:
            name = f"f_{error.field}"
            self.add_error(name if name in self.fields else None, error.message)
