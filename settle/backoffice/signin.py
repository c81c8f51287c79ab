"""Who may sign in to the back office: active staff accounts only."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class StaffAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing accounts that are not employees.

    Django's LoginView signs in any active user; the back office is for staff only, so a
    customer or a deactivated employee gets a clear refusal instead of a session that every
    back-office page would then turn away.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "not_staff": _(
            "This account has no access to the back office. Ask an administrator for access."
        ),
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")
