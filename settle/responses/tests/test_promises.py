"""Promises to pay, travelling through time: made, checked at the promised date plus the grace
days, kept or broken; and exactly once after an outage. Two workers: test_promises_concurrency."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from settle.correspondence.models import Message
from settle.receivables.models import Invoice
from settle.receivables.services.payments import payment_book
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory
from settle.responses.models import (
    OnBroken,
    PaymentPromise,
    PromiseState,
    Response,
    ResponseState,
    ResponseType,
)
from settle.responses.promises import promises_process_due
from settle.responses.selectors import invoices_excluded_from_dunning
from settle.responses.services import response_submit
from settle.worklist.models import Task, TaskKind, TaskState

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# A Monday morning in Amsterdam; the promise in the example: pay in 3 days, check in 5.
START = datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM)
TODAY = START.date()


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM)


def promise_type() -> ResponseType:
    return ResponseType.objects.get(code="promise")


def promise(debtor, invoices, promised: date, *, key: str = "") -> Response:
    return response_submit(
        debtor=debtor,
        response_type=promise_type(),
        invoices=invoices,
        values={"promised_date": promised.isoformat()},
        submission_key=key or f"promise-{debtor.number}-{invoices[0].number}",
    )


def work_off() -> int:
    """Run the check until nothing is due, as the worker loop would."""
    total = 0
    while handled := promises_process_due():
        total += handled
    return total


def state_of(response: Response) -> str:
    return PaymentPromise.objects.get(response=response).state


def in_dutch(text: str) -> str:
    with translation.override("nl"):
        return translation.gettext(text)


def broken_messages() -> list[Message]:
    return list(Message.objects.filter(kind="promise_broken"))


# --- Making a promise ---------------------------------------------------------------------


def test_it_records_the_promise_with_its_check_after_the_grace_days(clock, alice):
    first = InvoiceFactory(debtor=alice, amount=Decimal("100.00"))
    second = InvoiceFactory(debtor=alice, amount=Decimal("21.50"))

    response = promise(alice, [first, second], TODAY + timedelta(days=3))

    made = PaymentPromise.objects.get(response=response)
    assert made.state == PromiseState.PENDING
    assert made.promised_date == TODAY + timedelta(days=3)
    assert made.due_at == at(TODAY + timedelta(days=5))
    assert made.amount == Decimal("121.50")
    assert (made.grace_days, made.on_broken, made.notify_broken) == (2, OnBroken.TASK, True)
    assert made.debtor == alice


def test_it_confirms_the_promise_instead_of_the_plain_confirmation(clock, carol):
    invoice = InvoiceFactory(debtor=carol, number="F-77", amount=Decimal("1571.50"))

    promise(carol, [invoice], TODAY + timedelta(days=3))

    [message] = Message.objects.all()
    assert message.kind == "promise_confirmed"
    assert message.recipient == "carol@example.test"
    assert "5 March 2026" in message.body_text
    assert "1,571.50" in message.body_text


def test_it_records_a_promise_of_a_debtor_without_email_without_a_message(clock):
    debtor = DebtorFactory(email="")

    response = promise(debtor, [InvoiceFactory(debtor=debtor)], TODAY)

    assert PaymentPromise.objects.get(response=response).due_at == at(TODAY + timedelta(days=2))
    assert not Message.objects.exists()


# --- The promised date the portal accepts -------------------------------------------------


def respond(client, invoice, promised: str):
    from settle.portal.respond import submission_key_new

    return client.post(
        reverse("portal:respond"),
        {
            "invoice": [invoice.pk],
            "type": "promise",
            "submission_key": submission_key_new(),
            "f_promised_date": promised,
        },
    )


@pytest.mark.parametrize(
    ("days", "error"),
    [
        (-1, "Choose today or a later date."),
        (31, "Choose a date at most 30 days from today: 1 April 2026 or earlier."),
    ],
)
def test_it_refuses_a_date_before_today_or_beyond_the_maximum(
    clock, carol, carol_portal, days, error
):
    invoice = InvoiceFactory(debtor=carol)

    page = respond(carol_portal, invoice, (TODAY + timedelta(days=days)).isoformat())

    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="id_f_promised_date_error"><li>{error}' in html
    assert not Response.objects.exists()
    assert not PaymentPromise.objects.exists()


def test_it_accepts_today_and_the_last_day_allowed(clock, carol, carol_portal):
    for days in (0, 30):
        invoice = InvoiceFactory(debtor=carol)
        page = respond(carol_portal, invoice, (TODAY + timedelta(days=days)).isoformat())
        assert page.status_code == 302, days

    assert sorted(PaymentPromise.objects.values_list("promised_date", flat=True)) == [
        TODAY,
        TODAY + timedelta(days=30),
    ]


def test_it_allows_as_many_days_as_the_type_says(clock, carol, carol_portal):
    ResponseType.objects.filter(code="promise").update(promise_max_days=7)
    invoice = InvoiceFactory(debtor=carol)

    refused = respond(carol_portal, invoice, (TODAY + timedelta(days=8)).isoformat())
    accepted = respond(carol_portal, invoice, (TODAY + timedelta(days=7)).isoformat())

    assert "at most 7 days from today" in refused.content.decode()
    assert accepted.status_code == 302


# --- Kept -----------------------------------------------------------------------------------


def test_it_keeps_the_promise_at_once_when_a_payment_pays_the_invoices(clock, alice):
    first = InvoiceFactory(debtor=alice, number="F-1", amount=Decimal("100.00"))
    second = InvoiceFactory(debtor=alice, number="F-2", amount=Decimal("50.00"))
    response = promise(alice, [first, second], TODAY + timedelta(days=3))
    clock.move_to(at(TODAY + timedelta(days=1), 14))

    payment_book(
        amount=Decimal("100.00"), date=TODAY, source="bank", allocations=[("F-1", Decimal("100"))]
    )
    assert state_of(response) == PromiseState.PENDING  # one invoice is still open

    payment_book(
        amount=Decimal("50.00"), date=TODAY, source="bank", allocations=[("F-2", Decimal("50"))]
    )

    response.refresh_from_db()
    assert state_of(response) == PromiseState.KEPT
    assert response.state == ResponseState.CLOSED
    clock.move_to(at(TODAY + timedelta(days=10)))
    assert work_off() == 0
    assert not Task.objects.exists()
    assert not broken_messages()


def test_it_finds_the_promise_kept_at_the_check_and_closes_quietly(clock, alice):
    invoice = InvoiceFactory(debtor=alice)
    response = promise(alice, [invoice], TODAY + timedelta(days=3))
    # Paid, as the ERP reports it: the open amount drops without a payment booked here.
    Invoice.objects.filter(pk=invoice.pk).update(open_amount=0)

    clock.move_to(at(TODAY + timedelta(days=4), 23, 59))
    assert work_off() == 0  # the check is not due before the grace days are over
    clock.move_to(at(TODAY + timedelta(days=5)))
    assert work_off() == 1

    response.refresh_from_db()
    assert state_of(response) == PromiseState.KEPT
    assert response.state == ResponseState.CLOSED
    assert response.close_note == in_dutch("The promise to pay was kept.")
    assert not Task.objects.exists()
    assert not broken_messages()


# --- Broken ---------------------------------------------------------------------------------


def test_it_hands_a_broken_promise_to_an_employee(clock, alice):
    invoice = InvoiceFactory(debtor=alice, number="F-9", amount=Decimal("80.00"))
    response = promise(alice, [invoice], TODAY + timedelta(days=3))
    payment_book(
        amount=Decimal("30.00"), date=TODAY, source="bank", allocations=[("F-9", Decimal("30"))]
    )
    check_day = TODAY + timedelta(days=5)

    clock.move_to(at(check_day, 6))
    assert work_off() == 1

    response.refresh_from_db()
    assert state_of(response) == PromiseState.BROKEN
    assert response.state == ResponseState.OPEN
    assert invoices_excluded_from_dunning().filter(pk=invoice.pk).exists()
    task = Task.objects.get()
    assert task.kind == TaskKind.PROMISE_BROKEN
    assert task.title == in_dutch("Promise to pay not kept")
    assert (task.debtor, task.response, task.due_date) == (alice, response, check_day)
    assert task.state == TaskState.OPEN
    assert list(task.invoices.all()) == [invoice]
    assert "F-9" in task.description and "50,00" in task.description
    [message] = broken_messages()
    assert message.recipient == "alice@example.test"
    assert message.idempotency_key == f"promise-broken:{response.promise.pk}"


def test_it_resumes_dunning_on_a_broken_promise_when_the_type_says_so(clock, alice):
    ResponseType.objects.filter(code="promise").update(on_broken=OnBroken.RESUME)
    invoice = InvoiceFactory(debtor=alice)
    response = promise(alice, [invoice], TODAY + timedelta(days=3))
    assert invoices_excluded_from_dunning().filter(pk=invoice.pk).exists()

    clock.move_to(at(TODAY + timedelta(days=5)))
    assert work_off() == 1

    response.refresh_from_db()
    assert state_of(response) == PromiseState.BROKEN
    assert response.state == ResponseState.CLOSED
    assert response.close_note == in_dutch("The promise to pay was not kept; dunning resumes.")
    assert not invoices_excluded_from_dunning().filter(pk=invoice.pk).exists()
    assert not Task.objects.exists()
    assert len(broken_messages()) == 1


def test_it_tells_the_debtor_only_when_the_type_says_so(clock, alice):
    ResponseType.objects.filter(code="promise").update(notify_broken=False)
    promise(alice, [InvoiceFactory(debtor=alice)], TODAY)

    clock.move_to(at(TODAY + timedelta(days=2)))
    assert work_off() == 1

    assert Task.objects.count() == 1
    assert not broken_messages()


def test_it_handles_a_broken_promise_of_a_debtor_without_email(clock):
    debtor = DebtorFactory(email="")
    promise(debtor, [InvoiceFactory(debtor=debtor)], TODAY)

    clock.move_to(at(TODAY + timedelta(days=2)))
    assert work_off() == 1

    assert Task.objects.count() == 1
    assert not Message.objects.exists()


def test_it_only_records_the_outcome_when_someone_closed_the_response_before(clock, alice):
    from settle.responses.closing import response_close

    response = promise(alice, [InvoiceFactory(debtor=alice)], TODAY)
    response_close(response=response, note="Debtor called: paying next week.")

    clock.move_to(at(TODAY + timedelta(days=2)))
    assert work_off() == 1

    response.refresh_from_db()
    assert state_of(response) == PromiseState.BROKEN
    assert response.close_note == "Debtor called: paying next week."
    assert not Task.objects.exists()
    assert not broken_messages()


def test_it_keeps_the_settings_the_promise_was_made_with(clock, alice):
    response = promise(alice, [InvoiceFactory(debtor=alice)], TODAY + timedelta(days=3))
    ResponseType.objects.filter(code="promise").update(
        grace_days=10, on_broken=OnBroken.RESUME, notify_broken=False
    )

    clock.move_to(at(TODAY + timedelta(days=5)))
    assert work_off() == 1

    response.refresh_from_db()
    assert response.state == ResponseState.OPEN
    assert Task.objects.filter(kind=TaskKind.PROMISE_BROKEN, response=response).count() == 1
    assert len(broken_messages()) == 1


# --- Durable time ---------------------------------------------------------------------------


def test_it_runs_every_check_that_fell_due_during_an_outage_once(clock, alice, carol):
    paid_invoice = InvoiceFactory(debtor=alice, number="F-PAID")
    kept = promise(alice, [paid_invoice], TODAY + timedelta(days=1))
    broken = [
        promise(debtor, [InvoiceFactory(debtor=debtor)], TODAY + timedelta(days=days))
        for debtor, days in ((alice, 2), (carol, 4), (alice, 9))
    ]
    later = promise(carol, [InvoiceFactory(debtor=carol)], TODAY + timedelta(days=25))
    Invoice.objects.filter(pk=paid_invoice.pk).update(open_amount=0)

    # No worker ran for two weeks; then it is back.
    clock.move_to(at(TODAY + timedelta(days=14), 9))
    assert work_off() == 4
    assert work_off() == 0

    assert state_of(kept) == PromiseState.KEPT
    assert [state_of(response) for response in broken] == [PromiseState.BROKEN] * 3
    assert state_of(later) == PromiseState.PENDING
    assert set(
        PaymentPromise.objects.exclude(response=later).values_list("attempts", flat=True)
    ) == {1}
    assert sorted(Task.objects.values_list("response_id", flat=True)) == sorted(
        response.pk for response in broken
    )
    assert len(broken_messages()) == 3

    clock.move_to(at(TODAY + timedelta(days=27)))
    assert work_off() == 1
    assert Task.objects.count() == 4


def test_it_settles_a_promise_once_when_a_payment_and_the_check_meet(clock, alice):
    invoice = InvoiceFactory(debtor=alice, number="F-1", amount=Decimal("10.00"))
    response = promise(alice, [invoice], TODAY)
    clock.move_to(at(TODAY + timedelta(days=2)))
    assert work_off() == 1  # broken: the payment came after the check

    payment_book(
        amount=Decimal("10.00"), date=TODAY, source="bank", allocations=[("F-1", Decimal("10"))]
    )

    response.refresh_from_db()
    assert state_of(response) == PromiseState.BROKEN
    assert Task.objects.filter(response=response).count() == 1


def test_it_keeps_a_promise_pending_after_a_part_payment_and_kept_when_paid_in_full(clock, alice):
    invoice = InvoiceFactory(debtor=alice, number="F-1", amount=Decimal("100.00"))
    response = promise(alice, [invoice], TODAY + timedelta(days=3))

    payment_book(amount=Decimal("60.00"), date=TODAY, source="bank", debtor=alice)
    assert state_of(response) == PromiseState.PENDING

    payment_book(amount=Decimal("40.00"), date=TODAY, source="bank", debtor=alice)
    response.refresh_from_db()
    assert state_of(response) == PromiseState.KEPT
    assert response.state == ResponseState.CLOSED
