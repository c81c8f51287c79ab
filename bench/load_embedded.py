"""Load test: the embedded default (`settle serve`, SQLite) under debtors signing in and responding.

    .venv/bin/python bench/load_embedded.py                      # 100 debtors for 60 s
    .venv/bin/python bench/load_embedded.py --debtors 20 --seconds 8

Starts the real `settle serve` (waitress with the worker thread beside it, as `make run` does) on
a fresh SQLite database in a temporary var dir, with demo-like data: every debtor has a few open
invoices and a portal link. Then each debtor, in its own thread, goes round and round for the
given time as a browser would:
    open its link, press "Sign in" (a POST with the CSRF token), the landing page,
    the response page for one invoice, save a response (a promise or a complaint,
    alternately), the landing page it is sent back to.
Every request counts. An error is an HTTP 5xx, any status the step does not expect, a connection
reset or refused, a timeout (default 30 s), or a traceback or a failed worker round in the
server's log. Printed: requests, errors by kind, latency p50/p95/max, and what the worker did.
Exits 1 on any error.

BENCH_SERVE names another serving command to compare (e.g. a copy of the old runserver one).
The test suite runs the same harness at a smaller scale (settle/common/tests/test_load_embedded.py).
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
INVOICES_PER_DEBTOR = 4
TIMEOUT = 30.0
HOME = "/portal/"
RESPOND = "/portal/respond/"


# --- the data (runs in a child process with Django set up) ------------------------------------


def seed(debtors: int) -> None:
    """Create `debtors` debtors with open invoices and print one portal key per line."""
    import django

    django.setup()
    from settle.portal.services import portal_link_issue
    from settle.receivables.models import Debtor
    from settle.receivables.services.debtors import debtors_upsert_batch
    from settle.receivables.services.invoices import invoices_upsert_batch

    numbers = [f"LOAD-{n:04d}" for n in range(1, debtors + 1)]
    debtors_upsert_batch(
        items=[
            {
                "number": number,
                "name": f"Load debtor {number}",
                "email": f"{number.lower()}@example.nl",
                "language": "nl" if n % 2 else "en",
                "street": "Dorpsstraat 1",
                "postal_code": "3511 AB",
                "city": "Utrecht",
            }
            for n, number in enumerate(numbers)
        ]
    )
    start = date.today() - timedelta(days=60)
    invoices_upsert_batch(
        items=[
            {
                "number": f"{number}-{n}",
                "debtor_number": number,
                "issue_date": (start + timedelta(days=n)).isoformat(),
                "due_date": (start + timedelta(days=n + 30)).isoformat(),
                "amount": f"{100 + n}.50",
                "open_amount": f"{100 + n}.50",
                "collection_status": "open",
                "payment_reference": f"RF{number}{n:04d}",
            }
            for number in numbers
            for n in range(INVOICES_PER_DEBTOR)
        ]
    )
    for debtor in Debtor.objects.filter(number__in=numbers).order_by("number"):
        print(portal_link_issue(debtor=debtor).key)


def worker_summary() -> None:
    """Print what the outbox holds after the run, by status (child process)."""
    import django

    django.setup()
    from django.db.models import Count

    from settle.correspondence.models import Message

    counts = dict(Message.objects.values_list("status").annotate(n=Count("pk")))
    print(" ".join(f"{status}={n}" for status, n in sorted(counts.items())))


# --- one debtor -------------------------------------------------------------------------------


@dataclass
class Tally:
    """What all debtors saw; appended to under a lock."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    responses: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors[error] += 1


class StepFailed(Exception):
    pass


class Browser:
    """One debtor's browser: a cookie jar and a persistent connection, reopened when closed."""

    def __init__(self, port: int, tally: Tally):
        self.port = port
        self.tally = tally
        self.jar = SimpleCookie()
        self.conn: http.client.HTTPConnection | None = None

    def request(self, step: str, method: str, path: str, *, form=None, expect: int):
        headers = {"Cookie": "; ".join(f"{k}={m.value}" for k, m in self.jar.items() if m.value)}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # What a browser sends under Referrer-Policy: no-referrer.
            headers["Origin"] = "null"
            headers["Sec-Fetch-Site"] = "same-origin"
        started = time.monotonic()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode()
        except TimeoutError:
            self._drop()
            self.tally.record(time.monotonic() - started, f"timeout ({step})")
            raise StepFailed from None
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            self._drop()
            self.tally.record(time.monotonic() - started, f"{type(exc).__name__} ({step})")
            raise StepFailed from None
        elapsed = time.monotonic() - started
        if response.getheader("Connection", "").lower() == "close":
            self._drop()
        for line in response.headers.get_all("Set-Cookie") or []:
            self.jar.load(line)
        if response.status != expect:
            kind = "HTTP 500" if response.status >= 500 else f"HTTP {response.status}"
            locked = " database is locked" if "database is locked" in text else ""
            self.tally.record(elapsed, f"{kind}{locked} ({step})")
            raise StepFailed
        self.tally.record(elapsed)
        return response, text

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def hidden(name: str, html: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    if not match:
        raise StepFailed
    return match.group(1)


def debtor_run(number: int, key: str, port: int, deadline: float, tally: Tally) -> None:
    browser = Browser(port, tally)
    rounds = 0
    while time.monotonic() < deadline:
        rounds += 1
        browser.jar.clear()
        try:
            _response, page = browser.request("link", "GET", f"/p/{key}", expect=200)
            token = hidden("csrfmiddlewaretoken", page)
            browser.request(
                "sign-in", "POST", f"/p/{key}", form={"csrfmiddlewaretoken": token}, expect=302
            )
            _response, home = browser.request("landing", "GET", HOME, expect=200)
            invoice = re.findall(r'name="invoice" value="(\d+)"', home)[rounds % 2]
            code = "promise" if (number + rounds) % 2 else "complaint"
            query = urlencode({"invoice": invoice, "type": code})
            _response, form = browser.request("form", "GET", f"{RESPOND}?{query}", expect=200)
            fields = (
                {"f_promised_date": (date.today() + timedelta(days=7)).isoformat()}
                if code == "promise"
                else {"f_text": f"Load test complaint {number}/{rounds}."}
            )
            browser.request(
                "respond",
                "POST",
                RESPOND,
                form={
                    "csrfmiddlewaretoken": hidden("csrfmiddlewaretoken", form),
                    "submission_key": hidden("submission_key", form),
                    "invoice": invoice,
                    "type": code,
                    **fields,
                },
                expect=302,
            )
            with tally.lock:
                tally.responses += 1
            browser.request("landing", "GET", HOME, expect=200)
        except (StepFailed, IndexError):
            # A page without what the next step needs has been counted already, or is one.
            time.sleep(0.1)
    browser._drop()


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(var_dir: Path, port: int) -> dict[str, str]:
    """The embedded default exactly: no DATABASE_URL, so SQLite in the var dir."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SETTLE_ENV")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "settle.config.settings",
            "SETTLE_VAR_DIR": str(var_dir),
            "SETTLE_BASE_URL": f"http://127.0.0.1:{port}",
            "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]),
        }
    )
    return env


def settle_command() -> list[str]:
    return [sys.executable, "-m", "settle"]


def server_start(env: dict[str, str], port: int, log) -> subprocess.Popen:
    server = subprocess.Popen(
        [*settle_command(), os.environ.get("BENCH_SERVE", "serve"), "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("settle serve did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("settle serve did not answer within 60 seconds")


@dataclass
class Result:
    requests: int
    responses: int
    seconds: float
    errors: Counter
    p50: float
    p95: float
    max: float
    outbox: str


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def child(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(command[1:])} failed:\n{done.stdout}{done.stderr}")
    return done


def run(*, debtors: int = 100, seconds: float = 60.0, port: int | None = None) -> Result:
    """Serve, load, stop; return the figures. Errors in the server's log count as errors."""
    port = port or free_port()
    var_dir = Path(tempfile.mkdtemp(prefix="settle-load-"))
    env = environment(var_dir, port)
    try:
        child([*settle_command(), "migrate", "--noinput"], env)
        seeded = child([sys.executable, __file__, "--seed", str(debtors)], env)
        keys = seeded.stdout.split()
        assert len(keys) == debtors, seeded.stdout
        log_path = var_dir / "serve.log"
        with open(log_path, "wb") as log:
            server = server_start(env, port, log)
            tally = Tally()
            started = time.monotonic()
            deadline = started + seconds
            threads = [
                threading.Thread(target=debtor_run, args=(n, key, port, deadline, tally))
                for n, key in enumerate(keys)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                tally.errors["server did not stop on SIGTERM"] += 1
        server_log = log_path.read_text(errors="replace")
        for kind, pattern in (
            ("server log: database is locked", r"database is locked"),
            ("server log: worker task failed", r"worker task .* failed"),
            ("server log: traceback", r"Traceback \(most recent call last\)"),
        ):
            found = len(re.findall(pattern, server_log))
            if found:
                tally.errors[kind] += found
        outbox = child([sys.executable, __file__, "--outbox"], env).stdout.strip()
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"kept: {var_dir}", file=sys.stderr)
        else:
            shutil.rmtree(var_dir, ignore_errors=True)
    return Result(
        requests=len(tally.latencies),
        responses=tally.responses,
        seconds=elapsed,
        errors=tally.errors,
        p50=percentile(tally.latencies, 0.50),
        p95=percentile(tally.latencies, 0.95),
        max=max(tally.latencies, default=0.0),
        outbox=outbox,
    )


def report(result: Result, debtors: int) -> str:
    lines = [
        f"debtors: {debtors}, {result.seconds:.1f} s",
        f"requests: {result.requests} ({result.requests / result.seconds:.1f}/s), "
        f"responses saved: {result.responses}",
        f"latency: p50 {result.p50 * 1000:.0f} ms, p95 {result.p95 * 1000:.0f} ms, "
        f"max {result.max * 1000:.0f} ms",
        f"outbox after the run: {result.outbox or 'empty'}",
        f"errors: {sum(result.errors.values())}",
    ]
    lines += [f"  {n:6d}  {kind}" for kind, n in result.errors.most_common()]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debtors", type=int, default=int(os.environ.get("BENCH_DEBTORS", 100)))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 60)))
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--outbox", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.seed)
        return 0
    if args.outbox:
        worker_summary()
        return 0
    result = run(debtors=args.debtors, seconds=args.seconds, port=args.port)
    print(report(result, args.debtors))
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
