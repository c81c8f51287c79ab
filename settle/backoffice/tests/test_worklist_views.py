"""The worklist pages: the list with its filters, a task's page, taking, assigning and completing
a task, the tasks on a debtor's timeline and the worklist figures of the overview."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from settle.backoffice.selectors import debtor_timeline
from settle.backoffice.tests.support import (
    WORKLIST,
    action_url,
    complaint_task,
    detail_url,
    new_task,
)
from settle.receivables.tests.factories import DebtorFactory
from settle.responses.models import ResponseState, ResponseType
from settle.responses.selectors import invoices_excluded_from_dunning
from settle.responses.tests.factories import ResponseFactory
from settle.worklist.models import Task, TaskKind, TaskState
from settle.worklist.services import task_complete

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def listed(client, **params) -> list[int]:
    page = client.get(WORKLIST, params)
    assert page.status_code == 200
    return [task.pk for task in page.context["page"].object_list]


def excluded(invoice) -> bool:
    return invoices_excluded_from_dunning().filter(pk=invoice.pk).exists()


def flashed(page) -> list[str]:
    return [str(message) for message in page.context["messages"]]


# --- Access ---------------------------------------------------------------------------------


def test_it_sends_visitors_who_are_not_signed_in_to_the_login_page(client, alice):
    task = new_task(alice)

    for response in (
        client.get(WORKLIST),
        client.get(detail_url(task)),
        client.post(action_url(task, "take")),
        client.post(action_url(task, "assign"), {"assignee": ""}),
        client.post(action_url(task, "complete"), {"outcome": "x", "close_response": "on"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("backoffice:login"))
    assert Task.objects.get().state == TaskState.OPEN


def test_it_keeps_debtors_and_other_users_out(client, alice, django_user_model):
    task = new_task(alice)
    client.force_login(django_user_model.objects.create_user(username="olivia"))

    assert client.get(WORKLIST).status_code == 302
    assert client.post(action_url(task, "take")).status_code == 302
    assert Task.objects.get().assignee is None


def test_it_makes_the_worklist_the_first_item_of_the_navigation(bob_client):
    html = bob_client.get(reverse("backoffice:home")).content.decode()
    nav = html[html.index('<nav class="nav"') :]

    first_link = nav[nav.index("<li>") : nav.index("</li>")]
    assert f'href="{WORKLIST}"' in first_link
    assert "Worklist" in first_link
    assert 'aria-current="page"' in bob_client.get(WORKLIST).content.decode()


# --- The list -------------------------------------------------------------------------------


def test_it_lists_a_task_with_its_due_date_kind_debtor_invoices_assignee_and_response(
    bob_client, bob, alice
):
    task, response, invoice = complaint_task(
        alice, days=-2, assignee=bob, title="Klacht over F-100"
    )

    html = bob_client.get(WORKLIST).content.decode()

    for text in (
        detail_url(task),
        "Klacht over F-100",
        "Complaint",
        "overdue",
        alice.get_absolute_url(),
        "Alice Jansen",
        "D-ALICE",
        invoice.get_absolute_url(),
        invoice.number,
        "Bob",
        reverse("backoffice:response_detail", args=[response.pk]),
        "1 task",
    ):
        assert text in html, text


def test_it_shows_my_tasks_by_default_and_the_unassigned_ones_when_i_have_none(
    bob_client, bob, dave, alice
):
    nobodys = new_task(alice, days=1)
    daves = new_task(alice, days=1, assignee=dave)

    page = bob_client.get(WORKLIST)
    assert page.context["filters"]["scope"] == "unassigned"
    assert [task.pk for task in page.context["page"].object_list] == [nobodys.pk]
    assert '<option value="unassigned" selected>' in page.content.decode()

    mine = new_task(alice, days=3, assignee=bob)
    page = bob_client.get(WORKLIST)
    assert page.context["filters"]["scope"] == "mine"
    assert [task.pk for task in page.context["page"].object_list] == [mine.pk]

    assert listed(bob_client, scope="all") == [nobodys.pk, daves.pk, mine.pk]
    assert listed(bob_client, scope="unassigned") == [nobodys.pk]


def test_it_filters_by_kind_overdue_and_state(bob_client, bob, alice):
    late = new_task(alice, days=-1, kind=TaskKind.ALREADY_PAID)
    today = new_task(alice, days=0, kind=TaskKind.ALREADY_PAID)
    other = new_task(alice, days=-4, kind=TaskKind.UNKNOWN_INVOICE)
    done = new_task(alice, days=-9)
    task_complete(task=done, closed_by=bob, outcome="Klaar")

    assert listed(bob_client, scope="all", kind="already_paid") == [late.pk, today.pk]
    assert listed(bob_client, scope="all", overdue="on") == [other.pk, late.pk]
    assert listed(bob_client, scope="all", kind="already_paid", overdue="on") == [late.pk]
    assert listed(bob_client, scope="all", state="done") == [done.pk]
    assert listed(bob_client, scope="all", state="all") == [done.pk, other.pk, late.pk, today.pk]
    # Values the form does not know are ignored, not an error.
    assert listed(bob_client, scope="nonsense", kind="nonsense", state="nonsense") == [
        other.pk,
        late.pk,
        today.pk,
    ]


def test_it_says_why_the_list_is_empty(bob_client, bob, alice):
    assert "There are no unassigned open tasks." in bob_client.get(WORKLIST).content.decode()
    assert "There are no open tasks." in bob_client.get(WORKLIST, {"scope": "all"}).content.decode()
    assert "No open tasks are assigned to you." in (
        bob_client.get(WORKLIST, {"scope": "mine"}).content.decode()
    )
    assert "No task matches these filters." in (
        bob_client.get(WORKLIST, {"scope": "all", "overdue": "on"}).content.decode()
    )


def test_it_shows_fifty_tasks_a_page(bob_client, alice):
    for days in range(51):
        new_task(alice, days=days)

    first = bob_client.get(WORKLIST, {"scope": "all"})
    second = bob_client.get(WORKLIST, {"scope": "all", "page": 2})

    assert len(first.context["page"].object_list) == 50
    assert "51 tasks" in first.content.decode()
    assert len(second.context["page"].object_list) == 1


def test_it_needs_the_same_queries_for_many_tasks_as_for_one(bob_client, bob):
    def add() -> None:
        complaint_task(DebtorFactory(), assignee=bob)

    add()
    bob_client.get(WORKLIST, {"scope": "all"})
    with CaptureQueriesContext(connection) as few:
        bob_client.get(WORKLIST, {"scope": "all"})
    for _ in range(15):
        add()
    with CaptureQueriesContext(connection) as many:
        bob_client.get(WORKLIST, {"scope": "all"})

    assert len(few) == len(many)


def test_it_shows_what_was_typed_escaped(bob_client, alice):
    alice.name = XSS
    alice.save()
    task = new_task(alice, title=XSS, description=XSS)

    listing = bob_client.get(WORKLIST).content.decode()
    page = bob_client.get(detail_url(task)).content.decode()

    for html in (listing, page):
        assert XSS not in html
        assert ESCAPED in html


# --- A task's page --------------------------------------------------------------------------


def test_it_shows_a_task_with_its_response_and_invoices(bob_client, bob, alice):
    task, response, invoice = complaint_task(
        alice,
        assignee=bob,
        title="Klacht behandelen",
        description="Eerste regel\nTweede regel",
    )

    page = bob_client.get(detail_url(task))

    html = page.content.decode()
    for text in (
        "Klacht behandelen",
        "Complaint",
        alice.get_absolute_url(),
        "Alice Jansen",
        '<p class="task-text">Eerste regel\nTweede regel</p>',
        reverse("backoffice:response_detail", args=[response.pk]),
        "Het bedrag klopt niet",
        invoice.number,
        "excluded from dunning",
        "Bob",
        "Open",
        "Close the response (lifts its dunning exclusion)",
    ):
        assert text in html, text
    assert 'id="id_close_response" checked' in html
    assert "Take this task" not in html  # it is bob's already
    templates = [template.name for template in page.templates]
    assert "backoffice/includes/task_actions_extra.html" in templates


def test_it_shows_the_outcome_of_a_task_that_is_done_and_no_actions(bob_client, bob, alice):
    task, _response, _invoice = complaint_task(alice)
    task_complete(task=task, closed_by=bob, outcome="Creditnota\nverstuurd")

    html = bob_client.get(detail_url(task)).content.decode()

    assert '<p class="task-text">Creditnota\nverstuurd</p>' in html
    assert "Done" in html
    assert "· Bob" in html
    assert action_url(task, "complete") not in html
    assert action_url(task, "take") not in html


def test_it_answers_404_for_an_unknown_task(bob_client):
    assert bob_client.get(reverse("backoffice:task_detail", args=[999])).status_code == 404
    assert bob_client.post(reverse("backoffice:task_take", args=[999])).status_code == 404


def test_it_changes_tasks_only_with_a_post(bob_client, alice):
    task = new_task(alice)

    for action in ("take", "assign", "complete"):
        assert bob_client.get(action_url(task, action)).status_code == 405
    assert Task.objects.get().assignee is None


# --- Take, assign, complete -----------------------------------------------------------------


def test_it_lets_an_employee_take_a_task(bob_client, bob, alice):
    task = new_task(alice)
    assert "Take this task" in bob_client.get(detail_url(task)).content.decode()

    page = bob_client.post(action_url(task, "take"), follow=True)

    assert page.redirect_chain == [(detail_url(task), 302)]
    assert flashed(page) == ["The task is yours."]
    assert Task.objects.get().assignee == bob
    assert listed(bob_client) == [task.pk]  # now on "mine"


def test_it_assigns_a_task_to_a_colleague_and_to_nobody(bob_client, bob, dave, alice):
    task = new_task(alice, assignee=bob)
    options = bob_client.get(detail_url(task)).content.decode()
    assert f'<option value="{dave.pk}">Dave</option>' in options

    page = bob_client.post(action_url(task, "assign"), {"assignee": dave.pk}, follow=True)

    assert flashed(page) == ["The task is assigned to Dave."]
    assert Task.objects.get().assignee == dave

    page = bob_client.post(action_url(task, "assign"), {"assignee": ""}, follow=True)

    assert flashed(page) == ["The task is no longer assigned to anyone."]
    assert Task.objects.get().assignee is None


def test_it_refuses_to_assign_a_task_to_someone_who_is_not_an_employee(
    bob_client, bob, alice, django_user_model
):
    task = new_task(alice, assignee=bob)
    outsider = django_user_model.objects.create_user(username="olivia")

    for value in (outsider.pk, "9999", "nonsense"):
        page = bob_client.post(action_url(task, "assign"), {"assignee": value})
        assert page.status_code == 400
        assert "Select a valid choice." in page.content.decode()
    assert Task.objects.get().assignee == bob


def test_it_completes_a_task_and_closes_its_response(bob_client, bob, alice):
    task, response, invoice = complaint_task(alice, assignee=bob)
    assert excluded(invoice)

    page = bob_client.post(
        action_url(task, "complete"),
        {"outcome": "Creditnota verstuurd", "close_response": "on"},
        follow=True,
    )

    assert page.redirect_chain == [(detail_url(task), 302)]
    assert flashed(page) == ["The task is done and its response is closed."]
    task.refresh_from_db()
    assert (task.state, task.outcome, task.closed_by) == (
        TaskState.DONE,
        "Creditnota verstuurd",
        bob,
    )
    response.refresh_from_db()
    assert response.state == ResponseState.CLOSED
    assert not excluded(invoice)
    assert listed(bob_client, scope="all") == []


def test_it_completes_a_task_and_leaves_its_response_open_when_unticked(bob_client, bob, alice):
    task, response, invoice = complaint_task(alice, assignee=bob)

    page = bob_client.post(action_url(task, "complete"), {"outcome": "Gebeld"}, follow=True)

    assert flashed(page) == ["The task is done."]
    assert Task.objects.get().state == TaskState.DONE
    response.refresh_from_db()
    assert response.state == ResponseState.OPEN
    assert excluded(invoice)


def test_it_says_when_the_response_stays_open_for_another_task(bob_client, bob, alice):
    task, response, invoice = complaint_task(alice)
    new_task(alice, response=response, invoices=[invoice], kind=TaskKind.COPY_REQUEST)

    page = bob_client.post(
        action_url(task, "complete"), {"outcome": "Deel 1", "close_response": "on"}, follow=True
    )

    assert flashed(page) == [
        "The task is done. Its response stays open: another task for it is still open."
    ]
    response.refresh_from_db()
    assert response.state == ResponseState.OPEN


def test_it_asks_for_an_outcome_and_changes_nothing_without_one(bob_client, alice):
    task, response, _invoice = complaint_task(alice)

    for outcome in ("", "   ", "x" * 5001):
        page = bob_client.post(
            action_url(task, "complete"), {"outcome": outcome, "close_response": "on"}
        )
        assert page.status_code == 400
        html = page.content.decode()
        assert "field--invalid" in html
        # The box stays ticked as it was sent.
        assert 'id="id_close_response" checked' in html
    assert Task.objects.get().state == TaskState.OPEN
    response.refresh_from_db()
    assert response.state == ResponseState.OPEN


def test_it_refuses_to_complete_a_task_twice_with_a_clear_message(bob_client, bob, dave, alice):
    task, _response, _invoice = complaint_task(alice)
    task_complete(task=task, closed_by=dave, outcome="Dave was eerst")

    page = bob_client.post(
        action_url(task, "complete"), {"outcome": "Bob ook", "close_response": "on"}
    )

    # Bob's outcome is shown back to him, not thrown away.
    assert page.status_code == 409
    html = page.content.decode()
    assert "This task is already done." in html
    assert "Your outcome was not saved:" in html and "Bob ook" in html
    task.refresh_from_db()
    assert (task.outcome, task.closed_by) == ("Dave was eerst", dave)

    page = bob_client.post(action_url(task, "take"), follow=True)
    assert flashed(page) == ["This task is already done."]
    page = bob_client.post(action_url(task, "assign"), {"assignee": bob.pk}, follow=True)
    assert flashed(page) == ["This task is already done."]
    assert Task.objects.get().assignee is None


# --- The debtor's timeline and the overview -------------------------------------------------


def test_it_shows_a_debtors_tasks_on_their_timeline_and_nobody_elses(bob_client, bob, alice, carol):
    task, _response, _invoice = complaint_task(alice, title="Klacht van Alice")
    task_complete(task=task, closed_by=bob, outcome="Opgelost met een creditnota")
    new_task(alice, title="Nog te doen", kind=TaskKind.UNKNOWN_INVOICE)
    new_task(carol, title="Klacht van Carol")

    html = bob_client.get(alice.get_absolute_url()).content.decode()

    assert "Task: Klacht van Alice" in html
    assert "Task done: Klacht van Alice" in html
    assert "Opgelost met een creditnota" in html
    assert "Task: Nog te doen" in html
    assert "Invoice unknown" in html
    assert detail_url(task) in html
    assert "Klacht van Carol" not in html
    entries = [e for e in debtor_timeline(debtor=alice) if e.source == "task"]
    assert [(entry.state, entry.actor) for entry in entries] == [
        ("open", ""),
        ("", "Bob"),
        ("done", ""),
    ]


def test_it_reads_the_tasks_of_the_timeline_in_one_query(bob, alice):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            debtor_timeline(debtor=alice)
        return len(captured)

    new_task(alice)
    few = queries()
    for _ in range(10):
        task_complete(task=new_task(alice), closed_by=bob, outcome="Klaar")

    assert queries() == few


def test_it_shows_the_worklist_figures_on_the_overview(bob_client, bob, dave, alice):
    new_task(alice, days=-1, assignee=bob)
    new_task(alice, days=-2)
    new_task(alice, days=3, assignee=dave)

    page = bob_client.get(reverse("backoffice:home"))

    tasks = page.context["tasks"]
    assert (tasks.open, tasks.overdue, tasks.mine) == (3, 2, 1)
    html = page.content.decode()
    assert "Open tasks" in html and "Overdue tasks" in html and "Assigned to me" in html
    assert f"{WORKLIST}?scope=all&amp;overdue=on" in html


def test_it_offers_to_lift_an_exclusion_only_where_there_is_one(bob_client, alice, settings):
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    task, response, _invoice = complaint_task(alice)
    copy_type = ResponseType.objects.get(code="copy_request")
    copy = ResponseFactory(debtor=alice, response_type=copy_type, values={"email": "a@b.test"})
    plain = new_task(alice, kind=TaskKind.COPY_REQUEST, response=copy)

    excluding = bob_client.get(detail_url(task)).content.decode()
    not_excluding = bob_client.get(detail_url(plain)).content.decode()

    assert "Close the response (lifts its dunning exclusion)" in excluding
    assert "Close the response" in not_excluding
    assert "lifts its dunning exclusion" not in not_excluding
