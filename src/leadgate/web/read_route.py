"""The entity sets' GET ``/{segment}`` route, tried first: a record or a page is what most
requests read, and FastAPI tries routes in order (about 14 routers, 40 routes, came before it:
~10% of a profiled read, issue 16).

It answers only what the same route (``routes.read``) would answer in its own place: a GET of
one segment whose name (before any ``(``) no other route of the API spells out — those
(``$metadata``, ``EntityDefinitions``, ``WhoAmI()``, the functions …) are left to the routes
in their order, as is every other method and path.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter
from starlette.routing import BaseRoute, Match, get_route_path
from starlette.types import Scope

from leadgate.web.auth import SignedInRoute
from leadgate.web.resources import API_PATH
from leadgate.web.routes import read

__all__ = ["read_first", "spell_out"]

_PREFIX = API_PATH + "/"
_READS = frozenset({"GET"})  # HEAD, like every other method, goes the usual way


class _ReadRoute(SignedInRoute):
    def __init__(self, *args: object, **options: object) -> None:
        super().__init__(*args, **options)  # type: ignore[arg-type]
        self.spelled: frozenset[str] | None = None  # set by read_first, once routes are in

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] not in _READS or self.spelled is None:
            return Match.NONE, {}
        path = get_route_path(scope)
        segment = path[len(_PREFIX) :] if path.startswith(_PREFIX) else ""
        if not segment or "/" in segment or segment.split("(", 1)[0] in self.spelled:
            return Match.NONE, {}
        return super().matches(scope)


def read_first() -> tuple[APIRouter, _ReadRoute]:
    """The router to include before every other, and its route (:func:`spell_out` arms it)."""
    router = APIRouter(prefix=API_PATH, route_class=_ReadRoute)
    router.get("/{segment}", include_in_schema=False)(read)
    route = router.routes[0]
    assert isinstance(route, _ReadRoute)
    return router, route


def spell_out(route: _ReadRoute, routes: Iterable[BaseRoute]) -> None:
    """Arm ``route`` with the names the API's other routes spell out in their first segment.
    A route whose first segment is a parameter would be shadowed: refused here."""
    spelled = set()
    for other in routes:
        path = getattr(other, "path", "")
        if other is route or not path.startswith(_PREFIX):
            continue
        first = path[len(_PREFIX) :].split("/", 1)[0]
        name = first.split("(", 1)[0].split("{", 1)[0]
        if name:
            spelled.add(name)
        elif first and first != "{segment}" and not first.startswith("{path"):
            raise RuntimeError(f"{path}: a first segment read_first cannot tell apart")
    route.spelled = frozenset(spelled)
