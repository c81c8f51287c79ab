"""Template variables shared by the page layouts of the back office, the portal and the errors.

Registered in settings.TEMPLATES, so they reach every page rendered with a request. A view that
sets one of these names itself wins: its context lies over what these return.
"""

from urllib.parse import urlsplit

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

SAFE_METHODS = frozenset({"GET", "HEAD"})


def language_next(request: HttpRequest) -> dict:
    """`language_next`: where the language switch returns to.

    A page shown in answer to a POST (a form with errors) has the address of that POST, and
    `set_language` redirects with a GET, which a POST-only view answers with 405. So after a POST
    the switch returns to the page the form was sent from: the Referer when a browser sends one,
    else the page one level up, where Settle's POST-only actions live (/worklist/5/complete/
    belongs to /worklist/5/), else the home of that part of Settle. Settle's own Referrer-Policy
    is `no-referrer`, so a browser sends no Referer and the second way is the usual one.
    """
    if request.method in SAFE_METHODS:
        return {"language_next": request.get_full_path()}
    area = _area(request.path)
    return {
        "language_next": _referer(request, area)
        or _page_above(request.path, area)
        or reverse("portal:home" if area == "portal" else "backoffice:home")
    }


def backoffice_home(request: HttpRequest) -> dict:
    """`backoffice_home`: the back office's home on a page under it, else None, so that an error
    page a debtor lands on never shows the way into the back office."""
    home = reverse("backoffice:home")
    return {"backoffice_home": home if request.path.startswith(home) else None}


def _area(path: str) -> str | None:
    """The URL namespace (`backoffice`, `portal`) a path belongs to; None for no page of ours."""
    try:
        return resolve(path).namespace or None
    except Resolver404:
        return None


def _is_local_path(path: str) -> bool:
    # `//host` and `/\host` are read by browsers as another host; only a plain path may pass.
    return (
        path.startswith("/")
        and not path.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(path, allowed_hosts=set())
    )


def _referer(request: HttpRequest, area: str | None) -> str | None:
    """The path of a Referer from this very site and the same part of it."""
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    if referer.scheme != request.scheme or referer.netloc != host:
        return None
    if not _is_local_path(referer.path) or area is None or _area(referer.path) != area:
        return None
    path = f"{referer.path}?{referer.query}" if referer.query else referer.path
    # A form sent from a page that was itself the answer to a POST names that POST's address.
    return None if path == request.get_full_path() else path


def _page_above(path: str, area: str | None) -> str | None:
    above = path.rstrip("/").rpartition("/")[0] + "/"
    if area is None or above == "/" or not _is_local_path(above) or _area(above) != area:
        return None
    return above
