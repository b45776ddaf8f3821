"""Fixtures of the integration tier beyond the shared ones."""

from tests.security_world import tester, world

__all__ = ["tester", "world"]
