"""The System Jobs pages without a browser: a person's jobs listed (an administrator's: all),
a job's page with its progress, message and results in the reader's language, links to the
records, Cancel and Retry, and another salesperson's job refused with a coded error."""

from __future__ import annotations

import html
import re
import uuid

import pytest

from leadgate.platform import Organization
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.jobs import JobContext, JobItem, JobStatus, QueueJobRequest, run_next
from leadgate.sales.qualify import QualifyLeadRequest
from leadgate.ui import job_views
from leadgate.ui.errors import CSRF_REFUSED
from tests.conftest import Demo
from tests.ui.test_grid import ADMIN, CAMILLE, JORDAN, csrf_of, owned_open_leads, signed_in

WORKER = "ui-test-worker"


def qualify_leads(context: JobContext) -> None:
    """data: {"leads": [ids]}: each lead qualified in its own savepoint, as bulk qualify does."""
    ids = context.data["leads"]
    items = []
    for position, text in enumerate(ids, start=1):
        lead = EntityReference("lead", uuid.UUID(text))
        items.append(JobItem(
            position, QualifyLeadRequest(lead, suppress_duplicate_detection=True),
            name=f"Lead {position}", regarding=lead,
            describe=lambda response: [
                {"table": made.logical_name, "id": str(made.id)}
                for made in response.created_entities
            ],
        ))  # fmt: skip
    context.checkpoint_items(len(ids), items)
    context.progress(len(ids), len(ids))


@pytest.fixture
def org(demo: Demo) -> Organization:
    demo.org.jobs.register("test.qualify_leads", qualify_leads)
    return demo.org


def queue(org: Organization, email: str, leads: list[str], name: str = "Qualify my leads"):
    service = org.service(org.system_service().find_user(email).id)
    return service.execute(QueueJobRequest("test.qualify_leads", {"leads": leads}, name=name)).id


def qualified_lead(org: Organization, email: str) -> str:
    """One of the user's leads, qualified already: qualifying it again is refused."""
    lead_id = sorted(owned_open_leads(org, email))[-1]
    org.system_service().execute(QualifyLeadRequest(EntityReference("lead", uuid.UUID(lead_id))))
    return lead_id


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def results_of(page: str) -> str:
    return text_of(page.split('id="job-results"', 1)[1])


def test_a_salesperson_sees_their_own_jobs_and_the_administrator_everyones(org):
    jordans = queue(org, JORDAN, [], name="Jordan's job")
    camilles = queue(org, CAMILLE, [], name="Camille's job")
    with signed_in(org, JORDAN) as jordan:
        page = jordan.get("/app/asyncoperations").text
        assert '<a href="/app/asyncoperations" aria-current="page">System Jobs</a>' in page
        assert f'href="/app/asyncoperations/{jordans}"' in page
        assert str(camilles) not in page and "Camille" not in page
        assert ">Owner<" not in page  # all theirs
        bar = re.search(r'role="progressbar"[^>]*', page)
        assert bar and 'aria-valuenow="0"' in bar[0] and 'aria-valuemax="100"' in bar[0]
        assert "Waiting For Resources" in page
        # Not finished: the list follows it (a refresh without JavaScript, polling with it).
        assert '<noscript><meta http-equiv="refresh"' in page and "data-live=" in page
        run_next(org, WORKER)
        run_next(org, WORKER)
        done = jordan.get("/app/asyncoperations").text
        assert "Succeeded" in done and "data-live=" not in done and "refresh" not in done
        running = jordan.get("/app/asyncoperations?show=running").text
        assert "No system job is running or waiting." in running
        # A job of another salesperson: not a page of theirs, a coded refusal, never a 500.
        for url in (
            f"/app/asyncoperations/{camilles}",
            f"/app/asyncoperations/{camilles}/progress",
        ):
            refused = jordan.get(url)
            assert refused.status_code == 403, refused.text
            assert "0x80048306" in refused.text  # no access to this record
            assert "Camille's job" not in refused.text
        answer = jordan.post(f"/app/asyncoperations/{camilles}/retry",
                             data={"csrf_token": csrf_of(page)})  # fmt: skip
        assert answer.status_code == 403 and re.search(r"0x8004[0-9A-F]{4}", answer.text)
    with signed_in(org, ADMIN) as admin:
        page = admin.get("/app/asyncoperations").text
        assert str(jordans) in page and str(camilles) in page and ">Owner<" in page
        assert admin.get(f"/app/asyncoperations/{camilles}").status_code == 200
        # Page numbers and positions typed by hand: anything that is not one shows page 1.
        for odd in ("--5", "-", "1e9", "٣", "99999999999", "2.5"):
            listed = admin.get("/app/asyncoperations", params={"page": odd})
            assert listed.status_code == 200 and str(camilles) in listed.text
            results = admin.get(f"/app/asyncoperations/{camilles}", params={"after": odd})
            assert results.status_code == 200


def test_a_job_page_shows_its_results_with_links_in_english_and_french(org):
    for email, texts in (
        (JORDAN, {"counts": "Succeeded: 1 Failed: 1", "created": "Created: Account",
                  "closed": "already closed", "outcome": "Failed",
                  "done": "Done: 1 of 2 went through; 1 failed"}),
        (CAMILLE, {"counts": "Réussite : 1 Échec : 1", "created": "Créé : Compte",
                   "closed": "déjà fermé", "outcome": "Échec",
                   "done": "Terminé : 1 sur 2 ont abouti ; 1 en échec"}),
    ):  # fmt: skip
        good = sorted(owned_open_leads(org, email))[0]
        refused = qualified_lead(org, email)
        job_id = queue(org, email, [good, refused])
        run_next(org, WORKER)
        with signed_in(org, email) as client:
            page = client.get(f"/app/asyncoperations/{job_id}").text
            results = results_of(page)
            assert texts["counts"] in results, results
            assert texts["done"] in text_of(page)
            # The list says it too: a job that succeeded with a refused lead in it.
            assert texts["counts"] in text_of(client.get("/app/asyncoperations").text)
            # The failures by default: the refused lead, its code and the reason in the
            # reader's language, linked to the lead's page.
            assert f'<a href="/app/leads/{refused}">Lead 2</a>' in page
            assert f'href="/app/leads/{good}"' not in page
            assert texts["closed"] in results and texts["outcome"] in results
            assert re.search(r"<code>0x[0-9A-F]{8}</code>", page.split('id="job-results"')[1])
            assert 'aria-valuenow="100"' in page and "data-poll" not in page
            every = client.get(f"/app/asyncoperations/{job_id}?results=all").text
            assert f'<a href="/app/leads/{good}">Lead 1</a>' in every
            assert texts["created"] in results_of(every)
            made = re.findall(r'href="/app/(accounts|contacts|opportunities)/[0-9a-f-]+"', every)
            assert sorted(made) == ["accounts", "contacts", "opportunities"]


def test_cancel_and_retry(org):
    job_id = queue(org, JORDAN, [])
    url = f"/app/asyncoperations/{job_id}"
    with signed_in(org, JORDAN) as jordan:
        page = jordan.get(url).text
        assert ">Cancel</button>" in page and ">Retry</button>" not in page
        assert f'data-poll="{url}/progress"' in page and "<noscript><meta" in page
        progress = jordan.get(f"{url}/progress").json()
        assert progress == {
            "status": 0,
            "status_label": "Waiting For Resources",
            "progress": 0,
            "progress_text": "0%",
            "running": True,
            "code": "",
            "message": "",
        }
        forged = jordan.post(f"{url}/cancel", data={"csrf_token": "nope"})
        assert forged.status_code == 403 and CSRF_REFUSED.code in forged.text
        canceled = jordan.post(f"{url}/cancel", data={"csrf_token": csrf_of(page)},
                               follow_redirects=False)  # fmt: skip
        assert canceled.status_code == 303 and canceled.headers["location"] == url
        page = jordan.get(url).text
        assert "The system job was canceled." in page and "Canceled" in page
        assert ">Retry</button>" in page and ">Cancel</button>" not in page
        assert "0x8F4C47E5" in page  # the job's message: canceled
        assert jordan.get(f"{url}/progress").json()["running"] is False
        # Canceling again is the message's refusal, shown on the page with its code.
        again = jordan.post(f"{url}/cancel", data={"csrf_token": csrf_of(page)})
        assert again.status_code == 400 and "0x8F4C47E1" in again.text
        assert "there is nothing to cancel" in again.text
        retried = jordan.post(f"{url}/retry", data={"csrf_token": csrf_of(page)})
        assert retried.url.path == url and "queued again" in retried.text
        assert "Waiting For Resources" in retried.text and ">Cancel</button>" in retried.text
        assert jordan.get(f"{url}/retry", follow_redirects=False).headers["location"] == url
        assert jordan.get(f"{url}/explode").status_code == 404
        assert jordan.get("/app/asyncoperations/not-a-guid").status_code == 404
    status = org.system_service().retrieve("asyncoperation", job_id)["statuscode"]
    assert status == JobStatus.WAITING_FOR_RESOURCES


def test_french_pages_and_the_navigation(org):
    job_id = queue(org, CAMILLE, [], name="Ma tâche")
    with signed_in(org, CAMILLE) as camille:
        grid = camille.get("/app/leads").text
        assert '<a href="/app/asyncoperations">Tâches système</a>' in grid
        page = camille.get(f"/app/asyncoperations/{job_id}").text
        assert "En attente de ressources" in page and ">Annuler</button>" in page
        assert "Progression" in page and "0 %" in page
        assert camille.get(f"/app/asyncoperations/{job_id}/progress").json()["status_label"] == (
            "En attente de ressources"
        )


def test_results_page_after_page(org, monkeypatch):
    monkeypatch.setattr(job_views, "RESULTS_SIZE", 2)
    leads = sorted(owned_open_leads(org, JORDAN))[:3]
    job_id = queue(org, JORDAN, leads)
    run_next(org, WORKER)
    url = f"/app/asyncoperations/{job_id}"
    with signed_in(org, JORDAN) as jordan:
        first = jordan.get(f"{url}?results=all").text
        assert re.findall(r">(Lead \d)</a>", first) == ["Lead 1", "Lead 2"]
        link = re.search(r'href="([^"]+)" rel="next">Next results<', first)
        assert link is not None
        second = jordan.get(html.unescape(link[1])).text
        assert re.findall(r">(Lead \d)</a>", second) == ["Lead 3"]
        assert "Next results" not in second and "First results" in second
        assert "No item failed." in jordan.get(url).text
