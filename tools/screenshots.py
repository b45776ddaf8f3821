"""``make screenshots``: the sales app's pages in Chromium, in English and in French, as PNGs
in screenshots/ — the sign-in page, the Leads grid, a lead form with its process bar, the
Duplicate warning dialog, and an error shown on the page.

It serves a fresh demo database (as the browser tests do: tests/browser/live.py), signs in as
a demo salesperson who reads English, then as one who reads French, and takes each shot. A shot
whose page is missing or wrong is reported and the others are still taken; the command exits 1
naming every shot that failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.browser import CHROMIUM, CHROMIUM_ARGS, sign_in  # noqa: E402
from tests.browser.live import (  # noqa: E402
    FRENCH_SALESPERSON,
    SALESPERSON,
    LiveServer,
    demo_database,
    serve,
)

from leadgate.platform import EntityReference  # noqa: E402

# What each shot waits for, by language: the accessible names of the issue's table.
NAMES = {
    "en": {"leads": "Leads", "qualify": "Qualify", "duplicate": "Duplicate warning",
           "next": "Next Stage", "sign_in": "Sign in"},
    "fr": {"leads": "Prospects", "qualify": "Qualifier", "duplicate": "Avertissement dupliqué",
           "next": "Étape suivante", "sign_in": "Se connecter"},
}  # fmt: skip
WAIT_MS = 8000


@dataclass(frozen=True)
class Shot:
    name: str
    take: Callable[[Page, LiveServer, str], None]  # brings the page to what the shot shows
    signed_in: bool = True


class PageMissing(Exception):
    """The address answered with an error status: that page is not built (yet)."""


def _open(page: Page, url: str) -> None:
    response = page.goto(url)
    if response is not None and response.status >= 400:
        raise PageMissing(f"{url} answered {response.status}")


def _sign_in_page(page: Page, server: LiveServer, language: str) -> None:
    _open(page, f"{server.url}/signin?lang={language}")
    button = page.get_by_role("button", name=NAMES[language]["sign_in"], exact=True)
    expect(button).to_be_visible(timeout=WAIT_MS)


def _grid(page: Page, server: LiveServer, language: str) -> None:
    _open(page, f"{server.url}/app/leads")
    heading = page.get_by_role("heading", name=NAMES[language]["leads"])
    expect(heading.first).to_be_visible(timeout=WAIT_MS)


def _owner(language: str) -> str:
    return FRENCH_SALESPERSON if language == "fr" else SALESPERSON


def _lead_form(page: Page, server: LiveServer, language: str) -> None:
    lead = server.create_lead(_owner(language))
    _open(page, f"{server.url}/app/leads/{lead}")
    expect(page.get_by_role("button", name=NAMES[language]["next"])).to_be_visible(timeout=WAIT_MS)


def _duplicate_warning(page: Page, server: LiveServer, language: str) -> None:
    # A lead whose company is an account the salesperson already has: qualifying it from the
    # form warns (duplicate detection finds only the records its user may read).
    owner = EntityReference("systemuser", server.user_id(_owner(language)))
    name = {"en": "Northwind Traders", "fr": "Les Comptoirs du Nord"}[language]
    server.system.create("account", name=name, ownerid=owner)
    lead = server.create_lead(_owner(language), companyname=name)
    _open(page, f"{server.url}/app/leads/{lead}")
    page.get_by_role("button", name=NAMES[language]["qualify"], exact=True).click(timeout=WAIT_MS)
    dialog = page.get_by_role("dialog", name=NAMES[language]["duplicate"])
    expect(dialog).to_be_visible(timeout=WAIT_MS)


def _error(page: Page, server: LiveServer, language: str) -> None:
    # Next Stage on Qualify does not move and says why: a coded error in the page.
    lead = server.create_lead(_owner(language))
    _open(page, f"{server.url}/app/leads/{lead}")
    page.get_by_role("button", name=NAMES[language]["next"]).click(timeout=WAIT_MS)
    expect(page.get_by_role("alert").first).to_be_visible(timeout=WAIT_MS)


SHOTS = (
    Shot("signin", _sign_in_page, signed_in=False),
    Shot("leads-grid", _grid),
    Shot("lead-form", _lead_form),
    Shot("duplicate-warning", _duplicate_warning),
    Shot("error", _error),
)


def take_all(server: LiveServer, out: Path, languages: list[str]) -> list[str]:
    """Take every shot in every language; return the names of those that failed."""
    failed: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        for language in languages:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            signed_in = False
            for shot in SHOTS:
                target = out / f"{shot.name}-{language}.png"
                started = time.monotonic()
                try:
                    if shot.signed_in and not signed_in:
                        sign_in(page, server, _owner(language), language=language)
                        signed_in = True
                    shot.take(page, server, language)
                    page.screenshot(path=str(target))  # what a 1280x800 screen shows
                except (PlaywrightError, AssertionError, PageMissing) as problem:
                    failed.append(f"{shot.name}-{language}")
                    why = (str(problem).strip().splitlines() or [""])[0]
                    print(
                        f"  FAILED {target.name}: the page is missing or not as expected "
                        f"({type(problem).__name__}: {why})",
                        flush=True,
                    )
                    continue
                shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
                print(f"  wrote {shown} ({time.monotonic() - started:.1f} s)", flush=True)
            context.close()
        browser.close()
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "screenshots",
        help="where to write the PNGs (default: screenshots/)",
    )
    parser.add_argument(
        "--language",
        action="append",
        choices=["en", "fr"],
        help="only this language (repeatable; default: both)",
    )
    options = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(
            f"screenshots: Chromium is missing at {CHROMIUM}; install it with: "
            "sudo apt-get install -y chromium",
            file=sys.stderr,
        )
        return 1
    options.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="leadgate-screenshots-") as folder:
        print("screenshots: installing the demo organization in a fresh database…", flush=True)
        url = demo_database(Path(folder) / "demo.db")
        with serve(url) as server:
            print(f"screenshots: serving {server.url}", flush=True)
            failed = take_all(server, options.out, options.language or ["en", "fr"])
    if failed:
        print(f"screenshots: {len(failed)} shot(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"screenshots: every shot written to {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
