"""``leadgate leads`` and ``leadgate maps``, and ``customize add-choice``'s warnings, as an
administrator uses them to reproduce and fix the seed's lead qualification failures.

Each test runs the command line on the test database (SQLite, then PostgreSQL) and checks
both what it printed and what changed, through the platform.
"""

from __future__ import annotations

import re
import uuid

import pytest

from leadgate.platform import Entity, EntityReference, Organization
from tests.conftest import ADMIN_EMAIL, add_user

CLOSED = "The lead is closed and you can't convert or qualify a lead that is already closed."
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def new_lead(org: Organization, owner: str = ADMIN_EMAIL, **values: object) -> uuid.UUID:
    defaults = {"subject": "Fleet renewal", "firstname": "Ada", "lastname": "Lovelace",
                "companyname": "Contoso", "jobtitle": "CTO"}  # fmt: skip
    return org.service(owner).create("lead", {**defaults, **values})


def lead_values(org: Organization, lead: uuid.UUID) -> Entity:
    return org.system_service().retrieve("lead", lead)


def count(org: Organization, table: str) -> int:
    return len(org.system_service().retrieve_multiple_all(table, columns=["createdon"]))


def rows(out: str) -> list[list[str]]:
    """A printed table, piped: tab-separated lines under a header."""
    return [line.split("\t") for line in out.splitlines()[1:]]


# --- leads qualify --------------------------------------------------------------------------


def test_qualify_prints_what_it_created_in_order_and_the_new_status(cli, org):
    lead = new_lead(org)

    out = cli("leads", "qualify", str(lead))

    created = re.findall(rf"^Created (\w+) ({GUID}) \((.*)\)\.$", out, re.M)
    assert [(table, name) for table, _, name in created] == [
        ("account", "Contoso"),
        ("contact", "Ada Lovelace"),
        ("opportunity", "Fleet renewal"),
    ]
    assert out.splitlines()[-1] == f"Lead Ada Lovelace ({lead}) is now Qualified: Qualified."
    record = lead_values(org, lead)
    assert (record["statecode"], record["statuscode"]) == (1, 3)
    account, contact, opportunity = (uuid.UUID(key) for _, key, _ in created)
    assert record["parentaccountid"] == EntityReference("account", account)
    assert record["parentcontactid"] == EntityReference("contact", contact)
    assert record["qualifyingopportunityid"] == EntityReference("opportunity", opportunity)


def test_qualify_with_choices_currency_customer_and_campaign(cli, org, system):
    customer = system.create("account", name="Northwind")
    campaign = system.create("campaign", name="Spring fair")
    lead = new_lead(org)

    out = cli("leads", "qualify", str(lead), "--no-account", "--no-contact", "--currency", "eur",
              "--customer", f"account:{customer}", "--campaign", str(campaign))  # fmt: skip

    (opportunity,) = re.findall(rf"^Created opportunity ({GUID})", out, re.M)
    deal = system.retrieve("opportunity", uuid.UUID(opportunity))
    euro = system.retrieve_multiple("transactioncurrency", isocurrencycode="EUR")[0]
    assert deal["customerid"] == EntityReference("account", customer)
    assert deal["campaignid"] == EntityReference("campaign", campaign)
    assert deal["transactioncurrencyid"] == euro.to_reference()
    assert (count(org, "account"), count(org, "contact")) == (1, 0)


def test_qualify_with_no_record_at_all_and_a_status_of_the_wrong_state(cli, refused, org):
    lead = new_lead(org)

    code, line = refused("leads", "qualify", str(lead), "--status", "4")
    assert code == 1 and line.startswith(
        f"error 0x80048408: 4 is not a valid status code for state code LeadState.Qualified on "
        f"lead with Id {lead}"
    )
    out = cli("leads", "qualify", str(lead), "--no-account", "--no-contact", "--no-opportunity")

    assert (
        out == f"No record was created.\nLead Ada Lovelace ({lead}) is now Qualified: Qualified.\n"
    )
    assert (count(org, "account"), count(org, "contact"), count(org, "opportunity")) == (0, 0, 0)


def test_when_the_organization_asks_what_to_create_the_refusal_says_so(cli, refused, org, system):
    organization = system.retrieve_multiple_all("organization", columns=["name"])[0]
    system.update(Entity("organization", organization.id, qualifyleadcreateall=False))
    lead = new_lead(org)

    code, line = refused("leads", "qualify", str(lead))

    assert code == 1 and line.startswith("error 0x8F4C4761: This organization asks which records")
    assert lead_values(org, lead)["statecode"] == 0
    # One rule, the message's: what is not named follows the setting, which asks.
    code, line = refused("leads", "qualify", str(lead), "--no-account")
    assert code == 1 and line.endswith("(missing: CreateContact, CreateOpportunity).")
    out = cli("leads", "qualify", str(lead), "--no-account", "--contact", "--opportunity")
    assert [table for table in re.findall(r"^Created (\w+)", out, re.M)] == [
        "contact",
        "opportunity",
    ]


def test_qualifying_a_closed_lead_is_refused_in_the_readers_language(
    cli, refused, org, monkeypatch
):
    lead = new_lead(org)
    cli("leads", "qualify", str(lead))

    code, line = refused("leads", "qualify", str(lead))

    assert code == 1 and line.startswith(f"error 0x8F4C4760: {CLOSED}")
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    _, line = refused("leads", "qualify", str(lead))
    assert line.startswith(
        "error 0x8F4C4760: Le prospect est fermé et vous ne pouvez pas convertir ou qualifier "
        "un prospect déjà fermé."
    )
    assert count(org, "opportunity") == 1


def test_as_a_salesperson_whose_role_lacks_a_privilege(cli, refused, org, monkeypatch):
    cli("users", "add", "--email", "ann@test.example", "--name", "Ann Sales",
        "--role", "Salesperson")  # fmt: skip
    lead = new_lead(org, "ann@test.example")
    cli("roles", "revoke", "Salesperson", "prvCreateOpportunity")

    code, line = refused("leads", "qualify", str(lead), "--as", "ann@test.example")

    assert code == 1
    assert line.startswith(
        "error 0x80040220: Insufficient permissions (Access denied): Ann Sales is missing the "
        "privilege prvCreateOpportunity on opportunity at User depth or more."
    )
    assert (count(org, "account"), count(org, "contact")) == (0, 0)  # all or nothing
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    _, french = refused("leads", "qualify", str(lead), "--as", "ann@test.example")
    assert french.startswith("error 0x80040220: ") and "prvCreateOpportunity" in french
    monkeypatch.setenv("LEADGATE_LANG", "en")
    cli("roles", "grant", "Salesperson", "prvCreateOpportunity", "--depth", "user")
    out = cli("leads", "qualify", str(lead), "--as", "ann@test.example")
    assert "is now Qualified: Qualified." in out
    owner = org.system_service().retrieve("opportunity", lead_values(org, lead)[
        "qualifyingopportunityid"].id, ["ownerid"])["ownerid"]  # fmt: skip
    assert owner.id == org.system_service().find_user("ann@test.example").id


def test_as_a_salesperson_on_a_colleagues_lead(cli, refused, org, system):
    add_user(system, "ann@test.example", role="Salesperson", last_name="Ann")
    add_user(system, "bob@test.example", role="Salesperson", last_name="Bob")
    lead = new_lead(org, "bob@test.example")

    _, line = refused("leads", "qualify", str(lead), "--as", "ann@test.example")

    # The seed: a lead in the user's business unit needs the privileges at that level.
    assert "prvCreateAccount" in line and "Business Unit depth" in line
    _, line = refused("leads", "disqualify", str(lead), "--reason", "lost",
                      "--as", "ann@test.example")  # fmt: skip
    assert line.startswith("error 0x80048306: ") and "prvWriteLead" in line
    assert lead_values(org, lead)["statecode"] == 0
    assert "Qualified" in cli("leads", "qualify", str(lead), "--as", "bob@test.example")


@pytest.mark.interface_only
def test_bad_ids_and_unknown_users_are_one_line(refused, org):
    lead = new_lead(org)

    assert refused("leads", "qualify", "nope")[0] == 2
    assert "--customer" in refused("leads", "qualify", str(lead), "--customer", "account")[1]
    code, line = refused("leads", "qualify", str(lead), "--currency", "XYZ")
    assert code == 2 and "EUR" in line and "USD" in line
    code, line = refused("leads", "qualify", str(uuid.uuid4()))
    assert code == 1 and line.startswith("error 0x80040217: ")
    code, line = refused("leads", "qualify", str(lead), "--as", "nobody@test.example")
    assert code == 1 and line.startswith("error 0x8F4C4732: ")
    code, line = refused("leads", "qualify", str(lead), "--customer",
                         f"campaign:{uuid.uuid4()}")  # fmt: skip
    assert code == 1 and line.startswith("error 0x8F4C4762: ")


# --- disqualify, reactivate, list -----------------------------------------------------------


def test_disqualify_and_reactivate(cli, refused, org):
    lead = new_lead(org)

    out = cli("leads", "disqualify", str(lead), "--reason", "no-longer-interested")

    assert out == f"Lead Ada Lovelace ({lead}) is now Disqualified: No Longer Interested.\n"
    assert (lead_values(org, lead)["statecode"], lead_values(org, lead)["statuscode"]) == (2, 6)
    code, line = refused("leads", "disqualify", str(lead), "--reason", "lost")
    assert code == 1 and line.startswith(f"error 0x8F4C4760: {CLOSED}")
    code, line = refused("leads", "disqualify", str(lead), "--reason", "bored")
    assert code == 1 and line.startswith("error 0x8F4C47A1: 'bored' is not a status reason")
    out = cli("leads", "reactivate", str(lead), "--status", "contacted")
    assert out.endswith("is now Open: Contacted.\n")
    for reason, status in (("cannot-contact", 5), ("canceled", 7), ("lost", 4)):
        cli("leads", "disqualify", str(lead), "--reason", reason)
        assert lead_values(org, lead)["statuscode"] == status
        assert cli("leads", "reactivate", str(lead)).endswith("is now Open: New.\n")
    cli("leads", "qualify", str(lead))
    assert cli("leads", "reactivate", str(lead)).endswith("is now Open: New.\n")


def test_list_filters_by_state_and_by_who_looks(cli, org, system):
    cli("bu", "add", "Europe")
    cli("users", "add", "--email", "eve@test.example", "--name", "Eve Europe",
        "--role", "Salesperson", "--business-unit", "Europe")  # fmt: skip
    open_lead = new_lead(org, lastname="Open")
    closed = new_lead(org, lastname="Closed", companyname="Fabrikam")
    system.set_state("lead", closed, 2, 5)
    eves = new_lead(org, "eve@test.example", lastname="Eve's")

    everything = rows(cli("leads", "list"))
    only_disqualified = rows(cli("leads", "list", "--state", "disqualified"))
    as_eve = rows(cli("leads", "list", "--as", "eve@test.example"))

    assert {row[4] for row in everything} == {str(open_lead), str(closed), str(eves)}
    assert only_disqualified == [["Ada Closed", "Fabrikam", "Cannot Contact", "Ada Admin",
                                  str(closed)]]  # fmt: skip
    assert as_eve == [["Ada Eve's", "Contoso", "New", "Eve Europe", str(eves)]]
    assert rows(cli("leads", "list", "--state", "qualified")) == []
    assert cli("leads", "list", "--state", "qualified") == "(no leads)\n"
    assert len(rows(cli("leads", "list", "--top", "2"))) == 2
    # For scripts: only the ids; and the leads of one owner.
    assert cli("leads", "list", "--owner", "EVE@test.example", "--ids") == f"{eves}\n"
    assert cli("leads", "list", "--state", "open", "--ids").split() == [
        str(lead) for lead in (eves, open_lead)
    ]


# --- maps -----------------------------------------------------------------------------------


def test_maps_list_add_change_and_remove(cli, refused, org):
    listed = rows(cli("maps", "list", "--source", "lead", "--target", "contact"))
    assert ["lead", "contact", "firstname", "firstname"] in [row[:4] for row in listed]
    assert {(row[0], row[1]) for row in listed} == {("lead", "contact")}
    assert {row[1] for row in rows(cli("maps", "list"))} >= {"account", "contact", "opportunity"}

    out = cli("maps", "add", "lead", "opportunity", "statuscode")

    (added,) = re.findall(
        rf"^Added the attribute map lead.statuscode -> opportunity.statuscode \(({GUID})\)\.$",
        out,
        re.M,
    )
    assert ["lead", "opportunity", "statuscode", "statuscode", added] in rows(
        cli("maps", "list", "--target", "opportunity")
    )
    out = cli("maps", "change", added, "--target-column", "STATUSCODE")
    assert out == ("Changed the attribute map lead.statuscode -> opportunity.statuscode to "
                   "lead.statuscode -> opportunity.statuscode.\n")  # fmt: skip
    code, line = refused("maps", "change", added)
    assert code == 2 and "say what to change" in line
    out = cli("maps", "change", "lead.opportunity.statuscode", "--source-column", "description",
              "--target-column", "customerneed")  # fmt: skip
    assert out == ("Changed the attribute map lead.statuscode -> opportunity.statuscode to "
                   "lead.description -> opportunity.customerneed.\n")  # fmt: skip
    code, line = refused("maps", "change", added, "--source-column", "subject")
    assert code == 1 and line.startswith("error 0x8F4C4718: The attribute map lead.subject -> "
                                         "opportunity.customerneed cannot be saved")  # fmt: skip
    cli("maps", "change", added, "--source-column", "statuscode", "--target-column", "statuscode")
    out = cli("maps", "remove", "lead.opportunity.statuscode")
    assert out == (
        f"Removed the attribute map lead.statuscode -> opportunity.statuscode ({added}).\n"
    )
    assert added not in cli("maps", "list")
    jobtitle = next(row[4] for row in listed if row[3] == "jobtitle")
    cli("maps", "remove", jobtitle)
    new_lead(org)
    assert "jobtitle" not in {row[3] for row in rows(cli("maps", "list", "--target", "contact"))}


def test_maps_the_platform_refuses_leave_nothing_behind(cli, refused, org):
    code, line = refused("maps", "add", "lead", "campaign", "leadqualitycode", "name")
    assert code == 1 and line.startswith(
        "error 0x8F4C4718: The attribute map lead.leadqualitycode -> campaign.name cannot be "
        "saved: the source is choice and the target string"
    )
    assert rows(cli("maps", "list", "--target", "campaign")) == []
    assert cli("maps", "list", "--target", "campaign") == "(no maps)\n"
    alone = org.system_service().create("entitymap", sourceentityname="lead",
                                        targetentityname="campaign")  # fmt: skip
    assert rows(cli("maps", "list", "--target", "campaign")) == [
        ["lead", "campaign", "(no attribute map)", "", str(alone)]
    ]
    code, line = refused("maps", "add", "lead", "contact", "lastname")
    assert code == 1 and "the target column is already mapped" in line
    code, line = refused("maps", "add", "lead", "nowhere", "lastname")
    assert code == 1 and line.startswith("error 0x80041102: ")
    firstname = next(row[4] for row in rows(cli("maps", "list", "--target", "contact"))
                     if row[3] == "firstname")  # fmt: skip
    code, line = refused("maps", "change", firstname, "--target-column", "fullname")
    assert code == 1 and "cannot be written" in line
    assert refused("maps", "remove", "lead.contact")[0] == 2
    assert refused("maps", "remove", "lead.contact.nothing")[0] == 2
    assert refused("maps", "remove", str(uuid.uuid4()))[0] == 2


def test_the_seeds_invalid_status_code_from_warning_to_fix(cli, refused, org, system, monkeypatch):
    """An admin maps lead.statuscode to opportunity, adds a lead status reason: the warning
    says which map breaks and how to fix it; qualifying such a lead fails until the map is
    gone. (To contact the map is refused from the start: a Contacted lead would make an
    Inactive contact.)"""
    code, line = refused("maps", "add", "lead", "contact", "statuscode")
    assert code == 1 and "which a new contact record cannot take (it starts Active)" in line
    assert cli("maps", "add", "lead", "opportunity", "statuscode").startswith("Added the attribute")
    (map_id,) = [row[4] for row in rows(cli("maps", "list", "--target", "opportunity"))
                 if row[2] == "statuscode"]  # fmt: skip

    out = cli("customize", "add-choice", "lead", "statuscode", "--label", "Nurturing",
              "--state", "0")  # fmt: skip

    assert out.splitlines()[1:] == [
        "Warning: The attribute map lead.statuscode -> opportunity.statuscode copies this "
        "column to opportunity.statuscode, which has no value 100000000: new opportunity "
        "records made from records holding it will be refused.",
        "  - add the value to the target: leadgate customize add-choice opportunity statuscode "
        "--value 100000000 --label 'Nurturing' --state 0",
        f"  - or remove the map: leadgate maps remove {map_id}",
    ]
    cli("customize", "publish")
    lead = new_lead(org, statuscode=100000000)
    code, line = refused("leads", "qualify", str(lead))
    assert code == 1 and line.startswith("error 0x80048408: 100000000 is not a valid status code")
    assert f"leadgate maps remove {map_id}" in line
    assert (count(org, "opportunity"), lead_values(org, lead)["statecode"]) == (0, 0)
    cli("maps", "remove", map_id)
    out = cli("leads", "qualify", str(lead))
    assert out.endswith(f"Lead Ada Lovelace ({lead}) is now Qualified: Qualified.\n")
    # With Nurturing published, the same map is now refused when saved, and says why.
    code, line = refused("maps", "add", "lead", "opportunity", "statuscode")
    assert code == 1 and "100000000" in line and line.startswith("error 0x8F4C4718: ")
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    _, line = refused("maps", "add", "lead", "opportunity", "statuscode")
    assert line.startswith("error 0x8F4C4718: ") and "100000000" in line
    assert "cannot be saved" not in line


def test_add_choice_warns_in_the_readers_language(cli, monkeypatch):
    monkeypatch.setenv("LEADGATE_LANG", "fr")

    out = cli("customize", "add-choice", "lead", "need", "--label", "Nice to have",
              "--label-fr", "Agréable", "--value", "7")  # fmt: skip

    assert out.startswith("Choix 7 (Nice to have) ajouté à lead.need.")
    assert ("Le mappage d'attribut lead.need -> opportunity.need copie cette colonne vers "
            "opportunity.need, qui n'a pas de valeur 7") in out  # fmt: skip
    fixes = [line for line in out.splitlines() if line.startswith("  - ")]
    assert len(fixes) == 2
    assert "leadgate customize add-choice opportunity need --value 7 --label 'Agréable'" in fixes[0]
    assert "leadgate maps remove " in fixes[1]
    monkeypatch.setenv("LEADGATE_LANG", "en")
    out = cli("customize", "add-choice", "lead", "leadqualitycode", "--label", "Lukewarm")
    assert "Warning" not in out  # no map copies it


@pytest.mark.parametrize(
    "command",
    [
        ["leads"],
        ["leads", "qualify"],
        ["leads", "disqualify"],
        ["leads", "reactivate"],
        ["leads", "list"],
        ["maps"],
        ["maps", "list"],
        ["maps", "add"],
        ["maps", "change"],
        ["maps", "remove"],
        ["processes"],
        ["processes", "list"],
        ["processes", "show"],
        ["processes", "activate"],
        ["processes", "deactivate"],
        ["processes", "require"],
        ["processes", "optional"],
        ["process"],
        ["process", "show"],
        ["process", "next"],
        ["process", "previous"],
        ["process", "set-active"],
    ],
)
def test_every_command_has_help(run, command):
    code, out, _ = run(*command, "--help")

    assert code == 0 and "Usage:" in out
    assert "--db" in out or "Commands" in out
