"""The demo provider (SETTLE_PAYMENTS_URL=demo:, the default outside production): a checkout
page Settle serves itself (portal:demo_checkout) with "Paid", "Failed", "Cancelled" and "Still
pending" buttons, so the whole flow (checkout, webhook, booking) runs with no account anywhere.

Its payments are DemoPayment rows; the buttons call `demo_payment_set`, and the page then
drives the same webhook path as a real provider's notification.
"""

import re
import secrets
from decimal import Decimal
from urllib.parse import parse_qs

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from settle.payments.configuration import PaymentsConfig
from settle.payments.models import DemoPayment
from settle.payments.providers.base import (
    ProviderError,
    ProviderPayment,
    ProviderState,
    WebhookItem,
    WebhookRefused,
)

_DEMO_ID = re.compile(r"demo_[0-9a-f]{24}")
# What the checkout's buttons may set, and from where: a final payment never changes.
SETTABLE = frozenset(
    {ProviderState.PAID, ProviderState.FAILED, ProviderState.CANCELED, ProviderState.PENDING}
)
CHANGEABLE = (ProviderState.OPEN, ProviderState.PENDING)


def demo_checkout_url(demo_id: str) -> str:
    """The demo checkout page of a payment, built from SETTLE_BASE_URL (never a request's
    Host)."""
    return settings.SETTLE_BASE_URL + reverse("portal:demo_checkout", kwargs={"demo_id": demo_id})


def demo_payment_set(*, demo_id: str, state: str) -> DemoPayment:
    """What a debtor's button on the demo checkout does: set the payment paid (with paid_at),
    failed, cancelled, or still pending. Only an open or pending payment changes; a final one
    is returned as it is. Raises DemoPayment.DoesNotExist for an unknown id, ValueError for a
    state no button sets."""
    state = ProviderState(state)
    if state not in SETTABLE:
        raise ValueError(f"the demo checkout does not set {state}")
    changes = {"state": state, "updated_at": timezone.now()}
    if state == ProviderState.PAID:
        changes["paid_at"] = timezone.now()
    DemoPayment.objects.filter(demo_id=demo_id, state__in=CHANGEABLE).update(**changes)
    return DemoPayment.objects.get(demo_id=demo_id)


class DemoProvider:
    """The Provider protocol (providers/base.py) over DemoPayment rows."""

    name = "demo"
    test_mode = True

    def __init__(self, config: PaymentsConfig | None = None) -> None:
        pass

    def __repr__(self) -> str:
        return "<DemoProvider>"

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
        """A demo payment; the same reference gives the same payment, like an idempotency key
        at a real provider."""
        payment = DemoPayment.objects.filter(idempotency_key=reference).first()
        if payment is None:
            try:
                with transaction.atomic():
                    payment = DemoPayment.objects.create(
                        demo_id="demo_" + secrets.token_hex(12),
                        idempotency_key=reference,
                        amount=amount,
                        currency=currency,
                        description=description[:255],
                        reference=reference,
                        return_url=return_url,
                    )
            except IntegrityError:
                # The same create at the same moment: that one made it.
                payment = DemoPayment.objects.get(idempotency_key=reference)
        return self._payment(payment)

    def fetch(self, provider_id: str, result: str = "") -> ProviderPayment:
        """The demo payment by its id alone (`result` is Adyen's and not used)."""
        try:
            return self._payment(DemoPayment.objects.get(demo_id=provider_id))
        except DemoPayment.DoesNotExist:
            raise ProviderError("demo: no such payment", retry=False) from None

    def cancel(self, provider_id: str) -> bool:
        return bool(
            DemoPayment.objects.filter(demo_id=provider_id, state=ProviderState.OPEN).update(
                state=ProviderState.CANCELED, updated_at=timezone.now()
            )
        )

    def webhook_items(self, *, body: bytes, headers: dict[str, str]) -> list[WebhookItem]:
        """Like Mollie's: a form with the payment's `id`, and only the id is read."""
        try:
            ids = parse_qs(body.decode("ascii")).get("id", [])
        except UnicodeDecodeError:
            raise WebhookRefused("demo webhook: not a form") from None
        if len(ids) != 1 or not _DEMO_ID.fullmatch(ids[0]):
            raise WebhookRefused("demo webhook: no payment id")
        return [WebhookItem(provider_id=ids[0])]

    def _payment(self, payment: DemoPayment) -> ProviderPayment:
        return ProviderPayment(
            id=payment.demo_id,
            state=ProviderState(payment.state),
            amount=payment.amount,
            currency=payment.currency,
            checkout_url=demo_checkout_url(payment.demo_id),
            paid_at=payment.paid_at,
            refunded=payment.refunded,
            charged_back=payment.charged_back,
            reference=payment.reference,
        )
