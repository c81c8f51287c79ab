"""The debtor's response pages: the selected invoices, a response type, its fields, save.

The page works in two steps without JavaScript (choose a type, the page reloads with its fields)
and in one with htmx (choosing a type swaps the fields in). Every invoice id that arrives is
resolved through `access_selected_invoices`, so ids of anyone else's invoices are dropped unread.
"""

import re
import secrets
from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from settle.common.errors import ApplicationError
from settle.portal.drafts import respond_draft, respond_draft_forget, respond_draft_keep
from settle.portal.selectors import access_selected_invoices
from settle.portal.session import debtor_required
from settle.receivables.models import ZERO, Invoice
from settle.responses.forms import ResponseForm
from settle.responses.hints import FormHint, response_form_hint
from settle.responses.models import ResponseType
from settle.responses.selectors import response_types_for_portal
from settle.responses.services import response_submit

# More than anyone selects on one page; a longer list is cut off before it reaches the database.
MAX_SELECTED = 500
# What `secrets.token_urlsafe(24)` makes, with room for keys of other lengths.
_SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def submission_key_new() -> str:
    return secrets.token_urlsafe(24)


def _type_by_code(types: list[ResponseType], code: str) -> ResponseType | None:
    # Matched in Python, not in SQL: a tampered code (NUL bytes, megabytes) never reaches a query.
    return next((rtype for rtype in types if rtype.code == code), None)


def _nothing_selected(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("Select one or more of your open invoices to respond to."))
    return redirect("portal:home")


def _type_error(code: str, response_type: ResponseType | None) -> str:
    if code and response_type is None:
        return _("This response is not available. Choose one of the responses listed.")
    return ""


@require_http_methods(["GET", "HEAD", "POST"])
@debtor_required
def respond(request: HttpRequest) -> HttpResponse:
    """The response page for the invoices in `invoice`; POST stores the response."""
    data = request.POST if request.method == "POST" else request.GET
    # access_selected_invoices drops whatever is not one of this debtor's open invoices.
    invoices = access_selected_invoices(
        debtor=request.debtor, ids=data.getlist("invoice")[:MAX_SELECTED]
    )
    if not invoices:
        return _nothing_selected(request)
    types = list(response_types_for_portal())
    code = data.get("type", "")
    response_type = _type_by_code(types, code)
    type_error = _type_error(code, response_type)
    submission_key = submission_key_new()
    form = None
    language_next = None
    if request.method == "POST":
        if response_type is None:
            type_error = type_error or _("Choose how you want to respond.")
        else:
            posted_key = request.POST.get("submission_key", "")
            if _SUBMISSION_KEY.fullmatch(posted_key):
                # Kept through corrections, so a later double click still finds one response.
                submission_key = posted_key
            form = ResponseForm(
                request.POST,
                request.FILES,
                response_type=response_type,
                email_on_file=request.debtor.email,
            )
            # "Calculate" (the form's hint without JavaScript) shows the hint, saves nothing.
            calculate = "calculate" in request.POST
            done = not calculate and _submit(
                request, form=form, invoices=invoices, key_ok=submission_key == posted_key
            )
            if done:
                respond_draft_forget(request)
                messages.success(request, _("Thank you, we have received your response."))
                return redirect("portal:home")
            # Switching the language comes back here, with what was typed (see drafts.py).
            language_next = respond_draft_keep(request, form=form, invoices=invoices)
    elif response_type is not None:
        draft = respond_draft(request, response_type=response_type) if data.get("draft") else None
        if draft is not None and _SUBMISSION_KEY.fullmatch(draft.get("submission_key", "")):
            submission_key = draft["submission_key"]
        form = ResponseForm(draft, response_type=response_type, email_on_file=request.debtor.email)
    context = {
        "invoices": invoices,
        "total": sum((invoice.open_amount for invoice in invoices), ZERO),
        "types": types,
        "response_type": response_type,
        "type_error": type_error,
        "form": form,
        "submission_key": submission_key,
    }
    if form is not None:
        context["hint"] = _hint(request, form=form, invoices=invoices)
        if request.method == "POST" and "calculate" in request.POST:
            # Not an attempt to save: what is not filled in yet is not an error.
            form.errors.clear()
    if language_next:
        context["language_next"] = language_next
    return render(request, "portal/respond/respond.html", context)


def _hint(request: HttpRequest, *, form: ResponseForm, invoices: list[Invoice]) -> FormHint | None:
    """The form's hint for what has been entered so far (see settle.responses.hints). The
    inputs it depends on ask for a fresh one as the debtor types (htmx); the "Calculate" button
    does it without JavaScript."""
    values: dict = {}
    if form.is_bound:
        form.is_valid()
        cleaned = getattr(form, "cleaned_data", {})
        for config in form.config:
            value = cleaned.get(f"f_{config.key}")
            if value not in (None, ""):
                values[config.key] = value.isoformat() if isinstance(value, date) else value
    hint = response_form_hint(
        response_type=form.response_type,
        debtor=request.debtor,
        invoices=invoices,
        values=values,
    )
    for key in hint.inputs if hint else ():
        if field := form.fields.get(f"f_{key}"):
            field.widget.attrs.update(
                {
                    "hx-post": reverse("portal:respond_hint"),
                    "hx-target": "#form-hint",
                    # In order and never aborted (an aborted request is a console error).
                    "hx-trigger": "input changed delay:400ms",
                    "hx-sync": "closest form:queue last",
                }
            )
    return hint


@require_POST
@debtor_required
def respond_hint(request: HttpRequest) -> HttpResponse:
    """The form's hint for the values typed so far, for htmx to swap in under the form. Saves
    nothing; invoices go through `access_selected_invoices` like the form's own."""
    invoices = access_selected_invoices(
        debtor=request.debtor, ids=request.POST.getlist("invoice")[:MAX_SELECTED]
    )
    response_type = _type_by_code(list(response_types_for_portal()), request.POST.get("type", ""))
    hint = None
    if invoices and response_type is not None:
        form = ResponseForm(request.POST, response_type=response_type)
        hint = _hint(request, form=form, invoices=invoices)
    return render(request, "portal/respond/hint.html", {"hint": hint})


def _submit(
    request: HttpRequest, *, form: ResponseForm, invoices: list[Invoice], key_ok: bool
) -> bool:
    """Validate and store; on any refusal the form carries the reason and nothing is stored."""
    valid = form.is_valid()
    if not key_ok:
        # A missing or tampered one-time key: the page comes back with a fresh one.
        form.errors.pop("submission_key", None)
        form.add_error(None, _("The form has expired. Check your answers and save again."))
        return False
    if not valid:
        return False
    try:
        response_submit(
            debtor=request.debtor,
            response_type=form.response_type,
            invoices=invoices,
            values=form.values(),
            files=form.files_by_key(),
            submission_key=form.cleaned_data["submission_key"],
        )
    except ApplicationError as error:
        form.add_error(None, error.message)
        form.add_field_errors(error.errors)
        return False
    return True


@require_GET
@debtor_required
def respond_fields(request: HttpRequest) -> HttpResponse:
    """The fields of one response type, for htmx to swap into the response page."""
    code = request.GET.get("type", "")
    response_type = _type_by_code(list(response_types_for_portal()), code)
    form = None
    if response_type is not None:
        form = ResponseForm(response_type=response_type, email_on_file=request.debtor.email)
    context = {
        "response_type": response_type,
        "type_error": _type_error(code, response_type),
        "form": form,
    }
    if form is not None:
        invoices = access_selected_invoices(
            debtor=request.debtor, ids=request.GET.getlist("invoice")[:MAX_SELECTED]
        )
        context["hint"] = _hint(request, form=form, invoices=invoices)
    return render(request, "portal/respond/fields.html", context)
