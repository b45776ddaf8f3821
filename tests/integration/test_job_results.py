"""A job's items, each in its own savepoint: a refused one leaves nothing, the others are
committed with the checkpoint, and every outcome can be read back by whoever reads the job."""

from __future__ import annotations

import pytest

from leadgate.platform import CreateRequest, Entity, EntityReference, LeadgateError
from leadgate.platform.engine import errors as engine_errors
from leadgate.platform.engine.types import Language
from leadgate.platform.jobs import (
    JobContext,
    JobItem,
    JobStatus,
    Outcome,
    QueueJobRequest,
    RetrieveJobResultsRequest,
    run_next,
)
from tests.conftest import add_user

WORKER = "test-worker"


def widget(code: str, size: str | None = "M") -> CreateRequest:
    values = {"new_name": code, "new_code": code}
    if size is not None:
        values["new_size"] = size
    return CreateRequest(Entity("new_widget", None, values))


def make_widgets(context: JobContext) -> None:
    """data: {"widgets": [[code, size or null], ...]}; items in chunks of two."""
    wanted = context.data["widgets"]
    start = context.resume_from or 0
    for first in range(start, len(wanted), 2):
        chunk = wanted[first : first + 2]
        items = [
            JobItem(first + offset, widget(code, size), name=code,
                    describe=lambda response: {"id": str(response.id)})
            for offset, (code, size) in enumerate(chunk)
        ]  # fmt: skip
        context.checkpoint_items(first + len(chunk), items)
        context.progress(first + len(chunk), len(wanted))


@pytest.fixture
def kinds(org):
    org.jobs.register("test.make_widgets", make_widgets)
    return org.jobs


def codes(system) -> list[str]:
    found = system.retrieve_multiple_all("new_widget", columns=["new_code"])
    return sorted(w["new_code"] for w in found)


def test_a_refused_item_is_rolled_back_alone_and_its_error_kept(org, system, admin, kinds):
    wanted = [["A1", "S"], ["B2", None], ["C3", "L"], ["D4", None], ["E5", "M"]]
    job_id = admin.execute(QueueJobRequest("test.make_widgets", {"widgets": wanted})).id
    outcome = run_next(org, WORKER)
    assert outcome is not None and outcome.status is JobStatus.SUCCEEDED
    assert codes(system) == ["A1", "C3", "E5"]

    read = admin.execute(RetrieveJobResultsRequest(job_id))
    assert read.counts == {Outcome.SUCCEEDED: 3, Outcome.FAILED: 2, Outcome.SKIPPED: 0}
    assert [r["sequencenumber"] for r in read.results] == [0, 1, 2, 3, 4]
    assert [r["outcome"] for r in read.results] == [0, 1, 0, 1, 0]
    refused = read.results[1]
    assert refused["name"] == "B2" and refused["errorcode"] == "0x80040200"
    assert "Size" in refused["message"] and "Size" in refused["message_fr"]
    assert refused["message"] != refused["message_fr"]
    made = read.results[0]
    assert made["detail"] and made["errorcode"] is None

    failures = admin.execute(RetrieveJobResultsRequest(job_id, outcome=Outcome.FAILED))
    assert [r["name"] for r in failures.results] == ["B2", "D4"]
    page = admin.execute(RetrieveJobResultsRequest(job_id, top=2))
    assert page.more and [r["name"] for r in page.results] == ["A1", "B2"]
    rest = admin.execute(RetrieveJobResultsRequest(job_id, top=10, after=1))
    assert not rest.more and [r["name"] for r in rest.results] == ["C3", "D4", "E5"]


def test_items_given_with_their_error_or_skipped_are_recorded_without_running(
    org, system, admin, kinds
):
    refusal = engine_errors.REQUIRED_FIELD_MISSING(
        column="new_size", label="Size", table="new_widget"
    )

    def record_only(context: JobContext) -> None:
        context.checkpoint_items(
            2,
            [JobItem(1, name="line 1", error=refusal),
             JobItem(2, name="line 2", regarding=EntityReference("new_widget", admin.user_id))],
        )  # fmt: skip

    kinds.register("test.record_only", record_only)
    job_id = admin.execute(QueueJobRequest("test.record_only")).id
    run_next(org, WORKER)
    results = admin.execute(RetrieveJobResultsRequest(job_id)).results
    assert [(r["outcome"], r["errorcode"]) for r in results] == [
        (int(Outcome.FAILED), refusal.code), (int(Outcome.SKIPPED), None),
    ]  # fmt: skip
    assert results[1]["objectid"] == admin.user_id
    assert results[1]["objecttypecode"] == "new_widget"
    assert codes(system) == []


def test_only_those_who_may_read_the_job_read_its_results(org, system, admin, kinds):
    job_id = admin.execute(QueueJobRequest("test.make_widgets", {"widgets": [["A1", "S"]]})).id
    run_next(org, WORKER)
    someone = org.service(add_user(system, "someone@test.example", role="Salesperson"))
    with pytest.raises(LeadgateError) as refused:
        someone.execute(RetrieveJobResultsRequest(job_id))
    assert refused.value.code == "0x80048306"  # Read at User depth: not another's job
    assert refused.value.message(Language.ENGLISH).startswith("Access denied:")
    assert refused.value.message(Language.FRENCH).startswith("Accès refusé")
    assert len(system.execute(RetrieveJobResultsRequest(job_id)).results) == 1


def test_a_crash_between_chunks_repeats_no_item(org, system, admin, kinds):
    calls = {"n": 0}
    original = kinds.get("test.make_widgets").handler

    def crash_after_first_chunk(context: JobContext) -> None:
        real = context.checkpoint_items

        def counted(value, items):
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("the worker died")
            return real(value, items)

        context.checkpoint_items = counted  # type: ignore[method-assign]
        original(context)

    kinds.register("test.crashy", crash_after_first_chunk)
    wanted = {"widgets": [["A1", "S"], ["B2", "S"], ["C3", "S"]]}
    job_id = admin.execute(QueueJobRequest("test.crashy", wanted)).id
    first = run_next(org, WORKER)
    assert first is not None and first.status is JobStatus.FAILED
    assert codes(system) == ["A1", "B2"]
    from leadgate.platform.jobs import RetryJobRequest

    admin.execute(RetryJobRequest(job_id))
    again = run_next(org, WORKER)
    assert again is not None and again.status is JobStatus.SUCCEEDED
    assert codes(system) == ["A1", "B2", "C3"]
    read = admin.execute(RetrieveJobResultsRequest(job_id))
    assert [r["name"] for r in read.results] == ["A1", "B2", "C3"]
    assert read.counts[Outcome.SUCCEEDED] == 3


def test_results_go_with_their_job(org, system, admin, kinds):
    job_id = admin.execute(QueueJobRequest("test.make_widgets", {"widgets": [["A1", "S"]]})).id
    run_next(org, WORKER)
    system.delete("asyncoperation", job_id)
    assert system.retrieve_multiple_all("jobresult") == []
    with pytest.raises(LeadgateError) as missing:
        system.execute(RetrieveJobResultsRequest(job_id))
    assert str(job_id) in missing.value.message(Language.FRENCH)


def test_jobs_show_lists_the_failures_then_every_item(cli, org, system, kinds, monkeypatch):
    from leadgate.platform.jobs import JobRegistry

    original = JobRegistry.__init__

    def with_kind(self: JobRegistry) -> None:
        original(self)
        self.register("test.make_widgets", make_widgets)

    monkeypatch.setattr(JobRegistry, "__init__", with_kind)
    wanted = {"widgets": [["A1", "S"], ["B2", None], ["C3", "S"]]}
    job_id = str(system.execute(QueueJobRequest("test.make_widgets", wanted)).id)
    cli("worker", "--once")
    shown = cli("jobs", "show", job_id)
    assert "Items: 2 succeeded, 1 failed, 0 skipped." in shown
    assert "B2" in shown and "0x80040200" in shown and "A1" not in shown.split("Items:")[1]
    every = cli("jobs", "show", job_id, "--results")
    assert all(code in every.split("Items:")[1] for code in ("A1", "B2", "C3"))
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    french = cli("jobs", "show", job_id)
    assert "Éléments : 2 réussis, 1 en échec, 0 ignorés." in french
