from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from settle.api import selectors
from settle.api.bodies import INVOICE_SHAPE, batch_items, refuse_bad_shapes
from settle.api.documents import document_read
from settle.api.field_types import Text
from settle.api.openapi import PDF_BODY, batch_body
from settle.api.pagination import paginate
from settle.api.schemas import (
    ErrorOut,
    InvoiceFilters,
    InvoiceIn,
    InvoiceOut,
    InvoicePage,
    UpsertOut,
)
from settle.common.errors import ApplicationError
from settle.receivables.services.checks import invoice_records_check
from settle.receivables.services.invoices import invoice_document_attach, invoices_upsert_batch

router = Router(tags=["invoices"])


@router.put(
    "",
    response={200: UpsertOut, 401: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    summary="Create or update invoices",
    openapi_extra=batch_body(InvoiceIn),
)
def invoices_put(request: HttpRequest):
    """Upsert up to 1,000 invoices by `number`; their debtors must exist already.

    All or nothing: if any item is invalid (an unknown debtor number included), nothing changes
    and the 422 answer lists every problem as (index, field, message).
    """
    items = batch_items(request)
    refuse_bad_shapes(items, INVOICE_SHAPE, invoice_records_check)
    return invoices_upsert_batch(items=items)


@router.get("", response={200: InvoicePage, 401: ErrorOut, 422: ErrorOut}, summary="List invoices")
def invoices_get(request: HttpRequest, filters: Query[InvoiceFilters]):
    """Invoices, a page at a time; follow `next_cursor` until it is null."""
    invoices = selectors.invoice_list(
        debtor_number=filters.debtor_number,
        payment_state=filters.status,
        collection_status=filters.collection_status,
    )
    return paginate(invoices, cursor=filters.cursor, limit=filters.limit)


@router.get(
    "/{number}", response={200: InvoiceOut, 401: ErrorOut, 404: ErrorOut}, summary="One invoice"
)
def invoice_get(request: HttpRequest, number: Text):
    return selectors.invoice_get(number=number)


@router.put(
    "/{number}/document",
    response={200: InvoiceOut, 401: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    summary="Attach the invoice's PDF",
    openapi_extra=PDF_BODY,
)
def invoice_document_put(request: HttpRequest, number: Text):
    """Store the PDF of an invoice, replacing any earlier one.

    Send the PDF as the raw body (`Content-Type: application/pdf`) or as the field `file` of a
    multipart form. Whether it is a PDF is judged by its content, not its name or type.
    """
    invoice = selectors.invoice_get(number=number)
    content, file_name = document_read(request, max_bytes=settings.SETTLE_DOCUMENT_MAX_BYTES)
    if not content:
        raise ApplicationError(_("No document was sent."))
    return invoice_document_attach(invoice=invoice, content=content, file_name=file_name)
