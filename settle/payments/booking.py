"""Applying what a provider reports to a payment request: its state, the booking of its money
(once), and the reversal of what was refunded or charged back.

Every path (webhook, return page, poll, Adyen notification, demo checkout) comes here, so the
rules hold for all of them:
- a request is booked on its first report of `paid`, under its row lock, and only when the
  reported amount and currency are the request's; otherwise an employee gets a task;
- each invoice gets at most what is still open on it, so money for an invoice settled in the
  meantime (another attempt, a bank transfer) is an over-payment with a refund task;
- a paid request is never "unpaid" by a later report, and a final state is not left except
  for paid: a stale attempt that expires changes only its own row;
- refunds and chargebacks are totals; only what exceeds what was already reversed is reversed.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from settle.common.errors import AlreadyDone, ApplicationError
from settle.payments.models import REQUEST_FINAL_STATES, ZERO, PaymentRequest, RequestState
from settle.receivables.models import Invoice, Payment, PaymentSource
from settle.receivables.services.payments import payment_book, payment_reverse
from settle.worklist.models import TaskKind
from settle.worklist.services import task_create
from settle.worklist.texts import amount as task_amount
from settle.worklist.texts import sentence

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    """What a provider told us of a payment. `None` leaves a field as it is. `refunded` and
    `charged_back` are totals so far (a fetch); `*_add` are amounts newly notified (Adyen sends
    each refund once, not a total)."""

    provider_id: str = ""
    state: RequestState | None = None
    amount: Decimal | None = None
    currency: str = ""
    paid_at: datetime | None = None
    refunded: Decimal | None = None
    charged_back: Decimal | None = None
    refunded_add: Decimal = ZERO
    charged_back_add: Decimal = ZERO
    # Our key as the provider echoes it: a report for a payment that carries another is refused.
    reference: str = ""


def payment_request_apply(
    *, request: PaymentRequest, report: Report, webhook: bool = False
) -> PaymentRequest:
    """Apply a provider's report to the request and book, refuse or reverse its money, at most
    once however often and however concurrently the same report arrives. Returns the request
    as it stands afterwards. `webhook`: the report was fetched for a webhook delivery (its time
    is kept, for the back office)."""
    if report.reference and report.reference != request.key:
        logger.warning("payment request %s: report for another reference ignored", request.pk)
        return request
    if report.provider_id and request.provider_id and report.provider_id != request.provider_id:
        logger.warning("payment request %s: report for another payment ignored", request.pk)
        return request
    now = timezone.now()
    stamps = {"last_fetched_at": now, **({"last_webhook_at": now} if webhook else {})}
    if _nothing_new(request, report):
        # A duplicate delivery (providers retry, and send the same webhook more than once):
        # `request` was read before the fetch, so it can only lag behind, never run ahead; what
        # it already shows done is done, and no lock is needed to say so.
        PaymentRequest.objects.filter(pk=request.pk).update(**stamps)
        return request
    # The lines never change, so their invoices are known before any lock; invoices are locked
    # before the request (in pk order), the order payment_request_create takes them in, so the
    # two never deadlock.
    invoice_ids = list(request.lines.values_list("invoice_id", flat=True))
    with transaction.atomic():
        invoices = {
            invoice.pk: invoice
            for invoice in Invoice.objects.select_for_update()
            .filter(pk__in=invoice_ids)
            .order_by("pk")
        }
        locked = PaymentRequest.objects.select_for_update().get(pk=request.pk)
        changed = set(stamps)
        for name, value in stamps.items():
            setattr(locked, name, value)
        if _state_change_allowed(locked.state, report.state):
            locked.state = report.state
            changed.add("state")
        if locked.state == RequestState.PAID and locked.paid_at is None:
            locked.paid_at = report.paid_at or now
            changed.add("paid_at")
        if locked.state == RequestState.PAID and locked.payment_id is None and not locked.mismatch:
            changed |= _book(locked, report=report, invoices=invoices)
        changed |= _back(locked, report=report)
        locked.save(update_fields=[*changed, "updated_at"])
    return locked


def _nothing_new(request: PaymentRequest, report: Report) -> bool:
    """Whether the report would change nothing of the request as read."""
    if _state_change_allowed(request.state, report.state):
        return False
    if request.state == RequestState.PAID and (
        request.paid_at is None or (request.payment_id is None and not request.mismatch)
    ):
        return False
    if report.refunded_add or report.charged_back_add:
        return False
    return (report.refunded or ZERO) <= request.refunded_amount and (
        report.charged_back or ZERO
    ) <= request.charged_back_amount


def _state_change_allowed(current: str, new: RequestState | None) -> bool:
    if new is None or new == current:
        return False
    if current == RequestState.PAID:
        return False
    # Providers do not leave their final states; a report that seems to (an older fetch
    # arriving late) is stale. Paid is the exception: money that arrived is never ignored.
    return current not in REQUEST_FINAL_STATES or new == RequestState.PAID


def _book(locked: PaymentRequest, *, report: Report, invoices: dict[int, Invoice]) -> set[str]:
    if report.amount is None:
        # Paid without an amount: nothing to check it against; the poll fetches it again.
        return set()
    if report.amount != locked.amount or report.currency.upper() != locked.currency.upper():
        locked.mismatch = True
        _task(
            locked,
            kind=TaskKind.PAYMENT_MISMATCH,
            invoices=invoices.values(),
            lines=[
                sentence(
                    gettext_noop(
                        "The payment provider reported %(reported)s for payment %(id)s, but "
                        "%(expected)s was asked. Nothing was booked: check the payment at the "
                        "provider and book or refund it."
                    ),
                    id=locked.provider_id or locked.key[:8],
                    reported=task_amount(report.amount, report.currency.upper() or "EUR"),
                    expected=task_amount(locked.amount, locked.currency),
                )
            ],
        )
        return {"mismatch"}
    allocations = []
    for line in locked.lines.all():
        part = min(line.amount, invoices[line.invoice_id].open_amount)
        if part > ZERO:
            allocations.append((invoices[line.invoice_id].number, part))
    reference = locked.provider_id or locked.key
    try:
        payment = payment_book(
            amount=locked.amount,
            currency=locked.currency,
            date=timezone.localdate(locked.paid_at),
            source=PaymentSource.PSP,
            reference=reference,
            debtor=locked.debtor,
            allocations=allocations,
            allocate_open=False,
        )
    except AlreadyDone:
        # Booked before this request pointed at it (a crash between the two): link it.
        payment = Payment.objects.get(source=PaymentSource.PSP, reference=reference)
    except ApplicationError as exc:
        logger.error("payment request %s: booking refused: %s", locked.pk, exc)
        locked.last_error = str(exc)[:2000]
        return {"last_error"}
    locked.payment = payment
    over = locked.amount - sum((part for _number, part in allocations), ZERO)
    if over > ZERO:
        _task(
            locked,
            kind=TaskKind.PAYMENT_REFUND,
            invoices=invoices.values(),
            lines=[
                sentence(
                    gettext_noop(
                        "Payment %(id)s of %(amount)s was more than was still open on its "
                        "invoices (paid another way in the meantime): %(over)s is not allocated. "
                        "Refund it to the debtor at the payment provider."
                    ),
                    id=reference,
                    amount=task_amount(locked.amount, locked.currency),
                    over=task_amount(over, locked.currency),
                )
            ],
        )
    return {"payment"}


def _back(locked: PaymentRequest, *, report: Report) -> set[str]:
    """Record refunds and chargebacks and take the money that went back off the invoices.

    Totals only grow here (a fetch that read an older total does not shrink them). Money back
    first comes out of the over-payment that was never on an invoice (the refund an employee
    made for the PAYMENT_REFUND task reopens nothing), then off the invoices.
    """
    changed = set()
    before_refunded, before_charged_back = locked.refunded_amount, locked.charged_back_amount
    refunded = max(before_refunded, report.refunded or ZERO) + report.refunded_add
    charged_back = max(before_charged_back, report.charged_back or ZERO) + report.charged_back_add
    if refunded != before_refunded:
        locked.refunded_amount = refunded
        changed.add("refunded_amount")
    if charged_back != before_charged_back:
        locked.charged_back_amount = charged_back
        changed.add("charged_back_amount")
    back = refunded + charged_back - locked.reversed_amount
    if locked.payment_id is None or back <= ZERO:
        return changed
    payment = locked.payment
    allocated = sum(payment.allocations.values_list("amount", flat=True), ZERO)
    # What is left of the over-payment: the payment less what is on invoices and what went
    # back already (reversals lowered the allocations by what they took off).
    unallocated_left = max(payment.amount - allocated - locked.reversed_amount, ZERO)
    off_invoices = min(max(back - unallocated_left, ZERO), allocated)
    reopened = []
    if off_invoices > ZERO:
        reason = "chargeback" if charged_back > before_charged_back else "refund"
        reopened = payment_reverse(payment=payment, amount=off_invoices, reason=reason)
    locked.reversed_amount += back
    changed.add("reversed_amount")
    if reopened or charged_back > before_charged_back:
        _task(
            locked,
            kind=TaskKind.PAYMENT_REVERSED,
            invoices=[invoice for invoice, _part in reopened],
            lines=[
                sentence(
                    gettext_noop(
                        "%(back)s of payment %(id)s went back to the payer (refunded in total "
                        "%(refunded)s, charged back in total %(charged_back)s). The invoices "
                        "were reopened by %(reopened)s."
                    ),
                    id=locked.provider_id or locked.key[:8],
                    back=task_amount(back, locked.currency),
                    refunded=task_amount(refunded, locked.currency),
                    charged_back=task_amount(charged_back, locked.currency),
                    reopened=task_amount(off_invoices, locked.currency),
                )
            ],
        )
    return changed


def _task(locked: PaymentRequest, *, kind: str, invoices, lines: list) -> None:
    task_create(
        kind=kind,
        params={"lines": lines},
        debtor=locked.debtor,
        due_date=timezone.localdate(),
        invoices=list(invoices),
    )
