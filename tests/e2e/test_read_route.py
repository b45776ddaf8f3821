"""The entity sets' GET route tried first (web/read_route.py) takes only what its own place in
the routes would have given it: a GET of one segment that no other route spells out."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from starlette.routing import Match

from leadgate.web.read_route import read_first, spell_out
from leadgate.web.routes import router as entity_routes

pytestmark = pytest.mark.interface_only

API = "/api/data/v9.2"
ROUTERS = ("health", "csdl", "batch", "entity_definitions", "relationship_definitions",
           "sdk_messages", "option_sets", "entity_sets", "actions", "bound_functions",
           "functions", "bulk_delete")  # fmt: skip


def scope(method: str, path: str) -> dict:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}


@pytest.fixture
def route():  # armed as create_app arms it, with the names of every router's routes
    from leadgate.web import app

    _, first = read_first()
    routers = [getattr(app, name).router for name in ROUTERS]
    spell_out(first, [route for router in [*routers, entity_routes] for route in router.routes])
    return first


ONE_SEGMENT = ["leads", "leads(00000000-0000-0000-0000-000000000001)",
               "accounts(accountnumber='A1')", "whoami", "nothings"]  # fmt: skip


@pytest.mark.parametrize("path", ONE_SEGMENT)
def test_it_takes_a_get_of_one_segment(route, path):
    assert route.matches(scope("GET", f"{API}/{path}"))[0] is Match.FULL


@pytest.mark.parametrize("method, path", [
    ("GET", "$metadata"), ("GET", "WhoAmI()"), ("GET", "WhoAmI"), ("GET", "EntityDefinitions"),
    ("GET", "EntityDefinitions(LogicalName='lead')"), ("GET", "RetrieveDuplicates(x=@x)"),
    ("GET", "GlobalOptionSetDefinitions"), ("GET", "sdkmessagefilters"), ("GET", ""),
    ("GET", "leads/$count"), ("GET", "leads(1)/subject"), ("POST", "leads"), ("PATCH", "leads(1)"),
    ("DELETE", "leads(1)"), ("POST", "$batch"), ("HEAD", "leads"),
])  # fmt: skip
def test_it_leaves_the_rest_to_the_routes_in_their_order(route, method, path):
    assert route.matches(scope(method, f"{API}/{path}"))[0] is Match.NONE


def test_gets_answer_as_before(api):
    assert api.get(f"{API}/$metadata").status_code == 200
    assert api.get(f"{API}/WhoAmI()").json()["UserId"]
    assert api.get(f"{API}/leads?$top=1").status_code == 200
    assert api.get(f"{API}/nothings").status_code == 404
    assert api.put(f"{API}/leads").status_code == 405


def test_a_route_it_could_shadow_is_refused():
    _, route = read_first()
    shadowing = APIRouter(prefix=API)
    shadowing.get("/{table}")(lambda table: table)
    with pytest.raises(RuntimeError):
        spell_out(route, [*shadowing.routes, *entity_routes.routes])


def test_every_route_of_a_signed_in_caller_authenticates_it_first(sqlite_api):
    """A synchronous route with a ``signed_in`` caller must be a SignedInRoute (which checks
    the token in the route's thread before its first line); an asynchronous one checks it
    itself (``$batch``, ``RawBody``): a route forgetting it would answer 500, not 401."""
    from fastapi.routing import APIRoute

    from leadgate.web.auth import SignedInRoute, signed_in

    def callers(dependant) -> list:
        found = [dependant.call]
        for each in dependant.dependencies:
            found.extend(callers(each))
        return found

    def every(routes) -> list:  # routers are included as they are (FastAPI 0.165)
        found = []
        for route in routes:
            router = getattr(route, "original_router", None)
            found.extend(every(router.routes) if router is not None else [route])
        return found

    checked = 0
    for route in every(sqlite_api.app.routes):
        if isinstance(route, APIRoute) and signed_in in callers(route.dependant):
            assert isinstance(route, SignedInRoute), route.path
            checked += 1
    assert checked >= 30  # the API routes with a caller, not none by accident
    # Without a token it answers 401 before anything else (every kind: tests/e2e/test_auth).
    anonymous = sqlite_api.get(f"{API}/leads", headers={"Authorization": ""})
    assert anonymous.status_code == 401
