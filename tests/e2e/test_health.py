"""``GET /health`` tells a load balancer whether the server reaches its database: 200 while
PostgreSQL answers, 503 with a coded error while it cannot be reached, 200 again once it is
back — without a restart. PostgreSQL is reached through a TCP relay the test cuts."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from leadgate.platform import Organization
from leadgate.platform.engine import errors
from leadgate.web import create_app
from tests.e2e.conftest import TestClient, assert_error


class Relay:
    """Forwards connections from a local port to PostgreSQL, until it is cut."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            server = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def cut(self) -> None:
        """Refuse new connections and break the open ones, as a database that went away."""
        assert self._listener is not None
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self._listener.close()
        with self._lock:
            for connection in self._open:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self._open.clear()


@pytest.fixture
def relayed(database_url: str) -> Iterator[tuple[Organization, Relay]]:
    url = sa.make_url(database_url)
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    relay.start()
    relayed_url = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    with Organization.open(relayed_url) as organization:
        yield organization, relay
    with contextlib.suppress(AssertionError):
        relay.cut()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_health_says_whether_the_database_answers(relayed):
    organization, relay = relayed
    with TestClient(create_app(organization), raise_server_exceptions=False) as anonymous:
        assert (anonymous.get("/health").status_code, anonymous.get("/health").json()) == (
            200, {"status": "ok"})  # fmt: skip

        relay.cut()
        down = anonymous.get("/health")
        assert_error(down, 503, errors.DATABASE_UNAVAILABLE.code)
        french = anonymous.get("/health", headers={"Accept-Language": "fr"})
        assert_error(french, 503, errors.DATABASE_UNAVAILABLE.code, "fr")
        assert french.json()["error"]["message"] != down.json()["error"]["message"]

        relay.start()  # the same port: the database is back
        assert anonymous.get("/health").status_code == 200
