"""The payments an employee sees: every booked payment, the debtors' online payment attempts,
and which payment provider is configured. Read-only: payments are booked by imports, the API,
bank statements and the providers' webhooks, never from these pages."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from settle.backoffice import payment_selectors
from settle.backoffice.decorators import staff_required
from settle.backoffice.forms.payments import PaymentFilterForm, PaymentRequestFilterForm

PAGE_SIZE = 50


def _listing(request: HttpRequest, *, form_class, rows, template: str, tab: str) -> HttpResponse:
    """A filtered, paginated list of the payments pages (booked payments, online attempts)."""
    form = form_class(request.GET)
    filters = form.filters()
    page = Paginator(rows(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": any(filters.values()),
        "tab": tab,
        "provider": payment_selectors.provider_settings(),
    }
    return render(request, template, context)


@require_GET
@staff_required
def payment_list(request: HttpRequest) -> HttpResponse:
    return _listing(
        request,
        form_class=PaymentFilterForm,
        rows=payment_selectors.payment_list,
        template="backoffice/payment_list.html",
        tab="payments",
    )


@require_GET
@staff_required
def payment_request_list(request: HttpRequest) -> HttpResponse:
    return _listing(
        request,
        form_class=PaymentRequestFilterForm,
        rows=payment_selectors.payment_request_list,
        template="backoffice/payment_request_list.html",
        tab="attempts",
    )


@require_GET
@staff_required
def payment_settings(request: HttpRequest) -> HttpResponse:
    """Which provider is active, in which mode, and when it last called us. Any employee may
    look (the payments list links here); nothing on it is secret, as no key is passed to it."""
    return render(
        request,
        "backoffice/payment_settings.html",
        {"provider": payment_selectors.provider_settings(), "tab": "payments"},
    )
