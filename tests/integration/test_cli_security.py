"""``leadgate bu``, ``teams``, ``roles``, ``share`` and ``users``, as an administrator uses them.

Each test changes security with the command line, then checks what users can do through the
pipeline — in an organization opened before the change, as a running server would have it.
"""

from __future__ import annotations

import re
import uuid

import pytest

from leadgate.platform import Entity, Organization
from leadgate.platform.engine.errors import LeadgateError
from tests.conftest import ADMIN_EMAIL

ANN = "ann@test.example"  # a salesperson in the root unit
BEN = "ben@test.example"  # a salesperson in Europe


def _has_row(out: str, *cells: str) -> bool:
    """Whether a line of a printed table starts with these cells (empty ones included)."""
    pattern = re.compile(r"\s+".join(re.escape(cell) for cell in cells) + r"(\s|$)")
    return any(pattern.match(line) for line in out.splitlines())


def _root(org: Organization) -> str:
    units = org.system_service().retrieve_multiple("businessunit", parentbusinessunitid=None)
    return units[0]["name"]


def _create_lead(org: Organization, email: str, **values: object) -> uuid.UUID:
    return org.service(email).create("lead", subject="CLI test", lastname="Lovelace", **values)


def _refusal(org: Organization, email: str, action) -> LeadgateError:
    with pytest.raises(LeadgateError) as refused:
        action(org.service(email))
    return refused.value


def _two_units(cli) -> None:
    cli("bu", "add", "Europe")
    cli("users", "add", "--email", ANN, "--name", "Ann Root", "--role", "Salesperson")
    cli("users", "add", "--email", BEN, "--name", "Ben Europe", "--role", "salesperson",
        "--business-unit", "europe")  # fmt: skip


def test_business_units_add_and_list(cli, refused, org):
    root = _root(org)
    out = cli("bu", "add", "Europe")
    assert out.startswith(f"Added business unit Europe under {root} (")
    cli("bu", "add", "France", "--parent", "EUROPE")
    cli("users", "add", "--email", BEN, "--name", "Ben", "--business-unit", "france")
    lines = cli("bu", "list").splitlines()
    assert _has_row(lines[0], "name", "parent", "users", "teams", "id")
    assert _has_row(lines[1], root, "", "1", "0")  # the root first; its user is the test admin
    assert _has_row(lines[2], "Europe", root, "0", "0")
    assert _has_row(lines[3], "France", "Europe", "1", "0")
    unit = org.system_service().retrieve_multiple("businessunit", name="France")[0]
    assert (
        unit["parentbusinessunitid"].id
        == org.system_service().retrieve_multiple("businessunit", name="Europe")[0].id
    )
    code, line = refused("bu", "add", "europe")
    assert code == 2 and "a business unit named 'europe' exists already" in line
    code, line = refused("bu", "add", "Asia", "--parent", "Atlantis")
    assert code == 2 and "no business unit is named 'Atlantis'" in line
    assert f"known: Europe, France, {root}" in line


def test_users_add_with_a_unit_and_roles_then_move(cli, refused, org):
    _two_units(cli)
    out = cli("users", "add", "--email", "carl@test.example", "--name", "Carl", "--business-unit",
              "Europe", "--role", "Salesperson", "--role", "Sales Manager")  # fmt: skip
    assert "Added user carl@test.example" in out and "no security role" not in out
    out = cli("users", "add", "--email", "dora@test.example", "--name", "Dora")
    assert "dora@test.example has no security role yet" in out
    out = cli("users", "list")
    assert _has_row(out, "email", "name", "business unit", "roles", "language", "enabled")
    assert _has_row(out, BEN, "Ben Europe", "Europe", "Salesperson", "en", "yes")
    assert _has_row(out, "carl@test.example", "Carl", "Europe", "Sales Manager, Salesperson")
    assert _has_row(out, ADMIN_EMAIL, "Ada Admin", _root(org), "System Administrator")
    assert _has_row(out, "dora@test.example", "Dora", _root(org), "", "en")

    # The roles work at once; a user with none can do nothing.
    lead = _create_lead(org, BEN)
    assert org.service("carl@test.example").retrieve("lead", lead)["lastname"] == "Lovelace"
    error = _refusal(org, "dora@test.example", lambda s: s.create("lead", lastname="X"))
    assert error.code == "0x80040220" and "Roles held: no role" in error.message("en")

    # Moving Ben to the root unit: Carl (Business Unit depth, in Europe) no longer reaches
    # the leads Ben creates there.
    assert "ben@test.example is now in the business unit" in cli(
        "users", "move", "--email", BEN, "--business-unit", _root(org)
    )
    moved = _create_lead(org, BEN)
    error = _refusal(org, "carl@test.example", lambda s: s.retrieve("lead", moved))
    assert error.code == "0x80048306"

    # Bad names: one line, before anything is created.
    code, line = refused("users", "add", "--email", "eve@test.example", "--name", "Eve",
                         "--role", "Wizard")  # fmt: skip
    assert code == 2 and "no security role is named 'Wizard'" in line and "Salesperson" in line
    code, line = refused("users", "move", "--email", BEN, "--business-unit", "Mars")
    assert code == 2 and "no business unit is named 'Mars'" in line
    assert "eve@test.example" not in cli("users", "list")


def test_roles_list_and_show(cli, refused, org):
    _two_units(cli)
    out = cli("roles", "list")
    assert _has_row(out, "name", "privileges", "users", "teams", "id")
    assert _has_row(out, "System Administrator", "all", "1", "0")
    count = len(org.system_service().retrieve_multiple_all("roleprivileges"))
    assert re.search(r"^Salesperson\s+(\d+)\s+2\s+0\s", out, re.M)
    assert re.search(r"^Sales Manager\s+(\d+)\s+0\s+0\s", out, re.M)
    listed = [int(n) for n in re.findall(r"^Sales\w* ?\w*\s+(\d+)\s", out, re.M)]
    assert len(listed) == 2 and sum(listed) == count and min(listed) > 20

    out = cli("roles", "show", "system administrator")
    assert out == (
        "System Administrator: every privilege at Organization depth, those of tables added "
        "later too.\n"
    )
    shown = cli("roles", "show", "Salesperson")
    assert _has_row(shown, "privilege", "table", "depth")
    assert _has_row(shown, "prvCreateLead", "lead", "User")
    assert _has_row(shown, "prvReadLead", "lead", "Business Unit")
    assert _has_row(shown, "prvReadTransactionCurrency", "transactioncurrency", "Organization")
    assert _has_row(shown, "prvReadEntity", "", "Organization")
    assert not _has_row(shown, "prvDeleteLead")
    names = [line.split()[0] for line in shown.splitlines()[1:]]
    assert names == sorted(names) and len(names) > 20
    code, line = refused("roles", "show", "Janitor")
    assert code == 2 and line.startswith("error: Invalid value for ROLE: no security role")


def test_revoking_and_granting_a_privilege(cli, refused, org):
    _two_units(cli)
    _create_lead(org, ANN)  # allowed, and loads Ann's privileges into the organization's cache
    assert cli("roles", "revoke", "Salesperson", "prvCreateLead") == (
        "Removed prvCreateLead from Salesperson.\n"
    )
    error = _refusal(org, ANN, lambda s: s.create("lead", lastname="X"))
    assert error.code == "0x80040220" and "prvCreateLead" in error.message("en")
    assert not _has_row(cli("roles", "show", "Salesperson"), "prvCreateLead", "lead")
    assert "Salesperson did not have prvCreateLead." in cli(
        "roles", "revoke", "salesperson", "prvCreateLead"
    )

    out = cli("roles", "grant", "salesperson", "prvcreatelead", "prvDeleteLead", "--depth", "user")
    assert out == "Granted prvCreateLead, prvDeleteLead to Salesperson at User depth.\n"
    lead = _create_lead(org, ANN)
    org.service(ANN).delete("lead", lead)
    shown = cli("roles", "show", "Salesperson")
    assert _has_row(shown, "prvCreateLead", "lead", "User")
    assert _has_row(shown, "prvDeleteLead", "lead", "User")

    # Raising a depth replaces it: Ben (Europe) now reads Ann's leads with Organization depth.
    other = _create_lead(org, ANN)
    assert _refusal(org, BEN, lambda s: s.retrieve("lead", other)).code == "0x80048306"
    cli("roles", "grant", "Salesperson", "prvReadLead", "--depth", "organization")
    assert org.service(BEN).retrieve("lead", other)["lastname"] == "Lovelace"

    code, line = refused("roles", "grant", "Salesperson", "prvCreateLead", "--depth", "galaxy")
    assert code == 2 and "'galaxy' is not a depth" in line
    code, line = refused("roles", "grant", "Salesperson", "prvFlyLead", "--depth", "user")
    assert code == 1 and line.startswith("error 0x8F4C4751: 'prvFlyLead' is not a privilege")
    code, line = refused("roles", "grant", "Salesperson", "prvReadEntity", "--depth", "user")
    assert code == 1 and line.startswith("error 0x8F4C4752")
    code, line = refused("roles", "grant", "Nobody", "prvCreateLead", "--depth", "user")
    assert code == 2 and "no security role is named 'Nobody'" in line


def test_assigning_roles_to_users_and_teams(cli, refused, org):
    cli("users", "add", "--email", ANN, "--name", "Ann")
    assert _refusal(org, ANN, lambda s: s.create("lead", lastname="X")).code == "0x80040220"
    assert cli("roles", "assign", "salesperson", "--user", ANN) == (
        f"Assigned the role Salesperson to {ANN}.\n"
    )
    assert cli("roles", "assign", "Salesperson", "--user", ANN) == (
        f"{ANN} already has the role Salesperson.\n"
    )
    _create_lead(org, ANN)
    assert cli("roles", "unassign", "Salesperson", "--user", ANN) == (
        f"Removed the role Salesperson from {ANN}.\n"
    )
    assert _refusal(org, ANN, lambda s: s.create("lead", lastname="X")).code == "0x80040220"
    assert "does not have the role" in cli("roles", "unassign", "Salesperson", "--user", ANN)

    # Through a team: its members hold its roles.
    cli("teams", "add", "Inside Sales", "--business-unit", _root(org))
    cli("teams", "members", "add", "inside sales", ANN)
    assert _refusal(org, ANN, lambda s: s.create("lead", lastname="X")).code == "0x80040220"
    assert "Assigned the role Salesperson to Inside Sales." in cli(
        "roles", "assign", "Salesperson", "--team", "INSIDE SALES"
    )
    _create_lead(org, ANN)
    assert "already has" in cli("teams", "roles", "add", "Inside Sales", "Salesperson")
    assert "Removed the role" in cli("teams", "roles", "remove", "Inside Sales", "Salesperson")
    assert _refusal(org, ANN, lambda s: s.create("lead", lastname="X")).code == "0x80040220"

    code, line = refused("roles", "assign", "Salesperson", "--user", ANN, "--team", "Inside Sales")
    assert code == 2 and "either --user EMAIL or --team TEAM" in line
    code, line = refused("roles", "assign", "Salesperson")
    assert code == 2
    code, line = refused("roles", "assign", "Salesperson", "--user", "nobody@test.example")
    assert code == 1 and line.startswith("error 0x8F4C4732")
    code, line = refused("roles", "assign", "Salesperson", "--team", "Outside Sales")
    assert code == 2 and "no team is named 'Outside Sales' (known: Inside Sales)" in line


def test_teams_add_members_and_list(cli, refused, org):
    _two_units(cli)
    cli("users", "add", "--email", "cleo@test.example", "--name", "Cleo", "--business-unit",
        "Europe")  # fmt: skip
    out = cli("teams", "add", "Europe Desk", "--business-unit", "europe", "--role", "Salesperson")
    assert out.startswith("Added team Europe Desk in Europe (")
    assert cli("teams", "members", "add", "Europe Desk", BEN, "cleo@test.example") == (
        "Added 2 member(s) to Europe Desk.\n"
    )
    assert "Added 0 member(s)" in cli("teams", "members", "add", "europe desk", BEN)
    out = cli("teams", "list")
    assert _has_row(out, "name", "business unit", "members", "roles", "id")
    assert _has_row(out, "Europe Desk", "Europe", "2", "Salesperson")
    assert _has_row(cli("bu", "list"), "Europe", _root(org), "2", "1")

    # Cleo has no role of her own: she works with the team's, on the team's records.
    team = org.system_service().retrieve_multiple("team", name="Europe Desk")[0].to_reference()
    lead = _create_lead(org, "cleo@test.example", ownerid=team)
    org.service(BEN).update(Entity("lead", lead, subject="Worked by Ben"))
    assert org.service(BEN).retrieve("lead", lead)["ownerid"] == team
    assert cli("teams", "members", "remove", "Europe Desk", "cleo@test.example") == (
        "Removed 1 member(s) from Europe Desk.\n"
    )
    error = _refusal(org, "cleo@test.example", lambda s: s.retrieve("lead", lead))
    assert error.code == "0x80040220"

    code, line = refused("teams", "add", "europe desk", "--business-unit", "Europe")
    assert code == 2 and "a team named 'europe desk' exists already" in line
    code, line = refused("teams", "add", "Asia Desk", "--business-unit", "Asia")
    assert code == 2 and "no business unit is named 'Asia'" in line
    code, line = refused("teams", "add", "Asia Desk", "--business-unit", "Europe", "--role", "X")
    assert code == 2 and "no security role is named 'X'" in line
    code, line = refused("teams", "members", "add", "Nowhere", BEN)
    assert code == 2 and "no team is named 'Nowhere'" in line
    assert "Asia Desk" not in cli("teams", "list")


def test_sharing_a_record_with_a_user_and_a_team(cli, refused, org):
    _two_units(cli)
    lead = _create_lead(org, ANN)
    error = _refusal(org, BEN, lambda s: s.retrieve("lead", lead))
    assert error.code == "0x80048306"
    assert cli("share", "lead", str(lead), "--list").endswith("\n(not shared)\n")

    out = cli("share", "lead", str(lead), "--user", BEN, "--rights", "read, write")
    assert out == f"Shared lead {lead} with {BEN}: read,write.\n"
    assert org.service(BEN).retrieve("lead", lead)["lastname"] == "Lovelace"
    out = cli("share", "lead", str(lead), "--list")
    assert _has_row(out, "shared with", "name", "rights", "id")
    assert _has_row(out, "systemuser", BEN, "read,write")

    # Taking one right away keeps the others; --revoke alone stops sharing.
    out = cli("share", "lead", str(lead), "--user", BEN, "--rights", "write", "--revoke")
    assert out == f"Shared lead {lead} with {BEN}: read.\n"
    assert cli("share", "lead", str(lead), "--user", BEN, "--revoke") == (
        f"lead {lead} is no longer shared with {BEN}.\n"
    )
    assert _refusal(org, BEN, lambda s: s.retrieve("lead", lead)).code == "0x80048306"

    # With a team: every member reaches the record.
    cli("teams", "add", "Europe Desk", "--business-unit", "Europe")
    cli("teams", "members", "add", "Europe Desk", BEN)
    out = cli("share", "lead", str(lead), "--team", "europe desk", "--rights", "all")
    assert out == (
        f"Shared lead {lead} with Europe Desk: read,write,append,appendto,delete,share,assign.\n"
    )
    assert org.service(BEN).retrieve("lead", lead)["lastname"] == "Lovelace"
    out = cli("share", "lead", str(lead), "--list")
    assert _has_row(out, "team", "Europe Desk") and BEN not in out

    code, line = refused("share", "lead", "not-an-id", "--user", BEN, "--rights", "read")
    assert code == 2 and "'not-an-id' is not a record id" in line
    code, line = refused("share", "lead", str(lead), "--user", BEN, "--rights", "read,fly")
    assert code == 2 and "'fly' is not a right to share" in line
    code, line = refused("share", "lead", str(lead), "--user", BEN)
    assert code == 2 and "say which rights to share" in line
    code, line = refused("share", "lead", str(lead), "--rights", "read")
    assert code == 2 and "either --user EMAIL or --team TEAM" in line
    code, line = refused("share", "spaceship", str(lead), "--user", BEN, "--rights", "read")
    assert code == 1 and line.startswith("error 0x80041102")
    code, line = refused("share", "lead", str(uuid.uuid4()), "--user", BEN, "--rights", "read")
    assert code == 1
    code, line = refused("share", "role", str(uuid.uuid4()), "--user", BEN, "--rights", "read")
    assert code == 1 and line.startswith("error 0x8F4C4750")


@pytest.mark.parametrize(
    "command",
    [["bu"], ["bu", "add"], ["bu", "list"], ["teams"], ["teams", "add"], ["teams", "list"],
     ["teams", "members"], ["teams", "members", "add"], ["teams", "members", "remove"],
     ["teams", "roles", "add"], ["teams", "roles", "remove"], ["roles"], ["roles", "list"],
     ["roles", "show"], ["roles", "grant"], ["roles", "revoke"], ["roles", "assign"],
     ["roles", "unassign"], ["share"], ["users", "move"], ["users", "list"]],
)  # fmt: skip
def test_every_security_command_has_help(run, command):
    code, out, _ = run(*command, "--help")
    assert code == 0 and "Usage:" in out
    assert "--db" in out or "Commands" in out
