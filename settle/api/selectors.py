"""Reads of the REST API: one query per page, whatever the page size."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from settle.receivables.models import CollectionStatus, Debtor, Invoice, Payment


def collection_status_codes() -> list[str]:
    return list(CollectionStatus.objects.values_list("code", flat=True))


def debtor_list() -> QuerySet[Debtor]:
    return Debtor.objects.order_by("pk")


def debtor_by_number(*, number: str) -> Debtor | None:
    return Debtor.objects.filter(number=number).first()


def invoice_list(
    *,
    debtor_number: str | None = None,
    payment_state: str | None = None,
    collection_status: str | None = None,
) -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("debtor").order_by("pk")
    if debtor_number is not None:
        invoices = invoices.filter(debtor__number=debtor_number)
    if payment_state is not None:
        invoices = invoices.with_payment_state(payment_state)
    if collection_status is not None:
        invoices = invoices.filter(collection_status_id=collection_status)
    return invoices


def invoice_get(*, number: str) -> Invoice:
    """The invoice with this number, or Http404 (answered as JSON by the API)."""
    invoice = Invoice.objects.select_related("debtor").filter(number=number).first()
    if invoice is None:
        raise Http404(_("Invoice %(number)s does not exist.") % {"number": number})
    return invoice


def payment_detail(*, pk: int) -> Payment:
    return (
        Payment.objects.select_related("debtor")
        .prefetch_related("allocations__invoice", "reversals")
        .get(pk=pk)
    )
