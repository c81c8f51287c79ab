"""Who may sign in to the back office (active staff accounts only), and the throttling of
failed sign-ins: axes' lockout page and the administrators' view of the locks."""

import ipaddress
from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import models, transaction
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from settle.common.ratelimit import client_address


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


# --- Throttling (django-axes) ----------------------------------------------------------------
# Axes counts failed sign-ins per account and, separately, per address (settings.AXES_*); the
# back office only shows its lockouts in our language and lets an administrator lift them.


class LockKind(models.TextChoices):
    ACCOUNT = "account", _("Account")
    ADDRESS = "address", _("Address")


@dataclass(frozen=True)
class SigninLock:
    kind: LockKind
    value: str
    failures: int
    last_failure: datetime
    until: datetime | None  # None: until an administrator unlocks it


def signin_client_address(request: HttpRequest) -> str | None:
    """The address axes records a sign-in under: the rate limits' one, if it is an IP address.

    Axes stores it in an IP-address column (PostgreSQL's inet), where a forged X-Forwarded-For
    or a request without REMOTE_ADDR (a test client's login) would fail the sign-in with an
    error; such a sign-in is then counted per account only.
    """
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def signin_locked_out(request: HttpRequest, original_response=None, credentials=None):
    """Axes' lockout response: the sign-in page again, saying why and for how long (429).

    The message names no account: the same page answers a locked account and a locked address,
    so it tells a guesser nothing about which usernames exist.
    """
    cooloff = settings.AXES_COOLOFF_TIME
    if cooloff:
        minutes = max(1, round(cooloff.total_seconds() / 60))
        message = ngettext(
            "Too many failed sign-ins for this account or from this address. Try again in "
            "%(minutes)d minute, or ask an administrator to unlock it.",
            "Too many failed sign-ins for this account or from this address. Try again in "
            "%(minutes)d minutes, or ask an administrator to unlock it.",
            minutes,
        ) % {"minutes": minutes}
    else:
        message = gettext(
            "Too many failed sign-ins for this account or from this address. "
            "Ask an administrator to unlock it."
        )
    context = {"form": StaffAuthenticationForm(request), "locked_out": message}
    response = render(request, "backoffice/login.html", context, status=429)
    if cooloff:
        response["Retry-After"] = str(int(cooloff.total_seconds()))
    return response


def signin_locks() -> list[SigninLock]:
    """The accounts and addresses that cannot sign in now, the most recent first.

    Mirrors axes' own count: the failures of the last cool-off period (all of them without one),
    summed per username and per address, locked from AXES_FAILURE_LIMIT on.
    """
    cooloff = settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.all()
    if cooloff:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cooloff)
    locks = []
    for kind, field in ((LockKind.ACCOUNT, "username"), (LockKind.ADDRESS, "ip_address")):
        rows = (
            attempts.exclude(**{f"{field}__isnull": True})
            .exclude(**({"username": ""} if field == "username" else {}))
            .order_by()  # AccessAttempt's default ordering would split the groups
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        )
        locks += [
            SigninLock(
                kind=kind,
                value=row[field],
                failures=row["failures"],
                last_failure=row["last"],
                until=row["last"] + cooloff if cooloff else None,
            )
            for row in rows
        ]
    return sorted(locks, key=lambda lock: lock.last_failure, reverse=True)


def signin_unlock(*, kind: LockKind, value: str) -> int:
    """Lift the lock on one account or one address; return how many records it touched.

    Axes keeps one record per (account, address, browser), counted against both the account and
    the address. Deleting them, as axes' own reset does, would also lift the other lock; instead
    the unlocked side is blanked out, so an address that guessed at an unlocked account stays
    locked (and the reverse). Records left with neither are deleted.
    """
    field = "username" if kind == LockKind.ACCOUNT else "ip_address"
    with transaction.atomic():
        count = AccessAttempt.objects.filter(**{field: value}).update(**{field: None})
        AccessAttempt.objects.filter(username__isnull=True, ip_address__isnull=True).delete()
    return count
