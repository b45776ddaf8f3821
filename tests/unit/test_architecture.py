"""docs/architecture.md names, for every message, the module of its handler: the map a
newcomer follows to find a rule (message -> handler). It must not drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

from leadgate.platform import Organization

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def documented() -> dict[str, str]:
    found = {}
    for names, module in re.findall(
        r"^\| ([A-Za-z][\w, ]+) \| `([\w/]+\.py)` \|$", DOC.read_text(), re.M
    ):
        for name in names.split(","):
            found[name.strip()] = module
    return found


def test_every_message_is_documented_with_its_handlers_module():
    with Organization.in_memory() as organization:
        actual = {
            message.name: message.handler.__module__.removeprefix("leadgate.").replace(".", "/")
            + ".py"
            for _type, message in organization.pipeline.messages.items()
        }
    assert documented() == actual
