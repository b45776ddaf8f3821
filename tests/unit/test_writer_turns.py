"""SQLite's writers of one process take turns first come, first served: a thread that writes
again and again (a bulk job) no longer keeps another (a browser's request) waiting."""

from __future__ import annotations

import threading
import time

from leadgate.platform.engine.writers import WriterTurns


def queued(turns: WriterTurns, count: int) -> None:
    """Wait until ``count`` threads are in the queue (the holder included)."""
    while len(turns._queue) < count:
        time.sleep(0.001)


def test_writers_take_their_turns_in_the_order_they_came():
    turns = WriterTurns(timeout=30)
    order: list[str] = []

    def write(name: str) -> None:
        with turns.turn():
            order.append(name)

    with turns.turn():
        with turns.turn():  # the same thread again (a nested write) does not wait for itself
            order.append("nested")
        threads = []
        for position, name in enumerate(("second", "third", "fourth"), 2):
            thread = threading.Thread(target=write, args=(name,))
            thread.start()
            queued(turns, position)
            threads.append(thread)
        order.append("first")
    for thread in threads:
        thread.join()
    assert order == ["nested", "first", "second", "third", "fourth"]
    assert len(turns._queue) == 0


def test_a_writer_that_waited_too_long_goes_on_and_leaves_the_queue_as_it_was():
    turns = WriterTurns(timeout=0.05)
    went_on = threading.Event()

    def write() -> None:
        with turns.turn():
            went_on.set()

    with turns.turn():
        thread = threading.Thread(target=write)
        thread.start()
        assert went_on.wait(10)  # past its timeout: SQLite's own lock decides, as before
        thread.join()
        assert len(turns._queue) == 1  # only the holder
    with turns.turn():
        assert len(turns._queue) == 1
