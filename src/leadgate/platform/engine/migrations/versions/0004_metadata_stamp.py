"""The metadata gets a random stamp, new at each change: copies of a database share theirs."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004_metadata_stamp"
down_revision = "0003_token_expiry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database whose revision was set back by hand (or restored halfway) may have it already.
    present = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("lg_generation")}
    if "metadatastamp" not in present:
        op.add_column("lg_generation", sa.Column("metadatastamp", sa.String(32), nullable=True))
    op.execute(
        sa.text("UPDATE lg_generation SET metadatastamp = :stamp").bindparams(
            stamp=uuid.uuid4().hex
        )
    )


def downgrade() -> None:
    raise NotImplementedError("leadgate's upgrades go forward only: restore a backup instead")
