"""Forms of the dunning administration: action groups and their actions, holds, schedules and
the interest rates. They check the shape of the input; the services in settle.dunning decide
(an action's type, template and channel together, a schedule's filter, a rate's period)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from settle.backoffice.forms.base import BackofficeForm
from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel
from settle.dunning.channels import DUNNING_KINDS, FOURTEEN_DAY_LETTER
from settle.dunning.models import ActionGroup, ActionType
from settle.receivables.models import CollectionStatus

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
TIME_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S"]


def _kind_choices() -> list[tuple[str, str]]:
    # The catalogue's label where it has the kind; the 14-day letter may not be in it yet.
    labels = {**dict(Kind.choices), FOURTEEN_DAY_LETTER: _("14-day letter")}
    return [("", _("None")), *((kind, labels.get(kind, kind)) for kind in DUNNING_KINDS)]


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


class GroupNameForm(BackofficeForm):
    name = forms.CharField(label=_("Name"), max_length=100)


class StatusChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.label


class ActionForm(BackofficeForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    action_type = forms.ChoiceField(label=_("Action type"), choices=ActionType.choices)
    message_kind = forms.ChoiceField(
        label=_("Template"),
        required=False,
        choices=_kind_choices,
        help_text=_("The message template the action sends, for the types that send one."),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("As the action type says")), *Channel.choices],
        help_text=_(
            "For a portal invitation (e-mail or SMS) and a 14-day letter (letter or e-mail); "
            "the other types have their own channel."
        ),
    )
    resulting_status = StatusChoiceField(
        label=_("Resulting collection status"),
        required=False,
        queryset=CollectionStatus.objects.all(),
        empty_label=_("Leave unchanged"),
    )

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "action_type": data["action_type"],
            "message_kind": data["message_kind"] or "",
            "channel": data["channel"] or "",
            "resulting_status": data["resulting_status"],
        }


class MoveForm(BackofficeForm):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class HoldForm(BackofficeForm):
    until = _date_field(_("On hold until"), help_text=_("Dunning resumes the day after."))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        # Its own ids: the hold form shares the invoice and debtor pages with other forms.
        kwargs.setdefault("auto_id", "hold_%s")
        super().__init__(*args, **kwargs)


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        if obj.archived_at is not None:
            return _("%(name)s (archived)") % {"name": obj.name}
        return obj.name


class ScheduleForm(BackofficeForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    group = GroupChoiceField(label=_("Action group"), queryset=ActionGroup.objects.none())
    filter_query = forms.CharField(
        label=_("Filter"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The overview's filter as it stands in the address after “?”, e.g. "
            "overdue_min=7&overdue_max=20&last_action=never. Empty selects every open invoice."
        ),
    )
    run_at = forms.TimeField(
        label=_("Time of day"),
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("The worker starts the run at this time every working day."),
    )
    active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, schedule=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Active groups, and the schedule's own group even when it has been archived since,
        # so the form shows what the schedule runs.
        groups = ActionGroup.objects.filter(archived_at__isnull=True)
        if schedule is not None:
            groups = ActionGroup.objects.filter(
                pk__in=[*groups.values_list("pk", flat=True), schedule.group_id]
            )
        self.fields["group"].queryset = groups.order_by("name", "pk")


class InterestRateForm(BackofficeForm):
    valid_from = _date_field(_("Valid from"))
    rate = forms.DecimalField(
        label=_("Rate (percent a year)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        # "9,5" as a Dutch administrator types it, and "9.5".
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
