"""Plug-ins the Web API tests register, to make the platform refuse or fail on purpose."""

from __future__ import annotations

from leadgate.platform import ExecutionContext
from leadgate.platform.engine import errors


def busy(context: ExecutionContext) -> None:
    raise errors.DATABASE_BUSY()


def deny(context: ExecutionContext) -> None:
    """A privilege refusal, as a plug-in's nested operation would meet it."""
    raise errors.PRIVILEGE_DENIED(
        user="Ada Admin",
        user_id=context.user_id,
        privilege="prvCreateTransactionCurrency",
        table="transactioncurrency",
        depth="Organization",
        roles="Tester",
    )


def crash(context: ExecutionContext) -> None:
    raise RuntimeError("a plug-in bug")
