"""Responses: a debtor's answer on one or more of their open invoices (its closing is in
closing.py, which the workflows started here use too)."""

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError, FieldError
from settle.correspondence.kinds import Kind
from settle.correspondence.notifications import message_notify
from settle.receivables.models import Debtor, Invoice
from settle.responses.configuration import WORKFLOW_REQUIRED_FIELDS
from settle.responses.models import (
    Response,
    ResponseAttachment,
    ResponseChannel,
    ResponseState,
    ResponseType,
    WorkflowKind,
)
from settle.responses.uploads import validate_upload
from settle.responses.workflows import workflow_start

SUBMISSION_KEY_MAX = Response._meta.get_field("submission_key").max_length
# Workflows that send the debtor their own confirmation instead of "response received".
OWN_CONFIRMATION = (WorkflowKind.PROMISE, WorkflowKind.ARRANGEMENT)


def response_submit(
    *,
    debtor: Debtor,
    response_type: ResponseType,
    invoices: Sequence[Invoice],
    values: Mapping[str, object],
    files: Mapping[str, UploadedFile] | None = None,
    submission_key: str,
    channel: str = ResponseChannel.PORTAL,
) -> Response:
    """Store one response for the debtor's selected open invoices.

    The same `submission_key` (the form's one-time token) returns the response stored the first
    time, so a double click or a resubmitted page never makes two. `values` must have passed the
    type's form; invoices must be the debtor's own and open, which is checked again here.
    """
    if channel == ResponseChannel.PORTAL and not response_type.enabled_in_portal:
        raise ApplicationError(_("This kind of response is not available."))
    if not invoices:
        raise ApplicationError(_("Select at least one invoice."))
    if any(inv.debtor_id != debtor.pk or inv.open_amount <= 0 for inv in invoices):
        raise ApplicationError(_("Only your own open invoices can be selected."))
    if not submission_key or len(submission_key) > SUBMISSION_KEY_MAX:
        raise ApplicationError(_("The form has expired; please try again."))
    _needed_values_check(response_type=response_type, values=values)
    invoices = list({invoice.pk: invoice for invoice in invoices}.values())
    existing = Response.objects.filter(debtor=debtor, submission_key=submission_key).first()
    if existing is not None:
        return existing
    checked_files = {}
    for key, upload in (files or {}).items():
        try:
            checked_files[key] = (upload, validate_upload(upload))
        except ValidationError as error:
            raise ApplicationError(
                error.messages[0], errors=[FieldError(key, error.messages[0])]
            ) from None
    stored: list[str] = []
    try:
        with transaction.atomic():
            if response_type.workflow == WorkflowKind.ARRANGEMENT:
                _arrangement_overlap_refuse(
                    debtor=debtor, invoices=invoices, submission_key=submission_key
                )
            response = Response.objects.create(
                debtor=debtor,
                response_type=response_type,
                values=dict(values),
                channel=channel,
                submission_key=submission_key,
            )
            response.invoices.set(invoices)
            for key, (upload, (content_type, extension)) in checked_files.items():
                attachment = ResponseAttachment(
                    response=response,
                    field_key=key,
                    original_name=(upload.name or "")[-255:],
                    content_type=content_type,
                    size=upload.size,
                )
                # Our own name: an uploaded file name never reaches the file system.
                attachment.file.save(f"{response.pk}-{key}.{extension}", upload, save=False)
                stored.append(attachment.file.name)
                attachment.save()
            _response_confirm(response=response, invoices=invoices)
            workflow_start(response=response)
    except Exception as error:
        # The rows are rolled back; the files written for them must not linger without a row.
        for name in stored:
            ResponseAttachment.file.field.storage.delete(name)
        if not isinstance(error, IntegrityError):
            raise
        # A concurrent request with the same key won the race; show the debtor that one.
        existing = Response.objects.filter(debtor=debtor, submission_key=submission_key).first()
        if existing is None:
            raise
        return existing
    return response


def _needed_values_check(*, response_type: ResponseType, values: Mapping[str, object]) -> None:
    """Refuse a response without a value its workflow needs (a promise without its date),
    rather than let the workflow guess one. The portal's form asks for these fields; this
    catches a type configured otherwise before the rule existed, and any other caller."""
    needed = WORKFLOW_REQUIRED_FIELDS.get(response_type.workflow, ())
    missing = [key for key in needed if values.get(key) in (None, "")]
    if not missing:
        return
    labels = {field.key: field.label for field in response_type.fields.all()}
    raise ApplicationError(
        _("This response needs %(fields)s; it has not been saved.")
        % {"fields": ", ".join(f"“{labels.get(key, key)}”" for key in missing)},
        errors=[FieldError(key, _("This field is required.")) for key in missing],
    )


def _arrangement_overlap_refuse(
    *, debtor: Debtor, invoices: Sequence[Invoice], submission_key: str
) -> None:
    """Refuse an arrangement for an invoice that another running or reviewed arrangement holds:
    one payment would count toward both. Such an arrangement keeps its response open, so the
    open response says it. The debtor's row is locked so two proposals at once are seen; the
    same form sent twice is not an overlap, and finds its first response after this."""
    Debtor.objects.select_for_update().filter(pk=debtor.pk).first()
    taken = sorted(
        Invoice.objects.filter(
            pk__in=[invoice.pk for invoice in invoices],
            responses__state=ResponseState.OPEN,
            responses__response_type__workflow=WorkflowKind.ARRANGEMENT,
        )
        .exclude(responses__submission_key=submission_key)
        .values_list("number", flat=True)
        .distinct()
    )
    if taken:
        raise ApplicationError(
            _(
                "There is already a payment arrangement for %(invoices)s. Choose other "
                "invoices, or contact us to change the arrangement."
            )
            % {"invoices": ", ".join(taken)}
        )


def _response_confirm(*, response: Response, invoices: Sequence[Invoice]) -> None:
    """Queue the "response received" e-mail with the response, when the debtor has an address;
    a debtor without one simply sees the confirmation in the portal. A promise or an arrangement
    is confirmed by its own workflow, with its date or schedule, instead. An address that the
    outbox refuses does not cost the debtor their response (`message_notify`)."""
    response_type = response.response_type
    if response_type.workflow in OWN_CONFIRMATION:
        return
    name = response_type.name_en if response.debtor.language == "en" else response_type.name_nl
    message_notify(
        debtor=response.debtor,
        kind=Kind.RESPONSE_RECEIVED,
        invoices=invoices,
        extra={"response_type": name},
        cause=f"response:{response.pk}",
        idempotency_key=f"response-received:{response.pk}",
    )
