"""Organization.in_memory(): a whole organization for integrators' own tests."""

from __future__ import annotations

import pytest

from leadgate.platform import LeadgateError, Organization


def test_an_in_memory_organization_has_the_sales_tables():
    with Organization.in_memory() as organization:
        system = organization.system_service()
        lead = system.create("lead", subject="40 seats", firstname="Ada", lastname="Lovelace")
        record = system.retrieve("lead", lead)
        assert (record["fullname"], record["statecode"], record["statuscode"]) == (
            "Ada Lovelace",
            0,
            1,
        )
        with pytest.raises(LeadgateError) as refused:
            system.set_state("lead", lead, 1, 4)
        assert refused.value.code == "0x80048408"
        assert len(system.retrieve_multiple_all("transactioncurrency")) == 2


def test_in_memory_organizations_do_not_share_records():
    with Organization.in_memory() as first, Organization.in_memory() as second:
        first.system_service().create("lead", subject="only here", lastname="One")
        assert second.system_service().retrieve_multiple_all("lead") == []


def test_a_platform_only_organization_has_no_sales_tables():
    with Organization.in_memory(solutions=[]) as organization:
        with pytest.raises(LeadgateError) as refused:
            organization.system_service().create("lead", lastname="x")
        assert refused.value.code == "0x80041102"
