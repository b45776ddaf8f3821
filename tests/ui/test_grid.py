"""The grid pages without a browser: views listed and switched, Quick Find, sort, paging, and
the bulk commands' summary (a refused lead's coded error in the reader's language)."""

from __future__ import annotations

import html
import re
import uuid
import warnings
from collections.abc import Iterator

import pytest

from leadgate.platform import Organization
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.query import ConditionExpression, FilterExpression, QueryExpression
from leadgate.platform.records.retrieve import RetrieveMultipleRequest
from leadgate.sales.demo import DEMO_PASSWORD
from leadgate.sales.qualify import QualifyLeadRequest
from leadgate.ui.errors import CSRF_REFUSED, VIEW_NOT_FOUND
from leadgate.web import create_app
from tests.conftest import Demo

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette asks for httpx2, which is not here yet
    from fastapi.testclient import TestClient

JORDAN = "jordan.reyes@demo.leadgate.example"  # Salesperson, English
CAMILLE = "camille.laurent@demo.leadgate.example"  # Salesperson, French
ADMIN = "admin@demo.leadgate.example"


def signed_in(org: Organization, email: str) -> TestClient:
    client = TestClient(create_app(org))
    page = client.get("/signin")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    answer = client.post(
        "/signin", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf[1]}
    )
    assert answer.url.path == "/app/leads", answer.text
    return client


@pytest.fixture
def jordan(demo: Demo) -> Iterator[TestClient]:
    with signed_in(demo.org, JORDAN) as client:
        yield client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def summary_of(page: str) -> str:
    """The bulk summary's HTML: what went through, then the refusals."""
    return page.split('id="bulk-summary"', 1)[1].split("</div>\n</div>", 1)[0]


def row_names(page: str) -> list[str]:
    return [html.unescape(n) for n in re.findall(r'data-name="([^"]*)"', page)]


def row_ids(page: str) -> list[str]:
    return re.findall(r'name="ids" value="([^"]+)"', page)


def views_of(page: str) -> dict[str, str]:
    select = page.split('id="grid-view"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)<', select)
    return {html.unescape(name): value for value, name in options}


def pager(page: str) -> str:
    found = re.search(r'class="pager-text">([^<]*)<', page)
    assert found is not None
    return found[1]


def owned_open_leads(org: Organization, email: str) -> set[str]:
    system = org.system_service()
    user = system.find_user(email)
    query = QueryExpression("lead", criteria=FilterExpression("and", (
        ConditionExpression("ownerid", "eq", (user.id,)),
        ConditionExpression("statecode", "eq", (0,)),
    )))  # fmt: skip
    found = system.execute(RetrieveMultipleRequest(query)).entity_collection
    return {str(lead.id) for lead in found}


def test_my_open_leads_shows_only_the_salespersons_open_leads(demo: Demo) -> None:
    with signed_in(demo.org, JORDAN) as client:
        page = client.get("/app/leads").text
    mine = owned_open_leads(demo.org, JORDAN)
    assert mine and set(row_ids(page)) == mine
    assert pager(page) == f"1–{len(mine)} of {len(mine)}"
    assert re.search(r'<option value="[^"]+" selected>My Open Leads<', page)
    assert "<h1>Leads</h1>" in page


@pytest.mark.interface_only
def test_the_views_are_listed_and_switched(jordan: TestClient) -> None:
    page = jordan.get("/app/leads").text
    views = views_of(page)
    assert set(views) == {"My Open Leads", "Open Leads", "Closed Leads", "All Leads"}
    closed = jordan.get("/app/leads", params={"view": views["Closed Leads"]}).text
    assert re.search(r"selected>Closed Leads<", closed)
    statuses = {"Qualified", "Lost", "Cannot Contact", "No Longer Interested", "Canceled"}
    cells = [html.unescape(cell) for cell in re.findall(r"<td\b[^>]*>([^<]*)</td>", closed)]
    assert any(cell in statuses for cell in cells)
    assert not {"New", "Contacted"} & set(cells)


@pytest.mark.interface_only
def test_quick_search_sort_and_paging(demo: Demo) -> None:
    with signed_in(demo.org, ADMIN) as client:
        views = views_of(client.get("/app/leads").text)
        every = {"view": views["All Leads"]}
        first = client.get("/app/leads", params=every).text
        total = int(pager(first).rsplit(" ", 1)[1])
        assert total > 50 and pager(first) == f"1–50 of {total}"
        second = client.get("/app/leads", params={**every, "page": "2"}).text
        assert pager(second) == f"51–{min(100, total)} of {total}"
        assert not set(row_ids(first)) & set(row_ids(second))
        ascending = client.get("/app/leads", params={**every, "sort": "fullname"}).text
        names = row_names(ascending)
        assert names == sorted(names, key=str.casefold)
        assert re.search(r'<th scope="col" aria-sort="ascending">\s*<a [^>]*>Name', ascending)
        descending = client.get("/app/leads", params={**every, "sort": "fullname", "desc": "1"})
        assert row_names(descending.text)[0].casefold() >= names[-1].casefold()
        wanted = names[0]
        found = client.get("/app/leads", params={**every, "q": wanted[:4]}).text
        assert wanted in row_names(found)
        assert all(n.casefold().startswith(wanted[:4].casefold()) or n for n in row_names(found))
        assert int(pager(found).rsplit(" ", 1)[1]) < total
        # Addresses a person could mistype: never a 500.
        for params in ({"page": "x"}, {"page": "-3"}, {"sort": "nope"}, {"sort": "ownerid"},
                       {"page": "999999"}, {"q": "%_*"}):  # fmt: skip
            assert client.get("/app/leads", params={**every, **params}).status_code == 200


@pytest.mark.interface_only
def test_unknown_tables_and_views_are_404_pages(jordan: TestClient) -> None:
    assert jordan.get("/app/nothing").status_code == 404
    for view in ("nope", str(uuid.uuid4())):
        answer = jordan.get("/app/leads", params={"view": view})
        assert answer.status_code == 404
        assert VIEW_NOT_FOUND.code in answer.text
    accounts = views_of(jordan.get("/app/accounts").text)
    answer = jordan.get("/app/leads", params={"view": next(iter(accounts.values()))})
    assert answer.status_code == 404  # a view of another table
    assert jordan.post("/app/leads/bulk/explode", data={}).status_code == 404


@pytest.mark.interface_only
def test_french_labels(demo: Demo) -> None:
    with signed_in(demo.org, CAMILLE) as client:
        page = client.get("/app/leads").text
    assert "<h1>Prospects</h1>" in page
    assert re.search(r"selected>Mes prospects ouverts<", page)
    assert ">Nom complet</a>" in page and "Rechercher dans cette vue" in page
    assert ">Qualifier</button>" in page and ">Disqualifier</button>" in page


def closed_lead(org: Organization, email: str) -> tuple[str, str]:
    """One of the user's leads, qualified now: (id, name)."""
    lead_id = sorted(owned_open_leads(org, email))[0]
    system = org.system_service()
    system.execute(QualifyLeadRequest(EntityReference("lead", uuid.UUID(lead_id))))
    return lead_id, str(system.retrieve("lead", uuid.UUID(lead_id), ["fullname"])["fullname"])


@pytest.mark.parametrize(
    ("email", "done", "closed_text"),
    [
        (JORDAN, "1 lead qualified",
         "The lead is closed and you can't convert or qualify a lead that is already closed."),
        (CAMILLE, "1 prospect qualifié",
         "Le prospect est fermé et vous ne pouvez pas convertir ou qualifier un prospect déjà "
         "fermé."),
    ],
)  # fmt: skip
def test_bulk_qualify_summary_names_each_refused_lead(
    demo: Demo, email: str, done: str, closed_text: str
) -> None:
    refused_id, refused_name = closed_lead(demo.org, email)
    open_id = sorted(owned_open_leads(demo.org, email))[0]
    with signed_in(demo.org, email) as client:
        page = client.get("/app/leads").text
        answer = client.post("/app/leads/bulk/qualify", data={
            "csrf_token": csrf_of(page), "ids": [open_id, refused_id],
        })  # fmt: skip
    assert answer.status_code == 200
    summary = summary_of(answer.text)
    assert done in summary
    # What went through reads as a success, what was refused as an error: not one red box.
    assert summary.index("alert-success") < summary.index(done) < summary.index("alert-error")
    item = html.unescape(re.sub(r"<[^>]+>", "", summary.split("<li>", 1)[1].split("</li>")[0]))
    assert refused_name in item and "0x" in item and closed_text in item
    assert open_id not in owned_open_leads(demo.org, email)  # done, and out of My Open Leads
    assert open_id not in row_ids(answer.text)


@pytest.mark.interface_only
def test_bulk_disqualify_with_a_reason_and_the_json_answer(demo: Demo) -> None:
    lead_id = sorted(owned_open_leads(demo.org, JORDAN))[0]
    with signed_in(demo.org, JORDAN) as client:
        page = client.get("/app/leads").text
        reasons = re.findall(r'<select name="reason">(.*?)</select>', page, re.S)[0]
        shown = re.findall(r">([^<]+)</option>", reasons)
        assert shown == ["Lost", "Cannot Contact", "No Longer Interested", "Canceled"]
        answer = client.post(
            "/app/leads/bulk/disqualify",
            data={"csrf_token": csrf_of(page), "ids": lead_id, "reason": "6"},
            headers={"Accept": "application/json"},
        )
        assert answer.json() == {"id": lead_id, "ok": True}
        again = client.post(
            "/app/leads/bulk/disqualify",
            data={"csrf_token": csrf_of(page), "ids": lead_id, "reason": "6"},
            headers={"Accept": "application/json"},
        ).json()
    assert again["ok"] is False and again["code"].startswith("0x") and again["message"]
    lead = demo.org.system_service().retrieve("lead", uuid.UUID(lead_id), ["statuscode"])
    assert lead["statuscode"] == 6


@pytest.mark.interface_only
def test_bulk_without_the_csrf_token_is_refused(jordan: TestClient, demo: Demo) -> None:
    lead_id = sorted(owned_open_leads(demo.org, JORDAN))[0]
    answer = jordan.post("/app/leads/bulk/qualify", data={"ids": lead_id, "csrf_token": "x"})
    assert answer.status_code >= 400 and CSRF_REFUSED.code in answer.text
    as_json = jordan.post("/app/leads/bulk/qualify", data={"ids": lead_id},
                          headers={"Accept": "application/json"})  # fmt: skip
    assert as_json.status_code == 403 and as_json.json()["code"] == CSRF_REFUSED.code
    assert lead_id in owned_open_leads(demo.org, JORDAN)


@pytest.mark.interface_only
@pytest.mark.parametrize(("email", "text"), [
    (JORDAN, "Select at least one row in the list, then press Qualify again."),
    (CAMILLE, "Sélectionnez au moins une ligne de la liste, puis cliquez de nouveau sur "
              "Qualifier."),
])  # fmt: skip
def test_a_bulk_command_without_a_selection_is_refused(demo: Demo, email: str, text: str) -> None:
    with signed_in(demo.org, email) as client:
        page = client.get("/app/leads").text
        answer = client.post("/app/leads/bulk/qualify", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 400
    shown = html.unescape(answer.text)
    assert "0x8F4C47D1" in shown and text in shown
    assert 'id="bulk-summary"' not in answer.text


@pytest.mark.interface_only
def test_a_bulk_post_redirects_to_the_grid_which_shows_the_summary_once(
    jordan: TestClient, demo: Demo
) -> None:
    refused_id, refused_name = closed_lead(demo.org, JORDAN)
    page = jordan.get("/app/leads").text
    views = views_of(page)
    answer = jordan.post("/app/leads/bulk/qualify", data={
        "csrf_token": csrf_of(page), "ids": [refused_id], "view": views["All Leads"],
        "sort": "fullname",
    }, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    assert answer.headers["location"] == (
        f"/app/leads?view={views['All Leads']}&sort=fullname"
    )  # the grid as it was
    shown = jordan.get(answer.headers["location"]).text
    summary = html.unescape(summary_of(shown))
    assert "0 leads qualified" in summary and refused_name in summary and "0x" in summary
    assert 'id="bulk-summary"' not in jordan.get(answer.headers["location"]).text  # once
    # Reloading (or going back to) the command's address runs nothing.
    again = jordan.get("/app/leads/bulk/qualify", follow_redirects=False)
    assert (again.status_code, again.headers["location"]) == (303, "/app/leads")


def test_the_summary_cookie_lists_twenty_refusals_then_how_many_more() -> None:
    from leadgate.platform.engine import errors
    from leadgate.platform.engine.types import Language
    from leadgate.ui.grid_commands import (
        QUALIFY,
        BulkSummary,
        Outcome,
        shown_summary,
        summary_cookie,
    )

    refusal = errors.RECORD_NOT_FOUND(table="lead", id="x" * 30)
    outcomes = [Outcome(str(n), f"Lead <b>{n}</b> " + "é" * 70, refusal) for n in range(45)]
    summary = BulkSummary(QUALIFY, (Outcome("ok", ""), *outcomes))
    value = summary_cookie(summary, "leads", Language.FRENCH)
    assert len(value) <= 3000
    shown = shown_summary(value, "lead", "leads")
    assert shown is not None
    assert len(shown.refusals) == 20 and shown.more == 25
    assert shown.refusals[0].name.startswith("Lead <b>0</b>")  # data, escaped by the page
    assert shown.done_text.in_language(Language.ENGLISH) == "1 lead qualified"
    assert shown_summary(value, "lead", "accounts") is None  # another grid's
    assert shown_summary("not a summary", "lead", "leads") is None
