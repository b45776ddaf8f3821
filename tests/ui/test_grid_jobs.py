"""The Leads grid hands large work to a system job: more than LARGE_SELECTION selected leads,
or "Qualify all N leads of this view", queue BulkQualifyLeads and open the job's page, which
shows the results once a worker ran it; a smaller selection keeps the grid's own way."""

from __future__ import annotations

import html
import re
import uuid

import pytest

from leadgate.platform import Organization
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.jobs import JobStatus, run_next
from leadgate.sales.qualify import QualifyLeadRequest
from leadgate.ui.grid_jobs import LARGE_SELECTION
from tests.conftest import Demo
from tests.ui.test_grid import (
    ADMIN,
    CAMILLE,
    JORDAN,
    csrf_of,
    owned_open_leads,
    signed_in,
    views_of,
)

WORKER = "ui-grid-worker"


def new_leads(org: Organization, email: str, count: int) -> list[str]:
    """``count`` open leads owned by the user, made as SYSTEM."""
    system = org.system_service()
    owner = EntityReference("systemuser", system.find_user(email).id)
    return [
        str(system.create("lead", subject=f"Bulk {n}", firstname="Bulk", lastname=f"Lead {n:02}",
                          companyname=f"Bulk Company {n}", ownerid=owner))
        for n in range(count)
    ]  # fmt: skip


def jobs_of(org: Organization, email: str) -> list:
    system = org.system_service()
    user = system.find_user(email).id
    return [j for j in system.retrieve_multiple("asyncoperation") if j["ownerid"].id == user]


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.parametrize(
    ("email", "texts"),
    [
        (JORDAN, {"queued": "leads are being qualified in the background",
                  "counts": "Succeeded: {n} Failed: 1", "closed": "already closed"}),
        (CAMILLE, {"queued": "prospects sont en cours de qualification en arrière-plan",
                   "counts": "Réussite : {n} Échec : 1", "closed": "déjà fermé"}),
    ],
)  # fmt: skip
def test_a_large_selection_is_qualified_by_a_job(demo: Demo, email: str, texts: dict) -> None:
    org = demo.org
    leads = new_leads(org, email, LARGE_SELECTION)
    refused = leads[-1]  # qualified meanwhile: the job refuses it, and qualifies the others
    org.system_service().execute(QualifyLeadRequest(EntityReference("lead", uuid.UUID(refused))))
    with signed_in(org, email) as client:
        grid = client.get("/app/leads").text
        assert f'data-job-above="{LARGE_SELECTION}"' in grid
        chosen = [*leads, sorted(owned_open_leads(org, email) - set(leads))[0]]
        assert len(chosen) == LARGE_SELECTION + 1
        answer = client.post("/app/leads/bulk/qualify", data={
            "csrf_token": csrf_of(grid), "ids": chosen, "view": views_of(grid)[
                "Mes prospects ouverts" if email == CAMILLE else "My Open Leads"],
        }, follow_redirects=False)  # fmt: skip
        assert answer.status_code == 303, answer.text
        [job] = jobs_of(org, email)
        assert answer.headers["location"] == f"/app/asyncoperations/{job.id}"
        assert job["kind"] == "sales.bulk_qualify" and job["statuscode"] == 0
        page = client.get(answer.headers["location"]).text
        assert texts["queued"] in text_of(page) and f"{LARGE_SELECTION + 1} " in text_of(page)
        assert "data-poll=" in page and 'role="progressbar"' in page
        while run_next(org, WORKER) is not None:
            pass
        done = client.get(answer.headers["location"]).text
        results = text_of(done.split('id="job-results"', 1)[1])
        assert texts["counts"].format(n=LARGE_SELECTION) in results, results
        assert texts["closed"] in results and f'href="/app/leads/{refused}"' in done
        every = client.get(answer.headers["location"] + "?results=all").text
        assert len(re.findall(r'href="/app/opportunities/[0-9a-f-]+"', every)) == LARGE_SELECTION
    assert org.system_service().retrieve("asyncoperation", job.id)["statuscode"] == (
        JobStatus.SUCCEEDED
    )


def test_a_small_selection_keeps_the_grids_own_way(demo: Demo) -> None:
    leads = new_leads(demo.org, JORDAN, 2)
    with signed_in(demo.org, JORDAN) as client:
        grid = client.get("/app/leads").text
        answer = client.post("/app/leads/bulk/qualify",
                             data={"csrf_token": csrf_of(grid), "ids": leads})  # fmt: skip
        assert answer.url.path == "/app/leads" and "2 leads qualified" in answer.text
    assert jobs_of(demo.org, JORDAN) == []


def test_qualify_all_the_leads_of_a_view(demo: Demo) -> None:
    org = demo.org
    with signed_in(org, ADMIN) as client:
        grid = client.get("/app/leads").text
        views = views_of(grid)
        every = client.get("/app/leads", params={"view": views["Open Leads"]}).text
        total = int(re.search(r"of (\d+)<", every)[1])  # type: ignore[index]
        assert total > 50
        assert f">Qualify all {total} leads of this view</button>" in every
        assert 'name="all" value="1"' in every and "data-confirm=" in every
        # A view whose rows fit on the page does not offer it.
        mine = client.get("/app/leads", params={"view": views["My Open Leads"]}).text
        assert "Qualify all" not in mine
        # Closed Leads: nothing left to qualify, a coded refusal on the grid.
        closed = client.post("/app/leads/bulk/qualify", data={
            "csrf_token": csrf_of(grid), "all": "1", "view": views["Closed Leads"],
        })  # fmt: skip
        assert closed.status_code == 400 and "0x8F4C47D2" in closed.text
        assert "Closed Leads" in closed.text  # still the grid the person was on
        answer = client.post("/app/leads/bulk/qualify", data={
            "csrf_token": csrf_of(grid), "all": "1", "view": views["Open Leads"],
        }, follow_redirects=False)  # fmt: skip
        assert answer.status_code == 303
        [job] = jobs_of(org, ADMIN)
        assert answer.headers["location"] == f"/app/asyncoperations/{job.id}"
        assert job["name"] == "Qualify the leads of the view Open Leads"
        page = client.get(answer.headers["location"]).text
        assert f"{total} leads are being qualified in the background" in text_of(page)


@pytest.mark.interface_only
def test_a_large_selection_with_a_wrong_key_is_a_coded_refusal(demo: Demo) -> None:
    leads = new_leads(demo.org, JORDAN, LARGE_SELECTION)
    with signed_in(demo.org, JORDAN) as client:
        grid = client.get("/app/leads").text
        posted = {"csrf_token": csrf_of(grid), "ids": [*leads, "nope"]}
        answer = client.post("/app/leads/bulk/qualify", data=posted)
        assert answer.status_code == 400 and "0x" in answer.text and "a GUID" in answer.text
    assert jobs_of(demo.org, JORDAN) == []
