"""CreateMultiple through the Web API beside single POSTs: leads per second of each, in the
same run, against one ``leadgate serve``.

    .venv/bin/python bench/web_multiple.py [--db URL] [--leads 1000] [--rounds 2]

A server is started on a free port (HTTP, its default limits), and a Salesperson's client
sends, alternating so that a noisy machine slows both alike: one CreateMultiple of ``--leads``
leads (one request, one transaction, each record through its own Create: plug-ins and
security per record), then ``--leads`` single ``POST /leads`` over one keep-alive connection.
Goal: CreateMultiple at least 5x faster. Every lead is counted afterwards: the bench measures
work that was done.

On PostgreSQL give a fresh, empty database (``--db postgresql+psycopg://user@host/NAME``);
the bench installs the organization in it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from _served import API, salesperson_token, serve
from pipeline_vs_core import LEAD as PIPELINE_LEAD

from leadgate.platform import Organization

# The pipeline benches' lead, as JSON carries it (no Decimal).
LEAD = {name: value for name, value in PIPELINE_LEAD.items() if not isinstance(value, Decimal)}


class Client:
    """One keep-alive connection, as an integration sending requests in turn would use."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                        "Accept": "application/json", "OData-Version": "4.0"}  # fmt: skip

    def send(self, method: str, path: str, body: object | None = None) -> tuple[int, bytes]:
        payload = None if body is None else json.dumps(body).encode()
        self.connection.request(method, API + path, body=payload, headers=self.headers)
        response = self.connection.getresponse()
        return response.status, response.read()


def create_multiple(client: Client, count: int, tag: str) -> float:
    targets = [{**LEAD, "subject": f"{tag} {n}", "@odata.type": "Microsoft.Dynamics.CRM.lead"}
               for n in range(count)]  # fmt: skip
    started = time.perf_counter()
    status, body = client.send("POST", "/leads/Microsoft.Dynamics.CRM.CreateMultiple",
                               {"Targets": targets})  # fmt: skip
    elapsed = time.perf_counter() - started
    if status != 200 or len(json.loads(body)["Ids"]) != count:
        raise SystemExit(f"CreateMultiple answered {status}: {body[:300]!r}")
    return elapsed


def singles(client: Client, count: int, tag: str) -> float:
    started = time.perf_counter()
    for n in range(count):
        status, body = client.send("POST", "/leads", {**LEAD, "subject": f"{tag} {n}"})
        if status != 204:
            raise SystemExit(f"POST /leads answered {status}: {body[:300]!r}")
    return time.perf_counter() - started


def count_leads(client: Client, tag: str) -> int:
    status, body = client.send("GET", f"/leads/$count?$filter=startswith(subject,'{tag}')")
    if status != 200:
        raise SystemExit(f"$count answered {status}: {body[:300]!r}")
    return int(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--leads", type=int, default=1000, help="leads per side and round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each, alternating")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        backend = sa.make_url(url).get_backend_name()
        with Organization.create(url) as organization:
            _user_id, token = salesperson_token(organization)
        server, port = serve(url)
        try:
            client = Client(port, token)
            create_multiple(client, 10, "warm multiple")  # caches, statements, connection
            singles(client, 10, "warm single")
            seconds = {"multiple": 0.0, "single": 0.0}
            for round_ in range(options.rounds):
                seconds["multiple"] += create_multiple(client, options.leads, f"m{round_}")
                seconds["single"] += singles(client, options.leads, f"s{round_}")
            made = sum(count_leads(client, f"{side}{r}") for side in "ms"
                       for r in range(options.rounds))  # fmt: skip
            expected = 2 * options.leads * options.rounds
            if made != expected:
                raise SystemExit(f"{made} leads were made, not {expected}")
        finally:
            server.terminate()
            server.wait(30)
    total = options.leads * options.rounds
    multiple, single = total / seconds["multiple"], total / seconds["single"]
    print(f"Web API on {backend}, as a Salesperson, one keep-alive connection; {options.rounds} "
          f"round(s) of {options.leads} leads each way")  # fmt: skip
    print(f"single POST /leads:              {single:8.1f} leads/s")
    print(f"CreateMultiple of {options.leads} leads:   {multiple:8.1f} leads/s")
    ratio = multiple / single
    verdict = "meets" if ratio >= 5 else "misses"
    print(f"CreateMultiple / single POSTs: {ratio:.2f}x ({verdict} the goal of at least 5x)")


if __name__ == "__main__":
    main()
