from collections.abc import Iterable, Sequence

from django.db.models import Exists, FilteredRelation, OuterRef, Q, QuerySet

from settle.receivables.models import Invoice
from settle.responses.models import Response, ResponseState, ResponseType
from settle.responses.status import status_text

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


def invoice_rows_with_status(invoices: QuerySet[Invoice], fields: Sequence[str]) -> list[dict]:
    """`fields` of each of `invoices`, in their order, as plain rows, each with "response_status":
    the status line (`status_text`, in the active language) of the invoice's newest open
    response, as `latest_open_responses` picks it, or None when it has none.

    One query however many invoices (the invoices left-joined to their open responses, newest
    first) and no model per row: it serves the portal's landing page, its busiest
    (bench/portal_landing.py).
    """
    ordering = invoices.query.order_by or Invoice._meta.ordering
    rows = (
        invoices.annotate(
            open_response=FilteredRelation(
                "responses", condition=Q(responses__state=ResponseState.OPEN)
            )
        )
        .order_by(*ordering, "pk", "-open_response__created_at", "-open_response__id")
        .values(
            *dict.fromkeys([*fields, "pk"]),
            "open_response__values",
            "open_response__response_type__workflow",
            "open_response__response_type__name_nl",
            "open_response__response_type__name_en",
        )
    )
    result: dict[int, dict] = {}
    for row in rows:
        pk = row["pk"]
        if pk not in result:
            result[pk] = {field: row[field] for field in fields}
            result[pk]["response_status"] = None
        # An invoice has a row per response, and a closed one comes with empty response
        # columns; among the open ones the first is the newest.
        workflow = row["open_response__response_type__workflow"]
        if workflow is not None and result[pk]["response_status"] is None:
            result[pk]["response_status"] = status_text(
                workflow=workflow,
                values=row["open_response__values"],
                name_nl=row["open_response__response_type__name_nl"],
                name_en=row["open_response__response_type__name_en"],
            )
    return list(result.values())


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
