"""A CSV file read row by row, never loaded whole: UTF-8 with or without a BOM, ``,`` or
``;`` (French spreadsheets) told from the header line, quoted fields with newlines.

The file is any binary stream — a file on disk, or an uploaded file read piece after piece
from the database (``files.StoredFile``). It is cut into physical lines here, each decoded
alone, so that each row comes with the line it starts on (what a person sees in a text
editor) and the exact byte where it ends: a job stores that position with the rows before
it, and a resumed run seeks there, past the rows already done, instead of reading them again.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.imports.errors import IMPORT_FILE_UNREADABLE

__all__ = ["CsvRow", "CsvSource", "ReadPosition", "separator_of"]

_BOM = b"\xef\xbb\xbf"
# A line longer than this is no spreadsheet's: refused rather than held in memory.
MAX_LINE = 16 * 2**20
# A line ended by a lone carriage return (old Mac files) is a line too, as Python reads text.
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def separator_of(header: str) -> str:
    """``;`` when the header line has more of them than commas outside quotes, else ``,``."""
    counts = {",": 0, ";": 0}
    quoted = False
    for character in header:
        if character == '"':
            quoted = not quoted
        elif not quoted and character in counts:
            counts[character] += 1
    return ";" if counts[";"] > counts[","] else ","


@dataclass(frozen=True)
class ReadPosition:
    """Where a reading is: ``line`` physical lines and ``offset`` bytes read, ``row`` data
    rows passed (blank lines aside). JSON-able, for a job's checkpoint."""

    line: int
    offset: int
    row: int

    def as_json(self) -> dict[str, int]:
        return {"line": self.line, "offset": self.offset, "row": self.row}

    @classmethod
    def from_json(cls, value: Any) -> ReadPosition:
        return cls(int(value["line"]), int(value["offset"]), int(value["row"]))


@dataclass(frozen=True)
class CsvRow:
    line: int  # the physical line the row starts on (1 is the header)
    number: int  # the row's rank among data rows, from 0: what start_row counts
    values: tuple[str, ...]
    bytes_read: int  # the byte where the row ends: a resumed reading starts here
    last_line: int = 0  # the physical line it ends on (a quoted field may hold newlines)

    @property
    def after(self) -> ReadPosition:
        """Where the reading is once this row is done."""
        return ReadPosition(self.last_line or self.line, self.bytes_read, self.number + 1)


class _Lines:
    """The physical lines of a UTF-8 byte stream as text, counting lines and bytes: after
    the csv module has taken a row, ``line`` and ``offset`` are exactly where it ended."""

    def __init__(self, stream: BinaryIO, line: int, offset: int) -> None:
        self.stream = stream
        self.line = line
        self.offset = offset
        self._pending: list[str] = []  # pieces of a line cut at lone carriage returns

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._pending:
            text = self._pending.pop()
            self.offset += len(text.encode("utf-8"))
            self.line += 1
            return text
        raw = self.stream.readline(MAX_LINE)
        if not raw:
            raise StopIteration
        if len(raw) >= MAX_LINE and not raw.endswith(b"\n"):
            raise IMPORT_FILE_UNREADABLE(line=self.line + 1, reason=Text(
                N_("a line is longer than {size} MiB."), size=MAX_LINE // 2**20))  # fmt: skip
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _unreadable(self.line + 1, error) from None
        if "\r" in text and not (text.endswith("\r\n") and text.count("\r") == 1):
            pieces = _LINES.findall(text)
            self._pending = pieces[:0:-1]  # the rest, last first (popped from the end)
            text = pieces[0]
            self.offset += len(text.encode("utf-8"))
        else:
            self.offset += len(raw)
        self.line += 1
        return text


class CsvSource:
    """The header and the data rows of one CSV file, streamed: open it with ``with``.

    ``source``: a path, or an open binary stream that can seek (then ``total_bytes`` is its
    size, for progress); a stream is not closed here."""

    def __init__(self, source: Path | str | BinaryIO, total_bytes: int | None = None) -> None:
        self.path: Path | None = None
        self._stream: BinaryIO | None = None
        if isinstance(source, (str, Path)):
            self.path = Path(source)
            self.total_bytes = self.path.stat().st_size
        else:
            self._stream = source
            self.total_bytes = total_bytes or 0
        self.headers: tuple[str, ...] = ()
        self.separator = ","
        self.start = ReadPosition(1, 0, 0)  # where the data rows begin, after the header
        self._raw: BinaryIO | None = None
        self._lines: _Lines | None = None

    def __enter__(self) -> CsvSource:
        """Open the file and read its header; a file that is not UTF-8 or not CSV, or is
        empty, raises a coded error."""
        self._raw = raw = self.path.open("rb") if self.path is not None else self._stream
        assert raw is not None
        try:
            raw.seek(0)
            skip = len(_BOM) if raw.read(len(_BOM)) == _BOM else 0
            raw.seek(skip)
            lines = _Lines(raw, 0, skip)
            first = next(lines, None)
            if first is None:
                raise IMPORT_FILE_UNREADABLE(line=1, reason=Text(N_("the file is empty.")))
            self.separator = separator_of(first)
            header = self._next(csv.reader(itertools.chain([first], lines),
                                           **self._dialect()), 1)  # fmt: skip
        except BaseException:
            self._close()
            raise
        self.headers = tuple(cell.strip() for cell in header or ())
        self.start = ReadPosition(lines.line, lines.offset, 0)
        self._lines = lines
        return self

    def __exit__(self, *_exc: object) -> None:
        self._close()

    def _close(self) -> None:
        if self.path is not None and self._raw is not None:
            self._raw.close()

    def _dialect(self) -> dict[str, Any]:
        return {"delimiter": self.separator, "quotechar": '"', "strict": False}

    @staticmethod
    def _next(reader: Any, line: int) -> list[str] | None:
        try:
            return next(reader, None)
        except csv.Error as error:
            raise _unreadable(line, error) from None

    def rows(self, start: ReadPosition | None = None) -> Iterator[CsvRow]:
        """The data rows, blank lines passed over; from ``start`` (a row's ``after``, as a
        job stored it) instead of just after the header."""
        assert self._raw is not None and self._lines is not None, "open it with 'with'"
        lines = self._lines
        if start is not None and start.offset != lines.offset:
            self._raw.seek(start.offset)
            lines = self._lines = _Lines(self._raw, start.line, start.offset)
        number = start.row if start is not None else self.start.row
        reader = csv.reader(lines, **self._dialect())
        while True:
            first = lines.line + 1
            values = self._next(reader, first)
            if values is None:
                return
            if not any(value.strip() for value in values):
                continue  # a blank line is no row (spreadsheets leave them at the end)
            yield CsvRow(first, number, tuple(values), lines.offset, lines.line)
            number += 1


def _unreadable(line: int, error: Exception) -> Exception:
    if isinstance(error, UnicodeDecodeError):
        reason = Text(N_("it is not UTF-8 text."))
    elif "field limit" in str(error):  # a quoted field running on over many lines
        reason = Text(N_("a field is longer than {size} MiB."), size=MAX_LINE // 2**20)
    else:  # the csv module's other refusals are English only: said in the reader's words
        reason = Text(N_("the line is not valid CSV."))
    return IMPORT_FILE_UNREADABLE(line=line, reason=reason)


# Python reads no field past 128 KiB by default; a cell may be as long as a line may.
csv.field_size_limit(MAX_LINE)
