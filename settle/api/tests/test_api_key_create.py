import hashlib

from settle.api.models import ApiKey
from settle.api.services import api_key_create


def test_it_stores_only_the_hash_and_a_prefix(db):
    api_key, key = api_key_create(name="Exact Online")

    stored = ApiKey.objects.get()
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert stored.prefix == key[:12]
    assert key not in {stored.name, stored.prefix, stored.key_hash}
    assert stored.name == "Exact Online"
    assert api_key.revoked_at is None


def test_it_makes_keys_of_at_least_256_bits(db):
    _api_key, key = api_key_create(name="ERP")

    random_part = key.removeprefix("stl_")
    # urlsafe base64: 6 bits a character.
    assert len(random_part) * 6 >= 256


def test_it_makes_a_different_key_every_time(db):
    keys = {api_key_create(name="ERP")[1] for _ in range(20)}

    assert len(keys) == 20
