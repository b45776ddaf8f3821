"""What ``$metadata`` costs: the CSDL document of the shipped solution built from its metadata,
against a baseline measured in the same run: the same tables and columns serialized to JSON
as EntityDefinitions with their Attributes (what the JSON metadata endpoints lay out).

    .venv/bin/python bench/metadata.py [--rounds 7] [--batch 20]

Prints milliseconds per document both ways, the ratio CSDL / JSON, the document's size, and
what a request pays once the document is built (it is kept per metadata snapshot). Rounds
alternate so that a noisy machine slows both alike; the median round is reported.
"""

from __future__ import annotations

import argparse
import json
import statistics

from _timing import timed

from leadgate.platform import Organization
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.types import Language
from leadgate.web.csdl import build_document, csdl_document
from leadgate.web.entity_definitions import attribute_definition, entity_definition


def as_json(metadata: MetadataSet) -> bytes:
    """Every published table as EntityMetadata with its Attributes, choices expanded."""
    tables = []
    for table in metadata.tables.values():
        row = entity_definition(table, Language.ENGLISH)
        row["Attributes"] = [
            attribute_definition(table, column, Language.ENGLISH, expand="OptionSet")
            for column in table.columns.values()
        ]
        tables.append(row)
    return json.dumps({"value": tables}, ensure_ascii=False).encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=20)
    options = parser.parse_args()
    with Organization.in_memory() as organization:
        metadata = organization.metadata()
        seconds: dict[str, list[float]] = {"csdl": [], "json": []}
        for _ in range(options.rounds):
            seconds["csdl"].append(timed(lambda: build_document(metadata), options.batch))
            seconds["json"].append(timed(lambda: as_json(metadata), options.batch))
        csdl, baseline = (statistics.median(seconds[kind]) for kind in ("csdl", "json"))
        csdl_document(metadata)
        cached = timed(lambda: csdl_document(metadata), 1000)
        document = build_document(metadata)
        print(f"shipped solution: {len(metadata.tables)} tables, "
              f"{sum(len(t.columns) for t in metadata.tables.values())} columns; "
              f"{options.rounds} rounds of {options.batch}")  # fmt: skip
        print(f"$metadata (CSDL XML, {len(document) / 1024:.0f} KiB): {csdl * 1000:7.2f} ms")
        print(f"baseline, the same metadata as JSON ({len(as_json(metadata)) / 1024:.0f} KiB): "
              f"{baseline * 1000:7.2f} ms")  # fmt: skip
        print(f"ratio CSDL / JSON: {csdl / baseline:.2f}x")
        print(f"served from the snapshot's cache: {cached * 1e6:.1f} µs")


if __name__ == "__main__":
    main()
