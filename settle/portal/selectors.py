"""The portal's reads: everything a debtor sees goes through an `access_*` function."""

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from settle.receivables.models import Debtor, Invoice
from settle.responses.selectors import invoice_rows_with_status

# A primary key as it may arrive in a form or query string: plain ASCII digits, short enough to
# fit a 64-bit column. (str.isdigit() also accepts "²" and other digits int() refuses.)
_ID_RE = re.compile(r"^[0-9]{1,18}$")

LANDING_FIELDS = (
    "pk",
    "number",
    "issue_date",
    "due_date",
    "amount",
    "open_amount",
    "currency",
    "collection_status__label_nl",
    "collection_status__label_en",
)


def access_open_invoices(*, debtor: Debtor) -> QuerySet[Invoice]:
    """The only invoices a debtor may see or act on: their own, still open, by due date."""
    return (
        Invoice.objects.open()
        .filter(debtor=debtor)
        .select_related("collection_status")
        .order_by("due_date", "number")
    )


def access_open_invoice_rows(*, debtor: Debtor) -> list[dict[str, Any]]:
    """`access_open_invoices` as plain rows of what the landing page shows: both labels of the
    collection status and the status line of the newest open response ("response_status", or
    None). One query, no model per invoice: the page is the portal's busiest
    (bench/portal_landing.py)."""
    return invoice_rows_with_status(access_open_invoices(debtor=debtor), LANDING_FIELDS)


def access_selected_invoices(*, debtor: Debtor, ids: Iterable[object]) -> list[Invoice]:
    """The debtor's open invoices among `ids`; anyone else's ids, and anything that is not an
    id at all, are dropped without a trace."""
    wanted = {int(text) for text in (str(i).strip() for i in ids) if _ID_RE.match(text)}
    if not wanted:
        return []
    return list(access_open_invoices(debtor=debtor).filter(pk__in=wanted))
