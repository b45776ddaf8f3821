"""A message is one transaction: one BEGIN and one COMMIT, the check of the caches and the
plug-in trace log included (issue 16), unless a step runs before it (stage 10)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from leadgate.platform import EntityReference, LeadgateError
from leadgate.sales.qualify import QualifyLeadRequest
from tests import sample_plugins

HANDLERS = "tests.sample_plugins:"
LEAD = {"subject": "Fifty bikes", "firstname": "Ada", "lastname": "Byron", "companyname": "Velo"}


@pytest.fixture
def statements(org) -> Iterator[Counter[str]]:
    """The statements each message sends, by their first word."""
    seen: Counter[str] = Counter()

    def count(_connection, _cursor, statement, *_rest) -> None:
        seen[statement.split(None, 1)[0].upper()] += 1

    def begin(_connection) -> None:
        seen["(begin)"] += 1

    def commit(_connection) -> None:
        seen["(commit)"] += 1

    events = (("before_cursor_execute", count), ("begin", begin), ("commit", commit))
    for name, listener in events:
        sa.event.listen(org.engine, name, listener)
    yield seen
    for name, listener in events:
        sa.event.remove(org.engine, name, listener)


def register(system, handler: str, *, stage: int, table: str = "account") -> None:
    system.create("sdkmessageprocessingstep", {
        "name": f"{handler} at {stage}", "messagename": "Create", "primaryentity": table,
        "stage": stage, "plugintypename": HANDLERS + handler,
    })  # fmt: skip


def qualify(service, lead_id) -> None:
    service.execute(QualifyLeadRequest(
        EntityReference("lead", lead_id), create_account=True, create_contact=True,
        create_opportunity=True,
    ))  # fmt: skip


def test_a_qualification_commits_once(org, admin, statements):
    leads = [admin.create("lead", dict(LEAD)) for _ in range(2)]
    qualify(admin, leads[0])  # the caches are warm, as in a running server
    statements.clear()
    qualify(admin, leads[1])
    assert (statements["(begin)"], statements["(commit)"]) == (1, 1)
    assert admin.retrieve("lead", leads[1])["statecode"] == 1  # the work is there


def test_the_trace_of_a_step_is_written_with_the_work_it_traced(org, admin, system, statements):
    register(system, "record", stage=40)
    lead = admin.create("lead", dict(LEAD))
    statements.clear()
    qualify(admin, lead)
    assert statements["(commit)"] == 1
    traces = system.retrieve_multiple("plugintracelog").entities
    assert [(t["messagename"], t["primaryentity"], t["stage"]) for t in traces] == [
        ("Create", "account", 40)
    ]


def test_a_refused_qualification_keeps_its_trace_and_nothing_else(org, admin, system):
    register(system, "crash", stage=20)
    lead = admin.create("lead", dict(LEAD))
    with pytest.raises(LeadgateError) as refused:
        qualify(admin, lead)
    assert refused.value.code == "0x80040224"  # a plug-in's unexpected error
    assert "ZeroDivisionError" in refused.value.message("en")
    assert "ZeroDivisionError" in refused.value.message("fr")
    assert system.retrieve("lead", lead)["statecode"] == 0
    assert system.retrieve_multiple("account").entities == []
    (trace,) = system.retrieve_multiple("plugintracelog").entities
    assert "ZeroDivisionError" in trace["exceptiondetails"]


def test_a_step_at_stage_10_runs_before_the_transaction(org, admin, system, statements):
    register(system, "record", stage=10, table="lead")
    admin.create("lead", dict(LEAD))  # the process knows the step from now on
    sample_plugins.SEEN.clear()
    statements.clear()
    lead_id = admin.create("lead", dict(LEAD))
    assert statements["(commit)"] == 2  # the caches' own read, then the work
    (seen,) = sample_plugins.SEEN
    assert (seen["stage"], seen["in_transaction"]) == (10, False)
    assert admin.retrieve("lead", lead_id)["subject"] == "Fifty bikes"
    sample_plugins.SEEN.clear()
