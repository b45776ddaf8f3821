"""Migrations of leadgate's own tables: the revisions in ``versions/``, run by Alembic."""

from leadgate.platform.engine.migrations.runner import (
    VERSION_TABLE,
    SchemaState,
    current_revision,
    known_revisions,
    require_current,
    schema_state,
    stamp_head,
    upgrade,
)

__all__ = [
    "VERSION_TABLE",
    "SchemaState",
    "current_revision",
    "known_revisions",
    "require_current",
    "schema_state",
    "stamp_head",
    "upgrade",
]
