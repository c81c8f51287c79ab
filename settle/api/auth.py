from django.http import HttpRequest
from ninja.security import HttpBearer

from settle.api.models import ApiKey
from settle.api.services import api_key_authenticate


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key from `settle create_api_key`.

    A missing, unknown or revoked key makes ninja answer 401 (see errors.py). The header is parsed
    here rather than by ninja, whose parser logs a header with another scheme in DEBUG mode: a
    key sent as `Token <key>` must not end up in a log.
    """

    def __call__(self, request: HttpRequest) -> ApiKey | None:
        scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return api_key_authenticate(key=token.strip())
