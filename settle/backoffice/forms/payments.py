"""The filters above the payments list and the online payment attempts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from settle.backoffice.forms.filters import FilterForm
from settle.payments.models import RequestState
from settle.receivables.models import PaymentSource


class PaymentFilterForm(FilterForm):
    q = forms.CharField(
        label=_("Search by debtor, invoice number or reference"),
        required=False,
        max_length=200,
        widget=forms.SearchInput,
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All")), *PaymentSource.choices]
    )

    def filters(self) -> dict:
        """The valid values as keyword arguments for the payment_list selector."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"query": data.get("q") or "", "source": data.get("source") or ""}


class PaymentRequestFilterForm(FilterForm):
    q = forms.CharField(
        label=_("Search by debtor, invoice number or the provider's id"),
        required=False,
        max_length=200,
        widget=forms.SearchInput,
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *RequestState.choices]
    )

    def filters(self) -> dict:
        """The valid values as keyword arguments for the payment_request_list selector."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"query": data.get("q") or "", "state": data.get("state") or ""}
