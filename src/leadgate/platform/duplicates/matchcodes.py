"""Duplicate detection's match codes (REFERENCE §5); the rules themselves: ``rules``.

A published rule keeps, for every record of its matching table, the record's *match codes*:
a hash of its keys under the rule's conditions (see :mod:`leadgate.platform.duplicates.operators`).
Checking a record computes its own codes from the base columns and looks them up in the
index, so a check costs a few index reads whatever the size of the table. A fuzzy
condition's codes are blocking keys; its candidates are then compared by similarity.
The pipeline keeps the codes current: steps on Create, Update, SetState and Delete.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from leadgate.platform.duplicates.operators import (
    Operator,
    blocking_keys,
    date_key,
    normalize_company,
    normalize_email,
    normalize_phone,
    similarity,
)
from leadgate.platform.duplicates.rules import Condition, Rule, rule_set
from leadgate.platform.engine import rows
from leadgate.platform.engine.driver_statements import DriverStatement
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.i18n import N_, Label, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.platform.engine.metadata.store import matchcodes

if TYPE_CHECKING:
    from leadgate.platform.engine.context import ExecutionContext

__all__ = [
    "DuplicateMatch",
    "candidates",
    "forget_codes",
    "record_codes",
    "store_codes",
]

# A check reads at most this many candidates per rule, each rule on its own (one rule's crowd
# must not push another rule's matches out): a blocking key shared by hundreds of records is
# a poor key, and the check must stay fast whatever the data.
CANDIDATE_LIMIT = 200
_BLANK = "\x00"


@dataclass(frozen=True)
class DuplicateMatch:
    """A record that a rule found: what the user picks from, and a program reads."""

    table: str
    id: uuid.UUID
    name: str | None
    rule_id: uuid.UUID
    rule: Label

    def describe(self, metadata: MetadataSet) -> Text:
        return Text(
            N_("{table} '{name}' ({id}), by the rule '{rule}'"),
            table=metadata.table(self.table).label, name=self.name or "—", id=self.id,
            rule=self.rule,
        )  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        return {
            "table": self.table, "id": str(self.id), "name": self.name,
            "ruleid": str(self.rule_id), "rule": self.rule.en, "rule_fr": self.rule.fr,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DuplicateMatch:
        """A match as an error's details carry it (``as_json``)."""
        return cls(data["table"], uuid.UUID(data["id"]), data.get("name"),
                   uuid.UUID(data["ruleid"]),
                   Label(data["rule"], data.get("rule_fr") or data["rule"]))  # fmt: skip


# --- keys and codes ----------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def condition_key(
    rule: Rule, condition: Condition, column: ColumnMetadata, value: Any, region: str
) -> str | None:
    """The value as the condition compares it; None for a blank (or unreadable) value."""
    if _is_blank(value):
        return None
    operator = condition.operator
    if isinstance(value, EntityReference):
        return str(value.id)
    if operator is Operator.NORMALIZED_EMAIL:
        return normalize_email(str(value))
    if operator is Operator.NORMALIZED_PHONE:
        return normalize_phone(str(value), region)
    if operator is Operator.NORMALIZED_COMPANY_NAME:
        return normalize_company(str(value))
    if operator is Operator.SIMILAR_NAME:
        # Without a legal form or a leading "The": they say nothing of a name's likeness.
        return normalize_company(str(value))
    if operator in (Operator.SAME_DATE, Operator.SAME_DATE_AND_TIME):
        return date_key(value, with_time=operator is Operator.SAME_DATE_AND_TIME)
    if operator is Operator.EXACT_CHOICE_VALUE:
        return str(int(value))
    if operator is Operator.EXACT_CHOICE_LABEL:
        option = column.option(int(value))
        text = option.label.en if option is not None else str(value)
        return text if rule.case_sensitive else text.casefold()
    text = str(value).strip() if isinstance(value, str) else str(value)
    if not rule.case_sensitive:
        text = text.casefold()
    if operator is Operator.SAME_FIRST_CHARACTERS:
        return text[: condition.parameter or 1]
    if operator is Operator.SAME_LAST_CHARACTERS:
        return text[-(condition.parameter or 1) :]
    return text


def record_codes(
    rule: Rule, table: TableMetadata, values: Mapping[str, Any], side: str, region: str
) -> list[tuple[str, str | None]]:
    """The record's match codes under the rule, with the names its fuzzy conditions compare.

    None of them when a condition's value is blank and blanks are ignored (always, for a
    rule of one condition): such a record is nobody's duplicate.
    """
    alternatives: list[Sequence[str]] = []
    fuzzy: list[str] = []
    for condition in rule.conditions:
        name = condition.base_column if side == "base" else condition.matching_column
        column = table.columns.get(name)
        key = None if column is None else condition_key(rule, condition, column,
                                                        values.get(name), region)  # fmt: skip
        if key is None:
            if condition.ignore_blank or len(rule.conditions) == 1:
                return []
            alternatives.append((_BLANK,))
            if condition.operator.is_fuzzy:
                fuzzy.append("")
            continue
        if condition.operator.is_fuzzy:
            alternatives.append(blocking_keys(key) or (key,))
            fuzzy.append(key)
        else:
            alternatives.append((key,))
    fuzzy_value = "\x1f".join(fuzzy)[:1000] if fuzzy else None
    return [
        (hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest(), fuzzy_value)
        for parts in itertools.product(*alternatives)
    ]


def _close_enough(rule: Rule, mine: str | None, theirs: str | None) -> bool:
    if mine is None:
        return True
    names = zip(mine.split("\x1f"), (theirs or "").split("\x1f"), strict=False)
    return all(
        a == b if not a or not b else similarity(a, b) >= condition.threshold
        for condition, (a, b) in zip(rule.fuzzy, names, strict=False)
    )


_lookups: dict[int, Any] = {}


def _lookup(rules: int) -> Any:
    """One statement for ``rules`` rules: per rule, its codes, at most CANDIDATE_LIMIT rows;
    built once per count (SQLAlchemy then caches its compiled form)."""
    statement = _lookups.get(rules)
    if statement is None:
        parts = [
            sa.select(matchcodes.c.ruleid, matchcodes.c.code, matchcodes.c.recordid,
                      matchcodes.c.fuzzy)
            .where(matchcodes.c.ruleid == sa.bindparam(f"rule{i}"),
                   matchcodes.c.code.in_(sa.bindparam(f"codes{i}", expanding=True)))
            .limit(CANDIDATE_LIMIT)
            for i in range(rules)
        ]  # fmt: skip
        statement = (
            parts[0] if rules == 1
            else sa.union_all(*(part.subquery().select() for part in parts))
        )  # fmt: skip
        _lookups[rules] = statement
    return statement


def candidates(
    connection: sa.Connection,
    rules: Sequence[Rule],
    table: TableMetadata,
    values: Mapping[str, Any],
    region: str,
    exclude: uuid.UUID | None = None,
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Per rule, the records of its matching table it finds for these values: one indexed
    read for all the rules (``exclude``, the record itself, only where the tables agree)."""
    wanted: dict[uuid.UUID, tuple[Rule, set[str], str | None]] = {}
    for rule in rules:
        keyed = record_codes(rule, table, values, "base", region)
        if keyed:
            wanted[rule.id] = (rule, {code for code, _ in keyed}, keyed[0][1])
    if not wanted:
        return {}
    parameters: dict[str, Any] = {}
    for i, (rule_id, (_rule, codes, _fuzzy)) in enumerate(wanted.items()):
        parameters[f"rule{i}"], parameters[f"codes{i}"] = rule_id, sorted(codes)
    table_rows = connection.execute(_lookup(len(wanted)), parameters)
    found: dict[uuid.UUID, dict[uuid.UUID, None]] = {}
    for rule_id, code, record_id, theirs in table_rows:
        rule, codes, fuzzy = wanted[rule_id]
        if code not in codes or (record_id == exclude and rule.matching == table.name):
            continue
        ids = found.setdefault(rule_id, {})
        if record_id not in ids and _close_enough(rule, fuzzy, theirs):
            ids[record_id] = None
    return {rule_id: list(ids) for rule_id, ids in found.items() if ids}


# --- keeping the codes --------------------------------------------------------------------


def forget_codes(
    connection: sa.Connection, rule_ids: Iterable[uuid.UUID], record_ids: Iterable[uuid.UUID] | None
) -> None:
    """Drop codes: of these records (None: of every record) under these rules."""
    rules = list(rule_ids)
    if not rules:
        return
    statement = sa.delete(matchcodes).where(matchcodes.c.ruleid.in_(rules))
    if record_ids is not None:
        ids = list(record_ids)
        if not ids:
            return
        statement = statement.where(matchcodes.c.recordid.in_(ids))
    connection.execute(statement)


def store_codes(
    connection: sa.Connection,
    rules: Sequence[Rule],
    table: TableMetadata,
    table_rows: Sequence[Mapping[str, Any]],
    region: str,
    *,
    how: str = "replace",
) -> int:
    """Store the codes of these records (rows of the matching table) under these rules:
    ``replace`` their codes, or add to ``new`` records (none yet), or ``fill`` in what
    publishing has not done (codes already there, kept current by the steps, stay)."""
    key = table.primary_key
    ids = [row[key] for row in table_rows]
    if how == "replace":
        forget_codes(connection, [rule.id for rule in rules], ids)
    inserted: list[dict[str, Any]] = []
    for rule in rules:
        for row in table_rows:
            if rule.exclude_inactive and row.get("statecode") not in (None, 0):
                continue
            seen = set()
            for code, fuzzy in record_codes(rule, table, row, "matching", region):
                if code not in seen:
                    seen.add(code)
                    inserted.append({"ruleid": rule.id, "recordid": row[key], "code": code,
                                     "fuzzy": fuzzy})  # fmt: skip
    if inserted:
        ignore_existing = how == "fill"
        insert = rows.kept_statement(
            matchcodes, ("insert", ignore_existing, connection.dialect.name),
            lambda: DriverStatement(_insert(connection, ignore_existing=ignore_existing),
                                    connection.dialect, list(inserted[0])),
        )  # fmt: skip
        insert.rowcount_many(connection, inserted)
    return len(inserted)


def _insert(connection: sa.Connection, *, ignore_existing: bool) -> Any:
    if not ignore_existing:
        return sa.insert(matchcodes)
    if connection.dialect.name == "postgresql":
        return postgresql.insert(matchcodes).on_conflict_do_nothing()
    return sqlite.insert(matchcodes).on_conflict_do_nothing()


def needed_columns(rules: Iterable[Rule], table: TableMetadata) -> list[str]:
    names = [table.primary_key]
    for rule in rules:
        names.extend(rule.columns("matching"))
        if rule.exclude_inactive and table.has_state:
            names.append("statecode")
    return [name for name in dict.fromkeys(names) if name in table.columns]


def read_rows(
    connection: sa.Connection, table: TableMetadata, sql_table: sa.Table, names: Sequence[str],
    where: Any, *, order: bool = False, limit: int | None = None, share: bool = False,
) -> list[Entity]:  # fmt: skip
    """Rows of the table as entities; ``share`` holds them against writers until commit
    (PostgreSQL's FOR SHARE; SQLite serializes writers anyway)."""
    statement = sa.select(*rows.select_columns(table, sql_table, names)).where(where)
    if order:
        statement = statement.order_by(sql_table.c[table.primary_key])
    if limit is not None:
        statement = statement.limit(limit)
    if share:
        statement = statement.with_for_update(read=True, of=sql_table)
    result = connection.execute(statement).mappings().all()
    found = []
    for row in result:
        entity = rows.entity_from_row(table, row, names)
        entity[table.primary_key] = row[table.primary_key]
        found.append(entity)
    return found


def keep_codes(context: ExecutionContext) -> None:
    """Post-operation on Create, Update, SetState and Delete of any record: the codes of the
    record under the rules that compare its table follow it."""
    unit = context.unit_of_work
    name, record_id = context.primary_entity_name, context.primary_entity_id
    if name is None or record_id is None or name not in unit.metadata.tables:
        return
    rules = rule_set(unit)
    maintained = rules.maintained_on(name)
    if not maintained:
        return
    assert unit.connection is not None
    if context.message_name == "Delete":
        forget_codes(unit.connection, [rule.id for rule in maintained], [record_id])
        return
    table = unit.metadata.table(name)
    names = needed_columns(maintained, table)
    if context.message_name == "Update":
        target = context.input_parameters.get("Target")
        changed = set(target) if isinstance(target, Entity) else set(names)
        composed = {p for n in names for p in table.columns[n].composed_of}
        if not changed & (set(names) | composed):
            return
    stored = context.stored_values
    if context.message_name == "Create" and stored is not None and set(names) <= set(stored):
        # "fill": a step that ran first may already have updated the record (and its codes).
        store_codes(unit.connection, maintained, table, [stored], rules.region, how="fill")
        return
    # The record as the unit holds it, if it read it already (engine/rows.py).
    row = rows.select_row(unit.connection, table, unit.tables[name], record_id, names)
    if row is not None:
        row[table.primary_key] = record_id
        store_codes(unit.connection, maintained, table, [row], rules.region,
                    how="new" if context.message_name == "Create" else "replace")  # fmt: skip
