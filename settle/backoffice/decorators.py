"""Who may enter the back office: employees (staff) and, for settings, administrators."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import user_passes_test
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _is_employee(user) -> bool:
    return user.is_active and user.is_staff


staff_required = user_passes_test(_is_employee)


def administrator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Settings are for administrators: active employees with `is_superuser`.

    Anyone not signed in as an employee is sent to sign in; an employee who is not an
    administrator gets a 403 page that says why, since signing in again would not help them.
    An administrator who is not also staff is no employee and is sent to sign in, like anyone.
    """

    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_superuser:
            return render(request, "backoffice/settings_forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
