"""``leadgate processes`` and ``leadgate process``: the Lead to Opportunity Sales Process as an
administrator configures it and as a lead moves through it (REFERENCE §4).

Each test runs the command line on the test database (SQLite, then PostgreSQL) and checks
what it printed and what changed, through the platform.
"""

from __future__ import annotations

import uuid

import pytest

from leadgate.platform import Entity, EntityReference, Organization
from tests.conftest import ADMIN_EMAIL, add_user

PROCESS = "Lead to Opportunity Sales Process"
INSTANCES = "leadtoopportunitysalesprocess"
STAGES = ["Qualify", "Develop", "Propose", "Close"]
DOES_NOT_MOVE = (
    "Notice: The stage does not move: the next stage, Develop, is on Opportunity, and no "
    "Opportunity belongs to this process yet. Qualify the lead: qualifying creates the "
    "opportunity and moves the process to the next stage."
)


def new_lead(org: Organization, owner: str = ADMIN_EMAIL, **values: object) -> uuid.UUID:
    defaults = {"subject": "Fleet renewal", "firstname": "Ada", "lastname": "Lovelace",
                "companyname": "Contoso"}  # fmt: skip
    return org.service(owner).create("lead", {**defaults, **values})


def rows(out: str, after: int = 1) -> list[list[str]]:
    """A printed table, piped: tab-separated lines under a header (and ``after - 1`` lines
    said before it)."""
    return [line.split("\t") for line in out.splitlines()[after:] if "\t" in line]


def instance(org: Organization, lead: uuid.UUID) -> Entity:
    (found,) = org.system_service().retrieve_multiple(INSTANCES, leadid=lead, statecode=0).entities
    return found


def active_stage(org: Organization, lead: uuid.UUID) -> str:
    stage = instance(org, lead)["activestageid"]
    return org.system_service().retrieve("processstage", stage.id, ["stagename"])["stagename"]


def step(org: Organization, column: str) -> Entity:
    (found,) = org.system_service().retrieve_multiple("processstep", attributename=column).entities
    return found


# --- leadgate processes ---------------------------------------------------------------------


def test_list_and_show_the_shipped_process(cli, org, monkeypatch):
    out = cli("processes", "list")

    ((name, state, table, stages, key),) = rows(out)
    assert (name, state, table, stages) == (PROCESS, "Activated", INSTANCES, "4")
    out = cli("processes", "show", key)
    assert out.splitlines()[0] == (
        f"{PROCESS} (Activated): 4 stage(s), starting with each new lead; instances in {INSTANCES}."
    )
    shown = rows(out, after=2)
    assert out.splitlines()[1].split("\t") == ["#", "stage", "table", "step", "column", "required"]
    assert [row[1] for row in shown if row[0] == "1"] == ["Qualify"] * 7
    assert list(dict.fromkeys(row[1] for row in shown)) == STAGES
    assert ["2", "Develop", "opportunity", "Customer Need", "customerneed", ""] in shown
    assert [row[4] for row in shown if row[1] == "Close"] == [
        "completefinalproposal", "presentfinalproposal", "finaldecisiondate",
        "sendthankyounote", "filedebrief",
    ]  # fmt: skip
    # Named as people type it: either language, any case, or its instance table.
    assert cli("processes", "show", "LEAD TO OPPORTUNITY SALES PROCESS") == out
    assert cli("processes", "show", INSTANCES) == out
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    french = cli("processes", "show", "processus de vente prospect vers opportunité")
    assert french.splitlines()[0].startswith(
        "Processus de vente Prospect vers opportunité (Activé) : 4 étape(s)"
    )
    assert ["1", "Qualifier", "lead", "Délai d'achat", "purchasetimeframe", ""] in rows(
        french, after=2
    )


def test_require_and_optional_change_the_step_and_show_marks_it(cli, refused, org, monkeypatch):
    out = cli("processes", "require", PROCESS, "qualifier", "PurchaseTimeframe")

    assert out == (
        "The step Purchase Timeframe (purchasetimeframe) of the stage Qualify is now required.\n"
    )
    assert step(org, "purchasetimeframe")["isrequired"] is True
    shown = rows(cli("processes", "show", PROCESS), after=2)
    assert ["1", "Qualify", "lead", "Purchase Timeframe", "purchasetimeframe", "required"] in shown
    assert [row[4] for row in shown if row[5] == "required"] == ["purchasetimeframe"]
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    assert "obligatoire" in cli("processes", "show", PROCESS)
    out = cli("processes", "optional", PROCESS, "Qualify", "purchasetimeframe")
    assert out == (
        "Le pas Délai d'achat (purchasetimeframe) de l'étape Qualifier est désormais facultatif.\n"
    )
    assert step(org, "purchasetimeframe")["isrequired"] is False
    monkeypatch.setenv("LEADGATE_LANG", "en")
    code, line = refused("processes", "require", PROCESS, "Nope", "purchasetimeframe")
    assert code == 2 and "'Nope' is not a stage of" in line and "Qualify, Develop" in line
    code, line = refused("processes", "require", PROCESS, "Develop", "purchasetimeframe")
    assert code == 2 and "the stage Develop has no step on the column 'purchasetimeframe'" in line
    code, line = refused("processes", "optional", "No such process", "Qualify", "budgetamount")
    assert code == 2 and f"no process is 'No such process' (known: {PROCESS})" in line


def test_deactivate_and_activate(cli, refused, org, system):
    out = cli("processes", "deactivate", PROCESS)

    assert out == (f"Deactivated the process {PROCESS}: new records no longer start it.\n")
    assert rows(cli("processes", "list"))[0][1] == "Draft"
    lead = new_lead(org)
    code, line = refused("process", "show", str(lead))
    assert (code, line) == (
        1, f"error 0x8F4C477A: No active business process flow follows lead {lead}."
    )  # fmt: skip
    out = cli("processes", "activate", PROCESS.lower())
    assert out == f"Activated the process {PROCESS}: each new lead starts it.\n"
    assert rows(cli("processes", "list"))[0][1] == "Activated"
    assert "Active stage: Qualify (on lead)" in cli("process", "show", str(new_lead(org)))
    # Activating is checked: a draft whose instance table does not exist is refused.
    system.create("workflow", name="Broken flow", uniquename="new_nowhere", primaryentity="lead")
    code, line = refused("processes", "activate", "Broken flow")
    assert code == 1 and line.startswith(
        "error 0x8F4C4778: The process definition is not valid: the instance table new_nowhere "
        "does not exist"
    )
    assert [row[1] for row in rows(cli("processes", "list"))] == ["Draft", "Activated"]


# --- leadgate process -----------------------------------------------------------------------


def test_show_a_leads_process_with_its_step_values(cli, org):
    lead = new_lead(org, purchasetimeframe=1, decisionmaker=True, budgetamount=25000)
    cli("processes", "require", PROCESS, "Qualify", "qualificationcomments")
    cli("processes", "require", PROCESS, "Qualify", "purchasetimeframe")

    out = cli("process", "show", str(lead))

    lines = out.splitlines()
    assert lines[0] == f"Process: {PROCESS} (Active)."
    assert lines[1].startswith("Active stage: Qualify (on lead), since ")
    assert lines[2] == "Traversed path: Qualify."
    assert lines[3].split("\t") == ["step", "column", "required", "value"]
    shown = {row[1]: row for row in rows(out, after=4)}
    assert list(shown) == ["parentcontactid", "parentaccountid", "purchasetimeframe",
                           "budgetamount", "purchaseprocess", "decisionmaker",
                           "qualificationcomments"]  # fmt: skip
    assert shown["purchasetimeframe"] == [
        "Purchase Timeframe",
        "purchasetimeframe",
        "required",
        "This Quarter",
    ]
    assert shown["decisionmaker"][3] == "Yes"
    assert shown["budgetamount"][3].startswith("25000")
    assert shown["qualificationcomments"][2:] == ["required", ""]
    assert lines[-1] == (
        "Required steps still empty: Capture Summary. The process cannot move on until they "
        "are filled in."
    )


def test_next_on_qualify_without_an_opportunity_does_not_move(cli, org, monkeypatch):
    lead = new_lead(org)
    before = instance(org, lead)

    out = cli("process", "next", str(lead))

    assert out.splitlines() == [
        DOES_NOT_MOVE, f"The process {PROCESS} stays on the stage Qualify."
    ]  # fmt: skip
    after = instance(org, lead)
    assert (after["activestageid"], after["traversedpath"]) == (
        before["activestageid"], before["traversedpath"]
    )  # fmt: skip
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    notice, stays = cli("process", "next", str(lead)).splitlines()
    assert notice.startswith("Remarque : ") and "Développer" in notice
    assert notice.endswith(
        "Qualifiez le prospect : la qualification crée l'opportunité et fait passer le "
        "processus à l'étape suivante."
    )
    assert stays == (
        "Le processus Processus de vente Prospect vers opportunité reste à l'étape Qualifier."
    )
    assert active_stage(org, lead) == "Qualify"


def test_next_with_a_required_step_empty_is_refused(cli, refused, org, system):
    cli("processes", "require", PROCESS, "Qualify", "purchasetimeframe")
    lead = new_lead(org)

    code, line = refused("process", "next", str(lead))

    assert code == 1 and line.startswith(
        "error 0x8006041a: To move to the next stage, complete the required steps."
    )
    assert "Purchase Timeframe" in line
    system.update(Entity("lead", lead, purchasetimeframe=0))  # Immediate: 0 is a value
    assert cli("process", "next", str(lead)).startswith(DOES_NOT_MOVE)


def test_after_qualifying_previous_next_and_set_active(cli, refused, org):
    lead = new_lead(org)

    cli("leads", "qualify", str(lead))

    assert active_stage(org, lead) == "Develop"
    out = cli("process", "show", str(lead))
    assert "Active stage: Develop (on opportunity)" in out
    assert "Traversed path: Qualify > Develop." in out
    assert [row[1] for row in rows(out, after=4)] == [
        "customerneed", "proposedsolution", "identifycustomercontacts", "identifycompetitors"
    ]  # fmt: skip
    assert cli("process", "previous", str(lead)) == (
        f"The process {PROCESS} is now on the stage Qualify.\n"
    )
    assert active_stage(org, lead) == "Qualify"
    assert instance(org, lead)["traversedpath"].count(",") == 0
    code, line = refused("process", "previous", str(lead))
    assert code == 1 and line.startswith("error 0x8F4C4776: Qualify is the first stage")
    assert cli("process", "next", str(lead)).endswith("is now on the stage Develop.\n")
    assert cli("process", "set-active", str(lead), "qualifier").endswith(
        "is now on the stage Qualify.\n"
    )
    assert cli("process", "set-active", str(lead), "DEVELOP").endswith(
        "is now on the stage Develop.\n"
    )
    code, line = refused("process", "set-active", str(lead), "Close")
    assert code == 1 and line.startswith(
        "error 0x8F4C4771: The stage Close cannot be made active from Develop"
    )
    code, line = refused("process", "set-active", str(lead), "Nurture")
    assert code == 2 and "'Nurture' is not a stage of Lead to Opportunity Sales Process" in line
    # The stage by its id works too.
    stages = org.system_service().retrieve_multiple("processstage", stagename="Propose")
    out = cli("process", "set-active", str(lead), str(stages.entities[0].id))
    assert out.endswith("is now on the stage Propose.\n")
    assert instance(org, lead)["traversedpath"].count(",") == 2


def test_moves_as_a_salesperson_need_write_on_the_process(cli, refused, org, system):
    add_user(system, "ann@test.example", role="Salesperson", last_name="Ann")
    add_user(system, "bob@test.example", role="Salesperson", last_name="Bob")
    lead = new_lead(org, "ann@test.example")
    cli("leads", "qualify", str(lead), "--as", "ann@test.example")

    code, line = refused("process", "previous", str(lead), "--as", "bob@test.example")

    assert code == 1 and line.startswith("error 0x80048306: ")
    assert active_stage(org, lead) == "Develop"
    out = cli("process", "previous", str(lead), "--as", "ann@test.example")
    assert out.endswith("is now on the stage Qualify.\n")
    assert instance(org, lead)["ownerid"] == EntityReference(
        "systemuser", system.find_user("ann@test.example").id
    )


@pytest.mark.interface_only
def test_bad_leads_are_one_line(refused, org):
    assert refused("process", "show", "nope")[0] == 2
    code, line = refused("process", "next", str(uuid.uuid4()))
    assert code == 1 and line.startswith("error 0x80040217: ")
    code, line = refused("process", "set-active", "{not-a-guid}", "Qualify")
    assert code == 2 and "is not a record id" in line
