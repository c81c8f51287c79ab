"""Arrangements for the tests: a debtor's invoices, a proposal made the portal's way, a bank
payment, and moments in the organisation's time zone."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from settle.arrangements.models import PaymentArrangement
from settle.arrangements.services import arrangement_start
from settle.receivables.services.payments import payment_book
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.models import ResponseType
from settle.responses.services import response_submit

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(day: date, hour: int = 10) -> datetime:
    """A moment on `day` in the organisation's time zone."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=AMSTERDAM)


def arrangement_type() -> ResponseType:
    return ResponseType.objects.get(code="arrangement")


def propose(debtor, invoices, *, count: int, first_date: date | str) -> PaymentArrangement:
    """A debtor proposes an arrangement in the portal's way. Submitting starts the workflow once
    the responses app does so; starting it again here returns the same arrangement."""
    response = response_submit(
        debtor=debtor,
        response_type=arrangement_type(),
        invoices=invoices,
        values={
            "instalments": count,
            "first_date": first_date if isinstance(first_date, str) else first_date.isoformat(),
        },
        submission_key=uuid.uuid4().hex,
    )
    return arrangement_start(response=response)


def invoices_of(debtor, *amounts: str) -> list:
    return [InvoiceFactory(debtor=debtor, amount=Decimal(amount)) for amount in amounts]


def pay(debtor, amount: str, *, day: date | None = None, reference: str = ""):
    """A bank payment by the debtor, allocated to their oldest open invoices."""
    return payment_book(
        amount=Decimal(amount),
        date=day or timezone.localdate(),
        source="bank",
        reference=reference or uuid.uuid4().hex[:20],
        debtor=debtor,
    )
