"""A page for a 405: Django has no handler for it, and `require_POST` answers with an empty body,
which a browser shows as a blank page (a bookmarked or reloaded action address, for example)."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string


class MethodNotAllowedPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Only Django's bare answer: an API's 405 with a body of its own is left as it is.
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response
