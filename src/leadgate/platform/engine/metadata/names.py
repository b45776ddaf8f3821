"""Rules for the names users give tables and columns: they become SQL identifiers."""

from __future__ import annotations

import re

from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, Text

__all__ = ["RESERVED_PREFIX", "check_custom_name", "check_name"]

RESERVED_PREFIX = "lg_"
MAX_LENGTH = 50
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
# Customizations carry a publisher prefix (new_, contoso_ ...), as in Dataverse, so that a
# later version of a shipped solution can never collide with a column an admin added.
_CUSTOM = re.compile(r"[a-z][a-z0-9]{1,7}_[a-z0-9_]+\Z")

KINDS = {
    "table": Text(N_("table")),
    "column": Text(N_("column")),
    "relationship": Text(N_("relationship")),
    "entity map": Text(N_("entity map")),
    "key": Text(N_("key")),
}


def _refuse(name: str, kind: str, reason: Text) -> errors.LeadgateError:
    return errors.INVALID_NAME(name=name, kind=KINDS.get(kind, kind), reason=reason)


def check_name(name: object, kind: str) -> str:
    """Refuse anything that is not a plain lower-case identifier (no quoting tricks)."""
    if not isinstance(name, str) or not name:
        raise _refuse(str(name or ""), kind, Text(N_("a name is required.")))
    if len(name) > MAX_LENGTH:
        raise _refuse(
            name, kind, Text(N_("names are at most {maximum} characters long."), maximum=MAX_LENGTH)
        )
    if not _NAME.match(name):
        raise _refuse(
            name,
            kind,
            Text(N_("use lower-case letters, digits and underscores, starting with a letter.")),
        )
    if name.startswith(RESERVED_PREFIX):
        raise _refuse(
            name,
            kind,
            Text(
                N_("the prefix '{prefix}' is reserved for leadgate's own tables."),
                prefix=RESERVED_PREFIX,
            ),
        )
    return name


def check_custom_name(name: object, kind: str) -> str:
    """A customization's name: a valid identifier with a publisher prefix such as ``new_``."""
    checked = check_name(name, kind)
    if not _CUSTOM.match(checked):
        raise _refuse(
            checked,
            kind,
            Text(
                N_(
                    "custom names start with a publisher prefix of 2 to 8 letters or digits "
                    "and an underscore, for example new_score."
                )
            ),
        )
    return checked
