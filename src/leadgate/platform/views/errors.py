"""Views' and forms' refusals (leadgate codes 0x8F4C47B0-0x8F4C47B7 are this package's).

``{document}`` is the column that holds the document an administrator edits: ``fetchxml``,
``layoutxml`` or ``formjson``.
"""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = [
    "DOCUMENT_TOO_LARGE",
    "DOCUMENT_UNSAFE",
    "INVALID_DOCUMENT",
    "LAYOUT_COLUMN_NOT_FETCHED",
    "UNKNOWN_DOCUMENT_COLUMN",
    "UNKNOWN_DOCUMENT_TABLE",
    "WRONG_DOCUMENT_TABLE",
]

INVALID_DOCUMENT = ErrorKind(
    "invalid_view_document",
    "0x8F4C47B0",
    N_("The {document} cannot be read: {reason}"),
)
DOCUMENT_TOO_LARGE = ErrorKind(
    "view_document_too_large",
    "0x8F4C47B1",
    N_("The {document} is {size} bytes long; at most {limit} bytes are accepted."),
)
# Entities and DOCTYPEs are how XML bombs and external file reads are written; FetchXML and
# layout XML need neither, so they are refused before anything is expanded.
DOCUMENT_UNSAFE = ErrorKind(
    "view_document_unsafe",
    "0x8F4C47B2",
    N_(
        "The {document} declares a DOCTYPE, an entity or an external reference, which leadgate "
        "does not accept: remove it."
    ),
)
UNKNOWN_DOCUMENT_TABLE = ErrorKind(
    "view_document_unknown_table",
    "0x8F4C47B3",
    N_("The {document} names the table '{table}', which does not exist."),
)
UNKNOWN_DOCUMENT_COLUMN = ErrorKind(
    "view_document_unknown_column",
    "0x8F4C47B4",
    N_("The {document} names the column '{column}', which the table '{table}' does not have."),
)
LAYOUT_COLUMN_NOT_FETCHED = ErrorKind(
    "layout_column_not_fetched",
    "0x8F4C47B5",
    N_(
        "The layoutxml shows the column '{column}', which the fetchxml does not read: add "
        '<attribute name="{column}"/> to the fetchxml, or remove the cell.'
    ),
)
WRONG_DOCUMENT_TABLE = ErrorKind(
    "view_document_wrong_table",
    "0x8F4C47B6",
    N_("The {document} is about the table '{found}', but the record is for the table '{table}'."),
)
