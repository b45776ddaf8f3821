"""The import as a system job (issue 13): a file uploaded into the database in pieces,
streamed by the job across them, its rows committed chunk by chunk with where the reading
is, a killed job resumed with no row imported twice, and the file and the results its
owner's alone; on both databases."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from leadgate.platform import LeadgateError
from leadgate.platform.engine.types import Language
from leadgate.platform.imports import job as import_job
from leadgate.platform.imports.files import (
    AppendImportFileRequest,
    DeleteImportFileContentRequest,
    PurgeImportFilesRequest,
    RetrieveImportFileChunkRequest,
    upload_file,
)
from leadgate.platform.imports.job import ImportRecordsImportRequest, import_counts
from leadgate.platform.jobs import (
    JobContext,
    JobStatus,
    Outcome,
    RetrieveJobResultsRequest,
    RetryJobRequest,
    run_queued,
)
from tests.conftest import add_user

BOM = "\ufeff"
FRENCH = (
    BOM + "Sujet;Nom;Adresse e-mail;Chiffre d'affaires annuel;Date de clôture estimée;"
    "Description\n"
    'Salon;Dupont;d@x.example;1 234,50;31/12/2026;"première ligne\nseconde; ligne"\n'
    "Foire;Martin;d@x.example;12;01/02/2027;double\n"
    "Expo;Durand;e@x.example;1.234,5;01/02/2027;mauvais nombre\n"
    "Marché;Petit;p@x.example;7;;\n"
)


def upload(service, text: str, piece_size: int = 9) -> object:
    return upload_file(service, io.BytesIO(text.encode("utf-8")), "leads.csv", "lead",
                       piece_size=piece_size)  # fmt: skip


def imported(org, service, text: str, **options) -> tuple[object, object]:
    queued = service.execute(ImportRecordsImportRequest(upload(service, text), **options))
    outcome = run_queued(org, queued.job_id)
    assert outcome is not None and outcome.status is JobStatus.SUCCEEDED, outcome
    return queued, service.retrieve("asyncoperation", queued.job_id)


def leads(system) -> dict[str, dict]:
    return {lead["lastname"]: dict(lead) for lead in system.retrieve_multiple_all("lead")}


def test_a_french_file_uploaded_in_pieces_is_imported_by_its_job(org, system, admin):
    queued, job = imported(org, admin, FRENCH)
    assert queued.language is Language.FRENCH and queued.unknown_headers == ()
    assert import_counts(json.loads(job["checkpoint"])) == {
        "created": 2, "updated": 0, "skipped": 1, "refused": 1,
    }  # fmt: skip
    found = leads(system)
    assert set(found) == {"Dupont", "Petit"}
    assert found["Dupont"]["description"] == "première ligne\nseconde; ligne"  # across pieces
    assert found["Dupont"]["revenue"] == Decimal("1234.5")
    assert job["operationtype"] == 100000001  # Import
    # Its content is deleted once imported; the record (name, size, job) stays.
    file = system.retrieve("importfile", job["regardingobjectid"])
    assert file["size"] == len(FRENCH.encode()) and file["contentdeletedon"] is not None
    assert file["asyncoperationid"].id == queued.job_id
    assert system.retrieve_multiple_all("importfilechunk") == []
    with pytest.raises(LeadgateError) as gone:
        admin.execute(RetrieveImportFileChunkRequest(file.id))
    assert gone.value.code == "0x8F4C47DB"
    assert "upload the file again" in gone.value.message(Language.ENGLISH)
    assert "téléversez de nouveau le fichier" in gone.value.message(Language.FRENCH)


def test_rows_not_imported_are_reported_with_their_line_code_and_values(org, admin):
    queued, _job = imported(org, admin, FRENCH)
    read = admin.execute(RetrieveJobResultsRequest(queued.job_id))
    assert read.counts == {Outcome.SUCCEEDED: 2, Outcome.FAILED: 1, Outcome.SKIPPED: 1}
    assert [(r["sequencenumber"], r["outcome"], r["errorcode"]) for r in read.results] == [
        (2, 0, None), (4, 2, "0x80040333"), (5, 1, "0x80040203"), (6, 0, None),
    ]  # fmt: skip
    skipped, refused = read.results[1], read.results[2]
    assert "Dupont" in skipped["message"] and "Dupont" in skipped["message_fr"]
    assert "expected a number written in French (1 234,50)" in refused["message"]
    assert "attendu un nombre écrit en français (1 234,50)" in refused["message_fr"]
    assert json.loads(refused["detail"])["values"]["Nom"] == "Durand"
    assert json.loads(skipped["detail"])["values"]["Nom"] == "Martin"


def test_a_killed_job_resumes_after_its_last_chunk_and_imports_no_row_twice(
    org, system, admin, monkeypatch
):
    monkeypatch.setattr(import_job, "CHUNK_ROWS", 2)
    rows = [f"S{n},L{n},l{n}@x.example,{'bad' if n == 3 else n}\n" for n in range(9)]
    rows[2] = "S2,L2,l0@x.example,2\n"  # a duplicate of L0, in the chunk before the crash
    text = "subject,lastname,emailaddress1,numberofemployees\n" + "".join(rows)
    calls = {"n": 0}
    real = JobContext.checkpoint_items

    def dies_at_the_third_chunk(self, value, items):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the worker died")  # as kill -9: the chunk is not committed
        return real(self, value, items)

    monkeypatch.setattr(JobContext, "checkpoint_items", dies_at_the_third_chunk)
    queued = admin.execute(ImportRecordsImportRequest(upload(admin, text, 11)))
    first = run_queued(org, queued.job_id)
    assert first is not None and first.status is JobStatus.FAILED
    assert sorted(leads(system)) == ["L0", "L1"]  # chunk 1 (L0, L1), chunk 2 (L2 skipped, L3)

    admin.execute(RetryJobRequest(queued.job_id))
    again = run_queued(org, queued.job_id)
    assert again is not None and again.status is JobStatus.SUCCEEDED
    assert sorted(leads(system)) == ["L0", "L1", "L4", "L5", "L6", "L7", "L8"]
    job = admin.retrieve("asyncoperation", queued.job_id)
    assert import_counts(json.loads(job["checkpoint"])) == {
        "created": 7, "updated": 0, "skipped": 1, "refused": 1,
    }  # fmt: skip
    results = admin.execute(RetrieveJobResultsRequest(queued.job_id)).results
    assert [r["sequencenumber"] for r in results] == list(range(2, 11))  # each line once


def test_start_row_and_duplicates_update_go_with_the_job(org, system, admin):
    system.create("lead", subject="Old", lastname="Old", emailaddress1="a@x.example")
    text = "subject,lastname,emailaddress1,jobtitle\nX,Skip,s@x.example,\nA,New,A@x.example,Buyer\n"
    queued, job = imported(org, admin, text, duplicates="update", start_row=1)
    assert import_counts(json.loads(job["checkpoint"]))["updated"] == 1
    assert set(leads(system)) == {"New"} and leads(system)["New"]["jobtitle"] == "Buyer"
    assert admin.execute(RetrieveJobResultsRequest(queued.job_id)).counts[Outcome.SUCCEEDED] == 1


def test_a_bad_mapping_is_refused_before_anything_is_queued(admin, system):
    file_id = upload(admin, "who\nAnn\n")
    with pytest.raises(LeadgateError) as refused:
        admin.execute(ImportRecordsImportRequest(file_id, {"who": "nosuchcolumn"}))
    assert refused.value.code == "0x8F4C47EF"
    assert system.retrieve_multiple_all("asyncoperation") == []


def test_pieces_go_in_order_and_not_after_the_import_is_queued(admin):
    file_id = upload(admin, "subject,lastname\nA,Ann\n")
    size = len("subject,lastname\nA,Ann\n")
    with pytest.raises(LeadgateError) as twice:
        admin.execute(AppendImportFileRequest(file_id, 0, b"B,Bob\n"))
    assert twice.value.code == "0x8F4C47D9"
    assert f"starts at byte 0, but the file holds {size} bytes" in twice.value.message()
    assert f"commence à l'octet 0, mais le fichier en contient {size}" in twice.value.message(
        Language.FRENCH)  # fmt: skip
    admin.execute(ImportRecordsImportRequest(file_id))
    with pytest.raises(LeadgateError) as late:
        admin.execute(AppendImportFileRequest(file_id, size, b"B,Bob\n"))
    assert late.value.code == "0x8F4C47D8"
    with pytest.raises(LeadgateError) as again:
        admin.execute(ImportRecordsImportRequest(file_id))
    assert again.value.code == "0x8F4C47D8"
    assert "tâche système" in again.value.message(Language.FRENCH)


def test_only_its_owner_reads_an_uploaded_file_and_its_import(org, system):
    ann = org.service(add_user(system, "ann@test.example", role="Salesperson"))
    bob = org.service(add_user(system, "bob@test.example", role="Salesperson"))
    file_id = upload(ann, "subject,lastname\nA,Ann\n")
    assert ann.execute(RetrieveImportFileChunkRequest(file_id)).content.startswith(b"subject")
    for request in (RetrieveImportFileChunkRequest(file_id),
                    AppendImportFileRequest(file_id, 0, b"x"),
                    ImportRecordsImportRequest(file_id),
                    DeleteImportFileContentRequest(file_id),
                    PurgeImportFilesRequest(dt.datetime.now(dt.UTC))):  # fmt: skip
        with pytest.raises(LeadgateError) as refused:
            bob.execute(request)
        assert refused.value.code == "0x80040220"  # no right on others' import files
        assert refused.value.message(Language.FRENCH).startswith("Accès refusé")
    queued = ann.execute(ImportRecordsImportRequest(file_id))
    assert run_queued(org, queued.job_id).status is JobStatus.SUCCEEDED
    assert leads(system)["Ann"]["ownerid"].id == ann.user_id  # the job ran as Ann
    with pytest.raises(LeadgateError) as results:
        bob.execute(RetrieveJobResultsRequest(queued.job_id))
    assert results.value.code == "0x80048306"
    assert len(ann.execute(RetrieveJobResultsRequest(queued.job_id)).results) == 1


def test_a_file_that_stops_being_utf8_fails_its_job_after_the_rows_before(org, system, admin):
    content = b"subject,lastname\nA,Ann\n" + "B,Bé\n".encode("latin-1") + b"C,Cid\n"
    file_id = upload_file(admin, io.BytesIO(content), "latin1.csv", "lead", piece_size=8)
    queued = admin.execute(ImportRecordsImportRequest(file_id))
    outcome = run_queued(org, queued.job_id)
    assert outcome is not None and outcome.status is JobStatus.FAILED
    job = admin.retrieve("asyncoperation", queued.job_id)
    assert job["errorcode"] == "0x8F4C47ED" and "line 3" in job["message"]
    assert "ligne 3" in job["message_fr"]
    assert set(leads(system)) == {"Ann"}
    assert system.retrieve("importfile", file_id)["contentdeletedon"] is None  # kept to retry
