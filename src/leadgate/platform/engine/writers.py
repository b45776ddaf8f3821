"""SQLite's writers of one process take turns in the order they came.

SQLite lets one transaction write at a time, and a writer that finds the lock taken polls for
it (every 100 ms once it has waited a while). That is not fair: a thread that commits and
begins again at once — a bulk job's groups of leads, an import — leaves gaps of a millisecond
that a polling writer seldom meets, so a browser's request waited seconds behind the worker
``leadgate serve`` embeds. Writers of one process now queue here first (first come, first
served) and then take SQLite's lock, which between processes still decides alone.
PostgreSQL locks rows, not the database: it needs no turns.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import weakref
from collections.abc import Iterator

import sqlalchemy as sa

__all__ = ["WriterTurns", "take_turns", "writer_turn"]


class WriterTurns:
    """A first-come, first-served queue of the threads that want to write."""

    def __init__(self, timeout: float) -> None:
        self._changed = threading.Condition()
        self._queue: collections.deque[object] = collections.deque()
        self._holder: int | None = None
        self._timeout = timeout

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for this thread's turn, and hold it for the block. A thread that already holds
        it (a nested write) goes on; one that waited ``timeout`` seconds goes on too, and
        SQLite's own lock decides, as without turns."""
        me = threading.get_ident()
        if self._holder == me:
            yield
            return
        token = object()
        with self._changed:
            self._queue.append(token)
            if not self._changed.wait_for(lambda: self._queue[0] is token, self._timeout):
                self._queue.remove(token)
                self._changed.notify_all()
                token = None
            else:
                self._holder = me
        try:
            yield
        finally:
            if token is not None:
                with self._changed:
                    self._holder = None
                    self._queue.popleft()
                    self._changed.notify_all()


_TURNS: weakref.WeakKeyDictionary[sa.Engine, WriterTurns] = weakref.WeakKeyDictionary()


def take_turns(engine: sa.Engine, timeout: float) -> None:
    """Make the writers of ``engine`` in this process take turns (a file SQLite database)."""
    _TURNS[engine] = WriterTurns(timeout)


def writer_turn(engine: sa.Engine) -> contextlib.AbstractContextManager[None]:
    """This thread's turn to write on ``engine`` (nothing to wait for if it takes no turns)."""
    turns = _TURNS.get(engine)
    return turns.turn() if turns is not None else contextlib.nullcontext()
