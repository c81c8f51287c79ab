from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from settle.common.errors import ApplicationError
from settle.payments.configuration import PaymentsConfig
from settle.payments.models import DemoPayment, PaymentRequest, RequestState
from settle.payments.services import payment_request_create
from settle.payments.tests.fake_mollie import FakeMollie
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo(settings):
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="demo")
    settings.SETTLE_BASE_URL = "https://settle.example.test"
    with translation.override("en"):
        yield


def lines(request: PaymentRequest) -> list[tuple[str, Decimal]]:
    return [(line.invoice.number, line.amount) for line in request.lines.order_by("invoice__pk")]


def test_it_asks_the_open_amounts_and_sends_the_debtor_to_checkout(alice):
    f1 = InvoiceFactory(debtor=alice, number="F1", amount=Decimal("100.00"))
    f2 = InvoiceFactory(debtor=alice, number="F2", open_amount=Decimal("21.50"))

    request = payment_request_create(debtor=alice, invoices=[f1, f2], language="en")

    assert request.amount == Decimal("121.50")
    assert lines(request) == [("F1", Decimal("100.00")), ("F2", Decimal("21.50"))]
    assert request.state == RequestState.OPEN
    assert request.description == "Invoices F1, F2"
    assert request.checkout_url.startswith("https://settle.example.test/pay/demo/demo_")
    demo_payment = DemoPayment.objects.get(demo_id=request.provider_id)
    assert demo_payment.amount == Decimal("121.50")
    assert demo_payment.return_url == f"https://settle.example.test/pay/return/{request.key}"
    assert len(request.key) >= 43
    assert request.due_at > timezone.now() + timedelta(minutes=29)


def test_it_asks_nothing_for_an_invoice_paid_in_the_meantime(alice):
    paid = InvoiceFactory(debtor=alice, number="F1", open_amount=Decimal("0.00"))
    still_open = InvoiceFactory(debtor=alice, number="F2")

    request = payment_request_create(debtor=alice, invoices=[paid, still_open], language="en")

    assert lines(request) == [("F2", Decimal("121.00"))]
    assert request.description == "Invoice F2"


def test_it_refuses_when_nothing_is_open(alice):
    paid = InvoiceFactory(debtor=alice, open_amount=Decimal("0.00"))

    with pytest.raises(ApplicationError) as refused:
        payment_request_create(debtor=alice, invoices=[paid], language="en")

    assert "there is nothing to pay" in refused.value.message
    assert not PaymentRequest.objects.exists()


def test_it_refuses_another_debtors_invoice(alice, carol):
    own = InvoiceFactory(debtor=alice)
    carols = InvoiceFactory(debtor=carol)

    with pytest.raises(ApplicationError) as refused:
        payment_request_create(debtor=alice, invoices=[own, carols], language="en")

    assert refused.value.message == "These invoices cannot be paid here."
    assert not PaymentRequest.objects.exists()


def test_it_refuses_without_a_provider(alice, settings):
    settings.SETTLE_PAYMENTS = PaymentsConfig()

    with pytest.raises(ApplicationError) as refused:
        payment_request_create(debtor=alice, invoices=[InvoiceFactory(debtor=alice)], language="en")

    assert refused.value.message == "Online payment is not available."


def test_it_refuses_invoices_in_two_currencies(alice):
    euros = InvoiceFactory(debtor=alice)
    pounds = InvoiceFactory(debtor=alice, currency="GBP")

    with pytest.raises(ApplicationError) as refused:
        payment_request_create(debtor=alice, invoices=[euros, pounds], language="en")

    assert "different currencies" in refused.value.message


def test_it_refuses_an_instalment_of_nothing(alice):
    with pytest.raises(ApplicationError) as refused:
        payment_request_create(
            debtor=alice,
            invoices=[InvoiceFactory(debtor=alice)],
            language="en",
            amount=Decimal("0.00"),
            purpose="instalment",
        )

    assert "greater than zero" in refused.value.message


def test_it_spreads_an_instalment_over_the_oldest_due_first(alice):
    today = timezone.localdate()
    newer = InvoiceFactory(debtor=alice, number="NEW", due_date=today - timedelta(days=1))
    older = InvoiceFactory(debtor=alice, number="OLD", due_date=today - timedelta(days=30))

    request = payment_request_create(
        debtor=alice,
        invoices=[newer, older],
        language="en",
        amount=Decimal("150.00"),
        purpose="instalment",
    )

    assert request.amount == Decimal("150.00")
    assert request.purpose == "instalment"
    assert sorted(lines(request)) == [("NEW", Decimal("29.00")), ("OLD", Decimal("121.00"))]


def test_it_supersedes_and_cancels_an_abandoned_attempt(alice):
    invoice = InvoiceFactory(debtor=alice)
    first = payment_request_create(debtor=alice, invoices=[invoice], language="en")

    second = payment_request_create(debtor=alice, invoices=[invoice], language="en")

    first.refresh_from_db()
    assert first.superseded_by == second
    assert DemoPayment.objects.get(demo_id=first.provider_id).state == "canceled"
    assert second.superseded_by is None
    assert second.state == RequestState.OPEN


def test_it_leaves_an_attempt_for_other_invoices_alone(alice):
    first = payment_request_create(
        debtor=alice, invoices=[InvoiceFactory(debtor=alice)], language="en"
    )

    payment_request_create(debtor=alice, invoices=[InvoiceFactory(debtor=alice)], language="en")

    first.refresh_from_db()
    assert first.superseded_by is None
    assert DemoPayment.objects.get(demo_id=first.provider_id).state == "open"


def test_it_creates_at_mollie_with_our_addresses_and_key(alice, settings):
    invoice = InvoiceFactory(debtor=alice, number="F7")
    with FakeMollie() as fake:
        settings.SETTLE_PAYMENTS = PaymentsConfig(
            provider="mollie", api_key=fake.api_key, endpoint=fake.url
        )

        request = payment_request_create(debtor=alice, invoices=[invoice], language="nl")

    at_mollie = fake.payments[request.provider_id]
    assert fake.created == 1
    assert at_mollie["amount"] == {"value": "121.00", "currency": "EUR"}
    assert at_mollie["redirectUrl"] == f"https://settle.example.test/pay/return/{request.key}"
    assert at_mollie["webhookUrl"] == "https://settle.example.test/payments/webhook/mollie"
    assert at_mollie["metadata"] == {"reference": request.key}
    assert request.checkout_url == at_mollie["_links"]["checkout"]["href"]
    assert request.provider == "mollie"


def test_it_tells_the_debtor_when_the_provider_cannot_be_reached(alice, settings):
    invoice = InvoiceFactory(debtor=alice)
    with FakeMollie() as fake:
        url = fake.url
    # The fake has stopped: nothing listens at its address any more.
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="mollie", api_key=fake.api_key, endpoint=url)

    with pytest.raises(ApplicationError) as refused:
        payment_request_create(debtor=alice, invoices=[invoice], language="en")

    assert "The payment provider cannot be reached" in refused.value.message
    request = PaymentRequest.objects.get()
    assert request.state == RequestState.CREATED
    assert request.provider_id is None
    assert request.last_error
    assert fake.api_key not in request.last_error


def test_it_supersedes_a_failed_create_when_the_debtor_tries_again(alice, settings):
    invoice = InvoiceFactory(debtor=alice)
    with FakeMollie() as gone:
        url = gone.url
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="mollie", api_key=gone.api_key, endpoint=url)
    with pytest.raises(ApplicationError):
        payment_request_create(debtor=alice, invoices=[invoice], language="en")
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="demo")

    again = payment_request_create(debtor=alice, invoices=[invoice], language="en")

    failed = PaymentRequest.objects.exclude(pk=again.pk).get()
    assert failed.superseded_by == again
    assert again.checkout_url
