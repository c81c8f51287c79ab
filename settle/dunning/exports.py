"""The hand-over to a collection agency: the debtors and invoices a run passed on, as CSV."""

import csv
import io

from django.utils.translation import gettext as _

from settle.dunning.models import ActionType, DunningItemInvoice, DunningRun, ItemState


def agency_export(*, run: DunningRun) -> str:
    """One row per invoice that the run handed over: those of the items the worker did, of a
    group with a "hand over to a collection agency" action (only a header otherwise). The open
    amount is today's, as the agency collects what is still open."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Debtor number"),
            _("Name"),
            _("Address"),
            _("E-mail"),
            _("Invoice number"),
            _("Due date"),
            _("Open amount"),
        ]
    )
    if not run.group.actions.filter(action_type=ActionType.COLLECTION_AGENCY).exists():
        return out.getvalue()
    lines = (
        DunningItemInvoice.objects.filter(
            item__run=run,
            item__state=ItemState.SENT,
            skipped_reason="",
            processed_at__isnull=False,
        )
        .select_related("item__debtor", "invoice")
        .order_by("item__debtor__number", "invoice__due_date", "invoice__number")
    )
    for line in lines.iterator(chunk_size=2000):
        debtor, invoice = line.item.debtor, line.invoice
        place = " ".join(part for part in (debtor.postal_code, debtor.city) if part)
        address = ", ".join(part for part in (debtor.street, place, debtor.country) if part)
        writer.writerow(
            [
                _safe(debtor.number),
                _safe(debtor.name),
                _safe(address),
                _safe(debtor.email),
                _safe(invoice.number),
                invoice.due_date.isoformat(),
                f"{invoice.open_amount:.2f}",
            ]
        )
    return out.getvalue()


def _safe(value: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @) is kept as text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
