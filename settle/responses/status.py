"""The status line a debtor sees on an invoice for their latest open response."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from settle.common.dates import iso_date
from settle.responses.models import Response, ResponseType, WorkflowKind


def _date(value: object) -> str:
    """A stored ISO date in the active language's short notation; "" for anything else.

    Values can come from the API or an older form, so a missing or odd value must never break
    the debtor's landing page.
    """
    day = iso_date(value)
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""


def response_status_text(response: Response) -> str:
    """What the debtor reads as the invoice's status while `response` is open."""
    response_type = response.response_type
    if response_type.workflow == WorkflowKind.ARRANGEMENT:
        text = _arrangement_text(response)
        if text is not None:
            return text
    return status_text(
        workflow=response_type.workflow,
        values=response.values,
        name_nl=response_type.name_nl,
        name_en=response_type.name_en,
    )


def status_text(*, workflow: str, values: object, name_nl: str, name_en: str) -> str:
    """The status line of an open response from its stored parts: its type's workflow kind and
    names, and its entered values. The landing page reads these parts without building models
    (`latest_open_response_statuses`); `response_status_text` reads them from a response."""
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


def arrangement_status_text(
    *, state: str, next_date: date | None = None, next_amount: str = ""
) -> str | None:
    """The status line of an open arrangement response once its arrangement exists; None where
    the response's own line (`status_text`) still says it best.

    `next_amount` comes formatted, in the invoice's currency. A rejected arrangement closes its
    response, so the invoice shows whatever it shows without it.
    """
    # Imported here: the arrangements app builds on the responses app, not the reverse.
    from settle.arrangements.models import ArrangementState

    if state == ArrangementState.UNDER_REVIEW:
        return _("Arrangement proposal under review")
    if state == ArrangementState.ACCEPTED:
        if next_date is not None and next_amount:
            return _("Payment arrangement running, next instalment %(amount)s on %(date)s") % {
                "amount": next_amount,
                "date": date_format(next_date, "SHORT_DATE_FORMAT"),
            }
        return _("Payment arrangement running")
    if state == ArrangementState.DEFAULTED:
        return _("Payment arrangement not kept")
    if state == ArrangementState.COMPLETED:
        return _("Paid")
    if state == ArrangementState.ENDED:
        return _("Payment arrangement ended")
    return None


def _arrangement_text(response: Response) -> str | None:
    """`arrangement_status_text` of the response's arrangement, read from the database."""
    # Imported here: the arrangements app builds on the responses app, not the reverse.
    from settle.arrangements.models import ArrangementState, InstalmentState, PaymentArrangement
    from settle.backoffice.templatetags.money import money

    arrangement = PaymentArrangement.objects.filter(response=response).first()
    if arrangement is None:
        return None
    upcoming = None
    if arrangement.state == ArrangementState.ACCEPTED:
        upcoming = arrangement.instalments.filter(state=InstalmentState.PENDING).first()
    currency = response.invoices.values_list("currency", flat=True).first()
    return arrangement_status_text(
        state=arrangement.state,
        next_date=upcoming.due_date if upcoming else None,
        next_amount=money(upcoming.amount, currency) if upcoming and currency else "",
    )
