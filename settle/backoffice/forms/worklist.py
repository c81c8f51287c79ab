"""Forms of the worklist: its filters, and assigning and completing a task. They check the shape
of the input; the services in settle.worklist decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from settle.backoffice.forms.base import BackofficeForm
from settle.backoffice.selectors import person_name
from settle.worklist.models import TaskKind, TaskState
from settle.worklist.selectors import ALL, MINE, UNASSIGNED
from settle.worklist.services import OUTCOME_LENGTH


class WorklistFilterForm(BackofficeForm):
    scope = forms.ChoiceField(
        label=_("Tasks"),
        required=False,
        choices=[(MINE, _("Mine")), (UNASSIGNED, _("Unassigned")), (ALL, _("Everyone's"))],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *TaskKind.choices]
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[*TaskState.choices, (ALL, _("All"))]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, data, *, default_scope: str, **kwargs):
        # The scope the list falls back to is put in the data, so the select shows what is
        # listed rather than its first option.
        data = data.copy()
        if data.get("scope") not in dict(self.base_fields["scope"].choices):
            data["scope"] = default_scope
        super().__init__(data, **kwargs)

    def filters(self) -> dict:
        """The valid values as keyword arguments for the tasks_for_worklist selector; open
        tasks unless asked otherwise."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        state = data.get("state") or TaskState.OPEN
        return {
            "scope": data.get("scope") or ALL,
            "kind": data.get("kind") or "",
            "overdue": bool(data.get("overdue")),
            "state": "" if state == ALL else state,
        }


class EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_name(obj)


def _employees():
    user_model = get_user_model()
    return user_model.objects.filter(is_active=True, is_staff=True).order_by(
        "first_name", "last_name", user_model.USERNAME_FIELD
    )


class TaskAssignForm(BackofficeForm):
    assignee = EmployeeChoiceField(
        label=_("Assign to"),
        required=False,
        queryset=_employees(),
        empty_label=_("Nobody (unassigned)"),
    )


class TaskCompleteForm(BackofficeForm):
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=OUTCOME_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done or decided; kept with the task."),
    )
    close_response = forms.BooleanField(
        label=_("Close the response (lifts its dunning exclusion)"),
        required=False,
        initial=True,
    )

    def about(self, response) -> "TaskCompleteForm":
        """Word the checkbox for `response`: only a type that excludes its invoices from dunning
        has an exclusion to lift."""
        if response is not None and not response.response_type.excludes_from_dunning:
            self.fields["close_response"].label = _("Close the response")
        return self
