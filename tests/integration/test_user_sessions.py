"""What a browser session rests on, on each database: a token with a lifetime ends by itself,
and a person changes their own language but not another's without Write on that user."""

from __future__ import annotations

import datetime as dt

import pytest

from leadgate.platform import EntityReference, LeadgateError, Organization, OrganizationService
from leadgate.platform.engine import errors
from leadgate.platform.engine.types import Language
from leadgate.platform.users.messages import CreateApiTokenRequest, SetUserLanguageRequest
from tests.conftest import add_user


def token_for(system: OrganizationService, user: EntityReference,
              lifetime: dt.timedelta | None) -> str:  # fmt: skip
    return system.execute(CreateApiTokenRequest(user, "browser session", lifetime=lifetime)).token


def test_a_session_token_ends_when_its_lifetime_is_over(
    org: Organization, system: OrganizationService
) -> None:
    user = EntityReference("systemuser", add_user(system, "sam@test.example", role="Salesperson"))
    expired = token_for(system, user, dt.timedelta(seconds=-1))
    with pytest.raises(LeadgateError) as refused:
        org.authenticate(expired)
    assert refused.value.code == errors.NOT_AUTHENTICATED.code
    assert org.authenticate(token_for(system, user, dt.timedelta(hours=1))).user_id == user.id
    assert org.authenticate(token_for(system, user, None)).user_id == user.id  # an API token


def test_a_person_sets_their_own_language_but_not_another_users(
    org: Organization, system: OrganizationService
) -> None:
    sam = add_user(system, "sam@test.example", role="Salesperson")
    kim = add_user(system, "kim@test.example", role="Salesperson")
    as_sam = org.service(sam)
    as_sam.execute(SetUserLanguageRequest(Language.FRENCH))
    assert system.retrieve("systemuser", sam)["uilanguageid"] == 1036

    with pytest.raises(LeadgateError) as refused:
        as_sam.execute(SetUserLanguageRequest(Language.FRENCH, EntityReference("systemuser", kim)))
    assert refused.value.code == "0x80040220"  # missing privilege (REFERENCE §8)
    assert "Sam is missing the privilege prvWriteUser on systemuser" in refused.value.message("en")
    assert "il manque à Sam le privilège prvWriteUser sur systemuser" in refused.value.message("fr")
    assert system.retrieve("systemuser", kim)["uilanguageid"] == 1033
