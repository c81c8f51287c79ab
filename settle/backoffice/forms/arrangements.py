"""Forms of the arrangements pages: the list's filter, and an employee's decision on a proposal.
They check the shape of the input; settle.arrangements.services decides."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from settle.arrangements.models import ArrangementState
from settle.arrangements.schedule import MAX_SCHEDULE
from settle.arrangements.services import REASON_LENGTH
from settle.backoffice.forms.base import BackofficeForm
from settle.common.errors import ApplicationError
from settle.responses.forms import AmountField, DateInput

# Empty rows under the proposal, for an employee who adds instalments; "Add rows" adds more.
SPARE_ROWS = 2
MORE_ROWS = 3
# Rows shown at least, also for a proposal that could not be read (no schedule at all).
MIN_ROWS = 3
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]


class _LeadField(forms.CharField):
    """A hidden value the page sends back as a lead (how many rows it showed, which task it came
    from). It is never an error the employee could not see or mend: a NUL byte is dropped, and
    whatever cannot be used is ignored where it is read."""

    def __init__(self):
        super().__init__(widget=forms.HiddenInput, required=False)

    def to_python(self, value):
        return super().to_python(value).replace("\x00", "")


class ArrangementFilterForm(BackofficeForm):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[("", gettext_lazy("All"))] + ArrangementState.choices,
        required=False,
    )

    def state_filter(self) -> str:
        return self.cleaned_data.get("state", "") if self.is_valid() else ""


class ScheduleForm(BackofficeForm):
    """The schedule an employee accepts, as rows of a date and an amount, shown filled with the
    proposal. A row left empty is left out, so rows can be dropped, and added in the spare ones.
    """

    # How many rows the page showed; read before the form is built, as it decides the fields.
    rows = _LeadField()
    # The task the decision was made from, to return to; only a lead, so never an error.
    task = _LeadField()

    def __init__(
        self,
        data=None,
        *,
        schedule: Sequence[tuple[date, Decimal]] = (),
        task_id: int | None = None,
        **kwargs,
    ):
        if data is not None:
            count = _row_count(data.get("rows"))
            initial = {}
        else:
            count = min(max(len(schedule) + SPARE_ROWS, MIN_ROWS), MAX_SCHEDULE)
            initial = {"rows": count, "task": task_id}
            for index, (due_date, amount) in enumerate(schedule[:count]):
                initial[f"due_date_{index}"] = due_date
                initial[f"amount_{index}"] = amount
        # Its own ids: the reject form (and a task's forms) share the page.
        kwargs.setdefault("auto_id", "accept_%s")
        super().__init__(data, initial=initial, **kwargs)
        self.count = count
        self.most = MAX_SCHEDULE
        self.kept: list[int] = []
        for index in range(count):
            number = index + 1
            self.fields[f"due_date_{index}"] = forms.DateField(
                label=_("Due date of instalment %(number)d") % {"number": number},
                required=False,
                input_formats=DATE_FORMATS,
                widget=DateInput(),
            )
            self.fields[f"amount_{index}"] = AmountField(
                label=_("Amount of instalment %(number)d") % {"number": number},
                required=False,
                max_digits=12,
                decimal_places=2,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )

    @classmethod
    def with_more_rows(cls, data) -> "ScheduleForm":
        """The form as posted, with `MORE_ROWS` empty rows added (up to the most allowed)."""
        data = data.copy()
        data["rows"] = str(min(_row_count(data.get("rows")) + MORE_ROWS, MAX_SCHEDULE))
        return cls(data)

    def clean(self):
        cleaned = super().clean()
        schedule = []
        for index in range(self.count):
            due_date = cleaned.get(f"due_date_{index}")
            amount = cleaned.get(f"amount_{index}")
            if f"due_date_{index}" in self.errors or f"amount_{index}" in self.errors:
                continue
            if due_date is None and amount is None:
                continue
            if due_date is None or amount is None:
                missing = "due_date" if due_date is None else "amount"
                self.add_error(
                    f"{missing}_{index}", _("Enter both a date and an amount, or neither.")
                )
                continue
            schedule.append((due_date, amount))
            self.kept.append(index)
        cleaned["schedule"] = schedule
        return cleaned

    def rows_shown(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [
            (index + 1, self[f"due_date_{index}"], self[f"amount_{index}"])
            for index in range(self.count)
        ]

    def add_service_errors(self, error: ApplicationError) -> None:
        """Put the service's errors next to the rows they are about (its index counts only the
        rows that were filled in); the others above the form."""
        above = []
        for field_error in error.errors:
            index = field_error.index
            name = ""
            if index is not None and 0 <= index < len(self.kept):
                name = f"{field_error.field}_{self.kept[index]}"
            if name in self.fields:
                self.add_error(name, field_error.message)
            else:
                above.append(field_error.message)
        if error.message not in above:
            above.insert(0, error.message)
        for message in above:
            self.add_error(None, message)


def _row_count(value) -> int:
    try:
        return min(max(int(value), 1), MAX_SCHEDULE)
    except (TypeError, ValueError):
        return 1


class RejectForm(BackofficeForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The debtor is sent this reason."),
    )
    task = _LeadField()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "reject_%s")
        super().__init__(*args, **kwargs)


class EndForm(BackofficeForm):
    """Ending a running arrangement early, at the debtor's request."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "The debtor is sent this reason. The remaining instalments are cancelled and "
            "dunning resumes for what is still open."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "end_%s")
        super().__init__(*args, **kwargs)
