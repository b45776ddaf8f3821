"""Bound functions: ``GET /<entityset>(<id>)/Microsoft.Dynamics.CRM.<Function>(…)``.

A function bound to one record reads its parameters from the URL as the unbound ones do
(web/functions.py): literals (``true``, ``3``, a bare GUID, a JSON record) or aliases whose
value is in the query string, e.g.
``leads(<id>)/Microsoft.Dynamics.CRM.lg_DiagnoseQualify(UserId=@u)?@u=<GUID>``. Empty
parentheses, or none, call it without parameters. It runs as the signed-in user and answers
in their language (Accept-Language, else their own setting).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from leadgate.platform import EntityReference
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.validation import DEFAULT_STATUS
from leadgate.sales.diagnosis import DiagnoseQualifyRequest, DiagnoseQualifyResponse, to_json
from leadgate.web.actions import NAMESPACE
from leadgate.web.auth import Session, SignedInRoute
from leadgate.web.errors import bad_query
from leadgate.web.functions import parse_call, typed_record
from leadgate.web.operations import ENTITY, ComplexType, Parameter, Signature
from leadgate.web.options import read_options
from leadgate.web.resources import API_PATH, api_root, parse_guid, parse_resource
from leadgate.web.responses import json_response
from leadgate.web.routes import SignedIn, record_id

__all__ = ["BOUND_FUNCTIONS", "Arguments", "router"]

router = APIRouter(prefix=API_PATH, route_class=SignedInRoute)

_CALL = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_.]*)(?:\((?P<parameters>.*)\))?\Z", re.S)
_INTEGER = re.compile(r"[+-]?[0-9]{1,10}\Z")


class Arguments:
    """A function's parameters as written in the URL, read one by one; unknown ones are
    refused with the list of those it has."""

    def __init__(self, function: str, known: tuple[str, ...], given: dict[str, str]) -> None:
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise bad_query(
                N_("the function {function} has no parameter {names}; its parameters: {known}."),
                function=function, names=", ".join(unknown), known=", ".join(known),
            )  # fmt: skip
        self.given = given

    def _text(self, name: str) -> str | None:
        text = self.given.get(name)
        return None if text is None or text == "null" else text

    def boolean(self, name: str) -> bool | None:
        text = self._text(name)
        if text is None:
            return None
        if text not in ("true", "false"):
            raise bad_query(N_("the parameter {name} takes true or false, not {value}."),
                            name=name, value=text[:80])  # fmt: skip
        return text == "true"

    def integer(self, name: str) -> int | None:
        text = self._text(name)
        if text is None:
            return None
        if not _INTEGER.match(text):
            raise bad_query(N_("the parameter {name} takes a whole number, not {value}."),
                            name=name, value=text[:80])  # fmt: skip
        return int(text)

    def guid(self, name: str) -> uuid.UUID | None:
        """A Guid literal, bare as OData writes it (quotes and braces are tolerated)."""
        text = self._text(name)
        if text is None:
            return None
        key = parse_guid(text.strip("'").strip("{}"))
        if key is None:
            raise bad_query(
                N_("the parameter {name} takes a GUID such as "
                   "00000000-0000-0000-0000-000000000001, not {value}."),
                name=name, value=text[:80],
            )  # fmt: skip
        return key

    def reference(self, metadata: MetadataSet, name: str) -> EntityReference | None:
        """A record: ``{"@odata.type": "Microsoft.Dynamics.CRM.<table>", "<key>": "<GUID>"}``."""
        text = self._text(name)
        if text is None:
            return None
        example = '{"@odata.type": "Microsoft.Dynamics.CRM.account", "accountid": "<GUID>"}'
        value, table = typed_record(metadata, name, text, example)
        key = value.get(table.primary_key)
        record_id = parse_guid(key) if isinstance(key, str) else None
        if record_id is None:
            raise bad_query(
                N_("the parameter {name} must give the record's {key} as a GUID (given: {value})."),
                name=name, key=table.primary_key, value=json.dumps(key)[:80],
            )  # fmt: skip
        return EntityReference(table.name, record_id)


_TEXT = "Edm.String"
_CHECK = ComplexType(
    "lg_QualifyCheck", {"Check": _TEXT, "Label": _TEXT, "Outcome": _TEXT, "Note": _TEXT}
)
# Open: its evidence and remedies vary with the cause (docs/doctor.md).
_FINDING = ComplexType(
    "lg_QualifyFinding",
    {"Check": _TEXT, "Code": _TEXT, "Cause": _TEXT, "Fix": _TEXT, "FixedBy": _TEXT},
    open=True,
)
DIAGNOSE_QUALIFY = Signature(
    (Parameter("UserId", "Edm.Guid"), Parameter("Status", "Edm.Int32"),
     Parameter("CreateAccount", "Edm.Boolean"), Parameter("CreateContact", "Edm.Boolean"),
     Parameter("CreateOpportunity", "Edm.Boolean"),
     Parameter("OpportunityCurrencyId", "mscrm.transactioncurrency"),
     Parameter("OpportunityCustomerId", ENTITY),
     Parameter("SuppressDuplicateDetection", "Edm.Boolean")),
    returns=ComplexType(
        "lg_DiagnoseQualifyResponse",
        {"LeadId": "Edm.Guid", "UserId": "Edm.Guid", "WouldSucceed": "Edm.Boolean",
         "Checks": "Collection(mscrm.lg_QualifyCheck)",
         "Findings": "Collection(mscrm.lg_QualifyFinding)"},
        uses=(_CHECK, _FINDING),
    ),
)  # fmt: skip


def diagnose_qualify(
    request: Request, session: Session, lead: uuid.UUID, arguments: Arguments
) -> Response:
    """lg_DiagnoseQualify (docs/doctor.md): would QualifyLead succeed for this user, and if
    not, every cause with its evidence and fix. SuppressDuplicateDetection omitted is false:
    the lead form's path, which warns of duplicates (the message's own default)."""
    metadata = session.metadata()
    status = arguments.integer("Status")
    diagnose = DiagnoseQualifyRequest(
        EntityReference("lead", lead),
        user_id=arguments.guid("UserId"),
        status=DEFAULT_STATUS if status is None else status,
        create_account=arguments.boolean("CreateAccount"),
        create_contact=arguments.boolean("CreateContact"),
        create_opportunity=arguments.boolean("CreateOpportunity"),
        opportunity_currency_id=arguments.reference(metadata, "OpportunityCurrencyId"),
        opportunity_customer_id=arguments.reference(metadata, "OpportunityCustomerId"),
        suppress_duplicate_detection=bool(arguments.boolean("SuppressDuplicateDetection")),
    )
    response: DiagnoseQualifyResponse = session.service.execute(diagnose)
    return json_response({
        "@odata.context": f"{api_root(request)}/$metadata#{NAMESPACE}"
                          "lg_DiagnoseQualifyResponse",
        **to_json(response, session.language),
    })  # fmt: skip


@dataclass(frozen=True)
class BoundFunction:
    table: str
    signature: Signature
    run: Callable[[Request, Session, uuid.UUID, Arguments], Response]


# The functions bound to one record, by name: reading this lists what the Web API can answer.
BOUND_FUNCTIONS = {
    "lg_DiagnoseQualify": BoundFunction("lead", DIAGNOSE_QUALIFY, diagnose_qualify),
}


@router.get("/{segment}/{name}")
def bound_function(request: Request, segment: str, name: str, session: SignedIn) -> Response:
    """A bound function, by its qualified name or its bare one (``lg_DiagnoseQualify``)."""
    metadata = session.metadata()
    resource = parse_resource(metadata, segment)
    call = _CALL.match(name)
    function_name = call.group("name").removeprefix(NAMESPACE) if call else ""
    function = BOUND_FUNCTIONS.get(function_name)
    if call is None or function is None or not resource.names_record or (
        resource.table.name != function.table
    ):  # fmt: skip
        raise errors.RESOURCE_NOT_FOUND(segment=name[:200])
    read_options(request.query_params, frozenset())
    given = parse_call(function_name, call.group("parameters") or "", request.query_params)
    arguments = Arguments(function_name, function.signature.names, given)
    record = record_id(session, resource)
    assert record is not None
    return function.run(request, session, record, arguments)
