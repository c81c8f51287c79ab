"""CSRF protection that works with `Referrer-Policy: no-referrer`.

Settle sends `no-referrer` so a portal key can never leak through a Referer header. Under that
policy browsers send `Origin: null` with the site's own form posts, which Django's origin check
would reject. The origin check is a second line; the first is the CSRF token, and it holds here
because the CSRF and session cookies are SameSite=Lax: a post from another site carries neither
cookie and fails the token check. So an `Origin: null` post is judged by its token alone.

One more guard for that case: browsers that send Fetch Metadata say where a request came from
whatever the referrer policy. When `Sec-Fetch-Site` is present on an `Origin: null` post it must
be `same-origin`, which shuts out a sibling subdomain (same site, so it gets Lax cookies, and able
to plant a CSRF cookie of its own) and a plain-HTTP page of our own host. Any real origin is
checked as Django always does.
"""

from django.conf import settings
from django.http import HttpResponseForbidden
from django.middleware.csrf import CsrfViewMiddleware
from django.template.loader import render_to_string


class NoReferrerCsrfViewMiddleware(CsrfViewMiddleware):
    def _null_origin(self, request) -> bool:
        """An `Origin: null` post we may judge by its token alone (see the module docstring)."""
        if request.META.get("HTTP_ORIGIN") != "null":
            return False
        if settings.CSRF_COOKIE_SAMESITE not in {"Lax", "Strict"}:
            return False
        fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
        return fetch_site is None or fetch_site == "same-origin"

    def _origin_verified(self, request):
        return self._null_origin(request) or super()._origin_verified(request)


def csrf_failure(request, reason: str = "") -> HttpResponseForbidden:
    """A refused form (mostly one left open until its session ended) explained in the user's
    language, on a page like the other error pages, instead of Django's technical one."""
    return HttpResponseForbidden(render_to_string("403_csrf.html", request=request))
