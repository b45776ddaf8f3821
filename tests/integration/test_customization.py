"""Customizing at run time: tables, columns, choices and status reasons, then publish."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from leadgate.platform import (
    CreateAttributeRequest,
    CreateEntityRequest,
    Entity,
    InsertOptionValueRequest,
    Label,
    LeadgateError,
    Organization,
    PublishAllXmlRequest,
    RetrieveAllEntitiesRequest,
)
from leadgate.platform.engine.metadata.model import OptionMetadata
from leadgate.platform.engine.types import ColumnType, Ownership
from tests.conftest import property_budget


def refusal(action):
    with pytest.raises(LeadgateError) as refused:
        action()
    return refused.value


def publish(system, dry_run=False):
    return system.execute(PublishAllXmlRequest(dry_run=dry_run))


def test_a_new_column_is_usable_after_publish_and_survives_a_restart(
    database_url, org, system, admin
):
    system.execute(
        CreateAttributeRequest(
            "new_widget",
            "new_score",
            ColumnType.INTEGER,
            Label("Score", "Score"),
            min_value=0,
            max_value=100,
        )
    )
    assert (
        refusal(lambda: admin.create("new_widget", new_name="a", new_size="S", new_score=5)).code
        == "0x8F4C4701"
    )
    changes = publish(system).changes
    assert [str(change) for change in changes] == ["add column new_widget.new_score (INTEGER)"]
    widget_id = admin.create("new_widget", new_name="a", new_size="S", new_score=5)
    org.close()
    with Organization.open(database_url) as restarted:
        service = restarted.service(admin.user_id)
        assert service.retrieve("new_widget", widget_id)["new_score"] == 5
        column = (
            service.execute(RetrieveAllEntitiesRequest())
            .metadata.table("new_widget")
            .column("new_score")
        )
        assert (column.type, column.max_value, column.is_custom) == (ColumnType.INTEGER, 100, True)


def test_publish_dry_run_shows_the_plan_and_changes_nothing(system, admin):
    system.execute(
        CreateAttributeRequest(
            "new_widget", "new_tag", ColumnType.STRING, Label("Tag"), max_length=20
        )
    )
    system.execute(InsertOptionValueRequest("new_widget", "new_color", Label("Black", "Noir"), 9))
    plan = publish(system, dry_run=True)
    assert not plan.applied
    assert [str(c) for c in plan.changes] == [
        "add column new_widget.new_tag (VARCHAR(20))",
        "add choice 9 (Black) to new_widget.new_color",
    ]
    assert [c.description.in_language("fr") for c in plan.changes][1] == (
        "ajouter le choix 9 (Noir) à new_widget.new_color"
    )
    assert publish(system, dry_run=True).changes == plan.changes
    assert len(publish(system).changes) == 2
    assert publish(system).changes == ()


def test_a_new_choice_value_is_accepted_once_published(system, admin):
    response = system.execute(
        InsertOptionValueRequest("new_widget", "new_color", Label("Purple", "Violet"))
    )
    assert response.new_option_value == 100000000
    assert (
        refusal(
            lambda: admin.create("new_widget", new_name="a", new_size="S", new_color=100000000)
        ).code
        == "0x8004431A"
    )
    publish(system)
    widget_id = admin.create("new_widget", new_name="a", new_size="S", new_color=100000000)
    assert admin.retrieve("new_widget", widget_id)["new_color"] == 100000000
    second = system.execute(InsertOptionValueRequest("new_widget", "new_color", Label("Pink")))
    assert second.new_option_value == 100000001


def test_a_status_reason_belongs_to_its_state(system, admin):
    system.execute(
        InsertOptionValueRequest(
            "new_widget", "statuscode", Label("Retired", "Retiré"), value=100000001, state=1
        )
    )
    publish(system)
    widget_id = admin.create("new_widget", new_name="a", new_size="S")
    admin.set_state("new_widget", widget_id, 1, 100000001)
    assert admin.retrieve("new_widget", widget_id)["statuscode"] == 100000001
    error = refusal(lambda: admin.set_state("new_widget", widget_id, 0, 100000001))
    assert error.code == "0x80048408"


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (
            InsertOptionValueRequest("new_widget", "statuscode", Label("x"), state=None),
            "0x8F4C4703",
        ),
        (InsertOptionValueRequest("new_widget", "statuscode", Label("x"), state=5), "0x8F4C4703"),
        (InsertOptionValueRequest("new_widget", "new_color", Label("x"), value=2), "0x8F4C4713"),
        (InsertOptionValueRequest("new_widget", "new_color", Label("x"), state=0), "0x8F4C4712"),
        (InsertOptionValueRequest("new_widget", "new_code", Label("x")), "0x8F4C4714"),
        (
            InsertOptionValueRequest("new_widget", "new_color", Label("x"), value=2**31),
            "0x8F4C4712",
        ),
    ],
)
def test_bad_choice_values_are_refused(system, request_, code):
    error = refusal(lambda: system.execute(request_))
    assert error.code == code
    assert error.message("en") and error.message("fr")


def test_a_custom_table_works_like_any_other(system, admin):
    response = system.execute(
        CreateEntityRequest(
            "new_project",
            Label("Project", "Projet"),
            ownership=Ownership.USER,
        )
    )
    assert (response.entity_set, response.primary_name) == ("new_projects", "new_name")
    system.execute(
        CreateAttributeRequest(
            "new_project",
            "new_kind",
            ColumnType.CHOICE,
            Label("Kind", "Type"),
            options=(
                OptionMetadata(1, Label("Internal", "Interne")),
                OptionMetadata(2, Label("Customer", "Client")),
            ),
        )
    )
    system.execute(
        CreateAttributeRequest(
            "new_project",
            "new_widget",
            ColumnType.LOOKUP,
            Label("Widget"),
            targets=("new_widget",),
        )
    )
    changes = [str(change) for change in publish(system).changes]
    assert changes[0].startswith("create table new_project (")
    assert (
        "add relationship new_widget_new_project_new_widget "
        "(new_project.new_widget -> new_widget)" in changes
    )
    widget_id = admin.create("new_widget", new_name="w", new_size="S")
    project_id = admin.create(
        "new_project",
        new_name="Apollo",
        new_kind=2,
        new_widget=Entity("new_widget", widget_id).to_reference(),
    )
    project = admin.retrieve("new_project", project_id)
    assert (project["new_name"], project["new_kind"], project["statecode"]) == ("Apollo", 2, 0)
    admin.delete("new_widget", widget_id)  # removelink: the project stays, unlinked
    assert admin.retrieve("new_project", project_id)["new_widget"] is None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("score", "custom names start with a publisher prefix"),
        ("New_Score", "use lower-case letters"),
        ('new_x"; DROP TABLE new_widget; --', "use lower-case letters"),
        ("new_x y", "use lower-case letters"),
        ("lg_meta", "the prefix 'lg_' is reserved"),
        ("new_" + "x" * 60, "names are at most 50 characters long."),
        ("", "a name is required."),
    ],
)
def test_column_names_are_validated(system, name, reason):
    error = refusal(
        lambda: system.execute(
            CreateAttributeRequest("new_widget", name, ColumnType.INTEGER, Label("X"))
        )
    )
    assert error.code == "0x8F4C4710"
    assert reason in error.message("en")
    assert "n'est pas un nom de colonne valide" in error.message("fr")


def test_names_already_taken_are_refused(system):
    for request_ in (
        CreateAttributeRequest("new_widget", "new_code", ColumnType.INTEGER, Label("X")),
        CreateEntityRequest("new_widget", Label("Again")),
    ):
        error = refusal(lambda r=request_: system.execute(r))
        assert error.code == "0x8F4C4711"
        assert "already exists" in error.message("en")
        assert "est déjà pris" in error.message("fr")


@property_budget("customization")
@given(name=st.text(min_size=0, max_size=30))
def test_no_name_reaches_sql_unless_it_is_a_plain_identifier(system, name):
    try:
        system.execute(CreateAttributeRequest("new_widget", name, ColumnType.INTEGER, Label("X")))
    except LeadgateError as error:
        assert error.code in ("0x8F4C4710", "0x8F4C4711")
    else:
        assert name.isascii() and name.replace("_", "").isalnum() and name == name.lower()


def test_publishing_in_one_process_is_seen_by_another(database_url, system, admin):
    with Organization.open(database_url) as other:
        other_system = other.system_service()
        other_system.execute(
            CreateAttributeRequest("new_widget", "new_extra", ColumnType.BOOLEAN, Label("Extra"))
        )
        publish(other_system)
    widget_id = admin.create("new_widget", new_name="a", new_size="S", new_extra=True)
    assert admin.retrieve("new_widget", widget_id)["new_extra"] is True


def test_customizations_are_rolled_back_with_a_failed_publish(database_url, system):
    """A draft and its DDL land together or not at all."""
    system.execute(
        CreateAttributeRequest(
            "new_widget",
            "new_first",
            ColumnType.LOOKUP,
            Label("1"),
            targets=("transactioncurrency",),
        )
    )
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:  # an index with the name publishing will want
            connection.execute(
                sa.text("CREATE INDEX ix_new_widget_new_first ON lg_solution (name)")
            )
        error = refusal(lambda: publish(system))
        assert error.code == "0x80040216"
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("new_widget")}
        assert "new_first" not in columns
    finally:
        engine.dispose()
    pending = system.execute(RetrieveAllEntitiesRequest(include_unpublished=True))
    assert not pending.metadata.table("new_widget").column("new_first").published


def test_installing_again_changes_nothing(database_url):
    with Organization.create(database_url) as again:
        system = again.system_service()
        assert len(system.retrieve_multiple_all("transactioncurrency")) == 2
        assert len(system.retrieve_multiple_all("organization")) == 1


def test_an_empty_database_is_not_an_organization(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    error = refusal(lambda: Organization.open(url))
    assert error.code == "0x8F4C4716"
    assert f"leadgate init --db {url}" in error.message("en")
    assert "Créez-en une avec" in error.message("fr")


def test_init_again_upgrades_a_database_of_an_older_leadgate(database_url):
    """An older version had no versioned tables, lacked a bookkeeping column and shipped
    older solutions."""
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE lg_schema_version"))
            connection.execute(sa.text("ALTER TABLE lg_generation DROP COLUMN security"))
            connection.execute(sa.text("UPDATE lg_solution SET version = 1"))
    finally:
        engine.dispose()
    error = refusal(lambda: Organization.open(database_url))
    assert error.code == "0x8F4C4799"
    assert f"Upgrade it with: leadgate upgrade --db {database_url}" in error.message("en")
    Organization.create(database_url).close()
    with Organization.open(database_url) as upgraded:
        assert upgraded.system_service().retrieve_multiple("role", name="Salesperson").entities
