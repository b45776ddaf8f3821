"""Versioned migrations of leadgate's own tables (the ``lg_`` ones), run by Alembic.

Record tables (lead, account, custom ones) follow the metadata: publishing turns it into DDL.
Only the tables leadgate keeps for itself need migrations. Their scripts ship in
``versions/`` and Alembic is configured here, in code, so nothing needs configuring where
leadgate runs; the same scripts run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from leadgate.platform.engine.migrations.errors import DATABASE_TOO_NEW, SCHEMA_UPGRADE_NEEDED
from leadgate.platform.engine.storage import redact

__all__ = [
    "VERSION_TABLE",
    "Migration",
    "SchemaState",
    "config",
    "current_revision",
    "require_current",
    "schema_state",
    "stamp_head",
    "upgrade",
]

VERSION_TABLE = "lg_schema_version"
LOCATION = Path(__file__).parent
# How a database made before versioned upgrades shows its revision in messages.
UNVERSIONED = "-"


@dataclass(frozen=True)
class Migration:
    """One revision of leadgate's tables: its id and what it does (its docstring's summary)."""

    revision: str
    description: str


@dataclass(frozen=True)
class SchemaState:
    """Where a database's tables stand: their revision (None: made before versioned
    upgrades), the code's newest, and the migrations between them, oldest first."""

    current: str | None
    head: str
    pending: tuple[Migration, ...]

    @property
    def up_to_date(self) -> bool:
        return not self.pending


def config(connection: sa.Connection | None = None) -> Config:
    """Alembic's configuration, in code: the scripts shipped with leadgate, and the
    connection (with its transaction) they run on."""
    settings = Config()
    settings.set_main_option("script_location", str(LOCATION))
    settings.set_main_option("path_separator", "os")
    if connection is not None:
        settings.attributes["connection"] = connection
    return settings


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


def _head() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "leadgate ships at least its baseline revision"
    return head


def current_revision(connection: sa.Connection) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def schema_state(connection: sa.Connection, url: str) -> SchemaState:
    """The database's revision and what upgrading it would run; DATABASE_TOO_NEW when a
    newer leadgate moved it to a revision this code does not know."""
    scripts = _scripts()
    current = current_revision(connection)
    head = _head()
    known = {script.revision for script in scripts.walk_revisions()}
    if current is not None and current not in known:
        raise DATABASE_TOO_NEW(url=redact(url), revision=current, head=head)
    pending = [
        Migration(script.revision, (script.doc or "").strip().splitlines()[0].rstrip("."))
        for script in scripts.iterate_revisions(head, current or "base")
        if script.revision != current
    ]
    return SchemaState(current, head, tuple(reversed(pending)))


def require_current(connection: sa.Connection, url: str) -> None:
    """Refuse a database whose tables are not at this code's revision, either way."""
    state = schema_state(connection, url)
    if not state.up_to_date:
        raise SCHEMA_UPGRADE_NEEDED(
            url=redact(url), revision=state.current or UNVERSIONED, head=state.head
        )


def upgrade(connection: sa.Connection, url: str) -> tuple[Migration, ...]:
    """Run the pending migrations in the caller's transaction; return what ran."""
    state = schema_state(connection, url)
    if state.pending:
        command.upgrade(config(connection), state.head)
    return state.pending


def stamp_head(connection: sa.Connection) -> None:
    """Mark a database whose tables were just made from the current definitions."""
    command.stamp(config(connection), _head())
