"""What a new response sets going, by its type's workflow, and what a payment settles.

`workflow_start` runs inside response_submit's transaction, so a response is never stored
without its promise, task or message, nor the other way round. A task stores what it is
(worklist/texts.py), so each employee reads it in their own language; closing notes are written
in the organisation's language (settings.LANGUAGE_CODE, Dutch by default), whichever language
the debtor uses the portal in.
"""

import logging
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from settle.common.dates import iso_date
from settle.common.hooks import hook
from settle.correspondence.kinds import Kind
from settle.correspondence.notifications import message_notify
from settle.correspondence.services import Attachment
from settle.receivables.models import ZERO, Invoice
from settle.responses.closing import response_close, responses_close
from settle.responses.models import (
    FieldKind,
    Response,
    ResponseField,
    ResponseState,
    WorkflowKind,
)
from settle.responses.promises import promise_start, promises_keep
from settle.worklist.models import TaskKind
from settle.worklist.services import (
    task_create,
    tasks_close_for_responses,
)
from settle.worklist.texts import amount as task_amount
from settle.worklist.texts import both, layout, sentence
from settle.worklist.texts import day as task_day

logger = logging.getLogger(__name__)

ResponseInvoice = Response.invoices.through

# The workflows whose whole work is a task for a person, and the kind of that task.
TASK_KINDS = {
    WorkflowKind.COMPLAINT: TaskKind.COMPLAINT,
    WorkflowKind.ALREADY_PAID: TaskKind.ALREADY_PAID,
    WorkflowKind.UNKNOWN_INVOICE: TaskKind.UNKNOWN_INVOICE,
    WorkflowKind.NOT_APPROVED: TaskKind.NOT_APPROVED,
}


def workflow_start(*, response: Response) -> None:
    """Start what the response's type does with a new response: a promise with its check, the
    invoice copies, a payment arrangement (settings.SETTLE_WORKFLOW_STARTERS), or a task for a
    person. In the caller's transaction, after the response, its invoices and its attachments
    have been stored."""
    workflow = response.response_type.workflow
    invoices = list(response.invoices.order_by("due_date", "number"))
    if workflow == WorkflowKind.PROMISE:
        promise_start(response=response, invoices=invoices)
        return
    # A workflow that an app above owns (the arrangements) is registered in settings.
    if starter := hook("SETTLE_WORKFLOW_STARTERS", workflow):
        starter(response=response)
        return
    with translation.override(settings.LANGUAGE_CODE):
        if workflow == WorkflowKind.COPY_REQUEST:
            _copy_request_start(response=response, invoices=invoices)
        elif workflow in TASK_KINDS:
            response_type = response.response_type
            task_create(
                kind=TASK_KINDS[workflow],
                params={
                    "title": both(response_type.name_nl, response_type.name_en),
                    "lines": response_values_lines(response),
                },
                debtor=response.debtor,
                due_date=_task_due_date(response),
                invoices=invoices,
                response=response,
            )
        else:
            logger.warning("response %s: no workflow for %r", response.pk, workflow)


def _task_due_date(response: Response) -> date:
    """A "not yet approved" task is due on the expected approval date (if it was given); every
    other task the type's number of days from today."""
    if response.response_type.workflow == WorkflowKind.NOT_APPROVED:
        expected = iso_date(response.values.get("expected_approval_date"))
        if expected is not None:
            return expected
    return timezone.localdate() + timedelta(days=response.response_type.task_due_days)


def response_values_lines(response: Response) -> list:
    """What the debtor entered, one "label: value" line per field in the form's order, with the
    names of uploaded files; as task text (see worklist/texts.py), for any reader's language."""
    fields = list(response.response_type.fields.all())
    values = response.values if isinstance(response.values, dict) else {}
    labels = {field.key: both(field.label_nl, field.label_en) for field in fields}
    lines = [
        _line(labels[field.key], _value_piece(field, values[field.key]))
        for field in fields
        if field.key in values
    ]
    lines += [_line(key, str(value)) for key, value in values.items() if key not in labels]
    for attachment in response.attachments.all():
        label = labels.get(attachment.field_key, attachment.field_key)
        lines.append(_line(label, attachment.original_name))
    return lines


def _line(label, value) -> dict:
    return layout("%(label)s: %(value)s", label=label, value=value)


def _value_piece(field: ResponseField, value: object):
    if field.kind == FieldKind.DATE and (day := iso_date(value)) is not None:
        return task_day(day)
    if field.kind == FieldKind.AMOUNT:
        try:
            return task_amount(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return str(value)
    if field.kind == FieldKind.CHOICE:
        for choice in field.choices or []:
            if choice.get("value") == value:
                return both(
                    str(choice.get("label_nl") or value), str(choice.get("label_en") or value)
                )
    return str(value)


def _document(invoice: Invoice) -> bytes | None:
    if not invoice.document:
        return None
    try:
        with invoice.document.open("rb") as handle:
            return handle.read()
    except OSError:
        # A stored name whose file is gone: a person sends this copy instead.
        logger.warning("invoice %s: document %s unreadable", invoice.pk, invoice.document.name)
        return None


def _copy_request_start(*, response: Response, invoices: Sequence[Invoice]) -> None:
    """One e-mail with the PDFs of the invoices that have one, to the address in the response;
    a task listing the others. With no task left, the response closes by itself."""
    documents = [(invoice, _document(invoice)) for invoice in invoices]
    with_document = [invoice for invoice, content in documents if content is not None]
    without = [invoice for invoice, content in documents if content is None]
    recipient = str(response.values.get("email") or "").strip()
    if with_document:
        sent = message_notify(
            debtor=response.debtor,
            kind=Kind.INVOICE_COPY,
            invoices=with_document,
            cause=f"response:{response.pk}",
            idempotency_key=f"invoice-copy:{response.pk}",
            recipient=recipient,
            attachments=[
                # A number may hold a slash; a file name may not.
                Attachment(filename=f"{invoice.number.replace('/', '-')}.pdf", content=content)
                for invoice, content in documents
                if content is not None
            ],
        )
        if sent is None:
            # Not sent (logged): a person sends every copy instead.
            without = list(invoices)
    if not without:
        response_close(
            response=response,
            note=_("The invoice copies were sent by e-mail to %(email)s.")
            % {"email": recipient or response.debtor.email},
        )
        return
    email = recipient or response.debtor.email or sentence(gettext_noop("(no address given)"))
    lines = [
        sentence(gettext_noop("Send a copy of these invoices to %(email)s:"), email=email),
        *(f"- {invoice.number}" for invoice in without),
    ]
    if with_document and len(without) < len(invoices):
        lines.append(
            sentence(gettext_noop("The other invoices were sent by e-mail with their documents."))
        )
    task_create(
        kind=TaskKind.COPY_REQUEST,
        params={"lines": lines},
        debtor=response.debtor,
        due_date=_task_due_date(response),
        invoices=without,
        response=response,
    )


def payment_allocated(*, allocations: Sequence[tuple[Invoice, Decimal]]) -> None:
    """Payment hook (settings.SETTLE_ON_PAYMENT_ALLOCATED): a payment has just lowered the open
    amounts of these invoices, in full or in part.

    An open promise or "already paid" response whose invoices are now all paid settles: the
    promise is kept at once, the "already paid" tasks are closed, and the response closes. A
    part payment leaves a promise pending: it is kept only when all its invoices are paid. In
    the payment's transaction.
    """
    responses = list(
        Response.objects.filter(
            state=ResponseState.OPEN,
            invoices__in=[invoice.pk for invoice, _amount in allocations],
            response_type__workflow__in=[WorkflowKind.PROMISE, WorkflowKind.ALREADY_PAID],
        )
        .select_related("response_type")
        .distinct()
    )
    if not responses:
        return
    unpaid = set(
        ResponseInvoice.objects.filter(
            response_id__in=[response.pk for response in responses], invoice__open_amount__gt=ZERO
        ).values_list("response_id", flat=True)
    )
    paid = [response for response in responses if response.pk not in unpaid]
    promises_keep(responses=[r for r in paid if r.response_type.workflow == WorkflowKind.PROMISE])
    reported = [r for r in paid if r.response_type.workflow == WorkflowKind.ALREADY_PAID]
    if not reported:
        return
    with translation.override(settings.LANGUAGE_CODE):
        note = _("The payment has been received: the invoices are paid.")
    tasks_close_for_responses(response_ids=[response.pk for response in reported], outcome=note)
    responses_close(response_ids=[response.pk for response in reported], note=note)
