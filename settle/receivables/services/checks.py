"""Checking debtor and invoice rows (from a file or an API batch) before anything is written:
every fault of every row, in the order of the row's columns."""

from collections.abc import Iterable, Sequence
from dataclasses import fields
from typing import Any

from django.utils.translation import gettext as _

from settle.common.errors import FieldError
from settle.receivables.field_checks import NUMBER_RE
from settle.receivables.models import CollectionStatus
from settle.receivables.records import (
    DebtorRecord,
    InvoiceRecord,
    RecordInvalid,
    debtor_record_parse,
    invoice_record_parse,
)
from settle.receivables.services.upserts import debtor_ids

DEBTOR_FIELDS = [f.name for f in fields(DebtorRecord)]
INVOICE_FIELDS = [f.name for f in fields(InvoiceRecord)]


def number_repeated_error(*, index: int, number: str, first: int) -> FieldError:
    """The one wording of a number given twice, in a batch or a file."""
    return FieldError(
        index=index,
        field="number",
        message=_("Number %(number)s appears more than once (first at %(first)s).")
        % {"number": number, "first": first},
    )


def _duplicate_errors(numbers: Iterable[tuple[int, str]]) -> list[FieldError]:
    numbers = list(numbers)
    if len({number for _index, number in numbers}) == len(numbers):
        return []  # the usual case, told by a set without the bookkeeping below
    seen: dict[str, int] = {}
    errors = []
    for index, number in numbers:
        if number in seen:
            errors.append(number_repeated_error(index=index, number=number, first=seen[number]))
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
    return records, _in_line_order(errors, DEBTOR_FIELDS)


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
    known = debtor_ids({debtor for _i, _n, debtor in refs if debtor is not None})
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
    return records, _in_line_order(errors, INVOICE_FIELDS)
