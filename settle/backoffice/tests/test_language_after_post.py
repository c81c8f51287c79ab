"""The language switch on a page shown in answer to a POST (a form with errors) returns to a page
that answers a GET, never to the POST-only address, which would answer 405."""

import html
import re

import pytest
from django.conf import settings
from django.urls import reverse

from settle.backoffice.tests.support import (
    action_url,
    complaint_task,
    detail_url,
    edit_url,
    form_data,
    type_named,
)

pytestmark = pytest.mark.django_db

HOME = reverse("backoffice:home")
WORKLIST = reverse("backoffice:task_list")


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def language_next(page) -> str:
    """The `next` of the page's language switch."""
    match = re.search(
        r'<form class="language".*?name="next" value="([^"]*)"', page.content.decode(), re.S
    )
    assert match, "the page has no language switch"
    return html.unescape(match.group(1))


def complete_without_outcome(client, task, **headers):
    page = client.post(action_url(task, "complete"), {"outcome": ""}, headers=headers)
    assert page.status_code == 400
    return page


def test_it_returns_to_the_task_page_after_a_refused_completion(bob_client, alice):
    task, _response, _invoice = complaint_task(alice)

    page = complete_without_outcome(bob_client, task)

    assert language_next(page) == detail_url(task)
    switched = bob_client.post(
        reverse("set_language"), {"language": "nl", "next": language_next(page)}, follow=True
    )
    assert switched.status_code == 200
    assert switched.redirect_chain == [(detail_url(task), 302)]
    assert 'lang="nl"' in switched.content.decode()


def test_it_returns_to_the_task_page_after_a_refused_assignment(bob_client, alice):
    task, _response, _invoice = complaint_task(alice)

    page = bob_client.post(action_url(task, "assign"), {"assignee": "999999"})

    assert page.status_code == 400
    assert language_next(page) == detail_url(task)


def test_it_returns_to_the_page_named_by_a_referer_of_this_site(bob_client, alice):
    task, _response, _invoice = complaint_task(alice)
    came_from = f"{WORKLIST}?scope=mine&overdue=1"

    page = complete_without_outcome(bob_client, task, referer=f"http://testserver{came_from}")

    assert language_next(page) == came_from


@pytest.mark.parametrize(
    "referer",
    [
        "https://evil.example/backoffice/worklist/",
        "http://evil.example/backoffice/worklist/",
        "http://testserver//evil.example/backoffice/",
        "http://testserver/\\evil.example/backoffice/",
        "https://testserver/backoffice/worklist/",
        "/backoffice/worklist/",
        "javascript:alert(1)",
        "http://testserver/no/such/page/",
        "http://testserver/portal/",
    ],
)
def test_it_ignores_a_referer_from_elsewhere(bob_client, alice, referer):
    task, _response, _invoice = complaint_task(alice)

    page = complete_without_outcome(bob_client, task, referer=referer)

    assert language_next(page) == detail_url(task)


def test_it_ignores_a_referer_that_is_the_refused_address_itself(bob_client, alice):
    task, _response, _invoice = complaint_task(alice)
    same = f"http://testserver{action_url(task, 'complete')}"

    page = complete_without_outcome(bob_client, task, referer=same)

    assert language_next(page) == detail_url(task)


def test_it_falls_back_to_the_home_page_when_no_page_is_above(dave_client):
    arrangement = type_named("arrangement")

    page = dave_client.post(
        edit_url(arrangement), form_data(arrangement, **{"policy-max_instalments": "0"})
    )

    assert page.status_code == 400
    assert language_next(page) == HOME


def test_it_keeps_the_address_with_its_query_on_a_page_opened_with_get(bob_client):
    page = bob_client.get(WORKLIST, {"scope": "mine", "overdue": "1"})

    assert language_next(page) == f"{WORKLIST}?scope=mine&overdue=1"
