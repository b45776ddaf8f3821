"""How much one request may ask of the server, and the coded refusals past each limit.

Each limit keeps a hostile or mistaken request from costing memory, stack or database time
out of proportion to what any client needs; each is documented in ``docs/limits.md``, and
every refusal is a 4xx with a coded error, never a 500. The request body limit is enforced
by ``web.body_limit.BodyLimit`` before a route reads a byte of the body. This module loads
no web framework, so that the CLI can show the defaults.
"""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = [
    "BATCH_BODY_OPTION",
    "BATCH_SUFFIX",
    "BODY_OPTION",
    "DEFAULT_MAX_BATCH_BODY_SIZE",
    "DEFAULT_MAX_BODY_SIZE",
    "FILTER_TOO_COMPLEX",
    "FILTER_TOO_DEEP",
    "JSON_TOO_DEEP",
    "MAX_BATCH_REQUESTS",
    "MAX_FILTER_CONDITIONS",
    "MAX_FILTER_NESTING",
    "MAX_JSON_DEPTH",
    "MAX_ORDER_TERMS",
    "REQUEST_TOO_LARGE",
    "TOO_MANY_ORDER_TERMS",
]

DEFAULT_MAX_BODY_SIZE = 4 * 1024 * 1024  # 4 MiB: thousands of records' worth of JSON
DEFAULT_MAX_BATCH_BODY_SIZE = 32 * 1024 * 1024  # $batch carries many requests in one body
BODY_OPTION = "--max-body-size"
BATCH_BODY_OPTION = "--max-batch-body-size"
BATCH_SUFFIX = "/$batch"
MAX_BATCH_REQUESTS = 1000  # Dataverse's limit: requests in one $batch, change sets' included

MAX_JSON_DEPTH = 64  # Dataverse bodies nest a record in an action parameter: 3 levels
MAX_FILTER_CONDITIONS = 500  # comparisons and functions; each value of an 'in' list counts
MAX_FILTER_NESTING = 32  # each 'not', and each switch between 'and' and 'or', is a level
MAX_ORDER_TERMS = 32

REQUEST_TOO_LARGE = ErrorKind(
    "request_too_large",
    "0x8F4C4780",
    N_(
        "The request body is larger than this server accepts here: at most {limit} bytes. "
        "Send less in one request, or ask the administrator to raise the limit "
        "(leadgate serve {option})."
    ),
)
JSON_TOO_DEEP = ErrorKind(
    "json_too_deep",
    "0x8F4C4781",
    N_(
        "The JSON of the request nests objects and arrays more than {limit} levels deep; "
        "no Dataverse message needs more than a few."
    ),
)
FILTER_TOO_COMPLEX = ErrorKind(
    "filter_too_complex",
    "0x8F4C4782",
    N_(
        "$filter has more than {limit} conditions (each value of an 'in' list counts as one). "
        "Split the query into several requests."
    ),
)
FILTER_TOO_DEEP = ErrorKind(
    "filter_too_deep",
    "0x8F4C4783",
    N_(
        "$filter nests its conditions more than {limit} levels deep (each 'not', and each "
        "switch between 'and' and 'or', is a level). Write it with fewer levels."
    ),
)
TOO_MANY_ORDER_TERMS = ErrorKind(
    "too_many_order_terms",
    "0x8F4C4784",
    N_("$orderby names {count} columns; at most {limit} are accepted."),
)
