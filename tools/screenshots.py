"""``make screenshots``: the sales app's pages in Chromium, in English and in French, as PNGs
in screenshots/ — the sign-in page, the Leads grid, a lead form with its process bar, the
Duplicate warning dialog, an error shown on the page, and System Jobs: a bulk qualify from the
grid just queued, its page once done with the leads it refused, all its results, and the list;
then the qualification check ("Why can't I qualify?"): a refused Qualify's error offering it,
the check it opens, a closed lead's (two causes) and a healthy lead's.

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
from typing import Any

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

from leadgate.platform import Entity, EntityReference  # noqa: E402
from leadgate.platform.engine.i18n import Text  # noqa: E402
from leadgate.platform.engine.types import Language  # noqa: E402
from leadgate.platform.jobs import CancelJobRequest, JobState, run_next  # noqa: E402
from leadgate.platform.records.state import SetStateRequest  # noqa: E402
from leadgate.sales.bulk_qualify import BulkQualifyLeadsRequest  # noqa: E402
from leadgate.sales.qualify import QualifyLeadRequest  # noqa: E402
from leadgate.ui.grid_jobs import JOB_COMMANDS, LARGE_SELECTION  # noqa: E402

# What each shot waits for, by language: the accessible names of the issue's table.
NAMES = {
    "en": {"leads": "Leads", "qualify": "Qualify", "duplicate": "Duplicate warning",
           "next": "Next Stage", "sign_in": "Sign in", "select_all": "Select all rows",
           "progress": "Progress", "results": "Results", "jobs": "System Jobs",
           "all_results": "Show all results", "why": "Why can't I qualify?"},
    "fr": {"leads": "Prospects", "qualify": "Qualifier", "duplicate": "Avertissement dupliqué",
           "next": "Étape suivante", "sign_in": "Se connecter",
           "select_all": "Sélectionner toutes les lignes", "progress": "Progression",
           "results": "Résultats", "jobs": "Tâches système",
           "all_results": "Afficher tous les résultats",
           "why": "Pourquoi ne puis-je pas qualifier ?"},
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


def _service(server: LiveServer, language: str) -> Any:
    """The salesperson's own service: what they queue is theirs, named in their language."""
    return server.org.service(server.user_id(_owner(language)), language=Language(language))


def _job_running(page: Page, server: LiveServer, language: str) -> None:
    # The Leads grid with more than LARGE_SELECTION leads selected: Qualify opens the job.
    for _ in range(LARGE_SELECTION + 4):
        server.create_lead(_owner(language))
    _open(page, f"{server.url}/app/leads")
    page.get_by_role("checkbox", name=NAMES[language]["select_all"]).check(timeout=WAIT_MS)
    page.get_by_role("button", name=NAMES[language]["qualify"], exact=True).click()
    bar = page.get_by_role("progressbar", name=NAMES[language]["progress"])
    expect(bar).to_be_visible(timeout=WAIT_MS)


def _run_until_done(server: LiveServer, job_id: Any) -> None:
    """A worker's work, done here (the served app embeds none)."""
    while server.system.retrieve("asyncoperation", job_id)["statecode"] != JobState.COMPLETED:
        if run_next(server.org, "screenshots") is None:
            return


def _job_failures(page: Page, server: LiveServer, language: str) -> None:
    # 24 leads queued as one job; two were closed meanwhile (qualified, disqualified): the
    # job qualifies the others and says why it refused those two.
    leads = [server.create_lead(_owner(language)) for _ in range(24)]
    server.system.execute(QualifyLeadRequest(EntityReference("lead", leads[3])))
    server.system.execute(SetStateRequest(EntityReference("lead", leads[11]), 2, 4))
    name = Text(JOB_COMMANDS[("lead", "qualify")].selection_name, count=len(leads))
    queued = _service(server, language).execute(
        BulkQualifyLeadsRequest(lead_ids=tuple(leads), name=name.in_language(Language(language)))
    )
    _run_until_done(server, queued.job_ids[0])
    _open(page, f"{server.url}/app/asyncoperations/{queued.job_ids[0]}")
    heading = page.get_by_role("heading", name=NAMES[language]["results"])
    expect(heading).to_be_visible(timeout=WAIT_MS)


def _job_all_results(page: Page, server: LiveServer, language: str) -> None:
    # The job above, every lead: the records each qualification made, linked.
    page.get_by_role("link", name=NAMES[language]["all_results"]).click(timeout=WAIT_MS)
    expect(page.locator("table.job-results tr").nth(3)).to_be_visible(timeout=WAIT_MS)


def _jobs_list(page: Page, server: LiveServer, language: str) -> None:
    # Beside the jobs above: one waiting for a worker, one canceled.
    service = _service(server, language)
    for cancel in (True, False):
        lead = server.create_lead(_owner(language))
        queued = service.execute(BulkQualifyLeadsRequest(lead_ids=(lead,)))
        if cancel:
            service.execute(CancelJobRequest(queued.job_ids[0]))
    _open(page, f"{server.url}/app/asyncoperations")
    heading = page.get_by_role("heading", name=NAMES[language]["jobs"])
    expect(heading).to_be_visible(timeout=WAIT_MS)


def _purchase_timeframe_required(server: LiveServer, required: bool) -> None:
    """As an administrator does in the process: Purchase Timeframe a required step, or not."""
    (step,) = server.system.retrieve_multiple("processstep", attributename="purchasetimeframe")
    server.system.update(Entity("processstep", step.id, isrequired=required))


def _why_link(page: Page, language: str, within: Any = None) -> Any:
    return (within or page).get_by_role("link", name=NAMES[language]["why"], exact=True)


def _qualify_refused(page: Page, server: LiveServer, language: str) -> None:
    # Purchase Timeframe made required, left empty: Qualify is refused, and its error offers
    # the qualification check.
    _purchase_timeframe_required(server, True)
    lead = server.create_lead(_owner(language))
    _open(page, f"{server.url}/app/leads/{lead}")
    page.get_by_role("button", name=NAMES[language]["qualify"], exact=True).click(timeout=WAIT_MS)
    expect(_why_link(page, language, page.get_by_role("alert"))).to_be_visible(timeout=WAIT_MS)


def _diagnosis_refused(page: Page, server: LiveServer, language: str) -> None:
    # Follows qualify-refused: its link opens the check, which says what to fill in.
    try:
        _why_link(page, language, page.get_by_role("alert")).click(timeout=WAIT_MS)
        expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=WAIT_MS)
    finally:
        _purchase_timeframe_required(server, False)


def _diagnosis(page: Page, server: LiveServer, language: str, lead: Any) -> None:
    _open(page, f"{server.url}/app/leads/{lead}")
    _why_link(page, language).click(timeout=WAIT_MS)
    expect(page.get_by_role("heading", level=1)).to_have_text(NAMES[language]["why"])


def _diagnosis_closed(page: Page, server: LiveServer, language: str) -> None:
    # A lead already qualified: closed, and its process moved on to the opportunity.
    lead = server.create_lead(_owner(language))
    _service(server, language).execute(QualifyLeadRequest(EntityReference("lead", lead)))
    _diagnosis(page, server, language, lead)


def _diagnosis_healthy(page: Page, server: LiveServer, language: str) -> None:
    _diagnosis(page, server, language, server.create_lead(_owner(language)))


SHOTS = (
    Shot("signin", _sign_in_page, signed_in=False),
    Shot("leads-grid", _grid),
    Shot("lead-form", _lead_form),
    Shot("duplicate-warning", _duplicate_warning),
    Shot("error", _error),
    Shot("job-running", _job_running),
    Shot("job-failures", _job_failures),
    Shot("job-all-results", _job_all_results),  # follows job-failures, on its page
    Shot("system-jobs", _jobs_list),
    Shot("qualify-refused", _qualify_refused),
    Shot("diagnosis-refused", _diagnosis_refused),  # follows qualify-refused, on its page
    Shot("diagnosis-closed", _diagnosis_closed),
    Shot("diagnosis-healthy", _diagnosis_healthy),
)


def take_all(
    server: LiveServer, out: Path, languages: list[str], only: list[str] | None = None,
    full_page: bool = False,
) -> list[str]:  # fmt: skip
    """Take every shot (or those named in ``only``) in every language; return the names of
    those that failed."""
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
                if only and shot.name not in only:
                    continue
                target = out / f"{shot.name}-{language}.png"
                started = time.monotonic()
                try:
                    if shot.signed_in and not signed_in:
                        sign_in(page, server, _owner(language), language=language)
                        signed_in = True
                    shot.take(page, server, language)
                    # What a 1280x800 screen shows, or the whole page.
                    page.screenshot(path=str(target), full_page=full_page)
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
    parser.add_argument(
        "--only",
        action="append",
        choices=[shot.name for shot in SHOTS],
        help="only this shot (repeatable; a shot that follows another needs it too)",
    )
    parser.add_argument(
        "--full-page", action="store_true", help="the whole page, not only the first screen"
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
            failed = take_all(server, options.out, options.language or ["en", "fr"],
                              options.only, options.full_page)  # fmt: skip
    if failed:
        print(f"screenshots: {len(failed)} shot(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"screenshots: every shot written to {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
