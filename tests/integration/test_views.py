"""Views and forms as records, on both databases: the shipped views run through
RetrieveMultiple as a salesperson return what they promise, the caller operators resolve to
who runs the query, and a view or form that cannot work is refused when saved."""

from __future__ import annotations

import pytest

from leadgate.platform import Entity, EntityReference, LeadgateError
from leadgate.platform.customization.upgrades import UpgradeSolutionRequest
from leadgate.platform.engine.query import ConditionExpression, FilterExpression, QueryExpression
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.security.messages import RemovePrivilegeRoleRequest
from leadgate.platform.views import QUICK_FIND, Form, View, quick_find
from leadgate.sales import solution
from tests.conftest import add_user

pytestmark = pytest.mark.usefixtures("database_url")


def refusal(action) -> LeadgateError:
    with pytest.raises(LeadgateError) as refused:
        action()
    return refused.value


def names(collection) -> list[str]:
    return sorted(record["fullname"] for record in collection)


@pytest.fixture
def world(org, system):
    """Two salespeople of the root unit and one of unit East, each with leads."""
    root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0].to_reference()
    east = EntityReference("businessunit", system.create(
        "businessunit", name="East", parentbusinessunitid=root))  # fmt: skip
    users = {
        "sam": add_user(system, "sam@views.example", role="Salesperson"),
        "sue": add_user(system, "sue@views.example", role="Salesperson"),
        "eve": add_user(system, "eve@views.example", role="Salesperson", unit=east),
    }

    def lead(owner: str, last: str, **values) -> EntityReference:
        owned = EntityReference("systemuser", users[owner])
        created = system.create("lead", subject="Seats", firstname=owner.title(), lastname=last,
                                ownerid=owned, **values)  # fmt: skip
        return EntityReference("lead", created)

    lead("sam", "Open", companyname="Jackson Ltd", emailaddress1="sam.open@views.example")
    closed = lead("sam", "Closed")
    system.execute(SetStateRequest(closed, 2, 4))  # disqualified: Lost
    lead("sue", "Open", companyname="Sonic")
    lead("eve", "Open")
    return {name: org.service(user) for name, user in users.items()}


def views(service, table: str) -> dict[str, View]:
    metadata = service.organization.metadata()
    return {
        record["name"]: View.from_record(record, metadata)
        for record in service.retrieve_multiple("savedquery", returnedtypecode=table)
    }


def test_the_shipped_lead_views_return_what_they_promise_to_a_salesperson(world):
    sam = world["sam"]
    found = views(sam, "lead")  # salespeople read the views (granted since version 7)
    assert set(found) == {"My Open Leads", "Open Leads", "Closed Leads", "All Leads",
                          "Quick Find Leads"}  # fmt: skip
    assert [v.name.en for v in found.values() if v.is_default and v.query_type == 0] == [
        "My Open Leads"
    ]
    assert found["My Open Leads"].name.fr == "Mes prospects ouverts"
    assert [c.name for c in found["My Open Leads"].columns] == [
        "fullname", "companyname", "emailaddress1", "telephone1", "statuscode", "createdon",
    ]  # fmt: skip
    assert "ownerid" in [c.name for c in found["Open Leads"].columns]

    def run(query: QueryExpression) -> list[str]:
        return names(sam.retrieve_multiple(query))

    assert run(found["My Open Leads"].query) == ["Sam Open"]  # the caller's open leads only
    assert run(found["Open Leads"].query) == ["Sam Open", "Sue Open"]  # the unit's, as readable
    assert run(found["Closed Leads"].query) == ["Sam Closed"]
    assert run(found["All Leads"].query) == ["Sam Closed", "Sam Open", "Sue Open"]
    assert names(world["eve"].retrieve_multiple(found["My Open Leads"].query)) == ["Eve Open"]
    quick = found["Quick Find Leads"]
    assert quick.query_type == QUICK_FIND
    assert run(quick_find(found["Open Leads"], quick, "jack")) == ["Sam Open"]  # company
    assert run(quick_find(found["Open Leads"], quick, "*onic")) == ["Sue Open"]  # * = anything
    assert run(quick_find(found["Open Leads"], quick, "sam.open@")) == ["Sam Open"]  # email
    assert run(quick_find(found["My Open Leads"], quick, "sue")) == []  # within the view


def test_every_shipped_table_has_its_views_and_a_main_form(world):
    sam = world["sam"]
    expected = {
        "account": {"My Active Accounts", "Active Accounts", "Inactive Accounts"},
        "contact": {"My Active Contacts", "Active Contacts", "Inactive Contacts"},
        "opportunity": {"My Open Opportunities", "Open Opportunities", "Closed Opportunities"},
    }
    for table, main in expected.items():
        found = views(sam, table)
        assert {n for n, v in found.items() if v.query_type == 0} == main
        assert [v.query_type for v in found.values()].count(QUICK_FIND) == 1
        assert [n for n, v in found.items() if v.is_default and v.query_type == 0] == [
            next(n for n in main if n.startswith("My "))
        ]
        for view in found.values():
            sam.retrieve_multiple(view.query)  # each runs
    metadata = sam.organization.metadata()
    forms = {
        record["objecttypecode"]: Form.from_record(record, metadata)
        for record in sam.retrieve_multiple_all("systemform")
    }
    assert set(forms) == {"lead", "account", "contact", "opportunity"}
    lead = forms["lead"]
    assert lead.header == ("statuscode", "ownerid", "leadsourcecode")
    assert [s.name for s in lead.tabs[0].sections] == [
        "contact", "company", "details", "qualification", "related",
    ]  # fmt: skip
    assert {"qualifyingopportunityid", "parentaccountid"} <= set(lead.fields)
    for table in ("account", "contact", "opportunity"):
        assert "originatingleadid" in forms[table].fields
    assert {"customerid", "estimatedvalue", "customerneed", "filedebrief"} <= set(
        forms["opportunity"].fields
    )


def test_caller_operators_compare_with_who_runs_the_query(world, system):
    def run(service, *conditions: ConditionExpression) -> list[str]:
        query = QueryExpression("lead", criteria=FilterExpression("and", conditions))
        return names(service.retrieve_multiple(query))

    mine = ConditionExpression("ownerid", "eq_userid")
    assert run(world["sam"], mine) == ["Sam Closed", "Sam Open"]
    assert run(world["sue"], mine) == ["Sue Open"]
    assert run(world["sam"], ConditionExpression("ownerid", "ne_userid")) == ["Sue Open"]
    unit = ConditionExpression("owningbusinessunit", "eq_businessid")
    assert run(world["eve"], unit) == ["Eve Open"]
    assert run(system, unit) == ["Sam Closed", "Sam Open", "Sue Open"]  # SYSTEM's unit: root
    assert run(system, mine) == []
    error = refusal(lambda: run(world["sam"], ConditionExpression("subject", "eq_userid")))
    assert error.code == "0x8006088a"
    assert "'subject' is not one" in error.message("en")
    error = refusal(lambda: run(world["sam"], ConditionExpression("ownerid", "eq_userid", "x")))
    assert "l'opérateur « eq_userid » ne prend pas de valeur" in error.message("fr")


FETCH = '<fetch><entity name="lead"><attribute name="fullname"/>{}</entity></fetch>'
GRID = '<grid name="resultset"><row name="result" id="leadid">{}</row></grid>'


def test_a_view_or_form_that_cannot_work_is_refused_when_saved(admin):
    before = len(admin.retrieve_multiple_all("savedquery"))

    def create_view(fetchxml: str, layoutxml: str | None = None, table: str = "lead"):
        return lambda: admin.create("savedquery", name="Mine", returnedtypecode=table,
                                    fetchxml=fetchxml, layoutxml=layoutxml)  # fmt: skip

    error = refusal(create_view(FETCH.format('<attribute name="colour"/>')))
    assert (error.code, error.message("en"), error.message("fr")) == (
        "0x8F4C47B4",
        "The fetchxml names the column 'colour', which the table 'lead' does not have.",
        "Le fetchxml nomme la colonne « colour », que la table « lead » n'a pas.",
    )
    error = refusal(create_view(FETCH.format(""), GRID.format('<cell name="telephone1"/>')))
    assert (error.code, error.message("en"), error.message("fr")) == (
        "0x8F4C47B5",
        "The layoutxml shows the column 'telephone1', which the fetchxml does not read: add "
        '<attribute name="telephone1"/> to the fetchxml, or remove the cell.',
        "Le layoutxml affiche la colonne « telephone1 », que le fetchxml ne lit pas : ajoutez "
        '<attribute name="telephone1"/> au fetchxml, ou supprimez la cellule.',
    )
    error = refusal(create_view(FETCH.format(""), table="account"))
    assert error.code == "0x8F4C47B6"
    bomb = '<!DOCTYPE f [<!ENTITY a "aaaa">]><fetch><entity name="&a;"/></fetch>'
    assert refusal(create_view(bomb)).code == "0x8F4C47B2"
    assert len(admin.retrieve_multiple_all("savedquery")) == before  # nothing written

    view = admin.create(
        "savedquery",
        name="Mine",
        returnedtypecode="lead",
        fetchxml=FETCH.format(""),
        layoutxml=GRID.format('<cell name="fullname"/>'),
    )
    admin.update(Entity("savedquery", view, name="Renamed"))  # what it reads is not checked
    error = refusal(
        lambda: admin.update(
            Entity("savedquery", view, layoutxml=GRID.format('<cell name="subject"/>'))
        )
    )
    assert error.code == "0x8F4C47B5"  # checked against the stored fetchxml
    admin.update(Entity("savedquery", view, fetchxml=FETCH.format('<attribute name="subject"/>'),
                 layoutxml=GRID.format('<cell name="subject"/>')))  # fmt: skip

    form = '{"tabs": [{"name": "t", "sections": [{"name": "s", "fields": ["%s"]}]}]}'
    error = refusal(lambda: admin.create("systemform", name="F", objecttypecode="lead",
                                         formjson=form % "colour"))  # fmt: skip
    assert (error.code, error.message("fr")) == (
        "0x8F4C47B4", "Le formjson nomme la colonne « colour », que la table « lead » n'a pas.",
    )  # fmt: skip
    created = admin.create("systemform", name="F", objecttypecode="lead", formjson=form % "subject")
    error = refusal(lambda: admin.update(Entity("systemform", created, objecttypecode="account")))
    assert error.message("en") == (
        "The formjson names the column 'subject', which the table 'account' does not have."
    )


def test_an_upgrade_from_version_6_lets_both_sales_roles_read_views_and_forms(system):
    (role,) = system.retrieve_multiple("role", name="Salesperson")
    for privilege in ("prvReadSavedQuery", "prvReadSystemForm"):
        system.execute(RemovePrivilegeRoleRequest(role.id, privilege))

    def plan(since: int) -> list[str]:
        response = system.execute(UpgradeSolutionRequest(solution.definition(), since, True))
        return [str(step) for step in response.steps]

    assert plan(7) == []  # revoked after version 7 shipped it: the administrator's choice
    assert plan(6)[0] == (
        "grant prvReadSavedQuery (Organization), prvReadSystemForm (Organization) to the role "
        "Salesperson"
    )
    system.execute(UpgradeSolutionRequest(solution.definition(), 6))
    assert plan(7) == []
    assert plan(6) == []
