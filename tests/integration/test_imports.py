"""CSV import (issue 13): mapping, conversions, duplicates, one transaction per row and
resuming, on both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from leadgate.platform import LeadgateError
from leadgate.platform.engine.types import Language
from leadgate.platform.imports.importer import (
    ImportProgress,
    ImportRecordsRequest,
    ImportRecordsResult,
    import_records,
)
from tests.conftest import add_user

BOM = "\ufeff"


def write(tmp_path: Path, text: str, name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def run(service, path: Path, **options) -> ImportRecordsResult:
    return import_records(service, ImportRecordsRequest("lead", path, **options))


def leads(system) -> dict[str, dict]:
    return {lead["lastname"]: dict(lead) for lead in system.retrieve_multiple_all("lead")}


def test_headers_by_logical_name(system, tmp_path):
    path = write(tmp_path, "subject,lastname,emailaddress1,numberofemployees\n"
                           "Fair,Smith,s@x.example,\"1,200\"\n")  # fmt: skip
    result = run(system, path)
    assert (result.created, result.refused, result.unknown_headers) == (1, 0, ())
    assert leads(system)["Smith"]["numberofemployees"] == 1200


def test_headers_by_english_label_choices_by_label_and_unknown_headers(system, tmp_path):
    path = write(tmp_path, "Topic,Last Name,EMAIL,lead source,Rating,Shoe size\n"
                           "Fair,Smith,s@x.example,external referral,hot,44\n")  # fmt: skip
    result = run(system, path)
    assert result.created == 1 and result.unknown_headers == ("Shoe size",)
    smith = leads(system)["Smith"]
    assert (smith["leadsourcecode"], smith["leadqualitycode"]) == (3, 1)


def test_french_labels_semicolons_bom_quotes_and_newlines(system, tmp_path):
    text = (BOM + "Sujet;Nom;Adresse e-mail;Origine du prospect;Chiffre d'affaires annuel;"
            "Date de clôture estimée;Décisionnaire ?;Description\n"
            '"Salon; Paris";Dupont;d@x.example;publicite;1 234,50;31/12/2026;oui;"a, b\n'
            'et ""c"""\n')  # fmt: skip
    result = run(system, write(tmp_path, text), language=Language.ENGLISH)
    assert (result.created, result.refused) == (1, 0)
    dupont = leads(system)["Dupont"]
    assert dupont["subject"] == "Salon; Paris"
    assert dupont["description"] == 'a, b\net "c"'
    assert (dupont["leadsourcecode"], dupont["revenue"]) == (1, Decimal("1234.5"))
    assert dupont["estimatedclosedate"] == dt.date(2026, 12, 31)
    assert dupont["decisionmaker"] is True


def test_explicit_mapping_wins_and_a_bad_one_is_refused(system, tmp_path):
    path = write(tmp_path, "what,who\nFair,Smith\n")
    with pytest.raises(LeadgateError) as refused:
        run(system, path)
    assert refused.value.code == "0x8F4C47EC"
    with pytest.raises(LeadgateError) as bad:
        run(system, path, mapping={"who": "nosuchcolumn"})
    assert bad.value.code == "0x8F4C47EF"
    result = run(system, path, mapping={"what": "subject", "who": "lastname"})
    assert result.created == 1 and result.mapping == {"what": "subject", "who": "lastname"}


@pytest.mark.parametrize(("language", "text"), [
    (Language.ENGLISH, "expected a number written in English (1,234.50)"),
    (Language.FRENCH, "attendu un nombre écrit en anglais (1,234.50)"),
])  # fmt: skip
def test_a_bad_number_refuses_its_row_with_its_line(system, tmp_path, language, text):
    path = write(tmp_path, 'subject,lastname,revenue\nA,Ann,10\nB,"Bob\nBob","1.234,5"\n'
                           "C,Cid,12\n")  # fmt: skip
    result = run(system, path)
    assert (result.created, result.refused) == (2, 1)
    [row] = result.rows
    assert (row.line, row.row, row.error.code) == (3, 1, "0x80040203")
    assert text in row.error.message(language)
    assert row.values["revenue"] == "1.234,5"  # the row as the file has it
    assert set(leads(system)) == {"Ann", "Cid"}


def test_duplicates_skip_create_update_with_the_shipped_rule(system, tmp_path):
    system.create("lead", subject="Old", lastname="Old", emailaddress1="same@x.example")
    path = write(
        tmp_path,
        "subject,lastname,emailaddress1,jobtitle\n"
        "New,New,SAME@x.example,Buyer\nOther,Other,other@x.example,\n",
    )
    skipped = run(system, path)
    assert (skipped.created, skipped.skipped) == (1, 1)
    assert skipped.rows[0].skipped and skipped.rows[0].error.code == "0x80040333"
    assert "Old" in skipped.rows[0].error.message(Language.FRENCH)
    updated = run(system, path, duplicates="update")
    assert (updated.updated, updated.created) == (2, 0)  # Other is a duplicate by now too
    assert set(leads(system)) == {"New", "Other"}  # the row's values, on the record found
    assert leads(system)["New"]["jobtitle"] == "Buyer"
    created = run(system, path, duplicates="create")
    assert created.created == 2
    assert len(system.retrieve_multiple_all("lead")) == 4


def test_a_row_refused_by_a_plugin_leaves_nothing_and_the_others_go_in(system, tmp_path):
    system.create("sdkmessageprocessingstep", {
        "name": "no Bob", "messagename": "Create", "primaryentity": "lead", "stage": 40,
        "plugintypename": "tests.sample_plugins:refuse_last_name", "configuration": "Bob",
    })  # fmt: skip
    path = write(tmp_path, "subject,lastname\nA,Ann\nB,Bob\nC,Cid\n")
    result = run(system, path)
    assert (result.created, result.refused) == (2, 1)
    assert result.rows[0].line == 3 and "No lead named Bob" in result.rows[0].error.message()
    assert set(leads(system)) == {"Ann", "Cid"}


def test_a_row_refused_by_security_leaves_nothing(org, system, tmp_path):
    system.create("lead", subject="Theirs", lastname="Theirs", emailaddress1="t@x.example")
    salesperson = org.service(add_user(system, "sp@test.example", role="Salesperson"))
    path = write(tmp_path, "subject,lastname,emailaddress1\nA,Ann,a@x.example\n"
                           "T,Tee,t@x.example\nC,Cid,c@x.example\n")  # fmt: skip
    result = run(salesperson, path, duplicates="update")
    assert (result.created, result.updated, result.refused) == (2, 0, 1)
    assert result.rows[0].line == 3 and result.rows[0].error.code == "0x80048306"
    assert leads(system)["Theirs"]["subject"] == "Theirs"
    nobody = org.service(add_user(system, "nobody@test.example", role=None))
    refused = run(nobody, write(tmp_path, "subject,lastname\nX,Xi\n", "other.csv"))
    assert refused.refused == 1 and "Xi" not in leads(system)


def test_resume_from_a_row_and_stop_from_progress(system, tmp_path):
    lines = "".join(f"S{n},L{n}\n" for n in range(10))
    path = write(tmp_path, "subject,lastname\n" + lines)
    calls: list[ImportProgress] = []

    def stop_after_four(state: ImportProgress) -> bool:
        calls.append(state)
        return state.rows_done < 4

    first = import_records(system, ImportRecordsRequest("lead", path, batch_size=2),
                           progress=stop_after_four)  # fmt: skip
    assert (first.created, first.next_row, first.finished) == (4, 4, False)
    assert 0 < calls[0].bytes_read <= calls[0].total_bytes == path.stat().st_size
    rest = run(system, path, start_row=first.next_row)
    assert (rest.created, rest.finished) == (6, True)
    assert sorted(leads(system)) == sorted(f"L{n}" for n in range(10))


def test_a_file_that_is_not_utf8_is_refused_with_its_line(system, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"subject,lastname\nA,Ann\n" + "B,Bé\n".encode("latin-1"))
    with pytest.raises(LeadgateError) as refused:
        run(system, path)
    assert refused.value.code == "0x8F4C47ED"
