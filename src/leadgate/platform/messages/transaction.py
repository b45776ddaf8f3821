"""ExecuteTransaction: several requests that succeed or fail together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leadgate.platform.pipeline import Message, Operation

__all__ = ["MESSAGES", "ExecuteTransactionRequest", "ExecuteTransactionResponse"]


@dataclass(frozen=True)
class ExecuteTransactionRequest:
    requests: tuple[Any, ...]


@dataclass(frozen=True)
class ExecuteTransactionResponse:
    responses: tuple[Any, ...]


def execute_transaction(operation: Operation) -> ExecuteTransactionResponse:
    request: ExecuteTransactionRequest = operation.request
    return ExecuteTransactionResponse(tuple(operation.execute(item) for item in request.requests))


MESSAGES = {
    ExecuteTransactionRequest: Message("ExecuteTransaction", execute_transaction),
}
