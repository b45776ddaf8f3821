"""Migrations of leadgate's own tables: the revisions in ``versions/``, run by Alembic."""

from leadgate.platform.engine.migrations.runner import (
    VERSION_TABLE,
    Migration,
    SchemaState,
    current_revision,
    require_current,
    schema_state,
    stamp_head,
    upgrade,
)

__all__ = [
    "VERSION_TABLE",
    "Migration",
    "SchemaState",
    "current_revision",
    "require_current",
    "schema_state",
    "stamp_head",
    "upgrade",
]
