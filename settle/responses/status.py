"""The status line a debtor sees on an invoice for their latest open response."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from settle.common.dates import iso_date
from settle.responses.models import ResponseType, WorkflowKind


def _date(value: object) -> str:
    """A stored ISO date in the active language's short notation; "" for anything else.

    Values can come from the API or an older form, so a missing or odd value must never break
    the debtor's landing page.
    """
    day = iso_date(value)
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""


def status_text(*, workflow: str, values: object, name_nl: str, name_en: str) -> str:
    """The status line of an open response from its stored parts: its type's workflow kind and
    names, and its entered values. The landing page reads these parts without building models
    (`invoice_rows_with_status`). The whole rule, an arrangement's own line included, is
    settle.arrangements.status.response_status_text, which calls this one."""
    values = values if isinstance(values, dict) else {}
    if workflow == WorkflowKind.PROMISE:
        promised = _date(values.get("promised_date"))
        if promised:
            return _("Payment promised for %(date)s") % {"date": promised}
        return _("Payment promised")
    if workflow == WorkflowKind.COMPLAINT:
        return _("Complaint being handled")
    if workflow == WorkflowKind.ALREADY_PAID:
        return _("Reported as paid, being checked")
    if workflow == WorkflowKind.UNKNOWN_INVOICE:
        return _("Reported as unknown, being checked")
    if workflow == WorkflowKind.NOT_APPROVED:
        expected = _date(values.get("expected_approval_date"))
        if expected:
            return _("Awaiting approval, expected %(date)s") % {"date": expected}
        return _("Awaiting approval")
    if workflow == WorkflowKind.COPY_REQUEST:
        return _("Copy requested")
    if workflow == WorkflowKind.ARRANGEMENT:
        return _("Payment arrangement proposed")
    return ResponseType(name_nl=name_nl, name_en=name_en).name
