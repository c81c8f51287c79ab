from datetime import timedelta

import time_machine
from django.utils import timezone

from settle.api.services import api_key_authenticate, api_key_create, api_key_revoke


def test_it_finds_the_key(db):
    api_key, key = api_key_create(name="ERP")

    assert api_key_authenticate(key=key) == api_key


def test_it_refuses_unknown_empty_and_absurd_keys(db):
    _api_key, key = api_key_create(name="ERP")

    assert api_key_authenticate(key=key + "x") is None
    assert api_key_authenticate(key=key[:-1]) is None
    assert api_key_authenticate(key="") is None
    assert api_key_authenticate(key="x" * 10_000) is None


def test_it_refuses_a_revoked_key(db):
    api_key, key = api_key_create(name="ERP")

    api_key_revoke(api_key=api_key)

    assert api_key_authenticate(key=key) is None


def test_it_records_use_at_most_once_a_minute(db, django_assert_num_queries):
    api_key, key = api_key_create(name="ERP")
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        api_key_authenticate(key=key)
    api_key.refresh_from_db()
    assert api_key.last_used_at == start

    with (
        time_machine.travel(start + timedelta(seconds=30), tick=False),
        django_assert_num_queries(1),  # the lookup only, no write
    ):
        api_key_authenticate(key=key)
    api_key.refresh_from_db()
    assert api_key.last_used_at == start

    later = start + timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        api_key_authenticate(key=key)
    api_key.refresh_from_db()
    assert api_key.last_used_at == later
