"""Duplicate detection rules as values (REFERENCE §5): read from their records, and checked
when saved: what a condition may compare, and with which operator.

A rule is Unpublished, Publishing or Published (its status reason); only a published one
finds duplicates, and a table has at most five.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from leadgate.platform.duplicates.errors import INVALID_DUPLICATE_RULE
from leadgate.platform.duplicates.operators import Operator
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, Label, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet
from leadgate.platform.engine.settings import organization_setting
from leadgate.platform.engine.types import ColumnType

if TYPE_CHECKING:
    from leadgate.platform.engine.schema import SqlTables
    from leadgate.platform.engine.unit_of_work import UnitOfWork

__all__ = [
    "MAX_PUBLISHED",
    "PUBLISHED",
    "PUBLISHING",
    "UNPUBLISHED",
    "Condition",
    "Rule",
    "RuleSet",
    "check_rule",
    "read_rules",
    "rule_set",
]

UNPUBLISHED, PUBLISHING, PUBLISHED = 0, 1, 2
MAX_PUBLISHED = 5  # per base table, as in Dataverse
DEFAULT_SIMILARITY = 85
_TEXT_TYPES = frozenset({ColumnType.STRING, ColumnType.MEMO})
_CHOICE_TYPES = frozenset({ColumnType.CHOICE, ColumnType.STATE, ColumnType.STATUS})


@dataclass(frozen=True)
class Condition:
    id: uuid.UUID
    base_column: str
    matching_column: str
    operator: Operator
    parameter: int | None
    ignore_blank: bool

    @property
    def threshold(self) -> int:
        return self.parameter or DEFAULT_SIMILARITY

    @classmethod
    def from_row(cls, row: Any) -> Condition | None:
        """A ``duplicaterulecondition`` row or record; None for an operator this version
        does not know (it matches nothing)."""
        try:
            operator = Operator(row["operatorcode"])
        except ValueError:
            return None
        return cls(row["duplicateruleconditionid"], str(row["baseattributename"]),
                   str(row["matchingattributename"]), operator, row["operatorparam"],
                   bool(row["ignoreblankvalues"]))  # fmt: skip


@dataclass(frozen=True)
class Rule:
    id: uuid.UUID
    name: str
    name_fr: str | None
    base: str
    matching: str
    exclude_inactive: bool
    case_sensitive: bool
    status: int
    conditions: tuple[Condition, ...]

    @classmethod
    def from_row(cls, row: Any, conditions: Sequence[Condition]) -> Rule:
        """A ``duplicaterule`` row or record, with its conditions."""
        return cls(row["duplicateruleid"], str(row["name"]), row["name_fr"],
                   str(row["baseentityname"]), str(row["matchingentityname"]),
                   bool(row["excludeinactiverecords"]), bool(row["iscasesensitive"]),
                   int(row["statuscode"]), tuple(conditions))  # fmt: skip

    @property
    def label(self) -> Label:
        return Label(self.name, self.name_fr or self.name)

    @property
    def maintained(self) -> bool:
        """Publishing or published: its codes follow every change of the matching table."""
        return self.status in (PUBLISHING, PUBLISHED)

    @property
    def fuzzy(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if c.operator.is_fuzzy)

    def columns(self, side: str) -> list[str]:
        names = [c.base_column if side == "base" else c.matching_column for c in self.conditions]
        return list(dict.fromkeys(names))


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    region: str

    def published_for(self, base: str, matching: str | None = None) -> list[Rule]:
        return [
            rule for rule in self.rules
            if rule.status == PUBLISHED and rule.base == base
            and (matching is None or rule.matching == matching)
        ]  # fmt: skip

    def maintained_on(self, matching: str) -> list[Rule]:
        return [rule for rule in self.rules if rule.maintained and rule.matching == matching]


# --- reading the rules ------------------------------------------------------------------


def read_rules(connection: sa.Connection, tables: SqlTables) -> RuleSet:
    rules_table, conditions_table = tables["duplicaterule"], tables["duplicaterulecondition"]
    by_rule: dict[uuid.UUID, list[Condition]] = {}
    for row in connection.execute(
        sa.select(conditions_table).order_by(conditions_table.c.createdon,
                                             conditions_table.c.duplicateruleconditionid)
    ).mappings():  # fmt: skip
        condition = Condition.from_row(row)
        if condition is not None:
            by_rule.setdefault(row["regardingobjectid"], []).append(condition)
    rules = tuple(
        Rule.from_row(row, by_rule.get(row["duplicateruleid"], ()))
        for row in connection.execute(
            sa.select(rules_table).order_by(rules_table.c.name)
        ).mappings()
    )
    region = organization_setting(connection, tables, "defaultcountrycode", "US")
    return RuleSet(rules, str(region).upper())


def rule_set(unit: UnitOfWork) -> RuleSet:
    """The rules, kept with the metadata snapshot (changing a rule renews it)."""
    return unit.derived("duplicaterules", read_rules)


# --- what a rule may compare ---------------------------------------------------------------


def _fits(operator: Operator, column: ColumnMetadata) -> bool:
    kind = column.type
    if operator in (Operator.SAME_DATE, Operator.SAME_DATE_AND_TIME):
        return kind is ColumnType.DATETIME
    if operator in (Operator.EXACT_CHOICE_LABEL, Operator.EXACT_CHOICE_VALUE):
        return kind in _CHOICE_TYPES
    if operator is Operator.EXACT:
        return True
    return kind in _TEXT_TYPES


def _same_kind(operator: Operator, base: ColumnMetadata, matching: ColumnMetadata) -> bool:
    if operator is not Operator.EXACT:
        return True
    text = {ColumnType.STRING, ColumnType.MEMO}
    if base.type in text or matching.type in text:
        return base.type in text and matching.type in text
    references = {ColumnType.LOOKUP, ColumnType.CUSTOMER, ColumnType.OWNER}
    if base.type in references or matching.type in references:
        return base.type in references and matching.type in references
    return base.type is matching.type


def check_condition(metadata: MetadataSet, rule: Rule, condition: Condition) -> None:
    """Refuse a condition that could never work, saying why (0x8F4C477D)."""

    def refuse(text: str, /, **params: Any) -> errors.LeadgateError:
        return INVALID_DUPLICATE_RULE(rule=rule.label, reason=Text(text, **params))

    sides = ((rule.base, condition.base_column), (rule.matching, condition.matching_column))
    columns = []
    for table_name, column_name in sides:
        table = metadata.tables.get(table_name)
        if table is None:
            raise refuse(N_("there is no table '{table}'."), table=table_name)
        column = table.columns.get(column_name)
        if column is None:
            raise refuse(N_("{table} has no column '{column}'."), table=table.label,
                         column=column_name)  # fmt: skip
        if not _fits(condition.operator, column):
            raise refuse(
                N_("the criteria '{operator}' cannot compare the column '{column}' of {table} "
                   "({type})."),
                operator=_operator_label(metadata, condition.operator), column=column_name,
                table=table.label, type=column.type.value,
            )  # fmt: skip
        columns.append(column)
    if not _same_kind(condition.operator, *columns):
        raise refuse(
            N_("'{base}' ({base_type}) and '{matching}' ({matching_type}) are not the same kind "
               "of column."),
            base=condition.base_column, base_type=columns[0].type.value,
            matching=condition.matching_column, matching_type=columns[1].type.value,
        )  # fmt: skip
    if condition.operator.needs_count and (condition.parameter or 0) < 1:
        raise refuse(N_("'{operator}' needs a number of characters of at least 1."),
                     operator=_operator_label(metadata, condition.operator))  # fmt: skip
    if condition.operator.is_fuzzy and not 1 <= condition.threshold <= 100:
        raise refuse(N_("the similarity of 'Similar Name' is between 1 and 100, not {value}."),
                     value=condition.parameter)  # fmt: skip


def check_rule(metadata: MetadataSet, rule: Rule) -> None:
    """A rule that is published must be whole: its tables, at least one condition, each valid."""
    for table_name in (rule.base, rule.matching):
        if table_name not in metadata.tables:
            raise INVALID_DUPLICATE_RULE(
                rule=rule.label, reason=Text(N_("there is no table '{table}'."), table=table_name)
            )
    if not rule.conditions:
        raise INVALID_DUPLICATE_RULE(
            rule=rule.label, reason=Text(N_("it has no condition; add one before publishing."))
        )
    for condition in rule.conditions:
        check_condition(metadata, rule, condition)


def _operator_label(metadata: MetadataSet, operator: Operator) -> Any:
    column = metadata.table("duplicaterulecondition").column("operatorcode")
    option = column.option(int(operator))
    return option.label if option is not None else str(int(operator))
