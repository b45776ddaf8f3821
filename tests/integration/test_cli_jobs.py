"""`leadgate worker --once` and `leadgate jobs list / show / cancel / retry`."""

from __future__ import annotations

import pytest

from leadgate.platform.jobs import JobRegistry, QueueJobRequest
from tests.conftest import add_user
from tests.job_kinds import register_test_kinds


@pytest.fixture(autouse=True)
def test_kinds(monkeypatch):
    """The organizations the commands open know the test kinds."""
    original = JobRegistry.__init__

    def with_test_kinds(self: JobRegistry) -> None:
        original(self)
        register_test_kinds(self)

    monkeypatch.setattr(JobRegistry, "__init__", with_test_kinds)


def queue(org, service, *codes: str, name: str = "Widgets") -> str:
    register_test_kinds(org.jobs)
    return str(service.execute(QueueJobRequest("test.write_widgets", {"codes": list(codes)},
                                               name=name)).id)  # fmt: skip


def test_worker_once_runs_the_ready_jobs_and_logs_a_line_each(cli, org, system):
    first, second = queue(org, system, "a"), queue(org, system, "b", "c")
    out = cli("worker", "--once")
    lines = out.splitlines()
    assert len(lines) == 2 and all("Succeeded" in line for line in lines)
    assert first in lines[0] and second in lines[1]
    assert sorted(w["new_name"] for w in system.retrieve_multiple_all("new_widget")) == [
        "a",
        "b",
        "c",
    ]
    assert cli("worker", "--once") == "No system job was waiting.\n"  # nothing left to run


def test_jobs_list_show_cancel_retry(cli, refused, org, system):
    done = queue(org, system, "a", name="Done")
    cli("worker", "--once")
    waiting = queue(org, system, "b", name="Waiting")
    listed = cli("jobs", "list")
    assert "Waiting" in listed and waiting in listed and done not in listed
    assert done in cli("jobs", "list", "--all")
    shown = cli("jobs", "show", done)
    assert "Succeeded" in shown and "test.write_widgets" in shown and "100" in shown
    assert "Canceled" in cli("jobs", "cancel", waiting)
    assert "Canceled" in cli("jobs", "show", waiting)
    assert "Waiting For Resources" in cli("jobs", "retry", waiting)
    code, line = refused("jobs", "cancel", done)
    assert code == 1 and "0x8F4C47E1" in line and "Done" in line
    code, line = refused("jobs", "retry", done)
    assert code == 1 and "0x8F4C47E2" in line


def test_jobs_list_as_a_salesperson_shows_their_own(cli, org, system):
    ann_id = add_user(system, "ann@test.example", role="Salesperson")
    add_user(system, "bob@test.example", role="Salesperson")
    mine = queue(org, org.service(ann_id), "a", name="Ann's")
    theirs = queue(org, system, "b", name="System's")
    listed = cli("jobs", "list", "--as", "ann@test.example")
    assert mine in listed and theirs not in listed
    assert "(no system jobs)" in cli("jobs", "list", "--as", "bob@test.example")


@pytest.mark.interface_only
def test_jobs_speak_french(run, database_url, org, system, monkeypatch):
    job = queue(org, system, "a")
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    code, out, _err = run("jobs", "cancel", job, "--db", database_url)
    assert code == 0 and "Tâche système" in out and "Annulé" in out
