"""The worker loop: runs every registered `*_process_due` service until told to stop."""

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger("settle.worker")


def worker_tasks() -> list[Callable[[], int]]:
    return [import_string(path) for path in settings.SETTLE_WORKER_TASKS]


def worker_run_once(tasks: list[Callable[[], int]] | None = None) -> int:
    """Run each task once; return how many rows they handled together.

    A task that raises is logged and skipped for this round: one broken kind of work must not
    starve the others, and its rows stay claimable once their lease runs out.
    """
    handled = 0
    for task in tasks if tasks is not None else worker_tasks():
        close_old_connections()
        try:
            handled += task()
        except Exception:
            logger.exception("worker task %s failed", getattr(task, "__name__", task))
    close_old_connections()
    return handled


def worker_run(*, stop: threading.Event, idle_seconds: float | None = None) -> None:
    """Loop until `stop` is set; sleep only when a round found nothing to do."""
    idle = settings.SETTLE_WORKER_IDLE_SECONDS if idle_seconds is None else idle_seconds
    tasks = worker_tasks()
    logger.info("worker started with %d tasks", len(tasks))
    while not stop.is_set():
        if worker_run_once(tasks) == 0:
            stop.wait(idle)
    logger.info("worker stopped")
