"""``leadgate duplicates``: duplicate detection rules and the duplicates of a record
(REFERENCE §5).

A rule is a ``duplicaterule`` record with its conditions (``duplicaterulecondition``). These
commands read and change them as SYSTEM, and publish a rule with PublishDuplicateRule: a
system job whose batches each commit, so that publishing a large table shows its progress and
an interrupted one resumes where it stopped. ``find`` runs RetrieveDuplicates and ``detect``
BulkDetectDuplicates (a system job), with ``--as`` as a user, whose read rights then limit
what is searched and shown.

One module per part: ``finding`` (the ``duplicates`` command and ``find``, and how matches are
printed), ``detecting`` (``detect`` and ``results``), ``rules`` (the ``duplicates rules``
commands) and ``reading`` (rules read as records, found by name, and described).
"""

from __future__ import annotations

from leadgate.cli.duplicates import detecting as _detecting  # noqa: F401 (its commands)
from leadgate.cli.duplicates.finding import app, matches_of, print_duplicates
from leadgate.cli.duplicates.reading import OPERATORS, find_rule, operator_of, read_rules
from leadgate.cli.duplicates.rules import rules_app

__all__ = [
    "OPERATORS",
    "app",
    "find_rule",
    "matches_of",
    "operator_of",
    "print_duplicates",
    "read_rules",
    "rules_app",
]
