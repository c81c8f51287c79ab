"""Adyen, through Adyen's official library (`Adyen`), with Checkout sessions in hosted mode.

A session is created for an amount with our reference (`reference`, echoed by Adyen as the
notifications' `merchantReference`); the debtor pays at Adyen's hosted payment page. Adyen's
notifications (webhooks) carry facts, not only ids: each item is verified with the HMAC key
before anything of it is believed, stored, answered "[accepted]" and processed by the worker.
Refunds and chargebacks reach Settle only through those notifications (REFUND, CHARGEBACK):
`fetch` reports none.

How a session's status (GET /sessions/{id}) maps onto ours:
    active → open, paymentPending → pending, completed → paid (Adyen: authorised),
    canceled → canceled, expired → expired, refused → failed.
That GET requires the session's `sessionResult`, which Adyen appends (with the `sessionId`) to
the debtor's return address only: the return page stores it on the request
(services.payment_request_result_note) and every fetch sends it back. A request whose debtor
never came back has none, and is not looked up at all. Adyen says the status it gives is not
updated afterwards: for Adyen the notifications are what books a payment, and `fetch` is the
return page's and the worker's best effort (a refusal is a ProviderError that changes nothing).
"""

import base64
import binascii
import hashlib
import json
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

import Adyen
from Adyen.exceptions import (
    AdyenAPIAuthenticationError,
    AdyenAPIInvalidPermission,
    AdyenAPIUnprocessableEntity,
    AdyenAPIValidationError,
    AdyenError,
)
from Adyen.util import is_valid_hmac_notification
from requests.exceptions import RequestException

from settle.payments.configuration import PaymentsConfig
from settle.payments.providers.base import (
    ProviderError,
    ProviderPayment,
    ProviderState,
    WebhookItem,
    WebhookRefused,
)

STATES = {
    "active": ProviderState.OPEN,
    "paymentPending": ProviderState.PENDING,
    "completed": ProviderState.PAID,
    "canceled": ProviderState.CANCELED,
    "expired": ProviderState.EXPIRED,
    "refused": ProviderState.FAILED,
}
# Kept off the hosted payment page: pay later (authorised now, captured later, so not our
# money until a capture Settle never makes) and bank transfers through Adyen (open for days,
# while transfers reach us on our own bank statements).
BLOCKED_METHODS = [
    "affirm",
    "afterpaytouch",
    "atome",
    "bankTransfer_IBAN",
    "bankTransfer_BE",
    "bankTransfer_DE",
    "bankTransfer_NL",
    "clearpay",
    "facilypay_3x",
    "facilypay_4x",
    "klarna",
    "klarna_account",
    "klarna_b2b",
    "klarna_paynow",
    "paybright",
    "ratepay",
    "ratepay_directdebit",
    "riverty",
    "walley",
    "zip",
]
LOCALES = {"nl": "nl-NL", "en": "en-US", "de": "de-DE", "fr": "fr-FR"}
TIMEOUT = (2, 10)
# Adyen's minor units: most currencies have two decimals, these have none or three.
EXPONENTS = {
    **dict.fromkeys(
        [
            "CVE",
            "DJF",
            "GNF",
            "IDR",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
}


def minor_units(amount: Decimal, currency: str) -> int:
    """An amount in Adyen's notation: whole minor units (cents for EUR)."""
    return int(amount.scaleb(EXPONENTS.get(currency, 2)).to_integral_value())


def from_minor_units(value: int, currency: str) -> Decimal:
    exponent = EXPONENTS.get(currency, 2)
    return Decimal(int(value)).scaleb(-exponent).quantize(Decimal(1).scaleb(-max(exponent, 2)))


def idempotency_key(reference: str) -> str:
    """Stable per reference (a retried create replays the first), and not the reference itself,
    which is the secret in the return page's address."""
    return "settle-" + hashlib.sha256(reference.encode()).hexdigest()[:40]


def hmac_valid(item: dict, hmac_key: str) -> bool:
    """Whether a NotificationRequestItem carries a valid HMAC signature under `hmac_key`
    (Adyen's algorithm, compared in constant time by the library). A missing, empty or
    malformed signature is invalid, never an error."""
    try:
        signature = item["additionalData"]["hmacSignature"]
        if not isinstance(signature, str) or not signature:
            return False
        base64.b64decode(signature, validate=True)
        return is_valid_hmac_notification(item, hmac_key) is True
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error):
        return False


class AdyenProvider:
    """The Provider protocol (providers/base.py) over Adyen's Checkout API (sessions)."""

    name = "adyen"

    def __init__(self, config: PaymentsConfig, *, timeout: tuple[float, float] = TIMEOUT):
        self.test_mode = config.test_mode
        self._key = config.api_key
        self._merchant = config.merchant_account
        self._hmac_key = config.hmac_key
        live = config.endpoint == "live"
        adyen = Adyen.Adyen(
            xapikey=config.api_key,
            platform="live" if live else "test",
            live_endpoint_prefix=config.live_prefix or None,
            merchant_account=config.merchant_account,
            http_timeout=timeout,
            http_force="requests",
        )
        self._api = adyen.checkout.payments_api
        if config.endpoint.startswith(("http://", "https://")):
            # Another address (a test's fake): keep the library's API version, swap the host.
            version = self._api.baseUrl.rsplit("/", 1)[1]
            self._api.baseUrl = f"{config.endpoint.rstrip('/')}/{version}"

    def __repr__(self) -> str:
        return f"<AdyenProvider {'test' if self.test_mode else 'live'}>"

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
        """A Checkout session on Adyen's hosted payment page. Adyen's webhook URL is set in
        its Customer Area, not per payment, so `webhook_url` is not sent; nor is `description`
        (Adyen's page shows the merchant and the amount). Sent with an
        Idempotency-Key and retried once on a timeout: the retry gets the same session."""
        request = {
            "merchantAccount": self._merchant,
            "amount": {"value": minor_units(amount, currency), "currency": currency},
            "reference": reference,
            "returnUrl": return_url,
            "mode": "hosted",
            "blockedPaymentMethods": BLOCKED_METHODS,
        }
        shopper_locale = LOCALES.get((locale or "")[:2].lower())
        if shopper_locale:
            request["shopperLocale"] = shopper_locale
        key = idempotency_key(reference)
        try:
            result = self._call(self._api.sessions, request, idempotency_key=key)
        except ProviderError as exc:
            if not exc.retry:
                raise
            result = self._call(self._api.sessions, request, idempotency_key=key)
        session = result.message
        try:
            amount_at_adyen = session["amount"]
            return ProviderPayment(
                id=session["id"],
                state=ProviderState.OPEN,
                amount=from_minor_units(amount_at_adyen["value"], amount_at_adyen["currency"]),
                currency=amount_at_adyen["currency"],
                checkout_url=session["url"],
                reference=session.get("reference", reference),
            )
        except (KeyError, TypeError, ValueError, InvalidOperation):
            raise ProviderError("Adyen: unreadable session", retry=True) from None

    def fetch(self, provider_id: str, result: str = "") -> ProviderPayment:
        """The session's status, asked with its `sessionResult` (`result`). Its amount is the
        sum of the authorised payments Adyen lists for it (none before it is completed)."""
        if not result:
            # Adyen answers 422 without it: no call is made that can only be refused.
            raise ProviderError("Adyen: a session is read with its sessionResult only", retry=False)
        session = self._call(
            self._api.get_result_of_payment_session,
            quote(provider_id, safe=""),
            # The library pastes query values in unencoded; the result holds "+", "/", "!", "=".
            query_parameters={"sessionResult": quote(result, safe="")},
        ).message
        try:
            state = STATES[session["status"]]
            payments = [
                payment
                for payment in session.get("payments") or []
                if payment.get("resultCode", "Authorised") == "Authorised"
            ]
            currency = payments[0]["amount"]["currency"] if payments else ""
            amount = sum(
                (from_minor_units(p["amount"]["value"], currency) for p in payments),
                Decimal("0.00"),
            )
        except (KeyError, TypeError, ValueError, InvalidOperation):
            raise ProviderError("Adyen: unreadable session", retry=True) from None
        return ProviderPayment(
            id=session.get("id", provider_id),
            state=state,
            amount=amount,
            currency=currency,
            reference=session.get("reference", ""),
        )

    def cancel(self, provider_id: str) -> bool:
        """Adyen has no call that ends a session: it expires by itself (an hour by default)."""
        return False

    def webhook_items(self, *, body: bytes, headers: dict[str, str]) -> list[WebhookItem]:
        """The items of a notification batch, each verified with the HMAC key. One item with
        a missing or wrong signature refuses the whole batch: nothing of it is stored, and
        Adyen, answered with an error, delivers it again (a forger gains nothing by mixing a
        good item with a bad one)."""
        try:
            document = json.loads(body)
            entries = document["notificationItems"]
            items = [entry["NotificationRequestItem"] for entry in entries]
        except (ValueError, KeyError, TypeError):
            raise WebhookRefused("Adyen notification: not a notification batch") from None
        if not items or not all(isinstance(item, dict) for item in items):
            raise WebhookRefused("Adyen notification: no items")
        if not all(hmac_valid(item, self._hmac_key) for item in items):
            raise WebhookRefused("Adyen notification: an item's HMAC signature is not valid")
        return [self._item(item) for item in items]

    def _item(self, item: dict) -> WebhookItem:
        try:
            money = item.get("amount") or {}
            currency = money.get("currency", "")
            amount = from_minor_units(money["value"], currency) if "value" in money else None
            return WebhookItem(
                provider_id=item["pspReference"],
                reference=item.get("merchantReference", ""),
                event=item["eventCode"],
                success=item.get("success") == "true",
                amount=amount,
                currency=currency,
                original_id=item.get("originalReference", ""),
                raw=item,
            )
        except (KeyError, TypeError, ValueError, InvalidOperation):
            raise WebhookRefused("Adyen notification: an item lacks what it must hold") from None

    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (
            AdyenAPIAuthenticationError,
            AdyenAPIInvalidPermission,
            AdyenAPIValidationError,
            AdyenAPIUnprocessableEntity,
        ) as exc:
            raise ProviderError(self._message(exc), retry=False) from None
        except AdyenError as exc:
            raise ProviderError(self._message(exc), retry=True) from None
        except RequestException as exc:
            raise ProviderError(self._scrub(f"Adyen: {type(exc).__name__}"), retry=True) from None

    def _message(self, exc: AdyenError) -> str:
        # Only the status and Adyen's error code: the library's message holds the request.
        return self._scrub(f"Adyen answered {exc.status_code}: {exc.error_code or ''}".strip())

    def _scrub(self, message: str) -> str:
        return message.replace(self._key, "***") if self._key else message
