"""Duplicate detection rules as the CLI reads them: as records (so that the reader's security
applies), found by name or id, and described in the user's language (REFERENCE §5)."""

from __future__ import annotations

import uuid

import typer

from leadgate.cli.output import language
from leadgate.platform import OrderExpression, OrganizationService
from leadgate.platform.duplicates.errors import NO_DUPLICATE_RULE
from leadgate.platform.duplicates.operators import Operator
from leadgate.platform.duplicates.rules import Condition, Rule
from leadgate.platform.engine.metadata.model import MetadataSet

__all__ = [
    "CONDITION_COLUMNS",
    "OPERATORS",
    "RULE_COLUMNS",
    "find_rule",
    "operator_of",
    "read_rules",
]

# What --operator accepts besides the number: Dataverse's criteria, then leadgate's own.
OPERATORS = {
    "exact": Operator.EXACT,
    "first-characters": Operator.SAME_FIRST_CHARACTERS,
    "last-characters": Operator.SAME_LAST_CHARACTERS,
    "same-date": Operator.SAME_DATE,
    "same-date-time": Operator.SAME_DATE_AND_TIME,
    "choice-label": Operator.EXACT_CHOICE_LABEL,
    "choice-value": Operator.EXACT_CHOICE_VALUE,
    "email": Operator.NORMALIZED_EMAIL,
    "phone": Operator.NORMALIZED_PHONE,
    "company": Operator.NORMALIZED_COMPANY_NAME,
    "similar": Operator.SIMILAR_NAME,
}
_OPERATOR_HELP = (
    "The criteria, by name or number: exact (0), first-characters (1, --param N), "
    "last-characters (2, --param N), same-date (3), same-date-time (4), choice-label (5), "
    "choice-value (6); leadgate's normalized ones: email, phone, company (name without case, "
    "accents, punctuation or legal form), similar (name similarity, --param 1-100, default 85)."
)
RULE_COLUMNS = ["name", "name_fr", "baseentityname", "matchingentityname",
                "excludeinactiverecords", "iscasesensitive", "statuscode"]  # fmt: skip
CONDITION_COLUMNS = ["regardingobjectid", "baseattributename", "matchingattributename",
                     "operatorcode", "operatorparam", "ignoreblankvalues"]  # fmt: skip


# --- reading rules --------------------------------------------------------------------------


def operator_of(text: str) -> Operator:
    """An operator as typed: a name of OPERATORS or its number."""
    key = text.strip().lower()
    if key in OPERATORS:
        return OPERATORS[key]
    try:
        return Operator(int(key))
    except ValueError:
        known = ", ".join(OPERATORS)
        raise typer.BadParameter(
            f"'{text}' is no criteria (known: {known}, or their numbers)", param_hint="--operator"
        ) from None


def read_rules(service: OrganizationService) -> list[Rule]:
    """Every rule with its conditions in the order they were added, read as records (so that
    ``service``'s security applies)."""
    conditions: dict[uuid.UUID, list[Condition]] = {}
    for row in service.retrieve_multiple_all(
        "duplicaterulecondition", columns=CONDITION_COLUMNS,
        orders=(OrderExpression("createdon"), OrderExpression("duplicateruleconditionid")),
    ):  # fmt: skip
        condition = Condition.from_row({**row, "duplicateruleconditionid": row.id})
        if condition is not None:
            conditions.setdefault(row["regardingobjectid"].id, []).append(condition)
    rules = []
    for row in service.retrieve_multiple_all("duplicaterule", columns=RULE_COLUMNS):
        assert row.id is not None
        rules.append(Rule.from_row({**row, "duplicateruleid": row.id}, conditions.get(row.id, ())))
    return sorted(rules, key=lambda rule: rule.name.casefold())


def find_rule(service: OrganizationService, text: str) -> Rule:
    """The rule an id or a name (either language, any case) names; else 0x8F4C477F."""
    try:
        wanted: uuid.UUID | None = uuid.UUID(text.strip().strip("{}"))
    except ValueError:
        wanted = None
    key = text.strip().casefold()
    for rule in read_rules(service):
        if rule.id == wanted or key in (rule.name.casefold(), (rule.name_fr or "").casefold()):
            return rule
    raise NO_DUPLICATE_RULE(rule=text)


def _status(metadata: MetadataSet, rule: Rule) -> str:
    option = metadata.table("duplicaterule").column("statuscode").option(rule.status)
    return option.label.in_language(language()) if option else str(rule.status)


def _criteria(metadata: MetadataSet, condition: Condition) -> str:
    option = (
        metadata.table("duplicaterulecondition")
        .column("operatorcode")
        .option(int(condition.operator))
    )
    label = option.label.in_language(language()) if option else str(int(condition.operator))
    if condition.parameter is not None and (
        condition.operator.needs_count or condition.operator.is_fuzzy
    ):
        return f"{label}: {condition.parameter}"
    return label


def _describe(metadata: MetadataSet, condition: Condition) -> str:
    """``name = name (Exact Match)``."""
    return (
        f"{condition.base_column} = {condition.matching_column} ({_criteria(metadata, condition)})"
    )


def _tables(rule: Rule) -> str:
    return f"{rule.base} → {rule.matching}"


def _name(rule: Rule) -> str:
    return rule.label.in_language(language())
