"""The CSV import on files it cannot foresee: separators, mapping by label, and arbitrary
text, which gives coded errors (per row or for the file), never anything else."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from leadgate.platform import LeadgateError, Organization
from leadgate.platform.engine.parsing import parse_date, parse_decimal
from leadgate.platform.engine.types import Language
from leadgate.platform.imports.importer import ImportRecordsRequest, import_records
from leadgate.platform.imports.mapping import folded, map_columns
from leadgate.platform.imports.reading import CsvSource, separator_of


@pytest.fixture(scope="module")
def organization() -> Iterator[Organization]:
    with Organization.in_memory() as made:
        yield made


def test_separator_from_the_header_line():
    assert separator_of("a,b;c,d") == ","
    assert separator_of('"x;y";a;b') == ";"
    assert separator_of('"a;b;c",d') == ","


def test_labels_compare_without_case_or_accents():
    assert folded("  Date de CLÔTURE estimée ") == folded("date de cloture estimee")


def test_numbers_and_dates_in_each_language():
    assert str(parse_decimal("1 234,5", Language.FRENCH)) == "1234.5"
    assert str(parse_decimal("1,234.5", Language.ENGLISH)) == "1234.5"
    assert str(parse_date("31/12/2026", Language.FRENCH)) == "2026-12-31"
    for text, language in (("1.234,5", Language.ENGLISH), ("31/12/2026", Language.ENGLISH)):
        try:
            (parse_decimal if "," in text else parse_date)(text, language)  # type: ignore[operator]
        except ValueError:
            continue
        raise AssertionError(text)


def test_mapping_by_french_label_makes_the_file_french(organization):
    lead = organization.metadata().table("lead")
    mapping = map_columns(lead, ["Sujet", "Nom", "Pointure"])
    assert mapping.mapped() == {"Sujet": "subject", "Nom": "lastname"}
    assert mapping.unknown == ("Pointure",) and mapping.language is Language.FRENCH
    assert map_columns(lead, ["subject"]).language is Language.ENGLISH


def test_lines_count_physical_lines(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('a;b\n1;"x\ny"\n\n2;z\n', encoding="utf-8")
    with CsvSource(path) as source:
        assert source.headers == ("a", "b")
        assert [(row.line, row.number, row.values) for row in source.rows()] == [
            (2, 0, ("1", "x\ny")), (5, 1, ("2", "z")),
        ]  # fmt: skip


def test_a_cell_past_python_csv_default_limit_refuses_its_row_not_the_file(organization,
                                                                           tmp_path):  # fmt: skip
    """Python's csv module stops at 128 KiB a field, which failed the whole file (with its
    English reason in the French text): the cell is read, and only its row is refused."""
    path = tmp_path / "long.csv"
    path.write_text(f'subject,lastname,description\nTablets,Long,"{"n" * 200_000}"\n'
                    "Phones,Short,fine\n", "utf-8")  # fmt: skip
    system = organization.system_service()
    result = import_records(system, ImportRecordsRequest("lead", path, duplicates="create"))
    assert result.created == 1
    ((line, code),) = [(row.line, row.error.code) for row in result.rows if row.error]
    assert (line, code) == (2, "0x80044331")  # longer than the column allows


HEADERS = st.lists(
    st.sampled_from(["subject", "lastname", "Topic", "Nom", "Revenue", "Rating",
                     "Décisionnaire ?", "Est. Close Date", "numberofemployees", "other"]),
    min_size=1, max_size=5,
)  # fmt: skip
CELLS = st.text(alphabet=st.sampled_from(list('ab1,;."\n\r é0/-\x00')), max_size=12)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    headers=HEADERS,
    rows=st.lists(st.lists(CELLS, max_size=6), max_size=5),
    separator=st.sampled_from([",", ";"]),
    garbage=st.binary(max_size=20),
)
def test_arbitrary_files_give_coded_errors_only(organization, headers, rows, separator, garbage):
    text = separator.join(headers) + "\n" + "\n".join(separator.join(r) for r in rows)
    system = organization.system_service()
    before = len(system.retrieve_multiple_all("lead"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        path.write_bytes(text.encode("utf-8") + garbage)
        try:
            result = import_records(system, ImportRecordsRequest("lead", path, duplicates="create"))
        except LeadgateError as error:
            assert error.code.startswith("0x")
            return
    assert all(row.error.code.startswith("0x") for row in result.rows)
    assert result.created == len(system.retrieve_multiple_all("lead")) - before


def test_a_slow_chunk_shrinks_the_next_and_a_fast_one_grows_it_back(organization, tmp_path,
                                                                     monkeypatch):  # fmt: skip
    from leadgate.platform.imports import importer
    from leadgate.platform.jobs.results import ItemOutcome, Outcome

    path = tmp_path / "f.csv"
    path.write_text("subject\n" + "".join(f"S{n}\n" for n in range(400)), encoding="utf-8")
    clock = {"now": 0.0, "per_row": 0.01}
    monkeypatch.setattr(importer.time, "monotonic", lambda: clock["now"])
    sizes: list[int] = []

    def run(items, _after, _result):  # slow, then 1 ms a row from the 150th on
        sizes.append(len(items))
        clock["now"] += clock["per_row"] * len(items)
        if sum(sizes) >= 150:
            clock["per_row"] = 0.001
        return [ItemOutcome(item, Outcome.SUCCEEDED) for item in items]

    lead = organization.metadata().table("lead")
    # A chunk of 2 that takes a second stays at 2: never more than the batch size.
    for batch, slow, expected in ((100, 0.01, [100, 50, 50, 100, 100]), (2, 0.5, [2] * 200)):
        sizes.clear()
        clock["per_row"] = slow
        with CsvSource(path) as source:
            mapping = map_columns(lead, source.headers)
            importer.import_rows(organization.metadata(), lead, source, mapping, "create", run,
                                 importer.ImportRecordsResult(), batch_size=batch,
                                 max_seconds=0.5)  # fmt: skip
        assert sizes == expected, batch
