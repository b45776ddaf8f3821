"""The app's doors: a browser asking for a page that does not exist gets the app's error page
(a program keeps the Web API's JSON), /app/ opens the Leads grid, the icon is served."""

from __future__ import annotations

import pytest

from tests.ui.test_grid import JORDAN, TestClient, create_app, signed_in

pytestmark = pytest.mark.interface_only

HTML = {"accept": "text/html,application/xhtml+xml"}


@pytest.mark.parametrize("path", ["/nope", "/static/../pyproject.toml", "/leads"])
def test_a_browser_gets_a_page_where_nothing_is(org, path):
    with TestClient(create_app(org)) as client:
        answer = client.get(path, headers=HTML)
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("text/html")
        assert "0x8F4C47C9" in answer.text and "There is no page at" in answer.text
        program = client.get(path)
        assert program.status_code == 404 and program.json()["error"]["code"] == "0x80060889"


def test_the_web_api_keeps_its_json_even_for_a_browser(org):
    with TestClient(create_app(org)) as client:
        answer = client.get("/api/data/v9.2/nope", headers=HTML)
        assert answer.headers["content-type"].startswith("application/json")


def test_app_root_opens_the_leads_grid(demo):
    with signed_in(demo.org, JORDAN) as client:
        answer = client.get("/app/", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/app/leads"
        assert client.get("/app").url.path == "/app/leads"


def test_the_icon_is_served(org):
    with TestClient(create_app(org)) as client:
        answer = client.get("/favicon.ico")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(
            "image/svg+xml"
        )
