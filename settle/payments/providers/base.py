"""What Settle asks of a payment provider, whichever it is (Mollie, Adyen, the demo).

A provider creates a payment at its hosted checkout for an amount with our reference, tells
the current state of a payment when asked (including what was refunded or charged back), and
reads its own webhook deliveries. Everything else (what a state means for the invoices) is
`settle.payments.services`'s, so every provider drives the same booking path.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderState(models.TextChoices):
    """A payment's state at the provider, in Mollie's words (Adyen's are mapped onto them)."""

    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    AUTHORIZED = "authorized", _("Authorized")
    PAID = "paid", _("Paid")
    CANCELED = "canceled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    FAILED = "failed", _("Failed")


# States a payment does not leave (a paid one may still be refunded or charged back).
FINAL_STATES = frozenset(
    {ProviderState.PAID, ProviderState.CANCELED, ProviderState.EXPIRED, ProviderState.FAILED}
)


class ProviderError(Exception):
    """The provider could not be reached or refused the call; `retry` says whether trying
    again later may help (a timeout, a 5xx) or not (a refused key, a malformed request)."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


class WebhookRefused(Exception):  # noqa: N818 (a refusal the view answers with a 4xx)
    """A webhook delivery that must change nothing: a bad signature, a malformed body."""


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider reports it now.

    `amount` and `currency` are what the provider holds (checked against our request before
    anything is booked); `refunded` and `charged_back` are the totals so far, in that currency.
    """

    id: str
    state: ProviderState
    amount: Decimal
    currency: str
    checkout_url: str = ""
    paid_at: datetime | None = None
    refunded: Decimal = Decimal("0.00")
    charged_back: Decimal = Decimal("0.00")
    # Our reference as the provider echoes it (Mollie's metadata, Adyen's merchantReference).
    reference: str = ""


@dataclass(frozen=True)
class WebhookItem:
    """One thing a webhook delivery says changed: the provider's payment id, and for providers
    that sign their notifications (Adyen) the verified facts they carry."""

    provider_id: str
    reference: str = ""
    event: str = ""
    success: bool = False
    amount: Decimal | None = None
    currency: str = ""
    original_id: str = ""
    raw: dict = field(default_factory=dict)


class Provider(Protocol):
    """A payment provider's client. Implementations: providers.mollie, providers.adyen,
    providers.demo; `settle.payments.providers.registry.provider_active()` gives the configured
    one."""

    # "mollie", "adyen" or "demo": stored on each PaymentRequest.
    name: str
    # True for test keys (Mollie's test_…, Adyen's test environment) and the demo.
    test_mode: bool

    def create(
        self,
        *,
        amount: Decimal,
        currency: str,
        reference: str,
        description: str,
        return_url: str,
        webhook_url: str,
        locale: str,
    ) -> ProviderPayment:
        """Create a payment at the hosted checkout; `reference` is also the idempotency key,
        so a retried create after a timeout gives the same payment. Raises ProviderError."""
        ...

    def fetch(self, provider_id: str, result: str = "") -> ProviderPayment:
        """The payment's current state, read from the provider. `result` is what the provider
        gave the debtor's return address for reading it back (Adyen's `sessionResult`, which
        Adyen's lookup requires; Mollie and the demo need none and ignore it): an opaque token,
        never a state. Raises ProviderError."""
        ...

    def cancel(self, provider_id: str) -> bool:
        """Cancel an open payment where the provider allows it; False where it cannot (already
        final, or not cancelable). Best effort: raises ProviderError only when unreachable."""
        ...

    def webhook_items(self, *, body: bytes, headers: dict[str, str]) -> list[WebhookItem]:
        """What a webhook delivery names. Raises WebhookRefused for a delivery that must change
        nothing (for Adyen: any item with a bad HMAC signature refuses the whole batch)."""
        ...
