"""The sales solution as a user meets it: tables, status reasons, lookups and default maps."""

from __future__ import annotations

import uuid

import pytest

from leadgate.platform import (
    Entity,
    EntityReference,
    LeadgateError,
    OrganizationService,
    RetrieveAllEntitiesRequest,
)
from leadgate.platform.customization.solutions import SolutionDefinition, load_solution
from leadgate.platform.engine.metadata.model import ColumnMetadata, TableMetadata
from leadgate.platform.engine.types import ColumnType, Ownership, RequiredLevel

# REFERENCE §1: table -> (entity set, key, primary name, object type code)
TABLES = {
    "account": ("accounts", "accountid", "name", 1),
    "contact": ("contacts", "contactid", "fullname", 2),
    "opportunity": ("opportunities", "opportunityid", "name", 3),
    "lead": ("leads", "leadid", "fullname", 4),
    "campaign": ("campaigns", "campaignid", "name", 4400),
    "leadtoopportunitysalesprocess": (
        "leadtoopportunitysalesprocesses",
        "businessprocessflowinstanceid",
        "name",
        None,
    ),
}

# REFERENCE §1: status reason -> (state, English label), and each state's default reason.
LEAD_STATUSES = {
    1: (0, "New"),
    2: (0, "Contacted"),
    3: (1, "Qualified"),
    4: (2, "Lost"),
    5: (2, "Cannot Contact"),
    6: (2, "No Longer Interested"),
    7: (2, "Canceled"),
}
LEAD_STATES = {0: ("Open", 1), 1: ("Qualified", 3), 2: ("Disqualified", 4)}
OPPORTUNITY_STATUSES = {
    1: (0, "In Progress"),
    2: (0, "On Hold"),
    3: (1, "Won"),
    4: (2, "Canceled"),
    5: (2, "Out-Sold"),
}
OPPORTUNITY_STATES = {0: "Open", 1: "Won", 2: "Lost"}

LEAD_CHOICES = {
    "leadsourcecode": {
        1: "Advertisement",
        2: "Employee Referral",
        3: "External Referral",
        4: "Partner",
        5: "Public Relations",
        6: "Seminar",
        7: "Trade Show",
        8: "Web",
        9: "Word of Mouth",
        10: "Other",
    },
    "leadqualitycode": {1: "Hot", 2: "Warm", 3: "Cold"},
    "purchasetimeframe": {
        0: "Immediate",
        1: "This Quarter",
        2: "Next Quarter",
        3: "This Year",
        4: "Unknown",
    },
    "purchaseprocess": {0: "Individual", 1: "Committee", 2: "Unknown"},
    "budgetstatus": {0: "No Committed Budget", 1: "May Buy", 2: "Can Buy", 3: "Will Buy"},
    "need": {0: "Must have", 1: "Should have", 2: "Good to have", 3: "No need"},
    "preferredcontactmethodcode": {1: "Any", 2: "Email", 3: "Phone", 4: "Fax", 5: "Mail"},
}


def _names(text: str) -> list[str]:
    return text.split()


COMMON_LEAD_COLUMNS = _names("""
    firstname lastname fullname jobtitle companyname subject description emailaddress1
    emailaddress2 emailaddress3 telephone1 telephone2 telephone3 mobilephone fax websiteurl
    address1_line1 address1_line2 address1_line3 address1_city address1_stateorprovince
    address1_postalcode address1_country leadsourcecode leadqualitycode industrycode revenue
    numberofemployees budgetamount budgetstatus purchasetimeframe purchaseprocess decisionmaker
    need qualificationcomments estimatedvalue estimatedclosedate campaignid parentaccountid
    parentcontactid qualifyingopportunityid transactioncurrencyid ownerid statecode statuscode
    donotemail donotphone donotbulkemail createdon createdby modifiedon modifiedby versionnumber
""")

# REFERENCE §2: the lookups qualification uses, by relationship name.
NAMED_RELATIONSHIPS = {
    "account_originating_lead": ("lead", "account", "originatingleadid"),
    "contact_originating_lead": ("lead", "contact", "originatingleadid"),
    "opportunity_originating_lead": ("lead", "opportunity", "originatingleadid"),
    "lead_parent_account": ("account", "lead", "parentaccountid"),
    "lead_parent_contact": ("contact", "lead", "parentcontactid"),
    "lead_qualifying_opportunity": ("opportunity", "lead", "qualifyingopportunityid"),
}

# REFERENCE §2: the default maps, source column -> target column.
DEFAULT_MAPS = {
    "account": {
        "companyname": "name",
        "emailaddress1": "emailaddress1",
        "telephone2": "telephone1",
        "fax": "fax",
        "websiteurl": "websiteurl",
        "sic": "sic",
        "address1_line1": "address1_line1",
        "address1_line2": "address1_line2",
        "address1_line3": "address1_line3",
        "address1_city": "address1_city",
        "address1_stateorprovince": "address1_stateorprovince",
        "address1_postalcode": "address1_postalcode",
        "address1_country": "address1_country",
        "description": "description",
        "donotemail": "donotemail",
        "donotphone": "donotphone",
        "donotbulkemail": "donotbulkemail",
    },
    "contact": {
        name: name
        for name in _names("""firstname lastname jobtitle emailaddress1 emailaddress2 emailaddress3
        mobilephone telephone1 telephone2 telephone3 fax websiteurl address1_line1
        address1_line2 address1_line3 address1_city address1_stateorprovince
        address1_postalcode address1_country description donotemail donotphone
        donotbulkemail""")
    },
    "opportunity": {
        "subject": "name",
        **{
            name: name
            for name in _names("""qualificationcomments description budgetamount budgetstatus
            purchasetimeframe purchaseprocess decisionmaker need estimatedvalue
            estimatedclosedate campaignid transactioncurrencyid""")
        },
    },
}


@pytest.fixture(scope="module")
def definition() -> SolutionDefinition:
    return load_solution("leadgate.sales", "solution.toml")


def _attribute_maps(definition: SolutionDefinition) -> dict[str, dict[str, str]]:
    entity_maps = {
        record.id: record for record in definition.records if record.logical_name == "entitymap"
    }
    found: dict[str, dict[str, str]] = {}
    for record in definition.records:
        if record.logical_name != "attributemap":
            continue
        entity_map = entity_maps[record["entitymapid"]]
        assert entity_map["sourceentityname"] == "lead"
        pairs = found.setdefault(entity_map["targetentityname"], {})
        assert record["targetattributename"] not in pairs.values(), "a target is mapped twice"
        pairs[record["sourceattributename"]] = record["targetattributename"]
    return found


def _map_problems(source: ColumnMetadata, target: ColumnMetadata) -> list[str]:
    """The rules of REFERENCE §2 a valid attribute map obeys."""
    where = f"{source.table}.{source.name} -> {target.table}.{target.name}"
    problems = []
    if source.type is not target.type:
        problems.append(f"{where}: {source.type} vs {target.type}")
    if source.format != target.format:
        problems.append(f"{where}: format {source.format} vs {target.format}")
    if source.max_length is not None and (target.max_length or 0) < source.max_length:
        problems.append(f"{where}: length {source.max_length} > {target.max_length}")
    missing = {o.value for o in source.options} - {o.value for o in target.options}
    if missing:
        problems.append(f"{where}: options {sorted(missing)} missing on the target")
    if set(source.targets) - set(target.targets):
        problems.append(f"{where}: targets {source.targets} vs {target.targets}")
    if not target.valid_for_create or target.is_computed:
        problems.append(f"{where}: the target is not writable")
    return problems


# --- the solution file (no database) ----------------------------------------------------


def test_the_tables_of_reference_section_1(definition: SolutionDefinition) -> None:
    assert {table.name for table in definition.tables} == set(TABLES)
    for name, (entity_set, key, primary_name, otc) in TABLES.items():
        table = definition.table(name)
        assert table is not None
        assert (table.entity_set, table.primary_key, table.primary_name) == (
            entity_set,
            key,
            primary_name,
        )
        assert table.object_type_code == otc
        assert table.ownership is Ownership.USER
        assert table.label.fr, f"{name} has no French label"


def test_every_default_map_is_valid(definition: SolutionDefinition) -> None:
    tables = {table.name: table for table in definition.tables}
    problems: list[str] = []
    for target, pairs in _attribute_maps(definition).items():
        for source_name, target_name in pairs.items():
            source = tables["lead"].columns.get(source_name)
            column = tables[target].columns.get(target_name)
            if source is None or column is None:
                problems.append(f"lead.{source_name} -> {target}.{target_name}: no such column")
                continue
            problems += _map_problems(source, column)
    assert problems == []


def test_the_default_maps_are_reference_section_2(definition: SolutionDefinition) -> None:
    maps = _attribute_maps(definition)
    assert maps == DEFAULT_MAPS
    assert all("statuscode" not in pairs for pairs in maps.values())


def test_every_lookup_has_its_relationship(definition: SolutionDefinition) -> None:
    declared = {
        (r.referencing_table, r.referencing_column, r.referenced_table)
        for r in definition.relationships
    }
    automatic = {"createdby", "modifiedby", "ownerid", "owningbusinessunit"}
    wanted = {
        (table.name, column.name, target)
        for table in definition.tables
        for column in table.columns.values()
        if column.type.is_reference and column.name not in automatic
        for target in column.targets
    }
    assert wanted == declared
    relationships = {r.name: r for r in definition.relationships}
    for name, (referenced, referencing, column) in NAMED_RELATIONSHIPS.items():
        relationship = relationships[name]
        assert (
            relationship.referenced_table,
            relationship.referencing_table,
            relationship.referencing_column,
        ) == (referenced, referencing, column)


def test_every_label_has_french(definition: SolutionDefinition) -> None:
    untranslated = [
        f"{column.table}.{column.name}" + (f"={option.value}" if option else "")
        for table in definition.tables
        for column in table.columns.values()
        for option in (None, *column.options)
        if not (option.label if option else column.label).fr
    ]
    assert untranslated == []


# --- installed, on each database ----------------------------------------------------------


def _tables(service: OrganizationService) -> dict[str, TableMetadata]:
    return dict(service.execute(RetrieveAllEntitiesRequest()).metadata.tables)


def test_lead_columns_are_the_common_ones_of_reference(system: OrganizationService) -> None:
    lead = _tables(system)["lead"]
    assert set(COMMON_LEAD_COLUMNS) <= set(lead.columns)
    assert lead.column("fullname").composed_of == ("firstname", "lastname")
    assert lead.column("subject").required is RequiredLevel.REQUIRED
    assert lead.column("lastname").required is RequiredLevel.REQUIRED
    assert lead.column("estimatedclosedate").format == "dateonly"
    assert lead.column("emailaddress1").format == "email"
    assert lead.column("industrycode").type is ColumnType.CHOICE
    assert len(lead.column("industrycode").options) == 33
    for name, labels in LEAD_CHOICES.items():
        assert {o.value: o.label.en for o in lead.column(name).options} == labels, name


def test_lead_and_opportunity_status_reasons_are_reference_ones(
    system: OrganizationService,
) -> None:
    tables = _tables(system)
    lead, opportunity = tables["lead"], tables["opportunity"]
    statuses = {o.value: (o.state, o.label.en) for o in lead.column("statuscode").options}
    assert statuses == LEAD_STATUSES
    states = {o.value: (o.label.en, o.default_status) for o in lead.column("statecode").options}
    assert states == LEAD_STATES
    french = {o.value: o.label.fr for o in lead.column("statuscode").options}
    assert (french[1], french[3], french[4]) == ("Nouveau", "Qualifié", "Perdu")
    statuses = {o.value: (o.state, o.label.en) for o in opportunity.column("statuscode").options}
    assert statuses == OPPORTUNITY_STATUSES
    assert {o.value: o.label.en for o in opportunity.column("statecode").options} == (
        OPPORTUNITY_STATES
    )
    for name in ("account", "contact"):
        column = tables[name].column("statuscode")
        statuses = {o.value: (o.state, o.label.en) for o in column.options}
        assert statuses == {1: (0, "Active"), 2: (1, "Inactive")}


def test_a_new_lead_is_open_and_new_with_its_full_name(admin: OrganizationService) -> None:
    lead_id = admin.create("lead", subject="50 chairs", firstname="First", lastname="Last")
    lead = admin.retrieve("lead", lead_id)
    assert (lead["statecode"], lead["statuscode"]) == (0, 1)
    assert lead["fullname"] == "First Last"
    assert lead["ownerid"] == EntityReference("systemuser", admin.user_id)
    assert lead["donotemail"] is False


def test_a_lead_needs_a_topic_and_a_last_name(admin: OrganizationService) -> None:
    with pytest.raises(LeadgateError) as refused:
        admin.create("lead", lastname="Only")
    assert refused.value.code == "0x80040200"
    assert "subject" in refused.value.message("en")


def test_a_lead_cannot_be_created_qualified(admin: OrganizationService) -> None:
    lead_id = uuid.uuid4()
    with pytest.raises(LeadgateError) as refused:
        admin.create(Entity("lead", lead_id, subject="Deal", lastname="Smith", statuscode=3))
    assert refused.value.code == "0x80048408"
    assert refused.value.message("en") == (
        f"3 is not a valid status code for state code LeadState.Open on lead with Id {lead_id}."
    )
    french = refused.value.message("fr")
    assert french.startswith("Erreur de code d'état non valide") and str(lead_id) in french
    assert admin.retrieve_multiple("lead", leadid=lead_id).entities == []


def test_disqualifying_a_lead_with_each_reason(admin: OrganizationService) -> None:
    for reason in (4, 5, 6, 7):
        lead_id = admin.create("lead", subject="Deal", lastname=f"Reason {reason}")
        admin.set_state("lead", lead_id, 2, reason)
        lead = admin.retrieve("lead", lead_id, ["statecode", "statuscode"])
        assert (lead["statecode"], lead["statuscode"]) == (2, reason)
    lead_id = admin.create("lead", subject="Deal", lastname="Default")
    admin.set_state("lead", lead_id, 2)
    assert admin.retrieve("lead", lead_id, ["statuscode"])["statuscode"] == 4
    with pytest.raises(LeadgateError) as refused:
        admin.set_state("lead", lead_id, 2, 2)
    assert refused.value.code == "0x80048408"
    assert "LeadState.Disqualified" in refused.value.message("en")


def test_a_contact_belongs_to_an_account(admin: OrganizationService) -> None:
    account_id = admin.create("account", name="Contoso Ltd.", revenue=1_250_000)
    contact_id = admin.create(
        "contact",
        firstname="Ada",
        lastname="Lovelace",
        parentcustomerid=EntityReference("account", account_id),
    )
    contact = admin.retrieve("contact", contact_id)
    assert contact["parentcustomerid"] == EntityReference("account", account_id)
    assert contact["fullname"] == "Ada Lovelace"
    assert (contact["statecode"], contact["statuscode"]) == (0, 1)
    found = admin.retrieve_multiple("contact", parentcustomerid=account_id)
    assert [entity.id for entity in found] == [contact_id]


def test_a_lead_points_at_existing_records(admin: OrganizationService) -> None:
    account_id = admin.create("account", name="Fabrikam")
    contact_id = admin.create("contact", lastname="Chen")
    campaign_id = admin.create("campaign", name="Trade show")
    usd = admin.retrieve_multiple("transactioncurrency", isocurrencycode="USD").entities[0]
    lead_id = admin.create(
        "lead",
        subject="Renewal",
        lastname="Chen",
        parentaccountid=EntityReference("account", account_id),
        parentcontactid=EntityReference("contact", contact_id),
        campaignid=EntityReference("campaign", campaign_id),
        transactioncurrencyid=usd.to_reference(),
        leadsourcecode=7,
        budgetamount=25_000,
        estimatedclosedate="2030-06-30",
    )
    lead = admin.retrieve("lead", lead_id)
    assert lead["parentaccountid"] == EntityReference("account", account_id)
    assert lead["campaignid"] == EntityReference("campaign", campaign_id)
    assert str(lead["estimatedclosedate"]) == "2030-06-30"
    campaign = admin.retrieve("campaign", campaign_id, ["statecode", "statuscode"])
    assert (campaign["statecode"], campaign["statuscode"]) == (0, 0)


def test_an_unknown_choice_value_is_refused(admin: OrganizationService) -> None:
    with pytest.raises(LeadgateError) as refused:
        admin.create("lead", subject="Deal", lastname="Smith", leadqualitycode=4)
    assert refused.value.code == "0x8004431A"


def test_deleting_a_lead_keeps_what_it_created(admin: OrganizationService) -> None:
    lead_id = admin.create("lead", subject="Deal", lastname="Smith")
    account_id = admin.create(
        "account", name="Smith & Co", originatingleadid=EntityReference("lead", lead_id)
    )
    admin.delete("lead", lead_id)
    assert admin.retrieve("account", account_id)["originatingleadid"] is None


def test_deleting_an_account_deletes_its_contacts(admin: OrganizationService) -> None:
    # Dataverse's contact_customer_accounts is parental: the contacts go with the account.
    account_id = admin.create("account", name="Tailspin Toys")
    contact_id = admin.create(
        "contact", lastname="Webb", parentcustomerid=EntityReference("account", account_id)
    )
    other_id = admin.create("contact", lastname="Alone")
    admin.delete("account", account_id)
    assert admin.retrieve_multiple("contact", contactid=contact_id).entities == []
    assert admin.retrieve("contact", other_id)["lastname"] == "Alone"


def test_the_default_maps_are_records(system: OrganizationService) -> None:
    entity_maps = {
        (record["sourceentityname"], record["targetentityname"]): record.id
        for record in system.retrieve_multiple_all("entitymap")
    }
    for target, pairs in DEFAULT_MAPS.items():
        map_id = entity_maps[("lead", target)]
        attributes = system.retrieve_multiple("attributemap", entitymapid=map_id)
        found = {a["sourceattributename"]: a["targetattributename"] for a in attributes}
        assert found == pairs
        assert all(a["issystem"] for a in attributes)
