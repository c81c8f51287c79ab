"""SETTLE_PAYMENTS_URL: which payment provider Settle uses, and its keys.

Read by the settings (so a wrong value stops Settle at start with a clear message) and by
`providers.registry`. Plain Python, no Django models: the settings module imports it.

    (unset)                       the demo provider, except in production: no online payment
    none:                         no online payment (the portal and messages say nothing of it)
    demo:                         the demo checkout served by Settle itself (refused in production)
    mollie://API_KEY              Mollie (test_… or live_… keys), at https://api.mollie.com
    mollie+http://API_KEY@HOST:PORT   Mollie's API at another address (tests, a proxy)
    adyen://API_KEY@test?merchant=ACCOUNT&hmac=HEXKEY
    adyen://API_KEY@live?merchant=ACCOUNT&hmac=HEXKEY&prefix=LIVE_URL_PREFIX
    adyen+http://API_KEY@HOST:PORT?merchant=ACCOUNT&hmac=HEXKEY   (tests)

An API key with characters other than letters, digits, `_` and `-` is percent-encoded in the
URL (Adyen keys hold `+`, `/` and `=`: `%2B`, `%2F`, `%3D`).
"""

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

URL_FORMS = (
    "SETTLE_PAYMENTS_URL must be none:, demo:, mollie://API_KEY, "
    "adyen://API_KEY@test?merchant=ACCOUNT&hmac=HEXKEY or "
    "adyen://API_KEY@live?merchant=ACCOUNT&hmac=HEXKEY&prefix=LIVE_PREFIX"
)
MOLLIE_ENDPOINT = "https://api.mollie.com"
_MOLLIE_KEY = re.compile(r"(test|live)_[A-Za-z0-9]{20,}")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")


class PaymentsConfigurationError(ValueError):
    pass


@dataclass(frozen=True)
class PaymentsConfig:
    """The provider and what it needs. `provider` is "" when there is no online payment."""

    provider: str = ""
    # Never in a repr: a configuration that ends up in a log or an error page shows no key.
    api_key: str = field(default="", repr=False)
    test_mode: bool = True
    # Mollie: the API's base URL; Adyen: "test", "live", or a base URL for tests.
    endpoint: str = ""
    merchant_account: str = ""
    hmac_key: str = field(default="", repr=False)
    live_prefix: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.provider)


def payments_config_parse(url: str, *, production: bool) -> PaymentsConfig:
    """The configuration SETTLE_PAYMENTS_URL describes; PaymentsConfigurationError says what is
    wrong with it (never repeating a key)."""
    url = (url or "").strip()
    if not url:
        return PaymentsConfig() if production else PaymentsConfig(provider="demo")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "none":
        return PaymentsConfig()
    if scheme == "demo":
        if production:
            raise PaymentsConfigurationError(
                "SETTLE_PAYMENTS_URL=demo: is for trying Settle out; in production configure "
                "Mollie or Adyen, or none: for no online payment"
            )
        return PaymentsConfig(provider="demo")
    if scheme in {"mollie", "mollie+http"}:
        return _mollie(parts, scheme)
    if scheme in {"adyen", "adyen+http"}:
        return _adyen(parts, scheme)
    raise PaymentsConfigurationError(URL_FORMS)


def _mollie(parts, scheme: str) -> PaymentsConfig:
    # mollie://KEY puts the key where a host goes; mollie+http://KEY@HOST:PORT as a user.
    key = unquote(parts.netloc.split("@", 1)[0])
    if not _MOLLIE_KEY.fullmatch(key):
        raise PaymentsConfigurationError(
            "SETTLE_PAYMENTS_URL: a Mollie API key starts with test_ or live_ "
            "(Mollie's dashboard: Developers → API keys)"
        )
    if scheme == "mollie+http":
        if not parts.hostname or "@" not in parts.netloc:
            raise PaymentsConfigurationError(
                "SETTLE_PAYMENTS_URL: mollie+http:// needs KEY@HOST:PORT"
            )
        endpoint = f"http://{parts.netloc.split('@', 1)[1]}"
    else:
        endpoint = MOLLIE_ENDPOINT
    return PaymentsConfig(
        provider="mollie", api_key=key, test_mode=key.startswith("test_"), endpoint=endpoint
    )


def _adyen(parts, scheme: str) -> PaymentsConfig:
    if "@" not in parts.netloc:
        raise PaymentsConfigurationError(URL_FORMS)
    raw_key, where = parts.netloc.split("@", 1)
    key = unquote(raw_key)
    query = parse_qs(parts.query)
    merchant = query.get("merchant", [""])[0]
    hmac_key = query.get("hmac", [""])[0]
    prefix = query.get("prefix", [""])[0]
    if not key or not merchant:
        raise PaymentsConfigurationError(
            "SETTLE_PAYMENTS_URL: Adyen needs an API key and ?merchant=YOUR_MERCHANT_ACCOUNT"
        )
    if not _HEX.fullmatch(hmac_key):
        raise PaymentsConfigurationError(
            "SETTLE_PAYMENTS_URL: Adyen needs &hmac= with the webhook's HMAC key (hexadecimal), "
            "so that notifications can be verified"
        )
    if scheme == "adyen+http":
        endpoint, test_mode = f"http://{where}", True
    elif where == "test":
        endpoint, test_mode = "test", True
    elif where == "live":
        if not prefix:
            raise PaymentsConfigurationError(
                "SETTLE_PAYMENTS_URL: Adyen's live environment needs &prefix= (your live URL "
                "prefix, from the Customer Area)"
            )
        endpoint, test_mode = "live", False
    else:
        raise PaymentsConfigurationError(
            "SETTLE_PAYMENTS_URL: Adyen's environment is test or live: adyen://KEY@test?…"
        )
    return PaymentsConfig(
        provider="adyen",
        api_key=key,
        test_mode=test_mode,
        endpoint=endpoint,
        merchant_account=merchant,
        hmac_key=hmac_key,
        live_prefix=prefix,
    )
