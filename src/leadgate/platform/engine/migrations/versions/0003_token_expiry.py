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
    # A database whose revision was set back by hand (or restored halfway) may have it already.
    present = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("lg_apitoken")}
    if "expireson" not in present:
        op.add_column("lg_apitoken", sa.Column("expireson", UtcDateTime, nullable=True))


def downgrade() -> None:
    raise NotImplementedError("leadgate's upgrades go forward only: restore a backup instead")
