"""Hostile requests against a real server (uvicorn), over sockets: what a test client hides.

A body too large is refused before it is read, whether its length is declared or it streams
in chunks; a refused request leaves the keep-alive connection usable; header bytes reach the
server as a client sends them; ``leadgate serve`` takes its limits from options or the
environment. SQLite only: no database changes these answers.
"""

from __future__ import annotations

import http.client
import json
import logging
import select
import shutil
import socket
from collections.abc import Iterator

import pytest
import uvicorn

from leadgate.cli.main import main
from leadgate.platform import EntityReference, Organization
from leadgate.platform.users.messages import CreateApiTokenRequest
from leadgate.web import create_app
from leadgate.web.limits import BATCH_BODY_OPTION, BODY_OPTION, JSON_TOO_DEEP, REQUEST_TOO_LARGE
from tests.conftest import ADMIN_ID
from tests.e2e.conftest import TestClient, assert_error
from tests.served import served

LEADS = "/api/data/v9.2/leads"
LIMIT = 64 * 1024


@pytest.fixture(autouse=True)
def no_server_failure_is_logged(caplog):
    yield
    assert [record.getMessage() for record in caplog.records
            if record.levelno >= logging.ERROR] == []  # fmt: skip


@pytest.fixture
def server(sqlite_org: Organization) -> Iterator[tuple[int, str]]:
    """A uvicorn server in a thread, with a 64 KiB body limit: (port, token)."""
    token = (
        sqlite_org.system_service()
        .execute(CreateApiTokenRequest(EntityReference("systemuser", ADMIN_ID)))
        .token
    )
    with served(create_app(sqlite_org, max_body_size=LIMIT)) as port:
        yield port, token


def read_response(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one response read from a raw socket."""
    reader = connection.makefile("rb")
    status = int(reader.readline().split()[1])
    headers = {}
    while (line := reader.readline().strip()) != b"":
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, reader.read(int(headers.get("content-length", 0)))


def request_head(token: str, *lines: str) -> bytes:
    head = [f"POST {LEADS} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {token}",
            "Content-Type: application/json", *lines]  # fmt: skip
    return ("\r\n".join(head) + "\r\n\r\n").encode()


def test_a_declared_length_over_the_limit_is_answered_without_sending_the_body(server):
    port, token = server
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request_head(token, "Content-Length: 314572800"))  # 300 MB, unsent

        status, headers, body = read_response(connection)

    assert status == 413 and headers["connection"] == "close"
    assert json.loads(body)["error"]["code"] == REQUEST_TOO_LARGE.code


def test_a_chunked_body_is_refused_once_it_passes_the_limit(server):
    port, token = server
    chunk = b"x" * 16384
    offered = 4096  # 64 MiB: far more than the server may read before refusing
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request_head(token, "Transfer-Encoding: chunked"))
        # Send until the server answers: it must not wait for the end of the body.
        while sent < offered and not select.select([connection], [], [], 0)[0]:
            try:
                connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:  # answered and closed between the check and the send
                break
            sent += 1
        status, headers, body = read_response(connection)

    assert sent < offered
    assert status == 413 and headers["connection"] == "close"
    assert json.loads(body)["error"]["code"] == REQUEST_TOO_LARGE.code


def test_refused_requests_keep_the_connection_alive(server):
    port, token = server
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    deep = b'{"a":' * 600 + b"1" + b"}" * 600
    many = "%20or%20".join(["firstname%20eq%20'a'"] * 600)
    try:
        connection.request("POST", LEADS, body=deep, headers=headers)
        first = connection.getresponse()
        assert (first.status, json.loads(first.read())["error"]["code"]) == (
            400, JSON_TOO_DEEP.code)  # fmt: skip
        socket_used = connection.sock

        connection.request("GET", f"{LEADS}?$filter={many}", headers=headers)
        second = connection.getresponse()
        second.read()
        connection.request("GET", "/health")
        third = connection.getresponse()
        third.read()

        assert (second.status, third.status) == (400, 200)
        assert first.getheader("connection") != "close"
        assert connection.sock is socket_used  # the same connection served all three
    finally:
        connection.close()


@pytest.mark.parametrize("value", [b"\xb9", b"\xb2"])
def test_header_digits_that_are_not_ascii_are_refused(server, value):
    port, token = server
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(
            f"GET {LEADS} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            .encode() + b"Prefer: odata.maxpagesize=" + value + b"\r\n\r\n"
        )  # fmt: skip

        status, _, body = read_response(connection)

    assert status == 400
    assert "odata.maxpagesize needs a whole number" in json.loads(body)["error"]["message"]


@pytest.mark.parametrize("configured", ["option", "environment"])
def test_serve_takes_its_body_limits_from_options_or_the_environment(
    sqlite_template, tmp_path, monkeypatch, configured
):
    shutil.copyfile(sqlite_template, tmp_path / "leadgate.db")
    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: served.append(app))
    limits = ["--max-body-size", "2048", "--max-batch-body-size", "8192"]
    if configured == "environment":
        monkeypatch.setenv("LEADGATE_MAX_BODY_SIZE", "2048")
        monkeypatch.setenv("LEADGATE_MAX_BATCH_BODY_SIZE", "8192")
        limits = []

    assert (
        main(["serve", "--db", f"sqlite:///{tmp_path / 'leadgate.db'}", "--workers", "1", *limits])
        == 0
    )

    with TestClient(served[0]) as client:
        for path, size, limit, option in ((LEADS, 2049, 2048, BODY_OPTION),
                                          ("/api/data/v9.2/$batch", 8193, 8192,
                                           BATCH_BODY_OPTION)):  # fmt: skip
            response = client.post(path, content=b"x" * size)
            assert_error(response, 413, REQUEST_TOO_LARGE(limit=limit, option=option))
        assert client.post(LEADS, content=b"x" * 2048).status_code == 401  # read, then refused
