"""``leadgate duplicates``: duplicate detection rules and the duplicates of a record
(REFERENCE §5).

A rule is a ``duplicaterule`` record with its conditions (``duplicaterulecondition``). These
commands read and change them as SYSTEM, and publish a rule with PublishDuplicateRule in
batches (each its own transaction), so that publishing a large table shows its progress and
an interrupted one resumes where it stopped. ``find`` runs RetrieveDuplicates, with ``--as``
as a user, whose read rights then limit what is shown.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from leadgate.cli.output import (
    AsOption,
    DbOption,
    console,
    language,
    open_organization,
    print_table,
    record_id,
    say,
    service_for,
)
from leadgate.platform import (
    CreateRequest,
    DeleteRequest,
    Entity,
    EntityReference,
    OrderExpression,
    OrganizationService,
)
from leadgate.platform.duplicates.errors import NO_DUPLICATE_RULE
from leadgate.platform.duplicates.matchcodes import DuplicateMatch
from leadgate.platform.duplicates.messages import (
    PublishDuplicateRuleRequest,
    RetrieveDuplicatesRequest,
    UnpublishDuplicateRuleRequest,
)
from leadgate.platform.duplicates.operators import Operator
from leadgate.platform.duplicates.rules import PUBLISHED, PUBLISHING, Condition, Rule
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, translate
from leadgate.platform.engine.metadata.model import MetadataSet

__all__ = [
    "OPERATORS",
    "app",
    "find_rule",
    "matches_of",
    "operator_of",
    "print_duplicates",
    "read_rules",
    "rules_app",
]

app = typer.Typer(
    help="Duplicate detection: its rules, and the duplicates of a record.", no_args_is_help=True
)
rules_app = typer.Typer(
    help="Duplicate detection rules: list, add, conditions, publish, unpublish, delete.",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")

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

RuleArgument = Annotated[
    str,
    typer.Argument(
        help="The rule: its name (English or French, any case) or its id "
        "(see: leadgate duplicates rules list)."
    ),
]


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


# --- rules ----------------------------------------------------------------------------------


@rules_app.command("list")
def list_rules(db: DbOption = None) -> None:
    """List the rules: name, base → matching table, status, conditions and id."""
    with open_organization(db) as organization:
        metadata = organization.metadata()
        rules = read_rules(organization.system_service())
        if not rules:
            say(N_("(no duplicate detection rules)"))
            return
        print_table(
            ["name", "tables", "status", "conditions", "id"],
            (
                (_name(rule), _tables(rule), _status(metadata, rule),
                 "; ".join(_describe(metadata, c) for c in rule.conditions), rule.id)
                for rule in rules
            ),
        )  # fmt: skip


@rules_app.command("show")
def show(rule: RuleArgument, db: DbOption = None) -> None:
    """Show a rule: its tables, status, settings and each condition with its id."""
    lang = language()
    with open_organization(db) as organization:
        metadata = organization.metadata()
        found = find_rule(organization.system_service(), rule)
        say(
            N_("{rule} ({status}): each {base} record is compared with the {matching} records."),
            rule=_name(found), status=_status(metadata, found), base=found.base,
            matching=found.matching,
        )  # fmt: skip
        say(
            N_("Inactive matching records are excluded.")
            if found.exclude_inactive
            else N_("Inactive matching records are included.")
        )
        say(
            N_("Text is compared case-sensitively.")
            if found.case_sensitive
            else N_("Text is compared ignoring case.")
        )
        if not found.conditions:
            say(N_("(no conditions)"))
            return
        yes = translate(N_("Yes"), lang)
        print_table(
            ["#", "base column", "matching column", "criteria", "ignore blank", "id"],
            (
                (number, c.base_column, c.matching_column, _criteria(metadata, c),
                 yes if c.ignore_blank else "", c.id)
                for number, c in enumerate(found.conditions, start=1)
            ),
        )  # fmt: skip


@rules_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The rule's name.")],
    base: Annotated[
        str, typer.Option("--base", metavar="TABLE", help="The table of the records checked.")
    ],
    matching: Annotated[
        str | None,
        typer.Option(
            "--matching",
            metavar="TABLE",
            help="The table they are compared with (default: the base table).",
            show_default=False,
        ),
    ] = None,
    exclude_inactive: Annotated[
        bool | None,
        typer.Option(
            "--exclude-inactive/--include-inactive",
            help="Leave out inactive matching records (default: include them).",
            show_default=False,
        ),
    ] = None,
    case_sensitive: Annotated[
        bool, typer.Option("--case-sensitive", help="Compare text respecting case.")
    ] = False,
    french: Annotated[
        str | None,
        typer.Option("--name-fr", metavar="NAME", help="The rule's name in French."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Add an unpublished rule; add its conditions, then publish it."""
    base = base.strip().lower()
    values: dict[str, object] = {
        "name": name.strip(), "baseentityname": base,
        "matchingentityname": (matching or base).strip().lower(),
        "iscasesensitive": case_sensitive,
    }  # fmt: skip
    if exclude_inactive is not None:
        values["excludeinactiverecords"] = exclude_inactive
    if french:
        values["name_fr"] = french.strip()
    with open_organization(db) as organization:
        record = organization.system_service().execute(
            CreateRequest(Entity("duplicaterule", None, values))
        )
        say(
            N_("Added the rule {rule} ({id}), unpublished: add its conditions, then publish it."),
            rule=name.strip(), id=record.id,
        )  # fmt: skip


@rules_app.command("condition")
def condition(
    rule: RuleArgument,
    base_column: Annotated[
        str, typer.Option("--base-column", metavar="COLUMN", help="The column of the base table.")
    ],
    operator: Annotated[str, typer.Option("--operator", metavar="OP", help=_OPERATOR_HELP)],
    matching_column: Annotated[
        str | None,
        typer.Option(
            "--matching-column",
            metavar="COLUMN",
            help="The column of the matching table (default: the same name).",
            show_default=False,
        ),
    ] = None,
    param: Annotated[
        int | None,
        typer.Option(
            "--param",
            metavar="N",
            help="How many characters (first-/last-characters), or the least similarity.",
            show_default=False,
        ),
    ] = None,
    ignore_blank: Annotated[
        bool, typer.Option("--ignore-blank", help="A blank value matches nothing.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Add a condition to an unpublished rule (conditions are AND-ed)."""
    criteria = operator_of(operator)
    base_name = base_column.strip().lower()
    values: dict[str, object] = {
        "baseattributename": base_name,
        "matchingattributename": (matching_column or base_name).strip().lower(),
        "operatorcode": int(criteria),
        "ignoreblankvalues": ignore_blank,
    }
    if param is not None:
        values["operatorparam"] = param
    with open_organization(db) as organization:
        system = organization.system_service()
        found = find_rule(system, rule)
        values["regardingobjectid"] = EntityReference("duplicaterule", found.id)
        record = system.execute(CreateRequest(Entity("duplicaterulecondition", None, values)))
        added = Condition(record.id, base_name, str(values["matchingattributename"]), criteria,
                          param, ignore_blank)  # fmt: skip
        say(
            N_("Added the condition {condition} ({id}) to the rule {rule}."),
            condition=_describe(organization.metadata(), added), rule=_name(found), id=record.id,
        )  # fmt: skip


@rules_app.command("remove-condition")
def remove_condition(
    rule: RuleArgument,
    which: Annotated[
        str,
        typer.Argument(
            metavar="CONDITION",
            help="The condition: its id (see: leadgate duplicates rules show) or its column.",
        ),
    ],
    db: DbOption = None,
) -> None:
    """Remove a condition from an unpublished rule."""
    with open_organization(db) as organization:
        system = organization.system_service()
        found = find_rule(system, rule)
        key = which.strip().strip("{}").casefold()
        chosen = [
            c for c in found.conditions
            if key in (str(c.id), c.base_column.casefold(), c.matching_column.casefold())
        ]  # fmt: skip
        if len(chosen) != 1:
            known = ", ".join(f"{c.base_column} ({c.id})" for c in found.conditions) or "none"
            problem = "no condition" if not chosen else "more than one condition"
            raise typer.BadParameter(
                f"{problem} of the rule is '{which}' (conditions: {known})",
                param_hint="CONDITION",
            )
        system.execute(DeleteRequest(EntityReference("duplicaterulecondition", chosen[0].id)))
        say(
            N_("Removed the condition {condition} from the rule {rule}."),
            condition=_describe(organization.metadata(), chosen[0]), rule=_name(found),
        )  # fmt: skip


@rules_app.command("publish")
def publish(
    rule: RuleArgument,
    batch: Annotated[
        int,
        typer.Option(
            "--batch", min=1, help="Records per transaction: each batch is saved as it ends."
        ),
    ] = 10000,
    db: DbOption = None,
) -> None:
    """Publish a rule: compute the match codes of every record of its matching table, batch
    by batch, then check creates and updates with it. A rule left Publishing resumes."""
    with open_organization(db) as organization:
        system = organization.system_service()
        found = find_rule(system, rule)
        if found.status == PUBLISHED:
            say(N_("The rule {rule} is already published."), rule=_name(found))
            return
        # The first batch before the bar: a refused rule prints only its error.
        answer = system.execute(PublishDuplicateRuleRequest(found.id, batch))
        if found.status == PUBLISHING:
            say(N_("Resuming after {done} of {total} records."),
                done=answer.processed - answer.batch, total=answer.total)  # fmt: skip
        if not answer.published:
            with Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=console,
            ) as progress:  # fmt: skip
                task = progress.add_task(_name(found), total=answer.total,
                                         completed=answer.processed)  # fmt: skip
                while not answer.published:
                    answer = system.execute(PublishDuplicateRuleRequest(found.id, batch))
                    progress.update(task, completed=answer.processed, total=answer.total)
        say(
            N_("Published the rule {rule}: {total} {table} records have their match codes."),
            rule=_name(found), total=answer.total, table=found.matching,
        )  # fmt: skip


@rules_app.command("unpublish")
def unpublish(rule: RuleArgument, db: DbOption = None) -> None:
    """Unpublish a rule: it stops checking records and its match codes are dropped."""
    with open_organization(db) as organization:
        system = organization.system_service()
        found = find_rule(system, rule)
        system.execute(UnpublishDuplicateRuleRequest(found.id))
        say(N_("The rule {rule} is unpublished."), rule=_name(found))


@rules_app.command("delete")
def delete(rule: RuleArgument, db: DbOption = None) -> None:
    """Delete a rule and its conditions."""
    with open_organization(db) as organization:
        system = organization.system_service()
        found = find_rule(system, rule)
        system.execute(DeleteRequest(EntityReference("duplicaterule", found.id)))
        say(N_("Deleted the rule {rule} ({id})."), rule=_name(found), id=found.id)


# --- finding duplicates ---------------------------------------------------------------------


@app.command("find")
def find(
    table: Annotated[str, typer.Argument(help="The record's table, e.g. account.")],
    record: Annotated[str, typer.Argument(help="The record's id.")],
    matching: Annotated[
        str | None,
        typer.Option(
            "--matching",
            metavar="TABLE",
            help="Only the duplicates in this table (default: those of every published rule).",
            show_default=False,
        ),
    ] = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """The records the published rules find for a record (RetrieveDuplicates)."""
    key = record_id(record, "ID")
    with open_organization(db) as organization:
        service = service_for(organization, as_user)
        request = RetrieveDuplicatesRequest(
            Entity(table.strip().lower(), key),
            matching.strip().lower() if matching else None,
        )
        matches = service.execute(request).matches
        if not matches:
            say(N_("No duplicates found."))
            return
        print_duplicates(matches)


def print_duplicates(matches: Iterable[DuplicateMatch]) -> None:
    """The records a duplicate check found, each once: table, name, id and the rules that
    found it."""
    lang = language()
    records: dict[tuple[str, uuid.UUID], list[DuplicateMatch]] = {}
    for match in matches:
        records.setdefault((match.table, match.id), []).append(match)
    print_table(
        ["table", "name", "id", "rule"],
        (
            (table, found[0].name or "", key, "; ".join(m.rule.in_language(lang) for m in found))
            for (table, key), found in records.items()
        ),
    )


def matches_of(error: errors.LeadgateError) -> list[DuplicateMatch]:
    """The matches a duplicate warning (0x80040333) carries as data."""
    return [DuplicateMatch.from_json(match) for match in error.details.get("matches", ())]
