from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from settle.backoffice import selectors
from settle.backoffice.decorators import staff_required
from settle.backoffice.filters import DebtorFilterForm
from settle.backoffice.forms_correspondence import SendMessageForm
from settle.correspondence.kinds import Kind
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
    return debtor_page(request, get_object_or_404(Debtor, pk=pk))


def debtor_page(
    request: HttpRequest, debtor: Debtor, *, send_form: SendMessageForm | None = None, status=200
) -> HttpResponse:
    """The debtor's page; with `send_form`, the send form as it was posted, with its errors."""
    return render(
        request,
        "backoffice/debtor_detail.html",
        {
            "debtor": debtor,
            "invoices": selectors.debtor_invoices(debtor=debtor),
            "payments": selectors.debtor_payments(debtor=debtor),
            "portal_links": selectors.debtor_portal_links(debtor=debtor),
            "timeline": selectors.debtor_timeline(debtor=debtor),
            "send_form": send_form or SendMessageForm(),
            # The quick "send portal link" buttons have a form of their own, and a key of
            # their own, so that pressing one does not spend the key of the other form.
            "quick_form": SendMessageForm(),
            "portal_invitation": Kind.PORTAL_INVITATION,
        },
        status=status,
    )
