"""Row versions become database-wide: a counter (a sequence on PostgreSQL, a one-row table on
SQLite) that every write of a record takes its version from.

It starts above the highest version any record holds, so an etag a client kept from before the
upgrade never matches a later write.
"""

from __future__ import annotations

from alembic import op

from leadgate.platform.engine.versions import create_counter

revision = "0002_rowversion"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_counter(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("leadgate's upgrades go forward only: restore a backup instead")
