"""Refusals of an upgrade: a database that a newer leadgate changed, or one that needs
``leadgate upgrade`` before this version can use it."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = ["DATABASE_TOO_NEW", "SCHEMA_UPGRADE_NEEDED", "SOLUTION_TOO_NEW"]

DATABASE_TOO_NEW = ErrorKind(
    "database_too_new",
    "0x8F4C4798",
    N_(
        "The database {url} was upgraded by a newer leadgate: its tables are at revision "
        "{revision}, which this version does not know (it knows up to {head}). Nothing was "
        "changed; use a leadgate at least as new as the one that upgraded it."
    ),
)
SCHEMA_UPGRADE_NEEDED = ErrorKind(
    "schema_upgrade_needed",
    "0x8F4C4799",
    N_(
        "The database {url} was set up by an older leadgate (leadgate's tables: revision "
        "{revision}, this version needs {head}). Upgrade it with: leadgate upgrade --db {url}"
    ),
)
SOLUTION_TOO_NEW = ErrorKind(
    "solution_too_new",
    "0x8F4C479A",
    N_(
        "The database {url} was upgraded by a newer leadgate (solution {solution} {installed}, "
        "this version ships {shipped}). Nothing was changed; use a leadgate at least as new as "
        "the one that upgraded it."
    ),
)
