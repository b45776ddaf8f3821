"""The organization service: ``execute(request)`` and the helpers people reach for first."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from leadgate.platform.engine import errors
from leadgate.platform.engine.context import Caller, ExecutionContext
from leadgate.platform.engine.entity import Entity, EntityCollection, EntityReference
from leadgate.platform.engine.query import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    OrderExpression,
    PagingInfo,
    QueryExpression,
)
from leadgate.platform.engine.types import Language
from leadgate.platform.records.crud import (
    ConcurrencyBehavior,
    CreateRequest,
    DeleteRequest,
    UpdateRequest,
)
from leadgate.platform.records.retrieve import RetrieveMultipleRequest, RetrieveRequest
from leadgate.platform.records.state import AssignRequest, SetStateRequest

if TYPE_CHECKING:
    from leadgate.platform.engine.unit_of_work import HeldConnection
    from leadgate.platform.organization import Organization

__all__ = ["OrganizationService"]


class OrganizationService:
    """Runs messages as one user. Every helper is a request through the same pipeline."""

    def __init__(
        self,
        organization: Organization,
        caller: Caller,
        *,
        parent: ExecutionContext | None = None,
        held: HeldConnection | None = None,
    ) -> None:
        self.organization = organization
        self.caller = caller
        self.parent = parent
        # The connection the caller holds for its request (Organization.authenticate_held).
        self.held = held

    @property
    def user_id(self) -> uuid.UUID:
        return self.caller.user_id

    @property
    def language(self) -> Language:
        return self.caller.language

    def execute(self, request: Any) -> Any:
        return self.organization.pipeline.execute(request, self.caller, self.parent, held=self.held)

    # --- helpers ------------------------------------------------------------------------

    def create(
        self, entity: Entity | str, values: Mapping[str, Any] | None = None, **more: Any
    ) -> uuid.UUID:
        """``create("lead", lastname="Smith")`` or ``create(Entity(...))``; returns the id."""

        target = entity if isinstance(entity, Entity) else Entity(entity, None, values, **more)
        return self.execute(CreateRequest(target)).id

    def retrieve(
        self, table: str, record_id: uuid.UUID, columns: Iterable[str] | None = None
    ) -> Entity:

        column_set = ColumnSet(tuple(columns)) if columns else ColumnSet()
        return self.execute(RetrieveRequest(EntityReference(table, record_id), column_set)).entity

    def update(self, entity: Entity, *, if_version: int | None = None) -> None:
        """Save the values of ``entity``; with ``if_version``, only if nobody changed it since."""

        if if_version is not None:
            entity.row_version = if_version
            self.execute(UpdateRequest(entity, ConcurrencyBehavior.IF_ROW_VERSION_MATCHES))
        else:
            self.execute(UpdateRequest(entity))

    def delete(self, table: str, record_id: uuid.UUID) -> None:

        self.execute(DeleteRequest(EntityReference(table, record_id)))

    def set_state(self, table: str, record_id: uuid.UUID, state: int, status: int = -1) -> None:

        self.execute(SetStateRequest(EntityReference(table, record_id), state, status))

    def assign(self, table: str, record_id: uuid.UUID, owner: EntityReference) -> None:

        self.execute(AssignRequest(EntityReference(table, record_id), owner))

    def retrieve_multiple(self, query: QueryExpression | str, **equals: Any) -> EntityCollection:
        """A query, or a table name and equalities: ``retrieve_multiple("lead", statecode=0)``."""

        if isinstance(query, str):
            query = QueryExpression(
                query,
                criteria=FilterExpression(
                    conditions=tuple(
                        ConditionExpression.make(column, "eq", value)
                        for column, value in equals.items()
                    )
                ),
            )
        return self.execute(RetrieveMultipleRequest(query)).entity_collection

    def retrieve_multiple_all(
        self,
        table: str,
        *,
        criteria: FilterExpression | None = None,
        columns: Iterable[str] | None = None,
        orders: Iterable[OrderExpression] = (),
        page_size: int = 5000,
    ) -> list[Entity]:
        """Every matching record, page after page."""
        found: list[Entity] = []
        cookie = None
        while True:
            page = self.retrieve_multiple(
                QueryExpression(
                    table,
                    ColumnSet(tuple(columns)) if columns else ColumnSet(),
                    criteria or FilterExpression(),
                    tuple(orders),
                    page_info=PagingInfo(count=page_size, paging_cookie=cookie),
                )
            )
            found.extend(page.entities)
            if not page.more_records:
                return found
            cookie = page.paging_cookie

    def find_user(self, email: str) -> Entity:
        """The user with this e-mail address (case does not matter)."""
        users = self.retrieve_multiple("systemuser", internalemailaddress=email.strip())
        if not users.entities:
            raise errors.USER_NOT_FOUND(email=email)
        return users.entities[0]
