"""Benchmark: 1,000,000 payment promises, 100,000 of them due, checked by two worker processes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench_promises \
        python bench/promise_sweep.py

The database named in DATABASE_URL is dropped and created afresh; never point it at real data.

Loaded with COPY: 1,000 debtors with 10 invoices each (every other invoice paid), and per promise
a response for one of those invoices and its `PaymentPromise`. Every tenth promise is due (its
check time has passed); the others are due in the coming weeks and must stay untouched. Of the
due ones about half find their invoice paid (kept: the response closes) and half do not
(broken: a task "Promise to pay not kept" for half of those, the response closed so dunning
resumes for the other half).

Measured:
1. floor  - two processes claiming the same due rows with a bare
            `UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED LIMIT 500)` loop, nothing else.
2. Settle - two processes running `promises_process_due()` until nothing is due, as two
            `settle worker` processes would; timed from the moment both start until both stop.
Then the outcome is checked: every due promise settled exactly once (attempts = 1, kept and
broken as their invoices say), one task per broken promise that asked for one, the responses
closed that should be, and not one promise that was not yet due touched.

Messages: the debtors have no e-mail address unless BENCH_EMAIL_SHARE (0 to 1) gives that share
of them one; then each broken promise of theirs also queues the "promise broken" e-mail.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchsite.database import database_recreate  # noqa: E402 (after the path is set)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/settle_bench_promises"
PROMISES = int(os.environ.get("BENCH_PROMISES", "1000000"))
DUE_EVERY = 10  # every tenth promise is due
DEBTORS = 1000
INVOICES_PER_DEBTOR = 10
EMAIL_SHARE = float(os.environ.get("BENCH_EMAIL_SHARE", "0"))
WORKERS = 2
GOAL_SECONDS = 20.0
REPEAT = int(os.environ.get("BENCH_REPEAT", "2"))
BATCH = 500


def due(n: int) -> bool:
    return n % DUE_EVERY == 0


def invoice_of(n: int) -> int:
    """The invoice id promise `n` is about: one of its debtor's ten."""
    debtor = n % DEBTORS
    return debtor * INVOICES_PER_DEBTOR + (n // DEBTORS) % INVOICES_PER_DEBTOR + 1


def invoice_paid(invoice_id: int) -> bool:
    return invoice_id % 2 == 0


def on_broken(n: int) -> str:
    return "task" if (n // DUE_EVERY) % 2 == 0 else "resume"


def debtor_has_email(debtor: int) -> bool:
    return debtor < round(DEBTORS * EMAIL_SHARE)


# --- setup ------------------------------------------------------------------------------------


def django_setup(url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "settle.config.settings",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.setdefault("SETTLE_VAR_DIR", str(Path(tempfile.gettempdir()) / "settle-bench"))
    import django

    django.setup()


def _copy(conn, table: str, columns: list[str], lines) -> None:
    with (
        conn.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        block: list[str] = []
        for line in lines:
            block.append(line)
            if len(block) >= 20000:
                copy.write("".join(block))
                block = []
        if block:
            copy.write("".join(block))


def data_load(url: str, now: datetime) -> None:
    """COPY the debtors, invoices, responses, their invoice links and the promises."""
    import psycopg

    stamp = now.isoformat()
    today = now.date()
    with psycopg.connect(url) as conn:
        type_id = conn.execute("SELECT id FROM responses_responsetype WHERE code = 'promise'")
        type_id = type_id.fetchone()[0]
        _copy(
            conn,
            "receivables_debtor",
            [
                "id",
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
                "created_at",
                "updated_at",
            ],
            (
                f"{d + 1}\tB{d:05d}\tDebtor {d}\tnl\t"
                f"{f'debtor{d}@example.test' if debtor_has_email(d) else ''}\t\t"
                f"Dorpsstraat 1\t3511 AB\tUtrecht\tNL\tbank_transfer\temail\tt\t{stamp}\t{stamp}\n"
                for d in range(DEBTORS)
            ),
        )
        _copy(
            conn,
            "receivables_invoice",
            [
                "id",
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
            ],
            (
                f"{i}\tINV{i:07d}\t{(i - 1) // INVOICES_PER_DEBTOR + 1}\t2026-01-01\t2026-02-01\t"
                f"100.00\t{'0.00' if invoice_paid(i) else '100.00'}\tEUR\tRF{i:012d}\topen\t\t"
                f"{stamp}\t{stamp}\n"
                for i in range(1, DEBTORS * INVOICES_PER_DEBTOR + 1)
            ),
        )

        def promised(n: int) -> date:
            return today - timedelta(days=3 + n % 7) if due(n) else today + timedelta(days=n % 28)

        _copy(
            conn,
            "responses_response",
            [
                "id",
                "debtor_id",
                "response_type_id",
                "values",
                "state",
                "channel",
                "submission_key",
                "close_note",
                "created_at",
                "updated_at",
            ],
            (
                f"{n}\t{n % DEBTORS + 1}\t{type_id}\t"
                f'{{"promised_date": "{promised(n).isoformat()}"}}\topen\tportal\tbench-{n}\t\t'
                f"{stamp}\t{stamp}\n"
                for n in range(1, PROMISES + 1)
            ),
        )
        _copy(
            conn,
            "responses_response_invoices",
            ["id", "response_id", "invoice_id"],
            (f"{n}\t{n}\t{invoice_of(n)}\n" for n in range(1, PROMISES + 1)),
        )

        def check_time(n: int) -> str:
            if due(n):
                return (now - timedelta(minutes=1 + n % 5000)).isoformat()
            return (now + timedelta(days=1 + n % 28)).isoformat()

        _copy(
            conn,
            "responses_paymentpromise",
            [
                "id",
                "response_id",
                "debtor_id",
                "promised_date",
                "amount",
                "grace_days",
                "on_broken",
                "notify_broken",
                "state",
                "due_at",
                "attempts",
                "created_at",
                "updated_at",
            ],
            (
                f"{n}\t{n}\t{n % DEBTORS + 1}\t{promised(n).isoformat()}\t100.00\t2\t"
                f"{on_broken(n)}\tt\tpending\t{check_time(n)}\t0\t{stamp}\t{stamp}\n"
                for n in range(1, PROMISES + 1)
            ),
        )
        for table in (
            "receivables_debtor",
            "receivables_invoice",
            "responses_response",
            "responses_response_invoices",
            "responses_paymentpromise",
        ):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def expected() -> dict:
    due_ones = [n for n in range(1, PROMISES + 1) if due(n)]
    kept = [n for n in due_ones if invoice_paid(invoice_of(n))]
    broken = [n for n in due_ones if not invoice_paid(invoice_of(n))]
    tasks = [n for n in broken if on_broken(n) == "task"]
    mails = [n for n in broken if debtor_has_email(n % DEBTORS)]
    return {
        "due": len(due_ones),
        "kept": len(kept),
        "broken": len(broken),
        "tasks": len(tasks),
        "closed": len(kept) + len(broken) - len(tasks),
        "messages": len(mails),
    }


# --- measurements -----------------------------------------------------------------------------

FLOOR_SQL = """
UPDATE responses_paymentpromise AS p
   SET state = 'kept', settled_at = now(), attempts = p.attempts + 1
  FROM (SELECT id FROM responses_paymentpromise
         WHERE state = 'pending' AND due_at <= now()
           AND (leased_until IS NULL OR leased_until < now())
         ORDER BY due_at, id LIMIT %s FOR UPDATE SKIP LOCKED) AS c
 WHERE p.id = c.id
"""


def _ready() -> None:
    """Tell the parent this worker is set up, and wait for the start."""
    print("ready", flush=True)
    sys.stdin.readline()


def floor_child(url: str) -> dict:
    import psycopg

    handled = 0
    with psycopg.connect(url, autocommit=True) as conn:
        _ready()
        started = time.perf_counter()
        while count := conn.execute(FLOOR_SQL, (BATCH,)).rowcount:
            handled += count
    return {"handled": handled, "seconds": time.perf_counter() - started}


def settle_child(url: str, profile: bool) -> dict:
    django_setup(url)
    from django.db import connection

    from settle.responses.promises import promises_process_due

    connection.ensure_connection()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    _ready()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    handled = 0
    while count := promises_process_due():
        handled += count
    seconds = time.perf_counter() - started
    if profiler:
        import pstats

        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
    return {"handled": handled, "seconds": seconds}


def workers_run(url: str, mode: str, *, profile: bool = False) -> tuple[float, list[dict]]:
    """Start the worker processes, let them set up, then start them together; return the wall
    time until the last one stopped and what each reported."""
    command = [sys.executable, __file__, "--child", mode, "--database", url]
    if profile:
        command.append("--profile")
    children = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(WORKERS)
    ]
    for child in children:
        assert child.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    reports = []
    for child in children:
        out, _err = child.communicate(timeout=3600)
        if child.returncode:
            raise SystemExit(f"a worker failed with exit code {child.returncode}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return time.perf_counter() - started, reports


def promises_reset(url: str) -> None:
    """Put everything back as it was loaded: every promise pending and never claimed, every
    response open, no task, no promise message."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "UPDATE responses_paymentpromise SET state = 'pending', settled_at = NULL, "
            "attempts = 0, leased_until = NULL, lease_token = NULL "
            "WHERE state <> 'pending' OR attempts <> 0"
        )
        conn.execute(
            "UPDATE responses_response SET state = 'open', closed_at = NULL, close_note = '' "
            "WHERE state <> 'open'"
        )
        conn.execute("TRUNCATE worklist_task, correspondence_message, portal_portallink CASCADE")
        # The e-mail addresses as BENCH_EMAIL_SHARE asks this time (debtor ids start at 1).
        conn.execute(
            "UPDATE receivables_debtor SET email = CASE WHEN id <= %s "
            "THEN 'debtor' || (id - 1) || '@example.test' ELSE '' END",
            (round(DEBTORS * EMAIL_SHARE),),
        )
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")


def loaded(url: str) -> datetime | None:
    """When the data of an earlier run was loaded, if it is there in full (for --reuse)."""
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            count, stamp = conn.execute(
                "SELECT count(*), max(created_at) FROM responses_paymentpromise"
            ).fetchone()
    except psycopg.Error:
        return None
    return stamp if count == PROMISES else None


def outcome_check(url: str, loaded_at: datetime, want: dict) -> dict:
    """Count what the Settle run left behind and compare it with what the data asks for."""
    import psycopg

    with psycopg.connect(url) as conn:

        def one(sql: str, *args):
            return conn.execute(sql, args).fetchone()[0]

        due_filter = "due_at <= %s"
        found = {
            "due": one(
                f"SELECT count(*) FROM responses_paymentpromise WHERE {due_filter}", loaded_at
            ),
            "still_pending": one(
                f"SELECT count(*) FROM responses_paymentpromise WHERE {due_filter} "
                "AND state = 'pending'",
                loaded_at,
            ),
            "kept": one("SELECT count(*) FROM responses_paymentpromise WHERE state = 'kept'"),
            "broken": one("SELECT count(*) FROM responses_paymentpromise WHERE state = 'broken'"),
            "attempts_not_1": one(
                f"SELECT count(*) FROM responses_paymentpromise WHERE {due_filter} "
                "AND attempts <> 1",
                loaded_at,
            ),
            "not_due_touched": one(
                "SELECT count(*) FROM responses_paymentpromise WHERE due_at > %s "
                "AND (state <> 'pending' OR attempts <> 0)",
                loaded_at,
            ),
            "tasks": one("SELECT count(*) FROM worklist_task WHERE kind = 'promise_broken'"),
            "responses_with_two_tasks": one(
                "SELECT count(*) FROM (SELECT response_id FROM worklist_task "
                "GROUP BY response_id HAVING count(*) > 1) AS doubled"
            ),
            "closed": one("SELECT count(*) FROM responses_response WHERE state = 'closed'"),
            "messages": one(
                "SELECT count(*) FROM correspondence_message WHERE kind = 'promise_broken'"
            ),
        }
    problems = [
        name
        for name, ok in (
            ("due", found["due"] == want["due"]),
            ("still_pending", found["still_pending"] == 0),
            ("kept", found["kept"] == want["kept"]),
            ("broken", found["broken"] == want["broken"]),
            ("attempts_not_1", found["attempts_not_1"] == 0),
            ("not_due_touched", found["not_due_touched"] == 0),
            ("tasks", found["tasks"] == want["tasks"]),
            ("responses_with_two_tasks", found["responses_with_two_tasks"] == 0),
            ("closed", found["closed"] == want["closed"]),
            ("messages", found["messages"] == want["messages"]),
        )
        if not ok
    ]
    found["problems"] = problems
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="cProfile each Settle worker")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the data of an earlier run if it is there"
    )
    parser.add_argument("--child", choices=["floor", "settle"], help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        outcome = (
            floor_child(args.database)
            if args.child == "floor"
            else settle_child(args.database, args.profile)
        )
        print(json.dumps(outcome), flush=True)
        return

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        raise SystemExit("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    want = expected()
    print(
        f"promise_sweep: {PROMISES:,} promises, {want['due']:,} due, {WORKERS} workers, "
        f"{EMAIL_SHARE:.0%} of debtors with e-mail",
        flush=True,
    )
    loaded_at = loaded(url) if args.reuse else None
    if loaded_at is None:
        database_recreate(url)
        django_setup(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        loaded_at = datetime.now(UTC)
        started = time.perf_counter()
        data_load(url, loaded_at)
        print(f"loaded in {time.perf_counter() - started:.1f} s", flush=True)
    else:
        promises_reset(url)
        print("reusing the data of an earlier run", flush=True)

    # Best of several runs: another busy process on the machine only ever makes a run slower.
    floors, settles = [], []
    for _ in range(REPEAT):
        seconds, reports = workers_run(url, "floor")
        assert sum(r["handled"] for r in reports) == want["due"], reports
        floors.append((seconds, reports))
        promises_reset(url)
    for run in range(REPEAT):
        if run:
            promises_reset(url)
        seconds, reports = workers_run(url, "settle", profile=args.profile)
        found = outcome_check(url, loaded_at, want)
        if found["problems"]:
            break
        settles.append((seconds, reports))
    floor_seconds, floor_reports = min(floors, key=lambda run: run[0])
    settle_seconds, settle_reports = min(settles or [(seconds, reports)], key=lambda r: r[0])
    print(f"Settle runs: {', '.join(f'{run[0]:.2f}' for run in settles)} s")
    report(floor_seconds, floor_reports, settle_seconds, settle_reports, want, found)
    if found["problems"]:
        raise SystemExit(f"the outcome is wrong: {', '.join(found['problems'])}")


def report(floor_seconds, floor_reports, settle_seconds, settle_reports, want, found) -> None:
    due_count = want["due"]
    print(f"{'':<52}{'seconds':>9}{'promises/s':>12}")
    for label, seconds in (
        ("floor: bare UPDATE … SKIP LOCKED loop, 2 processes", floor_seconds),
        ("Settle: promises_process_due, 2 worker processes", settle_seconds),
    ):
        print(f"{label:<52}{seconds:>9.2f}{due_count / seconds:>12,.0f}")
    split = " + ".join(f"{r['handled']:,}" for r in settle_reports)
    print(f"handled per worker: {split}")
    verdict = "OK" if settle_seconds <= GOAL_SECONDS else "ABOVE GOAL"
    print(
        f"goal <= {GOAL_SECONDS:.0f} s: {verdict}; ratio floor / Settle: "
        f"{floor_seconds / settle_seconds:.0%}"
    )
    print(
        f"outcome: {found['kept']:,} kept, {found['broken']:,} broken, {found['tasks']:,} tasks, "
        f"{found['closed']:,} responses closed, {found['messages']:,} messages; "
        f"{found['still_pending']} due still pending, {found['attempts_not_1']} with attempts "
        f"other than 1, {found['responses_with_two_tasks']} responses with two tasks, "
        f"{found['not_due_touched']} not-due promises touched"
    )
    print("exactly once: " + ("yes" if not found["problems"] else f"NO ({found['problems']})"))


if __name__ == "__main__":
    main()
