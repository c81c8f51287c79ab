"""Writing a chunk of upserted rows on PostgreSQL with COPY instead of one parameter per value.

`services.upserts._upsert_chunk` decides what to write (new rows, changed rows; identical rows
are left alone). On PostgreSQL it hands the writing here: new rows go straight into the table
with COPY, changed rows through a scratch table and one `INSERT ... ON CONFLICT DO UPDATE`. The
outcome is what `bulk_create(update_conflicts=True)` writes: new rows get the model's defaults
and both timestamps, changed rows get the columns and `updated_at`, in row order. Building that
query with a parameter per value and a model instance per row is where a large CSV import
otherwise spends most of its time.

Table and column names come from the model; values travel only through COPY or as parameters.
"""

from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import NOT_PROVIDED
from django.utils import timezone


def rows_by_number(model, columns: list[str], numbers: list[str]) -> dict[str, tuple]:
    """The stored values of `columns` for the rows with these numbers, by number."""
    names = _column_names(model, columns)
    # One index lookup per number, whatever the planner believes about the table's size: with
    # statistics from before a large import it may otherwise scan the whole table per chunk.
    sql = (
        f"SELECT t.* FROM unnest(%s::text[]) AS wanted (number) CROSS JOIN LATERAL ("  # noqa: S608
        f"SELECT {', '.join(names)} FROM {connection.ops.quote_name(model._meta.db_table)} "
        f"WHERE {names[0]} = wanted.number LIMIT 1) AS t"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [numbers])
        return {row[0]: row for row in cursor.fetchall()}


def rows_write(model, columns: list[str], *, new: list[tuple], changed: list[tuple]) -> None:
    """Insert the `new` rows and update the `changed` ones (both as tuples in `columns` order)."""
    constants = _constants(model, columns)
    if new:
        try:
            # A savepoint: if another transaction created one of these numbers since we looked,
            # only this COPY is undone and the rows are upserted below instead.
            with transaction.atomic():
                _copy_into_table(model, columns, new, constants)
        except IntegrityError:
            changed = new + changed
    if changed:
        _upsert_through_stage(model, columns, changed, constants)


def _column_names(model, columns: list[str]) -> list[str]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [connection.ops.quote_name(by_attname[name].column) for name in columns]


def _constants(model, columns: list[str]) -> list[tuple[str, Any]]:
    """The columns a new row gets besides `columns`: both timestamps and the model's defaults."""
    quote = connection.ops.quote_name
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    constants: list[tuple[str, Any]] = [(quote("created_at"), now), (quote("updated_at"), now)]
    constants += [
        (quote(f.column), f.get_db_prep_save(f.get_default(), connection))
        for f in model._meta.concrete_fields
        if not f.primary_key
        and f.attname not in {*columns, "created_at", "updated_at"}
        # A default the database sets itself it sets without us.
        and f.db_default is NOT_PROVIDED
    ]
    return constants


def _copy_into_table(model, columns: list[str], rows: list[tuple], constants) -> None:
    names = [*_column_names(model, columns), *(name for name, _value in constants)]
    values = tuple(value for _name, value in constants)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        _copy(cursor, f"COPY {table} ({', '.join(names)}) FROM STDIN", (r + values for r in rows))


def _upsert_through_stage(model, columns: list[str], rows: list[tuple], constants) -> None:
    quote = connection.ops.quote_name
    names = _column_names(model, columns)
    listed = ", ".join(names)
    table = quote(model._meta.db_table)
    stage = quote(f"settle_upsert_{model._meta.db_table}")
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*names[1:], quote("updated_at")])
    with connection.cursor() as cursor:
        # Part of the caller's transaction: an error rolls the scratch table back with the rest.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} AS "  # noqa: S608
            f"SELECT 0 AS settle_position, {listed} FROM {table} WITH NO DATA"
        )
        _copy(
            cursor,
            f"COPY {stage} (settle_position, {listed}) FROM STDIN",
            ((position, *row) for position, row in enumerate(rows)),
        )
        cursor.execute(
            f"INSERT INTO {table} ({listed}, {', '.join(name for name, _v in constants)}) "  # noqa: S608
            f"SELECT {listed}, {', '.join(['%s'] * len(constants))} "
            f"FROM {stage} ORDER BY settle_position "
            f"ON CONFLICT ({names[0]}) DO UPDATE SET {updates}",
            [value for _name, value in constants],
        )
        cursor.execute(f"DROP TABLE {stage}")


def _copy(cursor, sql: str, rows) -> None:
    # Errors raised by COPY reach the caller as Django's, like those of any other query.
    with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
