"""Duplicate match codes are kept in the order a check reads them: by rule, code, then record.

A duplicate check looks its codes up by rule and code, then needs each candidate's record id
(and, for similar names, the names it compares). With the old key (rule, record, code) and an
index on (rule, code), every candidate cost one more read, in a table of tens of millions of
rows: 2.1 ms at p95 for a million records, 2.19x the figure at ten thousand (issue 16). Keyed
(rule, code, record), the candidates of a code lie together and the index is the table (on
SQLite a table WITHOUT ROWID). Dropping a record's codes goes by a new index on (rule, record).

The codes are copied in key order (SQLite) or the key is rebuilt in place (PostgreSQL): on a
million records (40 million codes) this takes minutes, once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_matchcode_by_code"
down_revision = "0005_similar_name_codes"
branch_labels = None
depends_on = None

TABLE = "lg_matchcode"
OLD_INDEX, NEW_INDEX = "ix_lg_matchcode_rule_code", "ix_lg_matchcode_rule_record"


def _shape(name: str) -> sa.Table:
    """The table as this revision leaves it (frozen here, as migrations are)."""
    return sa.Table(
        name, sa.MetaData(),
        sa.Column("ruleid", sa.Uuid, nullable=False),
        sa.Column("recordid", sa.Uuid, nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("fuzzy", sa.String(1000)),
        sa.PrimaryKeyConstraint("ruleid", "code", "recordid"),
        sqlite_with_rowid=False,
    )  # fmt: skip


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    if not inspector.has_table(TABLE):
        return
    if inspector.get_pk_constraint(TABLE)["constrained_columns"] == ["ruleid", "code", "recordid"]:
        return  # made by this code already
    if bind.dialect.name == "sqlite":
        _rebuild_sqlite(bind)
    else:
        name = inspector.get_pk_constraint(TABLE)["name"] or f"{TABLE}_pkey"
        op.drop_constraint(name, TABLE, type_="primary")
        op.create_primary_key(name, TABLE, ["ruleid", "code", "recordid"])
        op.drop_index(OLD_INDEX, table_name=TABLE)
    op.create_index(NEW_INDEX, TABLE, ["ruleid", "recordid"])


def _rebuild_sqlite(bind: sa.Connection) -> None:
    """SQLite cannot change a table's key: a new table, filled in key order (appending to
    its B-tree, not inserting at random), takes the old one's place."""
    new = _shape(f"{TABLE}_new")
    new.create(bind)
    names = ["ruleid", "recordid", "code", "fuzzy"]  # the columns keep their order
    old = sa.table(TABLE, *(sa.column(name) for name in names))
    bind.execute(
        new.insert().from_select(
            names, sa.select(*old.c).order_by(old.c.ruleid, old.c.code, old.c.recordid)
        )
    )
    op.drop_table(TABLE)  # its indexes with it
    op.rename_table(new.name, TABLE)


def downgrade() -> None:
    raise NotImplementedError("leadgate's upgrades go forward only: restore a backup instead")
