"""RetrieveDuplicates, and the checks Create, Update and QualifyLead make (REFERENCE §5);
publishing a rule: ``rule_messages``.

Finding duplicates is an index lookup per published rule (see ``duplicates.candidates``);
the records found are then read under the caller's read filter, so that a user is shown
only the duplicates they may see.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from leadgate.platform.duplicates.errors import DUPLICATE_DETECTED
from leadgate.platform.duplicates.matchcodes import DuplicateMatch, candidates
from leadgate.platform.duplicates.rules import Rule, rule_set
from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.entity import Entity, EntityCollection
from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.query import PagingInfo
from leadgate.platform.engine.values import coerce
from leadgate.platform.records.fields import compose
from leadgate.platform.security.privileges import Right

__all__ = [
    "MESSAGES",
    "RetrieveDuplicatesRequest",
    "RetrieveDuplicatesResponse",
    "duplicate_error",
    "find_duplicates",
    "refuse_duplicates",
]


@dataclass(frozen=True)
class RetrieveDuplicatesRequest:
    """The records the published rules find for a record: a stored one (its id; values given
    here override its stored ones) or one not saved yet (no id)."""

    business_entity: Entity
    matching_entity_name: str | None = None
    paging_info: PagingInfo = field(default_factory=PagingInfo)


@dataclass(frozen=True)
class RetrieveDuplicatesResponse:
    duplicate_collection: EntityCollection  # the records, each once
    matches: tuple[DuplicateMatch, ...]  # one per record and rule that found it


# --- finding ------------------------------------------------------------------------------


def find_duplicates(
    operation: Operation,
    table_name: str,
    values: dict[str, Any],
    exclude: uuid.UUID | None = None,
    matching: str | None = None,
) -> list[DuplicateMatch]:
    """What the published rules of ``table_name`` find for these values, that the caller may
    read, one match per record and rule that found it; ``exclude`` is the record itself."""
    rules = rule_set(operation.unit_of_work)
    table = operation.table(table_name)
    published = rules.published_for(table_name, matching)
    by_rule = candidates(operation.connection, published, table, values, rules.region, exclude)
    found: list[DuplicateMatch] = []
    for matching_table in dict.fromkeys(rule.matching for rule in published):
        of_table = [rule for rule in published
                    if rule.matching == matching_table and rule.id in by_rule]  # fmt: skip
        if of_table:
            found.extend(_readable(operation, matching_table, of_table, by_rule))
    return found


def _each_record_once(matches: list[DuplicateMatch]) -> list[DuplicateMatch]:
    """What a user picks from: a record once, with the first rule that found it."""
    first: dict[tuple[str, uuid.UUID], DuplicateMatch] = {}
    for match in matches:
        first.setdefault((match.table, match.id), match)
    return list(first.values())


def _readable(
    operation: Operation, table_name: str, rules: list[Rule],
    by_rule: dict[uuid.UUID, list[uuid.UUID]],
) -> list[DuplicateMatch]:  # fmt: skip
    """The records found in one table that the caller may read: one read by key."""
    table = operation.table(table_name)
    sql_table = operation.sql_table(table.name)
    key = sql_table.c[table.primary_key]
    try:
        readable = operation.read_filter(table, sql_table)
    except errors.LeadgateError:
        return []  # a user who may not read the table is shown none of its records
    ids = list(dict.fromkeys(record for rule in rules for record in by_rule[rule.id]))
    statement = sa.select(key, sql_table.c[table.primary_name]).where(key.in_(ids))
    if readable is not None:
        statement = statement.where(readable)
    names = dict(operation.connection.execute(statement).all())
    return [
        DuplicateMatch(table.name, record, names[record], rule.id, rule.label)
        for rule in rules
        for record in sorted(by_rule[rule.id], key=lambda r: (str(names.get(r) or ""), str(r)))
        if record in names
    ]


def refuse_duplicates(
    operation: Operation,
    table_name: str,
    values: dict[str, Any],
    exclude: uuid.UUID | None,
    kind: ErrorKind = DUPLICATE_DETECTED,
) -> None:
    """Refuse (0x80040333) when the published rules find a duplicate; the matches go in the
    error's text and, as data, in its details."""
    matches = find_duplicates(operation, table_name, values, exclude)
    if matches:
        raise duplicate_error(operation, matches, kind)


def duplicate_error(
    operation: Operation, matches: list[DuplicateMatch], kind: ErrorKind, fix: Text | None = None
) -> errors.LeadgateError:
    """The refusal with its matches: in its text (and how to go on), and as data."""
    described = [match.describe(operation.metadata) for match in _each_record_once(matches)]
    cause = (
        Text(N_("Possible duplicates: {matches}."), matches=described)
        if fix is None
        else Text(N_("Possible duplicates: {matches}. {fix}"), matches=described, fix=fix)
    )
    return kind().because(cause).with_details(matches=[match.as_json() for match in matches])


# --- RetrieveDuplicates -------------------------------------------------------------------


def _target(request: Any) -> tuple[str | None, uuid.UUID | None]:
    return request.business_entity.logical_name, request.business_entity.id


def validate_retrieve_duplicates(operation: Operation[RetrieveDuplicatesRequest]) -> None:
    request = operation.request
    operation.table(request.business_entity.logical_name)
    if request.matching_entity_name is not None:
        operation.table(request.matching_entity_name)
    paging = request.paging_info
    if paging.count < 1 or paging.page_number < 1:
        raise errors.INVALID_QUERY(detail=Text(N_("page size and page number start at 1.")))


def authorize_retrieve_duplicates(operation: Operation[RetrieveDuplicatesRequest]) -> None:
    request = operation.request
    table = operation.table(request.business_entity.logical_name)
    record = None
    if request.business_entity.id is not None:
        record = operation.record_owner(table, request.business_entity.id)
    operation.require(Right.READ, table, record)
    if request.matching_entity_name is not None:
        operation.require(Right.READ, operation.table(request.matching_entity_name))


def retrieve_duplicates(
    operation: Operation[RetrieveDuplicatesRequest],
) -> RetrieveDuplicatesResponse:
    request = operation.request
    entity = request.business_entity
    table = operation.table(entity.logical_name)
    values: dict[str, Any] = {}
    if entity.id is not None:
        stored = rows.select_row(operation.connection, table,
                                    operation.sql_table(table.name), entity.id,
                                    list(table.columns))  # fmt: skip
        if stored is None:
            raise errors.RECORD_NOT_FOUND(table=table.name, id=entity.id)
        values.update(stored)
    # Values as Create would store them: "2026-12-01" is a date, "3" a choice.
    values.update({name: coerce(table.column(name), value) for name, value in entity.items()})
    compose(table, values, values)  # fullname from the names given, as Create would
    matches = find_duplicates(operation, table.name, values, entity.id,
                              request.matching_entity_name)  # fmt: skip
    records_found = _each_record_once(matches)
    paging = request.paging_info
    start = (paging.page_number - 1) * paging.count
    page = records_found[start : start + paging.count]
    on_page = {(match.table, match.id) for match in page}
    collection = EntityCollection(
        entity_name=request.matching_entity_name or table.name,
        entities=[
            Entity(match.table, match.id, {operation.table(match.table).primary_name: match.name})
            for match in page
        ],
        more_records=start + paging.count < len(records_found),
        total_record_count=len(records_found) if paging.return_total_record_count else None,
    )
    return RetrieveDuplicatesResponse(
        collection, tuple(match for match in matches if (match.table, match.id) in on_page)
    )


MESSAGES = {
    RetrieveDuplicatesRequest: Message(
        "RetrieveDuplicates", retrieve_duplicates, validate_retrieve_duplicates, _target,
        writes=False, authorize=authorize_retrieve_duplicates,
    ),
}  # fmt: skip
