"""Forms of the portal settings, the responses inbox and portal links. They check the shape of
the input; the services in settle.responses.configuration and settle.portal.services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from settle.arrangements.models import ArrangementPolicy
from settle.arrangements.policy import POLICY_LIMITS
from settle.backoffice.forms.base import BackofficeForm
from settle.responses.configuration import (
    ACTION_ID_LENGTH,
    LABEL_LENGTH,
    MAX_POSITION,
    NAME_LENGTH,
    PARAMETER_RANGES,
    WORKFLOW_PARAMETERS,
    FieldSettings,
    field_needed_by_workflow,
)
from settle.responses.forms import AmountField
from settle.responses.models import (
    OnBroken,
    ResponseField,
    ResponseState,
    ResponseType,
    WorkflowKind,
)

CLOSE_NOTE_LENGTH = 2000
ALL = "all"


def _position_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_POSITION,
        widget=forms.NumberInput(attrs={"class": "input--position"}),
    )


class ResponseTypeForm(BackofficeForm):
    name_nl = forms.CharField(label=_("Dutch name"), max_length=NAME_LENGTH)
    name_en = forms.CharField(label=_("English name"), max_length=NAME_LENGTH)
    external_action_id = forms.CharField(
        label=_("External action ID"),
        max_length=ACTION_ID_LENGTH,
        required=False,
        help_text=_("The code of the matching action type in the ERP or collections system."),
    )
    excludes_from_dunning = forms.BooleanField(
        label=_("Exclude from dunning"),
        required=False,
        help_text=_("While a response of this type is open, its invoices get no reminders."),
    )
    enabled_in_portal = forms.BooleanField(
        label=_("Enabled in portal"),
        required=False,
        help_text=_("Debtors can choose this response in the portal."),
    )
    position = _position_field(_("Order in the portal"))

    @classmethod
    def initial_for(cls, response_type: ResponseType) -> dict:
        return {name: getattr(response_type, name) for name in cls.base_fields}


def _whole_number_field(limits: dict, name: str, label, help_text) -> forms.IntegerField:
    """A small whole number within `limits[name]`, the bounds its service checks again."""
    low, high = limits[name]
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"class": "input--position"}),
    )


class WorkflowParametersForm(BackofficeForm):
    """The parameters of a response type's workflow; only those its workflow uses are shown.
    A change applies to new responses: a running promise keeps the values it started with."""

    promise_max_days = _whole_number_field(
        PARAMETER_RANGES,
        "promise_max_days",
        _("Maximum days until the promised date"),
        _("A debtor can promise to pay from today up to this many days ahead."),
    )
    grace_days = _whole_number_field(
        PARAMETER_RANGES,
        "grace_days",
        _("Grace days"),
        _(
            "Days after the promised date (or an instalment's due date) before the payment is "
            "checked, so that a payment on its way can arrive."
        ),
    )
    on_broken = forms.ChoiceField(
        label=_("When the payment has not arrived"),
        choices=OnBroken.choices,
        widget=forms.RadioSelect,
    )
    notify_broken = forms.BooleanField(
        label=_("Send the debtor the “promise broken” message"),
        required=False,
        help_text=_("Only to debtors with an e-mail address."),
    )
    task_due_days = _whole_number_field(
        PARAMETER_RANGES,
        "task_due_days",
        _("Days until the task is due"),
        _("A task this type creates for an employee is due this many days after the response."),
    )

    def __init__(self, *args, response_type: ResponseType, **kwargs):
        names = WORKFLOW_PARAMETERS.get(response_type.workflow, ())
        kwargs.setdefault("initial", {name: getattr(response_type, name) for name in names})
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in names:
                del self.fields[name]
        if response_type.workflow == WorkflowKind.NOT_APPROVED and "task_due_days" in self.fields:
            self.fields["task_due_days"].help_text = _(
                "The task is due on the expected approval date the debtor gives; this many days "
                "after the response when no date was given."
            )

    def parameters(self) -> dict:
        return dict(self.cleaned_data)


def _policy_amount_field(name: str, label, help_text) -> AmountField:
    low, high = POLICY_LIMITS[name]
    return AmountField(
        label=label,
        min_value=low,
        max_value=high,
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input--amount"}),
    )


class ArrangementPolicyForm(BackofficeForm):
    """The rules within which a proposed payment arrangement is accepted without an employee;
    a proposal outside them becomes a review task naming each rule it fails. Prefixed, so its
    names never meet the workflow parameters' on the same page."""

    max_instalments = _whole_number_field(
        POLICY_LIMITS,
        "max_instalments",
        _("Maximum number of instalments"),
        _("A proposal with more instalments is reviewed by an employee."),
    )
    min_instalment_amount = _policy_amount_field(
        "min_instalment_amount",
        _("Minimum instalment amount (€)"),
        _("Each instalment must be at least this amount."),
    )
    max_total_amount = _policy_amount_field(
        "max_total_amount",
        _("Maximum total amount (€)"),
        _("A proposal for a larger total open amount is reviewed by an employee."),
    )
    max_days_to_first = _whole_number_field(
        POLICY_LIMITS,
        "max_days_to_first",
        _("Maximum days until the first instalment"),
        _("The first instalment must fall within this many days of the proposal."),
    )
    max_duration_months = _whole_number_field(
        POLICY_LIMITS,
        "max_duration_months",
        _("Maximum duration (months)"),
        _("The last instalment must fall within this many months of the proposal."),
    )
    no_auto_accept_months = _whole_number_field(
        POLICY_LIMITS,
        "no_auto_accept_months",
        _("No automatic acceptance after a broken promise or arrangement within (months)"),
        _("0 switches this rule off."),
    )

    def __init__(self, *args, policy: ArrangementPolicy, **kwargs):
        kwargs.setdefault("initial", {name: getattr(policy, name) for name in POLICY_LIMITS})
        kwargs.setdefault("prefix", "policy")
        super().__init__(*args, **kwargs)

    def policy(self) -> dict:
        return dict(self.cleaned_data)


class FieldSettingsForm(BackofficeForm):
    """The settings of one field of a response type. Its prefix carries the field's id, so a
    posted value can only ever reach the field it was shown for."""

    label_nl = forms.CharField(max_length=LABEL_LENGTH)
    label_en = forms.CharField(max_length=LABEL_LENGTH)
    visible = forms.BooleanField(required=False)
    optional = forms.BooleanField(required=False)
    position = _position_field("")

    def __init__(self, *args, config: ResponseField, **kwargs):
        kwargs.setdefault("prefix", f"field-{config.pk}")
        kwargs.setdefault(
            "initial",
            {name: getattr(config, name) for name in self.base_fields},
        )
        super().__init__(*args, **kwargs)
        self.config = config
        # Each input's label names its field: a table of 20 inputs all called "Visible" means
        # nothing to a screen reader.
        name = config.label
        self.fields["label_nl"].label = _("Dutch label of “%(field)s”") % {"field": name}
        self.fields["label_en"].label = _("English label of “%(field)s”") % {"field": name}
        self.fields["visible"].label = _("“%(field)s” is visible") % {"field": name}
        self.fields["optional"].label = _("“%(field)s” is optional") % {"field": name}
        self.fields["position"].label = _("Order of “%(field)s”") % {"field": name}
        # A field the workflow needs stays visible and required: its checkboxes are shown
        # disabled with the reason, and whatever is posted for them is ignored (the service
        # refuses the change too).
        self.needed = field_needed_by_workflow(config, workflow=config.response_type.workflow)
        if self.needed:
            self.needed_note_id = f"{self.prefix}-needed"
            for flag, value in (("visible", True), ("optional", False)):
                self.fields[flag].disabled = True
                self.fields[flag].widget.attrs["aria-describedby"] = self.needed_note_id
                self.initial[flag] = value

    def settings(self) -> FieldSettings:
        return FieldSettings(**self.cleaned_data)


class PortalSettingsForm(BackofficeForm):
    link_validity_days = forms.IntegerField(
        label=_("Link validity (days)"),
        min_value=1,
        max_value=365,
        help_text=_(
            "How many days a new portal link stays valid, from 1 to 365: up to and including "
            "the last of them, until midnight. Links already sent keep their expiry."
        ),
    )
    one_link_per_debtor = forms.BooleanField(
        label=_("One valid link per debtor"),
        required=False,
        help_text=_(
            "A new link (an invitation or a reminder) revokes the debtor's older links, so "
            "only the latest one signs in."
        ),
    )


class ResponseFilterForm(BackofficeForm):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[*ResponseState.choices, (ALL, _("All"))],
    )
    type = forms.ModelChoiceField(
        label=_("Type"),
        required=False,
        queryset=ResponseType.objects.all(),
        to_field_name="code",
        empty_label=_("All types"),
    )

    def filters(self) -> dict:
        """Valid values as arguments for the response_inbox selector; open responses unless
        asked otherwise."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        state = data.get("state") or ResponseState.OPEN
        return {
            "state": "" if state == ALL else state,
            "response_type": data.get("type"),
        }


class ResponseCloseForm(BackofficeForm):
    note = forms.CharField(
        label=_("Note"),
        max_length=CLOSE_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done or decided; kept with the response."),
    )
