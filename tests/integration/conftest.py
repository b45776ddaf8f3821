"""Fixtures of the integration tier beyond the shared ones."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from leadgate.cli.main import main
from tests.security_world import tester, world

__all__ = ["cli", "refused", "run", "tester", "world"]


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
