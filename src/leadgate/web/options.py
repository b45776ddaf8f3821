"""OData system query options: which each route accepts, and what they ask for.

An option the server does not know is refused rather than ignored, so a client never
mistakes a partial answer for the one it asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import QueryParams

from leadgate.platform import OrderExpression
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata.model import ColumnMetadata, TableMetadata
from leadgate.web.errors import bad_query
from leadgate.web.limits import MAX_ORDER_TERMS, TOO_MANY_ORDER_TERMS
from leadgate.web.resources import resolve_property

__all__ = [
    "COLLECTION_OPTIONS",
    "READ_RECORD_OPTIONS",
    "RECORD_OPTIONS",
    "QueryOptions",
    "is_number",
    "parse_orderby",
    "parse_select",
    "read_options",
]

KNOWN = ("$select", "$filter", "$orderby", "$top", "$count", "$skiptoken", "$expand")
COLLECTION_OPTIONS = frozenset(KNOWN)
READ_RECORD_OPTIONS = frozenset({"$select", "$expand"})
RECORD_OPTIONS = frozenset({"$select"})  # a write answering with its record (return=representation)
# Dataverse's own query parameters, without a $: each asks for a different query than the
# URL's options. An entity set's GET reads fetchXml and savedQuery (web/fetch_queries.py);
# elsewhere, and for the two leadgate does not run (Dataverse SQL, personal views), ignoring
# one as any other custom option would answer something else than what was asked.
QUERY_PARAMETERS = {
    "fetchxml": "fetchXml",
    "sql": "sql",
    "savedquery": "savedQuery",
    "userquery": "userQuery",
}
READ_BY_ENTITY_SETS = ("fetchXml", "savedQuery")


@dataclass(frozen=True)
class QueryOptions:
    select: str | None = None
    filter: str | None = None
    orderby: str | None = None
    top: int | None = None
    count: bool = False
    skiptoken: str | None = None
    expand: str | None = None


def read_options(params: QueryParams, allowed: frozenset[str]) -> QueryOptions:
    """The system query options of a request; 400 for unknown, repeated or misplaced ones."""
    seen: dict[str, str] = {}
    for name, value in params.multi_items():
        if QUERY_PARAMETERS.get(name.lower()) in READ_BY_ENTITY_SETS:
            raise bad_query(
                N_("{parameter} is read by an entity set's GET only, such as leads?{parameter}=…"),
                parameter=QUERY_PARAMETERS[name.lower()],
            )
        if name.lower() in QUERY_PARAMETERS:
            raise bad_query(
                N_(
                    "leadgate does not run {parameter} queries: ask with $select, $filter, "
                    "$orderby, $top and $expand, or with fetchXml, instead."
                ),
                parameter=QUERY_PARAMETERS[name.lower()],
            )
        if not name.startswith("$"):
            continue  # custom query options are the client's own (OData 4.0 §5.2)
        if name not in KNOWN:
            raise bad_query(
                N_("the query option '{option}' is not supported. Supported: {supported}."),
                option=name[:40],
                supported=", ".join(sorted(allowed)),
            )
        if name not in allowed:
            raise bad_query(
                N_("the query option '{option}' cannot be used here."),
                option=name,
            )
        if name in seen:
            raise bad_query(
                N_("the query option '{option}' is given twice."),
                option=name,
            )
        seen[name] = value
    return QueryOptions(
        select=seen.get("$select"),
        filter=seen.get("$filter"),
        orderby=seen.get("$orderby"),
        top=_top(seen.get("$top")),
        count=_count(seen.get("$count")),
        skiptoken=seen.get("$skiptoken"),
        expand=seen.get("$expand"),
    )


def _top(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip()
    if not is_number(text) or len(text) > 9:
        raise bad_query(
            N_("$top needs a whole number from 0, not '{value}'."),
            value=value[:40],
        )
    return int(text)


def is_number(text: str) -> bool:
    """Digits 0-9 only: str.isdigit alone also takes '¹' (which int() refuses) and '٣' (which
    int() reads as 3), neither a number in a URL or a header."""
    return text.isascii() and text.isdigit()


def _count(value: str | None) -> bool:
    if value is None:
        return False
    if value.strip().lower() not in ("true", "false"):
        raise bad_query(
            N_("$count is true or false, not '{value}'."),
            value=value[:40],
        )
    return value.strip().lower() == "true"


def parse_select(table: TableMetadata, value: str | None) -> list[ColumnMetadata] | None:
    """The columns $select names (None: all of them)."""
    if value is None:
        return None
    names = [name.strip() for name in value.split(",")]
    if not any(names) or not all(names):
        raise bad_query(
            N_("$select needs column names separated by commas."),
        )
    if "*" in names:
        return None
    selected: list[ColumnMetadata] = []
    for name in names:
        column = resolve_property(table, name)
        if column not in selected:
            selected.append(column)
    return selected


def parse_orderby(table: TableMetadata, value: str | None) -> tuple[OrderExpression, ...]:
    """``$orderby=name asc,createdon desc``."""
    if value is None:
        return ()
    parts = value.split(",")
    if len(parts) > MAX_ORDER_TERMS:
        raise TOO_MANY_ORDER_TERMS(count=len(parts), limit=MAX_ORDER_TERMS)
    orders = []
    for part in parts:
        words = part.split()
        direction = words[1].lower() if len(words) == 2 else "asc"
        if not 1 <= len(words) <= 2 or direction not in ("asc", "desc"):
            raise bad_query(
                N_(
                    "$orderby needs 'column', 'column asc' or 'column desc', separated by commas; "
                    "'{part}' is none of them."
                ),
                part=part.strip()[:60],
            )
        column = resolve_property(table, words[0])
        orders.append(OrderExpression(column.name, direction == "desc"))
    return tuple(orders)
