"""Online payment requests: created at the provider, kept in step with it, booked once.

Whatever the provider, every report of a payment's state (a Mollie webhook, the return page, the
worker's poll, a verified Adyen notification, the demo checkout) ends in `payment_request_apply`,
which holds the request's row lock while it changes the request and books its money, so that a
payment is booked once however many reports arrive at the same moment.
"""

import logging
import re
import secrets
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from settle.common.claims import claim_due, claim_finish
from settle.common.errors import ApplicationError
from settle.payments.booking import Report, payment_request_apply
from settle.payments.models import (
    IN_PROGRESS_STATES,
    REQUEST_FINAL_STATES,
    ZERO,
    PaymentRequest,
    PaymentRequestInvoice,
    RequestOrigin,
    RequestPurpose,
    RequestState,
)
from settle.payments.providers.base import ProviderError, ProviderPayment
from settle.payments.providers.registry import provider_active, provider_named
from settle.receivables.models import Debtor, Invoice

logger = logging.getLogger(__name__)

# The worker fetches a request that is not final at these intervals (doubling, at most the
# last), and stops after POLL_FOR: the methods offered close within hours, so a request still
# open after days will not be paid.
POLL_FIRST = timedelta(minutes=30)
POLL_MOST = timedelta(hours=6)
POLL_FOR = timedelta(days=3)
POLL_BATCH = 50

# Adyen's sessionResult: base64 behind a version prefix that ends in "!" (the shape of Adyen's
# other result blobs), kept to what the field holds. Anything else is not stored.
SESSION_RESULT_RE = re.compile(r"[A-Za-z0-9+/=_!-]{1,1000}")


def payment_request_create(
    *,
    debtor: Debtor,
    invoices: Sequence[Invoice],
    language: str,
    amount: Decimal | None = None,
    purpose: str = RequestPurpose.INVOICES,
    origin: str = RequestOrigin.PORTAL,
) -> PaymentRequest:
    """Start an online payment of the debtor's `invoices` and return it with its checkout URL.

    Each invoice is asked for what is open on it now (an invoice paid or reduced since the page
    was shown asks less, or nothing); `amount` (an instalment) is spread over them oldest due
    first. Older attempts still in progress for any of these invoices are superseded by this one
    and cancelled at the provider where it can. The provider is called after the transaction:
    no lock is held across a network call. Raises ApplicationError with a message for the
    debtor: nothing open, no provider, the provider unreachable, an invoice not theirs.
    """
    provider = provider_active()
    if provider is None:
        raise ApplicationError(_("Online payment is not available."))
    with transaction.atomic():
        request, superseded = _request_write(
            debtor=debtor,
            invoice_ids=[invoice.pk for invoice in invoices],
            language=language,
            amount=amount,
            purpose=purpose,
            origin=origin,
            provider=provider.name,
        )
    webhook_url = ""
    if provider.name != "demo":
        webhook_url = settings.SETTLE_BASE_URL + reverse(f"payments:webhook_{provider.name}")
    try:
        created = _create_at_provider(provider, request=request, webhook_url=webhook_url)
    except ProviderError as exc:
        logger.warning("payment request %s: create failed: %s", request.pk, exc)
        PaymentRequest.objects.filter(pk=request.pk).update(last_error=str(exc)[:2000])
        raise ApplicationError(
            _(
                "The payment provider cannot be reached at the moment; nothing was paid. "
                "Please try again in a few minutes."
            )
        ) from exc
    PaymentRequest.objects.filter(pk=request.pk).update(
        provider_id=created.id, checkout_url=created.checkout_url, last_fetched_at=timezone.now()
    )
    request.refresh_from_db()
    request = payment_request_apply(request=request, report=_report(created))
    _cancel_superseded(superseded)
    return request


def _request_write(
    *,
    debtor: Debtor,
    invoice_ids: list[int],
    language: str,
    amount: Decimal | None,
    purpose: str,
    origin: str,
    provider: str,
) -> tuple[PaymentRequest, list[PaymentRequest]]:
    # In pk order, as payment_book locks them, so a booking and a new request never deadlock.
    invoices = list(Invoice.objects.select_for_update().filter(pk__in=invoice_ids).order_by("pk"))
    if not invoice_ids or len(invoices) != len(set(invoice_ids)):
        raise ApplicationError(_("These invoices cannot be paid here."))
    if any(invoice.debtor_id != debtor.pk for invoice in invoices):
        # Said the same way as an unknown invoice: nobody learns another debtor's numbers.
        raise ApplicationError(_("These invoices cannot be paid here."))
    open_invoices = sorted(
        (invoice for invoice in invoices if invoice.open_amount > ZERO),
        key=lambda invoice: (invoice.due_date, invoice.pk),
    )
    if not open_invoices:
        raise ApplicationError(
            _("Nothing is open on these invoices any more: there is nothing to pay.")
        )
    if len({invoice.currency for invoice in open_invoices}) > 1:
        raise ApplicationError(
            _("These invoices are in different currencies; please pay them one currency at a time.")
        )
    if amount is not None and amount <= ZERO:
        raise ApplicationError(_("The amount to pay must be greater than zero."))
    lines = []
    left = amount
    for invoice in open_invoices:
        part = invoice.open_amount if left is None else min(left, invoice.open_amount)
        if part <= ZERO:
            break
        lines.append((invoice, part))
        if left is not None:
            left -= part
    total = sum((part for _invoice, part in lines), ZERO)
    with translation.override(language or settings.LANGUAGE_CODE):
        numbers = ", ".join(invoice.number for invoice, _part in lines)
        description = _("Invoice %(numbers)s") if len(lines) == 1 else _("Invoices %(numbers)s")
        description = (description % {"numbers": numbers})[:255]
    now = timezone.now()
    request = PaymentRequest.objects.create(
        key=secrets.token_urlsafe(32),
        debtor=debtor,
        amount=total,
        currency=open_invoices[0].currency,
        description=description,
        purpose=purpose,
        origin=origin,
        language=language or "",
        provider=provider,
        due_at=now + timedelta(minutes=settings.SETTLE_PAYMENTS_POLL_AFTER_MINUTES),
    )
    PaymentRequestInvoice.objects.bulk_create(
        PaymentRequestInvoice(request=request, invoice=invoice, amount=part)
        for invoice, part in lines
    )
    older = PaymentRequest.objects.filter(
        debtor=debtor, state__in=IN_PROGRESS_STATES, superseded_by__isnull=True
    ).exclude(pk=request.pk)
    older_ids = set(
        PaymentRequestInvoice.objects.filter(
            request__in=older, invoice__in=[invoice for invoice, _part in lines]
        ).values_list("request_id", flat=True)
    )
    # No row lock taken before: the invoices' locks (held) come first everywhere, and a request
    # paid in between is simply not superseded.
    older.filter(pk__in=older_ids).update(superseded_by=request)
    superseded = list(PaymentRequest.objects.filter(pk__in=older_ids, superseded_by=request))
    return request, superseded


def _create_at_provider(provider, *, request: PaymentRequest, webhook_url: str) -> ProviderPayment:
    arguments = {
        "amount": request.amount,
        "currency": request.currency,
        "reference": request.key,
        "description": request.description,
        "return_url": settings.SETTLE_BASE_URL
        + reverse("portal:pay_return", kwargs={"key": request.key}),
        "webhook_url": webhook_url,
        "locale": request.language,
    }
    # Each provider retries a create that timed out once itself, with our key as the
    # idempotency key, so the retry gives back the same payment.
    return provider.create(**arguments)


def _cancel_superseded(superseded: list[PaymentRequest]) -> None:
    """Best effort: a superseded checkout that stays open is harmless (if it is paid after all,
    its money is booked as an over-payment), so nothing here is ever raised to the debtor."""
    for old in superseded:
        provider = provider_named(old.provider)
        if provider is None or not old.provider_id:
            continue
        try:
            provider.cancel(old.provider_id)
        except ProviderError as exc:
            logger.warning("payment request %s: cancel failed: %s", old.pk, exc)


def payment_request_refresh(*, request: PaymentRequest) -> PaymentRequest:
    """The request with its state fetched from the provider now (the return page: whatever its
    query string says is never read). When the provider cannot be reached the request is
    returned as last known, with `last_error` set."""
    provider = provider_named(request.provider)
    if provider is None or not request.provider_id:
        return request
    try:
        fetched = provider.fetch(request.provider_id, request.provider_result)
    except ProviderError as exc:
        PaymentRequest.objects.filter(pk=request.pk).update(last_error=str(exc)[:2000])
        request.last_error = str(exc)[:2000]
        return request
    return payment_request_apply(request=request, report=_report(fetched))


def payment_request_result_note(
    *, request: PaymentRequest, session_id: str, result: str
) -> PaymentRequest:
    """Keep the `sessionResult` Adyen appended to the debtor's return address, which Adyen's
    session lookup requires, so that the return page and the worker can fetch the session.

    Kept only for an Adyen request whose own session the address names (`session_id`) and only
    when well-formed; anything else is ignored. It is an opaque token handed back to Adyen, not
    a state: a made-up one is refused by Adyen and changes nothing. A newer one replaces the
    last (a debtor may pay a session on a second try), and it is never logged.
    """
    if request.provider != "adyen" or not request.provider_id:
        return request
    if not session_id or not constant_time_compare(session_id, request.provider_id):
        return request
    # A "+" the address left unencoded arrives as a space, which a base64 value never holds.
    result = (result or "").replace(" ", "+")
    if not SESSION_RESULT_RE.fullmatch(result) or result == request.provider_result:
        return request
    PaymentRequest.objects.filter(pk=request.pk).update(provider_result=result)
    request.provider_result = result
    return request


def payment_request_sync(*, provider: str, provider_id: str) -> PaymentRequest | None:
    """Fetch the payment the provider's webhook named and apply its state; None for an id that
    is not one of our requests (nothing is fetched for it, nothing changes).

    A webhook only says *which* payment changed: the state comes from the provider's API, so a
    forged delivery can at most make us fetch a true state. Raises ProviderError when the
    provider cannot be reached (the webhook answers so that the provider retries).
    """
    request = PaymentRequest.objects.filter(provider=provider, provider_id=provider_id).first()
    if request is None:
        return None
    client = provider_named(provider)
    if client is None:
        return request
    fetched = client.fetch(provider_id, request.provider_result)
    return payment_request_apply(request=request, report=_report(fetched), webhook=True)


def _report(payment: ProviderPayment) -> Report:
    return Report(
        provider_id=payment.id,
        state=RequestState(payment.state.value),
        amount=payment.amount,
        currency=payment.currency,
        paid_at=payment.paid_at,
        refunded=payment.refunded,
        charged_back=payment.charged_back,
        reference=payment.reference,
    )


def _pollable(now) -> Q:
    # Not final yet, or paid but not booked (a booking that failed is tried again); a request
    # whose amount differed waits for a person instead.
    return Q(created_at__gte=now - POLL_FOR) & (
        ~Q(state__in=REQUEST_FINAL_STATES)
        | Q(state=RequestState.PAID, payment__isnull=True, mismatch=False)
    )


def payment_requests_process_due() -> int:
    """The worker's poll: fetch requests whose provider has not told us of a final state within
    its retry window (a lost webhook, an Adyen payment without notification), apply what is
    fetched, and fetch again later with back-off while it is not final. Returns rows worked."""
    now = timezone.now()
    rows = claim_due(PaymentRequest.objects.filter(_pollable(now)), limit=POLL_BATCH, now=now)
    for row in rows:
        changes = {"due_at": now + min(POLL_FIRST * 2 ** max(row.attempts - 1, 0), POLL_MOST)}
        provider = provider_named(row.provider)
        if not row.provider_id:
            # Its create never reached the provider: no checkout was shown, nothing can be paid.
            changes |= {"state": RequestState.FAILED, "last_error": "never created at the provider"}
        elif provider is None:
            changes["last_error"] = f"provider {row.provider} is no longer configured"
        else:
            try:
                fetched = provider.fetch(row.provider_id, row.provider_result)
            except ProviderError as exc:
                changes["last_error"] = str(exc)[:2000]
            else:
                row = payment_request_apply(request=row, report=_report(fetched))
                changes["last_error"] = row.last_error if row.payment_id is None else ""
        stuck = changes.get("state") is None and row.state not in REQUEST_FINAL_STATES
        if stuck and changes["due_at"] >= row.created_at + POLL_FOR:
            changes["last_error"] = f"no longer fetched: not final {POLL_FOR} after it began"
        claim_finish(row, **changes)
    return len(rows)
