"""Rights, depths and privileges (REFERENCE §6): the vocabulary of security roles.

A privilege is ``prv`` + right + table schema name (prvCreateOpportunity); a role grants it at
a depth: User, Business Unit, Parent: Child or Organization.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.types import Ownership

__all__ = [
    "ALL_DEPTHS",
    "ALL_RIGHTS",
    "ORGANIZATION_PRIVILEGES",
    "Depth",
    "Grant",
    "Right",
    "RoleDefinition",
    "privilege_id",
    "privilege_name",
    "table_privileges",
]


class Right(enum.IntFlag):
    """Dataverse's AccessRights values: the bits of a shared access mask."""

    READ = 1
    WRITE = 2
    APPEND = 4
    APPEND_TO = 16
    CREATE = 32
    DELETE = 65536
    SHARE = 262144
    ASSIGN = 524288

    @property
    def word(self) -> str:
        """The right as it appears in privilege names: Read, AppendTo …"""
        return _WORDS[self]

    @property
    def access_name(self) -> str:
        """The right as Dataverse's error messages name it: ReadAccess, AppendToAccess …"""
        return f"{_WORDS[self]}Access"

    @classmethod
    def parse(cls, text: str) -> Right:
        key = text.strip().replace(" ", "").lower()
        for right, word in _WORDS.items():
            if word.lower() == key or f"{word.lower()}access" == key:
                return right
        raise ValueError(text)


_WORDS = {
    Right.CREATE: "Create",
    Right.READ: "Read",
    Right.WRITE: "Write",
    Right.DELETE: "Delete",
    Right.APPEND: "Append",
    Right.APPEND_TO: "AppendTo",
    Right.ASSIGN: "Assign",
    Right.SHARE: "Share",
}
ALL_RIGHTS = tuple(_WORDS)
# Tables without an owner have no Assign or Share, as in Dataverse.
UNOWNED_RIGHTS = (
    Right.CREATE, Right.READ, Right.WRITE, Right.DELETE, Right.APPEND, Right.APPEND_TO,
)  # fmt: skip


class Depth(enum.IntEnum):
    """Dataverse's privilege depth mask: Basic, Local, Deep, Global."""

    NONE = 0
    USER = 1
    BUSINESS_UNIT = 2
    PARENT_CHILD = 4
    ORGANIZATION = 8

    @property
    def label(self) -> Label:
        return _DEPTH_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Depth:
        key = text.strip().lower().replace(" ", "").replace("_", "").replace("-", "")
        for depth, names in _DEPTH_NAMES.items():
            if key in names:
                return depth
        raise ValueError(text)


_DEPTH_LABELS = {
    Depth.NONE: Label("None", "Aucun"),
    Depth.USER: Label("User", "Utilisateur"),
    Depth.BUSINESS_UNIT: Label("Business Unit", "Division"),
    Depth.PARENT_CHILD: Label(
        "Parent: Child Business Units", "Division parente : divisions enfants"
    ),
    Depth.ORGANIZATION: Label("Organization", "Organisation"),
}
_DEPTH_NAMES = {
    Depth.NONE: {"none", "0"},
    Depth.USER: {"user", "basic", "1"},
    Depth.BUSINESS_UNIT: {"businessunit", "bu", "local", "2"},
    Depth.PARENT_CHILD: {"parentchild", "parent:child", "parentchildbusinessunits", "deep", "4"},
    Depth.ORGANIZATION: {"organization", "organisation", "org", "global", "8"},
}
ALL_DEPTHS = int(Depth.USER | Depth.BUSINESS_UNIT | Depth.PARENT_CHILD | Depth.ORGANIZATION)

# Privileges that belong to no table: customization and metadata.
ORGANIZATION_PRIVILEGES = (
    ("prvReadEntity", Right.READ),
    ("prvWriteEntity", Right.WRITE),
    ("prvReadCustomizations", Right.READ),
    ("prvWriteCustomizations", Right.WRITE),
    ("prvPublishCustomizations", Right.WRITE),
    # Dataverse's audit privileges: the whole trail, and the history of a record one may read.
    ("prvReadAuditSummary", Right.READ),
    ("prvReadRecordAuditHistory", Right.READ),
    # Dataverse's impersonation privilege; leadgate's use: diagnosing for another user.
    ("prvActOnBehalfOfAnotherUser", Right.WRITE),
)

_PRIVILEGE_NAMESPACE = uuid.UUID("0f3a6c52-1d7e-4b8e-9f2a-5c6d7e8f9a01")


def privilege_name(right: Right, table: TableMetadata) -> str:
    return f"prv{right.word}{table.schema_name}"


def privilege_id(name: str) -> uuid.UUID:
    """Privileges have the same id in every organization, derived from their name."""
    return uuid.uuid5(_PRIVILEGE_NAMESPACE, name)


def table_privileges(table: TableMetadata) -> list[tuple[str, Right, int]]:
    """The privileges a table has: (name, right, valid depths)."""
    if table.ownership in (Ownership.USER, Ownership.BUSINESS_UNIT):
        return [(privilege_name(right, table), right, ALL_DEPTHS) for right in ALL_RIGHTS]
    return [
        (privilege_name(right, table), right, int(Depth.ORGANIZATION)) for right in UNOWNED_RIGHTS
    ]


@dataclass(frozen=True)
class Grant:
    """Rights on tables (or named privileges) at one depth, as a role in a solution grants."""

    depth: Depth
    rights: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    privileges: tuple[str, ...] = ()
    # The solution version that first granted it: an upgrade adds only what is newer.
    since: int = 1

    def privilege_names(self, table: Callable[[str], TableMetadata]) -> list[str]:
        """The privileges it grants: those it names, and each right on each table."""
        names = list(self.privileges)
        for table_name in self.tables:
            found = table(table_name)
            names += [privilege_name(Right.parse(right), found) for right in self.rights]
        return names


@dataclass(frozen=True)
class RoleDefinition:
    key: str
    name: str
    description: Label | None = None
    grants_all: bool = False
    grants: tuple[Grant, ...] = ()
