"""Reads of the payments app that other apps' pages share."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Max

from settle.payments.models import IN_PROGRESS_STATES, Notification, PaymentRequest
from settle.receivables.models import Debtor


def online_payment_enabled() -> bool:
    """Whether debtors can pay online: a provider is configured (the demo counts)."""
    return settings.SETTLE_PAYMENTS.enabled


def invoice_ids_in_payment(*, debtor: Debtor) -> set[int]:
    """The debtor's invoices with a payment in progress: on a request that may still be paid
    and that no newer attempt has replaced."""
    return set(
        PaymentRequest.objects.filter(
            debtor=debtor, state__in=IN_PROGRESS_STATES, superseded_by__isnull=True
        ).values_list("lines__invoice_id", flat=True)
    )


@dataclass(frozen=True)
class PaymentsStatus:
    """What the back office shows of the configuration: never a key."""

    provider: str
    test_mode: bool
    last_webhook_at: datetime | None


def payments_status() -> PaymentsStatus:
    config = settings.SETTLE_PAYMENTS
    last = [
        PaymentRequest.objects.filter(provider=config.provider).aggregate(
            at=Max("last_webhook_at")
        )["at"],
        Notification.objects.filter(provider=config.provider).aggregate(at=Max("created_at"))["at"],
    ]
    seen = [at for at in last if at is not None]
    return PaymentsStatus(
        provider=config.provider,
        test_mode=config.test_mode,
        last_webhook_at=max(seen) if seen else None,
    )
