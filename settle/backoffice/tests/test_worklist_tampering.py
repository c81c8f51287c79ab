"""Tampered and garbage input to the worklist: whatever is sent, the answer is a page that says
what is wrong (or ignores what means nothing), never a server error, and a refused request
leaves the task, its assignee and its response as they were."""

import pytest
from django.conf import settings
from django.urls import reverse

from settle.backoffice.tests.support import (
    GARBAGE,
    HUGE,
    LONG,
    MISSING_PKS,
    WORKLIST,
    action_url,
    complaint_task,
    detail_url,
    errors_after,
    new_task,
    page_after,
    short,
    shown_errors,
)
from settle.responses.models import Response, ResponseState
from settle.worklist.models import Task, TaskState
from settle.worklist.services import OUTCOME_LENGTH, task_complete

pytestmark = pytest.mark.django_db

FILTERS = ["scope", "kind", "state", "overdue", "page"]


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def as_stored(task: Task) -> dict:
    """What a refused request must not change."""
    row = Task.objects.values(
        "state", "assignee_id", "outcome", "closed_at", "closed_by_id", "updated_at"
    ).get(pk=task.pk)
    if task.response_id:
        row["response"] = Response.objects.values("state", "close_note").get(pk=task.response_id)
    return row


@pytest.fixture
def task(bob, alice) -> Task:
    """An overdue open complaint of Bob's: listed whatever filter falls back to its default."""
    task, _response, _invoice = complaint_task(alice, days=-2, assignee=bob)
    return task


@pytest.fixture
def done_task(bob, alice) -> Task:
    task, _response, _invoice = complaint_task(alice, assignee=bob)
    return task_complete(task=task, closed_by=bob, outcome="Settled by phone")


# --- The list -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{name: value} for name in FILTERS for value in GARBAGE]
    + [
        {"scope": ["mine", "x", "all\x00"], "kind": ["complaint", "nonsense"]},
        {"state": ["done", "open", "💥"], "overdue": ["on", "on"], "page": ["2", "x", "-1"]},
        dict.fromkeys(FILTERS, "\x00"),
        dict.fromkeys(FILTERS, LONG),
        {"unknown": "x", "<script>alert(1)</script>": "<script>alert(2)</script>"},
    ],
    ids=short,
)
def test_it_lists_the_worklist_whatever_the_query_params(bob_client, task, params):
    response = bob_client.get(WORKLIST, params)

    assert response.status_code == 200
    assert [listed.pk for listed in response.context["page"].object_list] == [task.pk]
    assert "<script>alert(" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "scope=%ff%fe&kind=%c3%28",
        "page=%",
        "&&&==&=",
        "scope",
        "%00=%00&page=%00",
        "a=" + "%" * 500,
    ],
    ids=short,
)
def test_it_lists_the_worklist_for_a_malformed_query_string(bob_client, task, query):
    response = bob_client.get(f"{WORKLIST}?{query}")

    assert response.status_code == 200
    assert [listed.pk for listed in response.context["page"].object_list] == [task.pk]


def test_it_answers_400_to_a_query_with_too_many_params(bob_client, task):
    query = "&".join(f"p{number}=x" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    assert bob_client.get(f"{WORKLIST}?{query}").status_code == 400


# --- Tasks that do not exist ----------------------------------------------------------------


@pytest.mark.parametrize("pk", MISSING_PKS)
def test_it_answers_404_for_a_task_that_does_not_exist(bob_client, task, pk):
    before = as_stored(task)

    assert bob_client.get(reverse("backoffice:task_detail", args=[pk])).status_code == 404
    for action, data in [
        ("take", {}),
        ("assign", {"assignee": ""}),
        ("complete", {"outcome": "Done", "close_response": "on"}),
    ]:
        url = reverse(f"backoffice:task_{action}", args=[pk])
        assert bob_client.post(url, data).status_code == 404, action

    assert as_stored(task) == before


# --- Taking ---------------------------------------------------------------------------------


def test_it_refuses_to_take_a_task_that_is_done_with_a_message(dave_client, done_task):
    before = as_stored(done_task)

    response = dave_client.post(action_url(done_task, "take"))

    errors = errors_after(dave_client, response)
    assert any("This task is already done." in error for error in errors), errors
    assert as_stored(done_task) == before


def test_it_ignores_what_is_posted_along_with_taking_a_task(dave_client, dave, task):
    response = dave_client.post(
        action_url(task, "take"), {"assignee": "1", "state": "done", "outcome": "\x00"}
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.assignee, task.state, task.outcome) == (dave, TaskState.OPEN, "")


# --- Assigning ------------------------------------------------------------------------------


@pytest.fixture
def outsiders(django_user_model) -> dict:
    """Users a task may never be assigned to."""
    return {
        "inactive": django_user_model.objects.create_user(
            username="ivan", is_staff=True, is_active=False
        ),
        "not staff": django_user_model.objects.create_user(username="olivia"),
        "inactive administrator": django_user_model.objects.create_user(
            username="adam", is_staff=True, is_superuser=True, is_active=False
        ),
    }


@pytest.mark.parametrize(
    "assignee",
    [
        *GARBAGE,
        *["987654", str(2**63), "<script>alert(1)</script>", ["", "abc"]],
        *["inactive", "not staff", "inactive administrator"],
    ],
    ids=short,
)
def test_it_refuses_to_assign_to_garbage_and_changes_nothing(bob_client, task, outsiders, assignee):
    if isinstance(assignee, str) and assignee in outsiders:
        assignee = str(outsiders[assignee].pk)
    before = as_stored(task)

    response = bob_client.post(action_url(task, "assign"), {"assignee": assignee})

    assert response.status_code == 400
    errors = shown_errors(response.content.decode())
    refusals = ("Select a valid choice", "Null characters are not allowed.")
    assert any(refusal in error for error in errors for refusal in refusals), errors
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert as_stored(task) == before


def test_it_assigns_someone_elses_task_to_another_employee(bob_client, dave, task):
    response = bob_client.post(action_url(task, "assign"), {"assignee": str(dave.pk)})

    assert "The task is assigned to Dave." in page_after(bob_client, response)
    task.refresh_from_db()
    assert task.assignee == dave


def test_it_refuses_to_assign_a_task_that_is_done_with_a_message(bob_client, dave, done_task):
    before = as_stored(done_task)

    response = bob_client.post(action_url(done_task, "assign"), {"assignee": str(dave.pk)})

    errors = errors_after(bob_client, response)
    assert any("This task is already done." in error for error in errors), errors
    assert as_stored(done_task) == before


def test_it_explains_a_garbage_assignee_for_a_task_that_is_done(bob_client, done_task):
    before = as_stored(done_task)

    response = bob_client.post(action_url(done_task, "assign"), {"assignee": "abc"})

    assert errors_after(bob_client, response)
    assert as_stored(done_task) == before


# --- Completing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        (None, "This field is required."),
        ("", "This field is required."),
        ("   \n\t ", "This field is required."),
        ("x" * (OUTCOME_LENGTH + 1), f"Ensure this value has at most {OUTCOME_LENGTH} characters"),
        (LONG, f"Ensure this value has at most {OUTCOME_LENGTH} characters"),
        ("\x00", "Null characters are not allowed."),
        ("Paid\x00 in full", "Null characters are not allowed."),
    ],
    ids=short,
)
def test_it_refuses_a_garbage_outcome_and_changes_nothing(bob_client, task, outcome, message):
    before = as_stored(task)
    data = {"close_response": "on"} | ({} if outcome is None else {"outcome": outcome})

    response = bob_client.post(action_url(task, "complete"), data)

    assert response.status_code == 400
    errors = shown_errors(response.content.decode())
    assert any(message in error for error in errors), errors
    assert as_stored(task) == before


def test_it_keeps_an_outcome_of_exactly_the_limit_after_stripping(bob_client, task):
    outcome = "y" * OUTCOME_LENGTH

    response = bob_client.post(action_url(task, "complete"), {"outcome": f"  {outcome}\n "})

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.state, task.outcome) == (TaskState.DONE, outcome)


@pytest.mark.parametrize(
    ("close_response", "closes"),
    [
        ("garbage", True),
        ("\x00", True),
        (HUGE, True),
        (LONG, True),
        (["on", "off"], True),
        ("false", False),
        ("0", True),
        ("", False),
        (None, False),
    ],
    ids=short,
)
def test_it_reads_any_close_response_value_as_a_tick_or_none(
    bob_client, task, close_response, closes
):
    data = {"outcome": "Credited"} | (
        {} if close_response is None else {"close_response": close_response}
    )

    response = bob_client.post(action_url(task, "complete"), data)

    assert response.status_code == 302
    task.refresh_from_db()
    task.response.refresh_from_db()
    assert task.state == TaskState.DONE
    expected = ResponseState.CLOSED if closes else ResponseState.OPEN
    assert task.response.state == expected


def test_it_refuses_to_complete_a_task_that_is_done_with_a_message(bob_client, done_task):
    before = as_stored(done_task)

    response = bob_client.post(
        action_url(done_task, "complete"), {"outcome": "Again", "close_response": "on"}
    )

    errors = errors_after(bob_client, response)
    assert any("This task is already done." in error for error in errors), errors
    assert as_stored(done_task) == before


def test_it_explains_a_garbage_outcome_for_a_task_that_is_done(bob_client, done_task):
    before = as_stored(done_task)

    response = bob_client.post(action_url(done_task, "complete"), {"outcome": ""})

    assert errors_after(bob_client, response)
    assert as_stored(done_task) == before


def test_it_shows_a_task_whose_outcome_is_hostile_escaped(bob_client, bob, alice):
    task = new_task(alice, assignee=bob)
    bob_client.post(action_url(task, "complete"), {"outcome": "<img src=x onerror=alert(1)>"})

    html = bob_client.get(detail_url(task)).content.decode()

    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html
