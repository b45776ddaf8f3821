"""Customization's own refusals (leadgate codes 0x8F4C47A0-0x8F4C47A7 are this package's and
the command line's)."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = [
    "KEY_COLUMN_NOT_VALID",
    "KEY_NOT_FOUND",
    "KEY_NOT_REMOVABLE",
    "KEY_VALUES_NOT_UNIQUE",
    "OPTION_LABEL_TAKEN",
]

# Two values with one label cannot be told apart in a list, a form or a command that takes a
# label (leadgate leads disqualify --reason): a new choice needs a label of its own.
OPTION_LABEL_TAKEN = ErrorKind(
    "option_label_taken",
    "0x8F4C47A0",
    N_(
        "The column '{column}' of table '{table}' already has the choice '{label}' (value "
        "{value}): give the new choice another label."
    ),
)

# --- alternate keys (customization/keys.py; 0x8F4C4742-0x8F4C4747, with records/keys.py) ----
KEY_VALUES_NOT_UNIQUE = ErrorKind(
    "key_values_not_unique",
    "0x8F4C4743",
    N_(
        "The key '{key}' cannot be added to the table '{table}': {count} set(s) of values of "
        "{columns} are held by more than one record, for example {examples}. Make them unique "
        "(or empty), then {then}."
    ),
)
KEY_COLUMN_NOT_VALID = ErrorKind(
    "key_column_not_valid",
    "0x8F4C4744",
    N_(
        "The column '{column}' of the table '{table}' cannot be part of an alternate key: it is "
        "{type}. Keys are made of text, whole number, decimal, date and time, choice and "
        "lookup columns that people set."
    ),
)
KEY_NOT_FOUND = ErrorKind(
    "key_not_found",
    "0x8F4C4746",
    N_("The table '{table}' has no alternate key named '{key}'. Its keys: {keys}."),
)
KEY_NOT_REMOVABLE = ErrorKind(
    "key_not_removable",
    "0x8F4C4747",
    N_(
        "The key '{key}' of the table '{table}' comes with the table's solution, which relies "
        "on it; only keys that administrators added can be removed."
    ),
)
