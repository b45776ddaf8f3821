"""Metadata: what tables, columns, choices and relationships exist, stored as data."""

from leadgate.platform.engine.metadata.model import (
    ColumnMetadata,
    MetadataSet,
    OptionMetadata,
    RelationshipMetadata,
    TableMetadata,
)
from leadgate.platform.engine.metadata.navigation import (
    Link,
    NavigationProperty,
    links,
    navigation_name,
    navigation_properties,
)

__all__ = [
    "ColumnMetadata",
    "Link",
    "MetadataSet",
    "NavigationProperty",
    "OptionMetadata",
    "RelationshipMetadata",
    "TableMetadata",
    "links",
    "navigation_name",
    "navigation_properties",
]
