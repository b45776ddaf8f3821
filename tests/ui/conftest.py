"""The ui tests' signed-in browser without a browser: a TestClient signed in through /signin."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from leadgate.platform import Organization
from leadgate.ui.sessions import SESSION_COOKIE, csrf_for
from leadgate.web import create_app
from tests.conftest import ADMIN_EMAIL

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette asks for httpx2, which is not installed here
    from fastapi.testclient import TestClient

ADMIN_PASSWORD = "correct horse"


class Browser:
    """A TestClient signed in through /signin, posting forms with the session's CSRF token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def sign_in(self, email: str, password: str, language: str = "en") -> Browser:
        page = self.client.get("/signin")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        signed = self.client.post("/signin", data={"email": email, "password": password,
                                                   "csrf_token": token.group(1)},
                                  follow_redirects=False)  # fmt: skip
        assert signed.status_code == 303, signed.text
        if language != "en":
            self.post("/app/settings/language", language=language, next="/app/leads")
        return self

    @property
    def csrf(self) -> str:
        return csrf_for(self.client.cookies[SESSION_COOKIE])

    def post(self, url: str, **fields: Any) -> Any:
        return self.client.post(url, data={"csrf_token": self.csrf, **fields},
                                follow_redirects=False)  # fmt: skip

    def get(self, url: str) -> Any:
        return self.client.get(url)


@pytest.fixture
def browser(org: Organization) -> Iterator[Callable[..., Browser]]:
    """``browser(email, password, language)``: a new signed-in browser."""
    clients: list[TestClient] = []

    def open_browser(email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD,
                     language: str = "en") -> Browser:  # fmt: skip
        client = TestClient(create_app(org))
        clients.append(client)
        return Browser(client).sign_in(email, password, language)

    yield open_browser
    for client in clients:
        client.close()
