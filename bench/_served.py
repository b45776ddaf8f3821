"""A ``leadgate serve`` process for the Web API benches, and a Salesperson's token for it."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time

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
    process = subprocess.Popen(
        [sys.executable, "-m", "leadgate.cli.main", "serve", "--db", url, "--port", str(port),
         *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("leadgate serve did not answer /health within a minute")
