"""Tampered and garbage input to the arrangement pages: whatever an employee's browser (or
anyone in their session) posts, the answer is a page that says what is wrong, never a server
error, and a refused decision leaves the arrangement, its instalments, its response, its review
task and the debtor's messages as they were."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from settle.arrangements.models import ArrangementState, Instalment, PaymentArrangement
from settle.arrangements.schedule import MAX_SCHEDULE
from settle.arrangements.services import (
    REASON_LENGTH,
    arrangement_accept,
    arrangement_reject,
)
from settle.arrangements.tests.factories import invoices_of, propose
from settle.backoffice.tests.support import (
    GARBAGE,
    HUGE,
    LONG,
    MISSING_PKS,
    errors_after,
    short,
    shown_errors,
)
from settle.correspondence.models import Message
from settle.responses.closing import response_close
from settle.responses.models import Response
from settle.worklist.models import Task, TaskKind

pytestmark = pytest.mark.django_db

TOTAL = "700.00"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def day(offset: int) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


@pytest.fixture
def proposal(alice) -> PaymentArrangement:
    """Seven instalments of €100: more than the policy allows, so under review."""
    arrangement = propose(
        alice, invoices_of(alice, "500.00", "200.00"), count=7, first_date=timezone.localdate()
    )
    assert arrangement.state == ArrangementState.UNDER_REVIEW
    return arrangement


def review_task(arrangement) -> Task:
    return Task.objects.get(response=arrangement.response, kind=TaskKind.ARRANGEMENT_REVIEW)


def detail_url(arrangement) -> str:
    return reverse("backoffice:arrangement_detail", args=[arrangement.pk])


def accept_url(arrangement) -> str:
    return reverse("backoffice:arrangement_accept", args=[arrangement.pk])


def reject_url(arrangement) -> str:
    return reverse("backoffice:arrangement_reject", args=[arrangement.pk])


def as_stored(arrangement: PaymentArrangement) -> dict:
    """Everything a decision writes, which a refused one must leave alone."""
    return {
        "arrangement": PaymentArrangement.objects.values(
            "state", "decided_by_id", "decided_at", "rejection_reason", "updated_at"
        ).get(pk=arrangement.pk),
        "instalments": list(
            Instalment.objects.filter(arrangement=arrangement).values_list(
                "number", "due_date", "amount"
            )
        ),
        "response": Response.objects.values("state", "close_note").get(pk=arrangement.response_id),
        "tasks": list(
            Task.objects.filter(response=arrangement.response_id)
            .order_by("pk")
            .values_list("state", "outcome", "closed_by_id")
        ),
        "messages": Message.objects.filter(debtor=arrangement.debtor_id).count(),
    }


def one_row(due_date: str = "", amount: str = "", **extra) -> dict:
    return {"rows": "1", "due_date_0": due_date, "amount_0": amount} | extra


def refused_with_a_message(response) -> list[str]:
    """The 400 page's errors, which a person must be able to read."""
    assert response.status_code == 400, response.status_code
    errors = shown_errors(response.content.decode())
    assert errors, "a 400 page that shows no error"
    return errors


# --- Unknown arrangements and the list ------------------------------------------------------


@pytest.mark.parametrize("pk", MISSING_PKS)
def test_it_answers_404_for_an_arrangement_that_does_not_exist(bob_client, proposal, pk):
    before = as_stored(proposal)

    assert bob_client.get(reverse("backoffice:arrangement_detail", args=[pk])).status_code == 404
    accept = reverse("backoffice:arrangement_accept", args=[pk])
    assert bob_client.post(accept, one_row(day(30), TOTAL)).status_code == 404
    reject = reverse("backoffice:arrangement_reject", args=[pk])
    assert bob_client.post(reject, {"reason": "No."}).status_code == 404

    assert as_stored(proposal) == before


@pytest.mark.parametrize(
    "params",
    [{name: value} for name in ("state", "page") for value in GARBAGE]
    + [{"state": ["accepted", "under_review\x00"], "page": ["1", "x"]}],
    ids=short,
)
def test_it_lists_arrangements_whatever_the_query_params(bob_client, proposal, params):
    response = bob_client.get(reverse("backoffice:arrangement_list"), params)

    assert response.status_code == 200
    assert [listed.pk for listed in response.context["page"]] == [proposal.pk]


# --- Accepting: the number of rows ----------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "read"),
    [(rows, 1) for rows in ["abc", "-5", "0", "", "1.5", "1e2", "9" * 5000, LONG, ["2", "x"]]]
    + [(rows, 2) for rows in ["2", " 2 ", "100000", HUGE, str(MAX_SCHEDULE + 1)]],
    ids=short,
)
def test_it_reads_no_more_rows_than_a_garbage_row_count_allows(bob_client, proposal, rows, read):
    before = as_stored(proposal)
    data = {
        "rows": rows,
        "due_date_0": day(30),
        "amount_0": "350.00",
        "due_date_1": day(60),
        "amount_1": "350.00",
    }

    response = bob_client.post(accept_url(proposal), data)

    if read == 1:
        errors = refused_with_a_message(response)
        assert any("add up to €350.00" in error for error in errors), errors
        assert as_stored(proposal) == before
    else:
        assert response.status_code == 302
        proposal.refresh_from_db()
        assert proposal.state == ArrangementState.ACCEPTED
        assert proposal.instalments.count() == 2


@pytest.mark.parametrize(
    ("decision", "field"), [("accept", "rows"), ("accept", "task"), ("reject", "task")]
)
def test_it_explains_a_nul_byte_in_a_hidden_input(bob_client, proposal, decision, field):
    before = as_stored(proposal)
    if decision == "accept":
        url, data = accept_url(proposal), one_row(day(30), TOTAL)
    else:
        url, data = reject_url(proposal), {"reason": "Too long."}

    response = bob_client.post(url, data | {field: "1\x00"})

    if response.status_code == 302:
        proposal.refresh_from_db()
        assert proposal.state != ArrangementState.UNDER_REVIEW
    else:
        refused_with_a_message(response)
        assert as_stored(proposal) == before


def test_it_ignores_rows_beyond_the_row_count(bob_client, proposal):
    data = one_row(day(30), TOTAL) | {"due_date_5": "garbage", "amount_5": "NaN"}

    response = bob_client.post(accept_url(proposal), data)

    assert response.status_code == 302
    assert list(proposal.instalments.values_list("amount", flat=True)) == [700]


def test_it_accepts_the_longest_schedule_and_refuses_one_row_more(bob_client, proposal):
    rows = MAX_SCHEDULE
    data = {"rows": str(rows + 50)}
    for index in range(rows + 1):
        data[f"due_date_{index}"] = day(index + 1)
        data[f"amount_{index}"] = "5.00"
    # 120 instalments of €5 fall €100 short; the 121st row would be read only past the limit.
    data["amount_0"] = "105.00"

    response = bob_client.post(accept_url(proposal), data)

    assert response.status_code == 302
    assert proposal.instalments.count() == MAX_SCHEDULE


# --- Accepting: amounts and dates -----------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    [
        *GARBAGE,
        *["abc", "NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf", "1e9", "7E2", "0x2BC"],
        *["½", "٧٠٠", "７００", "700,00,00", "7.00.00", "1.000.000,000", "--700", "€", "7\x0000"],
        *["-5", "-700.00", "0", "0.00", "-0", "700.001", "699.999999999999999999"],
        *["1.23456789", "9999999999.99", "99999999999999", "9" * 200, ["700.00", "abc"]],
    ],
    ids=short,
)
def test_it_refuses_a_garbage_amount_and_changes_nothing(bob_client, proposal, amount):
    before = as_stored(proposal)

    response = bob_client.post(accept_url(proposal), one_row(day(30), amount))

    refused_with_a_message(response)
    assert as_stored(proposal) == before


@pytest.mark.parametrize(
    "due_date",
    [
        *GARBAGE,
        *["2026-02-30", "2027-02-29", "2026-13-01", "2026-00-10", "31-02-2026", "0000-01-01"],
        *["0001-01-01", "1970-01-01", "10000-01-01", "+2030-01-01", "2030-01-01T00:00"],
        *["2030\x00-01-01", "٢٠٣٠-٠١-٠١", [day(30), "abc"]],
        # The last days of the calendar: their due moment (plus the grace days) overflows.
        *["9999-12-30", "9999-12-31"],
    ],
    ids=short,
)
def test_it_refuses_a_garbage_date_and_changes_nothing(bob_client, proposal, due_date):
    before = as_stored(proposal)

    response = bob_client.post(accept_url(proposal), one_row(due_date, TOTAL))

    refused_with_a_message(response)
    assert as_stored(proposal) == before


# --- Where a decision returns to ------------------------------------------------------------


def decide(client, arrangement, decision: str, task: str):
    if decision == "accept":
        return client.post(accept_url(arrangement), one_row(day(30), TOTAL, task=task))
    return client.post(reject_url(arrangement), {"reason": "Too long.", "task": task})


@pytest.mark.parametrize("decision", ["accept", "reject"])
@pytest.mark.parametrize(
    "task",
    ["abc", "-1", "0", "1.5", HUGE, "9" * 5000, LONG, "１２", "٣", "other", "<script>"],
    ids=short,
)
def test_it_returns_to_the_arrangement_after_a_decision_with_a_garbage_task(
    bob_client, alice, proposal, decision, task
):
    if task == "other":
        other = propose(
            alice, invoices_of(alice, "900.00"), count=9, first_date=timezone.localdate()
        )
        task = str(review_task(other).pk)

    response = decide(bob_client, proposal, decision, task)

    assert response.status_code == 302
    assert response["Location"] == detail_url(proposal)
    proposal.refresh_from_db()
    assert proposal.state != ArrangementState.UNDER_REVIEW


@pytest.mark.parametrize("decision", ["accept", "reject"])
@pytest.mark.parametrize("task", ["²", "①"])
def test_it_returns_to_the_arrangement_after_a_decision_with_a_superscript_task(
    bob_client, proposal, decision, task
):
    response = decide(bob_client, proposal, decision, task)

    assert response.status_code == 302
    assert response["Location"] == detail_url(proposal)


# --- Rejecting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        (None, "This field is required."),
        ("", "This field is required."),
        (" \n\t ", "This field is required."),
        ("x" * (REASON_LENGTH + 1), f"Ensure this value has at most {REASON_LENGTH} characters"),
        (LONG, f"Ensure this value has at most {REASON_LENGTH} characters"),
        ("\x00", "Null characters are not allowed."),
        ("Too\x00 long", "Null characters are not allowed."),
    ],
    ids=short,
)
def test_it_refuses_a_garbage_reason_and_changes_nothing(bob_client, proposal, reason, message):
    before = as_stored(proposal)
    data = {} if reason is None else {"reason": reason}

    response = bob_client.post(reject_url(proposal), data)

    errors = refused_with_a_message(response)
    assert any(message in error for error in errors), errors
    assert as_stored(proposal) == before


def test_it_keeps_a_reason_of_exactly_the_limit_after_stripping(bob_client, proposal):
    reason = "r" * REASON_LENGTH

    response = bob_client.post(reject_url(proposal), {"reason": f"\n {reason}  "})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.state, proposal.rejection_reason) == (ArrangementState.REJECTED, reason)


def test_it_shows_a_hostile_reason_escaped(bob_client, proposal):
    bob_client.post(reject_url(proposal), {"reason": "<img src=x onerror=alert(1)>"})

    html = bob_client.get(detail_url(proposal)).content.decode()

    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html


# --- Decisions on an arrangement that is no longer under review ------------------------------


@pytest.fixture(params=["accepted", "rejected"])
def decided(request, dave, proposal) -> PaymentArrangement:
    if request.param == "accepted":
        return arrangement_accept(arrangement=proposal, decided_by=dave)
    return arrangement_reject(arrangement=proposal, decided_by=dave, reason="Too long.")


def test_it_refuses_a_second_decision_with_a_message(bob_client, decided):
    before = as_stored(decided)

    for url, data in [
        (accept_url(decided), one_row(day(30), TOTAL)),
        (accept_url(decided), one_row()),
        (reject_url(decided), {"reason": "Changed my mind."}),
    ]:
        errors = errors_after(bob_client, bob_client.post(url, data))
        assert any("This arrangement has already been decided" in e for e in errors), errors
    assert as_stored(decided) == before


@pytest.mark.parametrize(
    ("decision", "data"),
    [
        ("accept", one_row("2026-02-30", "NaN")),
        ("accept", one_row(amount="700.00")),
        ("reject", {"reason": ""}),
        ("reject", {"reason": "x" * (REASON_LENGTH + 1)}),
    ],
    ids=short,
)
def test_it_explains_garbage_posted_to_decide_an_arrangement_already_decided(
    bob_client, decided, decision, data
):
    before = as_stored(decided)
    url = accept_url(decided) if decision == "accept" else reject_url(decided)

    response = bob_client.post(url, data)

    assert errors_after(bob_client, response)
    assert as_stored(decided) == before


def test_it_refuses_to_accept_once_the_response_is_closed_with_a_message(
    bob_client, dave, proposal
):
    response_close(response=proposal.response, closed_by=dave, note="Paid in full.")
    before = as_stored(proposal)

    response = bob_client.post(accept_url(proposal), one_row(day(30), TOTAL))

    errors = errors_after(bob_client, response)
    assert any("response of this arrangement has been closed" in e for e in errors), errors
    assert as_stored(proposal) == before


def test_it_refuses_to_complete_a_review_task_other_than_by_a_decision(bob_client, proposal):
    # The page offers no "complete" for a waiting review; a hand-made one closing the response
    # would leave a proposal under review that can no longer be accepted.
    task = review_task(proposal)
    before = as_stored(proposal)

    response = bob_client.post(
        reverse("backoffice:task_complete", args=[task.pk]),
        {"outcome": "Done", "close_response": "on"},
    )

    assert errors_after(bob_client, response)
    assert as_stored(proposal) == before
