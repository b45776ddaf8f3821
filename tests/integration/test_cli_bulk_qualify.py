"""``leadgate leads qualify --file / --all-matching``: the leads queued as system jobs, run
while the command waits (or left to a worker with --no-wait), and what they did."""

from __future__ import annotations

import re
import uuid
from types import SimpleNamespace

from leadgate.platform import EntityReference, SetStateRequest
from leadgate.platform.jobs import JobStatus, QueueJobRequest
from tests.conftest import ADMIN_EMAIL

GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def new_leads(org, count: int, **values) -> list[uuid.UUID]:
    service = org.service(ADMIN_EMAIL)
    return [service.create("lead", {"subject": f"Deal {n}", "lastname": f"Lead {n}",
                                    "companyname": f"Company {n}", **values})
            for n in range(count)]  # fmt: skip


def states(org, leads) -> list[int]:
    system = org.system_service()
    return [system.retrieve("lead", lead, ["statecode"])["statecode"] for lead in leads]


def jobs(org) -> list:
    return org.system_service().retrieve_multiple_all("asyncoperation", columns=["statuscode"])


def test_file_qualifies_the_leads_it_lists_and_prints_the_refusals(
    run, database_url, org, tmp_path, monkeypatch
):
    # Queued before: the command runs its own jobs, never another's.
    other = org.system_service().execute(QueueJobRequest("workflow", {"nothing": True})).id
    leads = new_leads(org, 4)
    org.system_service().execute(SetStateRequest(EntityReference("lead", leads[1]), 2, 4))
    ids = tmp_path / "ids.txt"
    ids.write_text(f"# leads from the fair\n{leads[0]}\n\n{{{leads[1]}}}\n{leads[2]}  # call\n"
                   f"{leads[3]}\n", encoding="utf-8")  # fmt: skip

    code, out, err = run("leads", "qualify", "--file", str(ids), "--db", database_url)
    assert (code, err) == (1, "")  # a lead was refused
    assert states(org, leads) == [1, 2, 1, 1]
    lines = out.splitlines()
    assert lines[0].split("\t") == ["lead", "id", "code", "message"]
    assert lines[1].split("\t")[:3] == ["Lead 1", str(leads[1]), "0x8F4C4760"]
    assert "already closed" in lines[1]
    assert "Leads qualified: 3, refused: 1." in lines
    (job_id,) = re.findall(rf"^({GUID})$", out, re.M)
    statuses = {job.id: job["statuscode"] for job in jobs(org)}
    assert statuses == {uuid.UUID(job_id): int(JobStatus.SUCCEEDED),
                        other: int(JobStatus.WAITING_FOR_RESOURCES)}  # fmt: skip

    monkeypatch.setenv("LEADGATE_LANG", "fr")
    code, out, _ = run("leads", "qualify", "--file", str(ids), "--db", database_url)
    assert code == 1 and "Prospects qualifiés : 0, refusés : 4." in out and "déjà fermé" in out


def test_all_matching_takes_an_odata_filter_and_no_wait_leaves_the_jobs_to_a_worker(
    run, cli, database_url, org
):
    fair = new_leads(org, 3, leadsourcecode=8)
    others = new_leads(org, 2, leadsourcecode=1)
    out = cli("leads", "qualify", "--all-matching", "leadsourcecode eq 8 and lastname ne 'Lead 2'",
              "--no-wait")  # fmt: skip
    assert out.startswith("Leads queued for qualification: 2. System jobs:")
    assert "leadgate jobs show ID" in out
    assert [job["statuscode"] for job in jobs(org)] == [int(JobStatus.WAITING_FOR_RESOURCES)]
    assert states(org, fair + others) == [0] * 5

    assert "Succeeded" in cli("worker", "--once")
    assert states(org, fair + others) == [1, 1, 0, 0, 0]
    out = cli("leads", "qualify", "--all-matching", "leadsourcecode eq 8")
    assert "Leads qualified: 1, refused: 0." in out
    assert states(org, fair + others) == [1, 1, 1, 0, 0]

    code, _out, err = run("leads", "qualify", "--all-matching", "nosuchcolumn eq 1", "--db",
                          database_url)  # fmt: skip
    assert code == 1 and err.startswith("error 0x80060888:") and "nosuchcolumn" in err
    code, _out, err = run("leads", "qualify", "--all-matching", "leadsourcecode eq 8", "--db",
                          database_url)  # fmt: skip
    assert code == 1 and err.startswith("error 0x8F4C47D2: There is no lead to qualify")


def test_a_file_with_lines_that_are_not_ids_queues_nothing(run, database_url, org, tmp_path,
                                                          monkeypatch):  # fmt: skip
    (lead,) = new_leads(org, 1)
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{lead}\nnot-an-id\n\nLEAD-42 # typo\n", encoding="utf-8")
    code, out, err = run("leads", "qualify", "--file", str(ids), "--db", database_url)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "error 0x8F4C47D5: Line 2 of ids.txt: 'not-an-id' is not a lead id (a GUID). Nothing was "
        "queued.",
        "error 0x8F4C47D5: Line 4 of ids.txt: 'LEAD-42' is not a lead id (a GUID). Nothing was "
        "queued.",
    ]
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    code, _out, err = run("leads", "qualify", "--file", str(ids), "--db", database_url)
    assert err.splitlines()[0] == (
        "error 0x8F4C47D5: Ligne 2 de ids.txt : « not-an-id » n'est pas un ID de prospect (un "
        "GUID). Rien n'a été mis en file d'attente."
    )
    assert jobs(org) == [] and states(org, [lead]) == [0]

    code, _out, err = run("leads", "qualify", str(lead), "--file", str(ids), "--db", database_url)
    assert code == 2 and "LEAD_ID cannot go with --all-matching or --file" in err
    code, _out, err = run("leads", "qualify", "--db", database_url)
    assert code == 2 and "give a lead's id, or --all-matching FILTER, or --file PATH" in err


def test_ctrl_c_while_waiting_leaves_the_jobs_queued(run, database_url, org, tmp_path,
                                                     monkeypatch):  # fmt: skip
    from leadgate.cli import waiting

    leads = new_leads(org, 2)
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(str(lead) for lead in leads), encoding="utf-8")

    def interrupted(_seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(waiting, "claim_next", lambda *args, **kwargs: None)  # none runs here
    monkeypatch.setattr(waiting, "time", SimpleNamespace(sleep=interrupted))
    code, out, _err = run("leads", "qualify", "--file", str(ids), "--db", database_url)
    assert code == 130 and out.startswith("Stopped waiting. The system jobs still to do go on")
    assert [job["statuscode"] for job in jobs(org)] == [int(JobStatus.WAITING_FOR_RESOURCES)]
    assert str(jobs(org)[0].id) in out
    assert "Leads qualified" not in out
