"""The CSV import's refusals: of a whole file, or of one of its rows."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = ["IMPORT_FILE_UNREADABLE", "IMPORT_MAPPING_INVALID", "IMPORT_NOTHING_MAPPED",
           "IMPORT_ROW_SHAPE"]  # fmt: skip

IMPORT_NOTHING_MAPPED = ErrorKind(
    "import_nothing_mapped",
    "0x8F4C47EC",
    N_(
        "None of the file's columns matches a column of {table} (by its name or its label): "
        "{headers}. Name them as the table's columns, or map them with col=column."
    ),
)
IMPORT_FILE_UNREADABLE = ErrorKind(
    "import_file_unreadable",
    "0x8F4C47ED",
    N_("The file cannot be read as CSV at line {line}: {reason}"),
)
IMPORT_ROW_SHAPE = ErrorKind(
    "import_row_shape",
    "0x8F4C47EE",
    N_("This line has {found} values where the header has {expected}."),
)
IMPORT_MAPPING_INVALID = ErrorKind(
    "import_mapping_invalid",
    "0x8F4C47EF",
    N_("The mapping '{pair}' cannot be used: {reason}"),
)
