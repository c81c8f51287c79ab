"""The responses inbox: what debtors answered, for employees to read and close."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from settle.arrangements.selectors import arrangement_for_response
from settle.backoffice import selectors
from settle.backoffice.decorators import staff_required
from settle.backoffice.forms_portal import ResponseCloseForm, ResponseFilterForm
from settle.common.errors import ApplicationError
from settle.responses.models import FieldKind, Response, ResponseAttachment, ResponseState
from settle.responses.services import response_close, response_hold

PAGE_SIZE = 50
# Letters, digits and a few marks; anything else in a debtor's file name becomes "_".
UNSAFE_IN_FILE_NAME = re.compile(r"[^\w.\- ]")


@dataclass(frozen=True)
class ShownValue:
    label: str
    kind: str
    value: object


def _shown(label: str, kind: str, value: object) -> ShownValue:
    """A stored value in the type the template formats (a date, an amount); a value that does
    not read as its kind is shown as plain text rather than dropped."""
    try:
        if kind == FieldKind.DATE and isinstance(value, str):
            return ShownValue(label, kind, date.fromisoformat(value))
        if kind == FieldKind.AMOUNT and isinstance(value, str | int):
            return ShownValue(label, kind, Decimal(value))
    except (ValueError, InvalidOperation):
        pass
    return ShownValue(label, FieldKind.TEXT, value)


def shown_values(response: Response) -> list[ShownValue]:
    """The response's values labelled by its type's fields (prefetched), in the fields' order;
    a value whose field is gone since is still shown, under its key."""
    values = dict(response.values or {})
    rows = [
        _shown(field.label, field.kind, values.pop(field.key))
        for field in response.response_type.fields.all()
        if field.key in values
    ]
    rows += [ShownValue(key, FieldKind.TEXT, value) for key, value in values.items()]
    return rows


def shown_attachments(response: Response) -> list[tuple[ResponseAttachment, str]]:
    """Each attachment (prefetched) with the label of the field it was uploaded in."""
    labels = {field.key: field.label for field in response.response_type.fields.all()}
    return [
        (attachment, labels.get(attachment.field_key, attachment.field_key))
        for attachment in response.attachments.all()
    ]


@staff_required
def response_list(request: HttpRequest) -> HttpResponse:
    form = ResponseFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(selectors.response_inbox(**filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        (response, shown_values(response), shown_attachments(response))
        for response in page.object_list
    ]
    return render(
        request,
        "backoffice/response_list.html",
        {"form": form, "page": page, "rows": rows, "state": filters["state"]},
    )


@staff_required
def response_detail(request: HttpRequest, pk: int, close_form=None, status=200) -> HttpResponse:
    try:
        response = selectors.response_detail(pk=pk)
    except Response.DoesNotExist as exc:
        raise Http404 from exc
    is_open = response.state == ResponseState.OPEN
    return render(
        request,
        "backoffice/response_detail.html",
        {
            "response": response,
            "values": shown_values(response),
            "attachments": shown_attachments(response),
            "close_form": close_form or ResponseCloseForm(),
            "is_open": is_open,
            "hold": response_hold(response=response) if is_open else "",
            "arrangement": arrangement_for_response(response_id=response.pk),
        },
        status=status,
    )


@require_POST
@staff_required
def response_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    response = get_object_or_404(Response, pk=pk)
    form = ResponseCloseForm(request.POST)
    if not form.is_valid():
        return response_detail(request, pk, close_form=form, status=400)
    try:
        response_close(
            response=response,
            closed_by=request.user,
            note=form.cleaned_data["note"],
            by_hand=True,
        )
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return response_detail(request, pk, close_form=form, status=409)
    messages.success(request, _("The response has been closed."))
    return redirect("backoffice:response_detail", pk=response.pk)


def _download_name(attachment: ResponseAttachment) -> str:
    name = UNSAFE_IN_FILE_NAME.sub("_", attachment.original_name).strip(" .")
    return name or f"response-{attachment.response_id}-{attachment.field_key}"


@require_GET
@staff_required
def response_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Hand an uploaded file to an employee.

    Found by the attachment's id, never by a name from the request. Sent as a download with the
    content type we established from the file's content when it came in, and `nosniff`, so a
    browser never renders a debtor's upload as a page of ours. The debtor's file name is kept
    for the employee's convenience, reduced to harmless characters.
    """
    attachment = get_object_or_404(ResponseAttachment, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except (OSError, ValueError) as exc:
        raise Http404 from exc
    download = FileResponse(
        handle,
        as_attachment=True,
        filename=_download_name(attachment),
        content_type=attachment.content_type,
    )
    download["X-Content-Type-Options"] = "nosniff"
    return download
