"""The doctor's dry runs leave no trace, and its verdict is QualifyLead's: drawn scenarios
(every way the qualification property test knows to fail a qualification), each diagnosed
as the user who would qualify — every row of every table, the row-version counter and the
cache generations compared before and after — then qualified for real."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import event, given, note

from leadgate.platform import EntityReference, LeadgateError, Organization
from leadgate.platform.engine.versions import COUNTER
from leadgate.sales.diagnosis import DiagnoseQualifyRequest
from leadgate.sales.qualify import QualifyLeadRequest
from tests.conftest import property_budget
from tests.integration.test_qualify_atomicity import (  # noqa: F401 - world is a fixture
    Scenario,
    World,
    differences,
    prepared,
    scenarios,
    snapshot,
    traces,
    world,
)


def counters(org: Organization) -> tuple[Any, ...]:
    """What no dry run may move: the row-version counter, and the cache generations."""
    with org.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            version = connection.exec_driver_sql(
                f"SELECT last_value, is_called FROM {COUNTER}"
            ).one()
        else:
            version = connection.exec_driver_sql(f"SELECT value FROM {COUNTER}").one()
        generations = connection.execute(sa.text("SELECT * FROM lg_generation")).all()
    return tuple(version), tuple(tuple(row) for row in generations)


@pytest.mark.slow
@property_budget("diagnosis")
@given(scenario=scenarios())
def test_a_diagnosis_changes_nothing_and_agrees_with_qualify_lead(
    world: World,  # noqa: F811 - the fixture imported above
    scenario: Scenario,
) -> None:
    with prepared(world, scenario) as example:
        lead = EntityReference("lead", example.lead_id)
        create_account, create_contact, create_opportunity = scenario.flags
        options = {
            "status": scenario.status, "create_account": create_account,
            "create_contact": create_contact, "create_opportunity": create_opportunity,
            "suppress_duplicate_detection": True,
        }  # fmt: skip
        before = snapshot(world.org), traces(world.org), counters(world.org)
        try:
            diagnosis = example.service.execute(DiagnoseQualifyRequest(lead, **options))
        except LeadgateError as refused:  # the user may not even read the lead
            diagnosis, codes = None, {refused.code}
        else:
            codes = {finding.code for finding in diagnosis.findings}
        after = snapshot(world.org), traces(world.org), counters(world.org)
        assert differences(before[0], after[0]) == {}, "a diagnosis changed rows"
        assert before[1:] == after[1:], "a diagnosis wrote a trace or moved a counter"
        note(f"diagnosis: {diagnosis}")
        try:
            example.service.execute(QualifyLeadRequest(lead, **options))
        except LeadgateError as error:
            event(f"refused with {error.code}")
            assert diagnosis is None or not diagnosis.would_succeed, f"not foreseen: {error!r}"
            assert error.code in codes, f"{error!r} is not among the findings {codes}"
            return
        event("qualified")
        assert diagnosis is not None and diagnosis.would_succeed, diagnosis
