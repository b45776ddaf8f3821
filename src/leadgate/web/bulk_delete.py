"""``POST /BulkDelete``: Dataverse's bulk deletion job, as Microsoft's SDK sends it for
``client.records.delete(table, [ids])`` (CLIENTS.md §1, item 9): one QueryExpression in
``QuerySet``, answered ``{"JobId": …}`` at once; the records go when a worker runs the job
(platform/records/bulk_delete.py). The job runs once (no ``RecurrencePattern``); e-mail
notification is not sent.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.query import ConditionExpression, FilterExpression, QueryExpression
from leadgate.platform.records.bulk_delete import BulkDeleteRequest
from leadgate.web.actions import NAMESPACE
from leadgate.web.auth import SignedInRoute
from leadgate.web.options import read_options
from leadgate.web.payload import parse_json_object
from leadgate.web.resources import API_PATH, api_root
from leadgate.web.responses import json_response
from leadgate.web.routes import RawBody, SignedIn

__all__ = ["router"]

router = APIRouter(prefix=API_PATH, route_class=SignedInRoute)

ACTION = "BulkDelete"
# QueryExpression's ConditionOperator names, as the SDK and Dataverse's JSON send them.
_OPERATORS = {
    "Equal": "eq", "NotEqual": "ne", "GreaterThan": "gt", "GreaterEqual": "ge",
    "LessThan": "lt", "LessEqual": "le", "In": "in", "NotIn": "not_in", "Null": "null",
    "NotNull": "not_null", "Like": "like", "NotLike": "not_like", "BeginsWith": "begins_with",
    "EndsWith": "ends_with", "Contains": "contains", "Between": "between",
}  # fmt: skip
_TYPES = {"System.Guid": uuid.UUID, "System.Int32": int, "System.Int64": int}
MAX_DEPTH = 8  # nested filters


def _refuse(text: str, /, **params: Any) -> errors.LeadgateError:
    return errors.INVALID_PAYLOAD(table=ACTION, detail=Text(text, **params))


def _value(item: Any) -> Any:
    """A condition's value: ``{"Value": …, "Type": "System.Guid"}`` or the bare value."""
    if not isinstance(item, dict):
        return item
    value, kind = item.get("Value"), _TYPES.get(str(item.get("Type")))
    if kind is None or value is None:
        return value
    try:
        return kind(str(value))
    except ValueError:
        raise _refuse(
            N_("the value '{value}' is not a {type}."),
            value=str(value)[:60],
            type=item.get("Type"),
        ) from None


def _condition(data: Any) -> ConditionExpression:
    if not isinstance(data, dict) or not isinstance(data.get("AttributeName"), str):
        raise _refuse(N_("a condition names its column in AttributeName."))
    operator = _OPERATORS.get(str(data.get("Operator", "Equal")))
    if operator is None:
        raise _refuse(
            N_("the operator '{operator}' is not one leadgate runs; it runs: {known}."),
            operator=str(data.get("Operator"))[:40],
            known=", ".join(_OPERATORS),
        )
    values = data.get("Values") or []
    if not isinstance(values, list):
        raise _refuse(N_("Values is a list."))
    return ConditionExpression(data["AttributeName"].lower(), operator, tuple(map(_value, values)))


def _filter(data: Any, depth: int = 0) -> FilterExpression:
    if data is None:
        return FilterExpression()
    if not isinstance(data, dict) or depth > MAX_DEPTH:
        raise _refuse(N_("Criteria is a FilterExpression, nested {most} levels at most."),
                      most=MAX_DEPTH)  # fmt: skip
    operator = str(data.get("FilterOperator", "And")).lower()
    if operator not in ("and", "or"):
        raise _refuse(N_("FilterOperator is And or Or."))
    conditions, filters = data.get("Conditions") or [], data.get("Filters") or []
    if not isinstance(conditions, list) or not isinstance(filters, list):
        raise _refuse(N_("Conditions and Filters are lists."))
    return FilterExpression(
        operator,
        tuple(map(_condition, conditions)),
        tuple(_filter(item, depth + 1) for item in filters),
    )


def bulk_delete_request(body: dict[str, Any]) -> BulkDeleteRequest:
    """The message a BulkDelete body asks for."""
    queries = body.get("QuerySet")
    if not isinstance(queries, list) or len(queries) != 1 or not isinstance(queries[0], dict):
        raise _refuse(N_("QuerySet holds one QueryExpression (send one BulkDelete per table)."))
    if str(body.get("RecurrencePattern") or "").strip():
        raise _refuse(N_("leadgate runs a bulk deletion once: leave RecurrencePattern empty."))
    query = queries[0]
    table = query.get("EntityName")
    if not isinstance(table, str) or not table:
        raise _refuse(N_("the QueryExpression names its table in EntityName."))
    criteria = _filter(query.get("Criteria"))
    name = body.get("JobName") if isinstance(body.get("JobName"), str) else None
    return BulkDeleteRequest(QueryExpression(table.lower(), criteria=criteria), name)


@router.post(f"/{ACTION}")
@router.post(f"/{NAMESPACE}{ACTION}")
def bulk_delete(request: Request, session: SignedIn, raw: RawBody) -> Response:
    read_options(request.query_params, frozenset())
    body = parse_json_object(raw, request.headers.get("content-type"), ACTION)
    job = session.service.execute(bulk_delete_request(body)).job_id
    context = f"{api_root(request)}/$metadata#{NAMESPACE}BulkDeleteResponse"
    return json_response({"@odata.context": context, "JobId": str(job)})
