"""Bound actions: ``POST /<entityset>(<id>)/Microsoft.Dynamics.CRM.<Action>``, and the bulk
ones bound to an entity set: ``POST /<entityset>/Microsoft.Dynamics.CRM.CreateMultiple``.

Each action reads its Dataverse parameters from the body into the request the platform (or
a solution) defines, runs it as the signed-in user, and answers as Dataverse does. Entity
parameters arrive as objects naming their type and key:
``{"@odata.type": "Microsoft.Dynamics.CRM.account", "accountid": "<GUID>"}``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from leadgate.platform import Entity, EntityReference
from leadgate.platform.duplicates.rule_messages import PublishDuplicateRuleRequest
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import MetadataSet, TableMetadata
from leadgate.platform.engine.validation import DEFAULT_STATUS
from leadgate.platform.records.multiple import (
    TARGETS_OF_ANOTHER_TABLE,
    CreateMultipleRequest,
    UpdateMultipleRequest,
    UpsertMultipleRequest,
)
from leadgate.sales.qualify import QualifyLeadRequest, QualifyLeadResponse
from leadgate.web.auth import Session, SignedInRoute
from leadgate.web.operations import ENTITY, ComplexType, Parameter, Signature
from leadgate.web.payload import entity_from_body, parse_json_object
from leadgate.web.resources import API_PATH, api_root, parse_guid, parse_resource
from leadgate.web.responses import empty_response, json_response
from leadgate.web.routes import RawBody, SignedIn, record_id

__all__ = ["ACTIONS", "COLLECTION_ACTIONS", "NAMESPACE", "ODATA_TYPE", "record_table", "router"]

router = APIRouter(prefix=API_PATH, route_class=SignedInRoute)

NAMESPACE = "Microsoft.Dynamics.CRM."
ODATA_TYPE = "@odata.type"
BOOLEAN = "Edm.Boolean"


def record_table(metadata: MetadataSet, value: Mapping[str, Any]) -> TableMetadata | None:
    """The table of a record parameter: the one its ``@odata.type`` names, else the table
    whose key it holds."""
    type_name = value.get(ODATA_TYPE)
    if type_name is None:
        return next((t for t in metadata.tables.values() if t.primary_key in value), None)
    qualified = str(type_name).removeprefix("#")
    if not qualified.startswith(NAMESPACE):
        return None
    return metadata.tables.get(qualified.removeprefix(NAMESPACE))


class Parameters:
    """An action's body, read parameter by parameter; what is left unread is refused."""

    def __init__(
        self, metadata: MetadataSet, table: TableMetadata, body: Mapping[str, Any],
        action: str = "",
    ) -> None:  # fmt: skip
        self.metadata = metadata
        self.table = table
        self.action = action
        # Annotations on the body (@odata.context…) carry nothing the action reads.
        self.values = {name: value for name, value in body.items() if "@" not in name}

    def _refuse(self, text: str, /, **params: Any) -> errors.LeadgateError:
        return errors.INVALID_PAYLOAD(table=self.table.name, detail=Text(text, **params))

    def boolean(self, name: str) -> bool | None:
        value = self.values.pop(name, None)
        if value is not None and not isinstance(value, bool):
            raise self._refuse(N_("the parameter {name} takes true or false, not {value}."),
                               name=name, value=json.dumps(value)[:80])  # fmt: skip
        return value

    def integer(self, name: str) -> int | None:
        value = self.values.pop(name, None)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self._refuse(N_("the parameter {name} takes a whole number, not {value}."),
                               name=name, value=json.dumps(value)[:80])  # fmt: skip
        return value

    def reference(self, name: str) -> EntityReference | None:
        """``{"@odata.type": "Microsoft.Dynamics.CRM.<table>", "<key>": "<GUID>"}``; without
        the type, the table whose key the object holds."""
        value = self.values.pop(name, None)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self._refuse(
                N_("the parameter {name} takes a record, e.g. {{\"@odata.type\": "
                   "\"Microsoft.Dynamics.CRM.account\", \"accountid\": \"<GUID>\"}}, not {value}."),
                name=name, value=json.dumps(value)[:80],
            )  # fmt: skip
        table = record_table(self.metadata, value)
        if table is None:
            raise self._refuse(
                N_("the parameter {name} must name its table, e.g. \"@odata.type\": "
                   "\"Microsoft.Dynamics.CRM.account\" (given: {type})."),
                name=name, type=json.dumps(value.get(ODATA_TYPE))[:80],
            )  # fmt: skip
        key = value.get(table.primary_key)
        record_id = parse_guid(key) if isinstance(key, str) else None
        if record_id is None:
            raise self._refuse(
                N_("the parameter {name} must give the record's {key} as a GUID (given: {value})."),
                name=name, key=table.primary_key, value=json.dumps(key)[:80],
            )  # fmt: skip
        return EntityReference(table.name, record_id)

    def finish(self) -> None:
        """Refuse parameters the action does not have (Dataverse does too)."""
        if self.values:
            raise self._refuse(N_("the action has no parameter {names}."),
                               names=", ".join(sorted(self.values)))  # fmt: skip


def _created_json(metadata: MetadataSet, reference: EntityReference) -> dict[str, str]:
    key = metadata.table(reference.logical_name).primary_key
    return {ODATA_TYPE: f"#{NAMESPACE}{reference.logical_name}", key: str(reference.id)}


def qualify_lead(
    request: Request, session: Session, lead: uuid.UUID, parameters: Parameters
) -> Response:
    """QualifyLead (REFERENCE §3): the created records, account, contact, opportunity."""
    qualify = QualifyLeadRequest(
        EntityReference("lead", lead),
        # A missing create flag follows the organization's setting; a missing Status is the
        # Qualified state's default status reason.
        create_account=parameters.boolean("CreateAccount"),
        create_contact=parameters.boolean("CreateContact"),
        create_opportunity=parameters.boolean("CreateOpportunity"),
        status=_default(parameters.integer("Status"), DEFAULT_STATUS),
        opportunity_currency_id=parameters.reference("OpportunityCurrencyId"),
        opportunity_customer_id=parameters.reference("OpportunityCustomerId"),
        source_campaign_id=parameters.reference("SourceCampaignId"),
        process_instance_id=parameters.reference("ProcessInstanceId"),
        # Omitted: suppressed, as for Create and Update; the lead form sends false.
        suppress_duplicate_detection=parameters.boolean("SuppressDuplicateDetection") is not False,
    )
    parameters.finish()
    response: QualifyLeadResponse = session.service.execute(qualify)
    return json_response({
        "@odata.context": f"{api_root(request)}/$metadata#Collection({NAMESPACE}crmbaseentity)",
        "value": [_created_json(parameters.metadata, ref) for ref in response.created_entities],
    })  # fmt: skip


def publish_duplicate_rule(
    request: Request, session: Session, rule: uuid.UUID, parameters: Parameters
) -> Response:
    """PublishDuplicateRule (REFERENCE §5): the rule becomes Publishing and a system job
    computes its match codes; the answer names the job, as Dataverse's does."""
    parameters.finish()
    response = session.service.execute(PublishDuplicateRuleRequest(rule))
    return json_response({
        "@odata.context": f"{api_root(request)}/$metadata#{NAMESPACE}"
                          "PublishDuplicateRuleResponse",
        "JobId": str(response.job_id),
    })  # fmt: skip


def _default(value: int | None, default: int) -> int:
    return default if value is None else value


@dataclass(frozen=True)
class Action:
    table: str
    run: Callable[[Request, Session, uuid.UUID, Parameters], Response]
    signature: Signature


# Dataverse's parameters (REFERENCE §3), all of which python-odata sends (CLIENTS.md §3).
QUALIFY_LEAD = Signature(
    (Parameter("CreateAccount", BOOLEAN, required=True),
     Parameter("CreateContact", BOOLEAN, required=True),
     Parameter("CreateOpportunity", BOOLEAN, required=True),
     Parameter("OpportunityCurrencyId", "mscrm.transactioncurrency"),
     Parameter("OpportunityCustomerId", ENTITY),
     Parameter("SourceCampaignId", ENTITY),
     Parameter("Status", "Edm.Int32", required=True),
     Parameter("ProcessInstanceId", ENTITY),
     Parameter("SuppressDuplicateDetection", BOOLEAN)),
    returns=ENTITY, returns_collection=True,
)  # fmt: skip
PUBLISH_DUPLICATE_RULE = Signature(
    returns=ComplexType("PublishDuplicateRuleResponse", {"JobId": "Edm.Guid"})
)

# The actions bound to one record, by name: reading this lists what the Web API can do.
ACTIONS = {
    "QualifyLead": Action("lead", qualify_lead, QUALIFY_LEAD),
    "PublishDuplicateRule": Action("duplicaterule", publish_duplicate_rule, PUBLISH_DUPLICATE_RULE),
}


# --- bound to an entity set: the bulk messages -------------------------------------------


def _targets(parameters: Parameters) -> tuple[Entity, ...]:
    """``Targets``: records of the action's table, as create/update bodies, each naming its
    table (``@odata.type``) or not, and its key in the body or in ``@odata.id``."""
    given = parameters.values.pop("Targets", None)
    if not isinstance(given, list):
        raise parameters._refuse(N_("the action needs Targets, a list of records."))
    table = parameters.table
    targets: list[Entity] = []
    for body in given:
        if not isinstance(body, dict):
            raise parameters._refuse(N_("each of Targets must be a record (a JSON object)."))
        named = record_table(parameters.metadata, body) if ODATA_TYPE in body else table
        if named is None or named.name != table.name:
            raise TARGETS_OF_ANOTHER_TABLE(
                message=parameters.action, table=table.name, position=len(targets) + 1,
                other=str(body.get(ODATA_TYPE, "?")).removeprefix("#").removeprefix(NAMESPACE),
            )  # fmt: skip
        named_by_id = None
        if isinstance(body.get("@odata.id"), str):
            # accounts(<guid>) or, as Microsoft's SDK sends, accounts(accountnumber='ACC-1')
            named_by_id = parse_resource(parameters.metadata, body["@odata.id"].rsplit("/", 1)[-1])
            if named_by_id.table.name != table.name:
                raise TARGETS_OF_ANOTHER_TABLE(
                    message=parameters.action, table=table.name, position=len(targets) + 1,
                    other=named_by_id.table.name,
                )  # fmt: skip
        target = entity_from_body(
            parameters.metadata, table, body, named_by_id.key if named_by_id else None
        )
        if named_by_id is not None and named_by_id.key_attributes:
            target.key_attributes = dict(named_by_id.key_attributes)
        targets.append(target)
    return tuple(targets)


def _suppressed(parameters: Parameters) -> bool:
    return parameters.boolean("SuppressDuplicateDetection") is not False


def create_multiple(request: Request, session: Session, parameters: Parameters) -> Response:
    """CreateMultiple: ``{"Targets": [...]}`` -> ``{"Ids": [...]}``, in one transaction."""
    targets, suppressed = _targets(parameters), _suppressed(parameters)
    parameters.finish()
    created = session.service.execute(
        CreateMultipleRequest(parameters.table.name, targets, suppressed)
    )
    return json_response({
        "@odata.context": f"{api_root(request)}/$metadata#{NAMESPACE}CreateMultipleResponse",
        "Ids": [str(record_id) for record_id in created.ids],
    })  # fmt: skip


def update_multiple(request: Request, session: Session, parameters: Parameters) -> Response:
    targets, suppressed = _targets(parameters), _suppressed(parameters)
    parameters.finish()
    session.service.execute(UpdateMultipleRequest(parameters.table.name, targets, suppressed))
    return empty_response(204)


def upsert_multiple(request: Request, session: Session, parameters: Parameters) -> Response:
    targets, suppressed = _targets(parameters), _suppressed(parameters)
    parameters.finish()
    done = session.service.execute(
        UpsertMultipleRequest(parameters.table.name, targets, suppressed)
    )
    return json_response({
        "@odata.context": f"{api_root(request)}/$metadata#{NAMESPACE}UpsertMultipleResponse",
        "Results": [
            {"RecordCreated": created, "Target": _created_json(parameters.metadata, target)}
            for target, created in done.results
        ],
    })  # fmt: skip


@dataclass(frozen=True)
class CollectionAction:
    run: Callable[[Request, Session, Parameters], Response]
    signature: Signature


_TARGETS = (Parameter("Targets", f"Collection({ENTITY})", required=True),
            Parameter("SuppressDuplicateDetection", BOOLEAN))  # fmt: skip
_UPSERT_RESULT = ComplexType("UpsertMultipleResult", {"RecordCreated": BOOLEAN, "Target": ENTITY})

# The actions bound to a table's entity set (``POST /leads/Microsoft.Dynamics.CRM.<name>``).
COLLECTION_ACTIONS = {
    "CreateMultiple": CollectionAction(create_multiple, Signature(
        _TARGETS, ComplexType("CreateMultipleResponse", {"Ids": "Collection(Edm.Guid)"})
    )),
    "UpdateMultiple": CollectionAction(update_multiple, Signature(_TARGETS)),
    "UpsertMultiple": CollectionAction(upsert_multiple, Signature(_TARGETS, ComplexType(
        "UpsertMultipleResponse", {"Results": "Collection(mscrm.UpsertMultipleResult)"},
        uses=(_UPSERT_RESULT,),
    ))),
}  # fmt: skip


@router.post("/{segment}/{name}")
def bound_action(
    request: Request, segment: str, name: str, session: SignedIn, raw: RawBody
) -> Response:
    """A bound action, by its qualified name or its bare one (``QualifyLead``)."""
    metadata = session.metadata()
    resource = parse_resource(metadata, segment)
    bare = name.removeprefix(NAMESPACE)
    on_collection = COLLECTION_ACTIONS.get(bare)
    if not resource.names_record and on_collection is not None:
        body = parse_json_object(raw, request.headers.get("content-type"), resource.table.name)
        parameters = Parameters(metadata, resource.table, body, bare)
        return on_collection.run(request, session, parameters)
    action = ACTIONS.get(bare)
    if action is None or not resource.names_record or resource.table.name != action.table:
        raise errors.RESOURCE_NOT_FOUND(segment=name)
    body = parse_json_object(raw, request.headers.get("content-type"), resource.table.name)
    parameters = Parameters(metadata, resource.table, body)
    record = record_id(session, resource)
    assert record is not None
    return action.run(request, session, record, parameters)
