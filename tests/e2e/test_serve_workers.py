"""`leadgate serve --workers N`: several processes answer, share one database, stop together.

Which process answered a connection is read from Linux's /proc: the worker holding the
server's end of the client's TCP connection."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from leadgate.cli.main import main
from leadgate.web.serving import FACTORY, SETTINGS_VARIABLE, app_from_environment
from tests.e2e.test_serve import get_when_ready, serve, token_from

API = "/api/data/v9.2"
pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc")


def workers_of(pid: int) -> set[int]:
    """The worker processes uvicorn started (not multiprocessing's resource tracker)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue  # ended meanwhile
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in command:
                found.add(int(entry.name))
    return found


def answering_process(server_port: int, client_port: int, candidates: set[int]) -> int:
    """The process holding the server's end of the connection from ``client_port``."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16)
        if (local, remote) == (server_port, client_port):
            inode = fields[9]
    assert inode is not None, "no such connection"
    for pid in candidates:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError("no worker holds the connection")


def client_on_each_worker(port: int, token: str, workers: set[int]) -> dict[int, httpx.Client]:
    """Keep-alive clients, one per worker process, found by opening connections until each
    worker has accepted one (the kernel hands new connections to whichever is listening)."""
    by_worker: dict[int, httpx.Client] = {}
    spare: list[httpx.Client] = []
    for _ in range(60):
        client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
        )
        response = client.get(f"{API}/WhoAmI")
        assert response.status_code == 200
        client_port = response.extensions["network_stream"].get_extra_info("client_addr")[1]
        pid = answering_process(port, client_port, workers)
        if pid in by_worker:
            spare.append(client)  # held open, so that the next connection may go elsewhere
        else:
            by_worker[pid] = client
        if len(by_worker) == len(workers):
            break
    for client in spare:
        client.close()
    return by_worker


def create_lead(client: httpx.Client, name: str) -> str:
    response = client.post(f"{API}/leads", json={"lastname": name, "subject": name})
    assert response.status_code == 204, response.text
    return response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")


@pytest.mark.slow
def test_two_worker_processes_share_the_database_and_stop_together(database_url):
    process, port = serve(database_url, "--workers", "2")
    clients: dict[int, httpx.Client] = {}
    try:
        token = token_from(process)
        assert get_when_ready(f"http://127.0.0.1:{port}{API}/WhoAmI", token).status_code == 200
        deadline = time.monotonic() + 30
        while len(workers := workers_of(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers) == 2 and process.pid not in workers
        clients = client_on_each_worker(port, token, workers)
        assert set(clients) == workers  # both processes answer requests

        first, second = (clients[pid] for pid in sorted(clients))
        # What one process writes, the other reads at once: they share the database.
        for writer, reader, name in ((first, second, "Written by one"),
                                     (second, first, "Written by the other")):  # fmt: skip
            lead_id = create_lead(writer, name)
            read = reader.get(f"{API}/leads({lead_id})?$select=lastname")
            assert (read.status_code, read.json()["lastname"]) == (200, name)
    finally:
        for client in clients.values():
            client.close()
        # Ctrl-C on SQLite's run, a service manager's SIGTERM on PostgreSQL's: both stop all.
        stop_with = signal.SIGINT if database_url.startswith("sqlite") else signal.SIGTERM
        process.send_signal(stop_with)
        process.wait(timeout=30)
        # Not communicate(): it reads the pipe itself, and would miss the lines token_from's
        # readline already took into the pipe's buffer (the warning may be among them).
        assert process.stdout is not None
        with process.stdout:
            out = process.stdout.read()
    assert process.returncode == 0, out
    if database_url.startswith("sqlite"):
        assert "2 processes share the SQLite database: a write may wait seconds behind a " \
            "running job (docs/limits.md)." in out  # fmt: skip
    assert out.count("Finished server process") == 2
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers):
        assert time.monotonic() < deadline, "a worker process outlived leadgate serve"
        time.sleep(0.1)


@pytest.mark.interface_only
@pytest.mark.parametrize("workers", ["0", "-2", "two"])
def test_workers_must_be_a_positive_number(workers, database_url, capsys):
    assert main(["serve", "--db", database_url, "--workers", workers]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Invalid value for '--workers'") and err.count("\n") == 1
    assert err.rstrip().endswith("(see: leadgate serve --help)")


@pytest.mark.interface_only
def test_each_worker_builds_the_app_from_the_options_given(database_url, monkeypatch):
    calls = []

    def run(app, **options):  # uvicorn.run, as a worker process would call the factory
        calls.append((app, options, os.environ[SETTINGS_VARIABLE]))

    monkeypatch.setattr(uvicorn, "run", run)
    assert main(["serve", "--db", database_url, "--workers", "3", "--max-requests", "100",
                 "--max-body-size", "2048", "--no-worker"]) == 0  # fmt: skip
    [(target, options, settings)] = calls
    assert (target, options["factory"], options["workers"]) == (FACTORY, True, 3)
    assert SETTINGS_VARIABLE not in os.environ  # only for the workers it started
    monkeypatch.setenv(SETTINGS_VARIABLE, settings)
    app = app_from_environment()
    with TestClient(app) as client:  # its lifespan closes the organization at the end
        assert client.get(f"{API}/WhoAmI").status_code == 401
        too_large = client.post(f"{API}/leads", content=b"x" * 2049)
        assert too_large.status_code == 413
    assert app.state.service_protection.limits.requests == 100


def test_the_default_is_one_process_on_sqlite_and_the_cores_on_postgresql(
    database_url, monkeypatch
):
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    monkeypatch.delenv("LEADGATE_WORKERS", raising=False)
    assert main(["serve", "--db", database_url, "--no-worker"]) == 0
    [(target, options)] = calls
    cores = len(os.sched_getaffinity(0))
    if database_url.startswith("sqlite") or cores == 1:
        assert not isinstance(target, str) and "workers" not in options  # this process serves
        target.state.organization.close()
    else:
        assert (target, options["workers"]) == (FACTORY, cores)


@pytest.mark.interface_only
@pytest.mark.parametrize(
    ("language", "warning"),
    [
        ("en", "3 processes share the SQLite database: a write may wait seconds behind a "
               "running job (docs/limits.md)."),
        ("fr", "3 processus partagent la base de données SQLite\u00a0: une écriture peut "
               "attendre plusieurs secondes derrière une tâche système en cours "
               "(docs/limits.md)."),
    ],
)  # fmt: skip
def test_several_processes_on_sqlite_are_told_why_writes_may_wait(
    language, warning, sqlite_template, tmp_path, monkeypatch, capsys
):
    shutil.copyfile(sqlite_template, tmp_path / "leadgate.db")
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)
    monkeypatch.setenv("LEADGATE_LANG", language)
    assert main(["serve", "--db", f"sqlite:///{tmp_path / 'leadgate.db'}", "--workers", "3",
                 "--no-worker"]) == 0  # fmt: skip
    assert warning in capsys.readouterr().out.replace("\n", " ")
