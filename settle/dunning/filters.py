"""The dunning overview's filters: which open invoices an employee (or a schedule) selects.

The selection of a run IS a filter: the overview's query string is kept on the run and on a
schedule, and `invoices_filtered` turns it back into invoices. So a saved query string must
mean the same thing every time it is read; a value that cannot be read refuses the whole
selection instead of being dropped (dropping "open amount from" would select every invoice).
"""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from settle.common.dates import organisation_today
from settle.common.errors import ApplicationError, FieldError
from settle.dunning.models import ActionGroup
from settle.dunning.selectors import invoices_dunnable
from settle.receivables.models import CollectionStatus, DeliveryMethod, Invoice, PaymentMethod

# Query parameters that are about the page, not the selection.
PAGE_PARAMETERS = ("page",)

NEVER = "never"
EXCLUDED_YES = "yes"
EXCLUDED_NO = "no"
EXCLUDED_HELD = "held"

# The form's pairs of from–to fields, with the error a reversed range shows on its "to" field.
RANGES = [
    ("open_amount_min", "open_amount_max", _("The highest amount is below the lowest.")),
    ("due_from", "due_to", _("The end date is before the start date.")),
    ("overdue_min", "overdue_max", _("The most days overdue is below the fewest.")),
    ("last_from", "last_to", _("The end date is before the start date.")),
]


class InvoiceDunningForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        for low, high, message in RANGES:
            if data.get(low) is not None and data.get(high) is not None and data[high] < data[low]:
                self.add_error(high, message)
        return data


class DunningOrderingFilter(django_filters.OrderingFilter):
    """Sorting by the header of a column. Days overdue run against the due date, and the
    invoice number then the id break ties, so a page never repeats or skips an invoice."""

    def get_ordering_value(self, param: str) -> str:
        if param.lstrip("-") == "days_overdue":
            return "due_date" if param.startswith("-") else "-due_date"
        return super().get_ordering_value(param)

    def filter(self, qs, value):
        ordering = [self.get_ordering_value(param) for param in value or []]
        return qs.order_by(*ordering, "due_date", "number", "pk")


def _last_action_choices() -> list[tuple[str, str]]:
    # `last_dunning_action` is the name of the group whose run last reached the invoice.
    names = ActionGroup.objects.order_by("name").values_list("name", flat=True).distinct()
    return [(NEVER, _("Never reminded")), *((name, name) for name in names)]


def _amount(label, lookup: str) -> django_filters.NumberFilter:
    return django_filters.NumberFilter(
        label=label,
        field_name="open_amount",
        lookup_expr=lookup,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )


def _date(label, **kwargs) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs
    )


class DaysFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def _days(label) -> DaysFilter:
    return DaysFilter(
        label=label,
        method="filter_overdue",
        min_value=0,
        max_value=36_500,
        widget=forms.NumberInput(attrs={"min": "0", "step": "1"}),
    )


class InvoiceDunningFilter(django_filters.FilterSet):
    """Filters over `invoices_dunnable()`, open invoices only; every field is optional."""

    debtor = django_filters.CharFilter(
        label=_("Debtor (number or name)"), method="filter_debtor", max_length=200
    )
    number = django_filters.CharFilter(
        label=_("Invoice number"), field_name="number", lookup_expr="icontains", max_length=50
    )
    open_amount_min = _amount(_("Open amount from"), "gte")
    open_amount_max = _amount(_("Open amount to"), "lte")
    due_from = _date(_("Due date from"), field_name="due_date", lookup_expr="gte")
    due_to = _date(_("Due date to"), field_name="due_date", lookup_expr="lte")
    overdue_min = _days(_("Days overdue from"))
    overdue_max = _days(_("Days overdue to"))
    status = django_filters.ModelChoiceFilter(
        label=_("Collection status"),
        field_name="collection_status",
        queryset=CollectionStatus.objects.all(),
        to_field_name="code",
        empty_label=_("All"),
    )
    payment_method = django_filters.ChoiceFilter(
        label=_("Payment method"),
        field_name="debtor__payment_method",
        choices=PaymentMethod.choices,
        empty_label=_("All"),
    )
    delivery_method = django_filters.ChoiceFilter(
        label=_("Delivery method"),
        field_name="debtor__delivery_method",
        choices=DeliveryMethod.choices,
        empty_label=_("All"),
    )
    last_action = django_filters.ChoiceFilter(
        label=_("Last dunning action"),
        choices=_last_action_choices,
        method="filter_last_action",
        empty_label=_("All"),
    )
    last_from = _date(_("Last reminded from"), method="filter_last_range")
    last_to = _date(_("Last reminded to"), method="filter_last_range")
    excluded = django_filters.ChoiceFilter(
        label=_("Excluded from dunning"),
        method="filter_excluded",
        empty_label=_("All"),
        choices=[
            (EXCLUDED_NO, _("No")),
            (EXCLUDED_YES, _("Yes, for any reason")),
            ("response", _("Yes: open response")),
            ("arrangement", _("Yes: running arrangement")),
            ("payment", _("Yes: payment in progress")),
            (EXCLUDED_HELD, _("Yes: on hold")),
        ],
    )
    sort = DunningOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("open_amount", "open_amount"),
            ("collection_status__position", "status"),
            ("debtor__payment_method", "payment_method"),
            ("debtor__delivery_method", "delivery_method"),
            ("due_date", "due_date"),
            ("days_overdue", "days_overdue"),
        ),
    )

    class Meta:
        model = Invoice
        fields: list[str] = []
        form = InvoiceDunningForm

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = invoices_dunnable().filter(open_amount__gt=0)
        super().__init__(data, queryset=queryset, **kwargs)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by("due_date", "number", "pk")
        return queryset.select_related("debtor", "collection_status")

    # The filters' own lookups.

    def filter_debtor(self, queryset, name, value):
        return queryset.filter(
            Q(debtor__number__icontains=value) | Q(debtor__name__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        # N days overdue is a due date N days before today, so the filter stays an index range.
        cutoff = organisation_today() - timedelta(days=int(value))
        if name == "overdue_min":
            return queryset.filter(due_date__lte=cutoff)
        return queryset.filter(due_date__gte=cutoff)

    def filter_last_action(self, queryset, name, value):
        if value == NEVER:
            return queryset.filter(last_dunning_at__isnull=True)
        return queryset.filter(last_dunning_action=value)

    def filter_excluded(self, queryset, name, value):
        if value == EXCLUDED_NO:
            return queryset.filter(dunning_excluded_reason="", dunning_held=False)
        if value == EXCLUDED_YES:
            return queryset.filter(~Q(dunning_excluded_reason="") | Q(dunning_held=True))
        if value == EXCLUDED_HELD:
            return queryset.filter(dunning_held=True)
        return queryset.filter(dunning_excluded_reason=value)

    def filter_last_range(self, queryset, name, value):
        lookup = "gte" if name == "last_from" else "lte"
        return queryset.filter(**{f"last_dunning_at__date__{lookup}": value})


def selection_query(data: QueryDict) -> str:
    """The filter part of a query string, as kept on a run or a schedule (no page number)."""
    query = data.copy()
    for name in PAGE_PARAMETERS:
        query.pop(name, None)
    return query.urlencode()


def invoices_filtered(query: str) -> QuerySet[Invoice]:
    """The open invoices a saved query string selects, annotated as `invoices_dunnable` does.

    Refuses (ApplicationError with a FieldError per input) a query it cannot read, rather than
    leave the unreadable part out and select more than was meant.
    """
    filterset = InvoiceDunningFilter(QueryDict(query or ""))
    if not filterset.is_valid():
        raise ApplicationError(
            _("The filter of this selection cannot be read."),
            [
                FieldError(field=name, message=str(message))
                for name, messages in filterset.form.errors.items()
                for message in messages
            ],
        )
    return filterset.qs
