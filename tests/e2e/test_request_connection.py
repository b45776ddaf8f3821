"""A Web API request takes one connection from the pool for its token check and its messages,
and a read shares the token check's transaction (issue 16); the connection goes back to the
pool whatever the route answers, and the token is still checked on every request."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
import sqlalchemy as sa

from leadgate.platform import Entity, RevokeApiTokenRequest
from tests.conftest import ADMIN_ID

API = "/api/data/v9.2"


def test_a_read_checks_its_token_and_reads_in_one_transaction(api, system, connection_events):
    lead = system.create("lead", {"subject": "Fifty bikes", "lastname": "Byron"})
    for path in (f"{API}/leads({lead})?$select=subject", f"{API}/leads?$select=subject&$top=5"):
        assert api.get(path).status_code == 200  # warm caches
        connection_events.clear()
        assert api.get(path).status_code == 200
        assert connection_events == Counter(checkout=1, begin=1, commit=1), path


def test_a_write_runs_in_a_transaction_of_its_own(api, system):
    created = api.post(f"{API}/leads", json={"subject": "Ten bikes", "lastname": "Lovelace"})
    assert created.status_code == 204
    record = created.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")
    assert system.retrieve("lead", uuid.UUID(record), ["subject"])["subject"] == "Ten bikes"


def test_every_answer_gives_the_connection_back(api, org):
    pool = org.engine.pool
    if not isinstance(pool, sa.QueuePool):
        pytest.skip("only a queue pool counts its connections")
    for _ in range(pool.size() + pool._max_overflow + 2):
        assert api.get(f"{API}/leads({uuid.uuid4()})").status_code == 404
        assert api.get(f"{API}/leads?$top=x").status_code == 400
        assert api.get(f"{API}/nothings").status_code == 404
    assert api.get(f"{API}/leads?$top=1").status_code == 200
    assert pool.checkedout() == 0


def test_the_next_request_after_a_revocation_or_a_disabling_is_refused(api, system, token):
    assert api.get(f"{API}/leads?$top=1").status_code == 200
    system.update(Entity("systemuser", ADMIN_ID, isdisabled=True))
    assert api.get(f"{API}/leads?$top=1").status_code == 401
    system.update(Entity("systemuser", ADMIN_ID, isdisabled=False))
    assert api.get(f"{API}/leads?$top=1").status_code == 200
    system.execute(RevokeApiTokenRequest(token))
    assert api.get(f"{API}/leads?$top=1").status_code == 401
