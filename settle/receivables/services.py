"""State changes of debtors, invoices and payments. Every caller (API, CSV import, back office,
bank import, payment provider) goes through these functions."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from settle.common.errors import AlreadyDone, ApplicationError, FieldError
from settle.common.hooks import hooks
from settle.receivables import bulk
from settle.receivables.models import (
    ZERO,
    CollectionStatus,
    Debtor,
    Invoice,
    Payment,
    PaymentAllocation,
)
from settle.receivables.records import (
    DATE_MAX,
    DATE_MIN,
    NUMBER_RE,
    DebtorRecord,
    InvoiceRecord,
    RecordInvalid,
    currency_problem,
    date_range_message,
    debtor_record_parse,
    invoice_record_parse,
)

UPSERT_CHUNK = 2000
Progress = Callable[[int], None]


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: "UpsertResult") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


def _duplicate_errors(numbers: Iterable[tuple[int, str]]) -> list[FieldError]:
    numbers = list(numbers)
    if len({number for _index, number in numbers}) == len(numbers):
        return []  # the usual case, told by a set without the bookkeeping below
    seen: dict[str, int] = {}
    errors = []
    for index, number in numbers:
        if number in seen:
            errors.append(
                FieldError(
                    index=index,
                    field="number",
                    message=_("Number %(number)s appears more than once (first at %(first)s).")
                    % {"number": number, "first": seen[number]},
                )
            )
        else:
            seen[number] = index
    return errors


def _plain_number(value: Any) -> str | None:
    """The number of a row whose number field is well formed (even if the rest is not)."""
    if type(value) is str and NUMBER_RE.fullmatch(value.strip()):
        return value.strip()
    return None


def _in_line_order(errors: list[FieldError], columns: Sequence[str]) -> list[FieldError]:
    """Errors by row, and within a row in the order of its columns (as the file has them)."""
    order = {name: position for position, name in enumerate(columns)}
    return sorted(errors, key=lambda e: (e.index or 0, order.get(e.field, len(order))))


def debtor_records_check(
    items: Iterable[tuple[int, dict[str, Any]]], *, duplicates: bool = True
) -> tuple[list[DebtorRecord], list[FieldError]]:
    """Check every debtor row; return the good records and every error with its row index.

    With `duplicates=False` a number repeated among the rows is not reported: a caller that
    checks a long file in batches finds repeats across the whole file itself.
    """
    records: list[DebtorRecord] = []
    numbers: list[tuple[int, str]] = []
    errors: list[FieldError] = []
    for index, data in items:
        try:
            record = debtor_record_parse(data)
        except RecordInvalid as exc:
            errors.extend(
                FieldError(index=index, field=e.field, message=e.message) for e in exc.errors
            )
            # A bad row's number still counts as taken: its repeat is a fault of its own.
            number = _plain_number(data.get("number"))
            if number is not None:
                numbers.append((index, number))
        else:
            records.append(record)
            numbers.append((index, record.number))
    if duplicates:
        errors.extend(_duplicate_errors(sorted(numbers)))
    return records, _in_line_order(errors, _DEBTOR_FIELDS)


def invoice_records_check(
    items: Iterable[tuple[int, dict[str, Any]]],
    *,
    decimal_comma: bool = False,
    duplicates: bool = True,
) -> tuple[list[InvoiceRecord], list[FieldError]]:
    """Check every invoice row, including that its debtor exists; errors carry the row index.

    Every fault of a row is named: an unknown debtor too when the row's dates or amounts are
    also wrong. `duplicates=False`: see `debtor_records_check`.
    """
    statuses = set(CollectionStatus.objects.values_list("code", flat=True))
    records: list[InvoiceRecord] = []
    errors: list[FieldError] = []
    # (row index, invoice number or None, debtor number or None) of every row, good or bad.
    refs: list[tuple[int, str | None, str | None]] = []
    record_add = records.append
    ref_add = refs.append
    for index, data in items:
        try:
            record = invoice_record_parse(
                data, collection_statuses=statuses, decimal_comma=decimal_comma
            )
        except RecordInvalid as exc:
            errors.extend(
                FieldError(index=index, field=e.field, message=e.message) for e in exc.errors
            )
            ref_add(
                (index, _plain_number(data.get("number")), _plain_number(data.get("debtor_number")))
            )
        else:
            record_add(record)
            ref_add((index, record.number, record.debtor_number))
    known = _debtor_ids({debtor for _i, _n, debtor in refs if debtor is not None})
    errors.extend(
        FieldError(
            index=index,
            field="debtor_number",
            message=_("Unknown debtor %(number)s.") % {"number": debtor},
        )
        for index, _number, debtor in refs
        if debtor is not None and debtor not in known
    )
    if duplicates:
        errors.extend(
            _duplicate_errors((index, number) for index, number, _d in refs if number is not None)
        )
    return records, _in_line_order(errors, _INVOICE_FIELDS)


def _debtor_ids(numbers: set[str]) -> dict[str, int]:
    if connection.vendor == "postgresql":
        # One query with one array parameter instead of a parameter per number.
        rows = bulk.rows_by_number(Debtor, ["number", "id"], sorted(numbers))
        return dict(rows.values())
    found: dict[str, int] = {}
    ordered = sorted(numbers)
    for start in range(0, len(ordered), UPSERT_CHUNK):
        chunk = ordered[start : start + UPSERT_CHUNK]
        found.update(Debtor.objects.filter(number__in=chunk).values_list("number", "id"))
    return found


_DEBTOR_FIELDS = [f.name for f in fields(DebtorRecord)]
_INVOICE_FIELDS = [f.name for f in fields(InvoiceRecord)]
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


def _upsert_chunk(model, columns: list[str], rows: list[tuple]) -> UpsertResult:
    """Write the rows of one chunk that are new or differ; leave identical rows untouched.

    Comparing first keeps a re-import of an unchanged file from rewriting (and re-timestamping)
    every row, and makes the write proportional to what really changed.
    """
    numbers = [row[0] for row in rows]
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        existing = bulk.rows_by_number(model, columns, numbers)
    else:
        existing = {
            row[0]: row for row in model.objects.filter(number__in=numbers).values_list(*columns)
        }
    result = UpsertResult()
    new, changed, to_write = [], [], []
    for row in rows:
        current = existing.get(row[0])
        if current == row:
            result.unchanged += 1
            continue
        if current is None:
            result.created += 1
            new.append(row)
        else:
            result.updated += 1
            changed.append(row)
        to_write.append(row)
    if postgresql:
        # The same writes, with COPY: several times faster for a large import.
        bulk.rows_write(model, columns, new=new, changed=changed)
    elif to_write:
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in to_write],
            update_conflicts=True,
            unique_fields=["number"],
            update_fields=[*columns[1:], "updated_at"],
        )
    return result


def _upsert(model, columns, rows: list[tuple], on_progress: Progress | None) -> UpsertResult:
    result = UpsertResult()
    for start in range(0, len(rows), UPSERT_CHUNK):
        chunk = rows[start : start + UPSERT_CHUNK]
        with transaction.atomic():
            result.add(_upsert_chunk(model, columns, chunk))
        if on_progress:
            on_progress(start + len(chunk))
    return result


def debtors_upsert(
    *, records: Sequence[DebtorRecord], on_progress: Progress | None = None
) -> UpsertResult:
    """Create or update debtors by number; rows equal to what is stored are left alone."""
    rows = [astuple(r) for r in records]
    return _upsert(Debtor, _DEBTOR_FIELDS, rows, on_progress)


def invoices_upsert(
    *, records: Sequence[InvoiceRecord], on_progress: Progress | None = None
) -> UpsertResult:
    """Create or update invoices by number. Records must have passed `invoice_records_check`.

    A record without an open amount leaves a known invoice's open amount as it is (at most the
    new amount): re-sending an invoice must not undo the payments booked on it.
    """
    debtor_ids = _debtor_ids({r.debtor_number for r in records})
    stored = _open_amounts([r.number for r in records if not r.open_amount_given])
    rows = [
        (
            r.number,
            debtor_ids[r.debtor_number],
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
    return _upsert(Invoice, _INVOICE_COLUMNS, rows, on_progress)


def _open_amounts(numbers: list[str]) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for start in range(0, len(numbers), UPSERT_CHUNK):
        chunk = numbers[start : start + UPSERT_CHUNK]
        found.update(Invoice.objects.filter(number__in=chunk).values_list("number", "open_amount"))
    return found


def debtors_upsert_batch(*, items: Sequence[dict[str, Any]]) -> UpsertResult:
    """All-or-nothing upsert of an API batch: any bad item refuses the whole batch."""
    records, errors = debtor_records_check(enumerate(items))
    if errors:
        raise ApplicationError(_("The batch was refused; nothing was changed."), errors=errors)
    with transaction.atomic():
        return debtors_upsert(records=records)


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


def payment_book(
    *,
    amount: Decimal,
    date: date,
    source: str,
    reference: str = "",
    debtor: Debtor | None = None,
    allocations: Sequence[tuple[str, Decimal]] = (),
    currency: str = "EUR",
) -> Payment:
    """Book a payment and lower the open amounts of the invoices it pays, atomically.

    `allocations` are (invoice number, amount) pairs. Without them the payment is allocated to
    the debtor's open invoices, oldest due first, as far as it reaches. An allocation larger than
    an invoice's open amount, allocations adding up to more than the payment, an invoice of
    another debtor or a reference already booked from the same source are refused whole.

    Every invoice the payment reaches, with the part of the payment allocated to it (so a
    partial payment too), is handed to each function in settings.SETTLE_ON_PAYMENT_ALLOCATED
    (other apps' reactions: a promise kept, an instalment paid), in the same transaction.
    """
    if amount <= ZERO:
        raise ApplicationError(_("A payment amount must be greater than zero."))
    problems = []
    if not DATE_MIN <= date <= DATE_MAX:
        problems.append(FieldError(field="date", message=date_range_message()))
    if problem := currency_problem(currency):
        problems.append(FieldError(field="currency", message=problem))
    if problems:
        raise ApplicationError(_("The payment was refused; nothing was booked."), errors=problems)
    with transaction.atomic():
        if reference and Payment.objects.filter(source=source, reference=reference).exists():
            raise AlreadyDone(
                _("Payment %(reference)s has already been booked.") % {"reference": reference}
            )
        if allocations:
            plan = _explicit_allocations(allocations, debtor=debtor, amount=amount)
        elif debtor is not None:
            plan = _automatic_allocations(debtor=debtor, amount=amount)
        else:
            plan = []
        if debtor is None and plan:
            debtor = plan[0][0].debtor
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    debtor=debtor,
                    amount=amount,
                    currency=currency,
                    date=date,
                    source=source,
                    reference=reference,
                )
        except IntegrityError as exc:
            # Another request booked the same reference between our check and our insert.
            raise AlreadyDone(
                _("Payment %(reference)s has already been booked.") % {"reference": reference}
            ) from exc
        for invoice, part in plan:
            PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=part)
            invoice.open_amount -= part
            invoice.save(update_fields=["open_amount", "updated_at"])
        if plan:
            for hook in hooks("SETTLE_ON_PAYMENT_ALLOCATED"):
                hook(allocations=list(plan))
    return payment


def _locked_invoices(numbers: list[str]) -> dict[str, Invoice]:
    # Locking in a fixed order keeps two payments for the same invoices from deadlocking.
    qs = Invoice.objects.select_for_update().select_related("debtor").order_by("pk")
    return {invoice.number: invoice for invoice in qs.filter(number__in=numbers)}


def _explicit_allocations(
    allocations: Sequence[tuple[str, Decimal]], *, debtor: Debtor | None, amount: Decimal
) -> list[tuple[Invoice, Decimal]]:
    numbers = [number for number, _part in allocations]
    invoices = _locked_invoices(numbers)
    errors: list[FieldError] = []
    plan = []
    seen: set[str] = set()
    debtor_ids = set()
    for index, (number, part) in enumerate(allocations):
        invoice = invoices.get(number)
        if invoice is None:
            errors.append(
                FieldError(
                    index=index,
                    field="invoice_number",
                    message=_("Unknown invoice %(number)s.") % {"number": number},
                )
            )
            continue
        if number in seen:
            errors.append(
                FieldError(
                    index=index,
                    field="invoice_number",
                    message=_("Invoice %(number)s is listed twice.") % {"number": number},
                )
            )
            continue
        seen.add(number)
        if part <= ZERO:
            errors.append(
                FieldError(
                    index=index,
                    field="amount",
                    message=_("An allocation must be greater than zero."),
                )
            )
            continue
        if part > invoice.open_amount:
            errors.append(
                FieldError(
                    index=index,
                    field="amount",
                    message=_(
                        "%(amount)s is more than the open amount %(open)s of invoice %(number)s."
                    )
                    % {"amount": part, "open": invoice.open_amount, "number": number},
                )
            )
            continue
        if debtor is not None and invoice.debtor_id != debtor.pk:
            errors.append(
                FieldError(
                    index=index,
                    field="invoice_number",
                    message=_("Invoice %(number)s belongs to another debtor.") % {"number": number},
                )
            )
            continue
        debtor_ids.add(invoice.debtor_id)
        plan.append((invoice, part))
    if len(debtor_ids) > 1:
        errors.append(
            FieldError(
                field="allocations",
                message=_("All invoices of one payment must belong to one debtor."),
            )
        )
    total = sum((part for _invoice, part in allocations), ZERO)
    if total > amount:
        errors.append(
            FieldError(
                field="allocations",
                message=_(
                    "The allocations (%(total)s) add up to more than the payment (%(amount)s)."
                )
                % {"total": total, "amount": amount},
            )
        )
    if errors:
        raise ApplicationError(_("The payment was refused; nothing was booked."), errors=errors)
    return plan


def _automatic_allocations(*, debtor: Debtor, amount: Decimal) -> list[tuple[Invoice, Decimal]]:
    invoices = (
        Invoice.objects.select_for_update()
        .filter(debtor=debtor, open_amount__gt=0)
        .order_by("due_date", "pk")
    )
    plan = []
    left = amount
    for invoice in invoices:
        if left <= ZERO:
            break
        part = min(left, invoice.open_amount)
        plan.append((invoice, part))
        left -= part
    return plan
