"""The status line a debtor sees on an invoice while a response is open: the one rule
(`response_status_text`), which the portal's landing page applies (access_landing)."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from settle.arrangements.models import ArrangementState
from settle.responses.models import WorkflowKind
from settle.responses.status import status_text


def response_status_text(
    *,
    workflow: str,
    values: object,
    name_nl: str,
    name_en: str,
    arrangement_state: str | None = None,
    next_date: date | None = None,
    next_amount: str = "",
) -> str:
    """The status line of an open response: for an arrangement response whose arrangement
    exists, what the arrangement says (`arrangement_status_text`) where it says anything; for
    every other response, and until then, the response's own line (`status_text`), from its
    type's workflow kind and names and its entered values."""
    if workflow == WorkflowKind.ARRANGEMENT and arrangement_state is not None:
        text = arrangement_status_text(
            state=arrangement_state, next_date=next_date, next_amount=next_amount
        )
        if text is not None:
            return text
    return status_text(workflow=workflow, values=values, name_nl=name_nl, name_en=name_en)


def arrangement_status_text(
    *, state: str, next_date: date | None = None, next_amount: str = ""
) -> str | None:
    """The status line of an open arrangement response once its arrangement exists; None where
    the response's own line (`status_text`) still says it best.

    `next_amount` comes formatted, in the invoice's currency. A rejected arrangement closes its
    response, so the invoice shows whatever it shows without it.
    """
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
