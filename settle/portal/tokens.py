"""Portal link keys.

A key is 32 random bytes from `secrets` (256 bits), URL-safe encoded. Only its SHA-256 is stored,
so a copy of the database does not hold a single usable link. A plain hash (no salt, no slow KDF)
is enough because the key itself has 256 bits of entropy: there is nothing to guess.
"""

import hashlib
import re
import secrets

KEY_BYTES = 32
# token_urlsafe(32) gives 43 characters of [A-Za-z0-9_-]; anything else is not one of ours.
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def key_new() -> str:
    """A fresh key: 256 bits from the operating system's CSPRNG, URL-safe."""
    return secrets.token_urlsafe(KEY_BYTES)


def key_hash(key: str) -> str:
    """The SHA-256 (hex) under which a key is stored and looked up."""
    return hashlib.sha256(key.encode("ascii", "replace")).hexdigest()


def key_looks_valid(key: str) -> bool:
    """Whether `key` has the shape of one of ours; anything else is refused without a query."""
    return bool(KEY_RE.fullmatch(key))
