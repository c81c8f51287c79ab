"""The base of the back office's forms."""

from django import forms

from settle.common.errors import ApplicationError


class BackofficeForm(forms.Form):
    def __init__(self, *args, **kwargs):
        # Labels stand above their inputs; Django's trailing colon would only add noise.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def service_errors_show(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's field errors next to the inputs they are about; the rest above the form."""
    for error in exc.errors:
        form.add_error(error.field if error.field in form.fields else None, error.message)
