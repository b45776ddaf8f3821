"""ExecuteTransaction: several requests that succeed or fail together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leadgate.platform.engine import errors
from leadgate.platform.engine.pipeline import Message, Operation, checked_by_nested_messages

__all__ = ["MESSAGES", "ExecuteTransactionRequest", "ExecuteTransactionResponse"]


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


MESSAGES = {
    ExecuteTransactionRequest: Message(
        "ExecuteTransaction",
        execute_transaction,
        validate_execute_transaction,
        authorize=checked_by_nested_messages,
    ),
}
