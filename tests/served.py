"""An app served by uvicorn in a thread of the test process, for tests that need a real
server: slow or concurrent clients, raw sockets, a browser. The socket is bound before the
server starts, so no other test can take its port in between."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any, Literal

import uvicorn

STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    """A port nothing listens on now (for a server started in another process)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served(app: Any, *, lifespan: Literal["on", "off"] = "off") -> Iterator[int]:
    """Serve ``app`` on a free local port until the block ends; yields the port."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        app, log_level="warning", ws="none", lifespan=lifespan, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="leadgate-served", daemon=True
    )
    thread.start()
    try:
        _wait_until_started(server, thread)
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT)
        sock.close()


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    pause = threading.Event()
    for _ in range(int(STARTUP_TIMEOUT / 0.02)):
        if server.started:
            return
        if not thread.is_alive():
            raise RuntimeError("the server stopped while starting (see its log above)")
        pause.wait(0.02)
    raise RuntimeError(f"the server did not start within {STARTUP_TIMEOUT:.0f} s")
