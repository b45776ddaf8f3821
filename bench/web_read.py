"""Web API reads with ``leadgate serve --workers 1`` beside a bare FastAPI route reading the
same rows with the database driver alone: requests per second of each, in the same run.

    .venv/bin/python bench/web_read.py [--db URL] [--connections 8] [--seconds 3] [--rounds 3]

Two reads, as a Dataverse client sends them: ``GET leads(id)?$select=…`` and a page of 50
(``GET leads?$select=…&$top=50``). leadgate runs as a Salesperson, with every security check;
service protection is off and no job worker runs, so that the count is the server's speed.
The baseline (bench/_bare_read.py) is one uvicorn process too, with synchronous routes that
read with sqlite3 (psycopg on PostgreSQL) and answer the same JSON less ``@odata.context``
(the bench checks it once): no token, no security filter, no metadata. ``--connections``
threads of this process each hold a keep-alive connection; the two servers take rounds
alternately, so that a noisy machine slows both alike. Goal (issue 16): leadgate at most
1.5x the bare route's time per request, for both reads. On Linux the servers' CPU time per
request is printed too: on a loaded machine it moves less than the rates do.

On PostgreSQL give a fresh, empty database; the bench installs the organization in it.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from _served import API, free_port, load, load_options, salesperson_token, started
from web_multiple import LEAD
from web_workers import serve_with

from leadgate.platform import Organization

PAGE = 50
SELECT = "subject,lastname,companyname,emailaddress1"
GOAL = 1.5


def bare_server(url: str) -> tuple[subprocess.Popen[bytes], int]:
    """The baseline's process: the same database, through its driver."""
    parsed = sa.make_url(url)
    dsn = (
        str(parsed.database)
        if parsed.get_backend_name() == "sqlite"
        else parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    )
    port = free_port()
    return started([str(Path(__file__).with_name("_bare_read.py")), dsn, str(port)], port), port


def cpu_seconds(pid: int) -> float | None:
    """The CPU time a process used so far (user + system), where /proc tells it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def answer(port: int, token: str, path: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}: {body[:300]!r}")
    return dict(json.loads(body))


def same_bodies(ports: dict[str, int], token: str, path: str) -> None:
    """leadgate's body less @odata.context is the bare route's: the same work is measured."""
    leadgate = answer(ports["leadgate"], token, path)
    del leadgate["@odata.context"]
    bare = answer(ports["bare"], token, path)
    if leadgate != bare:
        raise SystemExit(f"GET {path}: leadgate and the bare route differ:\n{leadgate}\n{bare}")


def main() -> None:
    options = load_options(__doc__)
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        backend = sa.make_url(url).get_backend_name()
        with Organization.create(url) as organization:
            user_id, token = salesperson_token(organization)
            service = organization.service(user_id)
            lead_ids = [service.create("lead", {**LEAD, "subject": f"Lead {n}"})
                        for n in range(PAGE + 10)]  # fmt: skip
        record_id = lead_ids[len(lead_ids) // 2]
        reads: dict[str, tuple[str, Callable[[bytes], bool]]] = {
            "GET lead by id": (
                f"{API}/leads({record_id})?$select={SELECT}",
                lambda body: json.loads(body)["leadid"] == str(record_id),
            ),
            f"GET page of {PAGE}": (
                f"{API}/leads?$select={SELECT}&$top={PAGE}",
                lambda body: len(json.loads(body)["value"]) == PAGE,
            ),
        }
        servers = {"leadgate": serve_with(url, 1), "bare": bare_server(url)}
        ports = {name: port for name, (_, port) in servers.items()}
        rates: dict[tuple[str, str], list[float]] = {}
        costs: dict[tuple[str, str], list[float]] = {}  # CPU seconds per request
        try:
            for path, check in reads.values():
                same_bodies(ports, token, path)
                for port in ports.values():  # warm caches and statement compilation
                    load(port, token, path, check, options.connections, 1.0)
            for _ in range(options.rounds):
                for read, (path, check) in reads.items():
                    for name, (process, port) in servers.items():
                        before = cpu_seconds(process.pid)
                        rate = load(port, token, path, check, options.connections, options.seconds)
                        rates.setdefault((read, name), []).append(rate)
                        after = cpu_seconds(process.pid)
                        if before is not None and after is not None:
                            costs.setdefault((read, name), []).append(
                                (after - before) / (rate * options.seconds)
                            )
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(30)
    print(
        f"Web API reads on {backend}: leadgate serve --workers 1 (as a Salesperson) vs a bare "
        f"FastAPI route with the driver; {options.connections} keep-alive connections, median "
        f"of {options.rounds} round(s) of {options.seconds} s"
    )
    print(f"{'read':<16} {'leadgate':>13} {'bare':>13} {'ratio':>7}")
    for read in reads:
        leadgate, bare = (statistics.median(rates[read, name]) for name in ("leadgate", "bare"))
        ratio = bare / leadgate  # time per request, leadgate's over the bare route's
        verdict = "meets" if ratio <= GOAL else "misses"
        print(
            f"{read:<16} {leadgate:>7.1f} req/s {bare:>7.1f} req/s {ratio:>6.2f}x "
            f"({verdict} <= {GOAL}x)"
        )
    for read in reads:
        if (read, "bare") in costs:
            leadgate, bare = (statistics.median(costs[read, name]) for name in ("leadgate", "bare"))
            print(
                f"{read:<16} server CPU per request: leadgate {leadgate * 1e6:.0f} us, "
                f"bare {bare * 1e6:.0f} us, {leadgate / bare:.2f}x"
            )


if __name__ == "__main__":
    main()
