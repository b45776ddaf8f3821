"""``leadgate leads disqualify --reason``: any status reason of the Disqualified state, read
from the organization's metadata — by value, or by label in English or French — including the
reasons an administrator adds; ``--help`` lists them."""

from __future__ import annotations

import uuid

import pytest

from leadgate.platform import Organization
from tests.conftest import ADMIN_EMAIL

UNKNOWN = "0x8F4C47A1"


def new_lead(org: Organization) -> uuid.UUID:
    return org.service(ADMIN_EMAIL).create("lead", subject="Fleet", lastname="Lovelace")


def status(org: Organization, lead: uuid.UUID) -> tuple[int, int]:
    record = org.system_service().retrieve("lead", lead, ["statecode", "statuscode"])
    return record["statecode"], record["statuscode"]


@pytest.mark.parametrize(
    ("reason", "value"),
    [("Cannot Contact", 5), ("cannot contact", 5), ("IMPOSSIBLE À CONTACTER", 5),
     ("n'est plus intéressé", 6), ("7", 7), ("no-longer-interested", 6), ("lost", 4)],
)  # fmt: skip
def test_a_reason_by_value_or_by_label_in_either_language(cli, org, reason, value):
    lead = new_lead(org)

    cli("leads", "disqualify", str(lead), "--reason", reason)

    assert status(org, lead) == (2, value)


def test_a_reason_an_administrator_adds_is_taken_and_listed(cli, run, org, database_url):
    cli("customize", "add-choice", "lead", "statuscode", "--label", "Went with a competitor",
        "--label-fr", "Parti chez un concurrent", "--state", "2")  # fmt: skip
    cli("customize", "publish")
    lead = new_lead(org)

    out = cli("leads", "disqualify", str(lead), "--reason", "parti chez un concurrent")

    assert out.endswith("is now Disqualified: Went with a competitor.\n")
    assert status(org, lead) == (2, 100000000)
    code, out, _ = run("leads", "disqualify", "--help", "--db", database_url)
    assert code == 0
    assert (
        "4 (Lost), 5 (Cannot Contact), 6 (No Longer Interested), 7 (Canceled), 100000000 "
        "(Went with a competitor)"
    ) in " ".join(out.split())


def test_an_unknown_reason_is_a_coded_error_listing_the_valid_ones(run, org, database_url,
                                                                   monkeypatch):  # fmt: skip
    lead = new_lead(org)
    db = ("--db", database_url)

    code, out, err = run("leads", "disqualify", str(lead), "--reason", "bored", *db)

    assert (code, out) == (1, "")
    assert err == (
        f"error {UNKNOWN}: 'bored' is not a status reason of Lead records in the "
        "state Disqualified. Valid reasons: 4 (Lost), 5 (Cannot Contact), 6 (No "
        "Longer Interested), 7 (Canceled).\n"
    )
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    code, _, err = run("leads", "disqualify", str(lead), "--reason", "3", *db)  # Qualified's
    assert code == 1
    assert err == (
        f"error {UNKNOWN}: « 3 » n'est pas une raison de statut des enregistrements "
        "Prospect à l'état Disqualifié. Raisons valides : 4 (Perdu), 5 (Impossible "
        "à contacter), 6 (N'est plus intéressé), 7 (Annulé).\n"
    )
    assert status(org, lead) == (0, 1)


def test_help_without_a_database_says_how_to_list_the_reasons(run, tmp_path):
    missing = tmp_path / "nothing.db"

    code, out, _ = run("leads", "disqualify", "--help", "--db", f"sqlite:///{missing}")

    assert code == 0
    assert "list them with: leadgate customize list lead" in " ".join(out.split())
    assert not missing.exists()  # asking for help creates no database


def test_reactivate_takes_any_open_reason_including_one_an_administrator_adds(
    cli, run, org, database_url, monkeypatch
):
    """The same rule for ``leads reactivate --status``: Open reasons come from the metadata."""
    cli("customize", "add-choice", "lead", "statuscode", "--label", "Nurturing",
        "--label-fr", "En maturation", "--state", "0")  # fmt: skip
    cli("customize", "publish")
    lead = new_lead(org)
    db = ("--db", database_url)
    cli("leads", "disqualify", str(lead), "--reason", "lost")

    out = cli("leads", "reactivate", str(lead), "--status", "en maturation")

    assert out.endswith("is now Open: Nurturing.\n")
    assert status(org, lead) == (0, 100000000)
    cli("leads", "disqualify", str(lead), "--reason", "lost")
    assert cli("leads", "reactivate", str(lead)).endswith("is now Open: New.\n")  # the default
    cli("leads", "disqualify", str(lead), "--reason", "lost")
    code, out, err = run("leads", "reactivate", str(lead), "--status", "4", *db)  # Lost's
    assert (code, out) == (1, "")
    assert err == (
        f"error {UNKNOWN}: '4' is not a status reason of Lead records in the state "
        "Open. Valid reasons: 1 (New), 2 (Contacted), 100000000 (Nurturing).\n"
    )
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    code, _, err = run("leads", "reactivate", str(lead), "--status", "4", *db)
    assert err == (
        f"error {UNKNOWN}: « 4 » n'est pas une raison de statut des enregistrements "
        "Prospect à l'état Ouvert. Raisons valides : 1 (Nouveau), 2 (Contacté), "
        "100000000 (En maturation).\n"
    )
    assert status(org, lead) == (2, 4)
    code, out, _ = run("leads", "reactivate", "--help", *db)  # in the reader's language
    assert code == 0
    assert "1 (Nouveau), 2 (Contacté), 100000000 (En maturation)" in " ".join(out.split())
