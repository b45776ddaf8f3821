"""The platform: metadata-driven records, one message pipeline, plug-in steps, coded errors.

Importing it loads neither the sales solution nor any web or CLI code.
"""

from leadgate.platform.context import Caller, ExecutionContext
from leadgate.platform.entity import Entity, EntityCollection, EntityReference
from leadgate.platform.errors import InvalidPluginExecutionError, LeadgateError
from leadgate.platform.i18n import Label
from leadgate.platform.messages.auth import (
    CreateApiTokenRequest,
    RevokeApiTokenRequest,
    SetPasswordRequest,
)
from leadgate.platform.messages.crud import (
    ConcurrencyBehavior,
    CreateRequest,
    DeleteRequest,
    RetrieveMultipleRequest,
    RetrieveRequest,
    UpdateRequest,
    UpsertRequest,
)
from leadgate.platform.messages.customization import (
    CreateAttributeRequest,
    CreateEntityRequest,
    ImportSolutionRequest,
    InsertOptionValueRequest,
    PublishAllXmlRequest,
    RetrieveAllEntitiesRequest,
)
from leadgate.platform.messages.state import AssignRequest, SetStateRequest
from leadgate.platform.messages.transaction import ExecuteTransactionRequest
from leadgate.platform.organization import Organization
from leadgate.platform.query import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    OrderExpression,
    PagingInfo,
    QueryExpression,
)
from leadgate.platform.service import OrganizationService
from leadgate.platform.types import SYSTEM_USER_ID, ColumnType, Language, Stage, StepMode

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
    "CreateEntityRequest",
    "CreateRequest",
    "DeleteRequest",
    "Entity",
    "EntityCollection",
    "EntityReference",
    "ExecuteTransactionRequest",
    "ExecutionContext",
    "FilterExpression",
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
