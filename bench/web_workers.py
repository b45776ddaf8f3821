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

import argparse
import http.client
import json
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from _served import API, salesperson_token, serve
from web_multiple import LEAD

from leadgate.platform import Organization


def serve_with(url: str, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    """A server of ``workers`` processes, service protection off: the load is the bench's."""
    return serve(url, "--workers", str(workers), "--max-requests", "0", "--max-execution-time",
                 "0", "--max-concurrent-requests", "0", "--no-worker")  # fmt: skip


def load(port: int, token: str, path: str, subject: str, connections: int,
         seconds: float) -> float:  # fmt: skip
    """Requests per second that ``connections`` keep-alive clients got answered."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json",
               "OData-Version": "4.0"}  # fmt: skip
    counts = [0] * connections
    failures: list[str] = []
    start = threading.Barrier(connections + 1)
    stop = threading.Event()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", path, headers=headers)  # warm: connect, authenticate
        connection.getresponse().read()
        start.wait()
        while not stop.is_set():
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200 or json.loads(body)["subject"] != subject:
                failures.append(f"{response.status}: {body[:200]!r}")
                return
            counts[number] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise SystemExit(f"GET answered {failures[0]}")
    return sum(counts) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each, alternating")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        backend = sa.make_url(url).get_backend_name()
        with Organization.create(url) as organization:
            user_id, token = salesperson_token(organization)
            lead_id = organization.service(user_id).create("lead", dict(LEAD))
        path = f"{API}/leads({lead_id})?$select=subject,lastname,companyname,emailaddress1"
        servers = {workers: serve_with(url, workers) for workers in (1, 2)}
        rates: dict[int, list[float]] = {1: [], 2: []}
        try:
            for _, port in servers.values():  # warm each worker's caches
                load(port, token, path, LEAD["subject"], options.connections, 1.0)
            for _ in range(options.rounds):
                for workers, (_, port) in servers.items():
                    rates[workers].append(load(port, token, path, LEAD["subject"],
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
