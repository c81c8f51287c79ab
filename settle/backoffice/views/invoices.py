from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from settle.backoffice import selectors
from settle.backoffice.decorators import staff_required
from settle.backoffice.forms.filters import InvoiceFilterForm
from settle.receivables.models import Invoice

PAGE_SIZE = 50


@require_GET
@staff_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    form = InvoiceFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(selectors.invoice_list(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/invoice_list.html",
        {"form": form, "page": page, "sort": filters["sort"], "filtered": _filtered(filters)},
    )


def _filtered(filters: dict) -> bool:
    return bool(
        filters["query"]
        or filters["payment_state"]
        or filters["collection_status"]
        or filters["overdue"]
    )


@require_GET
@staff_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        invoice = selectors.invoice_detail(pk=pk)
    except Invoice.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "backoffice/invoice_detail.html", {"invoice": invoice})


@require_GET
@staff_required
def invoice_document(request: HttpRequest, pk: int) -> FileResponse:
    """Stream an invoice's PDF to an employee.

    The file is found through the invoice id, never through a name taken from the request, so
    no path can be smuggled in; an invoice without a document (or whose file is gone) is a 404.
    """
    invoice = get_object_or_404(Invoice, pk=pk)
    if not invoice.document:
        raise Http404
    try:
        handle = invoice.document.open("rb")
    except OSError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{invoice.number.replace('/', '-')}.pdf",
        content_type="application/pdf",
    )
