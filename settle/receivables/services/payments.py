"""Booking payments and allocating them to invoices."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from settle.common.errors import AlreadyDone, ApplicationError, FieldError
from settle.common.hooks import hooks
from settle.receivables.field_checks import (
    DATE_MAX,
    DATE_MIN,
    currency_problem,
    date_range_message,
)
from settle.receivables.models import (
    ZERO,
    Debtor,
    Invoice,
    Payment,
    PaymentAllocation,
    PaymentReversal,
)


def payment_book(
    *,
    amount: Decimal,
    date: date,
    source: str,
    reference: str = "",
    debtor: Debtor | None = None,
    allocations: Sequence[tuple[str, Decimal]] = (),
    currency: str = "EUR",
    allocate_open: bool = True,
) -> Payment:
    """Book a payment and lower the open amounts of the invoices it pays, atomically.

    `allocations` are (invoice number, amount) pairs. Without them the payment is allocated to
    the debtor's open invoices, oldest due first, as far as it reaches (unless `allocate_open`
    is False: a payment meant for invoices that were settled in the meantime stays unallocated,
    an over-payment for a person to refund). An allocation larger than
    an invoice's open amount, allocations adding up to more than the payment, an invoice of
    another debtor or a reference already booked from the same source are refused whole.

    Every invoice the payment reaches, with the part of the payment allocated to it (so a
    partial payment too), is handed to each function in settings.SETTLE_ON_PAYMENT_ALLOCATED
    (other apps' reactions: a promise kept, an instalment paid), in the same transaction.
    """
    if amount <= ZERO:
        raise ApplicationError(_("A payment amount must be greater than zero."))
    problems = []
    if not DATE_MIN <= date <= DATE_MAX:
        problems.append(FieldError(field="date", message=date_range_message()))
    if problem := currency_problem(currency):
        problems.append(FieldError(field="currency", message=problem))
    if problems:
        raise ApplicationError(_("The payment was refused; nothing was booked."), errors=problems)
    with transaction.atomic():
        if reference and Payment.objects.filter(source=source, reference=reference).exists():
            raise AlreadyDone(
                _("Payment %(reference)s has already been booked.") % {"reference": reference}
            )
        if allocations:
            plan = _explicit_allocations(allocations, debtor=debtor, amount=amount)
        elif debtor is not None and allocate_open:
            plan = _automatic_allocations(debtor=debtor, amount=amount)
        else:
            plan = []
        if debtor is None and plan:
            debtor = plan[0][0].debtor
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    debtor=debtor,
                    amount=amount,
                    currency=currency,
                    date=date,
                    source=source,
                    reference=reference,
                )
        except IntegrityError as exc:
            # Another request booked the same reference between our check and our insert.
            raise AlreadyDone(
                _("Payment %(reference)s has already been booked.") % {"reference": reference}
            ) from exc
        for invoice, part in plan:
            PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=part)
            invoice.open_amount -= part
            invoice.save(update_fields=["open_amount", "updated_at"])
        if plan:
            for hook in hooks("SETTLE_ON_PAYMENT_ALLOCATED"):
                hook(allocations=list(plan))
    return payment


def payment_reverse(
    *, payment: Payment, amount: Decimal, reason: str
) -> list[tuple[Invoice, Decimal]]:
    """Take `amount` of a booked payment back off its invoices (a refund or a chargeback of
    money the payer got back), atomically: the newest allocations are lowered first, each
    invoice's open amount rises by what its allocation lost, and a PaymentReversal records it.

    Returns the invoices reopened with the amount each got back. More than is still allocated
    is refused whole: money that was never on an invoice (an over-payment) is not taken off one.
    """
    if amount <= ZERO:
        raise ApplicationError(_("A reversal must be greater than zero."))
    with transaction.atomic():
        # The payment row first, then its invoices in pk order (as payment_book locks them), so
        # two reversals of one payment queue up instead of both reading the same allocations.
        Payment.objects.select_for_update().get(pk=payment.pk)
        allocations = list(PaymentAllocation.objects.filter(payment=payment).order_by("-pk"))
        invoices = {
            invoice.pk: invoice
            for invoice in Invoice.objects.select_for_update()
            .filter(pk__in=[a.invoice_id for a in allocations])
            .order_by("pk")
        }
        allocated = sum((a.amount for a in allocations), ZERO)
        if amount > allocated:
            raise ApplicationError(
                _(
                    "%(amount)s cannot be reversed: only %(allocated)s of this payment is "
                    "allocated to invoices."
                )
                % {"amount": amount, "allocated": allocated}
            )
        reopened = []
        left = amount
        for allocation in allocations:
            if left <= ZERO:
                break
            part = min(left, allocation.amount)
            left -= part
            if part == allocation.amount:
                allocation.delete()
            else:
                allocation.amount -= part
                allocation.save(update_fields=["amount"])
            invoice = invoices[allocation.invoice_id]
            invoice.open_amount += part
            invoice.save(update_fields=["open_amount", "updated_at"])
            reopened.append((invoice, part))
        PaymentReversal.objects.create(payment=payment, amount=amount, reason=reason[:200])
    return reopened


def _locked_invoices(numbers: list[str]) -> dict[str, Invoice]:
    # Locking in a fixed order keeps two payments for the same invoices from deadlocking.
    qs = Invoice.objects.select_for_update().select_related("debtor").order_by("pk")
    return {invoice.number: invoice for invoice in qs.filter(number__in=numbers)}


def _explicit_allocations(
    allocations: Sequence[tuple[str, Decimal]], *, debtor: Debtor | None, amount: Decimal
) -> list[tuple[Invoice, Decimal]]:
    numbers = [number for number, _part in allocations]
    invoices = _locked_invoices(numbers)
    errors: list[FieldError] = []
    plan = []
    seen: set[str] = set()
    debtor_ids = set()
    for index, (number, part) in enumerate(allocations):
        invoice = invoices.get(number)
        if invoice is None:
            errors.append(
                FieldError(
                    index=index,
                    field="invoice_number",
                    message=_("Unknown invoice %(number)s.") % {"number": number},
                )
            )
            continue
        if number in seen:
            errors.append(
                FieldError(
                    index=index,
                    field="invoice_number",
                    message=_("Invoice %(number)s is listed twice.") % {"number": number},
                )
            )
            continue
        seen.add(number)
        if part <= ZERO:
            errors.append(
                FieldError(
                    index=index,
                    field="amount",
                    message=_("An allocation must be greater than zero."),
                )
            )
            continue
        if part > invoice.open_amount:
            errors.append(
                FieldError(
                    index=index,
                    field="amount",
                    message=_(
                        "%(amount)s is more than the open amount %(open)s of invoice %(number)s."
                    )
                    % {"amount": part, "open": invoice.open_amount, "number": number},
                )
            )
            continue
        if debtor is not None and invoice.debtor_id != debtor.pk:
            errors.append(
                FieldError(
                    index=index,
                    field="invoice_number",
                    message=_("Invoice %(number)s belongs to another debtor.") % {"number": number},
                )
            )
            continue
        debtor_ids.add(invoice.debtor_id)
        plan.append((invoice, part))
    if len(debtor_ids) > 1:
        errors.append(
            FieldError(
                field="allocations",
                message=_("All invoices of one payment must belong to one debtor."),
            )
        )
    total = sum((part for _invoice, part in allocations), ZERO)
    if total > amount:
        errors.append(
            FieldError(
                field="allocations",
                message=_(
                    "The allocations (%(total)s) add up to more than the payment (%(amount)s)."
                )
                % {"total": total, "amount": amount},
            )
        )
    if errors:
        raise ApplicationError(_("The payment was refused; nothing was booked."), errors=errors)
    return plan


def _automatic_allocations(*, debtor: Debtor, amount: Decimal) -> list[tuple[Invoice, Decimal]]:
    invoices = (
        Invoice.objects.select_for_update()
        .filter(debtor=debtor, open_amount__gt=0)
        .order_by("due_date", "pk")
    )
    plan = []
    left = amount
    for invoice in invoices:
        if left <= ZERO:
            break
        part = min(left, invoice.open_amount)
        plan.append((invoice, part))
        left -= part
    return plan
