"""The search and filter forms of the back-office lists. They only check the shape of the query
string; a value they do not know is ignored instead of failing the page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from settle.backoffice.forms.base import BackofficeForm
from settle.backoffice.selectors import UNPAID
from settle.receivables.models import CollectionStatus, PaymentState


class FilterForm(BackofficeForm):
    """The filters above a list, sent with GET."""


class DebtorFilterForm(FilterForm):
    q = forms.CharField(
        label=_("Search by number, name, e-mail or city"),
        required=False,
        max_length=200,
        widget=forms.SearchInput,
    )


class InvoiceFilterForm(FilterForm):
    SORTS = [
        ("due_date", _("Due date, oldest first")),
        ("-due_date", _("Due date, newest first")),
        ("number", _("Number")),
        ("-number", _("Number, descending")),
        ("-open_amount", _("Open amount, highest first")),
        ("open_amount", _("Open amount, lowest first")),
    ]

    q = forms.CharField(
        label=_("Search by number, debtor or payment reference"),
        required=False,
        max_length=200,
        widget=forms.SearchInput,
    )
    state = forms.ChoiceField(
        label=_("Payment state"),
        required=False,
        choices=[("", _("All")), (UNPAID, _("Open or partly paid")), *PaymentState.choices],
    )
    status = forms.ModelChoiceField(
        label=_("Collection status"),
        required=False,
        queryset=CollectionStatus.objects.all(),
        to_field_name="code",
        empty_label=_("All"),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=SORTS, widget=forms.HiddenInput
    )

    def filters(self) -> dict:
        """The valid values as keyword arguments for the invoice_list selector."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status")
        return {
            "query": data.get("q") or "",
            "payment_state": data.get("state") or "",
            "collection_status": status.code if status else "",
            "overdue": bool(data.get("overdue")),
            "sort": data.get("sort") or "due_date",
        }
