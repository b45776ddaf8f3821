"""``leadgate workflows``: the seed's "deactivate the workflows one by one", from a terminal."""

from __future__ import annotations

from pathlib import Path

from leadgate.platform import LeadgateError, Organization
from tests.integration.test_qualification import a_lead, qualify

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "freeze-opportunities.toml"


def test_add_activate_break_qualify_then_deactivate(cli, refused, database_url):
    out = cli("workflows", "add", str(EXAMPLE))
    assert "Added the workflow Freeze opportunities as a draft" in out
    listed = cli("workflows", "list")
    assert "Freeze opportunities" in listed and "Draft" in listed and "real-time" in listed
    assert "Freeze opportunities" not in cli("processes", "list")
    assert '"stop": "error"' in cli("workflows", "show", "Gel des opportunités")
    assert "Activated the workflow" in cli("workflows", "activate", "Freeze opportunities")
    with Organization.open(database_url) as organization:
        system = organization.system_service()
        lead = a_lead(system)
        try:
            qualify(system, lead)
        except LeadgateError as error:
            assert error.code == "0x8F4C47F1"
        else:
            raise AssertionError("the workflow did not stop the qualification")
    out = cli("workflows", "deactivate", "freeze opportunities")
    assert "it no longer runs" in out
    with Organization.open(database_url) as organization:
        assert len(qualify(organization.system_service(), lead).created_entities) == 3


def test_a_bad_definition_or_name_is_refused(refused, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "Bad"\ntable = "lead"\n[trigger]\ncreate = true\n[[steps]]\n'
                   'update = "target"\nvalues = { nosuchcolumn = 1 }\n')  # fmt: skip
    code, line = refused("workflows", "add", str(bad))
    assert code == 1 and "0x8F4C47F0" in line and "nosuchcolumn" in line
    code, line = refused("workflows", "activate", "Nobody")
    assert code == 1 and "0x8F4C47F3" in line
