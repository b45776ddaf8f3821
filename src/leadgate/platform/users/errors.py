"""Refusals of a person signing in with a password (0x8F4C47C0-C7)."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = ["SIGN_IN_FAILED", "SIGN_IN_THROTTLED"]

# One sentence for an unknown address and a wrong password: which addresses exist is no
# business of someone who cannot sign in.
SIGN_IN_FAILED = ErrorKind(
    "sign_in_failed",
    "0x8F4C47C0",
    N_("The email address or password is incorrect."),
)
SIGN_IN_THROTTLED = ErrorKind(
    "sign_in_throttled",
    "0x8F4C47C1",
    N_("Too many failed sign-ins for this address. Wait {seconds} seconds, then try again."),
)
