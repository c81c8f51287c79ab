"""POST /payments/webhook/adyen: batches signed the way Adyen signs them, verified by the real
Adyen library's HMAC scheme."""

import json

import pytest
from django.test import Client
from django.utils import translation

from settle.payments.configuration import PaymentsConfig
from settle.payments.models import Notification, NotificationState, RequestState
from settle.payments.notifications import notifications_process_due
from settle.payments.services import payment_request_create
from settle.payments.tests.fake_adyen import HMAC_KEY, FakeAdyen, adyen_item, adyen_notification
from settle.payments.tests.fake_adyen import adyen_sign as sign
from settle.receivables.models import Payment
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

URL = "/payments/webhook/adyen"


@pytest.fixture
def adyen(settings):
    with FakeAdyen() as fake, translation.override("en"):
        settings.SETTLE_PAYMENTS = PaymentsConfig(
            provider="adyen",
            api_key=fake.api_key,
            endpoint=fake.url,
            merchant_account=fake.merchant_account,
            hmac_key=HMAC_KEY,
        )
        yield fake


def deliver(client, body: bytes):
    return client.post(URL, data=body, content_type="application/json")


def test_it_stores_a_verified_batch_and_answers_accepted(adyen, client):
    body = adyen_notification(
        [
            adyen_item(psp_reference="PSP1", merchant_reference="key-1"),
            adyen_item(psp_reference="PSP2", merchant_reference="key-2", success=False),
        ],
        HMAC_KEY,
    )

    answer = deliver(Client(enforce_csrf_checks=True), body)

    assert answer.status_code == 200
    assert answer.content == b"[accepted]"
    stored = Notification.objects.order_by("provider_id")
    assert [(n.provider_id, n.reference, n.event, n.success, n.state) for n in stored] == [
        ("PSP1", "key-1", "AUTHORISATION", True, NotificationState.NEW),
        ("PSP2", "key-2", "AUTHORISATION", False, NotificationState.NEW),
    ]


def test_it_stores_a_notification_delivered_twice_once(adyen, client):
    body = adyen_notification([adyen_item(psp_reference="PSP1", merchant_reference="k")], HMAC_KEY)

    assert deliver(client, body).content == b"[accepted]"
    assert deliver(client, body).content == b"[accepted]"

    assert Notification.objects.count() == 1


def test_it_refuses_a_batch_with_one_tampered_item_and_stores_nothing(adyen, client):
    good = adyen_item(psp_reference="PSP1", merchant_reference="key-1")
    tampered = sign(adyen_item(psp_reference="PSP2", merchant_reference="key-2"), HMAC_KEY)
    tampered["amount"]["value"] = 1  # signed for 10.00, claims 0.01

    answer = deliver(client, adyen_notification([good, tampered], HMAC_KEY))

    assert answer.status_code == 401
    assert answer.content != b"[accepted]"
    assert not Notification.objects.exists()
    assert not Payment.objects.exists()


def test_it_refuses_a_batch_signed_with_another_key(adyen, client):
    other_key = "00" * 32
    body = adyen_notification([adyen_item(psp_reference="PSP1", merchant_reference="k")], other_key)

    assert deliver(client, body).status_code == 401
    assert not Notification.objects.exists()


def test_it_refuses_an_unsigned_or_malformed_body(adyen, client):
    unsigned = json.dumps(
        {
            "live": "false",
            "notificationItems": [
                {"NotificationRequestItem": adyen_item(psp_reference="P", merchant_reference="k")}
            ],
        }
    ).encode()

    assert deliver(client, unsigned).status_code == 401
    assert deliver(client, b"not json").status_code == 401
    assert not Notification.objects.exists()


def test_it_answers_the_exact_address_without_a_redirect(adyen, client):
    body = adyen_notification([adyen_item(psp_reference="PSP1", merchant_reference="k")], HMAC_KEY)

    answer = deliver(client, body)

    assert answer.status_code == 200
    assert "Location" not in answer.headers
    assert client.get(URL).status_code == 405


def test_it_accepts_nothing_when_adyen_is_not_configured(client, settings):
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="demo")
    body = adyen_notification([adyen_item(psp_reference="PSP1", merchant_reference="k")], HMAC_KEY)

    assert deliver(client, body).status_code == 401
    assert not Notification.objects.exists()


def test_the_worker_books_what_an_accepted_notification_reports(adyen, alice, client):
    invoice = InvoiceFactory(debtor=alice)
    request = payment_request_create(debtor=alice, invoices=[invoice], language="en")
    body = adyen_notification(
        [adyen_item(psp_reference="PSP1", merchant_reference=request.key, value=12100)], HMAC_KEY
    )

    assert deliver(client, body).content == b"[accepted]"
    assert not Payment.objects.exists()  # the webhook only stores
    notifications_process_due()

    request.refresh_from_db()
    invoice.refresh_from_db()
    assert request.state == RequestState.PAID
    assert request.payment == Payment.objects.get()
    assert invoice.open_amount == 0
