"""The leadgate command itself: its version, and its help when nothing more is asked."""

from __future__ import annotations

from importlib import metadata

import pytest

from leadgate.cli.main import main


def test_version_comes_from_the_package_metadata(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"leadgate {metadata.version('leadgate')}\n"


@pytest.mark.parametrize("group", [[], ["leads"], ["duplicates", "rules"]])
def test_a_bare_command_prints_its_help_and_succeeds(capsys, group):
    assert main(group) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith(f"Usage: {' '.join(['leadgate', *group])} [OPTIONS] COMMAND")


def test_a_wrong_command_is_still_bad_usage(capsys):
    assert main(["frobnicate"]) == 2
    assert "No such command" in capsys.readouterr().err
