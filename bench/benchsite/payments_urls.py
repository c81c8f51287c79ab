"""Settle's URLs plus `/bench/floor/mollie`: what a Mollie webhook costs before Settle does
anything with it. The floor reads the id from the form body, fetches the payment from Mollie
through the configured provider (the same client, key and endpoint the real webhook uses) and
answers 200, on the same server with the same middleware."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from settle.config.urls import urlpatterns as settle_urlpatterns
from settle.payments.providers.registry import provider_active


@csrf_exempt
@require_POST
def mollie_fetch(request: HttpRequest) -> HttpResponse:
    provider_active().fetch(request.POST.get("id", ""))
    return HttpResponse(status=200)


urlpatterns = [
    path("bench/floor/mollie", mollie_fetch, name="bench_floor_mollie"),
    *settle_urlpatterns,
]
