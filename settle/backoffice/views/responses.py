"""The responses inbox: what debtors answered, for employees to read and close."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from settle.arrangements.selectors import arrangement_for_response
from settle.backoffice import selectors
from settle.backoffice.decorators import staff_required
from settle.backoffice.forms.portal import ResponseCloseForm, ResponseFilterForm
from settle.backoffice.response_values import shown_attachments, shown_values
from settle.backoffice.serving import UNSAFE_IN_FILE_NAME
from settle.common.errors import ApplicationError
from settle.responses.closing import response_close, response_hold
from settle.responses.models import Response, ResponseAttachment, ResponseState

PAGE_SIZE = 50


@require_GET
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


@require_GET
@staff_required
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _response_page(request, pk)


def _response_page(
    request: HttpRequest,
    pk: int,
    *,
    close_form: ResponseCloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The response's page; with `close_form`, that form as it was posted, with its errors."""
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
        return _response_page(request, pk, close_form=form, status=400)
    try:
        response_close(
            response=response,
            closed_by=request.user,
            note=form.cleaned_data["note"],
            by_hand=True,
        )
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _response_page(request, pk, close_form=form, status=409)
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
