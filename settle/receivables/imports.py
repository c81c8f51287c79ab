"""CSV import of debtors and invoices: the upload stores the file, the worker checks and imports it.

The upload only stores the file and queues an `ImportJob` (the employee does not wait for a
check of millions of lines). The worker then reads the file twice, a line at a time, never
holding the whole file's rows:

1. **Check**: every line is checked, in batches (an invoice's debtor with one query per batch).
   Only the first ERRORS_KEPT problems (by line) are kept, with the count of all of them. A
   number that appears twice in the file is found through 8-byte hashes of every number, then
   named by a short extra read. If any line is wrong, nothing is imported and the job fails
   with its list of problems; every fault of a line is named.
2. **Import**: the lines are read again and upserted in steps of IMPORT_STEP rows, each step
   committed together with the job's progress, so a worker that dies midway leaves a job that
   the next worker resumes after the lease runs out. Since the upsert leaves identical rows
   alone, importing the same file twice changes nothing.

Jobs run one at a time in upload order: the worker takes only the oldest unfinished job, so an
invoices file uploaded right after a debtors file is checked once those debtors are in.
"""

import logging
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import PurePath
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from settle.common.claims import claim_due, claim_extend, claim_finish
from settle.common.errors import ApplicationError, FieldError
from settle.receivables.csvfiles import COLUMNS, REQUIRED_COLUMNS, csv_rows, refusal
from settle.receivables.field_checks import NUMBER_RE
from settle.receivables.models import ImportJob, ImportKind, ImportState
from settle.receivables.services.checks import (
    debtor_records_check,
    invoice_records_check,
    number_repeated_error,
)
from settle.receivables.services.debtors import debtors_upsert
from settle.receivables.services.invoices import invoices_upsert
from settle.receivables.services.upserts import UPSERT_CHUNK, UpsertResult

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "import_job_create",
    "import_job_process_due",
    "import_jobs_ahead",
]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Lines checked per batch: one debtor lookup and one progress update (a commit) per batch.
CHECK_STEP = 5000
# Rows written per transaction, together with the job's progress: a few of the services' chunks,
# so that the progress bar moves and a takeover redoes little.
IMPORT_STEP = 2 * UPSERT_CHUNK
IMPORT_LEASE = timedelta(minutes=5)
RETRY_DELAY = timedelta(minutes=1)
# Problems kept for the import's page; beyond them only their number.
ERRORS_KEPT = 1000
UNFINISHED = (ImportState.QUEUED, ImportState.CHECKING, ImportState.RUNNING)


def import_job_create(*, kind: str, uploaded_file, user) -> ImportJob:
    """Store an uploaded CSV file and queue it for the worker, without reading it.

    Refuses only what is plain without reading: an unknown kind, an empty file and a file over
    SETTLE_IMPORT_MAX_BYTES. Everything else the worker checks; the import's page shows it.
    """
    if kind not in COLUMNS:
        raise refusal(_("Choose what the file holds: debtors or invoices."))
    limit = settings.SETTLE_IMPORT_MAX_BYTES
    if uploaded_file.size > limit:
        raise refusal(
            _("The file is larger than the limit of %(limit)d MB.")
            % {"limit": max(1, limit // (1024 * 1024))}
        )
    if not uploaded_file.size:
        raise refusal(_("The file is empty."))
    name = PurePath(uploaded_file.name or "import.csv").name[:200] or "import.csv"
    job = ImportJob(
        kind=kind,
        state=ImportState.QUEUED,
        due_at=timezone.now(),
        file_name=name,
        created_by=user,
        # The worker writes the problems it finds in the language of the one who uploaded.
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    # Copied in chunks (or moved, when Django already put a large upload in a temporary file).
    job.file.save(name, uploaded_file, save=False)
    try:
        job.save()
    except Exception:
        job.file.delete(save=False)
        raise
    return job


def import_job_process_due() -> int:
    """Work the oldest unfinished import job if it is due; return how many were taken (0 or 1).

    Only the oldest: imports run in upload order, and a later file waits while an earlier one
    is queued, running or waiting to be retried (another worker holding it included).
    """
    head = (
        ImportJob.objects.filter(state__in=UNFINISHED)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if head is None:
        return 0
    jobs = claim_due(
        ImportJob.objects.filter(pk=head, state__in=UNFINISHED), limit=1, lease=IMPORT_LEASE
    )
    for job in jobs:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            _import_job_work(job)
    return len(jobs)


def import_jobs_ahead(*, job: ImportJob) -> int:
    """How many unfinished imports were uploaded before `job` (and so run before it)."""
    return ImportJob.objects.filter(pk__lt=job.pk, state__in=UNFINISHED).count()


class _LeaseLost(Exception):
    """Another worker took the job over; this one must stop writing."""


class _Refused(Exception):
    """The file or a line of it is wrong; the job fails with what `problems` holds."""

    def __init__(self, message: str, problems: "_Problems"):
        super().__init__(message)
        self.message = message
        self.problems = problems


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
        if job.state != ImportState.RUNNING:
            _import_job_check(job)
        _import_job_import(job)
    except _LeaseLost:
        logger.warning("import job %s: lease lost to another worker", job.pk)
    except _Refused as refused:
        claim_finish(
            job,
            state=ImportState.FAILED,
            finished_at=timezone.now(),
            error=refused.message,
            error_count=refused.problems.count,
            line_errors=refused.problems.kept(),
        )
    except FileNotFoundError:
        claim_finish(
            job,
            state=ImportState.FAILED,
            finished_at=timezone.now(),
            error=_("The uploaded file is no longer there."),
        )
    except Exception as exc:
        # The steps written so far stay (they are resumed, not redone); try again later.
        logger.exception("import job %s failed (attempt %d)", job.pk, job.attempts)
        claim_finish(job, error=f"{type(exc).__name__}: {exc}", due_at=timezone.now() + RETRY_DELAY)
    else:
        claim_finish(job, state=ImportState.DONE, error="", finished_at=timezone.now())


class _Problems:
    """The first ERRORS_KEPT problems by line, the number of all, and which lines are bad."""

    def __init__(self, kind: str) -> None:
        self._order = {name: position for position, name in enumerate(COLUMNS[kind])}
        self.errors: list[FieldError] = []
        self.count = 0
        self._bad = bytearray()  # one bit per line: a million lines take 125 KB

    def add(self, errors: Iterable[FieldError]) -> None:
        for error in errors:
            self.count += 1
            self.errors.append(error)
            line = error.index or 0
            if line >> 3 >= len(self._bad):
                self._bad.extend(bytes((line >> 3) + 1 - len(self._bad)))
            self._bad[line >> 3] |= 1 << (line & 7)
        if len(self.errors) > 2 * ERRORS_KEPT:
            self._trim()

    def _trim(self) -> None:
        # By line, and within a line in column order (problems of the whole line first).
        order = self._order
        self.errors.sort(key=lambda e: (e.index or 0, order.get(e.field, -1)))
        del self.errors[ERRORS_KEPT:]

    @property
    def lines(self) -> int:
        return sum(byte.bit_count() for byte in self._bad)

    def kept(self) -> list[dict]:
        self._trim()
        return [{"line": e.index, "field": e.field, "message": str(e.message)} for e in self.errors]


def _check(kind: str, rows: list[tuple[int, dict]]) -> tuple[list, list[FieldError]]:
    if kind == ImportKind.DEBTORS:
        return debtor_records_check(rows, duplicates=False)
    return invoice_records_check(rows, decimal_comma=True, duplicates=False)


def _number(data: dict) -> str | None:
    value = (data.get("number") or "").strip()
    return value if NUMBER_RE.fullmatch(value) else None


@contextmanager
def _stored(job: ImportJob) -> Iterator[BinaryIO]:
    """The stored file, opened for reading; the storage's own stream, read line by line without
    Django's File proxy in between (a million lines, a million proxied calls)."""
    with job.file.storage.open(job.file.name, "rb") as stored:
        yield getattr(stored, "file", stored)


def _claimed(job: ImportJob):
    """The job's row while this worker holds it, with the lease renewed; else _LeaseLost."""
    if not claim_extend(job, lease=IMPORT_LEASE):
        raise _LeaseLost
    return ImportJob.objects.filter(pk=job.pk, lease_token=job.lease_token)


def _import_job_check(job: ImportJob) -> None:
    """Pass 1: check every line; raise _Refused naming the problems, or set rows_total."""
    _claimed(job).update(
        state=ImportState.CHECKING, rows_checked=0, error_count=0, line_errors=[], error=""
    )
    problems = _Problems(job.kind)
    # 16 arrays of the numbers' hashes, 8 bytes a line, sorted one at a time at the end.
    hashes = [array("q") for _bucket in range(16)]
    checked = rows = 0
    batch: list[tuple[int, dict]] = []

    def flush() -> None:
        nonlocal checked
        _records, errors = _check(job.kind, batch)
        problems.add(errors)
        for _line, data in batch:
            number = _number(data)
            if number is not None:
                digest = hash(number)
                hashes[digest & 15].append(digest)
        checked += len(batch)
        batch.clear()
        _claimed(job).update(rows_checked=checked)

    try:
        with _stored(job) as handle:
            for line, data, error in csv_rows(handle, kind=job.kind):
                if error is not None:
                    problems.add([error])
                    checked += 1
                    continue
                rows += 1
                batch.append((line, data))
                if len(batch) >= CHECK_STEP:
                    flush()
            flush()
    except ApplicationError as exc:
        problems.add(exc.errors)
        raise _Refused(exc.message, problems) from exc
    repeated = set()
    while hashes:
        ordered = sorted(hashes.pop())
        repeated.update(a for a, b in zip(ordered, ordered[1:]) if a == b)  # noqa: B905
    if repeated:
        problems.add(_repeats(job, repeated))
    if problems.count:
        lines = problems.lines
        raise _Refused(
            ngettext(
                "%(count)d line has problems; nothing was imported.",
                "%(count)d lines have problems; nothing was imported.",
                lines,
            )
            % {"count": lines},
            problems,
        )
    if not rows:
        raise _Refused(_("The file holds a header but no rows."), problems)
    _claimed(job).update(
        state=ImportState.RUNNING, rows_checked=checked, rows_total=rows, rows_done=0
    )
    job.state, job.rows_total, job.rows_done = ImportState.RUNNING, rows, 0


def _repeats(job: ImportJob, repeated: set[int]) -> list[FieldError]:
    """Name the lines whose number an earlier line has; only numbers with a repeated hash are
    remembered (a hash may repeat without its numbers doing so)."""
    first: dict[str, int] = {}
    errors = []
    with _stored(job) as handle:
        for line, data, _error in csv_rows(handle, kind=job.kind):
            number = _number(data) if data else None
            if number is None or hash(number) not in repeated:
                continue
            if number in first:
                errors.append(number_repeated_error(index=line, number=number, first=first[number]))
            else:
                first[number] = line
    return errors


def _import_job_import(job: ImportJob) -> None:
    """Pass 2: read the checked file again and upsert it in committed steps, resuming after the
    rows an earlier attempt committed."""
    upsert = debtors_upsert if job.kind == ImportKind.DEBTORS else invoices_upsert
    done = job.rows_done
    seen = 0
    batch: list[tuple[int, dict]] = []

    def write() -> None:
        nonlocal done
        records, errors = _check(job.kind, batch)
        if errors:
            # The data changed since the check (e.g. a debtor went); import nothing more.
            problems = _Problems(job.kind)
            problems.add(errors)
            raise _Refused(
                _(
                    "The data changed while the file was imported; %(done)d rows were imported "
                    "before line %(line)d."
                )
                % {"done": done, "line": batch[0][0]},
                problems,
            )
        with transaction.atomic():
            result: UpsertResult = upsert(records=records)
            _claimed(job).update(
                rows_done=done + len(records),
                created_count=F("created_count") + result.created,
                updated_count=F("updated_count") + result.updated,
                unchanged_count=F("unchanged_count") + result.unchanged,
            )
        done += len(records)
        batch.clear()

    with _stored(job) as handle:
        for line, data, _error in csv_rows(handle, kind=job.kind):
            if data is None:
                continue
            seen += 1
            # Rows up to rows_done were committed together with that number by an earlier attempt.
            if seen <= done:
                continue
            batch.append((line, data))
            if len(batch) >= IMPORT_STEP:
                write()
        if batch:
            write()
