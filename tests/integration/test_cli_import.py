"""``leadgate import``: a summary, a report of the rows not imported, exit 1 on a refusal."""

from __future__ import annotations

import csv

import pytest

from leadgate.platform import Organization


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
