"""The debtor's portal session.

It lives in Django's session under its own keys and ends at the first of: the link it came from
expires, the link is revoked, 30 minutes pass without a request, or the debtor is deactivated.
All of these are checked against the database on every request, so revoking a link in the back
office signs the debtor out at their next click.

Idle time is measured to the minute, not to the second: the time of the last request is written
to the session only when the one stored is a minute or more old, so a debtor clicking around does
not cost a session write on every page (bench/portal_landing.py). The session therefore ends
between 29 and 30 minutes after the last request, never later. Every debtor page is wrapped in
`debtor_required`, which puts the signed-in debtor on `request.debtor`.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRedirect

from settle.portal.models import PortalLink

IDLE_TIMEOUT = timedelta(minutes=30)
# How stale the stored time of the last request may get before a request rewrites it.
SEEN_REFRESH = timedelta(minutes=1)
_DEBTOR = "portal.debtor_id"
_LINK = "portal.link_id"
_SEEN = "portal.seen_at"


def portal_session_start(request: HttpRequest, *, link: PortalLink) -> None:
    """Begin a debtor session under a new session key, so a planted session id is worthless.

    Whatever else the session holds (a back-office login in the same browser) moves to the new
    key with it; only the key changes.
    """
    _forget(request)
    request.session.cycle_key()
    request.session[_DEBTOR] = link.debtor_id
    request.session[_LINK] = link.pk
    request.session[_SEEN] = timezone.now().isoformat()


def portal_session_end(request: HttpRequest) -> None:
    """End the debtor session. A session left empty is deleted with its cookie; one that still
    holds something else (a back-office login) gets a new key, so the old id is worthless."""
    had_debtor = _forget(request)
    if not had_debtor:
        return
    if not list(request.session.keys()):
        request.session.flush()
    else:
        request.session.cycle_key()


def _forget(request: HttpRequest) -> bool:
    had = _LINK in request.session
    for name in (_DEBTOR, _LINK, _SEEN):
        request.session.pop(name, None)
    return had


def portal_session_link(request: HttpRequest) -> PortalLink | None:
    """The link behind a live debtor session (with its debtor), or None if there is none.

    Touches the session (a write) only for a live one whose stored time of the last request is
    `SEEN_REFRESH` old, to measure idle time from this request to the minute.
    """
    link_id = request.session.get(_LINK)
    seen = request.session.get(_SEEN)
    if not link_id or not seen:
        return None
    now = timezone.now()
    try:
        idle = now - datetime.fromisoformat(seen)
    except (TypeError, ValueError):
        return None
    if idle > IDLE_TIMEOUT:
        return None
    link = (
        PortalLink.objects.select_related("debtor")
        .filter(
            pk=link_id,
            debtor_id=request.session.get(_DEBTOR),
            revoked_at__isnull=True,
            expires_at__gt=now,
            debtor__active=True,
        )
        .first()
    )
    if link is not None and idle >= SEEN_REFRESH:
        request.session[_SEEN] = now.isoformat()
    return link


def debtor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let the request through only with a live debtor session; otherwise end it and explain.

    Debtor pages are never stored by a browser or proxy cache, so Back after signing out (or on a
    shared computer) shows nothing. An htmx request whose session ended is sent to the explaining
    page as a whole, instead of having that page swapped into a fragment.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        link = portal_session_link(request)
        if link is None:
            had_session = _LINK in request.session
            portal_session_end(request)
            target = "portal:ended" if had_session else "portal:signed_out"
            if getattr(request, "htmx", False):
                response = HttpResponseClientRedirect(reverse(target))
            else:
                response = redirect(target)
        else:
            request.debtor = link.debtor
            request.portal_link = link
            response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapper
