"""CSV import of leads at scale, as `leadgate import` runs it: the file uploaded into the
database, then imported by its system job, streamed (never loaded) — rows per second, and
memory that stays flat.

    .venv/bin/python bench/imports.py [--db URL] [--rows 100000] [--baseline-rows 10000]

A CSV of generated leads (French headers, `;`, a BOM, French numbers and dates, a quoted
field with a newline every 50th row, a bad number every 1000th) is written row by row to a
temporary file. The job path: the whole file uploaded (1 MiB pieces) and imported by the
``import`` job, run here by ``run_queued`` as a worker would, its chunks of rows each one
transaction with the checkpoint. The baseline: ``--baseline-rows`` rows (other e-mail
addresses) imported in-process by ``import_records``, one transaction per row — half before
the job, half after, since a shared machine's load changes over minutes. All as SYSTEM, with
the default duplicate handling (skip: every row is checked against the published rule
"Leads with the same e-mail address"), in one database.

Printed: the upload's speed; the job's rows/s over the whole file and over its first
``--baseline-rows`` rows beside the baseline's (the ratio, with the load average of each
part); and the resident memory at the start, after the upload, halfway and at the end,
split into anonymous (the heap: the goal is the same at each) and file-backed (libraries,
and on SQLite the database file, which leadgate's connections map up to 256 MiB, so that
part grows with the database).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import threading
import time
from pathlib import Path

from leadgate.platform import Organization
from leadgate.platform.imports.files import upload_file
from leadgate.platform.imports.importer import ImportRecordsRequest, import_records
from leadgate.platform.imports.job import ImportRecordsImportRequest, import_counts
from leadgate.platform.jobs import JobStatus, run_queued

HEADER = "Sujet;Prénom;Nom;Adresse e-mail;Origine du prospect;Chiffre d'affaires annuel;" \
         "Date de clôture estimée;Description\n"  # fmt: skip
SOURCES = ("Publicité", "Recommandation externe", "advertisement", "3")


def write_leads(path: Path, rows: int, domain: str = "bench.example") -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADER)
        for n in range(rows):
            revenue = "1.234,5" if n % 1000 == 999 else f"{1 + n % 97} {n % 1000:03d},50"
            notes = '"met at the fair;\nwants a demo"' if n % 50 == 0 else "imported"
            out.write(f"Lead {n};Ann{n % 300};Smith{n};lead{n}@{domain};"
                      f"{SOURCES[n % 4]};{revenue};{1 + n % 28:02d}/{1 + n % 12:02d}/2027;"
                      f"{notes}\n")  # fmt: skip


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def rss_parts_mib() -> tuple[float, float]:
    """The resident memory now: anonymous (the heap: Python objects, SQLite's page cache)
    and file-backed (libraries, and the database file leadgate's SQLite connections map)."""
    parts = {"RssAnon": 0.0, "RssFile": 0.0}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in parts:
                parts[key] = float(value.split()[0]) / 1024
    except OSError:  # not Linux: only the peak is printed meaningfully
        pass
    return parts["RssAnon"], parts["RssFile"]


class Watch(threading.Thread):
    """Looks at the job's checkpoint every 0.2 s: when it passed the baseline's row count
    (time), and half the file (memory)."""

    def __init__(self, organization: Organization, job_id: object, rows: int, first: int):
        super().__init__(daemon=True)
        self.organization, self.job_id, self.rows, self.first = organization, job_id, rows, first
        self.started = time.perf_counter()
        self.first_done: tuple[int, float] | None = None
        self.halfway: tuple[int, float, tuple[float, float]] | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        system = self.organization.system_service()
        while not self.stop.wait(0.2):
            job = system.retrieve("asyncoperation", self.job_id, ["checkpoint"])  # type: ignore[arg-type]
            done = json.loads(job.get("checkpoint") or "{}").get("row", 0)
            now = time.perf_counter() - self.started
            if self.first_done is None and done >= self.first:
                self.first_done = (done, now)
            if self.halfway is None and done >= self.rows // 2:
                self.halfway = (done, now, rss_parts_mib())


def baseline(system: object, path: Path) -> tuple[float, float]:
    """In-process import_records of ``path``: rows/s, and the load average meanwhile."""
    began = time.perf_counter()
    done = import_records(system, ImportRecordsRequest("lead", path)).done  # type: ignore[arg-type]
    return done / (time.perf_counter() - began), os.getloadavg()[0]


def memory(label: str, parts: tuple[float, float]) -> str:
    return f"  {label:<22} {parts[0]:6.1f} MiB anonymous (heap), {parts[1]:6.1f} MiB file-backed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=10_000)
    options = parser.parse_args()
    first = min(options.baseline_rows, options.rows)
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "leads.csv"
        write_leads(csv_path, options.rows)
        before_path, after_path = Path(folder) / "before.csv", Path(folder) / "after.csv"
        write_leads(before_path, first // 2, "before.example")
        write_leads(after_path, first - first // 2, "after.example")
        size_mib = csv_path.stat().st_size / 2**20
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        with Organization.create(url) as organization:
            system = organization.system_service()
            before = baseline(system, before_path)
            at_start = rss_parts_mib()

            began = time.perf_counter()
            with csv_path.open("rb") as stream:
                file_id = upload_file(system, stream, csv_path.name, "lead")
            uploaded = time.perf_counter() - began
            after_upload = rss_parts_mib()

            queued = system.execute(ImportRecordsImportRequest(file_id))
            watch = Watch(organization, queued.job_id, options.rows, first)
            watch.start()
            outcome = run_queued(organization, queued.job_id)
            elapsed = time.perf_counter() - watch.started
            watch.stop.set()
            watch.join()
            job_load = os.getloadavg()[0]
            at_end = rss_parts_mib()
            after = baseline(system, after_path)
            assert outcome is not None and outcome.status is JobStatus.SUCCEEDED, outcome
            job = system.retrieve("asyncoperation", queued.job_id, ["checkpoint"])
            counts = import_counts(json.loads(job["checkpoint"])) or {}
    total = sum(counts.values())
    print(f"CSV import of {options.rows:,} leads as a system job ({url.split(':')[0]}; "
          f"{size_mib:.1f} MiB, streamed)")  # fmt: skip
    print(f"  upload: {uploaded:.1f} s ({size_mib / uploaded:.1f} MiB/s, 1 MiB pieces)")
    print(f"  job: created {counts.get('created', 0):,}, refused {counts.get('refused', 0):,}, "
          f"skipped {counts.get('skipped', 0):,} in {elapsed:.1f} s: "
          f"{total / elapsed:,.0f} rows/s")  # fmt: skip
    if watch.first_done is not None:
        rows, seconds = watch.first_done
        rate, baseline_rate = rows / seconds, (before[0] + after[0]) / 2
        print(f"  first {rows:,} rows: job {rate:,.0f} rows/s (load {job_load:.1f} at its end); "
              f"in-process import_records, one transaction per row: {before[0]:,.0f} rows/s "
              f"before the job (load {before[1]:.1f}), {after[0]:,.0f} after (load "
              f"{after[1]:.1f}): job / in-process = {rate / baseline_rate:.2f}x")  # fmt: skip
    print(f"  memory (peak RSS {peak_rss_mib():.1f} MiB):")
    print(memory("at the start", at_start))
    print(memory("after the upload", after_upload))
    if watch.halfway is not None:
        rows, seconds, parts = watch.halfway
        print(memory(f"after {rows:,} rows", parts))
    print(memory("at the end", at_end))


if __name__ == "__main__":
    main()
