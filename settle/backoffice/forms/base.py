"""The base of the back office's forms."""

from django import forms


class BackofficeForm(forms.Form):
    def __init__(self, *args, **kwargs):
        # Labels stand above their inputs; Django's trailing colon would only add noise.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
