"""AdyenProvider through the real `Adyen` library, against the fake Checkout API, and its
verification of signed notification batches."""

import json
from decimal import Decimal

import pytest
import requests

from settle.payments.configuration import PaymentsConfig
from settle.payments.providers.adyen import BLOCKED_METHODS, AdyenProvider, minor_units
from settle.payments.providers.base import ProviderError, ProviderState, WebhookRefused
from settle.payments.tests.fake_adyen import (
    HMAC_KEY,
    FakeAdyen,
    adyen_item,
    adyen_notification,
    adyen_sign,
)

REFERENCE = "r" * 43


@pytest.fixture
def fake():
    with FakeAdyen() as fake:
        yield fake


def config(fake, **changes) -> PaymentsConfig:
    values = {
        "provider": "adyen",
        "api_key": fake.api_key,
        "endpoint": fake.url,
        "merchant_account": fake.merchant_account,
        "hmac_key": HMAC_KEY,
    }
    return PaymentsConfig(**{**values, **changes})


@pytest.fixture
def provider(fake):
    return AdyenProvider(config(fake))


def create(provider, *, amount="12.30", currency="EUR", locale="nl", reference=REFERENCE):
    return provider.create(
        amount=Decimal(amount),
        currency=currency,
        reference=reference,
        description="Facturen 2026-001",
        return_url="https://settle.example/pay/return/abc",
        webhook_url="https://settle.example/payments/webhook/adyen",
        locale=locale,
    )


def test_it_creates_a_session_on_the_hosted_payment_page(fake, provider):
    payment = create(provider)

    asked = fake.sessions[payment.id]["request"]
    assert payment.state == ProviderState.OPEN
    assert (payment.amount, payment.currency) == (Decimal("12.30"), "EUR")
    assert payment.checkout_url == f"{fake.url}/checkoutshopper/pay/{payment.id}"
    assert payment.reference == REFERENCE
    assert asked["mode"] == "hosted"
    assert asked["amount"] == {"value": 1230, "currency": "EUR"}
    assert asked["reference"] == REFERENCE
    assert asked["merchantAccount"] == fake.merchant_account
    assert asked["returnUrl"] == "https://settle.example/pay/return/abc"
    assert asked["shopperLocale"] == "nl-NL"


def test_it_keeps_pay_later_and_bank_transfer_off_the_payment_page(fake, provider):
    payment = create(provider)

    blocked = fake.sessions[payment.id]["request"]["blockedPaymentMethods"]
    assert blocked == BLOCKED_METHODS
    assert {"klarna", "bankTransfer_IBAN", "riverty"} <= set(blocked)


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("12.30", "EUR", 1230), ("1500", "JPY", 1500), ("1.234", "KWD", 1234)],
)
def test_it_counts_amounts_in_minor_units(amount, currency, minor):
    assert minor_units(Decimal(amount), currency) == minor


def test_it_makes_one_session_when_a_create_times_out_and_is_retried(fake):
    provider = AdyenProvider(config(fake), timeout=(2, 1.0))
    fake.delay_next_create = 2.5

    payment = create(provider)

    posts = [key for method, path, key in fake.requests if method == "POST"]
    assert len(posts) == 2
    assert posts[0] == posts[1]
    assert REFERENCE not in posts[0]
    assert fake.created == 1
    assert list(fake.sessions) == [payment.id]


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("active", ProviderState.OPEN),
        ("paymentPending", ProviderState.PENDING),
        ("completed", ProviderState.PAID),
        ("canceled", ProviderState.CANCELED),
        ("expired", ProviderState.EXPIRED),
        ("refused", ProviderState.FAILED),
    ],
)
def test_it_maps_each_session_status(fake, provider, status, state):
    payment = create(provider)
    fake.set_status(payment.id, status)

    assert provider.fetch(payment.id, fake.session_result(payment.id)).state == state


def test_it_reads_the_authorised_amount_of_a_completed_session(fake, provider):
    payment = create(provider)
    fake.set_status(payment.id, "completed")

    fetched = provider.fetch(payment.id, fake.session_result(payment.id))

    assert (fetched.amount, fetched.currency) == (Decimal("12.30"), "EUR")
    assert fetched.reference == REFERENCE
    assert (fetched.refunded, fetched.charged_back) == (Decimal("0.00"), Decimal("0.00"))


def test_it_cannot_cancel_a_session(fake, provider):
    payment = create(provider)

    assert provider.cancel(payment.id) is False
    # The debtor comes back from the checkout without paying: the session is still active.
    fake.set_status(payment.id, "active")
    assert provider.fetch(payment.id, fake.session_result(payment.id)).state == ProviderState.OPEN


def test_it_sends_the_session_result_adyen_requires(fake, provider):
    payment = create(provider)
    fake.set_status(payment.id, "completed")
    result = fake.session_result(payment.id)

    fetched = provider.fetch(payment.id, result)

    # The fake compares it decoded: "+", "/", "!" and "=" survived the address.
    assert {"+", "/", "!", "="} <= set(result)
    assert fetched.state == ProviderState.PAID
    method, path, _key = fake.requests[-1]
    assert method == "GET" and path.endswith(f"/sessions/{payment.id}")


def test_it_does_not_ask_for_a_session_without_its_result(fake, provider):
    payment = create(provider)
    fake.set_status(payment.id, "completed")
    asked = len(fake.requests)

    with pytest.raises(ProviderError) as raised:
        provider.fetch(payment.id)

    assert raised.value.retry is False
    assert len(fake.requests) == asked


def test_it_reports_a_session_result_adyen_refuses(fake, provider):
    payment = create(provider)
    other = create(provider, amount="1.00", reference="o" * 43)
    fake.set_status(payment.id, "completed")
    fake.set_status(other.id, "completed")
    forged = "X3XtfGC9!" + "A" * 60 + "=="

    for result in (forged, fake.session_result(other.id)):
        with pytest.raises(ProviderError) as raised:
            provider.fetch(payment.id, result)

        assert raised.value.retry is False
        assert "422" in str(raised.value)
        assert result not in str(raised.value)


@pytest.mark.parametrize("query", ["", "?sessionResult=", "?sessionResult=X3XtfGC9%21AAAA"])
def test_the_fake_refuses_a_lookup_without_the_right_result_as_adyen_does(fake, provider, query):
    payment = create(provider)
    fake.set_status(payment.id, "completed")
    answer = requests.get(
        f"{fake.url}/v72/sessions/{payment.id}{query}",
        headers={"X-API-Key": fake.api_key},
        timeout=5,
    )

    error = answer.json()
    assert answer.status_code == 422
    assert error["status"] == 422
    assert error["errorType"] == "validation"
    assert error["errorCode"] and error["message"]


def test_it_refuses_a_wrong_key_without_repeating_it(fake):
    wrong = "AQE" + "w" * 40
    provider = AdyenProvider(config(fake, api_key=wrong))

    with pytest.raises(ProviderError) as raised:
        create(provider)

    assert raised.value.retry is False
    assert "401" in str(raised.value)
    assert wrong not in str(raised.value)
    assert fake.created == 0


def test_it_reports_an_unreachable_adyen_as_worth_retrying(fake):
    provider = AdyenProvider(config(fake, endpoint="http://127.0.0.1:9"))

    with pytest.raises(ProviderError) as raised:
        create(provider)

    assert raised.value.retry is True
    assert fake.api_key not in str(raised.value)


def test_it_tells_the_test_platform_from_the_live_one(fake):
    live = AdyenProvider(config(fake, endpoint="live", test_mode=False, live_prefix="1797a8"))
    test = AdyenProvider(config(fake, endpoint="test"))

    assert (test.test_mode, live.test_mode) == (True, False)
    assert fake.api_key not in repr(live)


def test_it_reads_a_signed_notification_batch(provider):
    body = adyen_notification(
        [
            adyen_item(psp_reference="PSP0001", merchant_reference=REFERENCE, value=1230),
            adyen_item(
                psp_reference="PSP0002",
                merchant_reference=REFERENCE,
                event="REFUND",
                value=500,
                original_reference="PSP0001",
            ),
        ],
        HMAC_KEY,
    )

    items = provider.webhook_items(body=body, headers={})

    assert [(item.provider_id, item.event, item.amount) for item in items] == [
        ("PSP0001", "AUTHORISATION", Decimal("12.30")),
        ("PSP0002", "REFUND", Decimal("5.00")),
    ]
    assert items[0].success is True
    assert items[0].reference == REFERENCE
    assert items[0].currency == "EUR"
    assert items[1].original_id == "PSP0001"
    assert items[0].raw["pspReference"] == "PSP0001"


def test_it_reads_an_unsuccessful_notification(provider):
    body = adyen_notification(
        [adyen_item(psp_reference="PSP0003", merchant_reference=REFERENCE, success=False)],
        HMAC_KEY,
    )

    assert provider.webhook_items(body=body, headers={})[0].success is False


def test_it_refuses_a_batch_with_one_tampered_item(provider):
    good = adyen_sign(
        adyen_item(psp_reference="PSP0001", merchant_reference=REFERENCE, value=1230), HMAC_KEY
    )
    tampered = adyen_sign(
        adyen_item(psp_reference="PSP0002", merchant_reference="other", value=100), HMAC_KEY
    )
    tampered["amount"]["value"] = 100000

    with pytest.raises(WebhookRefused):
        provider.webhook_items(body=adyen_notification([good, tampered], HMAC_KEY), headers={})


def test_it_refuses_a_success_flipped_after_signing(provider):
    item = adyen_sign(
        adyen_item(psp_reference="PSP0001", merchant_reference=REFERENCE, success=False),
        HMAC_KEY,
    )
    item["success"] = "true"

    with pytest.raises(WebhookRefused):
        provider.webhook_items(body=adyen_notification([item], HMAC_KEY), headers={})


def test_it_refuses_a_batch_signed_with_another_key(provider):
    body = adyen_notification(
        [adyen_item(psp_reference="PSP0001", merchant_reference=REFERENCE)], "AB" * 32
    )

    with pytest.raises(WebhookRefused):
        provider.webhook_items(body=body, headers={})


@pytest.mark.parametrize("signature", [None, "", "not base64!", 42])
def test_it_refuses_an_item_without_a_valid_signature(provider, signature):
    good = adyen_sign(adyen_item(psp_reference="PSP0001", merchant_reference=REFERENCE), HMAC_KEY)
    item = adyen_item(psp_reference="PSP0002", merchant_reference=REFERENCE)
    if signature is not None:
        item["additionalData"]["hmacSignature"] = signature
    document = {
        "live": "false",
        "notificationItems": [{"NotificationRequestItem": good}, {"NotificationRequestItem": item}],
    }

    with pytest.raises(WebhookRefused):
        provider.webhook_items(body=json.dumps(document).encode(), headers={})


def test_it_refuses_an_item_without_additional_data(provider):
    item = adyen_item(psp_reference="PSP0001", merchant_reference=REFERENCE)
    del item["additionalData"]
    document = {"live": "false", "notificationItems": [{"NotificationRequestItem": item}]}

    with pytest.raises(WebhookRefused):
        provider.webhook_items(body=json.dumps(document).encode(), headers={})


@pytest.mark.parametrize(
    "body",
    [b"", b"[accepted]", b"{}", b'{"notificationItems": []}', b'{"notificationItems": [1]}'],
)
def test_it_refuses_a_body_that_is_not_a_batch(provider, body):
    with pytest.raises(WebhookRefused):
        provider.webhook_items(body=body, headers={})
