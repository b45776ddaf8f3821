"""Plug-ins the Web API tests register, to make the platform refuse or fail on purpose."""

from __future__ import annotations

from types import SimpleNamespace

from leadgate.platform import ExecutionContext, LeadgateError, errors

# A privilege refusal as the security issue will raise it (REFERENCE §8, 0x80040220); a
# stand-in kind so the test does not add an entry to the real catalogue.
PRIVILEGE_KIND = SimpleNamespace(
    key="test_missing_privilege",
    code="0x80040220",
    text="The user lacks the privilege prvCreateTransactionCurrency.",
)


def busy(context: ExecutionContext) -> None:
    raise errors.DATABASE_BUSY()


def deny(context: ExecutionContext) -> None:
    raise LeadgateError(PRIVILEGE_KIND)  # type: ignore[arg-type]


def crash(context: ExecutionContext) -> None:
    raise RuntimeError("a plug-in bug")
