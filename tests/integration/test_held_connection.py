"""A Web API request holds one connection (Organization.authenticate_held): its token is checked
in a read transaction that its first read takes over, so that token and read cost one BEGIN
and one COMMIT (issue 16); every token is still checked on every request, a write still runs
in a transaction of its own, and the connection goes back to the pool whatever happens."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

import pytest
import sqlalchemy as sa

from leadgate.platform import (
    Entity,
    EntityReference,
    LeadgateError,
    Organization,
    OrganizationService,
    RevokeApiTokenRequest,
)
from leadgate.platform.engine import errors
from leadgate.platform.engine.types import Interface
from leadgate.platform.users.messages import CreateApiTokenRequest
from tests.conftest import add_user

LEAD = {"subject": "Fifty bikes", "lastname": "Byron", "companyname": "Velo"}


@pytest.fixture
def salesperson(system: OrganizationService) -> EntityReference:
    return EntityReference("systemuser", add_user(system, "sam@test.example", role="Salesperson"))


def token_for(system: OrganizationService, user: EntityReference,
              lifetime: dt.timedelta | None = None) -> str:  # fmt: skip
    return system.execute(CreateApiTokenRequest(user, "api", lifetime=lifetime)).token


def held_service(org: Organization, token: str):  # type: ignore[no-untyped-def]
    user, _metadata, held = org.authenticate_held(token)
    service = org.service(user.user_id, language=user.language, interface=Interface.WEB_API,
                          held=held)  # fmt: skip
    return service, held


def test_the_first_read_runs_in_the_transaction_the_token_was_checked_in(
    org, system, salesperson, connection_events
):
    lead = org.service(salesperson.id).create("lead", dict(LEAD))
    token = token_for(system, salesperson)
    held_service(org, token)[1].close()  # the caches are warm, as in a running server
    connection_events.clear()
    service, held = held_service(org, token)
    assert service.retrieve("lead", lead, ["subject"])["subject"] == "Fifty bikes"
    held.close()
    assert connection_events == Counter(checkout=1, begin=1, commit=1)


def test_later_messages_and_writes_run_on_the_held_connection_in_transactions_of_their_own(
    org, system, salesperson, connection_events
):
    token = token_for(system, salesperson)
    held_service(org, token)[1].close()
    connection_events.clear()
    service, held = held_service(org, token)
    created = service.create("lead", dict(LEAD))  # ends the token's read, begins a write
    assert service.retrieve("lead", created, ["subject"])["subject"] == "Fifty bikes"
    held.close()
    assert connection_events["checkout"] == 1
    assert (
        connection_events["begin"] == 3
        and connection_events["commit"] == 2
        and connection_events["rollback"] == 1
    )
    assert system.retrieve("lead", created, ["subject"])["subject"] == "Fifty bikes"


def test_a_refusal_rolls_back_and_the_held_connection_serves_the_next_message(
    org, system, salesperson
):
    mine = org.service(salesperson.id).create("lead", dict(LEAD))
    service, held = held_service(org, token_for(system, salesperson))
    with pytest.raises(LeadgateError) as refused:
        service.retrieve("lead", uuid.uuid4(), ["subject"])
    assert refused.value.code == errors.RECORD_NOT_FOUND.code
    assert service.retrieve("lead", mine, ["subject"])["subject"] == "Fifty bikes"
    held.close()
    assert service.retrieve("lead", mine, ["subject"])["subject"] == "Fifty bikes"  # its own


def test_every_request_checks_its_token_revoked_expired_or_disabled(org, system, salesperson):
    token = token_for(system, salesperson)
    held_service(org, token)[1].close()
    system.execute(RevokeApiTokenRequest(token))
    with pytest.raises(LeadgateError) as refused:
        org.authenticate_held(token)
    assert refused.value.code == errors.NOT_AUTHENTICATED.code
    with pytest.raises(LeadgateError) as refused:
        org.authenticate_held(token_for(system, salesperson, dt.timedelta(seconds=-1)))
    assert refused.value.code == errors.NOT_AUTHENTICATED.code
    token = token_for(system, salesperson)
    system.update(Entity("systemuser", salesperson.id, isdisabled=True))
    with pytest.raises(LeadgateError) as refused:
        org.authenticate_held(token)
    assert refused.value.code == errors.USER_DISABLED.code


def test_a_refused_token_gives_its_connection_back(org, system, salesperson):
    pool = org.engine.pool
    if not isinstance(pool, sa.QueuePool):
        pytest.skip("only a queue pool counts its connections")
    for _ in range(pool.size() + pool._max_overflow + 2):
        with pytest.raises(LeadgateError):
            org.authenticate_held("not-a-token")
    assert pool.checkedout() == 0
    _service, held = held_service(org, token_for(system, salesperson))
    assert pool.checkedout() == 1
    held.close()
    assert pool.checkedout() == 0
