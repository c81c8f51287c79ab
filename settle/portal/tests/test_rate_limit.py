from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from settle.portal.models import PortalEvent, PortalEventKind, RefusalReason
from settle.portal.services import portal_link_issue
from settle.portal.tests.support import link_path
from settle.portal.tokens import key_new

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.7"


@pytest.fixture
def minute():
    """Frozen at the start of a minute, so the counting window does not roll over mid-test."""
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


def _fail(client, times: int, method: str = "post", **extra) -> list[int]:
    return [
        getattr(client, method)(link_path(key_new()), REMOTE_ADDR=ADDRESS, **extra).status_code
        for _ in range(times)
    ]


def test_it_answers_429_after_20_failed_keys_in_a_minute(client, minute):
    assert _fail(client, 20) == [200] * 20
    assert _fail(client, 3) == [429] * 3


def test_it_counts_failed_keys_opened_with_get(client, minute):
    _fail(client, 10, "get")
    _fail(client, 10, "post")

    assert _fail(client, 1, "get") == [429]


def test_it_refuses_a_valid_key_from_that_address_while_the_minute_lasts(client, alice, minute):
    key = portal_link_issue(debtor=alice).key
    _fail(client, 20)

    refused = client.post(link_path(key), REMOTE_ADDR=ADDRESS)

    assert refused.status_code == 429
    assert settings.SESSION_COOKIE_NAME not in refused.cookies
    event = PortalEvent.objects.get(kind=PortalEventKind.REFUSED, debtor=alice)
    assert event.reason == RefusalReason.RATE_LIMITED
    assert client.get(link_path(key), REMOTE_ADDR=ADDRESS).status_code == 429

    minute.shift(timedelta(minutes=1))
    assert client.post(link_path(key), REMOTE_ADDR=ADDRESS)["Location"] == reverse("portal:home")


def test_it_limits_only_the_address_that_failed(client, alice, minute):
    key = portal_link_issue(debtor=alice).key
    _fail(client, 25)

    response = client.post(link_path(key), REMOTE_ADDR="198.51.100.8")

    assert response["Location"] == reverse("portal:home")


def test_it_does_not_count_valid_keys(client, alice, minute):
    key = portal_link_issue(debtor=alice).key

    statuses = [client.post(link_path(key), REMOTE_ADDR=ADDRESS).status_code for _ in range(25)]

    assert statuses == [302] * 25


def test_it_writes_no_row_per_rate_limited_guess(client, minute):
    _fail(client, 20)
    before = PortalEvent.objects.count()

    _fail(client, 30)

    assert PortalEvent.objects.count() == before


def test_it_ignores_a_forged_forwarded_for_without_trusted_proxies(client, minute):
    statuses = [
        client.post(
            link_path(key_new()), REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(21)
    ]

    assert statuses[-1] == 429


def test_it_uses_the_address_the_trusted_proxy_saw(client, settings, minute):
    settings.SETTLE_TRUSTED_PROXIES = 1
    proxy = "10.0.0.1"
    # The client may put anything in front; the proxy appends the address it saw.
    for n in range(20):
        client.post(
            link_path(key_new()), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, {ADDRESS}"
        )

    limited = client.post(link_path(key_new()), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ADDRESS)
    other = client.post(
        link_path(key_new()), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.99"
    )

    assert limited.status_code == 429
    assert other.status_code == 200
