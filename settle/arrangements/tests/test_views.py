"""The back office's arrangement pages, and deciding a proposal from them or from its task."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from settle.arrangements.instalments import instalments_process_due
from settle.arrangements.models import ArrangementState
from settle.arrangements.tests.factories import invoices_of, pay, propose
from settle.responses.models import ResponseState
from settle.worklist.models import Task, TaskKind, TaskState

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def today(travel):
    travel(TODAY)


@pytest.fixture
def proposal(alice):
    return propose(alice, invoices_of(alice, "500.00", "200.00"), count=7, first_date=TODAY)


@pytest.fixture
def en(bob_client, settings):
    """Bob reads the back office in English (and the test's own texts are English too)."""
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def review_task(arrangement) -> Task:
    return Task.objects.get(response=arrangement.response, kind=TaskKind.ARRANGEMENT_REVIEW)


def detail_url(arrangement) -> str:
    return reverse("backoffice:arrangement_detail", args=[arrangement.pk])


def accept_url(arrangement) -> str:
    return reverse("backoffice:arrangement_accept", args=[arrangement.pk])


def reject_url(arrangement) -> str:
    return reverse("backoffice:arrangement_reject", args=[arrangement.pk])


def schedule_post(rows, *, task=None, count=None) -> dict:
    data = {"rows": str(count or len(rows))}
    if task is not None:
        data["task"] = str(task)
    for index, (due_date, amount) in enumerate(rows):
        data[f"due_date_{index}"] = due_date
        data[f"amount_{index}"] = amount
    return data


def test_it_keeps_the_pages_to_employees(client, alice, proposal):
    for url in (reverse("backoffice:arrangement_list"), detail_url(proposal)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("backoffice:login") in response["Location"]
    assert client.post(reject_url(proposal), {"reason": "No"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == ArrangementState.UNDER_REVIEW


def test_it_lists_arrangements_filtered_by_state(bob_client, alice, carol, proposal, en):
    running = propose(carol, invoices_of(carol, "300.00"), count=3, first_date=TODAY)

    everything = bob_client.get(reverse("backoffice:arrangement_list"))
    reviewing = bob_client.get(reverse("backoffice:arrangement_list"), {"state": "under_review"})
    odd = bob_client.get(reverse("backoffice:arrangement_list"), {"state": "<script>"})

    assert everything.status_code == 200
    assert {a.pk for a in everything.context["page"]} == {proposal.pk, running.pk}
    assert [a.pk for a in reviewing.context["page"]] == [proposal.pk]
    assert odd.status_code == 200
    assert "Alice Jansen" in everything.text and "Carol Smith" in everything.text


def test_it_shows_the_schedule_and_the_payment_progress(bob_client, alice, travel, en):
    arrangement = propose(alice, invoices_of(alice, "300.00"), count=3, first_date=TODAY)
    pay(alice, "150.00")
    travel(date(2026, 3, 4))
    instalments_process_due()

    page = bob_client.get(detail_url(arrangement))

    assert page.status_code == 200
    progress = page.context["progress"]
    assert (progress.paid, progress.remaining, progress.paid_count) == (
        Decimal("150.00"),
        Decimal("150.00"),
        1,
    )
    assert progress.next_row.number == 2
    assert progress.percent == 50
    assert [row.state for row in page.context["schedule"]] == ["paid", "pending", "pending"]
    assert "Paid so far: €150.00 of €300.00" in page.text
    assert "No. 2: €100.00 on 2 April 2026" in page.text
    assert 'value="50"' in page.text
    assert accept_url(arrangement) not in page.text


def test_it_answers_404_for_an_unknown_arrangement(bob_client):
    assert bob_client.get(reverse("backoffice:arrangement_detail", args=[999])).status_code == 404
    assert bob_client.post(reverse("backoffice:arrangement_accept", args=[999])).status_code == 404


def test_it_shows_the_decision_forms_filled_with_the_proposal(bob_client, proposal, en):
    page = bob_client.get(detail_url(proposal))

    assert page.status_code == 200
    assert "More than 6 instalments" in page.text
    assert 'name="due_date_0" value="2026-03-02"' in page.text
    assert 'name="due_date_6" value="2026-09-02"' in page.text
    assert 'name="amount_0" value="100.00"' in page.text
    # Two spare rows for added instalments.
    assert 'name="amount_8"' in page.text and 'name="amount_9"' not in page.text
    assert reverse("backoffice:task_detail", args=[review_task(proposal).pk]) in page.text


def test_it_puts_the_decision_forms_on_the_review_task(bob_client, proposal, en):
    task = review_task(proposal)

    page = bob_client.get(reverse("backoffice:task_detail", args=[task.pk]))

    assert page.status_code == 200
    assert accept_url(proposal) in page.text
    assert reject_url(proposal) in page.text
    assert f'name="task" value="{task.pk}"' in page.text
    assert 'name="amount_6" value="100.00"' in page.text


def test_it_accepts_from_the_task_and_returns_to_it(bob_client, bob, proposal):
    task = review_task(proposal)
    rows = [(f"2026-{month:02d}-02", "100.00") for month in range(3, 10)]

    response = bob_client.post(accept_url(proposal), schedule_post(rows, task=task.pk))

    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:task_detail", args=[task.pk])
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decided_by) == (ArrangementState.ACCEPTED, bob)
    task.refresh_from_db()
    assert task.state == TaskState.DONE
    page = bob_client.get(response["Location"])
    assert accept_url(proposal) not in page.text
    assert detail_url(proposal) in page.text


def test_it_accepts_a_changed_schedule_typed_the_dutch_way(bob_client, proposal):
    rows = [("2026-03-31", "350,00"), ("", ""), ("30-04-2026", "€ 350,00")]

    response = bob_client.post(accept_url(proposal), schedule_post(rows, count=9))

    assert response.status_code == 302
    assert response["Location"] == detail_url(proposal)
    assert [(i.due_date, i.amount) for i in proposal.instalments.all()] == [
        (date(2026, 3, 31), Decimal("350.00")),
        (date(2026, 4, 30), Decimal("350.00")),
    ]


@pytest.mark.parametrize(
    ("rows", "count", "error"),
    [
        ([("2026-03-31", "350.00"), ("2026-04-30", "300.00")], None, "add up to €650.00"),
        ([("2026-03-31", "700.00"), ("someday", "")], None, "Enter a valid date."),
        ([("2026-03-31", "350.00"), ("2026-04-30", "")], None, "Enter both a date and an"),
        ([("2026-03-31", "lots")], None, "Enter a number."),
        ([("2026-04-30", "350.00"), ("2026-03-31", "350.00")], None, "Choose a date after"),
        ([("2026-03-01", "700.00")], None, "Choose today or a later date."),
        ([("2026-03-31", "0.001"), ("2026-04-30", "699.999")], None, "decimal places"),
        ([], "abc", "Enter at least one instalment."),
        ([("", "")], 1, "Enter at least one instalment."),
    ],
)
def test_it_explains_a_schedule_it_cannot_accept(bob_client, proposal, en, rows, count, error):
    response = bob_client.post(accept_url(proposal), schedule_post(rows, count=count))

    assert response.status_code == 400
    assert error in response.text
    proposal.refresh_from_db()
    assert proposal.state == ArrangementState.UNDER_REVIEW
    assert not proposal.instalments.exists()


def test_it_fills_in_amounts_with_a_decimal_comma_in_dutch(bob_client, proposal):
    page = bob_client.get(detail_url(proposal))

    assert 'name="amount_0" value="100,00"' in page.text


def test_it_offers_three_rows_for_a_proposal_it_could_not_read(bob_client, alice, en):
    unreadable = propose(alice, invoices_of(alice, "90.00"), count=4, first_date="someday")

    page = bob_client.get(detail_url(unreadable))

    assert 'name="amount_2"' in page.text and 'name="amount_3"' not in page.text


def test_it_adds_rows_keeping_what_was_typed(bob_client, proposal, en):
    rows = [("2026-03-31", "123.45")]
    task = review_task(proposal)

    page = bob_client.post(
        accept_url(proposal), {**schedule_post(rows, task=task.pk, count=9), "more": "1"}
    )

    assert page.status_code == 200
    assert 'name="amount_11"' in page.text and 'name="amount_12"' not in page.text
    assert 'name="amount_0" value="123.45"' in page.text
    # Still on the task's page, and nothing decided.
    assert page.templates[0].name == "backoffice/task_detail.html"
    proposal.refresh_from_db()
    assert proposal.state == ArrangementState.UNDER_REVIEW


def test_it_shows_a_refused_schedule_on_the_task_it_came_from(bob_client, proposal, en):
    task = review_task(proposal)
    rows = [("2026-03-31", "350.00"), ("2026-04-30", "300.00")]

    page = bob_client.post(accept_url(proposal), schedule_post(rows, task=task.pk))

    assert page.status_code == 400
    assert page.templates[0].name == "backoffice/task_detail.html"
    assert "add up to €650.00" in page.text
    assert 'name="amount_1" value="300.00"' in page.text


def test_it_shows_a_refused_rejection_on_the_task_it_came_from(bob_client, proposal, en):
    task = review_task(proposal)

    page = bob_client.post(reject_url(proposal), {"reason": "", "task": str(task.pk)})

    assert page.status_code == 400
    assert page.templates[0].name == "backoffice/task_detail.html"
    assert "Give the reason" in page.text or "This field is required." in page.text


def test_it_refuses_to_decide_twice_without_an_error_page(bob_client, proposal, en):
    rows = [("2026-03-31", "700.00")]
    bob_client.post(accept_url(proposal), schedule_post(rows))

    again = bob_client.post(accept_url(proposal), schedule_post(rows))
    rejected = bob_client.post(reject_url(proposal), {"reason": "Too late"})

    for response in (again, rejected):
        assert response.status_code == 302
        assert response["Location"] == detail_url(proposal)
    page = bob_client.get(detail_url(proposal))
    assert page.text.count("This arrangement has already been decided: it is running.") == 2
    assert proposal.instalments.count() == 1


def test_it_rejects_with_a_reason_from_the_task(bob_client, bob, proposal):
    task = review_task(proposal)

    response = bob_client.post(
        reject_url(proposal), {"reason": "Seven months is too long.", "task": str(task.pk)}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:task_detail", args=[task.pk])
    proposal.refresh_from_db()
    proposal.response.refresh_from_db()
    assert proposal.state == ArrangementState.REJECTED
    assert proposal.response.state == ResponseState.CLOSED


def test_it_asks_for_the_reason_of_a_rejection(bob_client, proposal, en):
    response = bob_client.post(reject_url(proposal), {"reason": "   "})

    assert response.status_code == 400
    assert "This field is required." in response.text
    proposal.refresh_from_db()
    assert proposal.state == ArrangementState.UNDER_REVIEW


@pytest.mark.parametrize("task", ["other", "abc", "-1", "99999999999999999999999"])
def test_it_returns_only_to_a_task_of_the_same_arrangement(bob_client, alice, proposal, task):
    other = propose(alice, invoices_of(alice, "700.00"), count=7, first_date=TODAY)
    if task == "other":
        task = str(review_task(other).pk)

    response = bob_client.post(reject_url(proposal), {"reason": "No.", "task": task})

    assert response.status_code == 302
    assert response["Location"] == detail_url(proposal)


def test_it_only_takes_decisions_by_post(bob_client, proposal):
    assert bob_client.get(accept_url(proposal)).status_code == 405
    assert bob_client.get(reject_url(proposal)).status_code == 405
