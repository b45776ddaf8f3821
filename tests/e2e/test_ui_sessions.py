"""Browser sessions without a browser: the session cookie's flags, CSRF refusals, where a
sign-in may send a person next, the slowing down of failed sign-ins, the language switch.

HTTP-layer checks, run on SQLite alone (``interface_only``); what the database decides
(token expiry, who may change whose language) is in tests/integration/test_user_sessions.py.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from leadgate.platform import EntityReference, Organization
from leadgate.platform.users.errors import SIGN_IN_FAILED, SIGN_IN_THROTTLED
from leadgate.platform.users.messages import SetPasswordRequest
from leadgate.ui.errors import CSRF_REFUSED
from leadgate.ui.sessions import SESSION_COOKIE
from leadgate.ui.throttle import SignInThrottle
from leadgate.web import create_app
from tests.conftest import add_user
from tests.e2e.conftest import TestClient

pytestmark = pytest.mark.interface_only

PASSWORD = "sales pass 1"
SALES = "sam@test.example"


@pytest.fixture
def org(sqlite_template: Path, tmp_path: Path) -> Iterator[Organization]:
    path = tmp_path / "ui.db"
    shutil.copyfile(sqlite_template, path)
    with Organization.open(f"sqlite:///{path}") as organization:
        system = organization.system_service()
        user = add_user(system, SALES, role="Salesperson")
        system.execute(SetPasswordRequest(EntityReference("systemuser", user), PASSWORD))
        yield organization


@pytest.fixture
def clock() -> list[float]:
    return [1000.0]


@pytest.fixture
def client_for(org: Organization, clock: list[float]) -> Iterator[Callable[..., TestClient]]:
    """A client of a fresh app (base URL ``base_url``) whose sign-in throttle reads ``clock``."""
    clients: list[TestClient] = []

    def make(base_url: str = "http://testserver") -> TestClient:
        app = create_app(org)
        app.state.signin_throttle = SignInThrottle(clock=lambda: clock[0])
        client = TestClient(app, base_url=base_url, follow_redirects=False)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(client_for: Callable[..., TestClient]) -> TestClient:
    return client_for()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str = SALES, password: str = PASSWORD,
            next_url: str = "", lang: str = "en") -> httpx.Response:  # fmt: skip
    token = csrf_of(client.get(f"/signin?lang={lang}").text)
    return client.post(f"/signin?lang={lang}", data={
        "email": email, "password": password, "next": next_url, "csrf_token": token,
    })  # fmt: skip


def shown_error(response: httpx.Response) -> tuple[str, str]:
    code = re.search(r"<code>(0x[0-9A-F]{8})</code>", response.text)
    text = re.search(r'<p class="alert-text">(.*?)</p>', response.text, re.DOTALL)
    assert code and text, response.text
    return code.group(1), text.group(1).replace("&#39;", "'")


def session_cookie_header(response: httpx.Response) -> str:
    (header,) = [value for value in response.headers.get_list("set-cookie")
                 if value.startswith(SESSION_COOKIE + "=")]  # fmt: skip
    return header


def test_the_session_cookie_is_httponly_and_samesite_lax(client: TestClient) -> None:
    response = sign_in(client)
    assert (response.status_code, response.headers["location"]) == (303, "/app/leads")
    flags = [flag.strip().lower() for flag in session_cookie_header(response).split(";")[1:]]
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert "secure" not in flags


def test_the_session_cookie_is_secure_under_https(client_for: Callable[..., TestClient]) -> None:
    response = sign_in(client_for("https://testserver"))
    assert response.status_code == 303
    flags = [flag.strip().lower() for flag in session_cookie_header(response).split(";")[1:]]
    assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags


def test_a_sign_in_without_its_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/signin")
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post("/signin", data={"email": SALES, "password": PASSWORD, **data})
        assert response.status_code == 403
        assert shown_error(response) == (CSRF_REFUSED.code, CSRF_REFUSED().message("en"))
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_a_language_change_without_its_csrf_token_is_refused(
    client: TestClient, org: Organization
) -> None:
    sign_in(client)
    response = client.post("/app/settings/language", data={"language": "fr"})
    assert response.status_code == 403
    assert shown_error(response) == (CSRF_REFUSED.code, CSRF_REFUSED().message("en"))
    system = org.system_service()
    assert system.find_user(SALES)["uilanguageid"] == 1033


def test_a_salesperson_switches_the_app_to_french(client: TestClient, org: Organization) -> None:
    sign_in(client)
    page = client.get("/app/leads")
    assert '<html lang="en">' in page.text
    response = client.post("/app/settings/language", data={
        "language": "fr", "next": "/app/leads", "csrf_token": csrf_of(page.text),
    })  # fmt: skip
    assert (response.status_code, response.headers["location"]) == (303, "/app/leads")
    assert '<html lang="fr">' in client.get("/app/leads").text
    assert org.system_service().find_user(SALES)["uilanguageid"] == 1036


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example", "https://evil.example/app/leads",
    "/\\evil.example", "http:/evil.example",
])  # fmt: skip
def test_signing_in_never_sends_a_person_to_another_site(client: TestClient, target: str) -> None:
    page = client.get("/signin", params={"next": target})
    assert 'name="next" value="/app/leads"' in page.text
    response = sign_in(client, next_url=target)
    assert (response.status_code, response.headers["location"]) == (303, "/app/leads")


def test_signing_in_returns_to_the_page_asked_for(client: TestClient) -> None:
    response = sign_in(client, next_url="/app/accounts?view=1")
    assert response.headers["location"] == "/app/accounts?view=1"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_repeated_failed_sign_ins_are_slowed_down(
    client: TestClient, clock: list[float], language: str
) -> None:
    for _ in range(3):
        failed = sign_in(client, password="wrong", lang=language)
        assert failed.status_code == 401
        assert shown_error(failed) == (SIGN_IN_FAILED.code, SIGN_IN_FAILED().message(language))
    # Even the right password waits now: the throttle answers before the password is checked.
    throttled = sign_in(client, lang=language)
    assert throttled.status_code == 429
    wait = SIGN_IN_THROTTLED(seconds=1)
    assert shown_error(throttled) == (wait.code, wait.message(language))
    clock[0] += 1.5
    assert sign_in(client, lang=language).status_code == 303
