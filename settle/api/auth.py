from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from settle.api.errors import TooManyFailedKeys
from settle.api.models import ApiKey
from settle.api.services import api_key_authenticate
from settle.common.ratelimit import (
    rate_limit_exceeded,
    rate_limit_reached,
    rate_limit_retry_after,
)

RATE_LIMIT_SCOPE = "api-key"
RATE_LIMIT_WINDOW = 60


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key from `settle create_api_key`.

    A missing, unknown or revoked key makes ninja answer 401 (see errors.py). The header is parsed
    here rather than by ninja, whose parser logs a header with another scheme in DEBUG mode: a
    key sent as `Token <key>` must not end up in a log.

    An address that sent more than SETTLE_API_FAILED_KEYS_PER_MINUTE wrong keys within a minute
    gets 429 with Retry-After for the rest of that minute, whatever key it sends: guessing keys
    (256 bits) is hopeless anyway, but a stream of guesses costs a query each and floods the log.
    """

    def __call__(self, request: HttpRequest) -> ApiKey | None:
        scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        limit = settings.SETTLE_API_FAILED_KEYS_PER_MINUTE
        if rate_limit_reached(
            request, scope=RATE_LIMIT_SCOPE, limit=limit, window=RATE_LIMIT_WINDOW
        ):
            raise TooManyFailedKeys(retry_after=rate_limit_retry_after(window=RATE_LIMIT_WINDOW))
        api_key = api_key_authenticate(key=token.strip())
        if api_key is None:
            rate_limit_exceeded(
                request, scope=RATE_LIMIT_SCOPE, limit=limit, window=RATE_LIMIT_WINDOW
            )
        return api_key
