"""Settle's URLs plus `/bench/floor/`: the least a Django view can do on the same server, with
the same middleware, as the floor the portal's pages are measured against."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from settle.config.urls import urlpatterns as settle_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *settle_urlpatterns]
