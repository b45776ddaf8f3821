"""ExecuteTransaction: several requests that succeed or fail together; and ExecuteChangeSet,
the same for requests known one at a time (a Web API $batch change set)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from leadgate.platform.engine import errors
from leadgate.platform.engine.pipeline import Message, Operation, checked_by_nested_messages

if TYPE_CHECKING:
    from leadgate.platform.service import OrganizationService

__all__ = [
    "MESSAGES",
    "ExecuteChangeSetRequest",
    "ExecuteChangeSetResponse",
    "ExecuteTransactionRequest",
    "ExecuteTransactionResponse",
]


@dataclass(frozen=True)
class ExecuteTransactionRequest:
    requests: tuple[Any, ...]


@dataclass(frozen=True)
class ExecuteTransactionResponse:
    responses: tuple[Any, ...]


MAX_REQUESTS = 1000  # Dataverse's limit for one ExecuteTransaction


def validate_execute_transaction(operation: Operation) -> None:
    count = len(operation.request.requests)
    if count > MAX_REQUESTS:
        raise errors.TOO_MANY_REQUESTS(count=count, maximum=MAX_REQUESTS)


def execute_transaction(
    operation: Operation[ExecuteTransactionRequest],
) -> ExecuteTransactionResponse:
    request = operation.request
    return ExecuteTransactionResponse(tuple(operation.execute(item) for item in request.requests))


@dataclass(frozen=True)
class ExecuteChangeSetRequest:
    """Requests that succeed or fail together, when each is only known from the answer of the
    one before (a $batch change set's ``$1`` names the record its first request created).

    ``work`` is handed a service that runs messages as the caller, nested in this message's
    transaction: what it returns is the response's ``result``; whatever it raises rolls every
    message it ran back. Each of those messages is authorized itself, as in ExecuteTransaction.
    """

    work: Callable[[OrganizationService], Any]


@dataclass(frozen=True)
class ExecuteChangeSetResponse:
    result: Any


def execute_change_set(operation: Operation[ExecuteChangeSetRequest]) -> ExecuteChangeSetResponse:
    return ExecuteChangeSetResponse(operation.request.work(operation.context.service))


MESSAGES = {
    ExecuteChangeSetRequest: Message(
        "ExecuteChangeSet", execute_change_set, authorize=checked_by_nested_messages
    ),
    ExecuteTransactionRequest: Message(
        "ExecuteTransaction",
        execute_transaction,
        validate_execute_transaction,
        authorize=checked_by_nested_messages,
    ),
}
