"""A debtor's proposal: accepted at once within the policy, otherwise put to an employee."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from settle.arrangements.models import (
    ArrangementPolicy,
    ArrangementState,
    Instalment,
    InstalmentState,
    PaymentArrangement,
)
from settle.arrangements.policy import failure_texts, policy_for
from settle.arrangements.services import arrangement_start
from settle.arrangements.tests.factories import AMSTERDAM, arrangement_type, invoices_of, propose
from settle.common.errors import ApplicationError
from settle.correspondence.models import Message
from settle.receivables.tests.factories import DebtorFactory
from settle.responses.models import ResponseState, ResponseType
from settle.responses.selectors import invoices_excluded_from_dunning
from settle.worklist.models import Task, TaskKind, TaskState

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def today(travel):
    travel(TODAY)


def test_it_accepts_a_proposal_within_the_policy_at_once(alice):
    invoices = invoices_of(alice, "200.00", "100.00")

    arrangement = propose(alice, invoices, count=3, first_date=date(2026, 3, 20))

    assert arrangement.state == ArrangementState.ACCEPTED
    assert arrangement.total == Decimal("300.00")
    assert arrangement.decided_by is None
    assert [(i.number, i.due_date, i.amount, i.state) for i in arrangement.instalments.all()] == [
        (1, date(2026, 3, 20), Decimal("100.00"), InstalmentState.PENDING),
        (2, date(2026, 4, 20), Decimal("100.00"), InstalmentState.PENDING),
        (3, date(2026, 5, 20), Decimal("100.00"), InstalmentState.PENDING),
    ]
    assert not Task.objects.exists()


def test_it_checks_each_instalment_at_the_start_of_its_due_date_plus_the_grace_days(alice):
    arrangement = propose(alice, invoices_of(alice, "90.00"), count=3, first_date=TODAY)

    first = arrangement.instalments.get(number=1)
    assert first.due_at == datetime(2026, 3, 4, 0, 0, tzinfo=AMSTERDAM)
    # Summer time from 29 March: still midnight in Amsterdam.
    second = arrangement.instalments.get(number=2)
    assert second.due_at == datetime(2026, 4, 4, 0, 0, tzinfo=AMSTERDAM)


def test_it_keeps_the_response_open_so_the_invoices_stay_out_of_dunning(alice):
    invoices = invoices_of(alice, "300.00")

    arrangement = propose(alice, invoices, count=3, first_date=date(2026, 3, 20))

    assert arrangement.response.state == ResponseState.OPEN
    assert list(invoices_excluded_from_dunning()) == invoices


def test_it_sends_the_debtor_the_schedule(alice):
    propose(alice, invoices_of(alice, "1571.50"), count=3, first_date=date(2026, 3, 31))

    message = Message.objects.get(kind="arrangement_accepted")
    assert message.recipient == "alice@example.test"
    assert message.debtor == alice
    for text in ("€\xa01.571,50", "€\xa0523,83", "€\xa0523,84", "31 maart 2026", "30 april 2026"):
        assert text in message.body_text


def test_it_writes_by_letter_to_a_debtor_without_an_e_mail_address(db):
    debtor = DebtorFactory(email="")

    propose(debtor, invoices_of(debtor, "300.00"), count=3, first_date=date(2026, 3, 20))

    message = Message.objects.get(kind="arrangement_accepted")
    assert message.channel == "letter"


def test_it_keeps_the_arrangement_of_a_debtor_who_cannot_be_written_to(db):
    debtor = DebtorFactory(email="", street="", postal_code="", city="")

    arrangement = propose(debtor, invoices_of(debtor, "300.00"), count=3, first_date=TODAY)

    assert arrangement.state == ArrangementState.ACCEPTED
    assert arrangement.instalments.count() == 3
    assert not Message.objects.filter(kind="arrangement_accepted").exists()


def test_it_starts_once_per_response(alice):
    arrangement = propose(alice, invoices_of(alice, "300.00"), count=3, first_date=TODAY)

    again = arrangement_start(response=arrangement.response)

    assert again == arrangement
    assert PaymentArrangement.objects.count() == 1
    assert Instalment.objects.count() == 3
    assert Message.objects.filter(kind="arrangement_accepted").count() == 1


def test_it_keeps_the_type_settings_of_the_moment_it_was_proposed(alice):
    response_type = arrangement_type()
    response_type.grace_days, response_type.on_broken = 5, "resume"
    response_type.save()

    arrangement = propose(alice, invoices_of(alice, "300.00"), count=3, first_date=TODAY)
    response_type.grace_days, response_type.on_broken = 1, "task"
    response_type.save()

    arrangement.refresh_from_db()
    assert (arrangement.grace_days, arrangement.on_broken) == (5, "resume")
    assert arrangement.instalments.get(number=1).due_at == datetime(2026, 3, 7, tzinfo=AMSTERDAM)


def test_it_makes_the_policy_with_its_defaults_on_first_use(alice):
    propose(alice, invoices_of(alice, "300.00"), count=3, first_date=TODAY)

    policy = ArrangementPolicy.objects.get(response_type=arrangement_type())
    assert (
        policy.max_instalments,
        policy.min_instalment_amount,
        policy.max_total_amount,
        policy.max_days_to_first,
        policy.max_duration_months,
        policy.no_auto_accept_months,
    ) == (6, Decimal("25.00"), Decimal("5000.00"), 30, 12, 12)


def _review(arrangement) -> Task:
    return Task.objects.get(response=arrangement.response, kind=TaskKind.ARRANGEMENT_REVIEW)


@pytest.mark.parametrize(
    ("amounts", "count", "first_date", "rule"),
    [
        (["700.00"], 7, TODAY, "More than 6 instalments"),
        (["60.00"], 3, TODAY, "An instalment below €25.00"),
        (["3000.00", "2000.01"], 6, TODAY, "Total above €5,000.00"),
        (["300.00"], 3, TODAY + timedelta(days=31), "First instalment more than 30 days away"),
        (["300.00"], 3, TODAY - timedelta(days=1), "First instalment date lies in the past"),
    ],
)
def test_it_puts_a_proposal_outside_the_policy_to_an_employee(
    alice, amounts, count, first_date, rule
):
    arrangement = propose(alice, invoices_of(alice, *amounts), count=count, first_date=first_date)

    assert arrangement.state == ArrangementState.UNDER_REVIEW
    assert not arrangement.instalments.exists()
    with translation.override("en"):
        assert failure_texts(arrangement.policy_failures) == [rule]
    task = _review(arrangement)
    assert task.state == TaskState.OPEN
    assert task.debtor == alice
    assert set(task.invoices.all()) == set(arrangement.response.invoices.all())
    assert task.due_date == TODAY + timedelta(days=2)


def test_it_gives_the_review_the_days_the_type_sets_for_its_tasks(alice):
    ResponseType.objects.filter(code="arrangement").update(task_due_days=5)

    arrangement = propose(alice, invoices_of(alice, "700.00"), count=7, first_date=TODAY)

    assert _review(arrangement).due_date == TODAY + timedelta(days=5)


def test_it_passes_a_proposal_right_at_the_limits(alice):
    # Six instalments of exactly € 25, the first one 30 days away.
    arrangement = propose(
        alice, invoices_of(alice, "150.00"), count=6, first_date=TODAY + timedelta(days=30)
    )

    assert arrangement.state == ArrangementState.ACCEPTED
    assert arrangement.policy_failures == []


def test_it_names_every_rule_that_failed_in_the_task(alice):
    with translation.override("en"):
        arrangement = propose(
            alice, invoices_of(alice, "6000.00"), count=12, first_date=TODAY + timedelta(days=40)
        )

    with translation.override("en"):
        texts = failure_texts(arrangement.policy_failures)
    assert texts == [
        "More than 6 instalments",
        "Total above €5,000.00",
        "First instalment more than 30 days away",
        "Runs longer than 12 months",
    ]
    task = _review(arrangement)
    assert task.title
    # The task is written in the organisation's language: amounts in Dutch notation.
    assert "€\xa06.000,00" in task.description
    assert "€\xa0500,00" in task.description
    assert task.description.count("\n- ") == 4


def test_it_refuses_a_proposal_that_runs_longer_than_the_policy_allows(alice):
    policy = policy_for(arrangement_type())
    policy.max_duration_months = 3
    policy.save()

    # Four instalments from today end three months from today: just within.
    within = propose(alice, invoices_of(alice, "400.00"), count=4, first_date=TODAY)
    longer = propose(
        alice, invoices_of(alice, "400.00"), count=4, first_date=TODAY + timedelta(days=1)
    )

    assert within.state == ArrangementState.ACCEPTED
    with translation.override("en"):
        assert failure_texts(longer.policy_failures) == ["Runs longer than 3 months"]


def test_it_does_not_auto_accept_after_a_defaulted_arrangement_within_the_window(alice):
    earlier = propose(alice, invoices_of(alice, "300.00"), count=3, first_date=TODAY)
    PaymentArrangement.objects.filter(pk=earlier.pk).update(
        state=ArrangementState.DEFAULTED, ended_at=datetime(2025, 4, 1, tzinfo=AMSTERDAM)
    )

    arrangement = propose(alice, invoices_of(alice, "300.00"), count=3, first_date=TODAY)

    with translation.override("en"):
        assert failure_texts(arrangement.policy_failures) == [
            "Broke a promise or arrangement in the last 12 months"
        ]


def test_it_forgets_a_default_longer_ago_than_the_window(alice):
    earlier = propose(alice, invoices_of(alice, "300.00"), count=3, first_date=TODAY)
    PaymentArrangement.objects.filter(pk=earlier.pk).update(
        state=ArrangementState.DEFAULTED, ended_at=datetime(2025, 3, 1, tzinfo=AMSTERDAM)
    )

    arrangement = propose(alice, invoices_of(alice, "300.00"), count=3, first_date=TODAY)

    assert arrangement.state == ArrangementState.ACCEPTED


def test_it_does_not_auto_accept_after_a_broken_promise(alice, travel):
    from settle.responses.promises import promises_process_due
    from settle.responses.services import response_submit

    promise_type = arrangement_type().__class__.objects.get(code="promise")
    travel(date(2026, 1, 5))
    response_submit(
        debtor=alice,
        response_type=promise_type,
        invoices=invoices_of(alice, "80.00"),
        values={"promised_date": "2026-01-08"},
        submission_key="promise-1",
    )
    travel(date(2026, 1, 12))
    promises_process_due()
    travel(TODAY)

    arrangement = propose(alice, invoices_of(alice, "300.00"), count=3, first_date=TODAY)

    with translation.override("en"):
        assert failure_texts(arrangement.policy_failures) == [
            "Broke a promise or arrangement in the last 12 months"
        ]


def test_it_tells_the_debtor_that_the_proposal_is_being_reviewed(carol):
    propose(carol, invoices_of(carol, "700.00"), count=7, first_date=TODAY)

    message = Message.objects.get(kind="arrangement_under_review")
    assert message.recipient == "carol@example.test"
    assert not Message.objects.filter(kind="arrangement_accepted").exists()


@pytest.mark.parametrize(
    "values",
    [
        {"instalments": 0, "first_date": "2026-03-10"},
        {"instalments": "three", "first_date": "2026-03-10"},
        {"instalments": 3, "first_date": "soon"},
        {"instalments": 5000, "first_date": "2026-03-10"},
        {"instalments": 10**15, "first_date": "2026-03-10"},
        {"instalments": 3, "first_date": "2026-02-30"},
    ],
)
def test_it_puts_an_unreadable_proposal_to_an_employee(alice, values):
    from settle.responses.services import response_submit

    response = response_submit(
        debtor=alice,
        response_type=arrangement_type(),
        invoices=invoices_of(alice, "300.00"),
        values=values,
        submission_key="odd",
        channel="api",
    )
    arrangement = arrangement_start(response=response)

    assert arrangement.state == ArrangementState.UNDER_REVIEW
    with translation.override("en"):
        assert failure_texts(arrangement.policy_failures) == [
            "The number of instalments or the first date cannot be read"
        ]
    assert "\n" in _review(arrangement).description


def test_it_refuses_a_proposal_without_a_first_date_instead_of_guessing(alice):
    from settle.responses.services import response_submit

    with pytest.raises(ApplicationError) as refusal:
        response_submit(
            debtor=alice,
            response_type=arrangement_type(),
            invoices=invoices_of(alice, "300.00"),
            values={"instalments": 3},
            submission_key="odd",
            channel="api",
        )

    assert [error.field for error in refusal.value.errors] == ["first_date"]
    assert not PaymentArrangement.objects.exists()
