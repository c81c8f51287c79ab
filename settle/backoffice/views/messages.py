"""The outbox for employees: every message with its content, sending a failed one again, the
letters as one PDF for printing, and sending a message from a debtor's page."""

import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from settle.backoffice.decorators import staff_required
from settle.backoffice.forms.correspondence import MessageFilterForm, SendMessageForm
from settle.backoffice.pages import debtor_page
from settle.backoffice.serving import UNSAFE_IN_FILE_NAME, sandboxed_html
from settle.backoffice.templatetags.correspondence import kind_label
from settle.common.errors import ApplicationError
from settle.correspondence import letters, selectors, services
from settle.correspondence.models import Channel, Message, MessageAttachment, MessageStatus
from settle.receivables.models import Debtor, Invoice

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
# One print run; a larger batch is narrowed with the status filter.
PRINT_LIMIT = 1000


@require_GET
@staff_required
def message_list(request: HttpRequest) -> HttpResponse:
    form = MessageFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(selectors.messages_for_list(**filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/message_list.html",
        {
            "form": form,
            "page": page,
            "filters": filters,
            "filtered": any(filters.values()),
            "print_limit": PRINT_LIMIT,
        },
    )


@never_cache
@require_GET
@staff_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # never_cache: a portal invitation's text holds the debtor's sign-in link.
    message = get_object_or_404(
        Message.objects.select_related("debtor", "created_by").prefetch_related(
            Prefetch("invoices", queryset=Invoice.objects.order_by("number")), "attachments"
        ),
        pk=pk,
    )
    return render(
        request,
        "backoffice/message_detail.html",
        {
            "message": message,
            "kind_label": kind_label(message.kind),
            # A message that could not be written from its template has nothing to send.
            "can_retry": message.status == MessageStatus.FAILED
            and bool(message.body_text or message.body_html),
        },
    )


@never_cache
@require_GET
@staff_required
def message_html(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=pk)
    if not message.body_html:
        raise Http404
    return sandboxed_html(message.body_html)


@never_cache
@require_GET
@staff_required
def message_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The letter as it was rendered for printing, shown in the browser."""
    message = get_object_or_404(Message, pk=pk, channel=Channel.LETTER)
    if not message.pdf:
        raise Http404
    try:
        handle = message.pdf.open("rb")
    except OSError as exc:
        raise Http404 from exc
    return FileResponse(handle, filename=f"letter-{message.pk}.pdf", content_type="application/pdf")


@require_GET
@staff_required
def message_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A file that went with an e-mail, found by its id and sent as a download."""
    attachment = get_object_or_404(MessageAttachment, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except (OSError, ValueError) as exc:
        raise Http404 from exc
    name = UNSAFE_IN_FILE_NAME.sub("_", attachment.filename).strip(" .")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name or f"message-{attachment.message_id}-{attachment.pk}",
        content_type=attachment.content_type,
    )


@require_POST
@staff_required
def message_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=pk)
    try:
        services.message_retry(message=message)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The message is back in the outbox and will be sent again."))
    return redirect("backoffice:message_detail", pk=message.pk)


@require_GET
@staff_required
def message_letters_pdf(request: HttpRequest) -> HttpResponse:
    """The listed letters that have a PDF, newest first and at most PRINT_LIMIT, as one PDF."""
    filters = MessageFilterForm(request.GET).filters()
    filters["channel"] = Channel.LETTER
    # Only the file names: the letters' HTML is not needed here and can be large.
    found = selectors.messages_for_list(**filters).exclude(pdf="").defer("body_html", "body_text")
    letters_found = list(found[:PRINT_LIMIT])
    try:
        combined = letters.letters_combine(_pdf_contents(letters_found))
    except ApplicationError:
        messages.error(request, _("There are no letters with a PDF in this list to print."))
        return redirect(_list_url(request, filters))
    response = HttpResponse(combined, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="letters.pdf"'
    return response


def _pdf_contents(found: list[Message]):
    for message in found:
        try:
            with message.pdf.open("rb") as handle:
                yield handle.read()
        except OSError:
            # A file lost from storage must not stop the rest of the run from printing.
            logger.warning("letter %s: its PDF %s cannot be read", message.pk, message.pdf.name)


def _list_url(request: HttpRequest, filters: dict) -> str:
    query = urlencode({name: value for name, value in filters.items() if value})
    return reverse("backoffice:message_list") + (f"?{query}" if query else "")


@require_POST
@staff_required
def debtor_message_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a message of a manual kind to the debtor, written in the debtor's language."""
    debtor = get_object_or_404(Debtor, pk=pk)
    form = SendMessageForm(request.POST)
    if not form.is_valid():
        return debtor_page(request, debtor, send_form=form, status=400)
    if not debtor.active:
        messages.error(request, _("This debtor is inactive; no message can be sent to them."))
        return redirect(debtor.get_absolute_url() + "#send-message")
    try:
        message = services.message_send(
            kind=form.cleaned_data["kind"],
            channel=form.cleaned_data["channel"],
            debtor=debtor,
            cause=f"backoffice:{request.user.pk}",
            idempotency_key=form.idempotency_key(debtor),
            created_by=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(debtor.get_absolute_url() + "#send-message")
    if message.status == MessageStatus.FAILED:
        # It could not be written from its template; its page says why.
        messages.error(request, message.last_error)
        return redirect("backoffice:message_detail", pk=message.pk)
    messages.success(
        request,
        _("Queued: %(kind)s (%(channel)s) to %(recipient)s.")
        % {
            "kind": kind_label(message.kind),
            "channel": message.get_channel_display(),
            "recipient": message.recipient,
        },
    )
    return redirect("backoffice:message_detail", pk=message.pk)
