"""CSV import of debtors and invoices.

An upload is checked whole while the employee waits: a file with any bad line is refused with
every bad line named, and nothing is stored. A good file becomes an `ImportJob` row that the
worker claims and works in chunks. Each chunk is written together with the job's progress, so a
worker that dies midway leaves a job that the next worker resumes after the lease runs out; and
since the upsert leaves identical rows alone, importing the same file twice changes nothing.
"""

import csv
import gc
import io
import logging
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from settle.common.claims import claim_due, claim_extend, claim_finish
from settle.common.errors import ApplicationError, FieldError
from settle.receivables.models import ImportJob, ImportKind, ImportState
from settle.receivables.services import (
    UPSERT_CHUNK,
    UpsertResult,
    debtor_records_check,
    debtors_upsert,
    invoice_records_check,
    invoices_upsert,
)

logger = logging.getLogger(__name__)

COLUMNS = {
    ImportKind.DEBTORS: (
        "number",
        "name",
        "language",
        "email",
        "mobile",
        "street",
        "postal_code",
        "city",
        "country",
        "payment_method",
        "delivery_method",
        "active",
    ),
    ImportKind.INVOICES: (
        "number",
        "debtor_number",
        "issue_date",
        "due_date",
        "amount",
        "open_amount",
        "currency",
        "payment_reference",
        "collection_status",
    ),
}
REQUIRED_COLUMNS = {
    ImportKind.DEBTORS: ("number", "name"),
    ImportKind.INVOICES: ("number", "debtor_number", "issue_date", "due_date", "amount"),
}
MAX_ATTEMPTS = 5
# Rows written per transaction, together with the job's progress: a few of the services' chunks,
# so that the progress bar moves and a takeover redoes little, without a round of bookkeeping
# (and a debtor lookup) per chunk.
IMPORT_STEP = 5 * UPSERT_CHUNK
IMPORT_LEASE = timedelta(minutes=5)
RETRY_DELAY = timedelta(minutes=1)


def _refuse(message: str, errors: list[FieldError] | None = None) -> ApplicationError:
    return ApplicationError(message, errors=errors or [])


def _text(content: bytes) -> str:
    if not content.strip():
        raise _refuse(_("The file is empty."))
    try:
        # utf-8-sig drops the byte order mark that Excel puts before "CSV UTF-8" files.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(
            _(
                "The file is not UTF-8 text (unreadable byte on line %(line)d). "
                "Save it as “CSV UTF-8” and upload it again."
            )
            % {"line": content.count(b"\n", 0, exc.start) + 1}
        ) from exc
    nul = text.find("\x00")
    if nul >= 0:
        # No database column takes a NUL; refuse it here rather than fail in the worker.
        raise _refuse(
            _("The file is not a text file (a NUL character on line %(line)d).")
            % {"line": text.count("\n", 0, nul) + 1}
        )
    return text


def _delimiter(text: str) -> str:
    """Semicolon (what Excel writes in Dutch settings) or comma, whichever the header uses more."""
    header = text.lstrip("\r\n").split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _columns(header: list[str], kind: str, *, line: int) -> list[str]:
    """Check the header row and return the column names in file order ('' for unnamed columns)."""
    names = [cell.strip().lower() for cell in header]
    known = COLUMNS[kind]
    if not any(name in known for name in names):
        raise _refuse(
            _("The first line must be a header naming the columns, e.g.: %(columns)s.")
            % {"columns": ", ".join(known)}
        )
    errors = []
    unknown = [name for name in names if name and name not in known]
    if unknown:
        errors.append(
            FieldError(
                index=line,
                field="header",
                message=_("Unknown columns: %(unknown)s. Known columns are: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(known)},
            )
        )
    missing = [name for name in REQUIRED_COLUMNS[kind] if name not in names]
    if missing:
        errors.append(
            FieldError(
                index=line,
                field="header",
                message=_("Missing required columns: %(missing)s.")
                % {"missing": ", ".join(missing)},
            )
        )
    doubled = sorted({name for name in names if name and names.count(name) > 1})
    if doubled:
        errors.append(
            FieldError(
                index=line,
                field="header",
                message=_("Columns named more than once: %(doubled)s.")
                % {"doubled": ", ".join(doubled)},
            )
        )
    if errors:
        raise _refuse(_("The header line of the file is not right."), errors)
    return names


def csv_rows(
    content: bytes, *, kind: str
) -> tuple[list[tuple[int, dict[str, str]]], list[FieldError]]:
    """Split a CSV file into (line number, {column: value}) rows; the header is line 1.

    File-level problems (encoding, no header, wrong columns) raise ApplicationError. Lines that
    cannot be read as a row come back as errors, so that they are reported with all the others.
    """
    text = _text(content)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text), strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[FieldError] = []
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise _refuse(_("The file is empty."))
        header_line = reader.line_num
        names = _columns(header, kind, line=header_line)
        width = len(names)
        named = [(i, name) for i, name in enumerate(names) if name]
        plain = len(named) == width
        line = header_line
        add = rows.append
        for row in reader:
            # A quoted value may span lines: the row starts after the previous row's last line.
            start = line + 1
            line = reader.line_num
            if len(row) != width:
                if not row or not any(cell.strip() for cell in row):
                    continue  # blank lines are no rows
                if len(row) < width or any(cell.strip() for cell in row[width:]):
                    errors.append(
                        FieldError(
                            index=start,
                            field="",
                            message=_("Expected %(expected)d values, found %(found)d.")
                            % {"expected": width, "found": len(row)},
                        )
                    )
                    continue
            if plain:
                add((start, dict(zip(names, row))))  # noqa: B905 (may be longer)
            else:
                add((start, {name: row[i] for i, name in named}))
    except csv.Error as exc:
        # After a broken quote the reader cannot tell where rows begin, so stop here.
        raise _refuse(
            _("The file cannot be read as CSV."),
            [
                FieldError(
                    index=reader.line_num,
                    field="",
                    message=_("This line is not valid CSV: %(reason)s.") % {"reason": exc},
                )
            ],
        ) from exc
    return rows, errors


def import_records_check(*, kind: str, content: bytes) -> tuple[list, list[FieldError]]:
    """Read and check a whole CSV file; return its records and every error, by line number."""
    # A large file becomes hundreds of thousands of rows and records, none of them in a reference
    # cycle; the cyclic garbage collector would scan them over and over as they pile up (a third
    # of the check's time), so it pauses meanwhile. Reference counting still frees everything.
    collecting = gc.isenabled()
    gc.disable()
    try:
        rows, errors = csv_rows(content, kind=kind)
        if kind == ImportKind.DEBTORS:
            records, record_errors = debtor_records_check(rows)
        else:
            records, record_errors = invoice_records_check(rows, decimal_comma=True)
    finally:
        if collecting:
            gc.enable()
    if errors:
        record_errors = sorted([*errors, *record_errors], key=lambda e: e.index)
    return records, record_errors


def import_errors_text(errors: list[FieldError]) -> str:
    lines = []
    for error in errors:
        where = _("Line %(line)d") % {"line": error.index} if error.index else _("File")
        field = f" ({error.field})" if error.field else ""
        lines.append(f"{where}{field}: {error.message}")
    return "\n".join(lines)


def import_job_create(*, kind: str, uploaded_file, user) -> ImportJob:
    """Check an uploaded CSV file whole and, if every line is good, queue it for the worker.

    Refuses (ApplicationError listing every bad line with its line number) a file that is too
    large, empty, not UTF-8, without the right header, or with any invalid row; then nothing is
    stored.
    """
    if kind not in COLUMNS:
        raise _refuse(_("Choose what the file holds: debtors or invoices."))
    limit = settings.SETTLE_IMPORT_MAX_BYTES
    if uploaded_file.size > limit:
        raise _refuse(
            _("The file is larger than the limit of %(limit)d MB.")
            % {"limit": max(1, limit // (1024 * 1024))}
        )
    content = uploaded_file.read()
    records, errors = import_records_check(kind=kind, content=content)
    if errors:
        bad_lines = len({e.index for e in errors})
        raise _refuse(
            ngettext(
                "%(count)d line has problems; nothing was imported.",
                "%(count)d lines have problems; nothing was imported.",
                bad_lines,
            )
            % {"count": bad_lines},
            errors,
        )
    if not records:
        raise _refuse(_("The file holds a header but no rows."))
    name = PurePath(uploaded_file.name or "import.csv").name[:200] or "import.csv"
    job = ImportJob(
        kind=kind,
        state=ImportState.QUEUED,
        due_at=timezone.now(),
        file_name=name,
        rows_total=len(records),
        created_by=user,
    )
    job.file.save(name, ContentFile(content), save=False)
    try:
        job.save()
    except Exception:
        job.file.delete(save=False)
        raise
    return job


def import_job_process_due() -> int:
    """Claim one due import job and work it; return how many jobs were taken (0 or 1).

    One job per call: a large import holds its lease for a while, and the worker loop calls
    again at once when this returned work.
    """
    jobs = claim_due(
        ImportJob.objects.filter(state__in=[ImportState.QUEUED, ImportState.RUNNING]),
        limit=1,
        lease=IMPORT_LEASE,
    )
    for job in jobs:
        _import_job_work(job)
    return len(jobs)


class _LeaseLost(Exception):
    """Another worker took the job over; this one must stop writing."""


def _import_job_work(job: ImportJob) -> None:
    if job.attempts > MAX_ATTEMPTS:
        claim_finish(
            job,
            state=ImportState.FAILED,
            finished_at=timezone.now(),
            error=_("Given up after %(attempts)d attempts.") % {"attempts": MAX_ATTEMPTS}
            + (f"\n{job.error}" if job.error else ""),
        )
        return
    try:
        _import_job_run(job)
    except _LeaseLost:
        logger.warning("import job %s: lease lost to another worker", job.pk)
    except Exception as exc:
        # The chunks written so far stay (they are resumed, not redone); try again later.
        logger.exception("import job %s failed (attempt %d)", job.pk, job.attempts)
        claim_finish(
            job,
            error=f"{type(exc).__name__}: {exc}",
            due_at=timezone.now() + RETRY_DELAY,
        )


def _import_job_run(job: ImportJob) -> None:
    try:
        with job.file.open("rb") as handle:
            content = handle.read()
    except OSError:
        claim_finish(
            job,
            state=ImportState.FAILED,
            finished_at=timezone.now(),
            error=_("The uploaded file is no longer there."),
        )
        return
    try:
        records, errors = import_records_check(kind=job.kind, content=content)
    except ApplicationError as exc:
        errors = exc.errors or [FieldError(field="", message=exc.message)]
    if errors:
        # The data changed since the upload's check (e.g. a debtor went); import nothing more.
        claim_finish(
            job,
            state=ImportState.FAILED,
            finished_at=timezone.now(),
            error=import_errors_text(errors),
        )
        return
    upsert = debtors_upsert if job.kind == ImportKind.DEBTORS else invoices_upsert
    mine = ImportJob.objects.filter(pk=job.pk, lease_token=job.lease_token)
    mine.update(state=ImportState.RUNNING, rows_total=len(records))
    # Chunks before rows_done were committed together with that number by an earlier attempt.
    for start in range(job.rows_done, len(records), IMPORT_STEP):
        chunk = records[start : start + IMPORT_STEP]
        with transaction.atomic():
            result: UpsertResult = upsert(records=chunk)
            if not claim_extend(job, lease=IMPORT_LEASE):
                raise _LeaseLost
            mine.update(
                rows_done=start + len(chunk),
                created_count=F("created_count") + result.created,
                updated_count=F("updated_count") + result.updated,
                unchanged_count=F("unchanged_count") + result.unchanged,
            )
    claim_finish(job, state=ImportState.DONE, error="", finished_at=timezone.now())
