"""Lead qualification and the seed's failures, each for its cause, in its words, leaving nothing."""

from __future__ import annotations

import uuid

import pytest

from leadgate.platform import (
    Entity,
    EntityReference,
    InsertOptionValueRequest,
    Label,
    LeadgateError,
    PublishAllXmlRequest,
)
from leadgate.platform.security.messages import (
    AddPrivilegesRoleRequest,
    RemovePrivilegeRoleRequest,
    RolePrivilege,
)
from leadgate.platform.security.privileges import Depth
from leadgate.sales.qualify import QualifyLeadRequest
from tests.conftest import add_user, map_status_then_add_nurturing

SALES_TABLES = ("account", "contact", "opportunity")


def refusal(action) -> LeadgateError:
    with pytest.raises(LeadgateError) as refused:
        action()
    return refused.value


def counts(system) -> dict[str, int]:
    return {table: len(system.retrieve_multiple_all(table, columns=[f"{table}id"]))
            for table in SALES_TABLES}  # fmt: skip


def a_lead(service, **values) -> uuid.UUID:
    values = {"subject": "40 seats", "firstname": "Ada", "lastname": "Lovelace",
              "companyname": "Analytical Engines", "emailaddress1": "ada@ae.example",
              "budgetamount": 25000, "telephone2": "+44 20 7946 0000", **values}  # fmt: skip
    return service.create("lead", values)


def qualify(service, lead, **options):
    return service.execute(QualifyLeadRequest(EntityReference("lead", lead), **options))


def test_qualifying_makes_the_three_records_through_the_maps(admin, system):
    lead = a_lead(admin)
    created = qualify(admin, lead).created_entities
    assert [ref.logical_name for ref in created] == list(SALES_TABLES)
    account, contact, opportunity = (admin.retrieve(r.logical_name, r.id) for r in created)
    lead_ref = EntityReference("lead", lead)
    assert (account["name"], account["telephone1"]) == ("Analytical Engines", "+44 20 7946 0000")
    assert (contact["fullname"], contact["emailaddress1"]) == ("Ada Lovelace", "ada@ae.example")
    assert opportunity["name"] == "40 seats" and opportunity["budgetamount"] == 25000
    for record in (account, contact, opportunity):
        assert record["originatingleadid"] == lead_ref
    assert contact["parentcustomerid"] == created[0]
    assert opportunity["customerid"] == created[0]
    assert (opportunity["parentaccountid"], opportunity["parentcontactid"]) == created[:2]
    usd = system.retrieve_multiple("transactioncurrency", isocurrencycode="USD")[0]
    assert opportunity["transactioncurrencyid"] == usd.to_reference()  # the base currency
    closed = admin.retrieve("lead", lead)
    assert (closed["statecode"], closed["statuscode"]) == (1, 3)
    assert (closed["parentaccountid"], closed["parentcontactid"], closed["qualifyingopportunityid"]
            ) == created  # fmt: skip
    assert closed["modifiedby"].id == admin.user_id  # not SYSTEM, though the platform closed it


def test_existing_account_and_contact_are_linked_not_created(admin):
    account = admin.create("account", name="Known Ltd")
    contact = admin.create("contact", lastname="Known")
    lead = a_lead(
        admin,
        parentaccountid=EntityReference("account", account),
        parentcontactid=EntityReference("contact", contact),
    )
    before = counts(admin)
    created = qualify(admin, lead).created_entities
    assert [ref.logical_name for ref in created] == ["opportunity"]
    assert counts(admin) == {**before, "opportunity": before["opportunity"] + 1}
    opportunity = admin.retrieve("opportunity", created[0].id)
    assert opportunity["customerid"] == EntityReference("account", account)
    assert opportunity["parentcontactid"] == EntityReference("contact", contact)


@pytest.mark.parametrize(
    ("flags", "customer"),
    [
        ({"create_account": False, "create_contact": True}, "contact"),
        ({"create_account": False, "create_contact": False}, None),
    ],
)
def test_the_opportunity_customer_follows_reference_3_3(admin, flags, customer):
    lead = a_lead(admin)
    created = qualify(admin, lead, create_opportunity=True, **flags).created_entities
    opportunity = admin.retrieve("opportunity", created[-1].id)
    found = opportunity["customerid"]
    assert (found.logical_name if found else None) == customer


def test_the_currency_parameter_wins_over_the_lead(admin, system):
    euro = system.retrieve_multiple("transactioncurrency", isocurrencycode="EUR")[0]
    usd = system.retrieve_multiple("transactioncurrency", isocurrencycode="USD")[0]
    lead = a_lead(admin, transactioncurrencyid=usd.to_reference())
    created = qualify(admin, lead, opportunity_currency_id=euro.to_reference()).created_entities
    assert admin.retrieve("opportunity", created[-1].id)["transactioncurrencyid"] == (
        euro.to_reference()
    )
    other = a_lead(admin, transactioncurrencyid=euro.to_reference())
    created = qualify(admin, other).created_entities
    assert admin.retrieve("opportunity", created[-1].id)["transactioncurrencyid"] == (
        euro.to_reference()
    )


def test_the_customer_must_be_an_account_or_a_contact(admin, system):
    lead = a_lead(admin)
    currency = system.retrieve_multiple("transactioncurrency")[0].to_reference()
    error = refusal(lambda: qualify(admin, lead, opportunity_customer_id=currency))
    assert error.code == "0x8F4C4762"
    assert error.message("en") == (
        "The opportunity's customer must be an account or a contact, not a transactioncurrency "
        "record."
    )


def test_the_status_must_be_a_qualified_status_reason(admin):
    lead = a_lead(admin)
    error = refusal(lambda: qualify(admin, lead, status=4))
    assert error.code == "0x80048408"
    assert error.message("en") == (
        f"4 is not a valid status code for state code LeadState.Qualified on lead with Id {lead}."
    )
    assert admin.retrieve("lead", lead)["statecode"] == 0


# --- the seed: "Lead is already closed" ----------------------------------------------------

SEED_CLOSED = "The lead is closed and you can't convert or qualify a lead that is already closed."
SEED_CLOSED_FR = (
    "Le prospect est fermé et vous ne pouvez pas convertir ou qualifier un prospect déjà fermé."
)


@pytest.mark.parametrize(("state", "status"), [(1, 3), (2, 4)])
def test_a_closed_lead_cannot_be_qualified_or_disqualified(admin, state, status):
    lead = a_lead(admin)
    admin.set_state("lead", lead, state, status)
    before = (counts(admin), admin.retrieve("lead", lead)["versionnumber"])
    for attempt in (lambda: qualify(admin, lead), lambda: admin.set_state("lead", lead, 2, 5)):
        error = refusal(attempt)
        assert error.code == "0x8F4C4760"
        assert error.message("en").startswith(SEED_CLOSED)
        assert error.message("fr").startswith(SEED_CLOSED_FR)
    assert (counts(admin), admin.retrieve("lead", lead)["versionnumber"]) == before


def test_disqualify_with_each_reason_then_reactivate(admin):
    for reason in (4, 5, 6, 7):
        lead = a_lead(admin)
        admin.update(Entity("lead", lead, statecode=2, statuscode=reason))
        assert admin.retrieve("lead", lead)["statuscode"] == reason
        admin.update(Entity("lead", lead, statecode=0, statuscode=2))
        assert (admin.retrieve("lead", lead)["statecode"]) == 0
    lead = a_lead(admin)
    error = refusal(lambda: admin.set_state("lead", lead, 2, 3))
    assert error.code == "0x80048408"
    assert "3 is not a valid status code for state code LeadState.Disqualified" in (
        error.message("en")
    )


def test_a_reactivated_lead_can_be_qualified_again(admin):
    lead = a_lead(admin)
    qualify(admin, lead, create_opportunity=False)  # its process stays on Qualify
    admin.set_state("lead", lead, 0, 1)
    again = qualify(admin, lead, create_account=False, create_contact=False)
    assert [ref.logical_name for ref in again.created_entities] == ["opportunity"]
    # With an opportunity, the process went on to Develop: the seed's "Active stage is not
    # on the lead" until Set Active (tests/integration/test_process_flow.py).
    admin.set_state("lead", lead, 0, 1)
    assert refusal(lambda: qualify(admin, lead)).code == "0x80100002"


# --- the seed: "Invalid status code for a contact or opportunity" ---------------------------


@pytest.fixture
def nurturing(system):
    return map_status_then_add_nurturing(system)


def test_adding_the_value_warns_which_map_will_fail(nurturing):
    map_id, added = nurturing
    assert len(added.warnings) == 1
    warning = added.warnings[0]
    assert warning.map.id == map_id
    assert str(warning.message) == (
        "The attribute map lead.statuscode -> opportunity.statuscode copies this column to "
        "opportunity.statuscode, which has no value 100000000: new opportunity records made from "
        "records holding it will be refused."
    )
    assert [str(fix) for fix in warning.fixes] == [
        "add the value to the target: leadgate customize add-choice opportunity statuscode "
        "--value 100000000 --label 'Nurturing' --state 0",
        f"or remove the map: leadgate maps remove {map_id}",
    ]
    assert warning.message.in_language("fr").startswith("Le mappage d'attribut")


def test_invalid_status_code_names_the_value_the_target_and_the_map(admin, nurturing):
    map_id, _ = nurturing
    lead = a_lead(admin, statuscode=100000000)
    before = counts(admin)
    error = refusal(lambda: qualify(admin, lead))
    assert error.code == "0x80048408"
    english, french = error.message("en"), error.message("fr")
    assert english.startswith("100000000 is not a valid status code for state code "
                              "OpportunityState.Open on opportunity with Id ")  # fmt: skip
    assert (
        "The value was copied from lead.statuscode by the attribute map lead.statuscode -> "
        "opportunity.statuscode of the entity map lead -> opportunity. Add the value to "
        f"opportunity.statuscode, or remove the map (leadgate maps remove {map_id})."
    ) in english
    assert french.startswith(
        "Erreur de code d'état non valide : 100000000 n'est pas un code de "
        "statut valide pour le code d'état OpportunityState.Open sur "
        "opportunity"
    )
    assert "La valeur a été copiée de lead.statuscode" in french
    assert counts(admin) == before  # no account, contact or opportunity remains
    assert admin.retrieve("lead", lead)["statecode"] == 0


def test_removing_the_map_fixes_it(admin, system, nurturing):
    map_id, _ = nurturing
    lead = a_lead(admin, statuscode=100000000)
    system.delete("attributemap", map_id)
    assert len(qualify(admin, lead).created_entities) == 3


def test_adding_the_value_to_the_target_fixes_it(admin, system, nurturing):
    lead = a_lead(admin, statuscode=100000000)
    system.execute(
        InsertOptionValueRequest(
            "opportunity", "statuscode", Label("Nurturing"), value=100000000, state=0
        )
    )
    system.execute(PublishAllXmlRequest())
    created = qualify(admin, lead).created_entities
    assert admin.retrieve("opportunity", created[2].id)["statuscode"] == 100000000


def test_a_status_map_to_contact_is_refused_because_new_contacts_start_active(system):
    """Lead Contacted (2) is Inactive (2) on contact: the map could never work for such leads."""
    entity_map = system.retrieve_multiple("entitymap", sourceentityname="lead",
                                          targetentityname="contact")[0]  # fmt: skip
    error = refusal(
        lambda: system.create(
            "attributemap",
            entitymapid=entity_map.to_reference(),
            sourceattributename="statuscode",
            targetattributename="statuscode",
        )
    )
    assert error.code == "0x8F4C4718"
    assert (
        "the source can hold the status reasons 2 when it is copied, which a new contact "
        "record cannot take (it starts Active)"
    ) in error.message("en")
    assert "il commence à l'état Actif" in error.message("fr")


def test_a_map_made_invalid_anyway_is_caught_at_qualify_time(admin, system):
    """E.g. by an import: the value is refused by the target's Create, and explained."""
    entity_map = system.retrieve_multiple("entitymap", sourceentityname="lead",
                                          targetentityname="contact")[0]  # fmt: skip
    system.create(
        "attributemap",
        entitymapid=entity_map.to_reference(),
        sourceattributename="leadqualitycode",
        targetattributename="preferredcontactmethodcode",
    )
    lead = a_lead(admin, leadqualitycode=3)  # Cold (3) is Phone (3) for the contact: valid …
    assert len(qualify(admin, lead).created_entities) == 3
    system.execute(InsertOptionValueRequest("lead", "leadqualitycode", Label("Frozen"), value=9))
    system.execute(PublishAllXmlRequest())  # … until a value the target lacks
    frozen = a_lead(admin, leadqualitycode=9)
    error = refusal(lambda: qualify(admin, frozen))
    assert error.code == "0x8004431A"
    assert "copied from lead.leadqualitycode by the attribute map" in error.message("en")


# --- the seed: "Insufficient permissions when qualifying a lead" ---------------------------

NEEDED = [f"prv{right}{table}" for table in ("Account", "Lead", "Contact", "Opportunity")
          for right in ("Create", "Read", "Append", "AppendTo")] + [
    "prvReadEntityMap", "prvReadAttributeMap", "prvReadEntity", "prvReadCustomizations",
]  # fmt: skip
SUPPORT = ["prvReadTransactionCurrency", "prvAppendToTransactionCurrency"]


@pytest.fixture
def qualifier(org, system):
    """A role with exactly what the seed lists (and the currency the opportunity points at)."""
    role = system.create("role", name="Qualifier")
    root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0].to_reference()
    home = EntityReference(
        "businessunit", system.create("businessunit", name="Home", parentbusinessunitid=root)
    )
    user = add_user(system, "q@test.example", role="Qualifier", unit=home)

    def grant(depth: Depth, *leave_out: str) -> None:
        for name in NEEDED + SUPPORT:
            system.execute(RemovePrivilegeRoleRequest(role, name))
        wanted = [RolePrivilege(name, depth if name in NEEDED[:16] else Depth.ORGANIZATION)
                  for name in NEEDED + SUPPORT if name not in leave_out]  # fmt: skip
        system.execute(AddPrivilegesRoleRequest(role, tuple(wanted)))

    return org.service(user), user, grant, home


@pytest.mark.parametrize("missing", NEEDED)
def test_each_missing_privilege_is_named(qualifier, system, missing):
    service, user, grant, _ = qualifier
    grant(Depth.USER, missing)
    lead = a_lead(system, ownerid=EntityReference("systemuser", user))
    before = counts(system)
    error = refusal(lambda: qualify(service, lead))
    assert error.code == "0x80040220"
    assert f"is missing the privilege {missing} " in error.message("en")
    assert error.message("en").startswith("Insufficient permissions (Access denied): Q ")
    assert error.message("fr").startswith("Accès refusé ou autorisations insuffisantes : ")
    assert counts(system) == before


@pytest.mark.parametrize(
    ("placement", "needed"),
    [("own", Depth.USER), ("same unit", Depth.BUSINESS_UNIT), ("other unit", Depth.ORGANIZATION)],
)
def test_the_depth_must_match_the_lead_owner(qualifier, system, placement, needed):
    """The seed's table: User when the user owns the lead, Business Unit, Organization."""
    service, user, grant, home = qualifier
    root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0].to_reference()
    elsewhere = EntityReference(
        "businessunit", system.create("businessunit", name="Elsewhere", parentbusinessunitid=root)
    )  # a sibling of Home
    owner = {
        "own": user,
        "same unit": add_user(system, "mate@test.example", role="Salesperson", unit=home),
        "other unit": add_user(system, "far@test.example", role="Salesperson", unit=elsewhere),
    }[placement]
    lead = a_lead(system, ownerid=EntityReference("systemuser", owner))
    for depth in (Depth.USER, Depth.BUSINESS_UNIT, Depth.ORGANIZATION):
        grant(depth)
        if depth < needed:
            error = refusal(lambda: qualify(service, lead))
            assert error.code in ("0x80040220", "0x80048306")
            assert needed.label.en in error.message("en")
        else:
            assert len(qualify(service, lead).created_entities) == 3
            return


# --- plug-ins --------------------------------------------------------------------------------


def register(system, handler, message, table, stage):
    return system.create("sdkmessageprocessingstep", {
        "name": f"{handler} {message} {table}", "messagename": message, "primaryentity": table,
        "stage": stage, "plugintypename": f"tests.sample_plugins:{handler}",
    })  # fmt: skip


def test_a_failing_plugin_on_the_opportunity_rolls_the_whole_qualification_back(admin, system):
    register(system, "cancel", "Create", "opportunity", 40)
    lead = a_lead(admin)
    before = counts(admin)
    error = refusal(lambda: qualify(admin, lead))
    assert error.code == "0x80040265"
    assert counts(admin) == before
    assert admin.retrieve("lead", lead)["statecode"] == 0


def test_created_records_run_their_plugins_at_depth_2_as_the_qualifier(admin, system):
    from tests import sample_plugins

    sample_plugins.SEEN.clear()
    register(system, "record", "Create", "account", 40)
    qualify(admin, a_lead(admin))
    (call,) = sample_plugins.SEEN
    assert (call["depth"], call["parent"], call["user"]) == (2, "QualifyLead", admin.user_id)
    sample_plugins.SEEN.clear()


def test_a_pre_validation_plugin_can_change_the_parameters(admin, system):
    register(system, "no_opportunity", "QualifyLead", "lead", 10)
    created = qualify(admin, a_lead(admin)).created_entities
    assert [ref.logical_name for ref in created] == ["account", "contact"]


def test_the_organization_can_ask_which_records_to_create(admin, system):
    organization = system.retrieve_multiple("organization")[0]
    system.update(Entity("organization", organization.id, qualifyleadcreateall=False))
    lead = a_lead(admin)
    error = refusal(lambda: qualify(admin, lead))
    assert error.code == "0x8F4C4761"
    assert "(missing: CreateAccount, CreateContact, CreateOpportunity)" in error.message("en")
    created = qualify(
        admin, lead, create_account=True, create_contact=False, create_opportunity=False
    ).created_entities
    assert [ref.logical_name for ref in created] == ["account"]


# --- maps are checked when they are saved ----------------------------------------------------


@pytest.mark.parametrize(
    ("target", "source_column", "target_column", "reason"),
    [
        (
            "contact",
            "subject",
            "lastname",
            "the target holds 50 characters, fewer than the source's 300.",
        ),
        ("contact", "firstname", "firstname", "the target column is already mapped."),
        ("contact", "budgetamount", "firstname", "the source is money and the target string"),
        (
            "contact",
            "emailaddress1",
            "jobtitle",
            "the source's format is email and the target's text",
        ),
        ("account", "statecode", "statecode", "the target column is set by the platform"),
        (
            "contact",
            "leadsourcecode",
            "preferredcontactmethodcode",
            "the source can hold the choice values 6, 7, 8, 9, 10, which the target does not",
        ),
    ],
)
def test_a_bad_attribute_map_is_refused_when_saved(system, target, source_column, target_column,
                                                   reason):  # fmt: skip
    entity_map = system.retrieve_multiple("entitymap", sourceentityname="lead",
                                          targetentityname=target)[0]  # fmt: skip
    error = refusal(
        lambda: system.create(
            "attributemap",
            entitymapid=entity_map.to_reference(),
            sourceattributename=source_column,
            targetattributename=target_column,
        )
    )
    assert error.code == "0x8F4C4718"
    assert error.message("en").startswith(
        f"The attribute map lead.{source_column} -> {target}.{target_column} cannot be saved: "
    )
    assert reason in error.message("en")
    assert error.message("fr").startswith("Le mappage d'attribut")


def test_a_map_to_a_missing_column_is_refused(system):
    entity_map = system.retrieve_multiple("entitymap", sourceentityname="lead",
                                          targetentityname="contact")[0]  # fmt: skip
    error = refusal(
        lambda: system.create(
            "attributemap",
            entitymapid=entity_map.to_reference(),
            sourceattributename="subject",
            targetattributename="new_nothing",
        )
    )
    assert error.code == "0x80041103"
