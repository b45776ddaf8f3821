"""Baseline: leadgate's own tables as the release before versioned upgrades left them.

Databases made by that release (and the ones before it) have no version table: upgrading them
runs this revision, which creates the tables and the columns they lack and changes nothing
that is there. The definitions are frozen here: later revisions change the tables, never this
file.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

TABLES = sa.MetaData()
TIMESTAMP = sa.DateTime(timezone=True)  # what leadgate's UtcDateTime is made of

sa.Table(
    "lg_meta_table", TABLES,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("entity_set", sa.String(64), nullable=False, unique=True),
    sa.Column("label_en", sa.String(200), nullable=False),
    sa.Column("label_fr", sa.String(200)),
    sa.Column("plural_en", sa.String(200), nullable=False),
    sa.Column("plural_fr", sa.String(200)),
    sa.Column("primary_key", sa.String(64), nullable=False),
    sa.Column("primary_name", sa.String(64), nullable=False),
    sa.Column("ownership", sa.String(16), nullable=False),
    sa.Column("object_type_code", sa.Integer),
    sa.Column("is_custom", sa.Boolean, nullable=False),
    sa.Column("published", sa.Boolean, nullable=False),
    sa.Column("properties", sa.Text, nullable=False),
)  # fmt: skip
sa.Table(
    "lg_meta_column", TABLES,
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("label_en", sa.String(200), nullable=False),
    sa.Column("label_fr", sa.String(200)),
    sa.Column("required", sa.String(16), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("is_custom", sa.Boolean, nullable=False),
    sa.Column("published", sa.Boolean, nullable=False),
    sa.Column("properties", sa.Text, nullable=False),
)  # fmt: skip
sa.Table(
    "lg_meta_option", TABLES,
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("column_name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Integer, primary_key=True),
    sa.Column("label_en", sa.String(200), nullable=False),
    sa.Column("label_fr", sa.String(200)),
    sa.Column("state", sa.Integer),
    sa.Column("default_status", sa.Integer),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("published", sa.Boolean, nullable=False),
)  # fmt: skip
sa.Table(
    "lg_meta_relationship", TABLES,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("referenced_table", sa.String(64), nullable=False),
    sa.Column("referencing_table", sa.String(64), nullable=False),
    sa.Column("referencing_column", sa.String(64), nullable=False),
    sa.Column("cascade_delete", sa.String(16), nullable=False),
    sa.Column("is_custom", sa.Boolean, nullable=False),
    sa.Column("published", sa.Boolean, nullable=False),
)  # fmt: skip
sa.Table(
    "lg_solution", TABLES,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("installedon", TIMESTAMP, nullable=False),
)  # fmt: skip
sa.Table(
    "lg_generation", TABLES,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("metadata", sa.Integer, nullable=False),
    sa.Column("steps", sa.Integer, nullable=False),
    sa.Column("security", sa.Integer, nullable=False, server_default="0"),
)  # fmt: skip
sa.Table(
    "lg_matchcode", TABLES,
    sa.Column("ruleid", sa.Uuid, primary_key=True),
    sa.Column("recordid", sa.Uuid, primary_key=True),
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("fuzzy", sa.String(1000)),
    sa.Index("ix_lg_matchcode_rule_code", "ruleid", "code"),
)  # fmt: skip
sa.Table(
    "lg_credential", TABLES,
    sa.Column("systemuserid", sa.Uuid, primary_key=True),
    sa.Column("passwordhash", sa.String(200), nullable=False),
    sa.Column("changedon", TIMESTAMP, nullable=False),
)  # fmt: skip
sa.Table(
    "lg_apitoken", TABLES,
    sa.Column("apitokenid", sa.Uuid, primary_key=True),
    sa.Column("systemuserid", sa.Uuid, nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("tokenhash", sa.String(64), nullable=False, unique=True),
    sa.Column("hint", sa.String(16), nullable=False),
    sa.Column("createdon", TIMESTAMP, nullable=False),
    sa.Column("revokedon", TIMESTAMP),
)  # fmt: skip


def upgrade() -> None:
    connection = op.get_bind()
    inspector = sa.inspect(connection)
    present = set(inspector.get_table_names())
    for table in TABLES.sorted_tables:
        if table.name not in present:
            table.create(connection)
            continue
        # Releases before the baseline added columns as they went (lg_generation.security):
        # a database made by one of them lacks those, each nullable or with a default.
        have = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have:
                default = column.server_default.arg if column.server_default else None  # type: ignore[attr-defined]
                op.add_column(
                    table.name,
                    sa.Column(column.name, column.type, nullable=column.nullable,
                              server_default=default),
                )  # fmt: skip


def downgrade() -> None:
    raise NotImplementedError("leadgate's upgrades go forward only: restore a backup instead")
