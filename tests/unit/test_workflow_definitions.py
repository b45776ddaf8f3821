"""Any definition, however wrong, is either accepted or refused with 0x8F4C47F0 and a path —
never another exception (the check runs when saving and activating, on anyone's input)."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadgate.platform import LeadgateError, Organization
from leadgate.platform.engine.i18n import Label
from leadgate.platform.workflows.definition import Workflow, check_definition

COLUMNS = st.sampled_from(["subject", "budgetamount", "leadsourcecode", "parentaccountid",
                           "statecode", "nosuch", "description", "ownerid"])  # fmt: skip
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.text(max_size=8),
                    st.builds(lambda c: {"from": c}, COLUMNS))  # fmt: skip
CONDITIONS = st.recursive(
    st.fixed_dictionaries({"column": COLUMNS, "operator": st.sampled_from(
        ["eq", "ne", "gt", "lt", "null", "not-null", "contains", "in", "like"]),
        "value": st.one_of(SCALARS, st.lists(SCALARS, max_size=2))}),
    lambda inner: st.one_of(st.builds(lambda c: {"all": c}, st.lists(inner, max_size=2)),
                            st.builds(lambda c: {"any": c}, st.lists(inner, max_size=2))),
    max_leaves=4,
)  # fmt: skip
VALUES = st.dictionaries(COLUMNS, SCALARS, max_size=3)
TARGETS = st.one_of(st.just("target"), COLUMNS)
STEPS = st.recursive(
    st.one_of(
        st.builds(lambda t, v: {"create": t, "values": v}, st.sampled_from(
            ["account", "lead", "nosuch"]), VALUES),
        st.builds(lambda t, v: {"update": t, "values": v}, TARGETS, VALUES),
        st.builds(lambda t, o: {"assign": t, "owner": o}, TARGETS, SCALARS),
        st.builds(lambda t, s: {"set_state": t, "state": s}, TARGETS, SCALARS),
        st.builds(lambda m: {"stop": "error", "message": m}, st.one_of(st.none(), st.text())),
        st.just({"stop": "success"}), st.just({"stop": "maybe"}), st.just({}), st.just([]),
    ),
    lambda inner: st.builds(lambda c, t, e: {"if": c, "then": t, "else": e}, CONDITIONS,
                            st.lists(inner, max_size=2), st.lists(inner, max_size=2)),
    max_leaves=5,
)  # fmt: skip


@pytest.fixture(scope="module")
def metadata():
    with Organization.in_memory() as organization:
        yield organization.metadata()


def _workflow(steps: object) -> Workflow:
    return Workflow(uuid.uuid4(), Label("Any"), "lead", False, 1, 4, 1, None, True,
                    frozenset(), False, json.dumps({"steps": steps}))  # fmt: skip


@given(steps=st.lists(STEPS, max_size=3))
def test_any_definition_is_accepted_or_refused_with_its_code(metadata, steps):
    try:
        needs = check_definition(metadata, _workflow(steps))
    except LeadgateError as error:
        assert error.code == "0x8F4C47F0"
        assert "at " in error.message("en") and " à " in error.message("fr")
    else:
        assert all(need.table in metadata.tables for need in needs)
