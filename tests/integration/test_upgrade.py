"""Upgrading a database made by the release before versioned upgrades keeps every record.

The fixture (``tests/fixtures/old_release``, SQL text) was made by that release's own code:
six open leads of which three were created while the process was deactivated, a qualified
and a disqualified lead, a custom column, and shipped roles an administrator changed (a
privilege granted, one revoked, a role renamed).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from leadgate.cli.processes import definitions
from leadgate.platform import Entity, EntityReference, LeadgateError, Organization
from leadgate.platform.customization.upgrades import UpgradeSolutionRequest
from leadgate.platform.duplicates.messages import RetrieveDuplicatesRequest
from leadgate.platform.engine import errors, versions
from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.metadata import store
from leadgate.platform.engine.migrations import runner
from leadgate.platform.records.retrieve import RetrieveRequest
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.security.messages import RemovePrivilegeRoleRequest
from leadgate.platform.users.messages import CreateApiTokenRequest
from leadgate.platform.views import View
from leadgate.sales import solution
from leadgate.sales.qualify import QualifyLeadRequest
from tests.conftest import throwaway_postgres_database
from tests.integration.test_process_flow import INSTANCES, stages
from tests.integration.test_qualification import a_lead

FIXTURES = Path(__file__).parents[1] / "fixtures" / "old_release"
SALES, MANAGER = "sam@old.example", "max@old.example"
# The fixture's fixed ids (see build.py).
STARTED = [uuid.UUID(f"00000000-0000-4000-8000-00000000010{n}") for n in (1, 2, 3)]
UNSTARTED = [uuid.UUID(f"00000000-0000-4000-8000-00000000020{n}") for n in (1, 2, 3)]
DISQUALIFIED = uuid.UUID("00000000-0000-4000-8000-000000000302")
# What the upgrade adds: an instance per unstarted lead, seven privileges for each sales role
# (version 6's duplicate rules, version 7's views and forms, version 8's audit history and own
# system jobs, version 9's own duplicate records), the version table's row, and the platform's
# versions 5 to 9: the view, form, audit, system job, job result, duplicate record, import file
# and import file piece tables (their metadata, privileges), the workflow table's nine workflow
# columns (and the ten options of category, mode, scope and runas), the system job types Bulk
# Duplicate Detection and Bulk Delete, the job results' outcome (three options), the
# relationships of job results (to their job), duplicate records (to their job and their
# rule) and import files (two), and the views and forms sales 7 ships.
ADDED = {
    INSTANCES: 3, "roleprivileges": 14, runner.VERSION_TABLE: 1, "savedquery": 17,
    "systemform": 4, "privilege": 57, "lg_meta_table": 8, "lg_meta_column": 136,
    "lg_meta_option": 66, "lg_meta_relationship": 5,
}  # fmt: skip
# On SQLite the row-version counter is a one-row table (on PostgreSQL, a sequence).
ADDED_ON_SQLITE = {versions.COUNTER: 1}
# Rows an upgrade rewrites: the solutions' versions, the cache generations, and the properties
# of the tables now shipped audited (their IsAuditEnabled turned on; checked below).
REWRITTEN = {store.solutions.name, store.generation.name, store.meta_tables.name}
AUDITED = ("lead", "account", "contact", "opportunity", "role", "entitymap", "attributemap")
REVISIONS = (
    "0001_baseline", "0002_rowversion", "0003_token_expiry", "0004_metadata_stamp",
    "0005_similar_name_codes",
)  # fmt: skip
NEW_PRIVILEGES = {
    "prvReadDuplicateRule", "prvReadDuplicateRuleCondition", "prvReadSavedQuery",
    "prvReadSystemForm",
}  # fmt: skip


@pytest.fixture(params=("sqlite", "postgresql"))
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database exactly as the release before versioned upgrades left it."""
    script = (FIXTURES / f"{request.param}.sql").read_text(encoding="utf-8")
    if request.param == "sqlite":
        path = tmp_path / "old.db"
        connection = sqlite3.connect(path)
        try:
            connection.executescript(script)
        finally:
            connection.close()
        yield f"sqlite:///{path}"
        return
    admin = request.getfixturevalue("postgres_admin")
    with throwaway_postgres_database(request, "lg_old") as name:
        url = admin.url.set(database=name)
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(script)  # no parameters: one simple query, many statements
        yield url.render_as_string(hide_password=False)


def snapshot(url: str) -> dict[str, set[tuple[str, ...]]]:
    """Every row of every table, as text."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                name: {
                    tuple(str(value) for value in row)
                    for row in connection.exec_driver_sql(f'SELECT * FROM "{name}"')
                }
                for name in sa.inspect(connection).get_table_names()
            }
    finally:
        engine.dispose()


def refusal(action) -> LeadgateError:
    with pytest.raises(LeadgateError) as refused:
        action()
    return refused.value


def role_privileges(system, role: str) -> dict[str, int]:
    (found,) = system.retrieve_multiple("role", name=role)
    names = {p.id: p["name"] for p in system.retrieve_multiple_all("privilege")}
    return {
        names[grant["privilegeid"].id]: grant["privilegedepthmask"]
        for grant in system.retrieve_multiple_all("roleprivileges")
        if grant["roleid"].id == found.id
    }


def test_the_old_release_database_upgrades_keeping_every_record(old_database, run):
    before = snapshot(old_database)
    refused = refusal(lambda: Organization.open(old_database))
    assert refused.code == "0x8F4C4799"
    assert f"Upgrade it with: leadgate upgrade --db {old_database}" in refused.message("en")
    assert f"Mettez-la à niveau avec : leadgate upgrade --db {old_database}" in refused.message(
        "fr"
    )

    code, out, err = run("upgrade", "--db", old_database, "--dry-run")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "leadgate's tables: revision - -> 0005_similar_name_codes (migrations: 0001_baseline, "
        "0002_rowversion, 0003_token_expiry, 0004_metadata_stamp, 0005_similar_name_codes)",
        "solution leadgate_platform: version 4 -> 9",
        "  turn on auditing of the table Entity Map",
        "  turn on auditing of the table Attribute Map",
        "  turn on auditing of the table Security Role",
        "solution leadgate_sales: version 5 -> 9",
        "  grant prvReadRecordAuditHistory (Organization), prvReadDuplicateRule (Organization), "
        "prvReadDuplicateRuleCondition (Organization), prvReadSavedQuery (Organization), "
        "prvReadSystemForm (Organization), prvReadAsyncOperation (User), prvReadDuplicateRecord "
        "(User) to the role Salesperson",
        "  grant prvReadRecordAuditHistory (Organization), prvReadDuplicateRule (Organization), "
        "prvReadDuplicateRuleCondition (Organization), prvReadSavedQuery (Organization), "
        "prvReadSystemForm (Organization), prvReadAsyncOperation (User), prvReadDuplicateRecord "
        "(User) to the role Sales Lead",
        "  start the process 'Lead to Opportunity Sales Process' on 3 open record(s) of the "
        "table Lead that have none",
        "  turn on auditing of the table Lead",
        "  turn on auditing of the table Account",
        "  turn on auditing of the table Contact",
        "  turn on auditing of the table Opportunity",
        "Dry run: nothing was changed. Run it without --dry-run to upgrade.",
    ]
    assert snapshot(old_database) == before

    code, out, err = run("upgrade", "--db", old_database)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "Upgrade done: the organization is up to date."
    added = {**ADDED, **(ADDED_ON_SQLITE if old_database.startswith("sqlite") else {})}
    after = snapshot(old_database)
    assert {name: len(rows) for name, rows in after.items()} == {
        name: len(before.get(name, ())) + added.get(name, 0) for name in after
    }
    for name, rows in before.items():
        if name not in REWRITTEN:
            # A migration may add columns at the end (0003: lg_apitoken.expireson); the
            # columns a row had keep their values.
            width = len(next(iter(rows))) if rows else 0
            assert rows <= {row[:width] for row in after[name]}, f"{name}: rows changed"

    with Organization.open(old_database) as organization:
        system = organization.system_service()
        assert system.retrieve("lead", UNSTARTED[0])["new_region"] == "South"
        metadata = organization.metadata()
        assert all(metadata.table(name).is_audit_enabled for name in AUDITED)
        assert not metadata.table("transactioncurrency").is_audit_enabled
        # Keys stored before keys had names load named, and name records.
        currency = metadata.table("transactioncurrency")
        assert (
            currency.key_of(["isocurrencycode"]).name == "transactioncurrency_isocurrencycode_key"
        )
        usd = EntityReference.by_key("transactioncurrency", isocurrencycode="USD")
        assert system.execute(RetrieveRequest(usd)).entity["isocurrencycode"] == "USD"
        assert system.retrieve("lead", STARTED[0])["new_region"] == "North"
        first = stages(system)["Qualify"]
        for lead in [*STARTED, *UNSTARTED]:
            owner = system.retrieve("lead", lead, ["ownerid"])["ownerid"]
            (instance,) = system.retrieve_multiple(INSTANCES, leadid=EntityReference("lead", lead))
            assert instance["activestageid"].id == first
            assert instance["traversedpath"] == str(first)
            assert (instance["statecode"], instance["statuscode"]) == (0, 1)
            assert instance["ownerid"] == owner  # who works the lead works its process
        assert system.retrieve("lead", UNSTARTED[2], ["ownerid"])["ownerid"].id == (
            system.find_user(MANAGER).id
        )
        closed = system.retrieve_multiple(INSTANCES, leadid=EntityReference("lead", DISQUALIFIED))
        assert len(closed) == 0

        salesperson = role_privileges(system, "Salesperson")
        assert {salesperson[name] for name in NEW_PRIVILEGES} == {8}  # Organization
        assert salesperson["prvReadAsyncOperation"] == 1  # version 8: their own jobs (User)
        assert salesperson["prvReadDuplicateRecord"] == 1  # version 9: what their jobs found
        assert salesperson["prvDeleteLead"] == 1  # the administrator's grant is kept
        assert "prvReadTeam" not in salesperson  # and so is their revoke
        # Renamed by the administrator: still the shipped role, not made again.
        assert set(role_privileges(system, "Sales Lead")) >= NEW_PRIVILEGES
        assert not system.retrieve_multiple("role", name="Sales Manager").entities
        # A privilege this version added (the doctor's, to diagnose for another user).
        assert system.retrieve_multiple("privilege", name="prvActOnBehalfOfAnotherUser").entities

        sam = organization.service(SALES)
        assert len(sam.retrieve_multiple_all("duplicaterule")) == 10  # what version 6 allows
        # Version 7's views and forms, which the salesperson reads and which run for them.
        (mine,) = sam.retrieve_multiple("savedquery", name="My Open Leads")
        view = View.from_record(mine, organization.metadata())
        owned = {lead.id for lead in sam.retrieve_multiple(view.query)}
        assert owned and all(
            system.retrieve("lead", lead, ["ownerid"])["ownerid"].id == sam.user_id
            for lead in owned
        )
        assert len(sam.retrieve_multiple_all("systemform")) == 4
        # The platform's version 6 adds the workflow category: a process flow made before it
        # has none (a column added later is empty on older rows), and stays a process flow.
        flows = system.retrieve_multiple_all("workflow", columns=["category", "statecode"])
        assert [(flow["category"], flow["statecode"]) for flow in flows] == [(None, 1)]
        assert [p.name.en for p in definitions(system)] == ["Lead to Opportunity Sales Process"]
        lead = UNSTARTED[0]
        created = sam.execute(QualifyLeadRequest(EntityReference("lead", lead))).created_entities
        assert [ref.logical_name for ref in created] == ["account", "contact", "opportunity"]
        closed_lead = sam.retrieve("lead", lead)
        assert (closed_lead["statecode"], closed_lead["statuscode"]) == (1, 3)
        (instance,) = sam.retrieve_multiple(INSTANCES, leadid=EntityReference("lead", lead))
        assert instance["activestageid"].id == stages(system)["Develop"]
        assert instance["opportunityid"] == created[2]

    code, out, _ = run("upgrade", "--db", old_database)
    assert (
        code == 0 and "is up to date (leadgate's tables at revision 0005_similar_name_codes)" in out
    )


NEWER_EN = "was upgraded by a newer leadgate"
NEWER_FR = "a été mise à niveau par un leadgate plus récent"


def _set(url: str, statement: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def test_a_database_at_0002_gains_expiring_tokens_keeping_its_tokens(database_url, run):
    """0003_token_expiry on a database the previous release made: its API tokens keep
    working (they never expire) and browser sessions' tokens end by themselves."""
    with Organization.open(database_url) as organization:
        system = organization.system_service()
        admin = system.find_user("admin@test.example").to_reference()
        kept = system.execute(CreateApiTokenRequest(admin)).token
    _set(database_url, "ALTER TABLE lg_apitoken DROP COLUMN expireson")
    _set(database_url, f"UPDATE {runner.VERSION_TABLE} SET version_num = '0002_rowversion'")
    assert refusal(lambda: Organization.open(database_url)).code == "0x8F4C4799"

    code, out, err = run("upgrade", "--db", database_url)
    assert (code, err) == (0, ""), out
    assert "0002_rowversion -> 0005_similar_name_codes" in out
    with Organization.open(database_url) as organization:
        system = organization.system_service()
        assert organization.authenticate(kept).user_id == admin.id
        ended = system.execute(
            CreateApiTokenRequest(admin, "browser session", lifetime=dt.timedelta(seconds=-1))
        ).token
        refused = refusal(lambda: organization.authenticate(ended))
        assert refused.code == errors.NOT_AUTHENTICATED.code


def _codes(url: str, rule_id: uuid.UUID) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            codes = sa.select(sa.func.count()).select_from(store.matchcodes)
            return connection.execute(
                codes.where(store.matchcodes.c.ruleid == rule_id)
            ).scalar_one()
    finally:
        engine.dispose()


def test_a_similar_name_rule_published_before_0005_is_published_again_with_new_codes(
    database_url, run
):
    """0005_similar_name_codes: a similar-name rule's codes kept the old way are dropped and
    the rule is Publishing again (finding nothing, not finding wrongly); publishing it computes
    the new codes, which find a typo."""
    name = "Contacts with a similar full name"
    with Organization.open(database_url) as organization:
        system = organization.system_service()
        (rule,) = system.retrieve_multiple("duplicaterule", name=name)
        system.create("contact", firstname="Rosalind", lastname="Franklin")
        system.execute(SetStateRequest(rule.to_reference(), 1, 2))  # published at once
    assert _codes(database_url, rule.id)
    _set(database_url, f"UPDATE {runner.VERSION_TABLE} SET version_num = '0004_metadata_stamp'")

    code, out, err = run("upgrade", "--db", database_url)
    assert (code, err) == (0, ""), out
    assert (
        f"duplicate detection rule '{name}': its match codes are computed again by a system "
        "job (run by 'leadgate serve' or 'leadgate worker'); until the job ends the rule finds "
        "no duplicates"
    ) in " ".join(out.split())
    assert _codes(database_url, rule.id) == 0
    with Organization.open(database_url) as organization:
        (job,) = organization.system_service().retrieve_multiple(
            "asyncoperation", regardingobjectid=rule.id
        )
        assert job["statecode"] == 0  # queued, for the next worker
    code, out, err = run("duplicates", "rules", "publish", name, "--db", database_url)
    assert (code, err) == (0, ""), out
    with Organization.open(database_url) as organization:
        system = organization.system_service()
        assert system.retrieve("duplicaterule", rule.id)["statuscode"] == 2
        typo = Entity("contact", None, {"firstname": "Rosalind", "lastname": "Frankiln"})
        found = system.execute(RetrieveDuplicatesRequest(typo)).matches
        assert [(match.rule, match.name) for match in found] == [
            (Label(name, "Contacts avec un nom complet similaire"), "Rosalind Franklin")
        ]


def test_a_database_a_newer_leadgate_migrated_is_refused_and_left_alone(database_url, run):
    _set(database_url, f"UPDATE {runner.VERSION_TABLE} SET version_num = '0099_future'")
    before = snapshot(database_url)
    error = refusal(lambda: Organization.open(database_url))
    assert error.code == "0x8F4C4798"
    assert error.message("en") == (
        f"The database {database_url} was upgraded by a newer leadgate: its tables are at "
        "revision 0099_future, which this version does not know (it knows up to "
        "0005_similar_name_codes). Nothing was changed; use a leadgate at least as new as the one "
        "that upgraded it."
    )
    assert error.message("fr").startswith(f"La base de données {database_url} {NEWER_FR}")
    assert "révision 0099_future, que cette version ne connaît pas" in error.message("fr")
    for command in (["upgrade"], ["upgrade", "--dry-run"], ["init"], ["serve"]):
        code, _, err = run(*command, "--db", database_url)
        assert code == 1, command
        assert err.startswith("error 0x8F4C4798:") and NEWER_EN in err, command
    assert snapshot(database_url) == before


def test_a_solution_a_newer_leadgate_installed_is_refused(database_url, run):
    _set(database_url, "UPDATE lg_solution SET version = 99 WHERE name = 'leadgate_sales'")
    error = refusal(lambda: Organization.open(database_url))
    assert error.code == "0x8F4C479A"
    assert "(solution leadgate_sales 99, this version ships 9)" in error.message("en")
    assert "(solution leadgate_sales 99, cette version fournit 9)" in error.message("fr")
    code, _, err = run("upgrade", "--db", database_url)
    assert code == 1 and err.startswith("error 0x8F4C479A:")


def leadgates_own(name, kind, _parents) -> bool:
    """Compare leadgate's own tables only: record tables follow the metadata instead."""
    return kind != "table" or (
        name.startswith("lg_") and name not in (runner.VERSION_TABLE, versions.COUNTER)
    )


def test_a_new_database_is_at_the_newest_revision_and_migrations_make_the_same_tables(
    database_url,
):
    """Creating stamps the newest revision; migrating an empty database through every
    revision gives exactly the tables the code defines (a change without its migration
    fails here)."""
    with (
        Organization.open(database_url) as organization,
        organization.engine.connect() as connection,
    ):
        state = runner.schema_state(connection, database_url)
        assert state.current == state.head and state.up_to_date
        connection.exec_driver_sql(f"DROP TABLE {runner.VERSION_TABLE}")
        for table in reversed(store.CATALOG.sorted_tables):
            connection.exec_driver_sql(f"DROP TABLE {table.name}")
        counter = "SEQUENCE" if connection.dialect.name == "postgresql" else "TABLE"
        connection.exec_driver_sql(f"DROP {counter} {versions.COUNTER}")
        assert runner.upgrade(connection, database_url) == REVISIONS
        context = MigrationContext.configure(connection, opts={"include_name": leadgates_own})
        assert compare_metadata(context, store.CATALOG) == []
        connection.rollback()


def test_the_revisions_leadgate_checks_on_open_are_alembics_in_order():
    """Opening reads the scripts' headers instead of loading Alembic: the same revisions."""
    scripts = ScriptDirectory.from_config(runner.config())
    in_order = tuple(script.revision for script in reversed(list(scripts.walk_revisions())))
    assert runner.known_revisions() == in_order == REVISIONS


def test_an_upgrade_adds_only_what_is_new_and_leaves_a_deactivated_process_alone(admin, system):
    sales = solution.definition()
    (process,) = system.retrieve_multiple("workflow")
    system.execute(SetStateRequest(process.to_reference(), 0, 1))  # an administrator's choice
    leads = [a_lead(admin, emailaddress1=f"n{n}@new.example") for n in range(2)]
    (role,) = system.retrieve_multiple("role", name="Salesperson")
    system.execute(RemovePrivilegeRoleRequest(role.id, "prvReadDuplicateRule"))

    def plan(since: int) -> list[str]:
        response = system.execute(UpgradeSolutionRequest(sales, since, dry_run=True))
        assert not response.applied
        return [str(step) for step in response.steps]

    assert plan(6) == []  # revoked after version 6 shipped it: the administrator's to keep
    assert plan(5) == [
        "grant prvReadDuplicateRule (Organization) to the role Salesperson"
    ]  # an upgrade from 5 adds what 6 grants, what the role lacks of it only
    system.execute(SetStateRequest(process.to_reference(), 1, 2))
    step = "start the process 'Lead to Opportunity Sales Process' on 2 open record(s) of the "
    assert plan(6) == [step + "table Lead that have none"]
    done = system.execute(UpgradeSolutionRequest(sales, 6))
    assert done.applied and len(done.steps) == 1
    for lead in leads:
        (instance,) = admin.retrieve_multiple(INSTANCES, leadid=EntityReference("lead", lead))
        assert instance["ownerid"].id == admin.user_id
    assert plan(6) == []  # done once: running it again starts nothing more
