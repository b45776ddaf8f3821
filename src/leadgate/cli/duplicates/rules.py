"""``leadgate duplicates rules``: list, show, add a rule and its conditions, publish it
(PublishDuplicateRule: a system job, each batch its own transaction, resumable; the command
waits for it unless told not to), unpublish, delete; all as SYSTEM."""

from __future__ import annotations

from typing import Annotated

import typer

from leadgate.cli.duplicates.reading import (
    _OPERATOR_HELP,
    _criteria,
    _describe,
    _name,
    _status,
    _tables,
    find_rule,
    operator_of,
    read_rules,
)
from leadgate.cli.output import DbOption, language, open_organization, print_table, say
from leadgate.cli.waiting import (
    WaitOption,
    checkpoint_of,
    refuse_unfinished,
    say_queued,
    wait_for_jobs,
)
from leadgate.platform import CreateRequest, DeleteRequest, Entity, EntityReference
from leadgate.platform.duplicates.rule_messages import (
    DEFAULT_BATCH,
    PublishDuplicateRuleRequest,
    UnpublishDuplicateRuleRequest,
)
from leadgate.platform.duplicates.rules import PUBLISHED, PUBLISHING, Condition
from leadgate.platform.engine.i18n import N_, translate
from leadgate.platform.jobs import JobStatus

__all__ = ["RuleArgument", "rules_app"]

rules_app = typer.Typer(
    help="Duplicate detection rules: list, add, conditions, publish, unpublish, delete.",
    no_args_is_help=True,
)

RuleArgument = Annotated[
    str,
    typer.Argument(
        help="The rule: its name (English or French, any case) or its id "
        "(see: leadgate duplicates rules list)."
    ),
]


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
    ] = DEFAULT_BATCH,
    wait: WaitOption = True,
    db: DbOption = None,
) -> None:
    """Publish a rule: a system job computes the match codes of every record of its matching
    table, batch by batch, then the rule checks creates and updates. A rule left Publishing
    resumes where it stopped."""
    with open_organization(db) as organization:
        system = organization.system_service()
        found = find_rule(system, rule)
        if found.status == PUBLISHED:
            say(N_("The rule {rule} is already published."), rule=_name(found))
            return
        response = system.execute(PublishDuplicateRuleRequest(found.id, batch))
        job_id = response.job_id
        if not response.queued:
            say(N_("The rule {rule} is being published by the system job {id}."),
                rule=_name(found), id=job_id)  # fmt: skip
        elif found.status == PUBLISHING:
            say(N_("The rule {rule} was left Publishing: the job resumes after the records "
                   "already done."), rule=_name(found))  # fmt: skip
        if not wait:
            if response.queued:
                say_queued(job_id)
            else:
                say(N_("Follow it with: leadgate jobs show {id}"), id=job_id)
            return
        (job,) = wait_for_jobs(organization, system, [job_id], _name(found))
        if JobStatus(job["statuscode"]) is JobStatus.CANCELED:
            say(N_("The rule {rule} stays Publishing: publish it again to resume, or unpublish "
                   "it."), rule=_name(found))  # fmt: skip
        refuse_unfinished(organization, job)
        say(
            N_("Published the rule {rule}: {total} {table} records have their match codes."),
            rule=_name(found), total=checkpoint_of(job).get("records", 0), table=found.matching,
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
