"""Customization's own refusals (leadgate codes 0x8F4C47A0-0x8F4C47A7 are this package's and
the command line's)."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = ["OPTION_LABEL_TAKEN"]

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
