"""Promises to pay with two workers at once, and with payments racing the check: each promise is
settled exactly once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from settle.common.tests.threads import in_threads
from settle.correspondence.models import Message
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
from settle.responses.tests.factories import ResponseFactory
from settle.worklist.models import Task


def promises_due(count: int) -> list[PaymentPromise]:
    """`count` due promises, every third one with its invoice paid."""
    rtype = ResponseType.objects.get(code="promise")
    due = timezone.now() - timedelta(minutes=1)
    made = []
    for number in range(count):
        debtor = DebtorFactory(number=f"D-{number:04d}")
        invoice = InvoiceFactory(debtor=debtor, open_amount=0 if number % 3 == 0 else 121)
        response = ResponseFactory(debtor=debtor, response_type=rtype, invoices=[invoice])
        made.append(
            PaymentPromise.objects.create(
                response=response,
                debtor=debtor,
                promised_date=timezone.localdate(),
                amount=invoice.amount,
                grace_days=0,
                on_broken=OnBroken.TASK,
                notify_broken=True,
                due_at=due,
            )
        )
    return made


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two workers at once need PostgreSQL (SKIP LOCKED)"
)
def test_it_handles_each_promise_exactly_once_with_two_workers():
    made = promises_due(200)

    def worker() -> int:
        handled = 0
        while count := promises_process_due(limit=7):
            handled += count
        return handled

    handled = in_threads(worker, worker)

    assert sum(handled) == 200
    assert all(handled), "one worker did all the work; the test proved nothing"
    kept = [p.pk for number, p in enumerate(made) if number % 3 == 0]
    assert set(
        PaymentPromise.objects.filter(state=PromiseState.KEPT).values_list("pk", flat=True)
    ) == set(kept)
    assert PaymentPromise.objects.filter(state=PromiseState.BROKEN).count() == 200 - len(kept)
    assert set(PaymentPromise.objects.values_list("attempts", flat=True)) == {1}
    assert Task.objects.count() == 200 - len(kept)
    assert Task.objects.values("response_id").distinct().count() == 200 - len(kept)
    assert Message.objects.filter(kind="promise_broken").count() == 200 - len(kept)
    assert Response.objects.filter(state=ResponseState.CLOSED).count() == len(kept)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a payment racing the check needs PostgreSQL"
)
def test_it_settles_each_promise_once_when_payments_race_the_check():
    made = promises_due(120)
    unpaid = [p for number, p in enumerate(made) if number % 3]

    def check() -> None:
        while promises_process_due(limit=5):
            pass

    def pay() -> None:
        for promise in unpaid:
            payment_book(
                amount=Decimal("121.00"),
                date=timezone.localdate(),
                source="bank",
                reference=f"race-{promise.pk}",
                debtor=promise.debtor,
            )

    in_threads(check, pay)

    broken = set(
        PaymentPromise.objects.filter(state=PromiseState.BROKEN).values_list("response", flat=True)
    )
    kept = set(
        PaymentPromise.objects.filter(state=PromiseState.KEPT).values_list("response", flat=True)
    )
    assert len(broken) + len(kept) == 120
    # Whichever came first settled the promise; the other found it settled and did nothing.
    assert set(Task.objects.values_list("response", flat=True)) == broken
    assert Task.objects.count() == len(broken)
    assert (
        set(Response.objects.filter(state=ResponseState.CLOSED).values_list("pk", flat=True))
        == kept
    )
