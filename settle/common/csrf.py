"""CSRF protection that works with `Referrer-Policy: no-referrer`.

The portal sends `no-referrer` so a link key can never leak through a Referer header. Browsers
then send `Origin: null` (and no Referer) with the portal's own form posts, which Django's
origin and referer checks would reject. Those two checks are a second line; the first is the
CSRF token, and it holds here because the CSRF and session cookies are SameSite=Lax: a post from
another site carries neither cookie and fails the token check. So an `Origin: null` post is judged
by its token alone; any real origin is still checked as usual.
"""

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware


class NoReferrerCsrfViewMiddleware(CsrfViewMiddleware):
    def _null_origin(self, request) -> bool:
        return request.META.get("HTTP_ORIGIN") == "null" and settings.CSRF_COOKIE_SAMESITE in {
            "Lax",
            "Strict",
        }

    def _origin_verified(self, request):
        return self._null_origin(request) or super()._origin_verified(request)

    def _check_referer(self, request):
        if self._null_origin(request) and not request.META.get("HTTP_REFERER"):
            return
        super()._check_referer(request)
