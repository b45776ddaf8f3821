"""Alembic's entry point: run the migrations on the connection leadgate hands over.

leadgate configures Alembic in code (see ``runner.py``); this file only joins the caller's
connection and transaction, so that a migration commits with everything else or not at all.
"""

from __future__ import annotations

from alembic import context

from leadgate.platform.engine.migrations.runner import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    version_table=VERSION_TABLE,
    # SQLite alters a table by copying it; Alembic's batch mode does that for it.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
