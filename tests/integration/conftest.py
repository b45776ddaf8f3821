"""Fixtures of the integration tier beyond the shared ones."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from leadgate.cli.main import main
from tests.security_world import tester, world

__all__ = ["run", "tester", "world"]


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
