"""What the Leads grid page costs beside the Web API's equivalent query: a salesperson's My
Open Leads (50 rows, with the total) out of 100,000 leads, both served by the same
application in the same run, through its ASGI interface (no network: server time).

    .venv/bin/python bench/grid.py [--db URL] [--leads 100000] [--rounds 7] [--batch 10]

The page runs the view's query (a savedquery record) and renders HTML; the Web API request
asks for the same columns, filter, order, page size and count, and answers JSON. The goal:
the page at most 1.5x the Web API. The leads are bench data, written with plain inserts to
keep the set-up short (the product itself writes only through the pipeline).
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import sqlalchemy as sa
from _timing import timed
from security_filter import fill, user

from leadgate.platform import EntityReference, Organization
from leadgate.platform.users.messages import CreateApiTokenRequest, SetPasswordRequest
from leadgate.web import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "bench-password"
COLUMNS = "fullname,companyname,emailaddress1,telephone1,statuscode,createdon"


def signed_in_browser(client: TestClient, email: str) -> None:
    form = client.get("/signin").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf, "the sign-in page has no CSRF token"
    answer = client.post(
        "/signin",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:500]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=10)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        organization = Organization.create(url)
        system = organization.system_service()
        root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0]
        unit = root.to_reference()
        people = [user(system, f"rep{index}@bench.example", unit, "Salesperson")
                  for index in range(10)]  # fmt: skip
        rep = people[0]
        system.execute(SetPasswordRequest(EntityReference("systemuser", rep), PASSWORD))
        started = time.perf_counter()
        fill(organization, [(person, root.id) for person in people], options.leads)
        print(f"set-up: {options.leads} leads in {time.perf_counter() - started:.1f} s")
        with organization.engine.begin() as connection:  # fresh statistics for the planner
            connection.exec_driver_sql("ANALYZE")
        token = system.execute(CreateApiTokenRequest(EntityReference("systemuser", rep))).token
        with (
            TestClient(create_app(organization)) as browser,
            TestClient(
                create_app(organization), headers={"Authorization": f"Bearer {token}"}
            ) as api,
        ):
            signed_in_browser(browser, "rep0@bench.example")
            api_url = (
                f"/api/data/v9.2/leads?$select={COLUMNS}&$filter=_ownerid_value eq {rep} and "
                "statecode eq 0&$orderby=createdon desc&$count=true"
            )
            headers = {"Prefer": "odata.maxpagesize=50"}

            def page() -> None:
                answer = browser.get("/app/leads")
                assert answer.status_code == 200, answer.text[:300]

            def web_api() -> None:
                answer = api.get(api_url, headers=headers)
                assert answer.status_code == 200 and len(answer.json()["value"]) == 50

            page()
            web_api()
            rounds: dict[str, list[float]] = {"page": [], "api": []}
            for _ in range(options.rounds):
                rounds["page"].append(timed(page, options.batch))
                rounds["api"].append(timed(web_api, options.batch))
            grid, plain = statistics.median(rounds["page"]), statistics.median(rounds["api"])
            backend = sa.make_url(url).get_backend_name()
            print(
                f"My Open Leads, 50 rows of {options.leads // len(people)} open leads of one "
                f"salesperson ({options.leads} in all) on {backend}, "
                f"{options.rounds} rounds x {options.batch}, median round"
            )
            print(f"{'Leads grid page':<24} {grid * 1e3:>9.2f} ms")
            print(f"{'Web API equivalent':<24} {plain * 1e3:>9.2f} ms")
            ratio = grid / plain
            verdict = "meets" if ratio <= 1.5 else "misses"
            print(f"the grid page {verdict} the goal of at most 1.5x the Web API ({ratio:.2f}x)")
        organization.close()


if __name__ == "__main__":
    main()
