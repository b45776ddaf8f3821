"""How much one query may ask through related records ($expand, navigation paths in
$filter), and the coded refusals past each limit (documented in docs/limits.md)."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = [
    "EXPANDED_TOO_MANY",
    "EXPAND_TOO_MANY",
    "MAX_EXPANDED_RECORDS",
    "MAX_EXPANSIONS",
    "MAX_NAVIGATION_MATCHES",
    "MAX_NAVIGATION_PATHS",
    "NAVIGATION_MATCHES_TOO_MANY",
    "NAVIGATION_PATHS_TOO_MANY",
]

MAX_EXPANSIONS = 15  # Dataverse's own limit of $expand options in one query
MAX_EXPANDED_RECORDS = 5000  # related records of one collection-valued property, per page
MAX_NAVIGATION_PATHS = 10  # a/b comparisons in one $filter: each is one more query
MAX_NAVIGATION_MATCHES = 5000  # related records one a/b comparison may keep

EXPAND_TOO_MANY = ErrorKind(
    "expand_too_many",
    "0x8F4C4753",
    N_("$expand names {count} navigation properties; at most {limit} are accepted in one query."),
)
EXPANDED_TOO_MANY = ErrorKind(
    "expanded_records_too_many",
    "0x8F4C4754",
    N_(
        "$expand of {property} finds more than {limit} related records for one page. Ask for "
        "smaller pages (Prefer: odata.maxpagesize) or narrow the expansion with $filter inside "
        "it."
    ),
)
NAVIGATION_MATCHES_TOO_MANY = ErrorKind(
    "navigation_matches_too_many",
    "0x8F4C4755",
    N_(
        "$filter compares {path}, which more than {limit} records of {table} satisfy. Narrow "
        "that comparison, or filter on the lookup's id (_{lookup}_value eq <GUID>)."
    ),
)
NAVIGATION_PATHS_TOO_MANY = ErrorKind(
    "navigation_paths_too_many",
    "0x8F4C4756",
    N_(
        "$filter goes through navigation properties (a/b) more than {limit} times; each costs "
        "one more query. Split the query or filter on the lookups' ids."
    ),
)
