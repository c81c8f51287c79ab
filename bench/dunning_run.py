"""Benchmark: a dunning run of an e-mail-with-portal-link group over 100,000 invoices of 25,000
debtors, until every debtor's reminder is in the outbox.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench_dunning python bench/dunning_run.py

The database named in DATABASE_URL is dropped and created afresh; never point it at real data.

Loaded (bulk_create): 25,000 debtors with an e-mail address, 4 overdue open invoices each, and
the group "Herinnering 1" with one action: reminder_1 by e-mail (the template carries the
debtor's fresh portal link).

Measured:
1. floor  - a bulk insert of 25,000 bare outbox rows (`Message.objects.bulk_create`, one row per
            debtor, no invoice links, no rendering), in a fresh process: what the database takes
            to hold the outcome at all.
2. Settle - `run_start` on all 100,000 invoices (the run and its 25,000 items, what the
            back office's "Run" does), then BENCH_WORKERS worker processes (default 1) running
            `items_process_due()` until no item is pending, as `settle worker` would. Timed from
            run_start until the last item is done; the worker's peak memory is its ru_maxrss.
Then the outcome is checked: one reminder_1 message per debtor (25,000, each listing the
debtor's 4 invoices), no item left pending, none failed.

Goals: Settle total <= 15 s; each worker's peak memory <= 300 MB. `--profile` prints a
cProfile of one worker on stderr.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchsite.database import database_recreate  # noqa: E402 (after the path is set)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/settle_bench_dunning"
DEBTORS = int(os.environ.get("BENCH_DEBTORS", "25000"))
INVOICES_PER_DEBTOR = 4
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
GOAL_SECONDS = 15.0
GOAL_MB = 300.0
BATCH = 5000


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


def peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- setup ------------------------------------------------------------------------------------


def data_load() -> int:
    """The debtors, their invoices and the group; returns the group's id."""
    from django.db import connection, transaction
    from django.utils import timezone

    from settle.dunning.models import Action, ActionGroup, ActionType
    from settle.receivables.models import Debtor, Invoice

    today = timezone.localdate()
    with transaction.atomic():
        for start in range(0, DEBTORS, BATCH):
            Debtor.objects.bulk_create(
                Debtor(
                    number=f"B{d:06d}",
                    name=f"Debtor {d}",
                    language="nl",
                    email=f"debtor{d}@example.test",
                    street="Dorpsstraat 1",
                    postal_code="3511 AB",
                    city="Utrecht",
                )
                for d in range(start, min(start + BATCH, DEBTORS))
            )
        debtor_ids = list(Debtor.objects.order_by("pk").values_list("pk", flat=True))
        invoices = (
            Invoice(
                number=f"INV{n:07d}",
                debtor_id=debtor_ids[n // INVOICES_PER_DEBTOR],
                issue_date=today - timedelta(days=40 + n % 10),
                due_date=today - timedelta(days=10 + n % 10),
                amount=Decimal("121.00"),
                open_amount=Decimal("121.00"),
                payment_reference=f"RF{n:012d}",
            )
            for n in range(DEBTORS * INVOICES_PER_DEBTOR)
        )
        batch: list = []
        for invoice in invoices:
            batch.append(invoice)
            if len(batch) == BATCH:
                Invoice.objects.bulk_create(batch)
                batch = []
        if batch:
            Invoice.objects.bulk_create(batch)
        group = ActionGroup.objects.create(name="Herinnering 1")
        Action.objects.create(
            group=group,
            position=1,
            name="Herinnering 1 per e-mail",
            action_type=ActionType.EMAIL,
            message_kind="reminder_1",
            channel="email",
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return group.pk


# --- the measured parts, each in a process of its own -----------------------------------------


def _ready() -> None:
    """Tell the parent this process is set up, and wait for the start."""
    print("ready", flush=True)
    sys.stdin.readline()


def floor_child(url: str) -> dict:
    django_setup(url)
    from django.db import connection, transaction
    from django.utils import timezone

    from settle.correspondence.models import Message
    from settle.receivables.models import Debtor

    debtors = list(Debtor.objects.order_by("pk").values_list("pk", "email"))
    now = timezone.now()
    connection.ensure_connection()
    _ready()
    started = time.perf_counter()
    with transaction.atomic():
        Message.objects.bulk_create(
            (
                Message(
                    channel="email",
                    recipient=email,
                    subject="Herinnering",
                    body_text="Uw facturen staan nog open.",
                    debtor_id=pk,
                    cause="bench",
                    idempotency_key=f"bench:{pk}",
                    kind="bench",
                    due_at=now,
                )
                for pk, email in debtors
            ),
            batch_size=BATCH,
        )
    seconds = time.perf_counter() - started
    Message.objects.filter(kind="bench").delete()
    return {"seconds": seconds, "rows": len(debtors), "peak_mb": peak_mb()}


def worker_child(url: str, profile: bool) -> dict:
    """`items_process_due` until no item is pending: the dunning part of `settle worker`."""
    django_setup(url)
    from django.db import connection

    from settle.dunning.models import DunningRunItem, ItemState
    from settle.dunning.processing import items_process_due

    connection.ensure_connection()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    baseline = peak_mb()
    _ready()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    handled = 0
    while True:
        count = items_process_due()
        handled += count
        if not count:
            # Another worker may still hold leased items; stop when none is pending.
            if not DunningRunItem.objects.filter(state=ItemState.PENDING).exists():
                break
            time.sleep(0.05)
    seconds = time.perf_counter() - started
    if profiler:
        import pstats

        profiler.disable()
        if out := os.environ.get("BENCH_PROFILE_OUT"):
            profiler.dump_stats(out)  # for pstats' callers/callees views
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    return {"handled": handled, "seconds": seconds, "peak_mb": peak_mb(), "baseline_mb": baseline}


def children_start(url: str, role: str, count: int, *, profile: bool = False) -> list:
    command = [sys.executable, __file__, "--child", role, "--database", url]
    if profile:
        command.append("--profile")
    children = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    for child in children:
        assert child.stdout.readline().strip() == "ready"
    return children


def children_go(children: list) -> None:
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()


def children_wait(children: list) -> list[dict]:
    reports = []
    for child in children:
        out, _err = child.communicate(timeout=3600)
        if child.returncode:
            raise SystemExit(f"a child process failed with exit code {child.returncode}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def run_make(group_id: int) -> tuple[float, int]:
    """run_start on every invoice, as the back office's "Run" does; returns (seconds, run id)."""
    from settle.dunning.models import ActionGroup
    from settle.dunning.runs import run_start
    from settle.receivables.models import Invoice

    group = ActionGroup.objects.get(pk=group_id)
    started = time.perf_counter()
    run = run_start(group=group, invoices=Invoice.objects.all())
    return time.perf_counter() - started, run.pk


def outcome_check(run_id: int) -> dict:
    from django.db.models import Count

    from settle.correspondence.models import Message
    from settle.dunning.models import DunningRunItem, ItemState

    items = dict(
        DunningRunItem.objects.filter(run_id=run_id)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    messages = Message.objects.filter(kind="reminder_1")
    found = {
        "items": items,
        "messages": messages.count(),
        "debtors_messaged": messages.values("debtor_id").distinct().count(),
        "invoice_links": Message.invoices.through.objects.filter(
            message__kind="reminder_1"
        ).count(),
    }
    problems = []
    if items.get(ItemState.SENT, 0) != DEBTORS:
        problems.append(f"{items.get(ItemState.SENT, 0):,} items done, not {DEBTORS:,}")
    if found["messages"] != DEBTORS or found["debtors_messaged"] != DEBTORS:
        problems.append(
            f"{found['messages']:,} messages to {found['debtors_messaged']:,} debtors, "
            f"not one each to {DEBTORS:,}"
        )
    if found["invoice_links"] != DEBTORS * INVOICES_PER_DEBTOR:
        problems.append(f"{found['invoice_links']:,} invoices listed in the messages")
    found["problems"] = problems
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="cProfile the (first) worker")
    parser.add_argument("--child", choices=["floor", "worker"], help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        outcome = (
            floor_child(args.database)
            if args.child == "floor"
            else worker_child(args.database, args.profile)
        )
        print(json.dumps(outcome), flush=True)
        return

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        raise SystemExit("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    invoices = DEBTORS * INVOICES_PER_DEBTOR
    print(
        f"dunning_run: {invoices:,} invoices of {DEBTORS:,} debtors, reminder_1 by e-mail, "
        f"{WORKERS} worker process(es)",
        flush=True,
    )
    database_recreate(url)
    django_setup(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    group_id = data_load()
    print(f"loaded in {time.perf_counter() - started:.1f} s", flush=True)

    floor = children_wait(_started_and_going(url, "floor", 1))[0]

    # The workers are set up (Django loaded, connected) before the clock starts, as a running
    # `settle worker` is; they start looking when the run is made.
    workers = children_start(url, "worker", WORKERS, profile=args.profile)
    make_seconds, run_id = run_make(group_id)
    connection.close()
    work_started = time.perf_counter()
    children_go(workers)
    reports = children_wait(workers)
    work_seconds = time.perf_counter() - work_started
    found = outcome_check(run_id)
    report(floor, make_seconds, work_seconds, reports, found)
    if found["problems"]:
        raise SystemExit(f"the outcome is wrong: {', '.join(found['problems'])}")


def _started_and_going(url: str, role: str, count: int) -> list:
    children = children_start(url, role, count)
    children_go(children)
    return children


def report(floor: dict, make_seconds: float, work_seconds: float, reports, found) -> None:
    total = make_seconds + work_seconds
    print(f"{'':<58}{'seconds':>9}{'rows/s':>10}")
    for label, seconds in (
        (f"floor: bulk insert of {floor['rows']:,} bare outbox rows", floor["seconds"]),
        ("Settle: run_start (run + items)", make_seconds),
        (f"Settle: items_process_due, {WORKERS} worker(s), to the outbox", work_seconds),
        ("Settle: total, until every message is in the outbox", total),
    ):
        print(f"{label:<58}{seconds:>9.2f}{DEBTORS / seconds:>10,.0f}")
    peak = max(r["peak_mb"] for r in reports)
    split = " + ".join(f"{r['handled']:,}" for r in reports)
    print(f"items per worker: {split}")
    print(
        f"goal <= {GOAL_SECONDS:.0f} s: {'OK' if total <= GOAL_SECONDS else 'ABOVE GOAL'}; "
        f"ratio floor / Settle: {floor['seconds'] / total:.1%} "
        f"(Settle takes {total / floor['seconds']:.0f}x the floor)"
    )
    print(
        f"worker peak memory (ru_maxrss): {peak:.0f} MB (after set-up "
        f"{max(r['baseline_mb'] for r in reports):.0f} MB); goal <= {GOAL_MB:.0f} MB: "
        f"{'OK' if peak <= GOAL_MB else 'ABOVE GOAL'}"
    )
    print(
        f"outcome: items {found['items']}, {found['messages']:,} messages to "
        f"{found['debtors_messaged']:,} debtors listing {found['invoice_links']:,} invoices"
    )
    print("one message per debtor: " + ("yes" if not found["problems"] else "NO"))


if __name__ == "__main__":
    main()
