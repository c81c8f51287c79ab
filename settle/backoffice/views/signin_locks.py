"""Locked sign-ins: the accounts and addresses axes refuses after too many failed sign-ins, and
an administrator's way to unlock them. Administrators only."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from settle.backoffice.decorators import administrator_required
from settle.backoffice.forms.signin import UnlockForm
from settle.backoffice.signin import LockKind, signin_locks, signin_unlock


@require_GET
@administrator_required
def signin_lock_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "backoffice/signin_locks.html", {"locks": signin_locks(), "tab": "signin_locks"}
    )


@administrator_required
@require_POST
def signin_unlock_view(request: HttpRequest) -> HttpResponse:
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was unlocked: the request was incomplete."))
        return redirect("backoffice:settings_signin_locks")
    kind, value = LockKind(form.cleaned_data["kind"]), form.cleaned_data["value"]
    signin_unlock(kind=kind, value=value)
    if kind == LockKind.ACCOUNT:
        text = _("The account “%(value)s” can sign in again.")
    else:
        text = _("Sign-ins from the address %(value)s are allowed again.")
    messages.success(request, text % {"value": value})
    return redirect("backoffice:settings_signin_locks")
