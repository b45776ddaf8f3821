"""``leadgate upgrade``: bring a database that an older leadgate set up to this version.

It migrates leadgate's own tables, then upgrades each solution whose shipped version is newer
than the installed one (its data comes along: see ``customization.upgrades``). With
``--dry-run`` it prints that plan and changes nothing.
"""

from __future__ import annotations

from typing import Annotated

import typer

from leadgate.cli.output import DbOption, console, language, say
from leadgate.platform import Organization
from leadgate.platform.customization.upgrades import UpgradePlan
from leadgate.platform.engine.i18n import N_, translate
from leadgate.platform.engine.storage import database_url, redact

__all__ = ["upgrade"]


def upgrade(
    db: DbOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would run; change nothing.")
    ] = False,
) -> None:
    """Upgrade the organization to this version of leadgate, keeping its data (back it up
    first). 'leadgate init' on an existing database does the same."""
    url = database_url(db)
    if not dry_run:
        say(N_("Upgrading {url} …"), url=redact(url))
    plan = Organization.upgrade(url, dry_run=dry_run)
    if plan.up_to_date:
        say(
            N_("{url} is up to date (leadgate's tables at revision {revision}): nothing to do."),
            url=redact(url),
            revision=plan.head,
        )
        return
    _print(plan)
    if dry_run:
        say(N_("Dry run: nothing was changed. Run it without --dry-run to upgrade."))
    else:
        say(N_("Upgrade done: the organization is up to date."))


def _print(plan: UpgradePlan) -> None:
    if plan.migrations:
        say(
            N_("leadgate's tables: revision {current} -> {head} (migrations: {revisions})"),
            current=plan.revision or "-",
            head=plan.head,
            revisions=", ".join(plan.migrations),
        )
    for solution in plan.solutions:
        if solution.installed is None:
            say(N_("solution {name}: install version {shipped}"),
                name=solution.name, shipped=solution.shipped)  # fmt: skip
            continue
        say(N_("solution {name}: version {installed} -> {shipped}"),
            name=solution.name, installed=solution.installed, shipped=solution.shipped)  # fmt: skip
        steps = [step.in_language(language()) for step in solution.steps]
        for line in steps or [translate(N_("nothing to change in its data"), language())]:
            console.print(f"  {line}", soft_wrap=True)
    for rule in plan.republished:
        say(N_("duplicate detection rule '{rule}': its match codes are computed again by a "
               "system job (run by 'leadgate serve' or 'leadgate worker'); until the job ends "
               "the rule finds no duplicates"), rule=rule)  # fmt: skip
