"""Creating or updating rows by number in chunks, writing only what really changed; the one
write path of debtors and invoices (settle.receivables.services.debtors and .invoices)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from settle.receivables import bulk
from settle.receivables.models import Debtor

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


def debtor_ids(numbers: set[str]) -> dict[str, int]:
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


def rows_upsert(model, columns, rows: list[tuple], on_progress: Progress | None) -> UpsertResult:
    result = UpsertResult()
    for start in range(0, len(rows), UPSERT_CHUNK):
        chunk = rows[start : start + UPSERT_CHUNK]
        with transaction.atomic():
            result.add(_upsert_chunk(model, columns, chunk))
        if on_progress:
            on_progress(start + len(chunk))
    return result
