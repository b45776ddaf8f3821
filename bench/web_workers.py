"""Web API GET by id with ``leadgate serve --workers 1`` beside ``--workers 2``: requests per
second of each, in the same run, against the same database.

    .venv/bin/python bench/web_workers.py [--db URL] [--connections 8] [--seconds 3] [--rounds 3]

Two servers run side by side on free ports (service protection off, so that the count of
requests is the server's speed, not its limit; no job worker). ``--connections`` threads of
this process each hold a keep-alive connection and send a Salesperson's
``GET leads(id)?$select=…`` in turn; the servers take rounds alternately, so that a noisy
machine slows both alike. Every answer is checked (200 and the lead's subject). This process
sends the load on the same cores, so the ratio is what the cores left to the servers allow.

On PostgreSQL give a fresh, empty database; the bench installs the organization in it.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa
from _served import API, load, load_options, salesperson_token, serve
from web_multiple import LEAD

from leadgate.platform import Organization


def serve_with(url: str, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    """A server of ``workers`` processes, service protection off: the load is the bench's."""
    return serve(url, "--workers", str(workers), "--max-requests", "0", "--max-execution-time",
                 "0", "--max-concurrent-requests", "0", "--no-worker")  # fmt: skip


def main() -> None:
    options = load_options(__doc__)
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        backend = sa.make_url(url).get_backend_name()
        with Organization.create(url) as organization:
            user_id, token = salesperson_token(organization)
            lead_id = organization.service(user_id).create("lead", dict(LEAD))
        path = f"{API}/leads({lead_id})?$select=subject,lastname,companyname,emailaddress1"
        servers = {workers: serve_with(url, workers) for workers in (1, 2)}
        rates: dict[int, list[float]] = {1: [], 2: []}

        def check(body: bytes) -> bool:
            return bool(json.loads(body)["subject"] == LEAD["subject"])

        try:
            for _, port in servers.values():  # warm each worker's caches
                load(port, token, path, check, options.connections, 1.0)
            for _ in range(options.rounds):
                for workers, (_, port) in servers.items():
                    rates[workers].append(load(port, token, path, check,
                                               options.connections, options.seconds))  # fmt: skip
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(30)
    one, two = (sorted(rates[w])[len(rates[w]) // 2] for w in (1, 2))
    print(
        f"Web API GET lead by id on {backend}, as a Salesperson, {options.connections} "
        f"keep-alive connections; median of {options.rounds} round(s) of {options.seconds} s"
    )
    print(f"leadgate serve --workers 1: {one:8.1f} req/s")
    print(f"leadgate serve --workers 2: {two:8.1f} req/s")
    print(f"2 workers / 1: {two / one:.2f}x")


if __name__ == "__main__":
    main()
