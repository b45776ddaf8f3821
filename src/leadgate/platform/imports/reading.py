"""A CSV file read row by row, never loaded whole: UTF-8 with or without a BOM, ``,`` or
``;`` (French spreadsheets) told from the header line, quoted fields with newlines.

Each row comes with the physical line it starts on, so that a report points at the line a
person sees in a text editor, and with the bytes read so far, for a progress bar.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.imports.errors import IMPORT_FILE_UNREADABLE

__all__ = ["CsvRow", "CsvSource", "separator_of"]

_BOM = b"\xef\xbb\xbf"


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
class CsvRow:
    line: int  # the physical line the row starts on (1 is the header)
    number: int  # the row's rank among data rows, from 0: what start_row counts
    values: tuple[str, ...]
    bytes_read: int


class CsvSource:
    """The header and the data rows of one CSV file, streamed: open it with ``with``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.total_bytes = self.path.stat().st_size
        self.headers: tuple[str, ...] = ()
        self._raw: BinaryIO | None = None
        self._reader: Any = None

    def __enter__(self) -> CsvSource:
        """Open the file and read its header; a file that is not UTF-8 or not CSV, or is
        empty, raises a coded error."""
        self._raw = raw = self.path.open("rb")
        try:
            first = raw.read(4096)
            raw.seek(len(_BOM) if first.startswith(_BOM) else 0)
            head = first.removeprefix(_BOM).decode("utf-8", errors="ignore").splitlines()
            separator = separator_of(head[0] if head else "")
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            self._reader = csv.reader(text, delimiter=separator, quotechar='"', strict=False)
            try:
                header = next(self._reader, None)
            except (csv.Error, UnicodeDecodeError) as error:
                raise _unreadable(1, error) from None
            if header is None:
                raise IMPORT_FILE_UNREADABLE(line=1, reason=Text(N_("the file is empty.")))
        except BaseException:
            raw.close()
            raise
        self.headers = tuple(cell.strip() for cell in header)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._raw is not None:
            self._raw.close()

    def rows(self) -> Iterator[CsvRow]:
        """The data rows, blank lines passed over."""
        assert self._raw is not None and self._reader is not None, "open it with 'with'"
        reader, raw = self._reader, self._raw
        number = 0
        line = reader.line_num
        while True:
            start = line + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as error:
                raise _unreadable(start, error) from None
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue  # a blank line is no row (spreadsheets leave them at the end)
            yield CsvRow(start, number, tuple(values), raw.tell())
            number += 1


def _unreadable(line: int, error: Exception) -> Exception:
    reason = (
        Text(N_("it is not UTF-8 text."))
        if isinstance(error, UnicodeDecodeError)
        else Text(N_("{detail}."), detail=str(error))
    )
    return IMPORT_FILE_UNREADABLE(line=line, reason=reason)
