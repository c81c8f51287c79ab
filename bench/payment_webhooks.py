"""Benchmark: Mollie webhooks booking payments under gunicorn on PostgreSQL, against a view that
only fetches the payment from Mollie.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench_payments \
        python bench/payment_webhooks.py

The database named in DATABASE_URL is dropped and created afresh; never point it at real data.

A fake Mollie API (settle/payments/tests/fake_mollie.py, the one the tests use) runs in this
process on 127.0.0.1; Settle talks to it through the real `mollie-api-python` client
(SETTLE_PAYMENTS_URL=mollie+http://test_…@127.0.0.1:PORT). 500 payment requests are made
through Settle's own `payment_request_create` (one open invoice each, one debtor each) and then
marked paid at the fake. Then 2,000 webhook deliveries (every payment 4 times, the copies
one after the other, so duplicates of a payment are in flight at the same moment), 16 at a time,
each a POST of `id=tr_…` on a new connection:
1. floor   - to /bench/floor/mollie (bench/benchsite/payments_urls.py): the same gunicorn, the
             same middleware, the same fetch from the fake through the same client, then 200;
2. Settle  - to /payments/webhook/mollie: fetch, lock, book, allocate, keep the promises.
Reported: deliveries per second of both, bookings per second of Settle, p50/p99 latency and
Settle / floor. Then a COUNT proves that every payment was booked exactly once: 500 payments
from the provider (source psp), each request holding its own, each invoice paid; the fake must
have created exactly one payment per request. Exits 1 otherwise, or on any answer but 200.

Server: gunicorn sync workers, as production runs it, (2 x cores) + 1 of them (BENCH_WORKERS).
The best of BENCH_REPEAT (2) runs is reported, each with payments of its own (another busy
process on the machine only ever makes a run slower).
Knobs: BENCH_PAYMENTS (500), BENCH_COPIES (4), BENCH_CONCURRENCY (16), BENCH_ORDER (together:
the copies of a payment one after the other; spread: every payment once, then again, as
Mollie's retries come).
"""

import argparse
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from benchsite.database import database_recreate  # noqa: E402 (after the path is set)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/settle_bench_payments"
PAYMENTS = int(os.environ.get("BENCH_PAYMENTS", "500"))
COPIES = int(os.environ.get("BENCH_COPIES", "4"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
ORDER = os.environ.get("BENCH_ORDER", "together")
REPEAT = int(os.environ.get("BENCH_REPEAT", "2"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
# Payments booked before the clock starts, so that every worker has its connections, its
# imports and its Mollie client warm when the measured deliveries begin.
WARM = 2 * WORKERS
FLOOR_PATH = "/bench/floor/mollie"
WEBHOOK_PATH = "/payments/webhook/mollie"
# A made-up test key in the form Mollie gives them: test_ and 30 letters and digits.
API_KEY = "test_" + "Bench" * 6


# --- setup ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mollie_url(fake_url: str) -> str:
    """SETTLE_PAYMENTS_URL for Mollie's API at the fake's address."""
    return f"mollie+http://{API_KEY}@{fake_url.split('://', 1)[1].rstrip('/')}"


def server_environment(url: str, port: int, var_dir: Path) -> dict[str, str]:
    """Production settings, as an operator would set them (Mollie's address is added once the
    fake runs)."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "benchsite.payments_settings",
        "SETTLE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "SETTLE_BASE_URL": f"http://127.0.0.1:{port}",
        "SETTLE_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def debtors_with_one_invoice(count: int) -> list:
    """`count` debtors, each with one open invoice of its own amount."""
    from settle.receivables.models import Invoice
    from settle.receivables.services.debtors import debtors_upsert_batch
    from settle.receivables.services.invoices import invoices_upsert_batch

    numbers = [f"PAY{n:05d}" for n in range(count)]
    debtors_upsert_batch(
        items=[
            {
                "number": number,
                "name": f"Bench {number}",
                "email": f"{number.lower()}@example.nl",
                "language": "nl",
                "street": "Dorpsstraat 1",
                "postal_code": "3511 AB",
                "city": "Utrecht",
            }
            for number in numbers
        ]
    )
    start = date.today() - timedelta(days=60)
    invoices_upsert_batch(
        items=[
            {
                "number": f"{number}-0001",
                "debtor_number": number,
                "issue_date": start.isoformat(),
                "due_date": (start + timedelta(days=30)).isoformat(),
                "amount": f"{100 + n % 400}.{n % 100:02d}",
                "open_amount": f"{100 + n % 400}.{n % 100:02d}",
                "collection_status": "reminder_1",
                "payment_reference": f"RF{number}",
            }
            for n, number in enumerate(numbers)
        ]
    )
    return list(Invoice.objects.select_related("debtor").order_by("number"))


def requests_paid_at_fake(fake, invoices: list) -> list[str]:
    """A payment request for each invoice, made as the portal makes it, then paid at the fake
    as the debtor would pay it at Mollie's checkout. Returns the Mollie ids."""
    from settle.payments.services import payment_request_create

    ids = []
    for invoice in invoices:
        request = payment_request_create(debtor=invoice.debtor, invoices=[invoice], language="nl")
        fake.set_state(request.provider_id, "paid")
        ids.append(request.provider_id)
    return ids


def deliveries_in_order(ids: list[str]) -> list[str]:
    """Each id COPIES times: one after the other ("together": the copies of a payment are in
    flight at the same moment and queue on its row lock), or round after round ("spread": as
    Mollie's retries come, minutes apart)."""
    if ORDER == "spread":
        return [i for _ in range(COPIES) for i in ids]
    return [i for i in ids for _ in range(COPIES)]


# --- the server -------------------------------------------------------------------------------


def gunicorn_start(env: dict[str, str], port: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "settle.config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start")
        try:
            # An unknown id: Settle answers 200 and changes nothing.
            if deliver(port, WEBHOOK_PATH, ["tr_unknown0"], 1)["bad"] == []:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 30 seconds")


# --- deliveries -------------------------------------------------------------------------------


async def _deliveries(port: int, path: str, ids: list[str], concurrency: int) -> dict:
    queue = list(reversed(ids))
    latencies: list[float] = []
    bad: list[str] = []

    async def one(provider_id: str) -> None:
        body = f"id={provider_id}".encode()
        request = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode() + body
        started = time.perf_counter()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(request)
            answer = await reader.read()
        finally:
            writer.close()
        latencies.append(time.perf_counter() - started)
        status = int(answer.split(b" ", 2)[1])
        if status != 200:
            bad.append(f"{provider_id}: {status}")

    async def client() -> None:
        while queue:
            await one(queue.pop())

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    latencies.sort()
    return {
        "seconds": seconds,
        "count": len(latencies),
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "bad": bad,
    }


def deliver(port: int, path: str, ids: list[str], concurrency: int) -> dict:
    return asyncio.run(_deliveries(port, path, ids, concurrency))


def deliver_apart(port: int, path: str, ids: list[str]) -> dict:
    """The deliveries from a process of their own, so that the client does not share a Python
    interpreter (and its GIL) with the fake Mollie API in this one."""
    done = subprocess.run(
        [sys.executable, __file__, "--deliver", path, "--port", str(port)],
        input=json.dumps(ids),
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    if result["bad"]:
        raise SystemExit(f"{path}: {len(result['bad'])} answers were not 200: {result['bad'][:5]}")
    return result


# --- the check --------------------------------------------------------------------------------


def bookings_check(ids: list[str]) -> list[str]:
    """What is wrong with the bookings: nothing when every request was booked exactly once."""
    from django.db.models import Count, Sum

    from settle.payments.models import PaymentRequest
    from settle.receivables.models import Invoice, Payment, PaymentSource

    problems = []
    booked = Payment.objects.filter(source=PaymentSource.PSP)
    if booked.count() != len(ids):
        problems.append(f"{booked.count()} payments from the provider, expected {len(ids)}")
    twice = booked.values("reference").annotate(n=Count("pk")).filter(n__gt=1).count()
    if twice:
        problems.append(f"{twice} references booked more than once")
    requests = PaymentRequest.objects.filter(provider_id__in=ids)
    unbooked = requests.filter(payment__isnull=True).count()
    if unbooked:
        problems.append(f"{unbooked} requests without their payment")
    wrong = [
        r.provider_id
        for r in requests.select_related("payment")
        if r.payment and (r.payment.amount != r.amount or r.state != "paid")
    ]
    if wrong:
        problems.append(f"{len(wrong)} requests booked with another amount or state: {wrong[:5]}")
    allocated = booked.aggregate(total=Sum("allocations__amount"))["total"]
    expected = requests.aggregate(total=Sum("amount"))["total"]
    if allocated != expected:
        problems.append(f"allocated {allocated}, requested {expected}")
    still_open = Invoice.objects.filter(payment_requests__provider_id__in=ids, open_amount__gt=0)
    if still_open.exists():
        problems.append(f"{still_open.count()} paid invoices still open")
    return problems


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliver", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.deliver:
        ids = json.loads(sys.stdin.read())
        print(json.dumps(deliver(args.port, args.deliver, ids, CONCURRENCY)), flush=True)
        return

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        raise SystemExit("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    print(
        f"payment_webhooks: {PAYMENTS} payments x {COPIES} deliveries, {CONCURRENCY} at a time, "
        f"copies {ORDER}, gunicorn {WORKERS} sync workers, fake Mollie API on 127.0.0.1; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    database_recreate(url)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="settle-bench-payments-") as var_dir:
        env = server_environment(url, port, Path(var_dir))
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from settle.payments.configuration import payments_config_parse
        from settle.payments.tests import fake_mollie

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)

        with fake_mollie.FakeMollie(api_key=API_KEY) as fake:
            # Known only now: the fake's address, for this process and for gunicorn's.
            env["SETTLE_PAYMENTS_URL"] = mollie_url(fake.url)
            settings.SETTLE_PAYMENTS = payments_config_parse(
                env["SETTLE_PAYMENTS_URL"], production=True
            )
            started = time.perf_counter()
            invoices = debtors_with_one_invoice(WARM + REPEAT * PAYMENTS)
            ids = requests_paid_at_fake(fake, invoices)
            created = time.perf_counter() - started
            print(
                f"{len(ids)} payment requests created through payment_request_create and paid "
                f"at the fake in {created:.1f} s ({len(ids) / created:.0f}/s)",
                flush=True,
            )
            warm = ids[:WARM]
            # Each run books payments of its own: a payment booked once is not booked again.
            batches = [ids[WARM + n * PAYMENTS : WARM + (n + 1) * PAYMENTS] for n in range(REPEAT)]
            floors, settles = [], []
            server = gunicorn_start(env, port)
            try:
                deliver_apart(port, FLOOR_PATH, warm)
                deliver_apart(port, WEBHOOK_PATH, warm)
                for batch in batches:
                    floors.append(deliver_apart(port, FLOOR_PATH, deliveries_in_order(batch)))
                    settles.append(deliver_apart(port, WEBHOOK_PATH, deliveries_in_order(batch)))
            finally:
                server.terminate()
                server.wait(timeout=30)
            problems = bookings_check(ids)
            if fake.created != len(ids):
                problems.append(f"the fake created {fake.created} payments for {len(ids)}")
    runs = ", ".join(f"{r['count'] / r['seconds']:.0f}" for r in settles)
    floor_runs = ", ".join(f"{r['count'] / r['seconds']:.0f}" for r in floors)
    print(f"deliveries/s of each run: floor {floor_runs}; Settle {runs} (best reported)")
    floor = min(floors, key=lambda run: run["seconds"])
    settle = min(settles, key=lambda run: run["seconds"])
    report(floor, settle, PAYMENTS)
    if problems:
        print("NOT booked exactly once:")
        for problem in problems:
            print(f"  {problem}")
        raise SystemExit(1)
    print(
        f"checked: {len(ids)} payments from the provider ({REPEAT} x {PAYMENTS} measured, {WARM} "
        f"warming up), each request booked exactly once; load average {os.getloadavg()[0]:.1f}"
    )


def report(floor: dict, settle: dict, payments: int) -> None:
    print(f"{'':<44}{'deliveries/s':>13}{'bookings/s':>11}{'p50 ms':>8}{'p99 ms':>8}")
    for label, run, booked in (
        ("floor: fetch from Mollie, answer 200", floor, "-"),
        ("Settle: webhook, fetch + book once", settle, f"{payments / settle['seconds']:,.0f}"),
    ):
        rate = run["count"] / run["seconds"]
        print(f"{label:<44}{rate:>13,.0f}{booked:>11}{run['p50']:>8.1f}{run['p99']:>8.1f}")
    ratio = floor["seconds"] / settle["seconds"]
    print(f"ratio Settle / floor (deliveries per second): {ratio:.0%}")
    print(
        f"{settle['count']} deliveries in {settle['seconds']:.2f} s "
        f"(floor {floor['seconds']:.2f} s); {payments} bookings"
    )


if __name__ == "__main__":
    main()
