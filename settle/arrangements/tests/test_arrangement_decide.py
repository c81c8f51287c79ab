"""An employee accepts (as proposed or with a changed schedule) or rejects a proposal."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from settle.arrangements.models import ArrangementState, InstalmentState
from settle.arrangements.services import arrangement_accept, arrangement_reject
from settle.arrangements.tests.factories import invoices_of, propose
from settle.common.errors import ApplicationError
from settle.correspondence.models import Message
from settle.responses.closing import response_close
from settle.responses.models import ResponseState
from settle.responses.selectors import invoices_excluded_from_dunning
from settle.worklist.models import Task, TaskKind, TaskState

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def today(travel):
    travel(TODAY)


@pytest.fixture
def proposal(alice):
    """Seven instalments: one more than the policy allows."""
    return propose(alice, invoices_of(alice, "500.00", "200.00"), count=7, first_date=TODAY)


def review_task(arrangement) -> Task:
    return Task.objects.get(response=arrangement.response, kind=TaskKind.ARRANGEMENT_REVIEW)


def test_it_accepts_the_proposal_as_it_was_made(proposal, bob):
    arrangement = arrangement_accept(arrangement=proposal, decided_by=bob)

    assert arrangement.state == ArrangementState.ACCEPTED
    assert arrangement.decided_by == bob
    assert arrangement.decided_at is not None
    instalments = list(arrangement.instalments.all())
    assert len(instalments) == 7
    assert instalments[0].due_date == TODAY
    assert instalments[6].due_date == date(2026, 9, 2)
    assert sum(i.amount for i in instalments) == Decimal("700.00")
    assert {i.state for i in instalments} == {InstalmentState.PENDING}


def test_it_completes_the_review_task_but_keeps_the_response_open(proposal, bob):
    arrangement_accept(arrangement=proposal, decided_by=bob)

    task = review_task(proposal)
    assert task.state == TaskState.DONE
    assert task.closed_by == bob
    assert task.outcome
    proposal.response.refresh_from_db()
    assert proposal.response.state == ResponseState.OPEN
    assert set(invoices_excluded_from_dunning()) == set(proposal.response.invoices.all())


def test_it_tells_the_debtor_the_accepted_schedule(proposal, bob):
    schedule = [(date(2026, 3, 10), Decimal("350.00")), (date(2026, 4, 10), Decimal("350.00"))]

    arrangement_accept(arrangement=proposal, decided_by=bob, instalments=schedule)

    message = Message.objects.get(kind="arrangement_accepted")
    assert "€\xa0350,00" in message.body_text
    assert "10 april 2026" in message.body_text
    assert "Wij hebben het schema wel aangepast" in message.body_text
    assert "Wij hebben het schema wel aangepast" in message.body_html


def test_it_does_not_speak_of_a_change_when_accepting_the_proposal_as_made(proposal, bob):
    arrangement_accept(arrangement=proposal, decided_by=bob)

    message = Message.objects.get(kind="arrangement_accepted")
    assert "Goed nieuws" in message.body_text
    assert "aangepast" not in message.body_text


def test_it_accepts_a_changed_schedule(proposal, bob):
    schedule = [
        (date(2026, 3, 31), Decimal("100.00")),
        (date(2026, 4, 30), Decimal("250.00")),
        (date(2026, 6, 1), Decimal("350.00")),
    ]

    arrangement = arrangement_accept(arrangement=proposal, decided_by=bob, instalments=schedule)

    assert [(i.due_date, i.amount) for i in arrangement.instalments.all()] == schedule


def _refusal(proposal, bob, schedule) -> ApplicationError:
    with translation.override("en"), pytest.raises(ApplicationError) as caught:
        arrangement_accept(arrangement=proposal, decided_by=bob, instalments=schedule)
    proposal.refresh_from_db()
    assert proposal.state == ArrangementState.UNDER_REVIEW
    assert not proposal.instalments.exists()
    assert review_task(proposal).state == TaskState.OPEN
    return caught.value


def test_it_refuses_a_schedule_that_does_not_add_up_to_the_total(proposal, bob):
    error = _refusal(
        proposal,
        bob,
        [(date(2026, 3, 10), Decimal("350.00")), (date(2026, 4, 10), Decimal("349.99"))],
    )

    assert error.message == (
        "The instalments add up to €699.99; they must add up to the total of €700.00."
    )
    assert [e.field for e in error.errors] == ["instalments"]


def test_it_refuses_dates_that_do_not_follow_each_other(proposal, bob):
    error = _refusal(
        proposal,
        bob,
        [
            (date(2026, 4, 10), Decimal("200.00")),
            (date(2026, 4, 10), Decimal("200.00")),
            (date(2026, 3, 10), Decimal("300.00")),
        ],
    )

    assert [(e.index, e.field) for e in error.errors] == [(1, "due_date"), (2, "due_date")]
    assert error.errors[0].message == "Choose a date after the one above."


def test_it_refuses_amounts_of_zero_or_less_or_of_fractions_of_a_cent(proposal, bob):
    error = _refusal(
        proposal,
        bob,
        [
            (date(2026, 3, 10), Decimal("0.00")),
            (date(2026, 4, 10), Decimal("-10.00")),
            (date(2026, 5, 10), Decimal("709.995")),
            (date(2026, 6, 10), Decimal("0.005")),
        ],
    )

    assert [(e.index, e.field) for e in error.errors] == [
        (0, "amount"),
        (1, "amount"),
        (2, "amount"),
        (3, "amount"),
    ]


def test_it_refuses_an_instalment_before_today(proposal, bob):
    error = _refusal(proposal, bob, [(date(2026, 3, 1), Decimal("700.00"))])

    assert [(e.index, e.field, e.message) for e in error.errors] == [
        (0, "due_date", "Choose today or a later date.")
    ]


@pytest.mark.parametrize("last", [date(2036, 3, 3), date(9999, 12, 31)])
def test_it_refuses_an_instalment_more_than_ten_years_ahead(proposal, bob, last):
    error = _refusal(
        proposal, bob, [(date(2036, 3, 2), Decimal("600.00")), (last, Decimal("100.00"))]
    )

    assert [(e.index, e.field, e.message) for e in error.errors] == [
        (1, "due_date", "Choose a date at most ten years from today.")
    ]
    assert proposal.instalments.count() == 0


def test_it_refuses_an_empty_schedule(proposal, bob):
    error = _refusal(proposal, bob, [])

    assert error.message == "Enter at least one instalment."


def test_it_refuses_a_proposal_whose_first_date_passed_during_the_review(proposal, bob, travel):
    travel(date(2026, 3, 5))

    error = _refusal(proposal, bob, None)

    assert [(e.index, e.field) for e in error.errors] == [(0, "due_date")]


def test_it_decides_only_once(proposal, bob, dave):
    arrangement_accept(arrangement=proposal, decided_by=bob)

    with translation.override("en"), pytest.raises(ApplicationError) as accepting:
        arrangement_accept(arrangement=proposal, decided_by=dave)
    with translation.override("en"), pytest.raises(ApplicationError) as rejecting:
        arrangement_reject(arrangement=proposal, decided_by=dave, reason="Too long")

    assert accepting.value.message == "This arrangement has already been decided: it is running."
    assert rejecting.value.message == accepting.value.message
    proposal.refresh_from_db()
    assert proposal.decided_by == bob
    assert proposal.instalments.count() == 7
    assert Message.objects.filter(kind="arrangement_accepted").count() == 1


def test_it_cannot_decide_an_arrangement_that_was_accepted_automatically(alice, bob):
    arrangement = propose(alice, invoices_of(alice, "300.00"), count=3, first_date=TODAY)

    with pytest.raises(ApplicationError):
        arrangement_reject(arrangement=arrangement, decided_by=bob, reason="No")


def test_it_does_not_accept_once_the_response_was_closed(proposal, bob):
    response_close(response=proposal.response, closed_by=bob, note="Paid by phone")

    with translation.override("en"), pytest.raises(ApplicationError) as caught:
        arrangement_accept(arrangement=proposal, decided_by=bob)

    assert "closed" in caught.value.message


def test_it_rejects_with_a_reason_and_closes_the_response(proposal, bob):
    arrangement = arrangement_reject(
        arrangement=proposal, decided_by=bob, reason="  Seven months is too long.  "
    )

    assert arrangement.state == ArrangementState.REJECTED
    assert arrangement.rejection_reason == "Seven months is too long."
    assert arrangement.decided_by == bob
    task = review_task(proposal)
    assert (task.state, task.closed_by) == (TaskState.DONE, bob)
    assert "Seven months is too long." in task.outcome
    proposal.response.refresh_from_db()
    assert proposal.response.state == ResponseState.CLOSED
    assert proposal.response.closed_by == bob


def test_it_lifts_the_dunning_exclusion_on_rejection(proposal, bob):
    assert invoices_excluded_from_dunning().count() == 2

    arrangement_reject(arrangement=proposal, decided_by=bob, reason="No.")

    assert not invoices_excluded_from_dunning().exists()


def test_it_tells_the_debtor_why_the_proposal_was_rejected(proposal, bob):
    arrangement_reject(arrangement=proposal, decided_by=bob, reason="Pay in three months.")

    message = Message.objects.get(kind="arrangement_rejected")
    assert message.recipient == "alice@example.test"
    assert "Pay in three months." in message.body_text


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_it_refuses_a_rejection_without_a_usable_reason(proposal, bob, reason):
    with pytest.raises(ApplicationError) as caught:
        arrangement_reject(arrangement=proposal, decided_by=bob, reason=reason)

    assert [e.field for e in caught.value.errors] == ["reason"]
    proposal.refresh_from_db()
    assert proposal.state == ArrangementState.UNDER_REVIEW
    assert review_task(proposal).state == TaskState.OPEN
