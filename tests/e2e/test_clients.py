"""The three public Python clients of Dataverse, unchanged, against ``leadgate serve``.

Each client's everyday flow (tests/e2e/clients/*_flow.py: resolve the table, create, read,
update, query with paging, bulk create, QualifyLead through the client's own request helper,
delete) runs as a program in a virtual environment of its own, with the clients at the
versions CLIENTS.md read: nothing of leadgate or of this suite is importable there, and no
client is patched. One server, over HTTPS (Microsoft's SDK refuses anything else; its
certificate is trusted through REQUESTS_CA_BUNDLE, as a user would), serves the three; a
second one, with a small service protection limit, shows the SDK reading its refusal.

The environment is made once in ``.venv-clients/`` (git-ignored; LEADGATE_CLIENTS_VENV to put
it elsewhere) and reused while its pinned versions match: 20 to 40 s the first time (from
PyPI), nothing after; the three flows take 1 to 2 s each. SQLite only: what is under test is
what the clients send and read.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ADMIN_EMAIL
from tests.served import free_port

pytestmark = [pytest.mark.interface_only, pytest.mark.slow, pytest.mark.xdist_group("clients")]

ROOT = Path(__file__).resolve().parents[2]
FLOWS = Path(__file__).resolve().parent / "clients"
PINS = (
    "powerplatform-dataverse-client==1.1.0",
    "dataverse-api==1.4.3",
    "python-odata==0.8.1",
)
FLOW_TIMEOUT = 120


def client_venv_path() -> Path:
    return Path(os.environ.get("LEADGATE_CLIENTS_VENV", ROOT / ".venv-clients"))


@pytest.fixture(scope="session")
def clients_python() -> Path:
    """The Python of a virtual environment holding the three clients at their pinned versions,
    made when missing or when its pins differ (a lock keeps parallel workers from racing)."""
    venv = client_venv_path()
    wanted = "\n".join((sys.version.split()[0], *PINS)) + "\n"
    stamp = venv / "leadgate-pins.txt"
    python = venv / "bin" / "python"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == wanted and python.exists():
            return python
        shutil.rmtree(venv, ignore_errors=True)
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        installed = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             *PINS],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if installed.returncode != 0:
            pytest.fail(f"could not install the clients:\n{installed.stderr[-3000:]}")
        stamp.write_text(wanted)
        print(f"clients' virtual environment made in {time.monotonic() - started:.1f} s")
        return python


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (in its subjectAltName, which clients check), and its key."""
    key, certificate = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    return certificate, key


@dataclass
class Served:
    """``leadgate serve`` over HTTPS, with what it has logged so far."""

    url: str
    token: str
    certificate: Path
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)

    def refused_since(self, mark: int) -> list[str]:
        """The requests answered 4xx or 5xx after line ``mark`` of the log."""
        return [line for line in self.log[mark:] if re.search(r'" [45]\d\d\b', line)]


@contextlib.contextmanager
def serving(folder: Path, *options: str, template: Path) -> Iterator[Served]:
    """``leadgate serve`` over HTTPS, with ``options``, on a copy of ``template`` in ``folder``."""
    shutil.copyfile(template, folder / "leadgate.db")
    certificate, key = self_signed_certificate(folder)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "leadgate.cli.main", "serve", "--db",
         f"sqlite:///{folder / 'leadgate.db'}", "--port", str(port), "--certfile",
         str(certificate), "--keyfile", str(key), "--issue-token", ADMIN_EMAIL, *options],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    log: list[str] = []
    token_seen = threading.Event()
    ready = threading.Event()

    def read_log() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line.rstrip())
            if "API token for" in line:
                token_seen.set()
            if "Uvicorn running" in line or "Application startup complete" in line:
                ready.set()

    reader = threading.Thread(target=read_log, daemon=True)
    reader.start()
    try:
        assert token_seen.wait(60) and ready.wait(60), "\n".join(log)
        token = next(
            found.group(1)
            for line in log
            if (found := re.search(r"API token for \S+: (lg_\S+)", line))
        )
        yield Served(f"https://127.0.0.1:{port}", token, certificate, process, log)
    finally:
        process.terminate()
        process.wait(30)
        reader.join(10)  # the log's end: the pipe is read to its close
        assert process.stdout is not None
        process.stdout.close()


@pytest.fixture(scope="module")
def served(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("clients"), template=sqlite_template) as server:
        yield server


@pytest.fixture
def strict(sqlite_template: Path, tmp_path: Path) -> Iterator[Served]:
    """A server that lets each user send 3 requests in 5 minutes."""
    with serving(tmp_path, "--max-requests", "3", template=sqlite_template) as server:
        yield server


def run_flow(python: Path, served: Served, flow: str) -> None:
    """Run a client's flow; on failure, say which step broke and which requests were refused."""
    mark = len(served.log)
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "LEADGATE_URL": served.url,
        "LEADGATE_TOKEN": served.token,
        "REQUESTS_CA_BUNDLE": str(served.certificate),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    started = time.monotonic()
    finished = subprocess.run(
        [str(python), str(FLOWS / flow)], env=environment, capture_output=True, text=True,
        timeout=FLOW_TIMEOUT,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    time.sleep(0.1)  # the server's last access-log lines
    steps = [line for line in finished.stdout.splitlines() if line.startswith("step: ")]
    assert finished.returncode == 0 and "flow: done" in finished.stdout, (
        f"{flow} failed at «{steps[-1][6:] if steps else 'start'}» after {elapsed:.1f} s\n"
        f"--- requests refused by the server:\n" + "\n".join(served.refused_since(mark)) +
        f"\n--- the client's output:\n{finished.stdout}\n{finished.stderr[-4000:]}"
    )  # fmt: skip
    print(f"{flow}: {elapsed:.1f} s")


def test_microsofts_sdk_runs_its_everyday_flow_over_https(clients_python, served):
    run_flow(clients_python, served, "sdk_flow.py")


def test_dataverse_api_runs_its_everyday_flow(clients_python, served):
    run_flow(clients_python, served, "dataverse_api_flow.py")


def test_python_odata_reflects_the_metadata_and_runs_its_everyday_flow(clients_python, served):
    run_flow(clients_python, served, "python_odata_flow.py")


def test_microsofts_sdk_reads_the_service_protection_refusal(clients_python, strict):
    """Past a limit the SDK raises its HttpError with the status, Dataverse's code and the
    Retry-After it reads, as against Dataverse."""
    run_flow(clients_python, strict, "sdk_throttled.py")
