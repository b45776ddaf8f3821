"""What the audit trail costs: Create of a lead by a Salesperson with the lead table's
auditing on versus off (its IsAuditEnabled, switched with UpdateEntity), same database, same
run.

    .venv/bin/python bench/audit.py [--db URL] [--rounds 7] [--batch 100]

Prints creates per second both ways and the ratio on / off (the goal: at most 1.2x). Rounds
alternate between the two so that a noisy machine slows both alike; the median round is
reported.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from _timing import timed
from pipeline_vs_core import LEAD, salesperson

from leadgate.platform import Organization
from leadgate.platform.audit import UpdateEntityRequest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=100)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        organization = Organization.create(url)
        system = organization.system_service()
        service = organization.service(salesperson(organization))

        def audited(on: bool) -> None:
            system.execute(UpdateEntityRequest("lead", is_audit_enabled=on))
            service.create("lead", dict(LEAD))  # warm the caches of the new generation

        seconds: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(options.rounds):
            for on in (True, False):
                audited(on)
                seconds[on].append(timed(lambda: service.create("lead", dict(LEAD)), options.batch))
        on, off = (statistics.median(seconds[state]) for state in (True, False))
        audit_rows = len(system.retrieve_multiple_all("audit", columns=["action"]))
        print(f"database: {url.split(':', 1)[0]}, {options.rounds} rounds of {options.batch}")
        print(f"Create lead, audit off: {1 / off:8.1f}/s")
        print(f"Create lead, audit on:  {1 / on:8.1f}/s  ({audit_rows} audit rows written)")
        print(f"ratio on / off: {on / off:.2f}x (goal: at most 1.2x)")
        organization.close()


if __name__ == "__main__":
    main()
