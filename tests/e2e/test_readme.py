"""The README is a contract: its command blocks run, in order, as a new user would run them.

In a fresh folder the test does what ``make run`` does (the Makefile's own recipe, read with
``make -n``, on a free port), then runs every ``$ `` command of the README's ``console`` blocks
with bash — CLI and curl alike, sharing exported variables as a terminal does — and every
``python`` block. Each command must exit 0, or with the status its comment names
(``# refused (exit status 1)``); where the README shows output under a command, the real
output (stdout and stderr, as a terminal shows them) must match it, ``…`` standing for any
text. A block the test cannot run says so in the README, right above it:
``<!-- readme-test: skip (why) -->``; each one is reported as a skipped test, never silently
ignored. ``<!-- readme-test: serve -->`` marks the ``make run`` block,
``<!-- readme-test: file PATH -->`` a block to save as PATH (a plug-in module) instead of
running it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import leadgate
from tests.served import free_port

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SOURCE = Path(leadgate.__file__).resolve().parents[1]  # the leadgate under test
PORT_IN_README = "8000"
COMMAND_BLOCKS = {"console", "shell", "sh", "bash"}
RUNNABLE = COMMAND_BLOCKS | {"python"}
DIRECTIVE = re.compile(r"<!--\s*readme-test:\s*(\w+)\s*(.*?)\s*-->")
FENCE = re.compile(r"^```(\S*)\s*$")
EXPECTED_STATUS = re.compile(r"#[^#\n]*\bexit status (\d+)")
TIMEOUT = 180


@dataclass
class Command:
    text: str  # what follows "$ ", continuation lines included
    expected: list[str] = field(default_factory=list)  # the output the README shows

    @property
    def status(self) -> int:
        """0, unless the command's comment names another exit status."""
        found = EXPECTED_STATUS.search(self.text.splitlines()[-1])
        return int(found.group(1)) if found else 0


@dataclass
class Block:
    line: int  # of the opening fence, 1-based
    language: str
    lines: list[str]
    directive: str = ""  # serve, skip, file
    argument: str = ""

    @property
    def name(self) -> str:
        return f"README.md:{self.line} ({self.language})"

    def commands(self) -> list[Command]:
        commands: list[Command] = []
        continued = False
        for line in self.lines:
            if continued:
                commands[-1].text += "\n" + line
            elif line.startswith("$ "):
                commands.append(Command(line[2:]))
            elif line.startswith("#") or not commands:
                continue  # a comment between commands
            else:
                commands[-1].expected.append(line)
            continued = line.startswith(("$ ", " ")) and line.endswith("\\")
        return commands


def blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, each with the readme-test comment above it."""
    found: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        above = [line for line in lines[:index] if line.strip()][-1:]
        directive = DIRECTIVE.fullmatch(above[0].strip()) if above else None
        found.append(Block(
            index + 1, opening.group(1), lines[index + 1 : end],
            directive.group(1) if directive else "",
            directive.group(2).strip("() ") if directive else "",
        ))  # fmt: skip
        index = end + 1
    return found


def readme_blocks() -> list[Block]:
    return [block for block in blocks(README.read_text(encoding="utf-8"))
            if block.language in RUNNABLE]  # fmt: skip


def matches(expected: list[str], output: str) -> bool:
    """The output as the README shows it: line ends ignored, … for any text (a line of just …
    for any lines, or none)."""
    pattern = "".join(
        r"(?:.*?\n)?" if line.strip() == "…"
        else ".*?".join(re.escape(part) for part in line.rstrip().split("…")) + "\n"
        for line in "\n".join(expected).strip("\n").split("\n")
    )  # fmt: skip
    lines = output.replace("\r\n", "\n").split("\n")
    seen = "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"
    return re.fullmatch(pattern, seen, re.DOTALL) is not None


class Terminal:
    """A folder and a shell as a new user has them after cloning: .venv/bin/leadgate, the
    default database ./leadgate.db, English, and the variables earlier commands exported."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port
        self.state = folder / ".readme-test-env"
        self.server: subprocess.Popen[str] | None = None
        self.server_output: list[str] = []
        venv = folder / ".venv" / "bin"
        venv.mkdir(parents=True)
        (venv / "python").symlink_to(sys.executable)
        leadgate_command = venv / "leadgate"
        leadgate_command.write_text(
            f'#!/bin/sh\nexec "{sys.executable}" -m leadgate.cli.main "$@"\n', encoding="utf-8"
        )
        leadgate_command.chmod(0o755)
        environment = {
            name: value for name, value in os.environ.items()
            if not name.startswith(("LEADGATE_", "LC_", "PYTEST_", "COV_"))
        }  # fmt: skip
        environment.update(
            PYTHONPATH=str(SOURCE), LEADGATE_LANG="en", LANG="C.UTF-8", COLUMNS="200",
            HOME=str(folder),
        )  # fmt: skip
        self.environment = environment
        self.state.write_text("", encoding="utf-8")

    def localized(self, text: str) -> str:
        """The README's port is the test's: what a user who ran make run PORT=... types."""
        return text.replace(f"127.0.0.1:{PORT_IN_README}", f"127.0.0.1:{self.port}")

    def run(self, command: str) -> tuple[int, str]:
        """Run one command in bash, with the variables exported before; keep its exports."""
        script = (
            f"set -a; . {self.state}; set +a\n{self.localized(command)}\n"
            f"__status=$?\nexport -p > {self.state}\nexit $__status\n"
        )
        done = subprocess.run(
            ["bash", "-c", script], cwd=self.folder, env=self.environment, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT,
        )  # fmt: skip
        return done.returncode, done.stdout

    def python(self, code: str) -> tuple[int, str]:
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=self.folder, env=self.environment, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT,
        )  # fmt: skip
        return done.returncode, done.stdout

    def make_run(self) -> str:
        """What ``make run PORT=...`` runs, minus the install: the Makefile's recipe, read by
        make itself. Returns what it printed up to its "Try:" line."""
        recipe = subprocess.run(
            ["make", "-s", "-n", "-f", str(ROOT / "Makefile"), "-o", ".venv/.installed-stamp",
             "run", f"PORT={self.port}"],
            cwd=self.folder, env=self.environment, text=True, capture_output=True, check=True,
        ).stdout  # fmt: skip
        self.server = subprocess.Popen(
            ["bash", "-c", recipe], cwd=self.folder, env=self.environment, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        assert self.server.stdout is not None
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            line = self.server.stdout.readline()
            if not line:
                break
            self.server_output.append(line)
            if line.startswith("Try: "):
                self._wait_until_listening(deadline)
                return "".join(self.server_output)
        raise AssertionError("make run printed no 'Try:' line:\n" + "".join(self.server_output))

    def _wait_until_listening(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise AssertionError(f"nothing listens on port {self.port}")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)  # the recipe's bash and its server
            self.server.communicate(timeout=30)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    user = Terminal(tmp_path, free_port())
    try:
        yield user
    finally:
        user.stop()


def check(block: Block, command: Command, status: int, output: str, terminal: Terminal) -> None:
    where = f"{block.name}: $ {command.text}"
    assert status == command.status, f"{where}\nexit status {status}, output:\n{output}"
    if command.expected:
        expected = [terminal.localized(line) for line in command.expected]
        assert matches(expected, output), (
            f"{where}\nthe README shows:\n" + "\n".join(expected) + f"\nit printed:\n{output}"
        )


@pytest.mark.slow
def test_the_readme_runs_as_written(terminal: Terminal) -> None:
    ran = 0
    for block in readme_blocks():
        if block.directive == "skip":
            continue  # each reported by test_blocks_the_readme_test_skips
        if block.directive == "file":
            target = terminal.folder / block.argument
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(block.lines) + "\n", encoding="utf-8")
            continue
        if block.language == "python":
            status, output = terminal.python("\n".join(block.lines))
            assert status == 0, f"{block.name}\n{output}"
            ran += 1
            continue
        assert block.directive in ("", "serve"), f"{block.name}: unknown {block.directive!r}"
        for command in block.commands():
            if block.directive == "serve" and command.text == "make run":
                status, output = 0, terminal.make_run()
            else:
                status, output = terminal.run(command.text)
            check(block, command, status, output, terminal)
            ran += 1
    assert terminal.server is not None, "no block is marked <!-- readme-test: serve -->"
    assert ran > 50


def skipped() -> list[Block]:
    return [block for block in readme_blocks() if block.directive == "skip"]


@pytest.mark.parametrize("block", skipped(), ids=lambda block: block.name)
def test_blocks_the_readme_test_skips(block: Block) -> None:
    """Each block the README exempts shows up as a skipped test, with the README's reason."""
    assert block.argument, f"{block.name}: say why the block is skipped"
    pytest.skip(f"{block.name}: {block.argument}")


def test_the_readme_gives_make_run_and_make_test_first() -> None:
    first = readme_blocks()[0]
    assert [command.text.split("#")[0].strip() for command in first.commands()] == [
        "make run",
        "make test",
    ]
    assert README.read_text(encoding="utf-8").startswith("# leadgate\n")


def test_the_output_matching_allows_ellipses_only_where_the_readme_puts_them() -> None:
    assert matches(
        ["HTTP/1.1 204 No Content", "…", "odata-entityid: …/leads(…)"],
        "HTTP/1.1 204 No Content\r\ndate: x\r\nodata-entityid: h/leads(1)\r\n\r\n",
    )
    assert not matches(["Published 2 change(s)."], "Published 3 change(s).\n")
    assert not matches(["a"], "a\nb\n")
    block = Block(1, "console", ["$ a \\", "    b", "out", "# note", "$ c   # refused (exit "
                                 "status 1)", "error"])  # fmt: skip
    assert [(c.text, c.expected, c.status) for c in block.commands()] == [
        ("a \\\n    b", ["out"], 0),
        ("c   # refused (exit status 1)", ["error"], 1),
    ]
