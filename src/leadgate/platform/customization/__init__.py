"""Customization: tables, columns and choice values added as drafts and published as DDL, and
solutions (TOML files of metadata and records) imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["register"]


def register(organization: Organization) -> None:
    from leadgate.platform.customization import keys, messages, tables, upgrades

    organization.register_messages(tables.MESSAGES)
    organization.register_messages(keys.MESSAGES)
    organization.register_messages(messages.MESSAGES)
    organization.register_messages(upgrades.MESSAGES)
