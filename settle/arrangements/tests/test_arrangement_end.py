"""An employee ends a running arrangement early, at the debtor's request: its later
instalments are cancelled, the debtor is told why, and dunning resumes."""

from datetime import date

import pytest
from django.utils import translation

from settle.arrangements.instalments import arrangement_end, instalments_process_due
from settle.arrangements.models import ArrangementState
from settle.arrangements.tests.factories import invoices_of, pay, propose
from settle.common.errors import ApplicationError
from settle.correspondence.models import Message
from settle.responses.models import ResponseState
from settle.responses.selectors import invoices_excluded_from_dunning

pytestmark = pytest.mark.django_db

REASON = "De debiteur betaalt de rest in één keer."


@pytest.fixture
def running(alice, travel):
    """Alice's € 300 in three instalments of € 100 from 10 March, the first one paid."""
    travel(date(2026, 3, 2))
    arrangement = propose(alice, invoices_of(alice, "300.00"), count=3, first_date="2026-03-10")
    assert arrangement.state == ArrangementState.ACCEPTED
    travel(date(2026, 3, 9))
    pay(alice, "100.00")
    return arrangement


def states(arrangement) -> list[str]:
    return list(arrangement.instalments.order_by("number").values_list("state", flat=True))


def test_it_ends_the_arrangement_cancels_what_is_left_and_resumes_dunning(running, bob, travel):
    travel(date(2026, 3, 20))

    arrangement_end(arrangement=running, ended_by=bob, reason=f"  {REASON} ")

    running.refresh_from_db()
    assert (running.state, running.end_reason, running.ended_by) == (
        ArrangementState.ENDED,
        REASON,
        bob,
    )
    assert running.ended_at is not None
    assert states(running) == ["paid", "cancelled", "cancelled"]
    running.response.refresh_from_db()
    assert running.response.state == ResponseState.CLOSED
    assert REASON in running.response.close_note
    assert not invoices_excluded_from_dunning().exists()
    travel(date(2026, 6, 1))
    assert instalments_process_due() == 0


def test_it_tells_the_debtor_why_in_their_language(running, bob):
    arrangement_end(arrangement=running, ended_by=bob, reason=REASON)

    message = Message.objects.get(kind="arrangement_ended")
    assert message.recipient == "alice@example.test"
    assert message.language == "nl"
    assert "beëindigd" in message.subject
    assert f"Reden: {REASON}" in message.body_text
    assert "€\xa0100,00" in message.body_text  # paid so far


def test_it_writes_to_a_debtor_without_email_by_letter(travel, bob):
    from settle.receivables.tests.factories import DebtorFactory

    debtor = DebtorFactory(email="", language="en")
    travel(date(2026, 3, 2))
    arrangement = propose(debtor, invoices_of(debtor, "300.00"), count=3, first_date="2026-03-10")

    arrangement_end(arrangement=arrangement, ended_by=bob, reason="At your request.")

    message = Message.objects.get(kind="arrangement_ended")
    assert (message.channel, message.language) == ("letter", "en")
    assert "Reason: At your request." in message.body_html


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_refuses_without_a_reason(running, bob, reason):
    with pytest.raises(ApplicationError) as refusal:
        arrangement_end(arrangement=running, ended_by=bob, reason=reason)

    assert [error.field for error in refusal.value.errors] == ["reason"]
    running.refresh_from_db()
    assert running.state == ArrangementState.ACCEPTED
    assert states(running) == ["paid", "pending", "pending"]


def test_it_refuses_an_arrangement_that_is_not_running(running, alice, bob):
    pay(alice, "200.00")  # paid in full: completed
    running.refresh_from_db()
    assert running.state == ArrangementState.COMPLETED

    with translation.override("en"), pytest.raises(ApplicationError) as refusal:
        arrangement_end(arrangement=running, ended_by=bob, reason=REASON)

    assert refusal.value.message == (
        "Only a running arrangement can be ended; this one is completed."
    )
    assert not Message.objects.filter(kind="arrangement_ended").exists()
