import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from settle.common.worker import worker_run, worker_run_once

ROOT = Path(__file__).resolve().parents[3]
THIS = "settle.common.tests.test_worker"
ran: list[str] = []
rounds = threading.Event()


def first_task() -> int:
    ran.append("first")
    return 2


def broken_task() -> int:
    ran.append("broken")
    raise RuntimeError("the disk is full")


def last_task() -> int:
    ran.append("last")
    return 1


def idle_task() -> int:
    ran.append("idle")
    if ran.count("idle") >= 3:
        rounds.set()
    return 0


@pytest.fixture(autouse=True)
def fresh():
    ran.clear()
    rounds.clear()


def test_it_runs_every_registered_task_once(settings, capsys):
    settings.SETTLE_WORKER_TASKS = [f"{THIS}.first_task", f"{THIS}.last_task"]

    call_command("worker", "--once")

    assert ran == ["first", "last"]
    assert "handled 3" in capsys.readouterr().out


def test_it_goes_on_with_the_other_tasks_when_one_fails(caplog):
    handled = worker_run_once([first_task, broken_task, last_task])

    assert ran == ["first", "broken", "last"]
    assert handled == 3
    assert "broken_task" in caplog.text
    assert "the disk is full" in caplog.text


def test_it_loops_until_told_to_stop(settings):
    settings.SETTLE_WORKER_TASKS = [f"{THIS}.idle_task"]
    stop = threading.Event()
    loop = threading.Thread(target=worker_run, kwargs={"stop": stop, "idle_seconds": 0.01})

    loop.start()
    assert rounds.wait(timeout=10), "the worker did not keep going"
    stop.set()
    loop.join(timeout=5)

    assert not loop.is_alive()


def test_it_stops_cleanly_on_sigterm(tmp_path):
    # A real `settle worker` process on a database of its own; the test database is not
    # reachable from another process mid-transaction.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(SETTLE_VAR_DIR=str(tmp_path), SETTLE_WORKER_IDLE_SECONDS="1", PYTHONPATH=str(ROOT))
    settle = [sys.executable, "-m", "settle"]
    subprocess.run([*settle, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    worker = subprocess.Popen(
        [*settle, "worker"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        for _line in range(50):
            if "worker started" in worker.stderr.readline():
                break
        else:
            pytest.fail("the worker did not start")
        time.sleep(0.5)
        worker.send_signal(signal.SIGTERM)
        _out, rest = worker.communicate(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0
    assert "worker stopped" in rest
    assert "Traceback" not in rest
