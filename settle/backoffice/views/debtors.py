from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from settle.backoffice import selectors
from settle.backoffice.decorators import staff_required
from settle.backoffice.filters import DebtorFilterForm
from settle.receivables.models import Debtor

PAGE_SIZE = 50


@staff_required
def debtor_list(request: HttpRequest) -> HttpResponse:
    form = DebtorFilterForm(request.GET)
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    page = Paginator(selectors.debtor_list(query=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "backoffice/debtor_list.html", {"form": form, "page": page, "query": query}
    )


@staff_required
def debtor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    debtor = get_object_or_404(Debtor, pk=pk)
    return render(
        request,
        "backoffice/debtor_detail.html",
        {
            "debtor": debtor,
            "invoices": selectors.debtor_invoices(debtor=debtor),
            "payments": selectors.debtor_payments(debtor=debtor),
            "portal_links": selectors.debtor_portal_links(debtor=debtor),
            "timeline": selectors.debtor_timeline(debtor=debtor),
        },
    )
