"""POST /payments/webhook/mollie through the real Mollie client against the fake Mollie API."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from settle.payments.configuration import PaymentsConfig
from settle.payments.models import PaymentRequest, RequestState
from settle.payments.services import payment_request_create
from settle.payments.tests.fake_mollie import FakeMollie
from settle.receivables.models import Payment, PaymentAllocation
from settle.receivables.tests.factories import InvoiceFactory

URL = "/payments/webhook/mollie"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def mollie(settings):
    with FakeMollie() as fake, translation.override("en"):
        settings.SETTLE_PAYMENTS = PaymentsConfig(
            provider="mollie", api_key=fake.api_key, endpoint=fake.url
        )
        yield fake


def deliver(client, body: str):
    return client.post(URL, data=body, content_type=FORM)


@pytest.mark.django_db
def test_it_books_what_it_fetches_for_the_id_it_is_told(mollie, alice, client):
    invoice = InvoiceFactory(debtor=alice)
    request = payment_request_create(debtor=alice, invoices=[invoice], language="en")
    mollie.set_state(request.provider_id, "paid")

    answer = deliver(client, f"id={request.provider_id}")

    assert answer.status_code == 200
    request.refresh_from_db()
    assert request.state == RequestState.PAID
    assert request.last_webhook_at is not None
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("0.00")
    assert ("GET", f"/v2/payments/{request.provider_id}") in [r[:2] for r in mollie.requests]


@pytest.mark.django_db
def test_it_books_nothing_for_a_forged_body_claiming_paid(mollie, alice, client):
    invoice = InvoiceFactory(debtor=alice)
    request = payment_request_create(debtor=alice, invoices=[invoice], language="en")

    forged = deliver(client, f"id={request.provider_id}&status=paid&amount=121.00")
    plain = deliver(client, f"id={request.provider_id}")

    assert (forged.status_code, plain.status_code) == (200, 200)

    request.refresh_from_db()
    assert request.state == RequestState.OPEN
    assert not Payment.objects.exists()
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("121.00")


@pytest.mark.django_db
def test_it_answers_200_to_an_unknown_id_and_changes_nothing(mollie, alice, client):
    request = payment_request_create(
        debtor=alice, invoices=[InvoiceFactory(debtor=alice)], language="en"
    )
    calls = len(mollie.requests)

    answer = deliver(client, "id=tr_unknown4321")

    assert answer.status_code == 200
    assert len(mollie.requests) == calls
    request.refresh_from_db()
    assert request.last_webhook_at is None
    assert request.state == RequestState.OPEN


@pytest.mark.django_db
def test_it_answers_the_exact_address_without_a_redirect(mollie, client):
    answer = deliver(client, "id=tr_unknown4321")

    assert answer.status_code == 200
    assert "Location" not in answer.headers
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_it_needs_no_csrf_token(mollie, alice):
    request = payment_request_create(
        debtor=alice, invoices=[InvoiceFactory(debtor=alice)], language="en"
    )
    mollie.set_state(request.provider_id, "paid")

    answer = deliver(Client(enforce_csrf_checks=True), f"id={request.provider_id}")

    assert answer.status_code == 200
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_a_body_without_a_payment_id(mollie, client):
    assert deliver(client, "id=../../v2/methods").status_code == 400
    assert deliver(client, "").status_code == 400


@pytest.mark.django_db
def test_it_asks_mollie_to_try_again_when_mollie_cannot_be_reached(mollie, alice, client, settings):
    request = payment_request_create(
        debtor=alice, invoices=[InvoiceFactory(debtor=alice)], language="en"
    )
    with FakeMollie() as gone:
        url = gone.url
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="mollie", api_key=gone.api_key, endpoint=url)

    answer = deliver(client, f"id={request.provider_id}")

    assert answer.status_code == 503
    request.refresh_from_db()
    assert request.state == RequestState.OPEN


@pytest.mark.django_db(transaction=True)
def test_it_books_once_for_100_duplicate_concurrent_deliveries(mollie, alice):
    f1 = InvoiceFactory(debtor=alice, amount=Decimal("100.00"))
    f2 = InvoiceFactory(debtor=alice, amount=Decimal("21.00"))
    request = payment_request_create(debtor=alice, invoices=[f1, f2], language="en")
    mollie.set_state(request.provider_id, "paid")
    start = threading.Barrier(16)
    answers: list[int] = []
    errors: list[BaseException] = []

    def deliverer(count: int) -> None:
        client = Client()
        try:
            start.wait()
            for _ in range(count):
                answers.append(deliver(client, f"id={request.provider_id}").status_code)
        except BaseException as exc:  # noqa: BLE001 (reported by the test below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliverer, args=(7 if n < 4 else 6,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(answers) == 100
    assert set(answers) == {200}
    assert Payment.objects.count() == 1
    assert PaymentAllocation.objects.count() == 2
    request = PaymentRequest.objects.get()
    assert request.payment == Payment.objects.get()
    f1.refresh_from_db()
    f2.refresh_from_db()
    assert (f1.open_amount, f2.open_amount) == (Decimal("0.00"), Decimal("0.00"))
