"""Fixtures of the integration tier beyond the shared ones."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace

import pytest

from leadgate.cli import waiting
from leadgate.cli.main import main
from tests.security_world import tester, world

__all__ = ["cli", "ctrl_c_while_a_job_runs", "refused", "run", "tester", "world"]


@pytest.fixture
def run(capsys, monkeypatch) -> Callable[..., tuple[int, str, str]]:
    """Run the leadgate command in English: (exit code, stdout, stderr)."""
    monkeypatch.setenv("LEADGATE_LANG", "en")
    monkeypatch.setenv("COLUMNS", "200")

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def cli(run, database_url) -> Callable[..., str]:
    """Run a command on the test database; expect success and return what it printed."""

    def cli(*argv: str) -> str:
        code, out, err = run(*argv, "--db", database_url)
        assert (code, err) == (0, ""), err
        return out

    return cli


@pytest.fixture
def refused(run, database_url) -> Callable[..., tuple[int, str]]:
    """Run a command that must fail: return (exit code, the one line it printed)."""

    def refused(*argv: str) -> tuple[int, str]:
        code, out, err = run(*argv, "--db", database_url)
        assert code in (1, 2) and out == "" and err.count("\n") == 1, (code, out, err)
        return code, err.strip()

    return refused


@pytest.fixture
def ctrl_c_while_a_job_runs(org, monkeypatch) -> None:
    """The next command that waits for a system job gets Ctrl+C while the job runs in it.

    The job's run (``run_job``) stops as a stopping worker does: it waits until the command
    has given the job back to the queue (status Waiting For Resources), so the test sees what
    the person sees after Ctrl+C, not a race.
    """
    system = org.system_service()
    running = threading.Event()

    def held_until_given_back(organization, job, worker_id, lease):
        running.set()
        while system.retrieve("asyncoperation", job.id, ["statuscode"])["statuscode"] != 0:
            threading.Event().wait(0.01)
        return SimpleNamespace(status=None)

    def interrupted(_seconds: float) -> None:
        assert running.wait(30)
        raise KeyboardInterrupt

    monkeypatch.setattr(waiting, "run_job", held_until_given_back)
    monkeypatch.setattr(waiting, "time", SimpleNamespace(sleep=interrupted))
