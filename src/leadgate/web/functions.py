"""Unbound functions with parameters: ``GET /RetrieveDuplicates(BusinessEntity=@p1,…)``.

OData writes a function's parameters in the URL, each a literal (``'account'``, a JSON
object) or an alias (``@p1``) whose value is in the query string:
``RetrieveDuplicates(BusinessEntity=@p1,MatchingEntityName=@p2,PagingInfo=@p3)?@p1={…}``.
These routes come before the entity sets', so that a function never reads as one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from leadgate.platform import Entity, EntityReference, PagingInfo
from leadgate.platform.audit import RetrieveRecordChangeHistoryRequest
from leadgate.platform.duplicates.matchcodes import DuplicateMatch
from leadgate.platform.duplicates.messages import RetrieveDuplicatesRequest
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata.model import MetadataSet, TableMetadata
from leadgate.web.actions import NAMESPACE, ODATA_TYPE, record_table
from leadgate.web.auth import SignedInRoute
from leadgate.web.entity_definitions import LANGUAGE_CODES
from leadgate.web.errors import bad_query
from leadgate.web.headers import DEFAULT_PAGE_SIZE
from leadgate.web.limits import JSON_TOO_DEEP, MAX_JSON_DEPTH
from leadgate.web.operations import FUNCTIONS
from leadgate.web.options import read_options
from leadgate.web.payload import check_json, entity_from_body
from leadgate.web.resources import API_PATH, api_root, parse_guid
from leadgate.web.responses import json_response
from leadgate.web.routes import SignedIn

__all__ = [
    "RULE_ANNOTATION",
    "RULE_ID_ANNOTATION",
    "json_parameter",
    "parse_call",
    "router",
    "typed_record",
]

router = APIRouter(prefix=API_PATH, route_class=SignedInRoute)

# leadgate's own instance annotations on each duplicate: the rule that found it.
RULE_ANNOTATION = "@leadgate.duplicaterule"
RULE_ID_ANNOTATION = "@leadgate.duplicateruleid"
MORE_RECORDS = "@Microsoft.Dynamics.CRM.morerecords"
_CLOSING = {"{": "}", "[": "]"}


def _literal_end(text: str, start: int) -> int:
    """Where the literal starting at ``start`` ends: a quoted string, a JSON object or array
    (commas inside them do not end it), or anything up to the next comma."""
    opening = text[start] if start < len(text) else ""
    if opening == "'":
        index = start + 1
        while index < len(text):
            if text[index] == "'":
                if text[index + 1 : index + 2] != "'":
                    return index + 1
                index += 1  # '' is a quote inside the string
            index += 1
        return -1
    if opening in _CLOSING:
        depth, quoted, index = 0, False, start
        while index < len(text):
            char = text[index]
            if quoted:
                if char == "\\":
                    index += 1
                elif char == '"':
                    quoted = False
            elif char == '"':
                quoted = True
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    return index + 1
            index += 1
        return -1
    end = text.find(",", start)
    return len(text) if end == -1 else end


def parse_call(function: str, text: str, query: Mapping[str, str]) -> dict[str, str]:
    """The parameters of a call, ``Name=literal`` or ``Name=@alias`` separated by commas,
    each as the literal's text (an alias is replaced by its value in the query string)."""
    found: dict[str, str] = {}
    index = 0
    while index < len(text):
        equals = text.find("=", index)
        name = text[index:equals].strip() if equals != -1 else ""
        end = _literal_end(text, equals + 1) if name.isidentifier() else -1
        if end == -1 or (end < len(text) and text[end] != ","):
            raise bad_query(
                N_("the parameters of {function} are written Name=value or Name=@alias, "
                   "separated by commas; '{text}' is not."),
                function=function, text=text[index:][:80],
            )  # fmt: skip
        if name in found:
            raise bad_query(N_("the parameter {name} is given twice."), name=name)
        value = text[equals + 1 : end].strip()
        if value.startswith("@"):
            if value not in query:
                raise bad_query(
                    N_("the parameter alias {alias} has no value in the query string."),
                    alias=value,
                )
            value = query[value].strip()
        found[name] = value
        index = end + 1
    return found


def json_parameter(name: str, text: str, example: str) -> Any:
    """A parameter written as JSON (a record, PagingInfo): 400 when it is not JSON, is too
    deep, or holds text that is not Unicode; ``example`` shows what it takes."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JSON_TOO_DEEP(limit=MAX_JSON_DEPTH) from None
    except ValueError:
        raise bad_query(
            N_("the parameter {name} takes a JSON value such as {example}, not {value}."),
            name=name, example=example, value=text[:80],
        ) from None  # fmt: skip
    if check_json(value):
        # A lone surrogate (JSON's "\ud800") is no character: no database can store it.
        raise bad_query(N_("the parameter {name} holds text that is not valid Unicode."),
                        name=name)  # fmt: skip
    return value


def typed_record(
    metadata: MetadataSet, name: str, text: str, example: str
) -> tuple[dict[str, Any], TableMetadata]:
    """A parameter that is a record in JSON, and the table its ``@odata.type`` names."""
    value = json_parameter(name, text, example)
    if not isinstance(value, dict):
        raise bad_query(
            N_("the parameter {name} takes a record, e.g. {{\"@odata.type\": "
               "\"Microsoft.Dynamics.CRM.account\", \"accountid\": \"<GUID>\"}}, not {value}."),
            name=name, value=text[:80],
        )  # fmt: skip
    table = record_table(metadata, value)
    if table is None:
        raise bad_query(
            N_("the parameter {name} must name its table, e.g. \"@odata.type\": "
               "\"Microsoft.Dynamics.CRM.account\" (given: {type})."),
            name=name, type=json.dumps(value.get(ODATA_TYPE))[:80],
        )  # fmt: skip
    return value, table


def _business_entity(metadata: MetadataSet, name: str, text: str) -> Entity:
    """The record to check: a stored one (its key; values given override its own), or one
    not saved yet (values only), read like a POST body."""
    value, table = typed_record(
        metadata, name, text, '{"@odata.type": "Microsoft.Dynamics.CRM.account", "name": "…"}'
    )
    values = {key: item for key, item in value.items() if key != table.primary_key}
    key = value.get(table.primary_key)
    record_id = parse_guid(key) if isinstance(key, str) else None
    if key is not None and record_id is None:
        raise bad_query(
            N_("the parameter {name} must give the record's {key} as a GUID (given: {value})."),
            name=name, key=table.primary_key, value=json.dumps(key)[:80],
        )  # fmt: skip
    return entity_from_body(metadata, table, values, record_id)


def _table_name(name: str, text: str) -> str | None:
    """An OData string literal: ``'account'``; null for none."""
    if text == "null":
        return None
    if len(text) < 2 or text[0] != "'" or text[-1] != "'":
        raise bad_query(
            N_("the parameter {name} takes a table's logical name in quotes, e.g. 'account', "
               "not {value}."),
            name=name, value=text[:80],
        )  # fmt: skip
    return text[1:-1].replace("''", "'")


def _paging(name: str, text: str) -> PagingInfo:
    """Dataverse's PagingInfo: ``{"PageNumber": 1, "Count": 50}``."""
    example = '{"PageNumber": 1, "Count": 50}'
    value = json_parameter(name, text, example)
    if not isinstance(value, dict):
        raise bad_query(
            N_("the parameter {name} takes a JSON value such as {example}, not {value}."),
            name=name, example=example, value=text[:80],
        )  # fmt: skip
    numbers = {}
    for key, default in (("PageNumber", 1), ("Count", DEFAULT_PAGE_SIZE)):
        number = value.pop(key, default)
        if isinstance(number, bool) or not isinstance(number, int):
            raise bad_query(N_("the parameter {name} takes a whole number, not {value}."),
                            name=f"{name}.{key}", value=json.dumps(number)[:80])  # fmt: skip
        numbers[key] = number
    total = value.pop("ReturnTotalRecordCount", False)
    if not isinstance(total, bool):
        raise bad_query(
            N_("the parameter {name} takes true or false, not {value}."),
            name=f"{name}.ReturnTotalRecordCount", value=json.dumps(total)[:80],
        )  # fmt: skip
    value.pop("PagingCookie", None)  # pages are numbered; a cookie adds nothing
    if value:
        raise bad_query(N_("the parameter {name} has no property {names}."),
                        name=name, names=", ".join(sorted(value)))  # fmt: skip
    return PagingInfo(count=numbers["Count"], page_number=numbers["PageNumber"],
                      return_total_record_count=total)  # fmt: skip


RETRIEVE_DUPLICATES = FUNCTIONS["RetrieveDuplicates"].names


@router.get("/RetrieveDuplicates({parameters})")
@router.get("/RetrieveDuplicates()")
@router.get("/RetrieveDuplicates")
def retrieve_duplicates(request: Request, session: SignedIn) -> Response:
    """RetrieveDuplicates (REFERENCE §5): the records the published rules find for a record,
    stored or not, each with the rule that found it."""
    read_options(request.query_params, frozenset())
    metadata = session.metadata()
    parameters = request.path_params.get("parameters", "")
    given = parse_call("RetrieveDuplicates", parameters, request.query_params)
    unknown = sorted(set(given) - set(RETRIEVE_DUPLICATES))
    if unknown:
        raise bad_query(
            N_("the function {function} has no parameter {names}; its parameters: {known}."),
            function="RetrieveDuplicates", names=", ".join(unknown),
            known=", ".join(RETRIEVE_DUPLICATES),
        )  # fmt: skip
    if "BusinessEntity" not in given:
        raise bad_query(N_("the function {function} needs the parameter {name}."),
                        function="RetrieveDuplicates", name="BusinessEntity")  # fmt: skip
    entity = _business_entity(metadata, "BusinessEntity", given["BusinessEntity"])
    matching = _table_name("MatchingEntityName", given.get("MatchingEntityName", "null"))
    paging = _paging("PagingInfo", given.get("PagingInfo", "{}"))
    found = session.service.execute(RetrieveDuplicatesRequest(entity, matching, paging))
    collection = found.duplicate_collection
    tables = {match.table for match in found.matches} | {collection.entity_name}
    shown = metadata.table(collection.entity_name)
    of = shown.entity_set if len(tables) == 1 else f"Collection({NAMESPACE}crmbaseentity)"
    body: dict[str, Any] = {"@odata.context": f"{api_root(request)}/$metadata#{of}"}
    if paging.return_total_record_count:
        body["@odata.count"] = collection.total_record_count
    # Each record once (the collection), named with the first rule that found it.
    first: dict[tuple[str, uuid.UUID | None], DuplicateMatch] = {}
    for match in found.matches:
        first.setdefault((match.table, match.id), match)
    body["value"] = [
        _duplicate_json(metadata, first[(record.logical_name, record.id)], session.language)
        for record in collection.entities
    ]
    if collection.more_records:
        body[MORE_RECORDS] = True
    return json_response(body)


def _duplicate_json(metadata: MetadataSet, match: DuplicateMatch, language: str) -> dict[str, Any]:
    table = metadata.table(match.table)
    # Annotations before properties, as OData's JSON format writes them.
    return {
        ODATA_TYPE: f"#{NAMESPACE}{table.name}",
        RULE_ANNOTATION: match.rule.in_language(language),
        RULE_ID_ANNOTATION: str(match.rule_id),
        table.primary_key: str(match.id),
        table.primary_name: match.name,
    }


@router.get("/RetrieveAvailableLanguages")
@router.get("/RetrieveAvailableLanguages()")
def retrieve_available_languages(request: Request, session: SignedIn) -> Response:
    """The languages the organization speaks, as Dataverse's locale ids (dataverse-api's
    ``get_language_codes``): English and French."""
    read_options(request.query_params, frozenset())
    context = f"{api_root(request)}/$metadata#{NAMESPACE}RetrieveAvailableLanguagesResponse"
    return json_response({"@odata.context": context, "LocaleIds": list(LANGUAGE_CODES.values())})


@router.get("/WhoAmI({parameters})")
@router.get("/RetrieveAvailableLanguages({parameters})")
def without_parameters(request: Request, session: SignedIn) -> Response:
    """WhoAmI and RetrieveAvailableLanguages take no parameter (answered without any above
    and in routes.py): name the ones given, as for any function."""
    function = request.url.path.rsplit("/", 1)[-1].split("(", 1)[0]
    given = parse_call(function, request.path_params["parameters"], request.query_params)
    raise bad_query(
        N_("the function {function} has no parameter {names}; its parameters: {known}."),
        function=function, names=", ".join(sorted(given)) or "-", known="-",
    )  # fmt: skip


RETRIEVE_HISTORY = FUNCTIONS["RetrieveRecordChangeHistory"].names


@router.get("/RetrieveRecordChangeHistory({parameters})")
def retrieve_record_change_history(request: Request, session: SignedIn) -> Response:
    """RetrieveRecordChangeHistory: a record's audit rows, oldest first, for a user who may
    read the record. Each row is an audit entity (``changedata``: column -> old, new) rather
    than Dataverse's typed AuditDetail classes."""
    read_options(request.query_params, frozenset())
    metadata = session.metadata()
    given = parse_call(
        "RetrieveRecordChangeHistory", request.path_params["parameters"], request.query_params
    )
    unknown = sorted(set(given) - set(RETRIEVE_HISTORY))
    if unknown or "Target" not in given:
        raise bad_query(
            N_("the function {function} has no parameter {names}; its parameters: {known}."),
            function="RetrieveRecordChangeHistory", names=", ".join(unknown) or "-",
            known=", ".join(RETRIEVE_HISTORY),
        )  # fmt: skip
    target = _business_entity(metadata, "Target", given["Target"])
    assert target.id is not None
    paging = _paging("PagingInfo", given["PagingInfo"]) if "PagingInfo" in given else None
    found = session.service.execute(
        RetrieveRecordChangeHistoryRequest(EntityReference(target.logical_name, target.id), paging)
    ).audit_detail_collection
    return json_response({
        "@odata.context": f"{api_root(request)}/$metadata#audits",
        "value": [_audit_json(row) for row in found],
    })  # fmt: skip


def _audit_json(row: Entity) -> dict[str, Any]:
    user = row["userid"]
    return {
        "auditid": str(row.id),
        "createdon": row["createdon"].isoformat() if row["createdon"] else None,
        "_userid_value": str(user.id) if user else None,
        "_userid_value@OData.Community.Display.V1.FormattedValue": user.name if user else None,
        "objecttypecode": row["objecttypecode"],
        "_objectid_value": str(row["objectid"].id),
        "action": row["action"],
        "operation": row["operation"],
        "changedata": row["changedata"],
        "interface": row["interface"],
        "transactionid": str(row["transactionid"]) if row["transactionid"] else None,
    }
