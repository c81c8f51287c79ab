"""The API's language: English, unless the request's Accept-Language asks for Dutch.

The site's default language is Dutch (LANGUAGE_CODE), which suits the back office and the portal,
and LocaleMiddleware also follows the language cookie a browser got there. An ERP client is not a
person on the site: the API is documented in English, so it answers in English unless the client
asks otherwise in its Accept-Language header, whatever the cookie or the site's default says.
"""

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

API_PATH_PREFIX = "/api/"
API_DEFAULT_LANGUAGE = "en"


def api_language(accept_language: str) -> str:
    """The first supported language in the header's order of preference, else English."""
    for code, _quality in parse_accept_lang_header(accept_language):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return API_DEFAULT_LANGUAGE


class ApiLanguageMiddleware:
    """Activates the API's language for requests to the API; comes after LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PATH_PREFIX):
            language = api_language(request.headers.get("Accept-Language", ""))
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
