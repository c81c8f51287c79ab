from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from settle.portal.models import PortalEvent, PortalEventKind, RefusalReason
from settle.portal.services import portal_link_issue, portal_link_revoke
from settle.portal.tests.support import (
    database_snapshot,
    link_path,
    sign_in,
    text_of,
    without_csrf_tokens,
)
from settle.portal.tokens import key_new
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

SESSION = settings.SESSION_COOKIE_NAME


def _keys(alice):
    """One key of each kind: valid, unknown, expired, revoked."""
    valid = portal_link_issue(debtor=alice).key
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        expired = portal_link_issue(debtor=alice).key
    revoked = portal_link_issue(debtor=alice)
    portal_link_revoke(link=revoked.link)
    return {"valid": valid, "unknown": key_new(), "expired": expired, "revoked": revoked.key}


@pytest.mark.parametrize("method", ["get", "head"])
@pytest.mark.parametrize("kind", ["valid", "unknown", "expired", "revoked"])
def test_it_changes_no_row_and_starts_no_session_on_get_and_head(client, alice, method, kind):
    key = _keys(alice)[kind]
    before = database_snapshot()

    response = getattr(client, method)(link_path(key))

    assert response.status_code == 200
    assert database_snapshot() == before
    assert SESSION not in response.cookies
    # Only the CSRF cookie the button needs (see the link view); it holds no server-side state.
    assert set(response.cookies) <= {settings.CSRF_COOKIE_NAME}
    assert client.get(reverse("portal:home"))["Location"] == reverse("portal:signed_out")


def test_it_sets_no_new_cookie_on_get_when_the_browser_has_a_csrf_cookie(client, alice):
    key = portal_link_issue(debtor=alice).key
    first = client.get(link_path(key)).cookies[settings.CSRF_COOKIE_NAME].value

    for response in (client.get(link_path(key)), client.head(link_path(key))):
        # Django renews the CSRF cookie's expiry whenever a form uses it; the value stays.
        assert set(response.cookies) <= {settings.CSRF_COOKIE_NAME}
        assert response.cookies[settings.CSRF_COOKIE_NAME].value == first


def test_it_leaves_an_existing_session_alone_on_get(bob_client, alice):
    key = portal_link_issue(debtor=alice).key
    session_key = bob_client.cookies[SESSION].value
    before = database_snapshot()

    response = bob_client.get(link_path(key))

    assert SESSION not in response.cookies
    assert bob_client.cookies[SESSION].value == session_key
    assert database_snapshot() == before


def test_it_shows_a_button_that_posts_to_the_link(client, alice):
    key = portal_link_issue(debtor=alice).key

    html = text_of(client.get(link_path(key)))

    assert '<form method="post">' in html
    assert 'type="submit"' in html
    assert "csrfmiddlewaretoken" in html


def test_it_signs_in_on_post_with_a_new_session_key(bob_client, alice):
    InvoiceFactory(debtor=alice, number="F-ALICE-1")
    key = portal_link_issue(debtor=alice).key
    before = bob_client.cookies[SESSION].value

    response = bob_client.post(link_path(key))

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert key not in response["Location"]
    after = bob_client.cookies[SESSION].value
    assert after and after != before
    home = bob_client.get(reverse("portal:home"))
    assert home.status_code == 200
    assert "F-ALICE-1" in text_of(home)


def test_it_starts_a_session_on_post_for_a_new_visitor(client, alice):
    key = portal_link_issue(debtor=alice).key

    response = client.post(link_path(key))

    assert response.cookies[SESSION].value
    assert PortalEvent.objects.filter(kind=PortalEventKind.SIGNED_IN, debtor=alice).exists()


def test_it_swaps_the_debtor_when_another_link_is_used(client, alice, carol):
    InvoiceFactory(debtor=alice, number="F-ALICE-1")
    InvoiceFactory(debtor=carol, number="F-CAROL-1")
    sign_in(client, alice)
    first = client.cookies[SESSION].value

    sign_in(client, carol)

    assert client.cookies[SESSION].value != first
    html = text_of(client.get(reverse("portal:home")))
    assert "F-CAROL-1" in html
    assert "F-ALICE-1" not in html


def test_it_keeps_the_link_usable_after_a_mail_scanner_opened_it(client, alice):
    key = portal_link_issue(debtor=alice).key
    scanner = Client()
    scanner.get(link_path(key))
    scanner.head(link_path(key))

    assert client.post(link_path(key))["Location"] == reverse("portal:home")


def test_it_sends_no_referrer(client, alice):
    key = portal_link_issue(debtor=alice).key

    assert client.get(link_path(key))["Referrer-Policy"] == "no-referrer"
    assert client.get(link_path(key_new()))["Referrer-Policy"] == "no-referrer"
    assert client.post(link_path(key))["Referrer-Policy"] == "no-referrer"
    assert client.get(reverse("portal:home"))["Referrer-Policy"] == "no-referrer"


def test_it_is_never_cached(client, alice):
    key = portal_link_issue(debtor=alice).key

    assert "no-store" in client.get(link_path(key))["Cache-Control"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_shows_expired_revoked_and_unknown_keys_the_same_neutral_page(client, alice, method):
    keys = _keys(alice)
    inactive_debtor = portal_link_issue(debtor=alice).key
    pages = {}
    for kind in ("unknown", "expired", "revoked"):
        pages[kind] = getattr(client, method)(link_path(keys[kind]))
    alice.active = False
    alice.save()
    pages["inactive"] = getattr(client, method)(link_path(inactive_debtor))

    statuses = {kind: page.status_code for kind, page in pages.items()}
    htmls = {kind: without_csrf_tokens(text_of(page)) for kind, page in pages.items()}
    assert set(statuses.values()) == {200}
    assert len(set(htmls.values())) == 1, "the pages differ"
    html = htmls["unknown"]
    assert 'name="identifier"' in html
    assert f'action="{reverse("portal:new_link")}"' in html
    for key in keys.values():
        assert key not in html
    assert SESSION not in client.cookies
    assert client.get(reverse("portal:home"))["Location"] == reverse("portal:signed_out")


def test_it_records_each_refusal_with_its_reason(client, alice):
    keys = _keys(alice)
    PortalEvent.objects.all().delete()

    for kind in ("unknown", "expired", "revoked"):
        client.post(link_path(keys[kind]))

    refusals = PortalEvent.objects.filter(kind=PortalEventKind.REFUSED)
    assert sorted((e.reason, e.debtor_id) for e in refusals) == sorted(
        [
            (RefusalReason.UNKNOWN, None),
            (RefusalReason.EXPIRED, alice.pk),
            (RefusalReason.REVOKED, alice.pk),
        ]
    )


def test_it_refuses_other_methods(client, alice):
    key = portal_link_issue(debtor=alice).key

    assert client.put(link_path(key)).status_code == 405
    assert client.delete(link_path(key)).status_code == 405
