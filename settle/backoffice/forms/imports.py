"""The form an employee uploads a CSV file of debtors, invoices or payments with."""

from django import forms
from django.utils.translation import gettext_lazy as _

from settle.receivables.models import ImportKind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, separated by semicolons or commas, with a header line."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
