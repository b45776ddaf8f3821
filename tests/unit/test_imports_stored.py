"""An uploaded file read piece after piece reads as the file itself, whatever the pieces' size
(a quoted field, a line, a UTF-8 character cut between two pieces), and a reading resumed at
a row's end position gives the rows after it, with their lines: the CSV module reading the
whole text is the oracle."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from leadgate.platform import LeadgateError
from leadgate.platform.imports.files import RetrieveImportFileChunkResponse, StoredFile
from leadgate.platform.imports.reading import CsvRow, CsvSource

BOM = b"\xef\xbb\xbf"


def stored(content: bytes, piece: int) -> tuple[io.BufferedReader, list[int]]:
    """``content`` as the database would hand it out, ``piece`` bytes at a time; the list
    counts the pieces asked for."""
    asked: list[int] = []

    def read_piece(position: int) -> RetrieveImportFileChunkResponse:
        asked.append(position)
        start = position - position % piece
        return RetrieveImportFileChunkResponse(content[start : start + piece], start, len(content))

    return io.BufferedReader(StoredFile(read_piece, read_piece(0)), 16), asked


def rows_of(stream: io.BufferedReader | Path, size: int | None = None) -> list[CsvRow]:
    with CsvSource(stream, size) as source:  # type: ignore[arg-type]
        return [source.headers, *source.rows()]  # type: ignore[list-item]


CELLS = st.text(alphabet=st.sampled_from(list('ab;,"\n\r é€0 ')), max_size=8)


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(st.lists(CELLS, min_size=2, max_size=2), max_size=6),
    separator=st.sampled_from([",", ";"]),
    ending=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
    piece=st.integers(min_value=1, max_value=24),
)
def test_pieces_of_any_size_read_as_the_whole_file(rows, separator, ending, bom, piece):
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=separator, lineterminator=ending)
    writer.writerow(["h1", "h2"])
    writer.writerows(rows)
    content = (BOM if bom else b"") + text.getvalue().encode("utf-8")
    oracle = [
        row
        for row in csv.reader(io.StringIO(text.getvalue(), newline=""), delimiter=separator)
        if any(c.strip() for c in row)
    ]
    stream, _ = stored(content, piece)
    headers, *read = rows_of(stream, len(content))
    assert [headers, *(row.values for row in read)] == [tuple(row) for row in oracle]
    assert [row.number for row in read] == list(range(len(read)))
    assert all(row.bytes_read <= len(content) for row in read)
    # Resumed after each row: the same rows after it, with the same lines and numbers.
    for done, row in enumerate(read):
        again, _ = stored(content, piece)
        with CsvSource(again, len(content)) as source:
            assert list(source.rows(row.after)) == read[done + 1 :]


def test_a_quoted_field_with_a_newline_across_pieces(tmp_path):
    content = b'a;b\n1;"first line\nsecond; line"\n2;z\n'
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    stream, asked = stored(content, 7)  # the field spans pieces 1 to 4
    read = rows_of(stream, len(content))
    assert read == rows_of(path)
    assert [(row.line, row.last_line, row.values) for row in read[1:]] == [
        (2, 3, ("1", "first line\nsecond; line")), (4, 4, ("2", "z")),
    ]  # fmt: skip
    assert len(asked) == len(content) // 7 + 1  # each piece asked for once


def test_old_mac_line_endings_and_a_character_cut_between_pieces():
    content = "a,b\r1,é\r2,€\r".encode()
    stream, _ = stored(content, 5)  # "é" and "€" straddle piece boundaries
    _, *read = rows_of(stream, len(content))
    assert [(row.line, row.values, row.bytes_read) for row in read] == [
        (2, ("1", "é"), 9), (3, ("2", "€"), len(content)),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("content", "line"), [(b"a,b\n1,2\n3,\xff\n", 3), (b"", 1)]
)  # fmt: skip
def test_unreadable_files_say_the_line(content, line):
    stream, _ = stored(content, 4)
    with pytest.raises(LeadgateError) as refused:
        rows_of(stream, len(content))
    assert refused.value.code == "0x8F4C47ED"
    assert f"line {line}" in refused.value.message()
