"""Metadata: what tables, columns, choices and relationships exist, stored as data."""

from leadgate.platform.engine.metadata.model import (
    ColumnMetadata,
    MetadataSet,
    OptionMetadata,
    RelationshipMetadata,
    TableMetadata,
)
from leadgate.platform.engine.metadata.navigation import (
    NavigationProperty,
    collection_navigation_name,
    lookup_navigation_name,
    navigation_properties,
)

__all__ = [
    "ColumnMetadata",
    "MetadataSet",
    "NavigationProperty",
    "OptionMetadata",
    "RelationshipMetadata",
    "TableMetadata",
    "collection_navigation_name",
    "lookup_navigation_name",
    "navigation_properties",
]
