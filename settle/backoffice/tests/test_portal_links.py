import logging
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from settle.portal.models import PortalEvent, PortalEventKind, PortalLink
from settle.portal.services import portal_link_issue, portal_link_revoke
from settle.portal.tokens import key_hash

pytestmark = pytest.mark.django_db

URL_IN_PAGE = re.compile(r'id="portal-link-url"[^>]*value="([^"]+)"')


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def create_url(debtor) -> str:
    return reverse("backoffice:portal_link_create", args=[debtor.pk])


def revoke_url(link) -> str:
    return reverse("backoffice:portal_link_revoke", args=[link.pk])


def revoke_all_url(debtor) -> str:
    return reverse("backoffice:portal_links_revoke_all", args=[debtor.pk])


def shown_url(page) -> str:
    match = URL_IN_PAGE.search(page.content.decode())
    assert match, "the page shows no link"
    return match.group(1)


def key_of(url: str) -> str:
    return url.rsplit("/p/", 1)[1]


# --- Creating a link ----------------------------------------------------------------------


def test_it_creates_a_link_and_shows_its_full_url_once(bob_client, bob, alice, settings):
    settings.SETTLE_BASE_URL = "https://pay.example.test"

    page = bob_client.post(create_url(alice))

    assert page.status_code == 200
    url = shown_url(page)
    assert url.startswith("https://pay.example.test/p/")
    link = PortalLink.objects.get(debtor=alice)
    assert link.key_hash == key_hash(key_of(url))
    assert link.created_by == bob
    assert PortalEvent.objects.filter(link=link, kind=PortalEventKind.ISSUED, actor=bob).exists()
    html = page.content.decode()
    assert re.search(r'<input[^>]*id="portal-link-url"[^>]*readonly', html)
    assert '<label for="portal-link-url">' in html
    assert "no-store" in page["Cache-Control"]
    # The debtor's page afterwards lists the link but never shows its URL again.
    debtor_page = bob_client.get(alice.get_absolute_url()).content.decode()
    assert key_of(url) not in debtor_page
    assert "valid" in debtor_page


def test_it_keeps_the_url_out_of_the_session_and_the_logs(bob_client, alice, caplog):
    caplog.set_level(logging.DEBUG)

    key = key_of(shown_url(bob_client.post(create_url(alice))))
    bob_client.get(alice.get_absolute_url())

    assert key not in caplog.text
    assert all(key not in str(session.get_decoded()) for session in Session.objects.all())
    assert all(key not in session.session_data for session in Session.objects.all())


def test_it_offers_a_copy_button_from_a_script_file_and_no_inline_script(bob_client, alice):
    html = bob_client.post(create_url(alice)).content.decode()

    assert re.search(r'<script src="[^"]*backoffice/copy\.js"', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "style=" not in html
    # Hidden until the script shows it, so without script there is no dead button.
    assert re.search(r'<button[^>]*data-copy="portal-link-url"[^>]*hidden', html)


def test_it_creates_links_on_post_with_a_csrf_token_only(bob, alice):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob)

    assert strict.get(create_url(alice)).status_code == 405
    assert strict.post(create_url(alice)).status_code == 403
    assert not PortalLink.objects.exists()


def test_it_creates_no_link_for_an_inactive_debtor(bob_client, alice):
    alice.active = False
    alice.save()

    page = bob_client.post(create_url(alice), follow=True)

    assert "This debtor is inactive; a portal link would not sign in." in page.content.decode()
    assert not PortalLink.objects.exists()
    assert "Create portal link" not in page.content.decode()


def test_it_keeps_link_pages_for_employees(client, alice, django_user_model):
    link = portal_link_issue(debtor=alice).link
    client.force_login(django_user_model.objects.create_user(username="eve", password="x-1234567"))

    answers = [
        client.post(create_url(alice)),
        client.post(revoke_url(link)),
        client.post(revoke_all_url(alice)),
    ]

    for answer in answers:
        assert answer.status_code == 302
        assert answer.url.startswith(reverse("backoffice:login"))
    assert PortalLink.objects.count() == 1
    link.refresh_from_db()
    assert link.revoked_at is None


def test_it_answers_404_for_unknown_debtors_and_links(bob_client):
    assert (
        bob_client.post(reverse("backoffice:portal_link_create", args=[999999])).status_code == 404
    )
    assert (
        bob_client.post(reverse("backoffice:portal_link_revoke", args=[999999])).status_code == 404
    )
    assert (
        bob_client.post(reverse("backoffice:portal_links_revoke_all", args=[999999])).status_code
        == 404
    )


# --- The list on the debtor's page --------------------------------------------------------


def test_it_lists_the_debtors_links_with_their_state(bob_client, bob, alice, carol):
    valid = portal_link_issue(debtor=alice, created_by=bob).link
    expired = portal_link_issue(debtor=alice).link
    revoked = portal_link_issue(debtor=alice).link
    portal_link_issue(debtor=carol)
    PortalLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    portal_link_revoke(link=revoked)
    PortalLink.objects.filter(pk=valid.pk).update(last_used_at=timezone.now())

    page = bob_client.get(alice.get_absolute_url())

    states = {link.pk: link.state for link in page.context["portal_links"]}
    assert states == {valid.pk: "valid", expired.pk: "expired", revoked.pk: "revoked"}
    html = page.content.decode()
    assert 'state--link-valid">valid<' in html
    assert 'state--link-expired">expired<' in html
    assert 'state--link-revoked">revoked<' in html
    assert "never" in html
    assert "Bob" in html
    # Only a valid link has a revoke button.
    assert revoke_url(valid) in html
    assert revoke_url(expired) not in html
    assert revoke_url(revoked) not in html
    assert revoke_all_url(alice) in html


# --- Revoking -----------------------------------------------------------------------------


def test_it_revokes_one_link_and_signs_its_debtor_out(bob_client, bob, alice):
    issued = portal_link_issue(debtor=alice)
    other = portal_link_issue(debtor=alice).link
    debtor = Client()
    assert debtor.post(reverse("portal:link", kwargs={"key": issued.key})).status_code == 302
    assert debtor.get(reverse("portal:home")).status_code == 200

    answer = bob_client.post(revoke_url(issued.link))

    assert answer.status_code == 302
    assert answer.url == alice.get_absolute_url() + "#portal-links"
    issued.link.refresh_from_db()
    other.refresh_from_db()
    assert issued.link.revoked_at is not None
    assert other.revoked_at is None
    assert PortalEvent.objects.filter(
        link=issued.link, kind=PortalEventKind.REVOKED, actor=bob
    ).exists()
    assert "The link has been revoked." in bob_client.get(answer.url).content.decode()
    assert debtor.get(reverse("portal:home")).status_code == 302


def test_it_says_so_when_a_link_was_revoked_already(bob_client, alice):
    link = portal_link_issue(debtor=alice).link
    portal_link_revoke(link=link)

    page = bob_client.post(revoke_url(link), follow=True)

    assert "This link had already been revoked." in page.content.decode()
    assert PortalEvent.objects.filter(link=link, kind=PortalEventKind.REVOKED).count() == 1


def test_it_revokes_all_links_of_one_debtor(bob_client, alice, carol):
    portal_link_issue(debtor=alice)
    portal_link_issue(debtor=alice)
    carols = portal_link_issue(debtor=carol).link

    page = bob_client.post(revoke_all_url(alice), follow=True)

    assert "2 links have been revoked." in page.content.decode()
    assert not PortalLink.objects.filter(debtor=alice, revoked_at__isnull=True).exists()
    carols.refresh_from_db()
    assert carols.revoked_at is None
    again = bob_client.post(revoke_all_url(alice), follow=True)
    assert "This debtor had no valid links." in again.content.decode()


def test_it_revokes_only_on_a_post_with_a_csrf_token(bob, alice):
    link = portal_link_issue(debtor=alice).link
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob)

    assert strict.get(revoke_url(link)).status_code == 405
    assert strict.post(revoke_url(link)).status_code == 403
    assert strict.post(revoke_all_url(alice)).status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None
