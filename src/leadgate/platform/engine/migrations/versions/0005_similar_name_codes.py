"""The Similar Name operator keys names differently (each word whole or less one letter, no
longer by three letters of it: those blocks grew to hundreds of records on a large table).
Codes stored the old way would find nothing, so a rule that compares similar names and was
published (or publishing) goes back to Publishing, its codes dropped and its cursor reset:
publishing it again (``leadgate duplicates rules publish RULE``) computes them anew. It keeps
its place among its table's five published rules meanwhile.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leadgate.platform.engine.metadata.store import bump_generation

revision = "0005_similar_name_codes"
down_revision = "0004_metadata_stamp"
branch_labels = None
depends_on = None

SIMILAR_NAME = 100000003  # duplicates.operators.Operator.SIMILAR_NAME, as stored
PUBLISHING, PUBLISHED = 1, 2
INACTIVE = 0  # a publishing rule's state, as Dataverse has it


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    if not (inspector.has_table("duplicaterule") and inspector.has_table("duplicaterulecondition")):
        return  # a database from before duplicate rules: nothing was keyed
    present = {column["name"] for column in inspector.get_columns("duplicaterule")}
    rules = sa.table("duplicaterule", sa.column("duplicateruleid", sa.Uuid),
                     sa.column("statuscode", sa.Integer), sa.column("statecode", sa.Integer),
                     sa.column("publishcursor", sa.String))  # fmt: skip
    conditions = sa.table("duplicaterulecondition", sa.column("regardingobjectid", sa.Uuid),
                          sa.column("operatorcode", sa.Integer))  # fmt: skip
    similar = sa.select(conditions.c.regardingobjectid).where(
        conditions.c.operatorcode == SIMILAR_NAME
    )
    ids = (
        bind.execute(
            sa.select(rules.c.duplicateruleid).where(
                rules.c.duplicateruleid.in_(similar),
                rules.c.statuscode.in_((PUBLISHING, PUBLISHED)),
            )
        )
        .scalars()
        .all()
    )
    if not ids:
        return
    codes = sa.table("lg_matchcode", sa.column("ruleid", sa.Uuid))
    bind.execute(sa.delete(codes).where(codes.c.ruleid.in_(ids)))
    values: dict[str, object] = {"statuscode": PUBLISHING, "statecode": INACTIVE}
    if "publishcursor" in present:
        values["publishcursor"] = None
    bind.execute(sa.update(rules).where(rules.c.duplicateruleid.in_(ids)).values(**values))
    # The rules are read with the metadata: a process that kept them reads them again.
    bump_generation(bind, metadata=True)


def downgrade() -> None:
    raise NotImplementedError("leadgate's upgrades go forward only: restore a backup instead")
