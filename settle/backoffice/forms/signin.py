"""The form an administrator unlocks a locked sign-in with."""

from django import forms

from settle.backoffice.signin import LockKind


class UnlockForm(forms.Form):
    kind = forms.ChoiceField(choices=LockKind.choices)
    value = forms.CharField(max_length=255)
