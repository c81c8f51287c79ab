import base64
import hashlib
import secrets
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from settle.portal.models import PortalEvent, PortalEventKind, PortalLink, PortalSettings
from settle.portal.services import (
    portal_link_check,
    portal_link_issue,
    portal_link_revoke,
    portal_link_url,
    portal_links_revoke_all,
)

pytestmark = pytest.mark.django_db


def test_it_makes_a_key_of_256_random_bits_from_secrets(alice, monkeypatch):
    calls = []
    original = secrets.token_urlsafe

    def recording(nbytes=None):
        calls.append(nbytes)
        return original(nbytes)

    monkeypatch.setattr(secrets, "token_urlsafe", recording)
    key = portal_link_issue(debtor=alice).key

    assert calls == [32]
    assert len(base64.urlsafe_b64decode(key + "=")) * 8 == 256
    assert key != portal_link_issue(debtor=alice).key


def test_it_stores_only_the_sha256_of_the_key(alice, bob):
    issued = portal_link_issue(debtor=alice, created_by=bob)
    portal_link_check(key=issued.key)

    link = PortalLink.objects.get()
    assert link.key_hash == hashlib.sha256(issued.key.encode()).hexdigest()
    # No column of any row anywhere holds the key: not the link, not its events, nothing else.
    for model in apps.get_models(include_auto_created=True):
        for row in model._base_manager.values_list():
            assert not any(issued.key in str(value) for value in row), model


def test_it_records_the_issue(alice, bob):
    issued = portal_link_issue(debtor=alice, created_by=bob)

    event = PortalEvent.objects.get()
    assert (event.debtor, event.link, event.kind, event.actor) == (
        alice,
        issued.link,
        PortalEventKind.ISSUED,
        bob,
    )


def test_it_expires_after_the_default_14_days(alice):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        issued = portal_link_issue(debtor=alice)
        assert issued.link.expires_at == timezone.now() + timedelta(days=14)

        traveller.shift(timedelta(days=14) - timedelta(seconds=1))
        assert portal_link_check(key=issued.key).ok

        traveller.shift(timedelta(seconds=1))
        assert portal_link_check(key=issued.key).refusal == "expired"


def test_it_uses_the_configured_link_validity(alice):
    settings_row = PortalSettings.load()
    settings_row.link_validity_days = 3
    settings_row.save()

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        issued = portal_link_issue(debtor=alice)
        traveller.shift(timedelta(days=2, hours=23))
        assert portal_link_check(key=issued.key).ok
        traveller.shift(timedelta(hours=1))
        assert not portal_link_check(key=issued.key).ok


def test_it_revokes_one_link(alice, bob):
    revoked = portal_link_issue(debtor=alice)
    kept = portal_link_issue(debtor=alice)

    portal_link_revoke(link=revoked.link, revoked_by=bob)

    assert portal_link_check(key=revoked.key).refusal == "revoked"
    assert portal_link_check(key=kept.key).ok
    event = PortalEvent.objects.get(kind=PortalEventKind.REVOKED)
    assert (event.link, event.actor) == (revoked.link, bob)


def test_it_revokes_a_link_only_once(alice):
    issued = portal_link_issue(debtor=alice)
    portal_link_revoke(link=issued.link)
    first = PortalLink.objects.get().revoked_at

    portal_link_revoke(link=issued.link)

    assert PortalLink.objects.get().revoked_at == first
    assert PortalEvent.objects.filter(kind=PortalEventKind.REVOKED).count() == 1


def test_it_revokes_all_links_of_a_debtor(alice, carol, bob):
    alices = [portal_link_issue(debtor=alice) for _ in range(3)]
    carols = portal_link_issue(debtor=carol)

    count = portal_links_revoke_all(debtor=alice, revoked_by=bob)

    assert count == 3
    assert all(portal_link_check(key=issued.key).refusal == "revoked" for issued in alices)
    assert portal_link_check(key=carols.key).ok
    assert PortalEvent.objects.filter(kind=PortalEventKind.REVOKED, debtor=alice).count() == 3
    assert portal_links_revoke_all(debtor=alice) == 0


def test_it_builds_the_link_from_the_base_url(alice, settings):
    settings.SETTLE_BASE_URL = "https://pay.example.test"
    issued = portal_link_issue(debtor=alice)

    assert portal_link_url(key=issued.key) == f"https://pay.example.test/p/{issued.key}"
