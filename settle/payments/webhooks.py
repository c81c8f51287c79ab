"""The providers' webhooks: thin views over settle.payments.services (to be written)."""

from django.http import HttpRequest, HttpResponse


def mollie_webhook(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=200)


def adyen_webhook(request: HttpRequest) -> HttpResponse:
    return HttpResponse("[accepted]")
