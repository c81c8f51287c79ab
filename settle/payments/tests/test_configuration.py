"""SETTLE_PAYMENTS_URL (and its _FILE twin) → the provider Settle uses; never a key shown."""

import pytest

from settle.config.env import env_str
from settle.payments.configuration import (
    MOLLIE_ENDPOINT,
    PaymentsConfig,
    PaymentsConfigurationError,
    payments_config_parse,
)
from settle.payments.providers.adyen import AdyenProvider
from settle.payments.providers.demo import DemoProvider
from settle.payments.providers.mollie import MollieProvider
from settle.payments.providers.registry import provider_active, provider_named

MOLLIE_TEST = "test_" + "A1b2C3d4E5" * 3
MOLLIE_LIVE = "live_" + "Z9y8X7w6V5" * 3
ADYEN_KEY = "AQEyhmfxK4PJahZCw0m/n3Q5qf3VaY9UCJ14XWZE03G/k2NFikzVGEiYj+4vtN0Q=="
ADYEN_ENCODED = ADYEN_KEY.replace("/", "%2F").replace("+", "%2B").replace("=", "%3D")
HMAC = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"


def parse(url: str, *, production: bool = False) -> PaymentsConfig:
    return payments_config_parse(url, production=production)


def test_it_uses_the_demo_when_nothing_is_configured():
    assert parse("").provider == "demo"
    assert parse("   ").provider == "demo"


def test_it_offers_no_online_payment_in_production_when_nothing_is_configured():
    config = parse("", production=True)

    assert config.provider == ""
    assert config.enabled is False


def test_it_switches_online_payment_off_with_none():
    assert parse("none:").enabled is False


def test_it_refuses_the_demo_in_production():
    with pytest.raises(PaymentsConfigurationError, match="production"):
        parse("demo:", production=True)


def test_it_reads_a_mollie_test_key():
    config = parse(f"mollie://{MOLLIE_TEST}")

    assert (config.provider, config.api_key, config.test_mode) == ("mollie", MOLLIE_TEST, True)
    assert config.endpoint == MOLLIE_ENDPOINT


def test_it_reads_a_mollie_live_key_as_live():
    config = parse(f"mollie://{MOLLIE_LIVE}", production=True)

    assert (config.api_key, config.test_mode) == (MOLLIE_LIVE, False)


def test_it_reads_mollie_at_another_address():
    config = parse(f"mollie+http://{MOLLIE_TEST}@127.0.0.1:8123")

    assert config.endpoint == "http://127.0.0.1:8123"
    assert config.api_key == MOLLIE_TEST


@pytest.mark.parametrize(
    "url",
    ["mollie://sk_abcdefghijklmnopqrstuvwxyz", "mollie://test_short", "mollie+http://x@"],
)
def test_it_refuses_what_is_no_mollie_key_without_repeating_it(url):
    with pytest.raises(PaymentsConfigurationError) as raised:
        parse(url)

    assert "abcdefghijklmnop" not in str(raised.value)
    assert "test_short" not in str(raised.value)


def test_it_reads_adyen_on_its_test_platform_with_an_encoded_key():
    config = parse(f"adyen://{ADYEN_ENCODED}@test?merchant=SettleECOM&hmac={HMAC}")

    assert config.provider == "adyen"
    assert config.api_key == ADYEN_KEY
    assert (config.endpoint, config.test_mode) == ("test", True)
    assert (config.merchant_account, config.hmac_key) == ("SettleECOM", HMAC)


def test_it_reads_adyen_live_with_its_prefix():
    config = parse(
        f"adyen://{ADYEN_ENCODED}@live?merchant=SettleECOM&hmac={HMAC}&prefix=1797a841fbb37ca7",
        production=True,
    )

    assert (config.endpoint, config.test_mode) == ("live", False)
    assert config.live_prefix == "1797a841fbb37ca7"


def test_it_reads_adyen_at_another_address():
    config = parse(f"adyen+http://{ADYEN_ENCODED}@127.0.0.1:8124?merchant=M&hmac={HMAC}")

    assert config.endpoint == "http://127.0.0.1:8124"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (f"adyen://{ADYEN_ENCODED}@live?merchant=M&hmac={HMAC}", "prefix"),
        (f"adyen://{ADYEN_ENCODED}@test?merchant=M", "hmac"),
        (f"adyen://{ADYEN_ENCODED}@test?merchant=M&hmac=xyz", "hmac"),
        (f"adyen://{ADYEN_ENCODED}@test?hmac={HMAC}", "merchant"),
        (f"adyen://{ADYEN_ENCODED}@staging?merchant=M&hmac={HMAC}", "test or live"),
        ("adyen://test?merchant=M", "adyen://"),
    ],
)
def test_it_says_what_an_adyen_url_lacks_without_repeating_the_key(url, says):
    with pytest.raises(PaymentsConfigurationError, match=says) as raised:
        parse(url)

    assert ADYEN_KEY not in str(raised.value)
    assert "AQEyhmfx" not in str(raised.value)


@pytest.mark.parametrize("url", ["stripe://sk_live_abc", "https://api.mollie.com", "demo"])
def test_it_lists_the_forms_for_an_unknown_url(url):
    with pytest.raises(PaymentsConfigurationError, match="mollie://API_KEY"):
        parse(url)


def test_it_shows_no_key_in_a_configuration_that_is_printed():
    config = parse(f"adyen://{ADYEN_ENCODED}@test?merchant=SettleECOM&hmac={HMAC}")

    assert "AQEyhmfx" not in repr(config)
    assert HMAC not in repr(config)
    assert "SettleECOM" in repr(config)
    assert MOLLIE_TEST not in repr(parse(f"mollie://{MOLLIE_TEST}"))


def test_it_reads_the_url_from_the_file_its_twin_names(tmp_path, monkeypatch):
    secret = tmp_path / "payments_url"
    secret.write_text(f"mollie://{MOLLIE_LIVE}\n")
    monkeypatch.setenv("SETTLE_PAYMENTS_URL", "none:")
    monkeypatch.setenv("SETTLE_PAYMENTS_URL_FILE", str(secret))

    config = parse(env_str("SETTLE_PAYMENTS_URL"), production=True)

    assert (config.provider, config.api_key, config.test_mode) == ("mollie", MOLLIE_LIVE, False)


def test_it_gives_no_provider_when_online_payment_is_off(settings):
    settings.SETTLE_PAYMENTS = PaymentsConfig()

    assert provider_active() is None
    assert provider_named("demo") is None


def test_it_gives_the_configured_provider(settings):
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="demo")
    assert isinstance(provider_active(), DemoProvider)

    settings.SETTLE_PAYMENTS = parse(f"mollie://{MOLLIE_TEST}")
    assert isinstance(provider_active(), MollieProvider)
    assert provider_active() is provider_active()

    settings.SETTLE_PAYMENTS = parse(f"adyen://{ADYEN_ENCODED}@test?merchant=M&hmac={HMAC}")
    assert isinstance(provider_active(), AdyenProvider)


def test_it_gives_a_provider_by_name_only_while_it_is_configured(settings):
    settings.SETTLE_PAYMENTS = parse(f"mollie://{MOLLIE_TEST}")
    assert provider_named("mollie") is provider_active()
    assert provider_named("demo") is None

    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="demo")
    assert provider_named("mollie") is None
    assert provider_named("demo").name == "demo"


def test_it_makes_a_new_provider_when_the_key_changes(settings):
    settings.SETTLE_PAYMENTS = parse(f"mollie://{MOLLIE_TEST}")
    test = provider_active()
    settings.SETTLE_PAYMENTS = parse(f"mollie://{MOLLIE_LIVE}")
    live = provider_active()

    assert (test.test_mode, live.test_mode) == (True, False)
