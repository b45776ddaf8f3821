"""``$metadata``: the CSDL document metadata-driven clients (python-odata) reflect, checked
against OData v4's CSDL XML rules (tests/e2e/csdl_rules.py), with what those clients read:
keys, typed and computed properties, lookups and their navigation properties, the actions
and functions the Web API routes, bound as python-odata binds them (CLIENTS.md §3)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from leadgate.cli.main import main
from leadgate.platform.engine.errors import NOT_AUTHENTICATED, RECORD_NOT_FOUND
from leadgate.web.actions import ACTIONS, COLLECTION_ACTIONS
from leadgate.web.bound_functions import BOUND_FUNCTIONS
from leadgate.web.operations import FUNCTIONS
from tests.e2e.conftest import API, in_both_languages, new_id
from tests.e2e.csdl_rules import EDM, EDMX, problems

METADATA = f"{API}/$metadata"
CORE_COMPUTED = "Org.OData.Core.V1.Computed"


def _schema(document: bytes) -> ET.Element:
    root = ET.fromstring(document)
    schema = root.find(f"{{{EDMX}}}DataServices/{{{EDM}}}Schema")
    assert schema is not None
    return schema


def _find(schema: ET.Element, tag: str, name: str) -> ET.Element:
    found = schema.find(f"{{{EDM}}}{tag}[@Name='{name}']")
    assert found is not None, f"no {tag} {name}"
    return found


def _properties(entity: ET.Element) -> dict[str, ET.Element]:
    return {item.get("Name", ""): item for item in entity.findall(f"{{{EDM}}}Property")}


def _computed(item: ET.Element) -> bool:
    return any(
        a.get("Term") == CORE_COMPUTED and a.get("Bool") == "true"
        for a in item.findall(f"{{{EDM}}}Annotation")
    )


@pytest.mark.interface_only
def test_metadata_is_a_valid_csdl_document_served_as_xml(api):
    response = api.get(METADATA)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/xml"
    assert response.headers["OData-Version"] == "4.0"
    assert problems(response.content) == []
    root = ET.fromstring(response.content)
    assert (root.tag, root.get("Version")) == (f"{{{EDMX}}}Edmx", "4.0")
    schema = _schema(response.content)
    assert (schema.get("Namespace"), schema.get("Alias")) == ("Microsoft.Dynamics.CRM", "mscrm")
    base = _find(schema, "EntityType", "crmbaseentity")
    assert base.get("Abstract") == "true"
    container = _find(schema, "EntityContainer", "System")
    sets = {s.get("Name"): s.get("EntityType") for s in container.findall(f"{{{EDM}}}EntitySet")}
    assert sets["leads"] == "Microsoft.Dynamics.CRM.lead"
    assert {"accounts", "contacts", "opportunities", "transactioncurrencies"} <= set(sets)


@pytest.mark.interface_only
def test_a_table_s_type_has_its_key_typed_columns_and_computed_ones(api):
    schema = _schema(api.get(METADATA).content)
    lead = _find(schema, "EntityType", "lead")
    assert lead.get("BaseType") == "mscrm.crmbaseentity"
    assert [ref.get("Name") for ref in lead.iter(f"{{{EDM}}}PropertyRef")] == ["leadid"]
    properties = _properties(lead)
    types = {name: item.get("Type") for name, item in properties.items()}
    assert {
        "leadid": "Edm.Guid", "subject": "Edm.String", "leadsourcecode": "Edm.Int32",
        "statecode": "Edm.Int32", "budgetamount": "Edm.Decimal", "decisionmaker": "Edm.Boolean",
        "createdon": "Edm.DateTimeOffset", "versionnumber": "Edm.Int64",
        "_parentaccountid_value": "Edm.Guid", "_ownerid_value": "Edm.Guid",
    }.items() <= types.items()  # fmt: skip
    assert "parentaccountid" not in properties  # a lookup is read as _x_value
    assert properties["subject"].get("MaxLength") == "300"
    # What the platform sets, python-odata leaves out of its bodies.
    computed = {name for name, item in properties.items() if _computed(item)}
    assert {"createdon", "modifiedon", "versionnumber", "fullname", "_createdby_value",
            "statecode"} <= computed  # fmt: skip
    assert not computed & {"subject", "lastname", "statuscode", "leadid"}
    # A lookup is read as _x_value and set through its navigation property (@odata.bind).
    assert "_parentaccountid_value" in computed


@pytest.mark.interface_only
def test_lookups_navigate_both_ways_with_their_constraints(api):
    schema = _schema(api.get(METADATA).content)
    lead, account = _find(schema, "EntityType", "lead"), _find(schema, "EntityType", "account")
    navigation = {n.get("Name"): n for n in lead.findall(f"{{{EDM}}}NavigationProperty")}
    parent = navigation["parentaccountid"]
    assert (parent.get("Type"), parent.get("Partner")) == ("mscrm.account", "lead_parent_account")
    (constraint,) = parent.findall(f"{{{EDM}}}ReferentialConstraint")
    assert constraint.attrib == {
        "Property": "_parentaccountid_value",
        "ReferencedProperty": "accountid",
    }
    # An owner may be a user or a team: one navigation property each, as Dataverse has.
    assert {"ownerid_systemuser", "ownerid_team", "createdby"} <= set(navigation)
    back = account.find(f"{{{EDM}}}NavigationProperty[@Name='lead_parent_account']")
    assert back is not None and back.get("Type") == "Collection(mscrm.lead)"


@pytest.mark.interface_only
def test_every_routed_operation_is_declared_with_its_parameters(api):
    schema = _schema(api.get(METADATA).content)

    def parameters(tag: str, name: str) -> list[tuple[str | None, str | None]]:
        operation = _find(schema, tag, name)
        return [(p.get("Name"), p.get("Type")) for p in operation.findall(f"{{{EDM}}}Parameter")]

    qualify = _find(schema, "Action", "QualifyLead")
    assert qualify.get("IsBound") == "true"
    # python-odata binds an action to an entity only under this name (CLIENTS.md §3).
    assert parameters("Action", "QualifyLead")[:4] == [
        ("bindingParameter", "mscrm.lead"),
        ("CreateAccount", "Edm.Boolean"),
        ("CreateContact", "Edm.Boolean"),
        ("CreateOpportunity", "Edm.Boolean"),
    ]
    returned = qualify.find(f"{{{EDM}}}ReturnType")
    assert returned is not None and returned.get("Type") == "Collection(mscrm.crmbaseentity)"
    for name, action in ACTIONS.items():
        assert [p for p, _ in parameters("Action", name)] == [
            "bindingParameter",
            *action.signature.names,
        ]
    tables = {entity.get("Name") for entity in schema.findall(f"{{{EDM}}}EntityType")}
    for name, bulk in COLLECTION_ACTIONS.items():
        # One overload per table (python-odata hangs it on the table's class).
        overloads = schema.findall(f"{{{EDM}}}Action[@Name='{name}']")
        bound = {overload[0].get("Type") for overload in overloads}  # the binding parameter
        assert bound == {f"Collection(mscrm.{table})" for table in tables - {"crmbaseentity"}}
        assert [p.get("Name") for p in overloads[0]][1 : len(bulk.signature.names) + 1] == list(
            bulk.signature.names
        )
    for name, function in BOUND_FUNCTIONS.items():
        assert [p for p, _ in parameters("Function", name)][1:] == list(function.signature.names)
    for name, signature in FUNCTIONS.items():
        assert [p for p, _ in parameters("Function", name)] == list(signature.names)
    who = _find(schema, "ComplexType", "WhoAmIResponse")
    assert {p.get("Name") for p in who} == {"BusinessUnitId", "UserId", "OrganizationId"}
    assert (
        _find(schema, "EntityContainer", "System").find(f"{{{EDM}}}FunctionImport[@Name='WhoAmI']")
        is not None
    )


@pytest.mark.interface_only
def test_qualify_lead_takes_every_parameter_the_document_declares(api):
    """python-odata sends all the declared parameters, nulls included: none is refused."""
    schema = _schema(api.get(METADATA).content)
    declared = [p.get("Name") for p in _find(schema, "Action", "QualifyLead")][1:]
    body = {name: None for name in declared if name}
    body.update(CreateAccount=True, CreateContact=True, CreateOpportunity=True, Status=3,
                SuppressDuplicateDetection=False)  # fmt: skip
    missing = new_id()
    response = api.post(f"{API}/leads({missing})/Microsoft.Dynamics.CRM.QualifyLead", json=body)
    # Past the parameters (an unknown one is a 400): the lead is what is missing.
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == RECORD_NOT_FOUND.code


@pytest.mark.interface_only
def test_metadata_needs_a_token_and_says_so_in_both_languages(anonymous):
    in_both_languages(lambda headers: anonymous.get(METADATA, headers=headers), 401,
                      NOT_AUTHENTICATED())  # fmt: skip


def test_a_custom_column_appears_once_published(api, database_url, capsys, monkeypatch):
    monkeypatch.setenv("LEADGATE_LANG", "en")

    def customize(*argv: str) -> None:
        assert main(["customize", *argv, "--db", database_url]) == 0, capsys.readouterr()

    first = api.get(METADATA)
    before, etag = first.content, first.headers["ETag"]
    customize("add-column", "lead", "new_score", "--type", "integer", "--label", "Score")
    # Added, not published yet: clients see what the records have; their copy is current.
    assert api.get(METADATA).content == before
    unchanged = api.get(METADATA, headers={"If-None-Match": etag})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    customize("publish")
    published = api.get(METADATA, headers={"If-None-Match": etag})
    assert published.status_code == 200 and published.headers["ETag"] != etag
    after = published.content
    assert problems(after) == []
    score = _properties(_find(_schema(after), "EntityType", "lead")).get("new_score")
    assert score is not None and score.get("Type") == "Edm.Int32" and not _computed(score)


@pytest.mark.interface_only
def test_every_operation_takes_every_parameter_it_declares(api):
    """The signatures $metadata is written from are what the handlers read: a client that
    sends every declared parameter (python-odata does, nulls included) is never told one is
    unknown, and one parameter more is refused."""
    metadata = api.app.state.organization.metadata()
    missing = new_id()

    def refuses_as_unknown(response) -> bool:
        return response.status_code == 400 and "has no parameter" in response.text

    def call(kind: str, url: str, names: tuple[str, ...], extra: bool):
        # Each null, but Targets: an empty list is read before the parameters are checked.
        given = {name: [] if name == "Targets" else None for name in names}
        given |= {"Nope": None} if extra else {}
        if kind == "Action":
            return api.post(url, json=given)
        arguments = ",".join(f"{name}=null" for name in given)
        return api.get(f"{url}({arguments})")

    operations = [
        ("Action", f"{API}/{metadata.tables[a.table].entity_set}({missing})/"
                   f"Microsoft.Dynamics.CRM.{name}", a.signature.names)
        for name, a in ACTIONS.items()
    ] + [
        ("Action", f"{API}/leads/Microsoft.Dynamics.CRM.{name}", bulk.signature.names)
        for name, bulk in COLLECTION_ACTIONS.items()
    ] + [
        ("Function", f"{API}/{metadata.tables[f.table].entity_set}({missing})/"
                     f"Microsoft.Dynamics.CRM.{name}", f.signature.names)
        for name, f in BOUND_FUNCTIONS.items()
    ] + [
        ("Function", f"{API}/{name}", signature.names)
        for name, signature in FUNCTIONS.items()
    ]  # fmt: skip
    for kind, url, names in operations:
        assert not refuses_as_unknown(call(kind, url, names, extra=False)), url
        assert refuses_as_unknown(call(kind, url, names, extra=True)), url
