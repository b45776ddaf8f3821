"""0006_matchcode_by_code: match codes kept under the old key (rule, record, code) are kept,
every one, under the key a duplicate check reads (rule, code, record), and still find."""

from __future__ import annotations

import sqlalchemy as sa

from leadgate.platform import Entity, Organization
from leadgate.platform.duplicates.messages import RetrieveDuplicatesRequest
from leadgate.platform.engine.metadata import store
from leadgate.platform.engine.migrations import runner
from leadgate.platform.records.state import SetStateRequest

RULE = "Contacts with a similar full name"
KEYS = ["ruleid", "code", "recordid"]


def _old_layout(connection: sa.Connection) -> None:
    """lg_matchcode as revision 0005 left it, holding the same codes."""
    old = sa.Table(
        "lg_matchcode_old", sa.MetaData(),
        sa.Column("ruleid", sa.Uuid, primary_key=True),
        sa.Column("recordid", sa.Uuid, primary_key=True),
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("fuzzy", sa.String(1000)),
    )  # fmt: skip
    old.create(connection)
    codes = store.matchcodes
    connection.execute(old.insert().from_select(
        ["ruleid", "recordid", "code", "fuzzy"],
        sa.select(codes.c.ruleid, codes.c.recordid, codes.c.code, codes.c.fuzzy),
    ))  # fmt: skip
    connection.exec_driver_sql("DROP TABLE lg_matchcode")
    connection.exec_driver_sql("ALTER TABLE lg_matchcode_old RENAME TO lg_matchcode")
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "ALTER TABLE lg_matchcode RENAME CONSTRAINT lg_matchcode_old_pkey TO lg_matchcode_pkey"
        )
    connection.exec_driver_sql(
        "CREATE INDEX ix_lg_matchcode_rule_code ON lg_matchcode (ruleid, code)"
    )
    connection.execute(sa.text(f"UPDATE {runner.VERSION_TABLE} SET version_num = :old"),
                       {"old": "0005_similar_name_codes"})  # fmt: skip


def _layout(url: str) -> tuple[list[str], set[str], list[tuple]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            key = inspector.get_pk_constraint("lg_matchcode")["constrained_columns"]
            indexes = {index["name"] for index in inspector.get_indexes("lg_matchcode")}
            codes = store.matchcodes
            rows = connection.execute(
                sa.select(codes.c.ruleid, codes.c.recordid, codes.c.code, codes.c.fuzzy).order_by(
                    codes.c.ruleid, codes.c.recordid, codes.c.code
                )
            ).all()
    finally:
        engine.dispose()
    return key, indexes, [tuple(row) for row in rows]


def test_codes_kept_under_the_old_key_are_all_kept_under_the_new_one_and_still_find(
    database_url, run
):
    with Organization.open(database_url) as organization:
        system = organization.system_service()
        (rule,) = system.retrieve_multiple("duplicaterule", name=RULE)
        system.execute(SetStateRequest(rule.to_reference(), 1, 2))  # published at once
        for first, last in (("Rosalind", "Franklin"), ("Grace", "Hopper"), ("Ada", "Lovelace")):
            system.create("contact", firstname=first, lastname=last)
    new_key, new_indexes, codes = _layout(database_url)
    assert new_key == KEYS and "ix_lg_matchcode_rule_record" in new_indexes and codes
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            _old_layout(connection)
    finally:
        engine.dispose()
    old_key, old_indexes, old_codes = _layout(database_url)
    assert old_key == ["ruleid", "recordid", "code"] and old_codes == codes
    assert "ix_lg_matchcode_rule_code" in old_indexes

    code, out, err = run("upgrade", "--db", database_url)
    assert (code, err) == (0, ""), out
    assert "0005_similar_name_codes -> 0006_matchcode_by_code" in out
    key, indexes, kept = _layout(database_url)
    assert key == KEYS and kept == codes
    assert "ix_lg_matchcode_rule_record" in indexes and "ix_lg_matchcode_rule_code" not in indexes
    with Organization.open(database_url) as organization:
        typo = Entity("contact", None, {"firstname": "Rosalind", "lastname": "Frankiln"})
        found = organization.system_service().execute(RetrieveDuplicatesRequest(typo)).matches
        assert [match.name for match in found] == ["Rosalind Franklin"]
        code, out, _ = run("upgrade", "--db", database_url)
        assert code == 0 and "is up to date" in out
