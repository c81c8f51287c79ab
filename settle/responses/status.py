"""The status line a debtor sees on an invoice for their latest open response."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from settle.responses.models import Response, WorkflowKind


def _date(value: object) -> str:
    """A stored ISO date in the active language's short notation; "" for anything else.

    Values can come from the API or an older form, so a missing or odd value must never break
    the debtor's landing page.
    """
    if not isinstance(value, str):
        return ""
    try:
        return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except ValueError:
        return ""


def response_status_text(response: Response) -> str:
    """What the debtor reads as the invoice's status while `response` is open."""
    values = response.values if isinstance(response.values, dict) else {}
    kind = response.response_type.workflow
    if kind == WorkflowKind.PROMISE:
        promised = _date(values.get("promised_date"))
        if promised:
            return _("Payment promised for %(date)s") % {"date": promised}
        return _("Payment promised")
    if kind == WorkflowKind.COMPLAINT:
        return _("Complaint being handled")
    if kind == WorkflowKind.ALREADY_PAID:
        return _("Reported as paid, being checked")
    if kind == WorkflowKind.UNKNOWN_INVOICE:
        return _("Reported as unknown, being checked")
    if kind == WorkflowKind.NOT_APPROVED:
        expected = _date(values.get("expected_approval_date"))
        if expected:
            return _("Awaiting approval, expected %(date)s") % {"date": expected}
        return _("Awaiting approval")
    if kind == WorkflowKind.COPY_REQUEST:
        return _("Copy requested")
    if kind == WorkflowKind.ARRANGEMENT:
        return _("Payment arrangement proposed")
    return response.response_type.name
