from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from settle.portal.models import PortalEvent, PortalEventKind, PortalLink
from settle.portal.services import portal_link_revoke, portal_links_revoke_all
from settle.portal.tests.support import sign_in

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")
ENDED = reverse("portal:ended")
SIGNED_OUT = reverse("portal:signed_out")


@pytest.fixture
def traveller():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def _status(client) -> str:
    response = client.get(HOME)
    if response.status_code == 200:
        return "live"
    return {ENDED: "ended", SIGNED_OUT: "signed out"}[response["Location"]]


def test_it_ends_after_30_minutes_idle(client, alice, traveller):
    sign_in(client, alice)

    traveller.shift(timedelta(minutes=30))
    assert _status(client) == "live"
    traveller.shift(timedelta(minutes=30, seconds=1))
    assert _status(client) == "ended"
    assert _status(client) == "signed out"


def test_it_counts_idle_time_from_the_last_request(client, alice, traveller):
    sign_in(client, alice)

    for _ in range(4):
        traveller.shift(timedelta(minutes=25))
        assert _status(client) == "live"


def test_it_writes_the_time_of_the_last_request_at_most_once_a_minute(client, alice, traveller):
    sign_in(client, alice)

    def stored():
        return Session.objects.values_list("session_data", "expire_date").get()

    signed_in = stored()
    traveller.shift(timedelta(seconds=59))
    assert _status(client) == "live"
    assert stored() == signed_in
    traveller.shift(timedelta(seconds=1))
    assert _status(client) == "live"
    assert stored() != signed_in


def test_it_measures_idle_time_to_the_minute(client, alice, traveller):
    sign_in(client, alice)
    traveller.shift(timedelta(seconds=59))
    assert _status(client) == "live"

    # Measured from sign-in, not from the request 59 seconds later: that one wrote nothing.
    traveller.shift(timedelta(minutes=29, seconds=2))
    assert _status(client) == "ended"


def test_it_ends_when_the_link_expires_even_if_the_debtor_is_active(client, alice, traveller):
    sign_in(client, alice)
    PortalLink.objects.update(expires_at=timezone.now() + timedelta(minutes=12))

    for _ in range(2):
        traveller.shift(timedelta(minutes=5))
        assert _status(client) == "live"
    traveller.shift(timedelta(minutes=2))
    assert _status(client) == "ended"


def test_it_ends_at_the_next_request_once_the_link_is_revoked(client, alice):
    sign_in(client, alice)
    assert _status(client) == "live"

    portal_link_revoke(link=PortalLink.objects.get())

    assert _status(client) == "ended"


def test_it_ends_when_all_links_of_the_debtor_are_revoked(client, alice):
    sign_in(client, alice)

    portal_links_revoke_all(debtor=alice)

    assert _status(client) == "ended"


def test_it_ends_when_the_debtor_is_deactivated(client, alice):
    sign_in(client, alice)
    alice.active = False
    alice.save()

    assert _status(client) == "ended"


def test_it_deletes_an_ended_session(client, alice, traveller):
    sign_in(client, alice)
    traveller.shift(timedelta(minutes=31))

    client.get(HOME)

    assert not Session.objects.exists()
    assert not client.cookies[settings.SESSION_COOKIE_NAME].value


def test_it_signs_out_and_records_it(client, alice):
    sign_in(client, alice)

    response = client.post(reverse("portal:sign_out"))

    assert response["Location"] == SIGNED_OUT
    assert _status(client) == "signed out"
    event = PortalEvent.objects.get(kind=PortalEventKind.SIGNED_OUT)
    assert (event.debtor, event.link) == (alice, PortalLink.objects.get())
    assert not Session.objects.exists()


def test_it_keeps_a_back_office_login_when_the_debtor_signs_out(bob_client, alice):
    sign_in(bob_client, alice)
    before = bob_client.cookies[settings.SESSION_COOKIE_NAME].value

    bob_client.post(reverse("portal:sign_out"))

    assert _status(bob_client) == "signed out"
    assert bob_client.cookies[settings.SESSION_COOKIE_NAME].value != before
    assert bob_client.get(reverse("backoffice:home")).status_code == 200


def test_it_signs_out_nobody_without_error(client):
    assert client.post(reverse("portal:sign_out"))["Location"] == SIGNED_OUT
    assert not PortalEvent.objects.exists()


def test_it_keeps_debtor_pages_out_of_caches(client, alice):
    sign_in(client, alice)

    assert "no-store" in client.get(HOME)["Cache-Control"]


def test_it_sends_an_htmx_request_of_an_ended_session_to_a_whole_page(client, alice):
    sign_in(client, alice)
    portal_link_revoke(link=PortalLink.objects.get())

    response = client.get(HOME, headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == ENDED
