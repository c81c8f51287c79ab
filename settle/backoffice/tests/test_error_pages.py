"""The error pages (settle/templates): in the visitor's language, in Settle's style, with a way
back to the back office for an employee and none for a debtor. Tests run with DEBUG off, so
these are the pages a visitor gets."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from django.views import defaults

from settle.backoffice.tests.support import action_url, complaint_task

pytestmark = pytest.mark.django_db

BACKOFFICE = reverse("backoffice:home")
STYLE = 'href="/static/backoffice/backoffice.css"'


def in_language(language: str, source: str) -> str:
    """`source` as a page in `language` shows it: translated as far as the catalogue goes."""
    with translation.override(language):
        return escape(gettext(source))


def heading(page) -> str:
    html = page.content.decode()
    return html.split("<h1>", 1)[1].split("</h1>", 1)[0]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_it_shows_an_unknown_task_as_a_page_not_found(bob_client, language):
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = bob_client.get(reverse("backoffice:task_detail", args=[99999]))

    assert page.status_code == 404
    html = page.content.decode()
    assert f'<html lang="{language}">' in html
    assert heading(page) == in_language(language, "Page not found")
    assert STYLE in html
    assert f'<a href="{BACKOFFICE}">{in_language(language, "Back to the dashboard")}</a>' in html


def test_it_finds_the_dutch_heading_in_a_catalogue():
    # Otherwise the Dutch test above would compare English with English.
    assert in_language("nl", "Page not found") != "Page not found"


def test_it_shows_a_page_for_a_get_of_an_address_that_only_takes_a_post(bob_client, alice):
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    task, _response, _invoice = complaint_task(alice)

    page = bob_client.get(action_url(task, "complete"))

    assert page.status_code == 405
    assert page["Allow"] == "POST"
    assert page["Content-Type"] == "text/html; charset=utf-8"
    assert heading(page) == "This address cannot be opened"
    assert f'href="{BACKOFFICE}"' in page.content.decode()


def test_it_leaves_a_405_with_a_body_of_its_own_alone(client):
    page = client.delete(reverse("api-v1:docs_asset", kwargs={"name": "x"}))

    assert page.status_code == 405
    assert page.content == b"Method not allowed"


@pytest.mark.parametrize("path", ["/portal/no-such-page/", "/p/not-a-key/more", "/nothing-here"])
def test_it_gives_a_debtor_no_way_into_the_back_office(client, path):
    page = client.get(path)

    assert page.status_code == 404
    html = page.content.decode()
    assert heading(page) == in_language("nl", "Page not found")
    assert 'href="/backoffice' not in html
    assert in_language("nl", "Back to the dashboard") not in html
    assert path not in html


def test_it_shows_a_405_in_the_portal_without_the_back_office(client):
    page = client.get(reverse("portal:sign_out"))

    assert page.status_code == 405
    assert 'href="/backoffice' not in page.content.decode()


def test_it_shows_a_page_for_a_request_for_another_host():
    page = Client(HTTP_HOST="evil.example").post(reverse("backoffice:login"))

    assert page.status_code == 400
    assert heading(page) == in_language("nl", "Request not understood")


def test_it_shows_a_page_when_access_is_denied(rf: RequestFactory):
    request = rf.get(BACKOFFICE)

    page = defaults.permission_denied(request, PermissionDenied())

    assert page.status_code == 403
    assert heading(page) == in_language("nl", "No access")
    assert f'href="{BACKOFFICE}"' in page.content.decode()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_it_shows_the_server_error_page_without_a_request_context(rf: RequestFactory, language):
    with translation.override(language):
        page = defaults.server_error(rf.get(BACKOFFICE))

    assert page.status_code == 500
    html = page.content.decode()
    assert f'<html lang="{language}">' in html
    assert heading(page) == in_language(language, "Server error")
    assert STYLE in html
    assert 'href="/backoffice' not in html


@pytest.mark.parametrize("language", ["nl", "en"])
def test_it_explains_a_refused_form_in_the_users_language(bob, alice, language):
    task, _response, _invoice = complaint_task(alice)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob)
    strict.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = strict.post(action_url(task, "complete"), {"outcome": "Gebeld"})

    assert page.status_code == 403
    assert heading(page) == in_language(language, "The form has expired")
    assert f'href="{BACKOFFICE}"' in page.content.decode()
    task.refresh_from_db()
    assert task.outcome == ""


def test_it_explains_a_refused_portal_form_without_the_back_office(client):
    strict = Client(enforce_csrf_checks=True)

    page = strict.post(reverse("portal:home"), {"anything": "1"})

    assert page.status_code == 403
    assert heading(page) == in_language("nl", "The form has expired")
    assert f'href="{BACKOFFICE}"' not in page.content.decode()
