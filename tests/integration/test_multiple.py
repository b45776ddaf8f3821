"""CreateMultiple, UpdateMultiple, UpsertMultiple: many records of one table in one
transaction, each through its own Create, Update or Upsert (its checks, security and plug-in
steps), all or nothing; their limits refused in English and French."""

from __future__ import annotations

import uuid

import pytest

from leadgate.platform import Entity, EntityReference, LeadgateError
from leadgate.platform.records.multiple import (
    MAX_TARGETS,
    CreateMultipleRequest,
    UpdateMultipleRequest,
    UpsertMultipleRequest,
)
from tests import sample_plugins
from tests.conftest import add_user


def refusal(action) -> LeadgateError:
    with pytest.raises(LeadgateError) as refused:
        action()
    return refused.value


def leads(*names: str) -> tuple[Entity, ...]:
    return tuple(Entity("lead", None, {"lastname": name, "subject": f"About {name}"})
                 for name in names)  # fmt: skip


def test_create_multiple_makes_every_record_through_create_or_none(admin, system):
    sample_plugins.SEEN.clear()
    system.create("sdkmessageprocessingstep", {
        "name": "Seen", "messagename": "Create", "primaryentity": "lead", "stage": 40,
        "plugintypename": "tests.sample_plugins:record",
    })  # fmt: skip
    ids = admin.execute(CreateMultipleRequest("lead", leads("Ada", "Grace", "Hedy"))).ids
    assert [admin.retrieve("lead", i)["lastname"] for i in ids] == ["Ada", "Grace", "Hedy"]
    assert [call["id"] for call in sample_plugins.SEEN] == list(ids)  # a Create each
    before = len(admin.retrieve_multiple_all("lead"))
    bad = (*leads("Katherine"), Entity("lead", None, {"subject": "no last name"}))
    error = refusal(lambda: admin.execute(CreateMultipleRequest("lead", bad)))
    assert error.code == "0x80040200"  # the second record's own refusal
    assert len(admin.retrieve_multiple_all("lead")) == before  # the first was undone too


def test_update_and_upsert_multiple_change_and_make_records(admin):
    ids = admin.execute(CreateMultipleRequest("lead", leads("Ada", "Grace"))).ids
    admin.execute(UpdateMultipleRequest("lead", tuple(
        Entity("lead", record_id, {"subject": "Changed"}) for record_id in ids)))  # fmt: skip
    assert {admin.retrieve("lead", i)["subject"] for i in ids} == {"Changed"}
    new = uuid.uuid4()
    done = admin.execute(UpsertMultipleRequest("lead", (
        Entity("lead", ids[0], {"subject": "Upserted"}),
        Entity("lead", new, {"lastname": "Hedy", "subject": "Made by an upsert"}),
    ))).results  # fmt: skip
    assert done == ((EntityReference("lead", ids[0]), False), (EntityReference("lead", new), True))
    assert admin.retrieve("lead", new)["lastname"] == "Hedy"


def test_each_record_is_checked_as_its_user(org, system):
    user = add_user(system, f"sam{uuid.uuid4().hex[:6]}@test.example", role="Salesperson")
    sam = org.service(user)
    theirs = sam.execute(CreateMultipleRequest("lead", leads("Ada"))).ids
    admins = system.execute(CreateMultipleRequest("lead", leads("Grace"))).ids
    error = refusal(lambda: sam.execute(UpdateMultipleRequest("lead", (
        Entity("lead", theirs[0], {"subject": "mine"}),
        Entity("lead", admins[0], {"subject": "not mine"}),
    ))))  # fmt: skip
    assert error.code == "0x80048306"
    assert sam.retrieve("lead", theirs[0])["subject"] == "About Ada"  # nothing changed


@pytest.mark.parametrize("count", [0, MAX_TARGETS + 1])
def test_the_number_of_records_is_limited(admin, count):
    targets = leads(*(f"Lead {n}" for n in range(count)))
    error = refusal(lambda: admin.execute(CreateMultipleRequest("lead", targets)))
    assert error.code == "0x8F4C47F6"
    assert error.message("en") == (
        f"CreateMultiple takes from 1 to 1000 records in Targets; this request has {count}. "
        "Send larger sets in several requests.")  # fmt: skip
    assert error.message("fr") == (
        f"CreateMultiple accepte de 1 à 1000 enregistrements dans Targets ; cette requête en a "
        f"{count}. Envoyez les ensembles plus grands en plusieurs requêtes.")  # fmt: skip


def test_every_record_must_be_of_the_table(admin):
    mixed = (*leads("Ada"), Entity("account", None, {"name": "Fabrikam"}))
    error = refusal(lambda: admin.execute(CreateMultipleRequest("lead", mixed)))
    assert error.code == "0x8F4C47F7"
    assert error.message("en") == (
        "Every record of CreateMultiple must be of the table lead; the record 2 is of the "
        "table account.")  # fmt: skip
    assert error.message("fr").startswith("Chaque enregistrement de CreateMultiple doit être")
