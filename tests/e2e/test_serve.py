"""`leadgate serve` as people start it: HTTP and HTTPS, with a token issued at start."""

from __future__ import annotations

import re
import shutil
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN_EMAIL
from tests.served import free_port


def serve(database_url: str, *extra: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "leadgate.cli.main",
            "serve",
            "--db",
            database_url,
            "--port",
            str(port),
            "--issue-token",
            ADMIN_EMAIL,
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, port


def token_from(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        found = re.search(r"API token for \S+: (lg_\S+)", line)
        if found:
            return found.group(1)
    raise AssertionError("leadgate serve printed no token")


def get_when_ready(url: str, token: str, **options) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(url, headers={"Authorization": f"Bearer {token}"}, **options)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.communicate(timeout=30)  # also closes the pipe


@pytest.mark.slow
def test_serve_issues_a_token_that_works(database_url):
    process, port = serve(database_url)
    try:
        token = token_from(process)
        response = get_when_ready(f"http://127.0.0.1:{port}/api/data/v9.2/WhoAmI", token)
        assert response.status_code == 200 and response.json()["UserId"]
    finally:
        stop(process)


@pytest.mark.interface_only
@pytest.mark.slow
def test_serve_speaks_https_with_a_certificate(database_url, tmp_path: Path):
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make a test certificate")
    key, certificate = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    process, port = serve(database_url, "--certfile", str(certificate), "--keyfile", str(key))
    try:
        token = token_from(process)
        response = get_when_ready(
            f"https://localhost:{port}/api/data/v9.2/WhoAmI",
            token,
            verify=ssl.create_default_context(cafile=str(certificate)),
        )
        assert response.status_code == 200
        # By address too, as Microsoft's SDK is pointed at it (REQUESTS_CA_BUNDLE=cert.pem).
        health = httpx.get(
            f"https://127.0.0.1:{port}/health",
            verify=ssl.create_default_context(cafile=str(certificate)),
        )
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
    finally:
        stop(process)
