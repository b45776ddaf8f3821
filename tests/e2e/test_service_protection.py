"""Service protection as a client meets it: 429 with Retry-After and Dataverse's codes past a
limit, what is left in Dataverse's headers on every answer, one budget per user.

Small limits and a clock the test moves, so nothing waits; the concurrency limit is shown on
a real server, where a slow client keeps a request under way. SQLite only: the counts live in
the server process, no database changes them.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn

from leadgate.cli.main import main
from leadgate.platform import EntityReference, Organization
from leadgate.platform.users.messages import CreateApiTokenRequest
from leadgate.web import create_app
from leadgate.web.protection import (
    CONCURRENT_REQUESTS_EXCEEDED,
    EXECUTION_TIME_EXCEEDED,
    REQUESTS_EXCEEDED,
    ServiceLimits,
    ServiceProtection,
)
from leadgate.web.protection_asgi import BURST_REMAINING_HEADER, TIME_REMAINING_HEADER
from tests.conftest import ADMIN_ID, add_user
from tests.e2e.conftest import API, TestClient, in_both_languages
from tests.served import served

pytestmark = pytest.mark.interface_only

WHO_AM_I = f"{API}/WhoAmI"


class Clock:
    """Monotonic seconds the test sets; ``step`` moves it at each reading (each request's
    start and end read it once), so that every request takes ``step`` seconds."""

    def __init__(self, step: float = 0.0) -> None:
        self.now = 1000.0
        self.step = step

    def __call__(self) -> float:
        reading = self.now
        self.now += self.step
        return reading


def token_for(org: Organization, user_id) -> str:
    request = CreateApiTokenRequest(EntityReference("systemuser", user_id))
    return org.system_service().execute(request).token


def client(org: Organization, protection: ServiceProtection, token: str) -> TestClient:
    app = create_app(org, service_protection=protection)
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_requests_past_the_limit_wait_for_the_window_to_slide(sqlite_org):
    clock = Clock()
    protection = ServiceProtection(ServiceLimits(requests=3, window=60), clock=clock)
    with client(sqlite_org, protection, token_for(sqlite_org, ADMIN_ID)) as api:
        answers = []
        for _ in range(3):
            answers.append(api.get(WHO_AM_I))
            clock.now += 10  # at 0, 10 and 20 s
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert [a.headers[BURST_REMAINING_HEADER] for a in answers] == ["2", "1", "0"]
        assert answers[0].headers[TIME_REMAINING_HEADER] == "1,200.00"  # Dataverse's format

        refused = api.get(WHO_AM_I)  # at 30 s: the first request leaves the window at 60 s
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "30"
        assert refused.json()["error"]["code"] == "0x80072322"

        clock.now += 29
        assert api.get(WHO_AM_I).status_code == 429  # a refusal is not counted, nor waited
        clock.now += 1
        again = api.get(WHO_AM_I)
        assert again.status_code == 200 and again.headers[BURST_REMAINING_HEADER] == "0"
        assert "Retry-After" not in again.headers


def test_the_refusals_are_dataverse_errors_in_english_and_french(sqlite_org):
    protection = ServiceProtection(ServiceLimits(requests=1, window=300), clock=Clock())
    with client(sqlite_org, protection, token_for(sqlite_org, ADMIN_ID)) as api:
        assert api.get(WHO_AM_I).status_code == 200
        english, french = in_both_languages(
            lambda headers: api.get(WHO_AM_I, headers=headers),
            429,
            REQUESTS_EXCEEDED(limit=1, window=300),
        )
    assert english == "Number of requests exceeded the limit of 1 over time window of 300 seconds."
    assert french.startswith("Le nombre de requêtes a dépassé la limite de 1")


def test_each_user_has_a_budget_of_their_own(sqlite_org):
    system = sqlite_org.system_service()
    seller = add_user(system, "seller@test.example", role="Salesperson")
    protection = ServiceProtection(ServiceLimits(requests=2), clock=Clock())
    app = create_app(sqlite_org, service_protection=protection)
    admin = {"Authorization": f"Bearer {token_for(sqlite_org, ADMIN_ID)}"}
    # Two tokens of one user share the user's budget.
    seller_tokens = [token_for(sqlite_org, seller) for _ in range(2)]
    with TestClient(app) as api:
        for token in seller_tokens:
            assert api.get(WHO_AM_I, headers={"Authorization": f"Bearer {token}"}).is_success
        seller_third = api.get(WHO_AM_I, headers={"Authorization": f"Bearer {seller_tokens[0]}"})
        admin_first = api.get(WHO_AM_I, headers=admin)
        unsigned = api.get(WHO_AM_I)

    assert seller_third.status_code == 429
    assert admin_first.status_code == 200 and admin_first.headers[BURST_REMAINING_HEADER] == "1"
    # A request without a valid token is refused before it is anyone's: not counted, no headers.
    assert unsigned.status_code == 401 and BURST_REMAINING_HEADER not in unsigned.headers


def test_failed_requests_count_and_report_what_is_left_too(sqlite_org):
    protection = ServiceProtection(ServiceLimits(requests=5), clock=Clock())
    with client(sqlite_org, protection, token_for(sqlite_org, ADMIN_ID)) as api:
        missing = api.get(f"{API}/leads(00000000-0000-4000-8000-000000000000)")
        wrong = api.get(f"{API}/nothings")
    assert (missing.status_code, missing.headers[BURST_REMAINING_HEADER]) == (404, "4")
    assert (wrong.status_code, wrong.headers[BURST_REMAINING_HEADER]) == (404, "3")


def test_the_combined_execution_time_is_limited_too(sqlite_org):
    clock = Clock(step=2.0)  # every request takes 2 s
    limits = ServiceLimits(requests=0, window=60, execution_time=5)
    protection = ServiceProtection(limits, clock=clock)
    with client(sqlite_org, protection, token_for(sqlite_org, ADMIN_ID)) as api:
        answers = [api.get(WHO_AM_I) for _ in range(3)]  # 2 s + 2 s: under 5 s when admitted
        refused = api.get(WHO_AM_I)

    assert [a.headers[TIME_REMAINING_HEADER] for a in answers] == ["5.00", "3.00", "1.00"]
    assert BURST_REMAINING_HEADER not in answers[0].headers  # that limit is off
    assert refused.status_code == 429
    assert refused.json()["error"] == {
        "code": EXECUTION_TIME_EXCEEDED.code,
        "message": EXECUTION_TIME_EXCEEDED(limit=5000, window=60).message("en"),
    }
    # The first request (ended at 2 s of the clock's 12) leaves the window at 62.
    assert refused.headers["Retry-After"] == "50"


def test_a_batch_is_one_request_however_many_it_carries(sqlite_org):
    # As Dataverse counts it: its parts are neither more requests nor more under way at once.
    protection = ServiceProtection(ServiceLimits(requests=5, concurrent=1), clock=Clock())
    part = (
        "--batch_p\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
        f"\r\nGET {WHO_AM_I} HTTP/1.1\r\nAccept: application/json\r\n\r\n"
    )
    with client(sqlite_org, protection, token_for(sqlite_org, ADMIN_ID)) as api:
        batch = api.post(
            f"{API}/$batch",
            content=(part * 3 + "--batch_p--\r\n").encode(),
            headers={"Content-Type": "multipart/mixed; boundary=batch_p"},
        )
        after = api.get(WHO_AM_I)

    assert batch.status_code == 200, batch.text
    assert batch.text.count("HTTP/1.1 200") == 3
    assert batch.headers[BURST_REMAINING_HEADER] == "4"
    assert after.headers[BURST_REMAINING_HEADER] == "3"


@pytest.mark.parametrize("configured", ["option", "environment"])
def test_serve_takes_the_limits_from_options_or_the_environment(
    sqlite_template, tmp_path, monkeypatch, configured
):
    shutil.copyfile(sqlite_template, tmp_path / "leadgate.db")
    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: served.append(app))
    given = {"--max-requests": "100", "--request-window": "60", "--max-execution-time": "0",
             "--max-concurrent-requests": "4"}  # fmt: skip
    options = [part for pair in given.items() for part in pair]
    if configured == "environment":
        for option, value in given.items():
            monkeypatch.setenv("LEADGATE_" + option[2:].upper().replace("-", "_"), value)
        options = []

    assert (
        main(["serve", "--db", f"sqlite:///{tmp_path / 'leadgate.db'}", "--workers", "1", *options])
        == 0
    )

    protection = served[0].state.service_protection
    assert protection.limits == ServiceLimits(
        requests=100, window=60, execution_time=0, concurrent=4
    )


def test_serve_protects_with_dataverse_limits_by_default(sqlite_template, tmp_path, monkeypatch):
    shutil.copyfile(sqlite_template, tmp_path / "leadgate.db")
    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: served.append(app))
    assert main(["serve", "--db", f"sqlite:///{tmp_path / 'leadgate.db'}", "--workers", "1"]) == 0
    assert served[0].state.service_protection.limits == ServiceLimits(
        requests=6000, window=300, execution_time=1200, concurrent=52
    )


# --- concurrent requests, on a real server -------------------------------------------------


@pytest.fixture
def one_at_a_time(sqlite_org: Organization) -> Iterator[tuple[int, str, ServiceProtection]]:
    """A uvicorn server that lets each user have one request under way: (port, token, count)."""
    protection = ServiceProtection(ServiceLimits(concurrent=1))
    with served(create_app(sqlite_org, service_protection=protection)) as port:
        yield port, token_for(sqlite_org, ADMIN_ID), protection


def exchange(port: int, request: bytes, rest: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request + rest)
        reader = connection.makefile("rb")
        status = int(reader.readline().split()[1])
        headers = {}
        while (line := reader.readline().strip()) != b"":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers, reader.read(int(headers.get("content-length", 0)))


def test_a_request_past_the_concurrent_limit_is_refused_at_once(one_at_a_time):
    port, token, protection = one_at_a_time
    body = b'{"lastname": "Slow", "subject": "a slow client"}'
    head = (
        f"POST {API}/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    slow = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        slow.sendall(head + body[:10])  # signed in, then the body is awaited: under way
        for _ in range(600):
            if protection.running(ADMIN_ID) == 1:
                break
            threading.Event().wait(0.01)
        assert protection.running(ADMIN_ID) == 1

        who = f"GET {WHO_AM_I} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        answers: list[tuple[int, dict[str, str], bytes]] = []
        # From other threads, as a parallel client sends them.
        threads = [
            threading.Thread(target=lambda: answers.append(exchange(port, (who + "\r\n").encode())))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

        assert [status for status, _, _ in answers] == [429, 429, 429]
        status, headers, content = answers[0]
        assert headers["retry-after"] == "1"
        error = json.loads(content)["error"]
        assert error == {
            "code": CONCURRENT_REQUESTS_EXCEEDED.code,
            "message": "Number of concurrent requests exceeded the limit of 1.",
        }

        slow.sendall(body[10:])
        reader = slow.makefile("rb")
        assert int(reader.readline().split()[1]) == 204  # the slow request was served
    finally:
        slow.close()
    for _ in range(600):
        if protection.running(ADMIN_ID) == 0:
            break
        threading.Event().wait(0.01)
    status, headers, _ = exchange(port, (who + "\r\n").encode())
    assert status == 200 and "retry-after" not in headers
