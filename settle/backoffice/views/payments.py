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


@require_GET
@staff_required
def payment_list(request: HttpRequest) -> HttpResponse:
    form = PaymentFilterForm(request.GET)
    filters = form.filters()
    payments = payment_selectors.payment_list(**filters)
    page = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/payment_list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "tab": "payments",
            "provider": payment_selectors.provider_settings(),
        },
    )


@require_GET
@staff_required
def payment_request_list(request: HttpRequest) -> HttpResponse:
    form = PaymentRequestFilterForm(request.GET)
    filters = form.filters()
    attempts = payment_selectors.payment_request_list(**filters)
    page = Paginator(attempts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/payment_request_list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "tab": "attempts",
            "provider": payment_selectors.provider_settings(),
        },
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
