"""The CSV import's refusals: of a whole file, of one of its rows, or of an uploaded file
(0x8F4C47D8-DB: its pieces, its content, its import)."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = ["IMPORT_FILE_CONTENT_DELETED", "IMPORT_FILE_SUBMITTED", "IMPORT_FILE_UNREADABLE",
           "IMPORT_MAPPING_INVALID", "IMPORT_NOTHING_MAPPED", "IMPORT_PIECE_OUT_OF_PLACE",
           "IMPORT_PIECE_TOO_LARGE", "IMPORT_ROW_SHAPE"]  # fmt: skip

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
IMPORT_FILE_SUBMITTED = ErrorKind(
    "import_file_submitted",
    "0x8F4C47D8",
    N_(
        "The file '{name}' was handed to an import already (system job {job}): nothing can be "
        "added to it, and it is imported once. Upload the file again for another import."
    ),
)
IMPORT_PIECE_OUT_OF_PLACE = ErrorKind(
    "import_piece_out_of_place",
    "0x8F4C47D9",
    N_(
        "This piece of the file '{name}' starts at byte {start}, but the file holds {size} "
        "bytes so far: each piece starts where the one before it ended."
    ),
)
IMPORT_PIECE_TOO_LARGE = ErrorKind(
    "import_piece_too_large",
    "0x8F4C47DA",
    N_("A piece of an uploaded file holds at most {limit} bytes; this one has {size}."),
)
IMPORT_FILE_CONTENT_DELETED = ErrorKind(
    "import_file_content_deleted",
    "0x8F4C47DB",
    N_(
        "The content of the file '{name}' was deleted on {date} (after its import succeeded, "
        "or by a cleanup): upload the file again to import it."
    ),
)
