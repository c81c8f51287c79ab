"""Which payment provider Settle talks to: the one settings.SETTLE_PAYMENTS configures.

Read on each call, so a test that switches the configuration gets the provider it configured;
a provider (its HTTP session) is reused for as long as the configuration stays the same.
"""

import threading

from django.conf import settings

from settle.payments.configuration import PaymentsConfig
from settle.payments.providers.adyen import AdyenProvider
from settle.payments.providers.base import Provider
from settle.payments.providers.demo import DemoProvider
from settle.payments.providers.mollie import MollieProvider

_CLASSES = {"mollie": MollieProvider, "adyen": AdyenProvider, "demo": DemoProvider}
_cache: dict[PaymentsConfig, Provider] = {}
_lock = threading.Lock()


def provider_active() -> Provider | None:
    """The configured provider, or None when Settle offers no online payment."""
    config: PaymentsConfig = settings.SETTLE_PAYMENTS
    if not config.enabled:
        return None
    with _lock:
        provider = _cache.get(config)
        if provider is None:
            # A handful of configurations at most (tests switch between a few).
            if len(_cache) >= 8:
                _cache.clear()
            provider = _cache[config] = _CLASSES[config.provider](config)
        return provider


def provider_named(name: str) -> Provider | None:
    """The configured provider if it is `name`: a payment made under another configuration
    (a provider since switched off) cannot be asked about any more."""
    provider = provider_active()
    return provider if provider is not None and provider.name == name else None
