"""A ``leadgate serve`` process for the Web API benches, a Salesperson's token for it, and
the load that keep-alive clients send to a server."""

from __future__ import annotations

import argparse
import http.client
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence

from pipeline_vs_core import salesperson

from leadgate.platform import EntityReference, Organization
from leadgate.platform.users.messages import CreateApiTokenRequest

API = "/api/data/v9.2"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def salesperson_token(organization: Organization) -> tuple[str, str]:
    """A new Salesperson of ``organization`` and an API token for them: (user id, token)."""
    user_id = salesperson(organization)
    token = (
        organization.system_service()
        .execute(CreateApiTokenRequest(EntityReference("systemuser", user_id)))
        .token
    )
    return user_id, token


def serve(url: str, *options: str) -> tuple[subprocess.Popen[bytes], int]:
    """``leadgate serve`` on a free port, once it answers /health: (process, port)."""
    port = free_port()
    command = ["-m", "leadgate.cli.main", "serve", "--db", url, "--port", str(port), *options]
    return started(command, port), port


def started(arguments: Sequence[str], port: int) -> subprocess.Popen[bytes]:
    """A Python process run with ``arguments``, once it answers /health on ``port``."""
    process = subprocess.Popen(
        [sys.executable, *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"{' '.join(arguments[:3])} did not answer /health within a minute")


def load(port: int, token: str, path: str, check: Callable[[bytes], bool], connections: int,
         seconds: float) -> float:  # fmt: skip
    """Requests per second that ``connections`` keep-alive clients got answered, each sending
    a Salesperson's ``GET path`` in turn; every answer must be 200 and pass ``check``."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json",
               "OData-Version": "4.0"}  # fmt: skip
    counts = [0] * connections
    failures: list[str] = []
    start = threading.Barrier(connections + 1)
    stop = threading.Event()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", path, headers=headers)  # warm: connect, authenticate
        connection.getresponse().read()
        start.wait()
        while not stop.is_set():
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200 or not check(body):
                failures.append(f"{response.status}: {body[:200]!r}")
                return
            counts[number] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise SystemExit(f"GET {path} answered {failures[0]}")
    return sum(counts) / elapsed


def load_options(description: str) -> argparse.Namespace:
    """The options of a bench that loads servers over keep-alive connections in rounds."""
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each, alternating")
    return parser.parse_args()
