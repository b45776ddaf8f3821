"""``leadgate leads diagnose``: the qualification doctor's report on the command line — a line
per check, each cause with its code, evidence, fix and who can fix it, the dry run's trace,
the verdict and the exit status — on the test database (SQLite, then PostgreSQL)."""

from __future__ import annotations

import json
import uuid

import pytest

from leadgate.platform import Entity, Organization
from tests.conftest import ADMIN_EMAIL, add_user

CHECKS = 8
SALES_EMAIL = "sam@test.example"


def new_lead(org: Organization, owner: str = ADMIN_EMAIL, **values: object) -> uuid.UUID:
    defaults = {"subject": "Fleet renewal", "firstname": "Ada", "lastname": "Lovelace",
                "companyname": "Contoso", "jobtitle": "CTO"}  # fmt: skip
    return org.service(owner).create("lead", {**defaults, **values})


def require_step(system, column: str) -> None:
    (step,) = system.retrieve_multiple("processstep", attributename=column)
    system.update(Entity("processstep", step.id, isrequired=True))


def diagnose(run, database_url: str, *argv: str) -> tuple[int, str]:
    code, out, err = run("leads", "diagnose", *argv, "--db", database_url)
    assert err == "", err
    return code, out


def check_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line[:2] in ("✓ ", "✗ ", "– ")]


@pytest.fixture
def closed_lead_missing_a_step(cli, org, system) -> uuid.UUID:
    """The seed's causes 1 and 2 at once: a disqualified lead whose stage's required step
    (Purchase Timeframe) is empty."""
    require_step(system, "purchasetimeframe")
    lead = new_lead(org)
    cli("leads", "disqualify", str(lead), "--reason", "lost")
    return lead


def test_a_healthy_lead_passes_every_check_and_exits_0(run, org, database_url):
    lead = new_lead(org)

    code, out = diagnose(run, database_url, str(lead))

    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (f"Diagnosis of the qualification of lead Ada Lovelace ({lead}) by SYSTEM:")
    checks = check_lines(out)
    assert len(checks) == CHECKS and all(line.startswith("✓ ") for line in checks)
    assert "✓ The lead is open" in checks
    assert "Cause" not in out
    assert lines[-1] == "Qualification would succeed."
    assert org.system_service().retrieve("lead", lead)["statecode"] == 0  # nothing changed


def test_a_closed_lead_with_a_required_step_missing_gives_both_causes(
    run, database_url, closed_lead_missing_a_step
):
    lead = closed_lead_missing_a_step

    code, out = diagnose(run, database_url, str(lead))

    assert code == 1
    checks = check_lines(out)
    assert "✗ The lead is open" in checks
    assert "✗ The required steps of the lead's stage are filled in" in checks
    assert "– Plug-in steps and workflows let the qualification through" in checks
    assert "Cause 1 of 2 (The lead is open): error 0x8F4C4760" in out
    assert "  The lead is closed and you can't convert or qualify a lead that is already " in out
    assert "    State: Disqualified" in out
    assert (
        f"  Fix: Reactivate the lead (Reactivate on its form, or leadgate leads reactivate "
        f"{lead}), then qualify it again." in out
    )
    assert "  Who can fix it: Anyone who may write the lead: its owner, their manager, an " in out
    assert (
        "Cause 2 of 2 (The required steps of the lead's stage are filled in): error 0x8006041a"
        in out
    )
    assert "    Empty steps: Purchase Timeframe" in out
    assert out.splitlines()[-1] == "Qualification would fail: 2 cause(s)."


def test_the_report_in_french(run, database_url, closed_lead_missing_a_step, monkeypatch):
    monkeypatch.setenv("LEADGATE_LANG", "fr")

    code, out = diagnose(run, database_url, str(closed_lead_missing_a_step))

    assert code == 1
    checks = check_lines(out)
    assert "✗ Le prospect est ouvert" in checks
    assert "✗ Les étapes obligatoires de la phase du prospect sont renseignées" in checks
    assert "0x8F4C4760" in out and "0x8006041a" in out
    assert (
        "  Le prospect est fermé et vous ne pouvez pas convertir ou qualifier un prospect déjà "
        "fermé." in out
    )
    assert "  Pour passer à l'étape suivante, effectuez les étapes requises." in out
    assert "Étapes vides" in out and "Délai d'achat" in out
    assert "Réactivez le prospect" in out
    assert "The lead is" not in out


def test_json_is_the_web_apis_shape(run, database_url, closed_lead_missing_a_step):
    code, out = diagnose(run, database_url, str(closed_lead_missing_a_step), "--json")

    assert code == 1
    body = json.loads(out)
    assert body["WouldSucceed"] is False
    assert body["LeadId"] == str(closed_lead_missing_a_step)
    assert [finding["Code"] for finding in body["Findings"]] == ["0x8F4C4760", "0x8006041a"]
    assert len(body["Checks"]) == CHECKS


def test_an_administrator_diagnoses_for_a_salesperson(run, org, system, database_url):
    seller = add_user(system, SALES_EMAIL, role="Salesperson", last_name="Sam")
    lead = new_lead(org)  # the administrator's: out of a salesperson's reach

    code, out = diagnose(run, database_url, str(lead), "--as", ADMIN_EMAIL, "--for", SALES_EMAIL)

    assert code == 1
    assert out.splitlines()[0].endswith(f"({lead}) by Sam:")
    assert "✗ The user holds every privilege qualifying needs" in check_lines(out)
    assert "error 0x80040220" in out and "prvCreateAccount" in out
    code, out = diagnose(run, database_url, str(lead), "--as", ADMIN_EMAIL, "--for", SALES_EMAIL,
                         "--json")  # fmt: skip
    assert json.loads(out)["UserId"] == str(seller)


def test_a_salesperson_may_not_diagnose_for_someone_else(refused, run, org, system, database_url):
    add_user(system, SALES_EMAIL, role="Salesperson", last_name="Sam")
    lead = new_lead(org, SALES_EMAIL)

    code, line = refused("leads", "diagnose", str(lead), "--as", SALES_EMAIL,
                         "--for", ADMIN_EMAIL)  # fmt: skip

    assert code == 1
    assert line.startswith("error 0x80040220: ") and "prvActOnBehalfOfAnotherUser" in line
    # For themselves, on their own lead: allowed, and it would succeed.
    code, out = diagnose(run, database_url, str(lead), "--as", SALES_EMAIL)
    assert code == 0 and out.splitlines()[-1] == "Qualification would succeed."


def test_a_refusing_plug_in_step_is_named_with_the_dry_runs_trace(
    run, org, system, database_url, monkeypatch
):
    system.create("sdkmessageprocessingstep", {
        "name": "No Lovelace", "messagename": "Create", "primaryentity": "contact", "stage": 20,
        "plugintypename": "tests.sample_plugins:refuse_last_name", "configuration": "Lovelace",
    })  # fmt: skip
    lead = new_lead(org)

    code, out = diagnose(run, database_url, str(lead), "--as-grid")

    assert code == 1
    checks = check_lines(out)
    assert "✗ Plug-in steps and workflows let the qualification through" in checks
    assert "– No duplicate the lead form would warn about" in checks  # the grid's path
    assert "No lead named Lovelace." in out
    assert "    Step: No Lovelace" in out
    lines = out.splitlines()
    header = lines.index("step\tmessage\ttable\tstage\tdepth\tms\toutcome")
    assert lines[header - 1] == "Dry run, step by step:"
    row = next(line.split("\t") for line in lines[header + 1 :] if line.startswith("No Lovelace"))
    assert row[1:5] == ["Create", "contact", "Pre-operation", "2"]
    assert row[6].startswith("failed: 0x")
    assert lines[-1] == "Qualification would fail: 1 cause(s)."

    monkeypatch.setenv("LEADGATE_LANG", "fr")
    lines = diagnose(run, database_url, str(lead), "--as-grid")[1].splitlines()
    header = lines.index("étape\tmessage\ttable\tphase\tprofondeur\tms\trésultat")
    row = next(line.split("\t") for line in lines[header + 1 :] if line.startswith("No Lovelace"))
    assert row[3] == "Pré-opération"


@pytest.mark.interface_only
def test_bad_ids_unknown_leads_and_users_are_one_line(refused, org):
    lead = new_lead(org)

    assert refused("leads", "diagnose", "nope")[0] == 2
    code, line = refused("leads", "diagnose", str(uuid.uuid4()))
    assert code == 1 and line.startswith("error 0x80040217: ")
    code, line = refused("leads", "diagnose", str(lead), "--for", "nobody@test.example")
    assert code == 1 and line.startswith("error 0x8F4C4732: ")
    code, line = refused("leads", "diagnose", str(lead), "--as", "nobody@test.example")
    assert code == 1 and line.startswith("error 0x8F4C4732: ")
    assert "--customer" in refused("leads", "diagnose", str(lead), "--customer", "account")[1]
