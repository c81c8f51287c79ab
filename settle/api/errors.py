"""How the API answers what goes wrong: always JSON, always {"detail": ..., "errors": [...]}.

Bad input of any kind is a 422 listing each problem as (index, field, message); nothing a client
sends may produce a 500.
"""

from collections.abc import Sequence

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from settle.api.messages import pydantic_message
from settle.common.errors import ApplicationError, FieldError


class TooManyFailedKeys(Exception):
    """This address sent too many wrong API keys lately (see auth.py); answered with 429."""

    def __init__(self, *, retry_after: int) -> None:
        super().__init__("too many failed API keys")
        self.retry_after = retry_after


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    detail: str,
    errors: Sequence[FieldError] = (),
) -> HttpResponse:
    body = {
        "detail": str(detail),
        "errors": [
            {"index": e.index, "field": e.field or None, "message": str(e.message)} for e in errors
        ],
    }
    return api.create_response(request, body, status=status)


def _ninja_field_errors(errors: list[dict]) -> list[FieldError]:
    """Turn pydantic's locations (("body", "payload", "allocations", 0, "amount")) into the
    API's (index 0, field "allocations.amount")."""
    result = []
    for error in errors:
        loc = list(error.get("loc", ()))
        source = loc.pop(0) if loc else ""
        if source == "body" and loc:
            loc.pop(0)  # the name of the view's parameter means nothing to the client
        index = next((part for part in loc if isinstance(part, int)), None)
        field = ".".join(str(part) for part in loc if not isinstance(part, int))
        result.append(FieldError(index=index, field=field, message=pydantic_message(error)))
    return result


def install_exception_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApplicationError)
    def application_error(request, exc: ApplicationError):
        return error_response(api, request, status=422, detail=exc.message, errors=exc.errors)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        return error_response(
            api,
            request,
            status=422,
            detail=_("The request was refused; nothing was changed."),
            errors=_ninja_field_errors(exc.errors),
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc: AuthenticationError):
        response = error_response(
            api,
            request,
            status=401,
            detail=_("A valid API key is needed: send the header Authorization: Bearer <key>."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="settle"'
        return response

    @api.exception_handler(TooManyFailedKeys)
    def too_many_failed_keys(request, exc: TooManyFailedKeys):
        response = error_response(
            api,
            request,
            status=429,
            detail=ngettext(
                "Too many requests with a wrong API key came from this address. "
                "Try again in %(seconds)d second.",
                "Too many requests with a wrong API key came from this address. "
                "Try again in %(seconds)d seconds.",
                exc.retry_after,
            )
            % {"seconds": exc.retry_after},
        )
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        # ninja wraps a body it cannot parse as JSON in a 400; to the client that is bad input.
        if exc.status_code == 400 and exc.__cause__ is not None:
            return error_response(
                api,
                request,
                status=422,
                detail=_("The request body is not valid JSON: %(error)s")
                % {"error": exc.__cause__},
            )
        return error_response(api, request, status=exc.status_code, detail=exc.message)

    @api.exception_handler(Http404)
    def not_found(request, exc: Http404):
        return error_response(api, request, status=404, detail=str(exc) or _("Not found."))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc: RequestDataTooBig):
        return error_response(api, request, status=413, detail=_("The request body is too large."))
