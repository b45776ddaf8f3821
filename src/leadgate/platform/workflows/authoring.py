"""Workflow definitions as people write them (a small TOML file, docs/workflows.md) turned
into the ``workflow`` record's values, and back for ``leadgate workflows show``."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from typing import Any

from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.workflows.definition import WORKFLOW
from leadgate.platform.workflows.errors import INVALID_WORKFLOW

__all__ = ["MODES", "RUN_AS", "SCOPES", "from_toml", "record_values"]

MODES = {"background": 0, "real-time": 1}
SCOPES = {"user": 1, "business-unit": 2, "parent-child": 3, "organization": 4}
RUN_AS = {"owner": 0, "calling-user": 1}
_KEYS = {"name", "name_fr", "description", "table", "mode", "scope", "run_as", "trigger", "steps"}


def _choice(name: str, path: str, value: Any, known: Mapping[str, int]) -> int:
    if value not in known:
        raise INVALID_WORKFLOW(
            workflow=name, path=path,
            reason=Text(N_("{value} is not one of {known}."), value=value,
                        known=", ".join(known)),
        )  # fmt: skip
    return known[value]


def record_values(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The workflow record's columns for a definition read from TOML (a draft: activating it
    is a separate step, as in Dataverse)."""
    name = str(definition.get("name") or "")
    unknown = sorted(set(definition) - _KEYS)
    if unknown:
        raise INVALID_WORKFLOW(
            workflow=name, path=unknown[0],
            reason=Text(N_("unknown key (known: {known})."), known=", ".join(sorted(_KEYS))),
        )  # fmt: skip
    trigger = definition.get("trigger") or {}
    update = trigger.get("update") or []
    if isinstance(update, str):
        update = [update]
    slug = re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")[:54] or "workflow"
    return {
        "name": name,
        "name_fr": definition.get("name_fr"),
        "description": definition.get("description"),
        "uniquename": f"lg_wf_{slug}",
        "category": WORKFLOW,
        "primaryentity": definition.get("table"),
        "mode": _choice(name, "mode", definition.get("mode", "real-time"), MODES),
        "scope": _choice(name, "scope", definition.get("scope", "user"), SCOPES),
        "runas": _choice(name, "run_as", definition.get("run_as", "calling-user"), RUN_AS),
        "triggeroncreate": bool(trigger.get("create", False)),
        "triggeronupdateattributelist": ",".join(update) or None,
        "triggeronstatechange": bool(trigger.get("state_change", False)),
        "clientdata": json.dumps({"steps": definition.get("steps", [])}),
    }


def from_toml(text: str) -> dict[str, Any]:
    """A TOML definition's record values (a TOML syntax error is the caller's to report)."""
    return record_values(tomllib.loads(text))
