"""A record's status reason is chosen on its form among its state's reasons (New, Contacted, an
administrator's own), as in Dynamics — how a salesperson meets the seed's "invalid status
code": a lead set to a reason the opportunity does not have, then qualified."""

from __future__ import annotations

import re

import pytest

from leadgate.platform import Label
from leadgate.platform.customization.messages import InsertOptionValueRequest, PublishAllXmlRequest

pytestmark = pytest.mark.interface_only


def _reasons(page: str) -> list[str]:
    select = re.search(r'<select[^>]*name="statuscode".*?</select>', page, re.S)
    assert select is not None, "the lead form has no Status Reason to choose"
    return re.findall(r'<option value="(\d*)"', select.group(0))


def test_a_lead_takes_any_reason_of_its_state_on_the_form(browser, admin):
    admin.execute(
        InsertOptionValueRequest(
            "lead", "statuscode", Label("Nurturing", "En maturation"), value=100000000, state=0
        )
    )
    admin.execute(PublishAllXmlRequest())
    lead = admin.create("lead", subject="Reasons", lastname="Buyer")
    person = browser()
    page = person.get(f"/app/leads/{lead}").text
    assert _reasons(page) == ["1", "2", "100000000"]  # Open's only, no "(none)"
    version = re.search(r'name="row-version" value="(\d+)"', page)
    assert version is not None
    answer = person.post(f"/app/leads/{lead}", statuscode="100000000",
                         **{"row-version": version.group(1)})  # fmt: skip
    assert answer.status_code == 303
    assert admin.retrieve("lead", lead, ["statuscode"])["statuscode"] == 100000000
