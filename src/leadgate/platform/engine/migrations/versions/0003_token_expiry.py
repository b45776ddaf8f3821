"""Tokens may expire: a browser session's token is an API token that ends by itself."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leadgate.platform.engine.sqltypes import UtcDateTime

revision = "0003_token_expiry"
down_revision = "0002_rowversion"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("lg_apitoken", sa.Column("expireson", UtcDateTime, nullable=True))


def downgrade() -> None:
    raise NotImplementedError("leadgate's upgrades go forward only: restore a backup instead")
