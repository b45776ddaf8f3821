"""Metadata: what tables, columns, choices and relationships exist, stored as data."""

from leadgate.platform.engine.metadata.model import (
    ColumnMetadata,
    MetadataSet,
    OptionMetadata,
    RelationshipMetadata,
    TableMetadata,
)

__all__ = [
    "ColumnMetadata",
    "MetadataSet",
    "OptionMetadata",
    "RelationshipMetadata",
    "TableMetadata",
]
