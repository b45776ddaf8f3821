"""``leadgate import``: a summary, a report of the rows not imported, exit 1 on a refusal."""

from __future__ import annotations

import csv

import pytest

from leadgate.platform import Organization
from leadgate.platform.jobs import JobStatus


@pytest.mark.interface_only
def test_import_leads_writes_a_report_of_refused_and_skipped_rows(run, database_url, tmp_path):
    source = tmp_path / "leads.csv"
    source.write_text(
        "\ufeffSujet;Nom;Adresse e-mail;Chiffre d'affaires annuel;Pointure\n"
        "A;Ann;a@x.example;1 200,50;42\nB;Bob;a@x.example;3;43\nC;Cid;c@x.example;1.2,3;44\n",
        encoding="utf-8",
    )
    report = tmp_path / "rejected.csv"
    code, out, err = run("import", "leads", str(source), "--report", str(report),
                         "--db", database_url)  # fmt: skip
    assert code == 1 and err == ""
    assert "Not imported (no such column): Pointure" in out
    assert "1 created, 0 updated, 1 skipped (duplicates), 1 refused." in out
    with report.open(encoding="utf-8", newline="") as lines:
        rows = list(csv.reader(lines))
    assert rows[0] == ["line", "code", "message", "Sujet", "Nom", "Adresse e-mail",
                       "Chiffre d'affaires annuel", "Pointure"]  # fmt: skip
    assert [(row[0], row[1], row[4]) for row in rows[1:]] == [
        ("3", "0x80040333", "Bob"), ("4", "0x80040203", "Cid"),
    ]  # fmt: skip
    with Organization.open(database_url) as organization:
        names = [lead["lastname"] for lead in organization.system_service()
                 .retrieve_multiple_all("lead")]  # fmt: skip
    assert names == ["Ann"]


@pytest.mark.interface_only
def test_a_bad_map_pair_is_one_coded_line(refused, tmp_path):
    source = tmp_path / "leads.csv"
    source.write_text("who\nAnn\n", encoding="utf-8")
    code, line = refused("import", "leads", str(source), "--map", "who=nosuch")
    assert code == 1 and line.startswith("error 0x8F4C47EF:")


@pytest.mark.interface_only
def test_no_wait_leaves_the_import_to_a_worker_and_purge_deletes_old_files(
    run, database_url, tmp_path
):
    source = tmp_path / "leads.csv"
    source.write_text("subject,lastname,revenue\nA,Ann,10\nB,Bob,x\n", encoding="utf-8")
    code, out, err = run("import", "leads", str(source), "--no-wait", "--db", database_url)
    assert (code, err) == (0, "")
    job_id = out.split("System job ")[1].split()[0]
    assert f"leadgate jobs show {job_id}" in out
    assert run("purge-imports", "--older-than", "0", "--db", database_url)[1] == (
        "Uploaded files deleted: 0.\n"  # its import is still to run
    )
    assert run("worker", "--once", "--db", database_url)[0] == 0
    code, shown, _ = run("jobs", "show", job_id, "--db", database_url)
    assert "Items: 1 succeeded, 1 failed, 0 skipped." in shown and "0x80040203" in shown
    assert run("purge-imports", "--older-than", "0", "--db", database_url)[1] == (
        "Uploaded files deleted: 1.\n"
    )
    with Organization.open(database_url) as organization:
        system = organization.system_service()
        assert [lead["lastname"] for lead in system.retrieve_multiple_all("lead")] == ["Ann"]
        assert system.retrieve_multiple_all("importfile") == []


@pytest.mark.interface_only
def test_the_summary_and_the_report_in_french(run, database_url, tmp_path, monkeypatch):
    source = tmp_path / "prospects.csv"
    source.write_text("Sujet;Nom;Chiffre d'affaires annuel\nA;Ann;1 200,50\nB;Bob;1.2,3\n",
                      encoding="utf-8")  # fmt: skip
    report = tmp_path / "rejets.csv"
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    code, out, _ = run("import", "leads", str(source), "--report", str(report),
                       "--db", database_url)  # fmt: skip
    assert code == 1
    assert "1 créés, 0 mis à jour, 0 ignorés (doublons), 1 refusés." in out
    with report.open(encoding="utf-8", newline="") as lines:
        rows = list(csv.reader(lines))
    assert rows[1][:2] == ["3", "0x80040203"] and rows[1][4] == "Bob"
    assert "attendu un nombre écrit en français" in rows[1][2]


@pytest.mark.interface_only
def test_a_failed_import_job_says_its_coded_error(run, database_url, tmp_path):
    source = tmp_path / "latin1.csv"
    source.write_bytes(b"subject,lastname\nA,Ann\n" + "B,Bé\n".encode("latin-1"))
    code, out, err = run("import", "leads", str(source), "--db", database_url)
    assert code == 1
    assert err.startswith("error 0x8F4C47ED: The file cannot be read as CSV at line 3")
    assert "leadgate jobs show" in out


def test_ctrl_c_gives_the_import_job_back_to_the_queue(run, database_url, org, tmp_path,
                                                       ctrl_c_while_a_job_runs):  # fmt: skip
    source = tmp_path / "leads.csv"
    source.write_text("subject,lastname\nA,Ann\n", encoding="utf-8")
    system = org.system_service()
    code, out, err = run("import", "leads", str(source), "--db", database_url)

    (job,) = system.retrieve_multiple_all("asyncoperation", columns=["statuscode", "hostid"])
    assert (code, err) == (130, "")
    assert out.startswith("Stopped waiting. The system jobs still to do go on in a worker")
    assert "leadgate jobs cancel ID" in out and out.endswith(f"\n{job.id}\n")
    assert (job["statuscode"], job.get("hostid")) == (JobStatus.WAITING_FOR_RESOURCES, None)
    assert system.retrieve_multiple_all("lead") == []  # the worker's to do
    assert run("worker", "--once", "--db", database_url)[0] == 0
    assert [lead["lastname"] for lead in system.retrieve_multiple_all("lead")] == ["Ann"]
