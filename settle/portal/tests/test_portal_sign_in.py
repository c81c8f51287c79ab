from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from settle.portal.models import PortalEvent, PortalEventKind, PortalLink, RefusalReason
from settle.portal.services import portal_link_issue, portal_link_revoke, portal_sign_in
from settle.portal.tokens import key_new

pytestmark = pytest.mark.django_db


def _events(kind):
    return list(PortalEvent.objects.filter(kind=kind).values_list("debtor", "link", "reason"))


def test_it_signs_in_with_a_valid_key(alice):
    issued = portal_link_issue(debtor=alice)

    result = portal_sign_in(key=issued.key)

    assert result.ok
    assert result.link.debtor == alice
    assert PortalLink.objects.get().last_used_at is not None
    assert _events(PortalEventKind.SIGNED_IN) == [(alice.pk, issued.link.pk, "")]


def test_it_refuses_an_unknown_key_and_records_it_without_a_debtor(alice):
    portal_link_issue(debtor=alice)

    result = portal_sign_in(key=key_new())

    assert not result.ok
    assert _events(PortalEventKind.REFUSED) == [(None, None, RefusalReason.UNKNOWN)]


@pytest.mark.parametrize("key", ["", "short", "x" * 500, "../../etc/passwd", "é" * 43])
def test_it_refuses_keys_that_are_not_keys(key):
    assert portal_sign_in(key=key).refusal == RefusalReason.UNKNOWN


def test_it_refuses_an_expired_key(alice):
    issued = portal_link_issue(debtor=alice)

    with time_machine.travel(timezone.now() + timedelta(days=15)):
        result = portal_sign_in(key=issued.key)

    assert not result.ok
    assert _events(PortalEventKind.REFUSED) == [(alice.pk, issued.link.pk, RefusalReason.EXPIRED)]


def test_it_refuses_a_revoked_key(alice):
    issued = portal_link_issue(debtor=alice)
    portal_link_revoke(link=issued.link)

    result = portal_sign_in(key=issued.key)

    assert not result.ok
    assert _events(PortalEventKind.REFUSED) == [(alice.pk, issued.link.pk, RefusalReason.REVOKED)]


def test_it_refuses_the_key_of_an_inactive_debtor(alice):
    issued = portal_link_issue(debtor=alice)
    alice.active = False
    alice.save()

    result = portal_sign_in(key=issued.key)

    assert not result.ok
    assert _events(PortalEventKind.REFUSED) == [(alice.pk, issued.link.pk, RefusalReason.INACTIVE)]


def test_it_refuses_a_valid_key_while_rate_limited_and_records_it(alice):
    issued = portal_link_issue(debtor=alice)

    result = portal_sign_in(key=issued.key, rate_limited=True)

    assert not result.ok
    assert PortalLink.objects.get().last_used_at is None
    assert _events(PortalEventKind.REFUSED) == [
        (alice.pk, issued.link.pk, RefusalReason.RATE_LIMITED)
    ]


def test_it_writes_nothing_for_unknown_keys_while_rate_limited():
    result = portal_sign_in(key=key_new(), rate_limited=True)

    assert result.refusal == RefusalReason.RATE_LIMITED
    assert not PortalEvent.objects.exists()
