from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from settle.backoffice import selectors
from settle.backoffice.decorators import staff_required
from settle.backoffice.forms.filters import DebtorFilterForm
from settle.backoffice.pages import debtor_page
from settle.receivables.models import Debtor

PAGE_SIZE = 50


@require_GET
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


@require_GET
@staff_required
def debtor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return debtor_page(request, get_object_or_404(Debtor, pk=pk))
