"""API keys: issuing, checking and revoking the keys an ERP uses to call the REST API."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from settle.api.models import ApiKey

KEY_PREFIX = "stl_"
# 32 random bytes: 256 bits, as for portal links.
KEY_BYTES = 32
PREFIX_LENGTH = 12
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_create(*, name: str) -> tuple[ApiKey, str]:
    """Issue a new API key called `name`; return the stored row and the key itself.

    The key is 256 bits from `secrets`; only its SHA-256 is stored, so the returned key is the one
    and only time anybody sees it. The first characters are kept as `prefix` so an administrator
    can tell keys apart without being able to use them.
    """
    key = KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            name=name, prefix=key[:PREFIX_LENGTH], key_hash=_key_hash(key)
        )
    return api_key, key


def api_key_authenticate(*, key: str) -> ApiKey | None:
    """Return the live API key matching `key`, or None for an unknown or revoked key.

    The database is asked for the key's SHA-256, never for the key: an attacker who measures
    response times learns at most something about a hash, which does not help to guess a key,
    and nothing secret is compared in Python. `last_used_at` is written at most once a minute
    (a conditional UPDATE, so concurrent requests do not all write) to keep an ERP's stream of
    calls from turning into a stream of writes.
    """
    if not key or len(key) > 200:
        return None
    api_key = ApiKey.objects.filter(key_hash=_key_hash(key), revoked_at__isnull=True).first()
    if api_key is None:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or api_key.last_used_at <= now - LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key for good; requests with it get 401 from now on. Revoking twice is harmless."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at", "updated_at"])
    return api_key
