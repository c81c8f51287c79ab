"""Writing invoices: by the rows of a checked file or an all-or-nothing API batch; an invoice's
PDF."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError
from settle.receivables.models import CollectionStatus, Invoice
from settle.receivables.records import InvoiceRecord
from settle.receivables.services import upserts
from settle.receivables.services.checks import invoice_records_check
from settle.receivables.services.upserts import (
    Progress,
    UpsertResult,
    debtor_ids,
    rows_upsert,
)

_INVOICE_COLUMNS = [
    "number",
    "debtor_id",
    "issue_date",
    "due_date",
    "amount",
    "open_amount",
    "currency",
    "payment_reference",
    "collection_status_id",
]


def invoices_upsert(
    *, records: Sequence[InvoiceRecord], on_progress: Progress | None = None
) -> UpsertResult:
    """Create or update invoices by number. Records must have passed `invoice_records_check`.

    A record without an open amount leaves a known invoice's open amount as it is (at most the
    new amount): re-sending an invoice must not undo the payments booked on it.
    """
    ids = debtor_ids({r.debtor_number for r in records})
    stored = _open_amounts([r.number for r in records if not r.open_amount_given])
    rows = [
        (
            r.number,
            ids[r.debtor_number],
            r.issue_date,
            r.due_date,
            r.amount,
            r.open_amount if r.open_amount_given else min(stored.get(r.number, r.amount), r.amount),
            r.currency,
            r.payment_reference,
            r.collection_status,
        )
        for r in records
    ]
    return rows_upsert(Invoice, _INVOICE_COLUMNS, rows, on_progress)


def _open_amounts(numbers: list[str]) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for start in range(0, len(numbers), upserts.UPSERT_CHUNK):
        chunk = numbers[start : start + upserts.UPSERT_CHUNK]
        found.update(Invoice.objects.filter(number__in=chunk).values_list("number", "open_amount"))
    return found


def invoices_upsert_batch(*, items: Sequence[dict[str, Any]]) -> UpsertResult:
    """All-or-nothing upsert of an API batch: any bad item refuses the whole batch."""
    records, errors = invoice_records_check(enumerate(items))
    if errors:
        raise ApplicationError(_("The batch was refused; nothing was changed."), errors=errors)
    with transaction.atomic():
        return invoices_upsert(records=records)


PDF_MAGIC = b"%PDF-"


def invoice_document_attach(*, invoice: Invoice, content: bytes, file_name: str = "") -> Invoice:
    """Store the invoice's PDF. Only a real PDF is accepted, judged by content, not by name."""
    if not content.startswith(PDF_MAGIC) or b"%%EOF" not in content[-1024:]:
        raise ApplicationError(_("The document is not a PDF file."))
    name = f"{invoice.number.replace('/', '-')}.pdf"
    old = invoice.document.name if invoice.document else ""
    with transaction.atomic():
        invoice.document.save(name, ContentFile(content), save=False)
        invoice.save(update_fields=["document", "updated_at"])
    if old and old != invoice.document.name:
        transaction.on_commit(lambda: invoice.document.storage.delete(old))
    return invoice


def invoice_collection_status_set(*, invoice_ids: Sequence[int], status: CollectionStatus) -> int:
    """Set the collection status of these invoices (a dunning step reached them); return how
    many changed. One UPDATE: a run sets it on a debtor's invoices together."""
    if not invoice_ids:
        return 0
    return (
        Invoice.objects.filter(pk__in=list(invoice_ids))
        .exclude(collection_status=status)
        .update(collection_status=status, updated_at=timezone.now())
    )
