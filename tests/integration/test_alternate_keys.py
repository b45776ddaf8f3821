"""Alternate keys administrators define (CreateEntityKey, published with a unique index) and
records named by them in Retrieve, Update, Upsert, Delete and SetState — on SQLite and on
PostgreSQL, whose unique indexes and errors differ."""

from __future__ import annotations

import pytest

from leadgate.platform import (
    ColumnSet,
    DeleteRequest,
    Entity,
    EntityReference,
    LeadgateError,
    OrganizationService,
    PublishAllXmlRequest,
    RetrieveRequest,
    SetStateRequest,
    UpdateRequest,
    UpsertRequest,
)
from leadgate.platform.customization.errors import (
    KEY_COLUMN_NOT_VALID,
    KEY_NOT_FOUND,
    KEY_NOT_REMOVABLE,
    KEY_VALUES_NOT_UNIQUE,
)
from leadgate.platform.customization.keys import (
    MAX_KEY_COLUMNS,
    MAX_KEYS_PER_TABLE,
    CreateEntityKeyRequest,
    DeleteEntityKeyRequest,
)
from leadgate.platform.engine import errors
from leadgate.platform.engine.metadata.model import KeyMetadata
from leadgate.platform.records.keys import KEY_NOT_DEFINED, RECORD_NOT_FOUND_BY_KEY

NUMBER_KEY = CreateEntityKeyRequest("account", "new_accountnumber", ("accountnumber",))


def refusal(action) -> LeadgateError:
    with pytest.raises(LeadgateError) as refused:
        action()
    return refused.value


def by_number(number: str) -> EntityReference:
    return EntityReference.by_key("account", accountnumber=number)


@pytest.fixture
def keyed(system: OrganizationService) -> OrganizationService:
    system.execute(NUMBER_KEY)
    system.execute(PublishAllXmlRequest())
    return system


def test_a_key_is_a_draft_until_published_then_a_unique_index(system, org):
    system.create("account", name="A", accountnumber="A-1")
    created = system.execute(NUMBER_KEY)
    assert (created.name, created.columns) == ("new_accountnumber", ("accountnumber",))
    assert org.metadata().table("account").key_named("new_accountnumber") is None
    system.create("account", name="Twin", accountnumber="A-1")  # no index yet

    refused = refusal(lambda: system.execute(PublishAllXmlRequest(dry_run=True)))
    assert refused.kind is KEY_VALUES_NOT_UNIQUE  # the values changed since the key was added
    system.update(Entity("account", system.retrieve_multiple("account", name="Twin")[0].id,
                         accountnumber="A-2"))  # fmt: skip
    plan = system.execute(PublishAllXmlRequest(dry_run=True)).changes
    assert [str(change.description) for change in plan] == [
        "create unique index uq_account_accountnumber on account (accountnumber)"
    ]
    system.execute(PublishAllXmlRequest())
    table = org.metadata().table("account")
    assert table.key_named("new_accountnumber") == KeyMetadata(
        "new_accountnumber", ("accountnumber",), is_custom=True
    )
    assert ("accountnumber",) in table.alternate_keys  # what $metadata reads

    duplicate = refusal(lambda: system.create("account", name="B", accountnumber="A-1"))
    assert duplicate.code == errors.DUPLICATE_RECORD.code
    assert duplicate.message("en") == (
        "Cannot insert duplicate key: a account record with the same accountnumber already exists."
    )
    other = system.create("account", name="C", accountnumber="C-1")
    moved = refusal(lambda: system.update(Entity("account", other, accountnumber="A-1")))
    assert moved.code == errors.DUPLICATE_RECORD.code
    system.create("account", name="No number 1")  # empty values never clash
    system.create("account", name="No number 2")


def test_shared_values_refuse_the_key_listing_them_in_english_and_french(system, org):
    for number, count in (("DUP-1", 3), ("DUP-2", 2), ("DUP-3", 2), ("DUP-4", 2), ("DUP-5", 2),
                          ("DUP-6", 2), ("SOLO", 1)):  # fmt: skip
        for n in range(count):
            system.create("account", name=f"{number} {n}", accountnumber=number)
    refused = refusal(lambda: system.execute(NUMBER_KEY))
    assert refused.code == "0x8F4C4743"
    assert refused.message("en") == (
        "The key 'new_accountnumber' cannot be added to the table 'account': 6 set(s) of "
        "values of accountnumber are held by more than one record, for example "
        "accountnumber='DUP-1' (3×); accountnumber='DUP-2' (2×); accountnumber='DUP-3' (2×); "
        "accountnumber='DUP-4' (2×); accountnumber='DUP-5' (2×). Make them unique (or empty), "
        "then add the key again."
    )
    assert refused.message("fr") == (
        "La clé « new_accountnumber » ne peut pas être ajoutée à la table « account » : "
        "6 ensemble(s) de valeurs de accountnumber sont portés par plusieurs "
        "enregistrements, par exemple accountnumber='DUP-1' (3×); accountnumber='DUP-2' "
        "(2×); accountnumber='DUP-3' (2×); accountnumber='DUP-4' (2×); "
        "accountnumber='DUP-5' (2×). Rendez-les uniques (ou videz-les), puis ajoutez de "
        "nouveau la clé."
    )
    assert refused.details["duplicates"][0] == {"accountnumber": "DUP-1", "records": 3}
    assert org.metadata().table("account").key_named("new_accountnumber") is None
    assert system.execute(PublishAllXmlRequest(dry_run=True)).changes == ()


def test_keys_of_several_columns_name_records_in_every_message(system):
    system.execute(CreateEntityKeyRequest(
        "contact", "new_nameandparent", ("lastname", "parentcustomerid")))  # fmt: skip
    system.execute(PublishAllXmlRequest())
    parent = EntityReference("account", system.create("account", name="Parent"))
    contact = system.create("contact", lastname="Child", parentcustomerid=parent)
    key = EntityReference.by_key("contact", parentcustomerid=parent, lastname="Child")

    found = system.execute(RetrieveRequest(key, ColumnSet(["lastname"]))).entity
    assert found.id == contact
    system.execute(UpdateRequest(Entity("contact", key_attributes=key.keys, firstname="Kid")))
    assert system.retrieve("contact", contact, ["firstname"])["firstname"] == "Kid"
    system.execute(SetStateRequest(key, 1, 2))
    assert system.retrieve("contact", contact, ["statecode"])["statecode"] == 1
    by_id_alone = EntityReference.by_key("contact", lastname="Child", parentcustomerid=parent.id)
    assert system.execute(RetrieveRequest(by_id_alone)).entity.id == contact
    system.execute(DeleteRequest(key))
    assert refusal(lambda: system.retrieve("contact", contact)).code == "0x80040217"


def test_upsert_by_key_creates_the_record_with_the_key_values_then_updates_it(keyed):
    target = Entity("account", key_attributes={"accountnumber": "UP-1"}, name="First")
    made = keyed.execute(UpsertRequest(target))
    assert made.record_created
    stored = keyed.retrieve("account", made.target.id, ["name", "accountnumber"])
    assert (stored["name"], stored["accountnumber"]) == ("First", "UP-1")
    again = keyed.execute(UpsertRequest(
        Entity("account", key_attributes={"accountnumber": "UP-1"}, name="Second")))  # fmt: skip
    assert (again.record_created, again.target.id) == (False, made.target.id)
    assert keyed.retrieve("account", made.target.id, ["name"])["name"] == "Second"


def test_a_missing_record_or_an_undefined_key_is_a_coded_refusal(keyed):
    keyed.create("account", name="Fabrikam", accountnumber="F-1")
    missing = refusal(lambda: keyed.execute(RetrieveRequest(by_number("NONE"))))
    assert missing.kind is RECORD_NOT_FOUND_BY_KEY
    assert missing.message("en") == (
        "A record with the specified key values does not exist in account entity "
        "(accountnumber='NONE')."
    )
    assert missing.message("fr") == (
        "Aucun enregistrement de l'entité account n'a les valeurs de clé indiquées "
        "(accountnumber='NONE')."
    )
    wrong = EntityReference.by_key("account", name="Fabrikam")
    undefined = refusal(lambda: keyed.execute(RetrieveRequest(wrong)))
    assert undefined.kind is KEY_NOT_DEFINED
    assert undefined.message("en") == (
        "The columns name are not an alternate key of the table 'account'. Name a record by "
        "its id or by all the columns of one of its keys: accountnumber."
    )
    assert undefined.message("fr") == (
        "Les colonnes name ne forment pas une clé secondaire de la table « account ». "
        "Désignez un enregistrement par son identifiant ou par toutes les colonnes de l'une "
        "de ses clés : accountnumber."
    )
    none = refusal(lambda: keyed.execute(RetrieveRequest(by_number(None))))  # type: ignore[arg-type]
    assert none.code == errors.INVALID_VALUE_TYPE.code
    typed = refusal(lambda: keyed.execute(RetrieveRequest(by_number(5))))  # type: ignore[arg-type]
    assert typed.code == errors.INVALID_VALUE_TYPE.code


@pytest.mark.interface_only  # rules read from metadata: no database decides them
@pytest.mark.parametrize(
    ("columns", "english"),
    [
        (("description",), "it is of type memo"),
        (("donotemail",), "it is of type boolean"),
        (("revenue",), "it is of type money"),
        (("statuscode",), "it is of type status"),
        (("createdon",), "it is computed or set by the platform"),
        (("accountid",), "it is of type uniqueidentifier"),
    ],
)
def test_columns_of_other_types_cannot_be_keys(system, columns, english):
    refused = refusal(lambda: system.execute(
        CreateEntityKeyRequest("account", "new_key", columns)))  # fmt: skip
    assert refused.kind is KEY_COLUMN_NOT_VALID
    assert f"cannot be part of an alternate key: {english}." in refused.message("en")
    assert "ne peut pas faire partie d'une clé secondaire" in refused.message("fr")


def test_a_computed_column_cannot_be_a_key(system):
    refused = refusal(lambda: system.execute(
        CreateEntityKeyRequest("contact", "new_fullname", ("fullname",))))  # fmt: skip
    assert refused.kind is KEY_COLUMN_NOT_VALID


@pytest.mark.interface_only  # rules read from metadata: no database decides them
def test_key_definitions_are_checked(keyed):
    def refused(request: CreateEntityKeyRequest) -> LeadgateError:
        return refusal(lambda: keyed.execute(request))

    unprefixed = refused(CreateEntityKeyRequest("account", "numberkey", ("accountnumber",)))
    assert unprefixed.code == errors.INVALID_NAME.code
    assert "not a valid key name" in unprefixed.message("en")
    taken = refused(CreateEntityKeyRequest("account", "new_accountnumber", ("name",)))
    assert taken.message("en") == "A key named 'account.new_accountnumber' already exists."
    same = refused(CreateEntityKeyRequest("account", "new_again", ("accountnumber",)))
    assert "the key 'new_accountnumber' already has these columns" in same.message("en")
    assert refused(CreateEntityKeyRequest("account", "new_none", ())).code == "0x8F4C4712"
    twice = refused(CreateEntityKeyRequest("account", "new_twice", ("name", "name")))
    assert "a key names each column once" in twice.message("en")
    wide = ("name", *(f"address1_line{n}" for n in range(MAX_KEY_COLUMNS)))
    assert "from 1 to 16 columns" in refused(
        CreateEntityKeyRequest("account", "new_wide", wide)).message("en")  # fmt: skip
    unknown = refused(CreateEntityKeyRequest("account", "new_x", ("nosuch",)))
    assert unknown.code == errors.UNKNOWN_COLUMN.code
    assert refused(CreateEntityKeyRequest("nosuch", "new_x", ("name",))).code == (
        errors.UNKNOWN_TABLE.code
    )
    columns = ["name", "telephone1", "fax", "websiteurl", "emailaddress1", "address1_city",
               "address1_postalcode", "address1_line1", "address1_line2",
               "address1_line3"]  # fmt: skip
    for number, column in enumerate(columns[: MAX_KEYS_PER_TABLE - 1]):
        keyed.execute(CreateEntityKeyRequest("account", f"new_key{number}", (column,)))
    eleventh = refused(CreateEntityKeyRequest("account", "new_key10", (columns[-1],)))
    assert "at most 10 alternate keys" in eleventh.message("en")


def test_an_administrator_removes_a_key_and_its_unique_index(keyed, org):
    keyed.create("account", name="A", accountnumber="A-1")
    removed = keyed.execute(DeleteEntityKeyRequest("account", "new_accountnumber"))
    assert removed.columns == ("accountnumber",)
    assert org.metadata().table("account").keys == ()
    keyed.create("account", name="Twin", accountnumber="A-1")  # no unique index any more
    missing = refusal(lambda: keyed.execute(DeleteEntityKeyRequest("account", "new_gone")))
    assert missing.kind is KEY_NOT_FOUND
    assert missing.message("en") == (
        "The table 'account' has no alternate key named 'new_gone'. Its keys: this table has none."
    )
    shipped_key = "transactioncurrency_isocurrencycode_key"
    shipped = refusal(
        lambda: keyed.execute(DeleteEntityKeyRequest("transactioncurrency", shipped_key))
    )
    assert shipped.kind is KEY_NOT_REMOVABLE
    assert refusal(lambda: keyed.execute(RetrieveRequest(by_number("A-1")))).kind is (
        KEY_NOT_DEFINED
    )


def test_a_draft_key_is_removed_before_it_is_published(system, org):
    system.execute(NUMBER_KEY)
    system.execute(DeleteEntityKeyRequest("account", "new_accountnumber"))
    assert system.execute(PublishAllXmlRequest(dry_run=True)).changes == ()


def test_shipped_keys_are_named_and_name_records(system):
    dollar = system.execute(
        RetrieveRequest(EntityReference.by_key("transactioncurrency", isocurrencycode="USD"))
    ).entity
    assert dollar["isocurrencycode"] == "USD"


def test_a_key_added_with_its_new_column_is_published_with_it(system, org):
    from leadgate.platform import CreateAttributeRequest, Label
    from leadgate.platform.engine.types import ColumnType

    system.execute(CreateAttributeRequest("account", "new_erpcode", ColumnType.STRING,
                                          Label("ERP code", "Code ERP")))  # fmt: skip
    system.execute(CreateEntityKeyRequest("account", "new_erp", ("new_erpcode", "name")))
    plan = [str(c.description) for c in system.execute(PublishAllXmlRequest()).changes]
    assert plan[0].startswith("add column account.new_erpcode")
    assert "create unique index uq_account_new_erpcode_name on account (new_erpcode, name)" in plan
    system.create("account", name="X", new_erpcode="E-1")
    again = refusal(lambda: system.create("account", name="X", new_erpcode="E-1"))
    assert again.code == errors.DUPLICATE_RECORD.code


@pytest.mark.interface_only  # the messages it runs are tested above, on both databases
def test_the_command_line_adds_publishes_lists_and_removes_a_key(cli, refused, system):
    system.create("account", name="A", accountnumber="A-1")
    twin = system.create("account", name="Twin", accountnumber="A-1")
    code, line = refused(
        "customize", "add-key", "account", "new_accountnumber", "--column", "accountnumber"
    )
    assert code == 1 and "0x8F4C4743" in line and "accountnumber='A-1' (2×)" in line
    system.update(Entity("account", twin, accountnumber="A-2"))

    added = cli("customize", "add-key", "account", "new_accountnumber", "--column", "accountnumber")
    assert added == (
        "Added key new_accountnumber to account (accountnumber). Publish to enforce it with a "
        "unique index: leadgate customize publish\n"
    )
    assert "new_accountnumber\taccountnumber\tpending" in cli("customize", "list", "account")
    assert "create unique index uq_account_accountnumber on account (accountnumber)" in cli(
        "customize", "publish"
    )
    assert "new_accountnumber\taccountnumber\tpublished" in cli("customize", "list", "account")
    removed = cli("customize", "remove-key", "account", "new_accountnumber")
    assert (
        removed
        == "Removed key new_accountnumber (accountnumber) from account, and its unique index.\n"
    )
    code, line = refused("customize", "remove-key", "account", "new_accountnumber")
    assert code == 1 and "0x8F4C4746" in line
    code, line = refused("customize", "add-key", "account", "new_notes", "--column", "description")
    assert code == 1 and "0x8F4C4744" in line and "it is of type memo" in line


def test_a_lookup_names_its_record_by_key(keyed):
    account = keyed.create("account", name="Parent", accountnumber="P-1")
    lead = keyed.create("lead", subject="By key", lastname="Lee", parentaccountid=by_number("P-1"))
    assert keyed.retrieve("lead", lead, ["parentaccountid"])["parentaccountid"].id == account
    missing = refusal(lambda: keyed.update(Entity("lead", lead, parentaccountid=by_number("P-2"))))
    assert missing.kind is RECORD_NOT_FOUND_BY_KEY


def test_a_newer_solution_version_brings_its_new_keys(system, org):
    from leadgate.platform import ImportSolutionRequest
    from leadgate.platform.customization.solutions import parse_solution

    def version(number: int, keys: list) -> dict:
        columns = {"name": {"type": "string"}, "new_sku": {"type": "string"}}
        table = {"label": ["Part", "Pièce"], "columns": columns, "keys": keys}
        return {"solution": {"name": "parts", "version": number}, "tables": {"new_part": table}}

    system.execute(ImportSolutionRequest(parse_solution(version(1, []), custom=True)))
    system.create("new_part", name="Bolt", new_sku="B-1")
    named = [{"name": "new_sku", "columns": ["new_sku"]}]
    system.execute(ImportSolutionRequest(parse_solution(version(2, named), custom=True)))
    assert org.metadata().table("new_part").key_named("new_sku").columns == ("new_sku",)
    assert refusal(lambda: system.create("new_part", name="Again", new_sku="B-1")).code == (
        errors.DUPLICATE_RECORD.code
    )


def test_values_shared_before_publishing_say_how_to_get_out_of_the_pending_key(
    cli, refused, system, monkeypatch
):
    cli("customize", "add-key", "account", "new_accountnumber", "--column", "accountnumber")
    system.create("account", name="A", accountnumber="A-1")  # no unique index yet
    system.create("account", name="Twin", accountnumber="A-1")
    code, line = refused("customize", "publish")
    assert code == 1 and "0x8F4C4743" in line
    assert line.endswith(
        "Make them unique (or empty), then publish again, or remove the pending key "
        "(leadgate customize remove-key account new_accountnumber)."
    )
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    code, line = refused("customize", "publish")
    assert line.endswith(
        "Rendez-les uniques (ou videz-les), puis publiez de nouveau, ou supprimez la clé en "
        "attente (leadgate customize remove-key account new_accountnumber)."
    )
    monkeypatch.setenv("LEADGATE_LANG", "en")
    removed = cli("customize", "remove-key", "account", "new_accountnumber")
    assert removed == "Removed the pending key new_accountnumber (accountnumber) from account.\n"
    assert "create unique index" not in cli("customize", "publish")
