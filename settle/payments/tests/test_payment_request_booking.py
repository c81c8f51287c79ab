"""Booking what the provider reports (payment_request_sync and the worker's poll), through the
real Mollie client against the fake Mollie API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from settle.payments.configuration import PaymentsConfig
from settle.payments.models import PaymentRequest, RequestState
from settle.payments.providers.demo import demo_payment_set
from settle.payments.services import (
    payment_request_create,
    payment_request_refresh,
    payment_request_sync,
    payment_requests_process_due,
)
from settle.payments.tests.fake_mollie import FakeMollie
from settle.receivables.models import Payment, PaymentSource
from settle.receivables.services.payments import payment_book
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.models import ResponseState, ResponseType
from settle.responses.tests.factories import ResponseFactory
from settle.worklist.models import Task, TaskKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def mollie(settings):
    settings.SETTLE_BASE_URL = "https://settle.example.test"
    with FakeMollie() as fake, translation.override("en"):
        settings.SETTLE_PAYMENTS = PaymentsConfig(
            provider="mollie", api_key=fake.api_key, endpoint=fake.url
        )
        yield fake


def paid(mollie, request: PaymentRequest) -> PaymentRequest:
    mollie.set_state(request.provider_id, "paid")
    return payment_request_sync(provider="mollie", provider_id=request.provider_id)


def open_amounts(*invoices) -> list[Decimal]:
    for invoice in invoices:
        invoice.refresh_from_db()
    return [invoice.open_amount for invoice in invoices]


def test_it_books_a_paid_request_on_its_invoices_once(mollie, alice):
    f1 = InvoiceFactory(debtor=alice, amount=Decimal("100.00"))
    f2 = InvoiceFactory(debtor=alice, amount=Decimal("50.00"), open_amount=Decimal("20.00"))
    request = payment_request_create(debtor=alice, invoices=[f1, f2], language="en")

    request = paid(mollie, request)
    again = payment_request_sync(provider="mollie", provider_id=request.provider_id)

    assert request.state == again.state == RequestState.PAID
    assert request.paid_at is not None
    payment = Payment.objects.get()
    assert again.payment == payment
    assert (payment.amount, payment.source, payment.reference, payment.debtor) == (
        Decimal("120.00"),
        PaymentSource.PSP,
        request.provider_id,
        alice,
    )
    assert open_amounts(f1, f2) == [Decimal("0.00"), Decimal("0.00")]
    assert not Task.objects.exists()


def test_it_keeps_an_open_request_open(mollie, alice):
    request = payment_request_create(
        debtor=alice, invoices=[InvoiceFactory(debtor=alice)], language="en"
    )

    request = payment_request_sync(provider="mollie", provider_id=request.provider_id)

    assert request.state == RequestState.OPEN
    assert request.last_fetched_at is not None
    assert not Payment.objects.exists()


def test_it_books_a_second_paid_attempt_as_an_over_payment_with_a_refund_task(mollie, alice):
    invoice = InvoiceFactory(debtor=alice)
    first = payment_request_create(debtor=alice, invoices=[invoice], language="en")
    second = payment_request_create(debtor=alice, invoices=[invoice], language="en")

    paid(mollie, second)
    # The abandoned tab was paid after all (Mollie could not cancel the card checkout).
    mollie.payments[first.provider_id]["isCancelable"] = False
    paid(mollie, first)

    assert Payment.objects.count() == 2
    late = Payment.objects.get(reference=first.provider_id)
    assert late.unallocated_amount == Decimal("121.00")
    assert open_amounts(invoice) == [Decimal("0.00")]
    task = Task.objects.get()
    assert task.kind == TaskKind.PAYMENT_REFUND
    assert "€121.00 is not allocated" in task.description_text
    assert task.debtor == alice


def test_it_ignores_a_stale_attempt_that_expires_after_a_newer_one_was_paid(mollie, alice):
    invoice = InvoiceFactory(debtor=alice)
    stale = payment_request_create(debtor=alice, invoices=[invoice], language="en")
    newer = payment_request_create(debtor=alice, invoices=[invoice], language="en")
    paid(mollie, newer)

    mollie.set_state(stale.provider_id, "expired")
    stale = payment_request_sync(provider="mollie", provider_id=stale.provider_id)

    assert stale.state == RequestState.EXPIRED
    assert open_amounts(invoice) == [Decimal("0.00")]
    assert Payment.objects.count() == 1
    newer.refresh_from_db()
    assert newer.state == RequestState.PAID
    assert not Task.objects.exists()


def test_it_never_unpays_a_paid_request(mollie, alice):
    invoice = InvoiceFactory(debtor=alice)
    request = paid(mollie, payment_request_create(debtor=alice, invoices=[invoice], language="en"))

    mollie.set_state(request.provider_id, "failed")
    request = payment_request_sync(provider="mollie", provider_id=request.provider_id)

    assert request.state == RequestState.PAID
    assert open_amounts(invoice) == [Decimal("0.00")]


def test_it_gives_only_what_is_still_open_to_an_invoice_paid_by_bank_meanwhile(mollie, alice):
    f1 = InvoiceFactory(debtor=alice, amount=Decimal("100.00"))
    f2 = InvoiceFactory(debtor=alice, amount=Decimal("50.00"))
    request = payment_request_create(debtor=alice, invoices=[f1, f2], language="en")
    payment_book(
        amount=Decimal("60.00"),
        date=timezone.localdate(),
        source=PaymentSource.BANK,
        reference="BANK-1",
        allocations=[(f1.number, Decimal("60.00"))],
    )

    paid(mollie, request)

    booked = Payment.objects.get(source=PaymentSource.PSP)
    assert sorted(booked.allocations.values_list("amount", flat=True)) == [
        Decimal("40.00"),
        Decimal("50.00"),
    ]
    assert open_amounts(f1, f2) == [Decimal("0.00"), Decimal("0.00")]
    assert Task.objects.get().kind == TaskKind.PAYMENT_REFUND


def test_it_books_nothing_when_the_amount_differs_and_tells_an_employee_once(mollie, alice):
    invoice = InvoiceFactory(debtor=alice)
    request = payment_request_create(debtor=alice, invoices=[invoice], language="en")
    mollie.payments[request.provider_id]["amount"]["value"] = "12.10"

    paid(mollie, request)
    request = payment_request_sync(provider="mollie", provider_id=request.provider_id)

    assert request.mismatch is True
    assert request.payment is None
    assert not Payment.objects.exists()
    assert open_amounts(invoice) == [Decimal("121.00")]
    task = Task.objects.get()
    assert task.kind == TaskKind.PAYMENT_MISMATCH
    assert "reported €12.10" in task.description_text
    assert "€121.00 was asked" in task.description_text
    assert list(task.invoices.all()) == [invoice]


def test_it_books_nothing_when_the_currency_differs(mollie, alice):
    invoice = InvoiceFactory(debtor=alice)
    request = payment_request_create(debtor=alice, invoices=[invoice], language="en")
    mollie.payments[request.provider_id]["amount"]["currency"] = "GBP"

    request = paid(mollie, request)

    assert request.mismatch is True
    assert not Payment.objects.exists()
    assert Task.objects.get().kind == TaskKind.PAYMENT_MISMATCH


def test_it_reopens_invoices_on_a_refund_once_with_a_task(mollie, alice):
    f1 = InvoiceFactory(debtor=alice, amount=Decimal("100.00"))
    f2 = InvoiceFactory(debtor=alice, amount=Decimal("50.00"))
    request = paid(mollie, payment_request_create(debtor=alice, invoices=[f1, f2], language="en"))

    mollie.add_refund(request.provider_id, "30.00")
    payment_request_sync(provider="mollie", provider_id=request.provider_id)
    request = payment_request_sync(provider="mollie", provider_id=request.provider_id)

    assert (request.refunded_amount, request.reversed_amount) == (
        Decimal("30.00"),
        Decimal("30.00"),
    )
    assert sum(open_amounts(f1, f2)) == Decimal("30.00")
    assert request.payment.reversals.get().amount == Decimal("30.00")
    task = Task.objects.get()
    assert task.kind == TaskKind.PAYMENT_REVERSED
    assert "reopened by €30.00" in task.description_text


def test_it_reopens_invoices_on_a_chargeback(mollie, alice):
    invoice = InvoiceFactory(debtor=alice)
    request = paid(mollie, payment_request_create(debtor=alice, invoices=[invoice], language="en"))

    mollie.add_chargeback(request.provider_id, "121.00")
    request = payment_request_sync(provider="mollie", provider_id=request.provider_id)

    assert request.charged_back_amount == Decimal("121.00")
    assert open_amounts(invoice) == [Decimal("121.00")]
    assert request.payment.reversals.get().reason == "chargeback"
    assert Task.objects.get().kind == TaskKind.PAYMENT_REVERSED


def test_it_reopens_nothing_when_the_over_payment_is_refunded(mollie, alice):
    invoice = InvoiceFactory(debtor=alice)
    first = payment_request_create(debtor=alice, invoices=[invoice], language="en")
    second = payment_request_create(debtor=alice, invoices=[invoice], language="en")
    paid(mollie, second)
    mollie.payments[first.provider_id]["isCancelable"] = False
    paid(mollie, first)

    # The employee's refund task done at Mollie.
    mollie.add_refund(first.provider_id, "121.00")
    first = payment_request_sync(provider="mollie", provider_id=first.provider_id)

    assert first.reversed_amount == Decimal("121.00")
    assert open_amounts(invoice) == [Decimal("0.00")]
    assert not first.payment.reversals.exists()
    assert list(Task.objects.values_list("kind", flat=True)) == [TaskKind.PAYMENT_REFUND]


def test_it_refreshes_from_the_provider_not_from_what_the_debtor_says(mollie, alice):
    invoice = InvoiceFactory(debtor=alice)
    request = payment_request_create(debtor=alice, invoices=[invoice], language="en")

    request = payment_request_refresh(request=request)
    assert request.state == RequestState.OPEN
    mollie.set_state(request.provider_id, "paid")
    request = payment_request_refresh(request=request)

    assert request.state == RequestState.PAID
    assert open_amounts(invoice) == [Decimal("0.00")]


def test_it_returns_the_request_as_known_when_the_provider_is_down(mollie, alice, settings):
    request = payment_request_create(
        debtor=alice, invoices=[InvoiceFactory(debtor=alice)], language="en"
    )
    with FakeMollie() as gone:
        url = gone.url
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="mollie", api_key=gone.api_key, endpoint=url)

    request = payment_request_refresh(request=request)

    assert request.state == RequestState.OPEN
    assert request.last_error


def test_it_does_not_sync_an_unknown_payment(mollie):
    assert payment_request_sync(provider="mollie", provider_id="tr_unknown123") is None
    assert mollie.requests == []


def test_the_poll_finalises_a_payment_whose_webhook_never_came(mollie, alice):
    invoice = InvoiceFactory(debtor=alice)
    request = payment_request_create(debtor=alice, invoices=[invoice], language="en")
    mollie.set_state(request.provider_id, "paid")

    # Not due before the provider's retry window has passed.
    assert payment_requests_process_due() == 0
    PaymentRequest.objects.filter(pk=request.pk).update(due_at=timezone.now())
    worked = payment_requests_process_due()

    request.refresh_from_db()
    assert worked == 1
    assert request.state == RequestState.PAID
    assert open_amounts(invoice) == [Decimal("0.00")]
    assert request.lease_token is None
    # Final and booked: never fetched again.
    PaymentRequest.objects.filter(pk=request.pk).update(due_at=timezone.now())
    assert payment_requests_process_due() == 0


def test_the_poll_backs_off_while_a_payment_stays_open(mollie, alice):
    request = payment_request_create(
        debtor=alice, invoices=[InvoiceFactory(debtor=alice)], language="en"
    )
    gaps = []
    for _round in range(5):
        PaymentRequest.objects.filter(pk=request.pk).update(due_at=timezone.now())
        before = timezone.now()
        assert payment_requests_process_due() == 1
        request.refresh_from_db()
        gaps.append(round((request.due_at - before).total_seconds() / 60))

    assert gaps == [30, 60, 120, 240, 360]
    assert request.state == RequestState.OPEN


def test_the_poll_gives_up_after_days(mollie, alice):
    request = payment_request_create(
        debtor=alice, invoices=[InvoiceFactory(debtor=alice)], language="en"
    )
    PaymentRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - timedelta(days=3) + timedelta(minutes=10),
        due_at=timezone.now(),
    )

    assert payment_requests_process_due() == 1
    request.refresh_from_db()
    assert "no longer fetched" in request.last_error
    PaymentRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - timedelta(days=4), due_at=timezone.now()
    )
    assert payment_requests_process_due() == 0


def test_the_poll_fails_a_request_that_never_reached_the_provider(mollie, alice, settings):
    with FakeMollie() as gone:
        url = gone.url
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="mollie", api_key=gone.api_key, endpoint=url)
    with pytest.raises(Exception):  # noqa: B017 (the debtor's message is tested elsewhere)
        payment_request_create(debtor=alice, invoices=[InvoiceFactory(debtor=alice)], language="en")
    PaymentRequest.objects.update(due_at=timezone.now())

    assert payment_requests_process_due() == 1

    assert PaymentRequest.objects.get().state == RequestState.FAILED


def test_it_names_the_tasks_in_dutch_for_a_dutch_employee(mollie, alice):
    invoice = InvoiceFactory(debtor=alice)
    request = payment_request_create(debtor=alice, invoices=[invoice], language="nl")
    mollie.payments[request.provider_id]["amount"]["value"] = "12.10"

    paid(mollie, request)

    with translation.override("nl"):
        task = Task.objects.get()
        assert task.title_text == "Betaling wijkt af"
        assert "Er is niets geboekt" in task.description_text


def test_the_demo_checkout_books_through_the_same_path(alice, settings):
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="demo")
    invoice = InvoiceFactory(debtor=alice)
    request = payment_request_create(debtor=alice, invoices=[invoice], language="en")

    demo_payment_set(demo_id=request.provider_id, state="paid")
    request = payment_request_sync(provider="demo", provider_id=request.provider_id)

    assert request.state == RequestState.PAID
    assert request.last_webhook_at is not None
    assert request.payment.reference == request.provider_id
    assert open_amounts(invoice) == [Decimal("0.00")]


def test_a_booking_settles_what_waited_for_the_money(mollie, alice):
    invoice = InvoiceFactory(debtor=alice)
    reported = ResponseFactory(
        debtor=alice,
        response_type=ResponseType.objects.get(code="already_paid"),
        invoices=[invoice],
    )
    request = payment_request_create(debtor=alice, invoices=[invoice], language="en")

    paid(mollie, request)

    reported.refresh_from_db()
    assert reported.state == ResponseState.CLOSED
