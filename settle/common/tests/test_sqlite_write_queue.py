"""The SQLite backend's write queue: the writers of one process take turns in the order they
came, instead of SQLite's busy handler letting newcomers overtake a writer that waits."""

import threading
import time

import pytest
from django.db import connection, transaction

from settle.common.sqlite.base import WriteQueue, write_queue
from settle.common.tests.threads import in_threads
from settle.receivables.models import Debtor


def test_it_hands_the_turn_to_writers_in_the_order_they_came():
    queue = WriteQueue()
    assert queue.acquire(timeout=1)
    served: list[int] = []

    def writer(number: int) -> None:
        assert queue.acquire(timeout=10)
        served.append(number)
        queue.release()

    threads = []
    for number in range(8):
        threads.append(threading.Thread(target=writer, args=(number,)))
        threads[-1].start()
        # The next writer comes once this one waits.
        while len(queue._waiting) < number + 1:
            time.sleep(0.001)
    queue.release()
    for thread in threads:
        thread.join(timeout=10)

    assert served == list(range(8))


def test_it_lets_a_writer_give_up_after_its_timeout_and_serves_the_next():
    queue = WriteQueue()
    assert queue.acquire(timeout=1)

    assert not queue.acquire(timeout=0.05)
    queue.release()
    assert queue.acquire(timeout=0.05)


@pytest.mark.django_db(transaction=True)
def test_it_gives_the_turn_back_when_a_transaction_ends_either_way():
    if connection.vendor != "sqlite":
        pytest.skip("the write queue belongs to the SQLite backend")
    queue = write_queue(connection.settings_dict["NAME"])

    with transaction.atomic():
        Debtor.objects.create(number="D-1", name="One")
        assert not queue.acquire(timeout=0.01)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        Debtor.objects.create(number="D-2", name="Two")
        1 / 0  # noqa: B018 (a failure inside the transaction)

    def write(number: int):
        def work():
            with transaction.atomic():
                Debtor.objects.create(number=f"T-{number}", name=f"Thread {number}")

        return work

    in_threads(*(write(n) for n in range(6)))
    assert queue.acquire(timeout=0.01)
    queue.release()
    assert Debtor.objects.count() == 7
