"""Mollie, through Mollie's official client (mollie-api-python), at its hosted checkout.

A payment is created for an amount with our reference; Mollie's hosted checkout offers the
debtor every activated method that pays at once. Its webhook names only a payment id: the state
is always fetched from Mollie's API, never read from the delivery.
"""

import hashlib
import ipaddress
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs, urlsplit

import requests
from django.utils.dateparse import parse_datetime
from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from mollie.api.error import (
    NotFoundError,
    RequestError,
    RequestSetupError,
    ResponseError,
    ResponseHandlingError,
)
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from settle.payments.configuration import PaymentsConfig
from settle.payments.providers.base import (
    ProviderError,
    ProviderPayment,
    ProviderState,
    WebhookItem,
    WebhookRefused,
)

# Left out of the hosted checkout: methods that authorize now and capture later (pay later:
# the money is not ours until a capture Settle never makes) and the bank transfer through
# Mollie, which stays open for days while debtors' transfers already arrive on our statements.
EXCLUDED_METHODS = frozenset(
    {
        "banktransfer",
        "billie",
        "in3",
        "klarna",
        "klarnapaylater",
        "klarnapaynow",
        "klarnasliceit",
        "riverty",
    }
)
# Mollie's checkout languages for ours; others get Mollie's choice (the browser's language).
LOCALES = {"nl": "nl_NL", "en": "en_US", "de": "de_DE", "fr": "fr_FR"}
# Short, so a debtor waiting on the pay button is told soon that Mollie cannot be reached:
# (connect, read) seconds.
TIMEOUT = (2, 10)
_PAYMENT_ID = re.compile(r"tr_[A-Za-z0-9]{1,64}")
CENT = Decimal("0.01")


def mollie_value(amount: Decimal) -> str:
    """Mollie's notation of an amount: a string with exactly two decimals ("12.30")."""
    return str(amount.quantize(CENT))


def idempotency_key(reference: str) -> str:
    """The Idempotency-Key sent with a create: stable for one reference, so a retry after a
    timeout replays the first create. A digest, not the reference itself: the reference is the
    secret in the return page's address, and the client library logs the key of a replay."""
    return "settle-" + hashlib.sha256(reference.encode()).hexdigest()[:40]


def reachable_from_outside(url: str) -> bool:
    """Whether Mollie could call this address. Mollie refuses to create a payment whose
    webhookUrl points at localhost or a private network (a Settle tried out on a laptop with a
    test key): such a payment is made without one, and the worker's poll and the return page
    fetch its state instead."""
    host = (urlsplit(url).hostname or "").lower()
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host
    return address.is_global


class MollieProvider:
    """The Provider protocol (providers/base.py) over Mollie's Payments API v2."""

    name = "mollie"

    def __init__(self, config: PaymentsConfig, *, timeout: tuple[float, float] = TIMEOUT):
        self.test_mode = config.api_key.startswith("test_")
        self._key = config.api_key
        self._client = Client(api_endpoint=config.endpoint or "", timeout=timeout)
        # The client makes its HTTP session on first use with a pool of 10 connections and a
        # connect retry with back-off that can keep a debtor waiting for 15 seconds. Given
        # ours first: one connect retry (the request never left), and a pool as large as a
        # busy worker's threads, so concurrent webhooks reuse connections.
        session = requests.Session()
        adapter = HTTPAdapter(pool_maxsize=32, max_retries=Retry(connect=1, read=0))
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self._client._client = session
        try:
            self._client.set_api_key(config.api_key)
        except RequestSetupError:
            # The library's message repeats the key.
            raise ProviderError("Mollie: the API key is not a Mollie key", retry=False) from None

    def __repr__(self) -> str:
        return f"<MollieProvider {'test' if self.test_mode else 'live'}>"

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
        """Create a payment at Mollie's hosted checkout. Sent with an Idempotency-Key derived
        from `reference`, and retried once on a timeout or a lost connection: the retry replays
        the first create at Mollie instead of making a second payment."""
        data = {
            "amount": {"currency": currency, "value": mollie_value(amount)},
            "description": description[:255],
            "redirectUrl": return_url,
            "metadata": {"reference": reference},
        }
        if webhook_url and reachable_from_outside(webhook_url):
            data["webhookUrl"] = webhook_url
        mollie_locale = LOCALES.get((locale or "")[:2].lower())
        if mollie_locale:
            data["locale"] = mollie_locale
        methods = self._immediate_methods(amount=amount, currency=currency)
        if methods:
            data["method"] = methods
        key = idempotency_key(reference)
        try:
            payment = self._call(self._client.payments.create, data, idempotency_key=key)
        except ProviderError as exc:
            if not exc.retry:
                raise
            payment = self._call(self._client.payments.create, data, idempotency_key=key)
        return self._payment(payment)

    def fetch(self, provider_id: str, result: str = "") -> ProviderPayment:
        """The payment as Mollie holds it now: state, paidAt, and the totals refunded and
        charged back (`amountRefunded`, `amountChargedBack`). Mollie reads a payment by its id
        alone: `result` is not used."""
        if not _PAYMENT_ID.fullmatch(provider_id or ""):
            raise ProviderError("Mollie: not a payment id", retry=False)
        return self._payment(self._call(self._client.payments.get, provider_id))

    def cancel(self, provider_id: str) -> bool:
        """Cancel the payment if Mollie says it can be (`isCancelable`); most open payments
        (iDEAL, cards) cannot, and expire at Mollie by themselves."""
        payment = self._call(self._client.payments.get, provider_id)
        if not payment.get("isCancelable"):
            return False
        try:
            self._call(self._client.payments.delete, provider_id)
        except ProviderError as exc:
            if exc.retry:
                raise
            # Paid or expired between the two calls.
            return False
        return True

    def webhook_items(self, *, body: bytes, headers: dict[str, str]) -> list[WebhookItem]:
        """Mollie posts `id=tr_…` (form-encoded) and nothing else we may trust: the id is all
        that is read, and the state is fetched. Anything that is not a payment id is refused."""
        try:
            fields = parse_qs(body.decode("ascii"), strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            raise WebhookRefused("Mollie webhook: not a form") from None
        ids = fields.get("id", [])
        if len(ids) != 1 or not _PAYMENT_ID.fullmatch(ids[0]):
            raise WebhookRefused("Mollie webhook: no payment id")
        return [WebhookItem(provider_id=ids[0])]

    def _immediate_methods(self, *, amount: Decimal, currency: str) -> list[str]:
        """The activated methods for this amount that pay at once. Empty when Mollie cannot
        list them: the create then leaves `method` out and Mollie offers all."""
        try:
            listed = self._call(
                self._client.methods.list,
                amount={"value": mollie_value(amount), "currency": currency},
            )
            ids = [method["id"] for method in listed]
        except (ProviderError, KeyError, TypeError):
            return []
        return [method for method in ids if method not in EXCLUDED_METHODS]

    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except NotFoundError:
            raise ProviderError("Mollie: no such payment", retry=False) from None
        except ResponseError as exc:
            status = exc.status if isinstance(exc.status, int) else 0
            retry = status >= 500 or status == 429
            raise ProviderError(
                self._scrub(f"Mollie answered {status}: {exc}"), retry=retry
            ) from None
        except (RequestError, ResponseHandlingError) as exc:
            # RequestSetupError is a RequestError but nothing a retry mends.
            retry = not isinstance(exc, RequestSetupError)
            raise ProviderError(self._scrub(f"Mollie: {exc}"), retry=retry) from None
        except MollieError as exc:
            raise ProviderError(self._scrub(f"Mollie: {exc}"), retry=False) from None

    def _scrub(self, message: str) -> str:
        return message.replace(self._key, "***") if self._key else message

    def _payment(self, data: dict) -> ProviderPayment:
        try:
            state = ProviderState(data["status"])
            amount = Decimal(data["amount"]["value"])
            currency = data["amount"]["currency"]
        except (KeyError, TypeError, ValueError, InvalidOperation):
            raise ProviderError("Mollie: unreadable payment", retry=True) from None
        metadata = data.get("metadata") or {}
        return ProviderPayment(
            id=data["id"],
            state=state,
            amount=amount,
            currency=currency,
            checkout_url=((data.get("_links") or {}).get("checkout") or {}).get("href", ""),
            paid_at=parse_datetime(data["paidAt"]) if data.get("paidAt") else None,
            refunded=_amount(data.get("amountRefunded")),
            charged_back=_amount(data.get("amountChargedBack")),
            reference=metadata.get("reference", "") if isinstance(metadata, dict) else "",
        )


def _amount(field: dict | None) -> Decimal:
    if not field:
        return Decimal("0.00")
    return Decimal(field["value"])
