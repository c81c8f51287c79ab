import threading
from collections.abc import Callable

from django.db import connection

# Long enough for a few hundred claims on a slow CI machine; a hang still fails the test.
JOIN_TIMEOUT = 120


def in_threads(*work: Callable[[], object]) -> list:
    """Run the callables at once, each on its own connection, so concurrency tests race for real."""
    start = threading.Barrier(len(work))
    results: list = [None] * len(work)
    failures: list[BaseException] = []

    def run(slot: int) -> None:
        try:
            start.wait()
            results[slot] = work[slot]()
        except BaseException as exc:  # noqa: BLE001 (re-raised in the test's thread below)
            failures.append(exc)
        finally:
            # Each thread opened a connection of its own; left open, it blocks the test database.
            connection.close()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    if failures:
        raise failures[0]
    return results
