"""What a debtor typed on a response page that came back with errors, kept in their session.

The page with errors is the answer to a POST; the language switch redirects with a GET, so it
could only return to the landing page and the typed values were lost. Instead the switch
returns to the response page by GET with `draft=1`, and the page fills its form from here.
Only the session holds the values (never the address, which ends up in logs); files cannot be
kept and are asked for again."""

from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.http import urlencode

from settle.receivables.models import Invoice
from settle.responses.forms import MAX_TEXT, ResponseForm
from settle.responses.models import FieldKind, ResponseType

_SESSION_KEY = "respond_draft"


def respond_draft_keep(request: HttpRequest, *, form: ResponseForm, invoices: list[Invoice]) -> str:
    """Keep the typed values of `form` (as posted) and return the address that shows them."""
    request.session[_SESSION_KEY] = {
        "type": form.response_type.code,
        "values": {
            name: request.POST.get(name, "")[:MAX_TEXT]
            for name in [f"f_{field.key}" for field in form.config if field.kind != FieldKind.FILE]
            + ["submission_key"]
            if name in request.POST
        },
    }
    query = [("invoice", invoice.pk) for invoice in invoices]
    query += [("type", form.response_type.code), ("draft", "1")]
    return f"{reverse('portal:respond')}?{urlencode(query)}"


def respond_draft(request: HttpRequest, *, response_type: ResponseType) -> QueryDict | None:
    """The values kept for `response_type`, as form data; None when there are none."""
    draft = request.session.get(_SESSION_KEY)
    if not isinstance(draft, dict) or draft.get("type") != response_type.code:
        return None
    data = QueryDict(mutable=True)
    for name, value in (draft.get("values") or {}).items():
        if isinstance(name, str) and isinstance(value, str):
            data[name] = value
    return data


def respond_draft_forget(request: HttpRequest) -> None:
    request.session.pop(_SESSION_KEY, None)
