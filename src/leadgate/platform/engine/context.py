"""The execution context a plug-in receives: the operation, its stage, its caller, its data.

Names follow Dataverse's IPluginExecutionContext in Python spelling (REFERENCE §7).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.types import SYSTEM_USER_ID, Interface, Language, Stage, StepMode

if TYPE_CHECKING:
    from leadgate.platform.engine.unit_of_work import UnitOfWork
    from leadgate.platform.service import OrganizationService

__all__ = ["Caller", "ExecutionContext"]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a message runs as, and who started the chain of messages it belongs to."""

    user_id: uuid.UUID
    initiating_user_id: uuid.UUID
    language: Language = Language.ENGLISH
    # The interface that started the chain (audit rows record it); nested messages keep it.
    interface: Interface = Interface.PYTHON

    @classmethod
    def user(
        cls,
        user_id: uuid.UUID,
        language: Language = Language.ENGLISH,
        interface: Interface = Interface.PYTHON,
    ) -> Caller:
        return cls(user_id, user_id, language, interface)

    @classmethod
    def system(
        cls,
        initiating_user_id: uuid.UUID = SYSTEM_USER_ID,
        interface: Interface = Interface.PYTHON,
    ) -> Caller:
        return cls(SYSTEM_USER_ID, initiating_user_id, interface=interface)

    @property
    def is_system(self) -> bool:
        return self.user_id == SYSTEM_USER_ID


class ExecutionContext:
    """One message's execution, shared by the steps that run on it."""

    def __init__(
        self,
        *,
        message_name: str,
        primary_entity_name: str | None,
        primary_entity_id: uuid.UUID | None,
        depth: int,
        parent_context: ExecutionContext | None,
        input_parameters: dict[str, Any],
        caller: Caller,
        correlation_id: uuid.UUID,
        unit_of_work: UnitOfWork,
        service_factory: Callable[[ExecutionContext, uuid.UUID | None], OrganizationService],
    ) -> None:
        self.message_name = message_name
        self.primary_entity_name = primary_entity_name
        self.primary_entity_id = primary_entity_id
        self.depth = depth
        self.parent_context = parent_context
        self.input_parameters = input_parameters
        self.output_parameters: dict[str, Any] = {}
        self.pre_entity_images: dict[str, Entity] = {}
        self.post_entity_images: dict[str, Entity] = {}
        # Shared by every step of this message, and visible to the steps of nested messages
        # through parent_context, as in Dataverse.
        self.shared_variables: dict[str, Any] = {}
        # The values a Create stored (defaults and computed columns included): the platform's
        # own post-operation steps read them instead of the row.
        self.stored_values: dict[str, Any] | None = None
        self.stage = Stage.PRE_VALIDATION
        self.mode = StepMode.SYNCHRONOUS
        self.caller = caller
        self.correlation_id = correlation_id
        self.configuration: str | None = None
        self.unit_of_work = unit_of_work
        self._service_factory = service_factory
        self._run_as: uuid.UUID | None = None
        self._trace_lines: list[str] | None = None

    @property
    def user_id(self) -> uuid.UUID:
        return self.caller.user_id

    @property
    def initiating_user_id(self) -> uuid.UUID:
        return self.caller.initiating_user_id

    @property
    def business_unit_id(self) -> uuid.UUID | None:
        """The business unit of the user the message runs as."""
        unit = self.unit_of_work
        if unit.connection is None:
            return None
        return unit.business_unit_of("systemuser", self.user_id)

    @property
    def language(self) -> Language:
        return self.caller.language

    @property
    def is_in_transaction(self) -> bool:
        return self.unit_of_work.in_transaction

    @property
    def is_dry_run(self) -> bool:
        """True while the qualification doctor tries the operation in a transaction that is
        rolled back: nothing in the database stays, but what a step does elsewhere (a mail
        sent, another system called) would. Such steps should skip that work."""
        return self.unit_of_work.dry_run is not None

    @property
    def service(self) -> OrganizationService:
        """Runs nested messages, one level deeper, as the step's user (or its run-as user)."""
        return self._service_factory(self, self._run_as)

    @property
    def system_service(self) -> OrganizationService:
        """Runs nested messages as SYSTEM on the user's behalf: the platform's own rules
        (a process finishing with its opportunity), never work a plug-in does for a user."""
        return self._service_factory(self, SYSTEM_USER_ID)

    def trace(self, message: str, *args: Any) -> None:
        """Write to the plug-in trace log (kept even when the operation is rolled back)."""
        text = message.format(*args) if args else message
        if self._trace_lines is not None:
            self._trace_lines.append(text)

    def __repr__(self) -> str:
        return (
            f"<ExecutionContext {self.message_name} {self.primary_entity_name} "
            f"stage={int(self.stage)} depth={self.depth}>"
        )
