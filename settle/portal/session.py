"""The debtor's portal session.

It lives in Django's session under its own keys, ends when the link it came from expires or is
revoked, after 30 minutes without a request, or when the debtor is deactivated. Every portal view
is wrapped in `debtor_required`, which puts the signed-in debtor on `request.debtor`.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from settle.portal.models import PortalLink

IDLE_TIMEOUT = timedelta(minutes=30)
_DEBTOR = "portal.debtor_id"
_LINK = "portal.link_id"
_SEEN = "portal.seen_at"


def portal_session_start(request: HttpRequest, *, link: PortalLink) -> None:
    """Begin a debtor session under a new session key, so a planted session id is worthless."""
    portal_session_end(request)
    request.session.cycle_key()
    request.session[_DEBTOR] = link.debtor_id
    request.session[_LINK] = link.pk
    request.session[_SEEN] = timezone.now().isoformat()


def portal_session_end(request: HttpRequest) -> None:
    for name in (_DEBTOR, _LINK, _SEEN):
        request.session.pop(name, None)


def portal_session_link(request: HttpRequest) -> PortalLink | None:
    """The link behind a live debtor session (with its debtor), or None if there is none."""
    link_id = request.session.get(_LINK)
    seen = request.session.get(_SEEN)
    if not link_id or not seen:
        return None
    now = timezone.now()
    try:
        idle = now - datetime.fromisoformat(seen)
    except ValueError:
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
    if link is not None:
        request.session[_SEEN] = now.isoformat()
    return link


def debtor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let the request through only with a live debtor session; otherwise end it and explain."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        link = portal_session_link(request)
        if link is None:
            had_session = _LINK in request.session
            portal_session_end(request)
            return redirect("portal:ended" if had_session else "portal:signed_out")
        request.debtor = link.debtor
        request.portal_link = link
        return view(request, *args, **kwargs)

    return wrapper
