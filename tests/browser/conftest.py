"""Fixtures of the browser tests: a live server of the demo organization, Chromium, a page.

Every module here starts with ``pytestmark = BROWSER`` (below, from ``tests.browser``): the
tests are ``interface_only`` (SQLite alone: what they check is the pages, not storage) and
run together on one xdist worker (``make test`` runs ``--dist loadgroup``), which starts one
server and one Chromium for all of them. Each test gets a fresh browser context (no cookies
from another test) and makes its own data through the live server's helpers.

Chromium is Debian's (/usr/bin/chromium; ``.ci/run`` installs it): without it these tests
fail with the command to install it, they never skip. A failed test leaves a screenshot of
its page in test-results/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.browser.live import LiveServer, demo_database, serve

RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A browser test without the group would start its own Chromium on another worker."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents and item.get_closest_marker("browser") is None:
            raise pytest.UsageError(f"{item.nodeid}: start the module with pytestmark = BROWSER")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test, for the page fixture's screenshot on failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def live_server(
    sqlite_demo: tuple[Path, object], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The demo organization (a copy of the session's demo template), served on a free port."""
    template, _ = sqlite_demo
    path = tmp_path_factory.mktemp("live") / "live.db"
    with serve(demo_database(path, template=template)) as server:
        yield server


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}, which is missing. Install "
            "it with: sudo apt-get install -y chromium (.ci/run does it).",
            pytrace=False,
        )
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
    )
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh context (no cookies), 1280x800; a screenshot in test-results/ when
    the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
    context.close()
