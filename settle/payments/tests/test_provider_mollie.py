"""MollieProvider through the real mollie-api-python client, against the fake Mollie API."""

from decimal import Decimal

import pytest

from settle.payments.configuration import PaymentsConfig
from settle.payments.providers.base import ProviderError, ProviderState, WebhookRefused
from settle.payments.providers.mollie import MollieProvider
from settle.payments.tests.fake_mollie import FakeMollie

REFERENCE = "k" * 43


@pytest.fixture
def fake():
    with FakeMollie() as fake:
        yield fake


@pytest.fixture
def provider(fake):
    return MollieProvider(
        PaymentsConfig(provider="mollie", api_key=fake.api_key, endpoint=fake.url)
    )


def create(provider, *, amount="12.30", reference=REFERENCE, locale="nl"):
    return provider.create(
        amount=Decimal(amount),
        currency="EUR",
        reference=reference,
        description="Facturen 2026-001, 2026-002",
        return_url="https://settle.example/pay/return/abc",
        webhook_url="https://settle.example/payments/webhook/mollie",
        locale=locale,
    )


def test_it_creates_a_payment_at_the_hosted_checkout(fake, provider):
    payment = create(provider)

    at_mollie = fake.payments[payment.id]
    assert payment.id.startswith("tr_")
    assert payment.state == ProviderState.OPEN
    assert (payment.amount, payment.currency) == (Decimal("12.30"), "EUR")
    assert payment.checkout_url == f"{fake.url}/checkout/{payment.id}"
    assert payment.reference == REFERENCE
    assert at_mollie["amount"] == {"value": "12.30", "currency": "EUR"}
    assert at_mollie["description"] == "Facturen 2026-001, 2026-002"
    assert at_mollie["redirectUrl"] == "https://settle.example/pay/return/abc"
    assert at_mollie["webhookUrl"] == "https://settle.example/payments/webhook/mollie"
    assert at_mollie["locale"] == "nl_NL"
    assert at_mollie["metadata"] == {"reference": REFERENCE}


@pytest.mark.parametrize(
    "webhook_url",
    [
        "http://127.0.0.1:8000/payments/webhook/mollie",
        "http://localhost:8000/payments/webhook/mollie",
        "http://192.168.1.20/payments/webhook/mollie",
        "http://settle.local/payments/webhook/mollie",
    ],
)
def test_it_leaves_out_a_webhook_address_mollie_cannot_reach(fake, provider, webhook_url):
    payment = provider.create(
        amount=Decimal("5.00"),
        currency="EUR",
        reference=REFERENCE,
        description="Factuur 2026-001",
        return_url="http://127.0.0.1:8000/pay/return/abc",
        webhook_url=webhook_url,
        locale="nl",
    )

    assert payment.state == ProviderState.OPEN
    assert fake.payments[payment.id]["webhookUrl"] is None


def test_it_sends_amounts_with_two_decimals(fake, provider):
    payment = create(provider, amount="7.5")

    assert fake.payments[payment.id]["amount"]["value"] == "7.50"


def test_it_asks_for_the_checkout_in_the_debtors_language(fake, provider):
    payment = create(provider, locale="en")

    assert fake.payments[payment.id]["locale"] == "en_US"


def test_it_offers_only_methods_that_pay_at_once(fake, provider):
    payment = create(provider)

    assert fake.payments[payment.id]["_requested_methods"] == [
        "ideal",
        "bancontact",
        "creditcard",
        "applepay",
        "paypal",
    ]


def test_it_leaves_the_choice_to_mollie_when_methods_cannot_be_listed(fake, provider):
    fake.methods_fail = True

    payment = create(provider)

    assert payment.state == ProviderState.OPEN
    assert fake.payments[payment.id]["_requested_methods"] is None


def test_it_sends_an_idempotency_key_that_is_not_the_reference(fake, provider):
    create(provider)
    create(provider)

    keys = {key for method, path, key in fake.requests if method == "POST"}
    assert len(keys) == 1
    assert REFERENCE not in keys.pop()
    assert fake.created == 1


def test_it_makes_one_payment_when_a_create_times_out_and_is_retried(fake):
    provider = MollieProvider(
        PaymentsConfig(provider="mollie", api_key=fake.api_key, endpoint=fake.url),
        timeout=(2, 1.0),
    )
    fake.delay_next_create = 2.5

    payment = create(provider)

    posts = [key for method, path, key in fake.requests if method == "POST"]
    assert len(posts) == 2
    assert posts[0] == posts[1]
    assert fake.created == 1
    assert list(fake.payments) == [payment.id]


@pytest.mark.parametrize("state", list(ProviderState))
def test_it_reports_each_state_as_mollie_does(fake, provider, state):
    payment = create(provider)
    fake.set_state(payment.id, state.value)

    fetched = provider.fetch(payment.id)

    assert fetched.state == state
    assert (fetched.paid_at is not None) == (state == ProviderState.PAID)


def test_it_reads_when_a_payment_was_paid(fake, provider):
    payment = create(provider)
    paid_at = fake.set_state(payment.id, "paid")["paidAt"]

    fetched = provider.fetch(payment.id)

    assert fetched.paid_at.isoformat() == paid_at
    assert fetched.paid_at.tzinfo is not None
    assert (fetched.amount, fetched.currency) == (Decimal("12.30"), "EUR")
    assert (fetched.refunded, fetched.charged_back) == (Decimal("0.00"), Decimal("0.00"))


def test_it_reports_refunds_and_chargebacks_of_a_paid_payment(fake, provider):
    payment = create(provider)
    fake.set_state(payment.id, "paid")
    fake.add_refund(payment.id, "2.00")
    fake.add_refund(payment.id, "1.30")
    fake.add_chargeback(payment.id, "5.00")

    fetched = provider.fetch(payment.id)

    assert fetched.state == ProviderState.PAID
    assert fetched.refunded == Decimal("3.30")
    assert fetched.charged_back == Decimal("5.00")


def test_it_cancels_an_open_payment(fake, provider):
    payment = create(provider)

    assert provider.cancel(payment.id) is True
    assert provider.fetch(payment.id).state == ProviderState.CANCELED


def test_it_does_not_cancel_a_paid_payment(fake, provider):
    payment = create(provider)
    fake.set_state(payment.id, "paid")

    assert provider.cancel(payment.id) is False
    assert provider.fetch(payment.id).state == ProviderState.PAID
    assert not [request for request in fake.requests if request[0] == "DELETE"]


def test_it_says_an_unknown_payment_is_not_worth_asking_again(provider):
    with pytest.raises(ProviderError) as raised:
        provider.fetch("tr_unknown123")

    assert raised.value.retry is False


def test_it_refuses_a_wrong_key_without_repeating_it(fake):
    wrong = "test_" + "y" * 30
    provider = MollieProvider(PaymentsConfig(provider="mollie", api_key=wrong, endpoint=fake.url))

    with pytest.raises(ProviderError) as raised:
        create(provider)

    assert raised.value.retry is False
    assert "401" in str(raised.value)
    assert wrong not in str(raised.value)
    assert "y" * 30 not in repr(raised.value)
    assert fake.created == 0


def test_it_reports_an_unreachable_mollie_as_worth_retrying(fake):
    provider = MollieProvider(
        PaymentsConfig(provider="mollie", api_key=fake.api_key, endpoint=fake.url)
    )
    fake.stop()

    with pytest.raises(ProviderError) as raised:
        provider.fetch("tr_abc123")

    assert raised.value.retry is True
    assert fake.api_key not in str(raised.value)


def test_it_tells_test_keys_from_live_keys():
    test = MollieProvider(PaymentsConfig(provider="mollie", api_key="test_" + "a" * 30))
    live = MollieProvider(PaymentsConfig(provider="mollie", api_key="live_" + "a" * 30))

    assert (test.test_mode, live.test_mode) == (True, False)
    assert "a" * 30 not in repr(live)


def test_it_creates_live_payments_with_a_live_key():
    with FakeMollie(api_key="live_" + "b" * 30) as fake:
        provider = MollieProvider(
            PaymentsConfig(provider="mollie", api_key=fake.api_key, endpoint=fake.url)
        )
        payment = create(provider)

        assert fake.payments[payment.id]["mode"] == "live"


def test_it_reads_only_the_payment_id_from_a_webhook(provider):
    items = provider.webhook_items(body=b"id=tr_abc123XYZ", headers={})

    assert [item.provider_id for item in items] == ["tr_abc123XYZ"]
    assert items[0].success is False
    assert items[0].amount is None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"id=",
        b"id=ord_abc123",
        b"id=tr_abc%3Bdrop",
        b"id=tr_abc123&id=tr_def456",
        b'{"id": "tr_abc123", "status": "paid"}',
        b"\xff\xfe",
        b"payment=tr_abc123",
    ],
)
def test_it_refuses_a_webhook_that_names_no_payment(provider, body):
    with pytest.raises(WebhookRefused):
        provider.webhook_items(body=body, headers={})
