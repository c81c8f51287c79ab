"""Benchmark: importing 200,000 invoices from CSV into PostgreSQL, against COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench python bench/import_invoices.py

The database named in DATABASE_URL is dropped and created afresh; never point it at real data.

Measured:
1. floor   - PostgreSQL COPY of the same rows into a table of the invoice table's shape
             (same columns, defaults, checks and indexes; no foreign key), committed.
2. Settle  - the import as the worker runs it: parse and check the CSV, then upsert by number.
3. re-import of the same file with 10 % of the open amounts changed: only those rows are written.

Each Settle run happens in a fresh child process, so its peak memory (ru_maxrss) is its own.
"""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchsite.database import database_recreate  # noqa: E402 (after the path is set)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/settle_bench"
INVOICES = int(os.environ.get("BENCH_INVOICES", "200000"))
DEBTORS = int(os.environ.get("BENCH_DEBTORS", "5000"))
CHANGED_SHARE = 0.10
GOAL = 0.25
REPEAT = int(os.environ.get("BENCH_REPEAT", "2"))
SEED = 20250101
REFERENCE_DAY = date(2025, 6, 30)
STATUSES = ["open"] * 6 + ["reminder_1"] * 2 + ["reminder_2", "final_notice", "collection_agency"]
CSV_COLUMNS = [
    "number",
    "debtor_number",
    "issue_date",
    "due_date",
    "amount",
    "open_amount",
    "currency",
    "payment_reference",
    "collection_status",
]
COPY_COLUMNS = [
    "number",
    "debtor_id",
    "issue_date",
    "due_date",
    "amount",
    "open_amount",
    "currency",
    "payment_reference",
    "collection_status",
    "document",
    "created_at",
    "updated_at",
]


def settle_upload(path: Path):
    """The employee's upload: the whole file is checked and, being good, queued as a job."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from settle.receivables.imports import import_job_create

    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    return import_job_create(kind="invoices", uploaded_file=upload, user=None)


def settle_import(job):
    """The import under test, exactly as the worker runs it: claim the job, check the file again,
    upsert in committed steps. Returns the job's counts."""
    from settle.receivables.imports import import_job_process_due
    from settle.receivables.services import UpsertResult

    while import_job_process_due():
        pass
    job.refresh_from_db()
    if job.state != "done":
        raise SystemExit(f"the import ended {job.state}: {job.error[:500]}")
    return UpsertResult(
        created=job.created_count, updated=job.updated_count, unchanged=job.unchanged_count
    )


# --- setup ------------------------------------------------------------------------------------


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settle.config.settings")
    os.environ.setdefault("SETTLE_VAR_DIR", str(Path(tempfile.gettempdir()) / "settle-bench"))
    import django

    django.setup()


def debtors_create(count: int) -> dict[str, int]:
    from settle.receivables.models import Debtor
    from settle.receivables.services import debtor_records_check, debtors_upsert

    items = [
        {
            "number": f"B{n:05d}",
            "name": f"Debtor {n}",
            "email": f"debtor{n}@example.nl",
            "street": f"Dorpsstraat {n % 200 + 1}",
            "postal_code": "3511 AB",
            "city": "Utrecht",
        }
        for n in range(1, count + 1)
    ]
    records, errors = debtor_records_check(enumerate(items))
    assert not errors, errors[:3]
    debtors_upsert(records=records)
    return dict(Debtor.objects.values_list("number", "id"))


def files_write(directory: Path, debtor_ids: dict[str, int]) -> tuple[Path, Path, Path]:
    """Write the CSV, the same rows as COPY text, and the CSV with 10 % of open amounts changed."""
    rng = random.Random(SEED)
    numbers = sorted(debtor_ids)
    csv_path = directory / "invoices.csv"
    copy_path = directory / "invoices.copy"
    changed_path = directory / "invoices-changed.csv"
    stamp = "2025-06-30 12:00:00+00"
    with (
        csv_path.open("w", newline="", encoding="utf-8") as csv_file,
        copy_path.open("w", encoding="utf-8") as copy_file,
        changed_path.open("w", newline="", encoding="utf-8") as changed_file,
    ):
        plain = csv.writer(csv_file)
        changed = csv.writer(changed_file)
        plain.writerow(CSV_COLUMNS)
        changed.writerow(CSV_COLUMNS)
        for n in range(1, INVOICES + 1):
            debtor = numbers[rng.randrange(len(numbers))]
            issue = REFERENCE_DAY - timedelta(days=rng.randrange(400))
            due = issue + timedelta(days=rng.choice((14, 30, 30, 60)))
            amount = Decimal(rng.randrange(1000, 500000)) / 100
            roll = rng.random()
            open_amount = amount if roll < 0.7 else (amount / 2).quantize(Decimal("0.01"))
            if roll > 0.9:
                open_amount = Decimal("0.00")
            row = [
                f"INV{n:07d}",
                debtor,
                issue.isoformat(),
                due.isoformat(),
                str(amount),
                str(open_amount),
                "EUR",
                f"RF{n:012d}",
                rng.choice(STATUSES),
            ]
            plain.writerow(row)
            if rng.random() < CHANGED_SHARE:
                # A payment came in: the open amount drops (to zero when it was already zero).
                lower = max(open_amount - Decimal("1.00"), Decimal("0.00"))
                if lower == open_amount:
                    lower = amount
                changed.writerow([*row[:5], str(lower), *row[6:]])
            else:
                changed.writerow(row)
            copy_file.write(
                "\t".join([row[0], str(debtor_ids[debtor]), *row[2:8], row[8], "", stamp, stamp])
                + "\n"
            )
    return csv_path, copy_path, changed_path


# --- measurements -----------------------------------------------------------------------------


# What COPY writes into: a bare table of the invoice table's shape; the same shape with its
# defaults, checks and indexes (the floor); the invoice table itself, which adds its foreign keys.
COPY_TARGETS = {
    "bare": "CREATE TABLE bench_invoice_copy (LIKE receivables_invoice INCLUDING DEFAULTS "
    "INCLUDING IDENTITY)",
    "shape": "CREATE TABLE bench_invoice_copy (LIKE receivables_invoice INCLUDING ALL)",
    "table": None,
}


def floor_measure(url: str, copy_path: Path, *, target: str) -> float:
    """Seconds to COPY the rows into an empty table (see COPY_TARGETS) and commit."""
    import psycopg

    create = COPY_TARGETS[target]
    table = "bench_invoice_copy" if create else "receivables_invoice"
    with psycopg.connect(url) as conn:
        if create:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute(create)
        else:
            conn.execute(f"TRUNCATE {table} CASCADE")
        conn.commit()
        conn.execute("CHECKPOINT")
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy,
            copy_path.open("rb") as source,
        ):
            while block := source.read(1 << 20):
                copy.write(block)
        conn.commit()
        seconds = time.perf_counter() - started
        count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        assert count == INVOICES, count
        conn.execute(f"DROP TABLE {table}" if create else f"TRUNCATE {table} CASCADE")
        conn.commit()
    return seconds


def settle_measure(url: str, path: Path, *, profile: bool) -> dict:
    """Run one Settle import in a fresh process and return its timing, counts and peak memory."""
    command = [sys.executable, __file__, "--child", str(path), "--database", url]
    if profile:
        command.append("--profile")
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    if profile:
        sys.stderr.write(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def child(path: Path, url: str, profile: bool) -> None:
    django_setup(url)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    upload_started = time.perf_counter()
    job = settle_upload(path)
    upload_seconds = time.perf_counter() - upload_started
    started = time.perf_counter()
    result = settle_import(job)
    seconds = time.perf_counter() - started
    if profiler:
        import pstats

        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "upload_seconds": upload_seconds,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "baseline_kb": baseline,
                "peak_kb": peak,
            }
        )
    )


def invoices_clear(url: str) -> None:
    """Empty the invoice table and flush dirty pages, so each Settle run starts alike."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE receivables_invoice CASCADE")
        conn.execute("CHECKPOINT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="cProfile the Settle import")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database, args.profile)
        return

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        raise SystemExit("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    print(f"import_invoices: {INVOICES:,} invoices for {DEBTORS:,} debtors", flush=True)
    database_recreate(url)
    django_setup(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    debtor_ids = debtors_create(DEBTORS)
    with tempfile.TemporaryDirectory(prefix="settle-bench-") as tmp:
        csv_path, copy_path, changed_path = files_write(Path(tmp), debtor_ids)
        # Best of several runs: the figure least disturbed by whatever else the machine does.
        copies = {
            target: min(floor_measure(url, copy_path, target=target) for _ in range(REPEAT + 1))
            for target in COPY_TARGETS
        }
        firsts, agains = [], []
        for _ in range(REPEAT):
            invoices_clear(url)
            firsts.append(settle_measure(url, csv_path, profile=args.profile))
            agains.append(settle_measure(url, changed_path, profile=args.profile))
        size_mb = csv_path.stat().st_size / 1e6
    first = min(firsts, key=lambda run: run["seconds"])
    again = min(agains, key=lambda run: run["seconds"])
    first["peak_kb"] = max(run["peak_kb"] for run in firsts)
    report(copies, first, again, size_mb)


def report(copies: dict[str, float], first: dict, again: dict, size_mb: float) -> None:
    floor = copies["shape"]
    ratio = floor / first["seconds"]
    lines = [
        ("COPY into a bare table (no indexes)", copies["bare"]),
        ("floor: COPY, invoice table shape + indexes", floor),
        ("COPY into the invoice table (+ foreign keys)", copies["table"]),
        ("Settle: upload check (employee waits)", first["upload_seconds"]),
        ("Settle: worker import into an empty table", first["seconds"]),
        ("Settle: worker re-import, 10 % changed", again["seconds"]),
    ]
    print(f"CSV: {size_mb:.1f} MB, {INVOICES:,} rows; best of {REPEAT} runs")
    print(f"{'':<46}{'seconds':>9}{'rows/s':>11}")
    for label, seconds in lines:
        print(f"{label:<46}{seconds:>9.2f}{INVOICES / seconds:>11,.0f}")
    verdict = "OK" if ratio >= GOAL else "BELOW GOAL"
    print("(the worker checks the file again before writing; that check is inside its time)")
    print(f"ratio Settle / floor: {ratio:.0%} (goal >= {GOAL:.0%}: {verdict})")
    print(
        f"ratio Settle / COPY into the invoice table: {copies['table'] / first['seconds']:.0%}; "
        f"Settle / bare COPY: {copies['bare'] / first['seconds']:.0%}"
    )
    for label, run in (("first import", first), ("re-import", again)):
        print(
            f"{label + ':':<14}created {run['created']:,}, updated {run['updated']:,}, "
            f"unchanged {run['unchanged']:,}"
        )
    print(
        f"peak memory of the Settle import: {first['peak_kb'] / 1024:.0f} MB "
        f"(of which {first['baseline_kb'] / 1024:.0f} MB before the import started)"
    )


if __name__ == "__main__":
    main()
