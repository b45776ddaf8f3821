"""Versioned migrations of leadgate's own tables (the ``lg_`` ones), run by Alembic.

Record tables (lead, account, custom ones) follow the metadata: publishing turns it into DDL.
Only the tables leadgate keeps for itself need migrations. Their scripts ship in
``versions/`` and Alembic is configured here, in code, so nothing needs configuring where
leadgate runs; the same scripts run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from leadgate.platform.engine.migrations.errors import DATABASE_TOO_NEW, SCHEMA_UPGRADE_NEEDED
from leadgate.platform.engine.storage import redact

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "VERSION_TABLE",
    "SchemaState",
    "config",
    "current_revision",
    "known_revisions",
    "require_current",
    "schema_state",
    "stamp_head",
    "upgrade",
]

VERSION_TABLE = "lg_schema_version"
LOCATION = Path(__file__).parent
# How a database made before versioned upgrades shows its revision in messages.
UNVERSIONED = "-"
# A script's own id and the one it follows, as the template in this folder writes them.
_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*=\s*(?:None|['\"]([^'\"]+)['\"])", re.MULTILINE)


@dataclass(frozen=True)
class SchemaState:
    """Where a database's tables stand: their revision (None: made before versioned
    upgrades), the code's newest, and the revisions upgrading would run, oldest first."""

    current: str | None
    head: str
    pending: tuple[str, ...]

    @property
    def up_to_date(self) -> bool:
        return not self.pending


def config(connection: sa.Connection | None = None) -> Config:
    """Alembic's configuration, in code: the scripts shipped with leadgate, and the
    connection (with its transaction) they run on."""
    from alembic.config import Config

    settings = Config()
    settings.set_main_option("script_location", str(LOCATION))
    settings.set_main_option("path_separator", "os")
    settings.set_main_option("file_template", "%%(rev)s")  # versions/0002_row_versions.py
    if connection is not None:
        settings.attributes["connection"] = connection
    return settings


@functools.cache
def known_revisions() -> tuple[str, ...]:
    """The revisions this code ships, oldest first, read from the scripts' headers.

    Opening an organization checks its revision on every start; reading two lines per
    script spares every command loading Alembic (and what it imports), which only
    migrating needs. A test checks this order is Alembic's.
    """
    follows: dict[str | None, str] = {}
    for script in sorted((LOCATION / "versions").glob("*.py")):
        text = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if revision is None or down is None:
            raise RuntimeError(f"{script.name} does not say its revision and down_revision")
        follows[down.group(1)] = revision.group(1)
    chain, current = [], None
    while current in follows:
        current = follows[current]
        chain.append(current)
    return tuple(chain)


def current_revision(connection: sa.Connection) -> str | None:
    """The revision recorded in the database (None: made before versioned upgrades)."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalar()


def schema_state(connection: sa.Connection, url: str) -> SchemaState:
    """The database's revision and what upgrading it would run; DATABASE_TOO_NEW when a
    newer leadgate moved it to a revision this code does not know."""
    known = known_revisions()
    current = current_revision(connection)
    if current is not None and current not in known:
        raise DATABASE_TOO_NEW(url=redact(url), revision=current, head=known[-1])
    done = known.index(current) + 1 if current is not None else 0
    return SchemaState(current, known[-1], known[done:])


def require_current(connection: sa.Connection, url: str) -> None:
    """Refuse a database whose tables are not at this code's revision, either way."""
    state = schema_state(connection, url)
    if not state.up_to_date:
        raise SCHEMA_UPGRADE_NEEDED(
            url=redact(url), revision=state.current or UNVERSIONED, head=state.head
        )


def upgrade(connection: sa.Connection, url: str) -> tuple[str, ...]:
    """Run the pending migrations in the caller's transaction; return the revisions run."""
    state = schema_state(connection, url)
    if state.pending:
        from alembic import command

        command.upgrade(config(connection), state.head)
    return state.pending


def stamp_head(connection: sa.Connection) -> None:
    """Mark a database whose tables were just made from the current definitions."""
    from alembic import command

    command.stamp(config(connection), known_revisions()[-1])
