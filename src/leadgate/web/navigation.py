"""Navigation properties as the Web API names them: the platform's one rule
(leadgate.platform.engine.metadata.navigation), re-exported for the Web API's modules."""

from __future__ import annotations

from leadgate.platform.engine.metadata.navigation import (
    Link,
    links,
    links_from,
    links_to,
    navigation_name,
)

__all__ = ["Link", "links", "links_from", "links_to", "navigation_name"]
