"""The platform: metadata-driven records, one message pipeline, plug-in steps, coded errors.

Importing it loads neither the sales solution nor any web or CLI code.
"""

from leadgate.platform.customization.keys import CreateEntityKeyRequest, DeleteEntityKeyRequest
from leadgate.platform.customization.messages import (
    ImportSolutionRequest,
    InsertOptionValueRequest,
    PublishAllXmlRequest,
    RetrieveAllEntitiesRequest,
)
from leadgate.platform.customization.tables import CreateAttributeRequest, CreateEntityRequest
from leadgate.platform.engine.context import Caller, ExecutionContext
from leadgate.platform.engine.entity import Entity, EntityCollection, EntityReference
from leadgate.platform.engine.errors import InvalidPluginExecutionError, LeadgateError
from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.query import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    OrderExpression,
    PagingInfo,
    QueryExpression,
)
from leadgate.platform.engine.types import SYSTEM_USER_ID, ColumnType, Language, Stage, StepMode
from leadgate.platform.engine.unit_of_work import HeldConnection
from leadgate.platform.organization import Organization
from leadgate.platform.records.crud import (
    ConcurrencyBehavior,
    CreateRequest,
    DeleteRequest,
    UpdateRequest,
    UpsertRequest,
)
from leadgate.platform.records.retrieve import RetrieveMultipleRequest, RetrieveRequest
from leadgate.platform.records.state import AssignRequest, SetStateRequest
from leadgate.platform.records.transaction import ExecuteTransactionRequest
from leadgate.platform.service import OrganizationService
from leadgate.platform.users.messages import (
    CreateApiTokenRequest,
    RevokeApiTokenRequest,
    SetPasswordRequest,
)

__all__ = [
    "SYSTEM_USER_ID",
    "AssignRequest",
    "Caller",
    "ColumnSet",
    "ColumnType",
    "ConcurrencyBehavior",
    "ConditionExpression",
    "CreateApiTokenRequest",
    "CreateAttributeRequest",
    "CreateEntityKeyRequest",
    "CreateEntityRequest",
    "CreateRequest",
    "DeleteEntityKeyRequest",
    "DeleteRequest",
    "Entity",
    "EntityCollection",
    "EntityReference",
    "ExecuteTransactionRequest",
    "ExecutionContext",
    "FilterExpression",
    "HeldConnection",
    "ImportSolutionRequest",
    "InsertOptionValueRequest",
    "InvalidPluginExecutionError",
    "Label",
    "Language",
    "LeadgateError",
    "OrderExpression",
    "Organization",
    "OrganizationService",
    "PagingInfo",
    "PublishAllXmlRequest",
    "QueryExpression",
    "RetrieveAllEntitiesRequest",
    "RetrieveMultipleRequest",
    "RetrieveRequest",
    "RevokeApiTokenRequest",
    "SetPasswordRequest",
    "SetStateRequest",
    "Stage",
    "StepMode",
    "UpdateRequest",
    "UpsertRequest",
]
