from dataclasses import replace

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from settle.api import selectors
from settle.api.schemas import ErrorOut, PaymentIn, PaymentOut
from settle.common.errors import AlreadyDone, ApplicationError, FieldError
from settle.receivables.services.payments import payment_book

router = Router(tags=["payments"])


@router.post(
    "",
    response={201: PaymentOut, 401: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Book a payment",
)
def payment_post(request: HttpRequest, payload: PaymentIn):
    """Book a payment and lower the open amounts of the invoices it pays.

    With `allocations`, each names an invoice and the part of the payment for it; without them the
    payment goes to the debtor's open invoices, oldest due date first. A payment whose
    `reference` was booked before from the same `source` is refused with 409, so a retry after a
    lost answer never books twice.
    """
    debtor = None
    if payload.debtor_number is not None:
        debtor = selectors.debtor_by_number(number=payload.debtor_number)
        if debtor is None:
            raise ApplicationError(
                _("The payment was refused; nothing was booked."),
                errors=[
                    FieldError(
                        field="debtor_number",
                        message=_("Unknown debtor %(number)s.") % {"number": payload.debtor_number},
                    )
                ],
            )
    try:
        payment = payment_book(
            amount=payload.amount,
            date=payload.date,
            source=payload.source,
            reference=payload.reference.strip(),
            debtor=debtor,
            allocations=[(a.invoice_number, a.amount) for a in payload.allocations],
            currency=payload.currency,
        )
    except AlreadyDone as exc:
        # A repeated reference is not bad input: the client can treat the payment as booked.
        raise HttpError(409, exc.message) from exc
    except ApplicationError as exc:
        # Errors with an index concern an allocation; name them as the request does.
        exc.errors = [
            replace(e, field=f"allocations.{e.field}") if e.index is not None else e
            for e in exc.errors
        ]
        raise
    return Status(201, selectors.payment_detail(pk=payment.pk))
