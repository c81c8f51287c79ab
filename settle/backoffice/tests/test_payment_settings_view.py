from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from settle.payments.configuration import PaymentsConfig, payments_config_parse
from settle.payments.models import Notification, PaymentRequest

pytestmark = pytest.mark.django_db

PAGE = reverse("backoffice:payment_settings")
MOLLIE_KEY = "live_" + "Kd8fGh2Jk4Lm6Np8Qr0St2Vw4Xy6"
ADYEN_KEY = "AQEyhmfxKo3NaRxDw0m/n3Q5qf3VaY9UCJ1+XWZe9W27jmlZiuqLq0uBEMFdWw2+5HzctViMSCJMYAc="
ADYEN_HMAC = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def shown(client) -> str:
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode()


def pieces(secret: str) -> list[str]:
    """The key and every run of 8 of its characters: no part of a key may show."""
    return [secret] + [secret[start : start + 8] for start in range(len(secret) - 7)]


def test_it_shows_mollie_in_live_mode_and_its_webhook_address_but_never_the_key(
    bob_client, settings
):
    settings.SETTLE_BASE_URL = "https://pay.example.nl"
    settings.SETTLE_PAYMENTS = payments_config_parse(f"mollie://{MOLLIE_KEY}", production=True)

    response = bob_client.get(PAGE)
    html = response.content.decode()

    assert "Mollie" in html
    assert "Live: debtors pay real money" in html
    assert "https://pay.example.nl/payments/webhook/mollie" in html
    assert "No webhook has arrived yet." in html
    everything = html + "".join(f"{name}: {value}" for name, value in response.items())
    for piece in pieces(MOLLIE_KEY):
        assert piece not in everything


def test_it_shows_a_mollie_test_key_as_test_mode(bob_client, settings):
    key = "test_" + "x" * 30
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="mollie", api_key=key, test_mode=True)

    html = shown(bob_client)

    assert "Test mode: no real money is paid" in html
    assert key not in html


def test_it_shows_adyen_without_its_api_key_or_hmac_key(bob_client, settings):
    settings.SETTLE_BASE_URL = "https://pay.example.nl"
    settings.SETTLE_PAYMENTS = payments_config_parse(
        f"adyen://{ADYEN_KEY.replace('+', '%2B').replace('/', '%2F').replace('=', '%3D')}@live"
        f"?merchant=AcmeNL&hmac={ADYEN_HMAC}&prefix=1797a841fbb37ca7-AdyenDemo",
        production=True,
    )

    html = shown(bob_client)

    assert "Adyen" in html
    assert "Live: debtors pay real money" in html
    assert "https://pay.example.nl/payments/webhook/adyen" in html
    assert "HMAC" in html
    for piece in pieces(ADYEN_KEY) + pieces(ADYEN_HMAC):
        assert piece not in html


def test_it_shows_when_the_last_webhook_arrived(bob_client, settings, alice):
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="adyen", api_key="k", test_mode=True)
    at = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    Notification.objects.create(
        provider="adyen",
        dedupe_key="adyen:PSP1:AUTHORISATION:true",
        provider_id="PSP1",
        event="AUTHORISATION",
        due_at=at,
    )
    Notification.objects.filter(provider="adyen").update(created_at=at)
    PaymentRequest.objects.create(
        key="k" * 32,
        debtor=alice,
        amount="10.00",
        description="Settle",
        provider="mollie",
        provider_id="tr_other",
        due_at=at,
        # Another provider's webhook, later: not the one configured now.
        last_webhook_at=at + timedelta(minutes=3),
    )

    html = shown(bob_client)

    assert f'datetime="{timezone.localtime(at).isoformat()}"' in html
    assert "No webhook has arrived yet." not in html


def test_it_warns_when_the_provider_cannot_reach_the_webhook(bob_client, settings):
    settings.SETTLE_BASE_URL = "http://127.0.0.1:8000"
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="mollie", api_key="test_" + "y" * 30)

    html = shown(bob_client)

    assert "http://127.0.0.1:8000/payments/webhook/mollie" in html
    assert "servers cannot reach it" in html


def test_it_explains_the_demo_checkout_and_no_provider(bob_client, settings):
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="demo")
    demo = shown(bob_client)
    settings.SETTLE_PAYMENTS = PaymentsConfig()
    none = shown(bob_client)

    assert "Demo checkout (no real money)" in demo
    assert "no webhook address" in demo
    assert "/payments/webhook/" not in demo
    assert "None: debtors cannot pay online" in none
    assert "do not offer online payment" in none


def test_it_is_shown_in_dutch(bob_client, settings):
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="mollie", api_key="test_" + "z" * 30)
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"

    html = shown(bob_client)

    assert '<h2 id="payment-settings-title">Online betalen</h2>' in html
    assert "Betaalprovider" in html
    assert "Testmodus: er wordt geen echt geld betaald" in html


def test_it_is_open_to_every_employee_with_the_settings_tabs_for_administrators(client, bob, dave):
    client.force_login(bob)
    employee = shown(client)
    # An employee finds the page from the payments list; the other settings are not theirs.
    payments_list = client.get(reverse("backoffice:payment_list")).content.decode()
    client.force_login(dave)
    administrator = shown(client)

    assert f'href="{PAGE}"' in payments_list
    assert 'aria-label="Settings"' not in employee
    assert f'href="{PAGE}" aria-current="page">Online payment</a>' in administrator


def test_it_sends_anonymous_visitors_and_non_employees_to_sign_in(client, django_user_model):
    login = reverse("backoffice:login")
    assert client.get(PAGE)["Location"].startswith(f"{login}?next=")
    client.force_login(django_user_model.objects.create_user(username="eve"))
    assert client.get(PAGE)["Location"].startswith(f"{login}?next=")
