"""`/favicon.ico`: browsers and bookmark tools ask for it at the site's root whatever the pages'
`<link rel="icon">` says, and a 404 there fills the logs with noise."""

from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@cache
def _icon() -> bytes:
    # Read through the static finders so it works before and after collectstatic.
    with open(finders.find("portal/favicon.ico"), "rb") as icon:
        return icon.read()


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_icon(), content_type="image/x-icon")
