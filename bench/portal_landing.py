"""Benchmark: the portal's landing page under gunicorn on PostgreSQL, against a bare Django view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench_portal \
        python bench/portal_landing.py

The database named in DATABASE_URL is dropped and created afresh; never point it at real data.

Measured, with 50 concurrent connections for 10 seconds each (wrk, or a small asyncio client
when wrk is not installed: `apt-get install wrk`):
1. floor   - a view that returns "ok" (bench/benchsite/urls.py), through the same middleware on
             the same gunicorn, with production settings;
2. Settle  - the landing page of a debtor with 50 open invoices, 10 of them with an open response,
             signed in through the link's button like a browser, one session per connection.
Reported: requests per second, p50 and p99 latency of each, and landing / floor (goal >= 60 %).
Also: the SQL queries the landing page makes for a debtor with 1 and with 500 open invoices,
which must be the same number.

Server: gunicorn sync workers, as production runs it (DESIGN.md section 3), (2 x cores) + 1 of
them: a sync worker is idle while PostgreSQL answers, so one more than the cores can keep busy
keeps the CPUs working, and each worker keeps its database connection (DB_CONN_MAX_AGE).
A sync worker serves one connection at a time and closes it after the response, as behind a
buffering proxy; the 50 connections queue in the listen backlog. BENCH_WORKER_CLASS=gthread
(with BENCH_THREADS) measures threaded workers with keep-alive instead.
"""

import argparse
import asyncio
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from benchsite.database import database_recreate  # noqa: E402 (after the path is set)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/settle_bench_portal"
INVOICES = 50
ANSWERED = 10
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "2"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
GOAL = 0.60
FLOOR_PATH = "/bench/floor/"
HOME_PATH = "/portal/"
# What the TLS-terminating proxy in front of production adds; production settings trust it.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


# --- setup ------------------------------------------------------------------------------------


def server_environment(url: str, port: int, var_dir: Path) -> dict[str, str]:
    """Production settings, as an operator would set them, on plain HTTP behind a 'proxy'."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "benchsite.settings",
        "SETTLE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "SETTLE_BASE_URL": f"http://127.0.0.1:{port}",
        "SETTLE_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def debtor_with_invoices(number: str, count: int, *, answered: int = 0, language: str = "nl"):
    """A debtor with `count` open invoices, the first `answered` of them with an open response."""
    from settle.receivables.models import Debtor, Invoice
    from settle.receivables.services.debtors import debtors_upsert_batch
    from settle.receivables.services.invoices import invoices_upsert_batch
    from settle.responses.models import ResponseType
    from settle.responses.services import response_submit

    debtors_upsert_batch(
        items=[
            {
                "number": number,
                "name": f"Bench {number}",
                "email": f"{number.lower()}@example.nl",
                "language": language,
                "street": "Dorpsstraat 1",
                "postal_code": "3511 AB",
                "city": "Utrecht",
            }
        ]
    )
    statuses = ["open", "open", "reminder_1", "reminder_2", "final_notice"]
    start = date(2025, 1, 1)
    invoices_upsert_batch(
        items=[
            {
                "number": f"{number}-{n:04d}",
                "debtor_number": number,
                "issue_date": (start + timedelta(days=n)).isoformat(),
                "due_date": (start + timedelta(days=n + 30)).isoformat(),
                "amount": f"{100 + n}.50",
                "open_amount": f"{100 + n}.50",
                "collection_status": statuses[n % len(statuses)],
                "payment_reference": f"RF{number}{n:06d}",
            }
            for n in range(count)
        ]
    )
    debtor = Debtor.objects.get(number=number)
    promise = ResponseType.objects.get(code="promise")
    for n, invoice in enumerate(Invoice.objects.filter(debtor=debtor).order_by("pk")[:answered]):
        response_submit(
            debtor=debtor,
            response_type=promise,
            invoices=[invoice],
            values={"promised_date": (date.today() + timedelta(days=30)).isoformat()},
            submission_key=f"bench-{number}-{n}",
        )
    return debtor


# --- the landing page's queries ---------------------------------------------------------------


def landing_queries(debtor) -> int:
    """SQL queries of one landing-page request of a signed-in debtor (after a first one)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from settle.portal.services import portal_link_issue

    client = Client(headers=PROXY_HEADERS)
    key = portal_link_issue(debtor=debtor).key
    signed_in = client.post(reverse("portal:link", kwargs={"key": key}))
    assert signed_in.status_code == 302, signed_in.status_code
    client.get(HOME_PATH)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(HOME_PATH)
    assert page.status_code == 200, page.status_code
    return len(queries)


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
        "--worker-class",
        WORKER_CLASS,
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    if WORKER_CLASS == "gthread":
        command += ["--threads", str(THREADS)]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start")
        try:
            if http_request(port, "GET", FLOOR_PATH)[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 30 seconds")


def http_request(port: int, method: str, path: str, *, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={**PROXY_HEADERS, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        conn.close()


def browser_sign_in(port: int, key: str) -> str:
    """Open the link and press its button as a browser does; returns the Cookie header."""
    status, headers, html = http_request(port, "GET", f"/p/{key}")
    assert status == 200, status
    jar = SimpleCookie()
    for line in headers.get_all("Set-Cookie") or []:
        jar.load(line)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    status, headers, _body = http_request(
        port,
        "POST",
        f"/p/{key}",
        body=urlencode({"csrfmiddlewaretoken": token}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={m.value}" for k, m in jar.items()),
            # What a browser sends under Referrer-Policy: no-referrer.
            "Origin": "null",
            "Sec-Fetch-Site": "same-origin",
        },
    )
    assert status == 302 and headers["Location"] == HOME_PATH, (status, headers)
    for line in headers.get_all("Set-Cookie") or []:
        jar.load(line)
    return "; ".join(f"{k}={m.value}" for k, m in jar.items() if m.value)


# --- load -------------------------------------------------------------------------------------

WRK_SCRIPT = """
local cookies = {%(cookies)s}
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  bad = 0
  n = offset
end
function request()
  n = n + 1
  local headers = {["X-Forwarded-Proto"] = "https"}
  if #cookies > 0 then headers["Cookie"] = cookies[(n %% #cookies) + 1] end
  return wrk.format("GET", "%(path)s", headers)
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + thread:get("bad") end
  io.write(string.format("RESULT %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), failed + summary.errors.timeout))
end
"""


def load_wrk(port: int, path: str, cookies: list[str], seconds: int) -> dict:
    quoted = ", ".join('"' + c.replace('"', "") + '"' for c in cookies)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"cookies": quoted, "path": path})
    try:
        done = subprocess.run(
            [
                "wrk",
                "-t",
                str(min(2, CONNECTIONS)),
                "-c",
                str(CONNECTIONS),
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}{path}",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(script.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    requests, duration_us, p50_us, p99_us, failed = map(int, line.split()[1:])
    return {
        "rps": requests / (duration_us / 1e6),
        "p50": p50_us / 1000,
        "p99": p99_us / 1000,
        "requests": requests,
        "failed": failed,
    }


def load_asyncio(port: int, path: str, cookies: list[str], seconds: int) -> dict:
    """The same measurement without wrk: CONNECTIONS clients in one event loop."""

    async def client(number: int, stop: float, latencies: list[float], failures: list[int]):
        n = number
        reader = writer = None
        while time.monotonic() < stop:
            n += 1
            cookie = f"Cookie: {cookies[n % len(cookies)]}\r\n" if cookies else ""
            request = (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"X-Forwarded-Proto: https\r\n{cookie}\r\n"
            ).encode()
            started = time.monotonic()
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            await reader.readexactly(length)
            latencies.append(time.monotonic() - started)
            if status != 200:
                failures.append(status)
            if re.search(rb"(?i)connection: *close", head):
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    async def run() -> tuple[list[float], list[int], float]:
        latencies: list[float] = []
        failures: list[int] = []
        started = time.monotonic()
        stop = started + seconds
        await asyncio.gather(*(client(i, stop, latencies, failures) for i in range(CONNECTIONS)))
        return latencies, failures, time.monotonic() - started

    latencies, failures, elapsed = asyncio.run(run())
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "requests": len(latencies),
        "failed": len(failures),
    }


def load(port: int, path: str, cookies: list[str], seconds: int) -> dict:
    if shutil.which("wrk"):
        result = load_wrk(port, path, cookies, seconds)
    else:
        result = load_asyncio(port, path, cookies, seconds)
    if result["failed"]:
        raise SystemExit(f"{path}: {result['failed']} requests did not answer 200")
    return result


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        raise SystemExit("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    generator = "wrk" if shutil.which("wrk") else "asyncio client (install wrk for less noise)"
    print(
        f"portal_landing: {INVOICES} open invoices, {CONNECTIONS} connections, {SECONDS} s, "
        f"gunicorn {WORKERS} {WORKER_CLASS} workers"
        + (f" x {THREADS} threads" if WORKER_CLASS == "gthread" else "")
        + f", load by {generator}",
        flush=True,
    )
    database_recreate(url)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="settle-bench-portal-") as var_dir:
        env = server_environment(url, port, Path(var_dir))
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command
        from django.test.utils import setup_test_environment

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        setup_test_environment()

        from settle.portal.services import portal_link_issue

        debtor = debtor_with_invoices("BENCH50", INVOICES, answered=ANSWERED)
        one = landing_queries(debtor_with_invoices("BENCH1", 1, answered=1))
        many = landing_queries(debtor_with_invoices("BENCH500", 500, answered=ANSWERED))
        keys = [portal_link_issue(debtor=debtor).key for _ in range(CONNECTIONS)]

        server = gunicorn_start(env, port)
        try:
            cookies = [browser_sign_in(port, key) for key in keys]
            status, _headers, html = http_request(
                port, "GET", HOME_PATH, headers={"Cookie": cookies[0]}
            )
            shown = html.count('<li class="invoice">')
            assert status == 200 and shown == INVOICES, (status, shown)
            load(port, FLOOR_PATH, cookies, 2)  # warm up every worker
            load(port, HOME_PATH, cookies, 2)
            floors, landings = [], []
            for _ in range(REPEAT):
                floors.append(load(port, FLOOR_PATH, cookies, SECONDS))
                landings.append(load(port, HOME_PATH, cookies, SECONDS))
        finally:
            server.terminate()
            server.wait(timeout=30)
    report(max(floors, key=lambda r: r["rps"]), max(landings, key=lambda r: r["rps"]), one, many)


def report(floor: dict, landing: dict, one: int, many: int) -> None:
    print(f"best of {REPEAT} runs of {SECONDS} s")
    print(f"{'':<40}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for label, run in (
        ("floor: bare Django view", floor),
        (f"Settle: landing page, {INVOICES} invoices", landing),
    ):
        print(f"{label:<40}{run['rps']:>9,.0f}{run['p50']:>9.1f}{run['p99']:>9.1f}")
    ratio = landing["rps"] / floor["rps"]
    verdict = "OK" if ratio >= GOAL else "BELOW GOAL"
    print(f"ratio landing / floor: {ratio:.0%} (goal >= {GOAL:.0%}: {verdict})")
    same = "the same" if one == many else "NOT the same"
    print(f"SQL queries for the landing page: 1 invoice {one}, 500 invoices {many} ({same})")
    if one != many:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
