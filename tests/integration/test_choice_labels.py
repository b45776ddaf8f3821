"""A choice's label is its own: InsertOptionValue refuses a label the column already has, in
English or in French, for every interface (here the platform and the command line)."""

from __future__ import annotations

import pytest

from leadgate.platform import Label, LeadgateError
from leadgate.platform.customization.messages import InsertOptionValueRequest

TAKEN = "0x8F4C47A0"


@pytest.mark.parametrize(
    "label",
    [Label("web"), Label(" WEB "), Label("Webinar", "bouche à oreille")],
    ids=["same English", "case and spaces", "same French"],
)
def test_a_label_the_column_has_is_refused_and_nothing_is_added(system, label):
    before = system.execute(InsertOptionValueRequest("lead", "leadsourcecode", Label("Probe"))
                            ).new_option_value  # fmt: skip

    with pytest.raises(LeadgateError) as refused:
        system.execute(InsertOptionValueRequest("lead", "leadsourcecode", label))

    error = refused.value
    taken = "Web" if label.en.strip().lower() == "web" else "Word of Mouth"
    value = 8 if taken == "Web" else 9
    assert error.code == TAKEN
    assert error.message("en") == (
        f"The column 'leadsourcecode' of table 'lead' already has the choice '{taken}' (value "
        f"{value}): give the new choice another label."
    )
    french = "Web" if taken == "Web" else "Bouche à oreille"
    assert error.message("fr") == (
        f"La colonne « leadsourcecode » de la table « lead » a déjà le choix « {french} » "
        f"(valeur {value}) : donnez une autre étiquette au nouveau choix."
    )
    after = system.execute(InsertOptionValueRequest("lead", "leadsourcecode", Label("Probe 2")))
    assert after.new_option_value == before + 1  # the refused one took no value


def test_a_status_reason_label_is_taken_across_states(system):
    # "Qualified" is a reason of state 1: a reason of state 0 cannot take the same name.
    with pytest.raises(LeadgateError) as refused:
        system.execute(InsertOptionValueRequest("lead", "statuscode", Label("qualified"), state=0))
    assert refused.value.code == TAKEN and "(value 3)" in refused.value.message("en")


def test_an_unpublished_choice_label_is_taken_too(system):
    system.execute(InsertOptionValueRequest("lead", "leadsourcecode", Label("Webinar")))
    with pytest.raises(LeadgateError) as refused:
        system.execute(InsertOptionValueRequest("lead", "leadsourcecode", Label("webinar")))
    assert refused.value.code == TAKEN and "(value 100000000)" in refused.value.message("en")


def test_customize_add_choice_says_so_in_the_reader_language(run, cli, database_url, monkeypatch):
    db = ("--db", database_url)
    code, out, err = run("customize", "add-choice", "lead", "leadsourcecode", "--label", "Web", *db)
    assert (code, out) == (1, "")
    assert err == (
        f"error {TAKEN}: The column 'leadsourcecode' of table 'lead' already has the "
        "choice 'Web' (value 8): give the new choice another label.\n"
    )
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    code, _, err = run("customize", "add-choice", "lead", "leadsourcecode", "--label", "Seminars",
                       "--label-fr", "SÉMINAIRE", *db)  # fmt: skip
    assert code == 1
    assert err == (
        f"error {TAKEN}: La colonne « leadsourcecode » de la table « lead » a déjà le "
        "choix « Séminaire » (valeur 6) : donnez une autre étiquette au nouveau "
        "choix.\n"
    )
    monkeypatch.setenv("LEADGATE_LANG", "en")
    assert "Added choice 100000000 (Webinar)" in cli(
        "customize", "add-choice", "lead", "leadsourcecode", "--label", "Webinar"
    )
