"""Provider notifications (Adyen's) stored by the webhook and processed by the worker.

Adyen wants its `[accepted]` within seconds and sends facts rather than ids, so the webhook only
stores each verified item (once: the same item delivered again has the same `dedupe_key`) and
the worker applies it through the same path as every other report of a payment
(settle.payments.booking.payment_request_apply).
"""

import hashlib
import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from settle.common.claims import claim_due, claim_finish
from settle.payments.booking import Report, payment_request_apply
from settle.payments.models import (
    ZERO,
    Notification,
    NotificationState,
    PaymentRequest,
    RequestState,
)
from settle.payments.providers.base import WebhookItem

logger = logging.getLogger(__name__)

BATCH = 100
AUTHORISATION = "AUTHORISATION"


class _LeaseLost(Exception):
    """Another worker took the notification over: this worker's work is rolled back."""


def notification_dedupe_key(*, provider: str, item: WebhookItem) -> str:
    """The same notification delivered again gets the same key: Adyen's pspReference, event
    code, success and original reference together name one event."""
    key = f"{provider}:{item.provider_id}:{item.event}:{item.success}:{item.original_id}"
    if len(key) > 255:
        key = f"{provider}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


def notifications_store(*, provider: str, items: Sequence[WebhookItem]) -> int:
    """Store verified notification items for the worker, each event once however often it is
    delivered. Returns how many were new."""
    now = timezone.now()
    rows = {
        notification_dedupe_key(provider=provider, item=item): Notification(
            provider=provider,
            dedupe_key=notification_dedupe_key(provider=provider, item=item),
            provider_id=item.provider_id[:100],
            reference=item.reference[:100],
            event=item.event[:50],
            success=item.success,
            amount=item.amount,
            currency=item.currency[:3],
            original_id=item.original_id[:100],
            payload=item.raw,
            due_at=now,
        )
        for item in items
    }
    with transaction.atomic():
        known = set(
            Notification.objects.filter(dedupe_key__in=list(rows)).values_list(
                "dedupe_key", flat=True
            )
        )
        # A duplicate delivered at the same moment is skipped by the unique key.
        Notification.objects.bulk_create(rows.values(), ignore_conflicts=True)
    return len(set(rows) - known)


def notifications_process_due() -> int:
    """The worker: apply stored notifications, each exactly once (the notification's outcome
    is recorded in the same transaction as its effect). Returns rows worked."""
    rows = claim_due(Notification.objects.filter(state=NotificationState.NEW), limit=BATCH)
    for row in rows:
        try:
            with transaction.atomic():
                state, error = _apply(row)
                finished = claim_finish(
                    row, state=state, last_error=error, processed_at=timezone.now()
                )
                if not finished:
                    raise _LeaseLost
        except _LeaseLost:
            continue
    return len(rows)


def _apply(row: Notification) -> tuple[str, str]:
    request = _request_for(row)
    if request is None:
        return NotificationState.IGNORED, "no payment request for this notification"
    report = _report(row, request=request)
    if report is None:
        return NotificationState.IGNORED, f"{row.event} (success={row.success}) changes nothing"
    payment_request_apply(request=request, report=report)
    return NotificationState.DONE, ""


def _request_for(row: Notification) -> PaymentRequest | None:
    """The request a notification is about: by our key (Adyen's merchantReference), else, for a
    refund or chargeback, by the payment it modifies (originalReference: the pspReference an
    AUTHORISATION notification brought with our key)."""
    requests = PaymentRequest.objects.filter(provider=row.provider)
    if row.reference and (found := requests.filter(key=row.reference).first()):
        return found
    for psp_reference in filter(None, (row.original_id, row.provider_id)):
        if found := requests.filter(provider_id=psp_reference).first():
            return found
        key = (
            Notification.objects.filter(
                provider=row.provider, provider_id=psp_reference, event=AUTHORISATION
            )
            .exclude(reference="")
            .values_list("reference", flat=True)
            .first()
        )
        if key and (found := requests.filter(key=key).first()):
            return found
    return None


def _report(row: Notification, *, request: PaymentRequest) -> Report | None:
    amount = row.amount if row.amount is not None else ZERO
    if row.event == AUTHORISATION:
        if not row.success:
            return Report(state=RequestState.FAILED)
        try:
            event_date = parse_datetime(str(row.payload.get("eventDate", "")))
        except ValueError:
            event_date = None
        if event_date is not None and timezone.is_naive(event_date):
            event_date = timezone.make_aware(event_date)
        return Report(
            state=RequestState.PAID,
            amount=row.amount,
            currency=row.currency,
            paid_at=event_date or row.created_at,
        )
    if not row.success:
        # A cancellation or refund Adyen could not make changes nothing.
        return None
    if row.event == "CANCELLATION":
        return Report(state=RequestState.CANCELED)
    if row.event == "CANCEL_OR_REFUND":
        if request.state == RequestState.PAID:
            return Report(refunded_add=amount)
        return Report(state=RequestState.CANCELED)
    if row.event == "REFUND":
        return Report(refunded_add=amount)
    if row.event == "CHARGEBACK":
        return Report(charged_back_add=amount)
    return None
