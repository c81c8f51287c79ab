"""A fixed-window counter per client address, kept in Django's cache.

Shared by the portal (failed link keys), the API (failed API keys) and the back office's sign-in
(django-axes asks `client_address` who is signing in).

With several web processes the cache must be shared (set SETTLE_CACHE_URL to Redis, or use the
database cache) for the limit to hold across processes; the default local-memory cache limits per
process.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone


def client_address(request: HttpRequest) -> str:
    """The client's address; behind N trusted proxies, the one the outermost proxy saw."""
    hops = settings.SETTLE_TRUSTED_PROXIES
    if hops:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        if len(forwarded) >= hops and forwarded[-hops]:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _counter_name(request: HttpRequest, *, scope: str, window: int) -> str:
    """The cache key counting this address's attempts in the current window of `scope`."""
    bucket = int(timezone.now().timestamp()) // window
    return f"rl:{scope}:{client_address(request)}:{bucket}"


def rate_limit_exceeded(request: HttpRequest, *, scope: str, limit: int, window: int = 60) -> bool:
    """Count this attempt in the current window; True once more than `limit` were made."""
    name = _counter_name(request, scope=scope, window=window)
    cache.add(name, 0, timeout=window * 2)
    try:
        count = cache.incr(name)
    except ValueError:
        cache.set(name, 1, timeout=window * 2)
        count = 1
    return count > limit


def rate_limit_reached(request: HttpRequest, *, scope: str, limit: int, window: int = 60) -> bool:
    """Whether the limit is already used up, without counting this request."""
    return (cache.get(_counter_name(request, scope=scope, window=window)) or 0) >= limit


def rate_limit_retry_after(*, window: int = 60) -> int:
    """Seconds until the current window ends and the count starts again (for Retry-After)."""
    return window - int(timezone.now().timestamp()) % window
