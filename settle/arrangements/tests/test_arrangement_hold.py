"""While an arrangement is under review or running, its response is closed by the arrangement's
own decisions only, not by an employee's "close" or by completing the review task by hand."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from settle.arrangements.models import ArrangementState
from settle.arrangements.services import arrangement_reject
from settle.arrangements.tests.factories import invoices_of, propose
from settle.common.errors import ApplicationError
from settle.responses.closing import response_close
from settle.responses.models import ResponseState
from settle.worklist.models import Task, TaskKind, TaskState
from settle.worklist.services import task_complete

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
UNDER_REVIEW = "This response holds a payment arrangement proposal under review."
RUNNING = "This response holds a running payment arrangement."


@pytest.fixture(autouse=True)
def today(travel):
    travel(TODAY)


@pytest.fixture
def reviewed(alice):
    return propose(alice, invoices_of(alice, "500.00", "200.00"), count=7, first_date=TODAY)


@pytest.fixture
def running(carol):
    return propose(carol, invoices_of(carol, "300.00"), count=3, first_date=TODAY)


def review_task(arrangement) -> Task:
    return Task.objects.get(response=arrangement.response, kind=TaskKind.ARRANGEMENT_REVIEW)


@pytest.mark.parametrize(("which", "reason"), [("reviewed", UNDER_REVIEW), ("running", RUNNING)])
def test_it_refuses_an_employee_closing_the_response(request, bob, which, reason):
    arrangement = request.getfixturevalue(which)

    with translation.override("en"), pytest.raises(ApplicationError, match=reason):
        response_close(response=arrangement.response, closed_by=bob, note="Oops", by_hand=True)

    arrangement.response.refresh_from_db()
    assert arrangement.response.state == ResponseState.OPEN


def test_it_lets_the_workflow_close_the_response(running):
    response_close(response=running.response, note="Completed")

    running.response.refresh_from_db()
    assert running.response.state == ResponseState.CLOSED


def test_it_lets_an_employee_close_once_the_proposal_was_rejected(reviewed, bob):
    arrangement_reject(arrangement=reviewed, decided_by=bob, reason="Too long")

    reviewed.response.refresh_from_db()
    assert reviewed.response.state == ResponseState.CLOSED


def test_it_refuses_completing_the_review_task_by_hand(reviewed, bob):
    task = review_task(reviewed)

    with translation.override("en"), pytest.raises(ApplicationError, match=UNDER_REVIEW):
        task_complete(task=task, closed_by=bob, outcome="Done", close_response=False, by_hand=True)

    task.refresh_from_db()
    reviewed.refresh_from_db()
    assert task.state == TaskState.OPEN
    assert reviewed.state == ArrangementState.UNDER_REVIEW


def test_it_shows_why_instead_of_the_close_form(bob_client, reviewed):
    url = reverse("backoffice:response_detail", args=[reviewed.response.pk])
    bob_client.cookies["django_language"] = "en"

    page = bob_client.get(url).content.decode()

    assert UNDER_REVIEW in page
    assert reverse("backoffice:response_close", args=[reviewed.response.pk]) not in page
    assert reviewed.get_absolute_url() in page


def test_it_answers_a_forced_close_with_the_reason(bob_client, running):
    url = reverse("backoffice:response_close", args=[running.response.pk])
    bob_client.cookies["django_language"] = "en"

    page = bob_client.post(url, {"note": "Closed by mistake"})

    assert page.status_code == 409
    assert RUNNING in page.content.decode()
    running.response.refresh_from_db()
    assert running.response.state == ResponseState.OPEN
