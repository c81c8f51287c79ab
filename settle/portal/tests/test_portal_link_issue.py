import base64
import hashlib
import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps

from settle.portal.models import PortalEvent, PortalEventKind, PortalLink, PortalSettings
from settle.portal.services import (
    portal_link_check,
    portal_link_issue,
    portal_link_revoke,
    portal_link_url,
    portal_links_revoke_all,
    portal_settings_update,
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


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_it_expires_at_the_end_of_the_14th_day_not_at_the_hour_it_was_issued(alice):
    # The field report: issued at 15:07 on 23 November, "valid until 7 December", yet refused
    # at 15:07 on 7 December.
    with time_machine.travel(datetime(2026, 11, 23, 15, 7, tzinfo=AMSTERDAM), tick=False) as t:
        issued = portal_link_issue(debtor=alice)
        assert issued.link.expires_at == datetime(2026, 12, 7, 23, 59, 59, 999999, tzinfo=AMSTERDAM)

        t.move_to(datetime(2026, 12, 7, 15, 8, tzinfo=AMSTERDAM))
        assert portal_link_check(key=issued.key).ok
        t.move_to(datetime(2026, 12, 7, 23, 59, 59, tzinfo=AMSTERDAM))
        assert portal_link_check(key=issued.key).ok

        t.move_to(datetime(2026, 12, 8, 0, 0, tzinfo=AMSTERDAM))
        assert portal_link_check(key=issued.key).refusal == "expired"


def test_it_counts_days_in_the_organisations_time_zone_around_midnight(alice, settings):
    settings.TIME_ZONE = "Europe/Amsterdam"
    PortalSettings.objects.update_or_create(pk=1, defaults={"link_validity_days": 3})
    # 23:30 UTC on 4 December is already 5 December in Amsterdam: the days count from the 5th.
    with time_machine.travel(datetime(2026, 12, 4, 23, 30, tzinfo=UTC), tick=False) as t:
        issued = portal_link_issue(debtor=alice)
        assert issued.link.expires_at == datetime(2026, 12, 8, 23, 59, 59, 999999, tzinfo=AMSTERDAM)

        t.move_to(datetime(2026, 12, 8, 22, 59, 59, tzinfo=UTC))
        assert portal_link_check(key=issued.key).ok
        t.move_to(datetime(2026, 12, 8, 23, 0, tzinfo=UTC))
        assert portal_link_check(key=issued.key).refusal == "expired"


@pytest.mark.parametrize(
    ("issued_at", "last_day", "utc_offset"),
    [
        # Across the start of summer time (29 March 2026): the last day ends at 23:59 CEST.
        (datetime(2026, 3, 20, 12, 0), date(2026, 4, 3), timedelta(hours=2)),
        # Across its end (25 October 2026): the last day ends at 23:59 CET.
        (datetime(2026, 10, 20, 12, 0), date(2026, 11, 3), timedelta(hours=1)),
    ],
)
def test_it_ends_the_last_day_at_local_midnight_across_a_dst_change(
    alice, issued_at, last_day, utc_offset
):
    with time_machine.travel(issued_at.replace(tzinfo=AMSTERDAM), tick=False) as t:
        issued = portal_link_issue(debtor=alice)

        expires_at = issued.link.expires_at.astimezone(AMSTERDAM)
        assert expires_at.date() == last_day
        assert expires_at.time() == time.max
        assert expires_at.utcoffset() == utc_offset

        midnight = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=AMSTERDAM)
        t.move_to(midnight - timedelta(milliseconds=1))
        assert portal_link_check(key=issued.key).ok
        t.move_to(midnight)
        assert portal_link_check(key=issued.key).refusal == "expired"


def test_it_uses_the_configured_link_validity(alice):
    PortalSettings.objects.update_or_create(pk=1, defaults={"link_validity_days": 3})

    with time_machine.travel(datetime(2026, 12, 4, 9, 0, tzinfo=AMSTERDAM), tick=False) as t:
        issued = portal_link_issue(debtor=alice)
        t.move_to(datetime(2026, 12, 7, 23, 0, tzinfo=AMSTERDAM))
        assert portal_link_check(key=issued.key).ok
        t.move_to(datetime(2026, 12, 8, 0, 0, tzinfo=AMSTERDAM))
        assert not portal_link_check(key=issued.key).ok


def test_it_keeps_older_links_valid_by_default(alice):
    first = portal_link_issue(debtor=alice)
    second = portal_link_issue(debtor=alice)

    assert portal_link_check(key=first.key).ok
    assert portal_link_check(key=second.key).ok


def test_it_revokes_older_links_when_the_organisation_keeps_one_link_per_debtor(alice, carol, bob):
    portal_settings_update(link_validity_days=14, one_link_per_debtor=True)
    first = portal_link_issue(debtor=alice)
    carols = portal_link_issue(debtor=carol)

    second = portal_link_issue(debtor=alice, created_by=bob)

    assert portal_link_check(key=first.key).refusal == "revoked"
    assert portal_link_check(key=second.key).ok
    assert portal_link_check(key=carols.key).ok
    event = PortalEvent.objects.get(kind=PortalEventKind.REVOKED)
    assert (event.link, event.actor) == (first.link, bob)


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
