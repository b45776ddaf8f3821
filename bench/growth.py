"""Cost growth: does QualifyLead get slower as the tables fill? N sequential qualifications as
a Salesperson, the mean time of the first 10% beside the last 10%, with a constant workload
timed alongside to show how much of any change is the machine's noise.

    .venv/bin/python bench/growth.py [--db URL] [--qualifications 10000] [--baseline 50]
        [--profile 0]

The issue's figure is ``--qualifications 100000`` (goal: last 10% at most 1.1x the first 10%).
The leads are bench data, created beforehand through the pipeline 200 to a transaction (the
time that takes is printed too); each is then qualified alone, with an account, a contact and
an opportunity, the grid's way (no duplicate check: that cost has its own bench). Each lead's
e-mail and company name carry its number, so that no lookup meets 100,000 equal values.

The baseline: after every 1% of the qualifications, ``--baseline`` Retrieves of one fixed
lead through the same pipeline (a primary-key read, whose cost should not grow). The ratio is
printed raw and corrected by the baseline's own ratio over the same stretches.

``--profile N`` qualifies N more leads before the timed run and N after it under cProfile,
with every SQL statement's time summed, and prints the functions and statements whose time
grew: the profile that says why, when the ratio is over the goal.

On PostgreSQL give a fresh, empty database (``--db postgresql+psycopg://user@host/NAME``);
the bench installs the organization in it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from bulk_qualify import FLAGS
from pipeline_vs_core import LEAD, salesperson

from leadgate.platform import (
    CreateRequest,
    Entity,
    EntityReference,
    ExecuteTransactionRequest,
    Organization,
    OrganizationService,
)
from leadgate.sales.qualify import QualifyLeadRequest

SEGMENTS = 100  # the baseline is timed after each 1% of the run
Profiled = tuple[pstats.Stats, dict[str, list[float]]]  # cProfile's stats, SQL times


def make_leads(service: OrganizationService, count: int) -> list[uuid.UUID]:
    """``count`` open leads, each with its own e-mail and company, 200 to a transaction."""
    made: list[uuid.UUID] = []
    while len(made) < count:
        batch = [uuid.uuid4() for _ in range(min(200, count - len(made)))]
        service.execute(ExecuteTransactionRequest(tuple(
            CreateRequest(Entity("lead", lead, {
                **LEAD, "emailaddress1": f"lead{len(made) + n}@growth.example",
                "companyname": f"{LEAD['companyname']} {len(made) + n}",
            })) for n, lead in enumerate(batch)
        )))  # fmt: skip
        made.extend(batch)
    return made


def qualify(service: OrganizationService, lead: uuid.UUID) -> float:
    """Seconds one QualifyLead took."""
    started = time.perf_counter()
    service.execute(QualifyLeadRequest(EntityReference("lead", lead), **FLAGS,
                                       suppress_duplicate_detection=True))  # fmt: skip
    return time.perf_counter() - started


def baseline(service: OrganizationService, lead: uuid.UUID, count: int) -> float:
    """Seconds per Retrieve of one fixed lead: a workload whose cost should not grow."""
    started = time.perf_counter()
    for _ in range(count):
        service.retrieve("lead", lead, ["subject", "lastname"])
    return (time.perf_counter() - started) / count


@contextmanager
def statement_times(engine: sa.Engine, into: dict[str, list[float]]) -> Iterator[None]:
    """Sum the time of each SQL statement run meanwhile: ``into[sql] = [seconds, count]``."""

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info.setdefault("growth_started", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        entry = into.setdefault(statement, [0.0, 0])
        entry[0] += time.perf_counter() - conn.info["growth_started"].pop()
        entry[1] += 1

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)


def profiled(organization: Organization, service: OrganizationService,
             leads: list[uuid.UUID]) -> Profiled:  # fmt: skip
    """``leads`` qualified under cProfile, with each statement's time."""
    statements: dict[str, list[float]] = {}
    profile = cProfile.Profile()
    with statement_times(organization.engine, statements):
        profile.enable()
        for lead in leads:
            qualify(service, lead)
        profile.disable()
    return pstats.Stats(profile, stream=io.StringIO()), statements


def report_growth(early: Profiled, late: Profiled, count: int) -> None:
    """The functions (own time) and statements whose time per qualification grew most."""
    own: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for index, (stats, _) in enumerate((early, late)):
        for (file, line, name), row in stats.stats.items():  # type: ignore[attr-defined]
            own[f"{Path(file).name}:{line} {name}"][index] += row[2] / count
    print(f"\nfunctions whose own time per qualification grew most ({count} early, "
          f"{count} late; us):")  # fmt: skip
    for name, (before, after) in sorted(own.items(), key=lambda i: i[1][0] - i[1][1])[:12]:
        print(f"  {before * 1e6:9.1f} -> {after * 1e6:9.1f}  {name}")
    sql: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for index, (_, statements) in enumerate((early, late)):
        for statement, (seconds, calls) in statements.items():
            sql[statement][index] += seconds / count
            sql[statement][2] = calls / count
    print("\nstatements whose time per qualification grew most (us; calls per qualification):")
    grown = sorted(sql.items(), key=lambda item: item[1][0] - item[1][1])
    for statement, (before, after, calls) in grown[:8]:
        text = " ".join(statement.split())
        print(f"  {before * 1e6:9.1f} -> {after * 1e6:9.1f} x{calls:.1f}  {text[:300]}")


def mean_of(values: list[float]) -> float:
    return sum(values) / len(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--qualifications", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=50,
                        help="Retrieves of the baseline after each 1%% of the run")  # fmt: skip
    parser.add_argument("--profile", type=int, default=0,
                        help="leads profiled before and after the run (0: none)")  # fmt: skip
    options = parser.parse_args()
    count = max(options.qualifications - options.qualifications % SEGMENTS, SEGMENTS)
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        backend = sa.make_url(url).get_backend_name()
        organization = Organization.create(url)
        service = organization.service(salesperson(organization))
        warm = 20
        started = time.perf_counter()
        leads = make_leads(service, count + warm + 2 * options.profile + 1)
        made_in = time.perf_counter() - started
        print(f"Cost growth of QualifyLead on {backend}, as a Salesperson: {count} sequential "
              f"qualifications (account + contact + opportunity, no duplicate check)")  # fmt: skip
        print(f"lead creation (bench data, 200 a transaction): {len(leads)} leads in "
              f"{made_in:.1f} s ({made_in / len(leads) * 1e3:.2f} ms a lead)")  # fmt: skip
        fixed, leads = leads[0], leads[1:]
        for lead in leads[:warm]:  # warm caches and statement compilation
            qualify(service, lead)
        baseline(service, fixed, options.baseline)
        leads = leads[warm:]
        early_leads = leads[: options.profile]
        late_leads = leads[len(leads) - options.profile :]
        timed_leads = leads[options.profile : len(leads) - options.profile]
        early = profiled(organization, service, early_leads) if options.profile else None
        times: list[float] = []
        bases: list[float] = []
        per_segment = count // SEGMENTS
        started = time.perf_counter()
        for segment in range(SEGMENTS):
            for lead in timed_leads[segment * per_segment : (segment + 1) * per_segment]:
                times.append(qualify(service, lead))
            bases.append(baseline(service, fixed, options.baseline))
        elapsed = time.perf_counter() - started
        late = profiled(organization, service, late_leads) if options.profile else None
        tenth = count // 10
        first, last = mean_of(times[:tenth]), mean_of(times[-tenth:])
        base_first, base_last = mean_of(bases[:10]), mean_of(bases[-10:])
        print(f"qualifications: {elapsed:.0f} s in all (with the baseline)")
        print("decile  mean ms  median ms  p95 ms  baseline ms")
        for decile in range(10):
            part = sorted(times[decile * tenth : (decile + 1) * tenth])
            print(f"{decile + 1:>6} {mean_of(part) * 1e3:8.2f} "
                  f"{statistics.median(part) * 1e3:10.2f} {part[int(len(part) * 0.95)] * 1e3:7.2f} "
                  f"{mean_of(bases[decile * 10 : (decile + 1) * 10]) * 1e3:12.3f}")  # fmt: skip
        raw = last / first
        corrected = raw / (base_last / base_first)
        print(f"first 10%: {first * 1e3:.2f} ms, last 10%: {last * 1e3:.2f} ms a qualification")
        drift = base_last / base_first
        print(f"baseline (Retrieve of one lead): first {base_first * 1e3:.3f} ms, last "
              f"{base_last * 1e3:.3f} ms ({drift:.2f}x: the machine's drift)")  # fmt: skip
        for label, ratio in (("raw", raw), ("corrected by the baseline", corrected)):
            verdict = "meets" if ratio <= 1.1 else "misses"
            print(f"last / first, {label}: {ratio:.3f}x ({verdict} the goal of at most 1.1x)")
        if early and late:
            report_growth(early, late, options.profile)
        organization.close()


if __name__ == "__main__":
    main()
