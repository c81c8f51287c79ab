"""The debtor's language is the portal's default; the debtor can switch. English is the source
language, so English strings are asserted as they are; Dutch pages are recognised by their lang
attribute and by text looked up in the Dutch catalogue, never written out here, so these tests
hold however far the translation has got."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from settle.portal.services import portal_link_issue, portal_link_revoke
from settle.portal.tests.support import link_path, sign_in, text_of

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")


def _lang(response) -> str:
    return text_of(response).split('<html lang="', 1)[1].split('"', 1)[0]


def test_it_shows_a_dutch_debtor_the_portal_in_dutch(client, alice):
    sign_in(client, alice)
    response = client.get(HOME)
    with translation.override("nl"):
        heading = escape(gettext("Your open invoices"))

    assert _lang(response) == "nl"
    assert f"<h1>{heading}</h1>" in text_of(response)
    assert response["Content-Language"] == "nl"


def test_it_shows_an_english_debtor_the_portal_in_english(client, carol):
    sign_in(client, carol)
    response = client.get(HOME)

    assert _lang(response) == "en"
    assert "Your open invoices" in text_of(response)
    assert response["Content-Language"] == "en"


def test_it_uses_the_debtors_language_over_the_browsers(carol):
    client = Client(headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    sign_in(client, carol)

    assert _lang(client.get(HOME)) == "en"


def test_it_lets_the_debtor_switch(client, alice):
    sign_in(client, alice)

    response = client.post(reverse("set_language"), {"language": "en", "next": HOME}, follow=True)

    assert response.redirect_chain[-1][0] == HOME
    assert _lang(response) == "en"
    assert "Your open invoices" in text_of(response)


def test_it_shows_the_link_page_in_the_debtors_language(client, carol):
    response = client.get(link_path(portal_link_issue(debtor=carol).key))

    assert _lang(response) == "en"
    assert ">Continue</button>" in text_of(response)


def test_it_keeps_a_language_chosen_on_the_link_page(client, carol):
    url = link_path(portal_link_issue(debtor=carol).key)
    client.post(reverse("set_language"), {"language": "nl", "next": url})

    assert _lang(client.get(url)) == "nl"
    client.post(url, {"language": "nl"})
    assert _lang(client.get(HOME)) == "nl"


def test_it_shows_the_neutral_page_in_the_browsers_language_not_the_debtors(carol):
    issued = portal_link_issue(debtor=carol)
    portal_link_revoke(link=issued.link)

    dutch = Client().get(link_path(issued.key))
    english = Client(headers={"Accept-Language": "en"}).get(link_path(issued.key))

    assert (_lang(dutch), _lang(english)) == ("nl", "en")
