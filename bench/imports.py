"""CSV import of leads at scale: rows per second, and memory that stays flat because the
file is streamed, never loaded.

    .venv/bin/python bench/imports.py [--db URL] [--rows 100000] [--checkpoint 10000]

A CSV of generated leads (French headers, `;`, a BOM, French numbers and dates, a quoted
field with a newline every 50th row, a bad number every 1000th) is written row by row to a
temporary file, then imported through ``import_records`` as SYSTEM with the default
duplicate handling (skip: every row is checked against the published rule "Leads with the
same e-mail address"). Printed: rows/s, and the process's peak RSS (getrusage) when the
checkpoint's rows were done and at the end, with the resident memory split into anonymous
(the heap) and file-backed (SQLite maps the database file, up to 256 MiB, so that part grows
with the database): the goal is the same anonymous memory at both.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from leadgate.platform import Organization
from leadgate.platform.imports.importer import (
    ImportProgress,
    ImportRecordsRequest,
    import_records,
)

HEADER = "Sujet;Prénom;Nom;Adresse e-mail;Origine du prospect;Chiffre d'affaires annuel;" \
         "Date de clôture estimée;Description\n"  # fmt: skip
SOURCES = ("Publicité", "Recommandation externe", "advertisement", "3")


def write_leads(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADER)
        for n in range(rows):
            revenue = "1.234,5" if n % 1000 == 999 else f"{1 + n % 97} {n % 1000:03d},50"
            notes = '"met at the fair;\nwants a demo"' if n % 50 == 0 else "imported"
            out.write(f"Lead {n};Ann{n % 300};Smith{n};lead{n}@bench.example;"
                      f"{SOURCES[n % 4]};{revenue};{1 + n % 28:02d}/{1 + n % 12:02d}/2027;"
                      f"{notes}\n")  # fmt: skip


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def rss_parts_mib() -> tuple[float, float]:
    """The resident memory now: anonymous (the heap: Python objects, SQLite's page cache)
    and file-backed (mostly the database file, which leadgate's SQLite connections map with
    mmap_size: it grows with the database, not with the import's working set)."""
    parts = {"RssAnon": 0.0, "RssFile": 0.0}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in parts:
                parts[key] = float(value.split()[0]) / 1024
    except OSError:  # not Linux: only the peak is printed meaningfully
        pass
    return parts["RssAnon"], parts["RssFile"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--checkpoint", type=int, default=10_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "leads.csv"
        write_leads(csv_path, options.rows)
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        with Organization.create(url) as organization:
            system = organization.system_service()
            marks: dict[str, tuple[int, float, float, tuple[float, float]]] = {}
            started = time.perf_counter()

            def progress(state: ImportProgress) -> None:
                if state.rows_done >= options.checkpoint and "checkpoint" not in marks:
                    marks["checkpoint"] = (state.rows_done, time.perf_counter() - started,
                                           peak_rss_mib(), rss_parts_mib())  # fmt: skip

            request = ImportRecordsRequest("lead", csv_path, batch_size=1000)
            result = import_records(system, request, progress=progress)
            elapsed = time.perf_counter() - started
            marks["end"] = (result.next_row, elapsed, peak_rss_mib(), rss_parts_mib())
    size_mib = csv_path.stat().st_size / 2**20 if csv_path.exists() else 0.0
    print(
        f"CSV import of {options.rows:,} leads ({url.split(':')[0]}; file streamed"
        f"{f', {size_mib:.1f} MiB' if size_mib else ''})"
    )
    print(
        f"  created {result.created:,}, refused {result.refused:,}, "
        f"skipped {result.skipped:,} in {elapsed:.1f} s: {result.done / elapsed:,.0f} rows/s"
    )
    for rows, seconds, rss, (anonymous, mapped) in marks.values():
        print(
            f"  after {rows:>7,} rows ({seconds:6.1f} s): peak RSS {rss:6.1f} MiB; now "
            f"{anonymous:6.1f} MiB anonymous (heap), {mapped:6.1f} MiB file-backed "
            f"(libraries; on SQLite, the mapped database)"
        )


if __name__ == "__main__":
    main()
