"""Django's SQLite backend with writers of one process served first come, first served.

SQLite has one writer at a time. A connection that finds the write lock taken waits in SQLite's
busy handler, which sleeps and tries again (after 1, 2, 5 … and then every 100 ms) until the
busy timeout: there is no queue, so a writer that has waited long loses the lock again and again
to writers that just arrived and try at once. With many concurrent writers (the embedded default
under load: a web server's threads and the worker thread) some of them waited past the timeout and
failed with `database is locked`. Here every transaction of this process (all of them start
`BEGIN IMMEDIATE`, see settings) first takes its turn in a FIFO queue, so writers wait in order
and SQLite's busy handler is only needed against other processes (a management command).
"""

import threading
from collections import deque

from django.db.backends.sqlite3 import base


class WriteQueue:
    """A lock handed to its waiters in the order they asked for it."""

    def __init__(self):
        self._condition = threading.Condition()
        self._waiting: deque[object] = deque()
        self._held = False

    def acquire(self, *, timeout: float) -> bool:
        """Wait for our turn, at most `timeout` seconds; False if it did not come."""
        me = object()
        with self._condition:
            self._waiting.append(me)
            turn = self._condition.wait_for(
                lambda: not self._held and self._waiting[0] is me, timeout=timeout
            )
            if turn:
                self._waiting.popleft()
                self._held = True
            else:
                self._waiting.remove(me)
                self._condition.notify_all()
            return turn

    def release(self) -> None:
        with self._condition:
            self._held = False
            self._condition.notify_all()


_queues: dict[str, WriteQueue] = {}
_queues_lock = threading.Lock()


def write_queue(name: str) -> WriteQueue:
    """The queue of the database file `name`, shared by all connections of this process."""
    with _queues_lock:
        return _queues.setdefault(str(name), WriteQueue())


class DatabaseWrapper(base.DatabaseWrapper):
    # The queue whose turn this connection holds, if any (the test runner renames the database).
    _queue_held: WriteQueue | None = None

    def _start_transaction_under_autocommit(self):
        queue = write_queue(self.settings_dict["NAME"])
        # Past the busy timeout the transaction begins anyway and SQLite decides, as before.
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        if queue.acquire(timeout=timeout):
            self._queue_held = queue
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._queue_leave()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._queue_leave()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._queue_leave()

    def close(self):
        try:
            super().close()
        finally:
            self._queue_leave()

    def _queue_leave(self) -> None:
        queue, self._queue_held = self._queue_held, None
        if queue is not None:
            queue.release()
