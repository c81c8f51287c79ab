from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from settle.receivables.models import Invoice
from settle.responses.models import Response, ResponseState, ResponseType

ResponseInvoice = Response.invoices.through


def latest_open_responses(invoice_ids: Iterable[int]) -> dict[int, Response]:
    """The newest open response per invoice, in one query whatever the number of invoices."""
    links = (
        ResponseInvoice.objects.filter(
            invoice_id__in=list(invoice_ids), response__state=ResponseState.OPEN
        )
        .select_related("response__response_type")
        .order_by("invoice_id", "-response__created_at", "-response_id")
    )
    latest: dict[int, Response] = {}
    for link in links:
        latest.setdefault(link.invoice_id, link.response)
    return latest


def _excluding_open_response():
    return ResponseInvoice.objects.filter(
        invoice_id=OuterRef("pk"),
        response__state=ResponseState.OPEN,
        response__response_type__excludes_from_dunning=True,
    )


def invoices_excluded_from_dunning(queryset: QuerySet[Invoice] | None = None) -> QuerySet[Invoice]:
    """Invoices that must get no reminder: an open response of an excluding type covers them."""
    queryset = Invoice.objects.all() if queryset is None else queryset
    return queryset.filter(Exists(_excluding_open_response()))


def invoices_with_dunning_exclusion(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotate `excluded_from_dunning` on each invoice, for lists that show it."""
    return queryset.annotate(excluded_from_dunning=Exists(_excluding_open_response()))


def response_types_for_portal() -> QuerySet[ResponseType]:
    return ResponseType.objects.filter(enabled_in_portal=True).prefetch_related("fields")
