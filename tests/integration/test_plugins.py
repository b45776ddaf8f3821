"""Plug-in steps: stages, order, context, nested work, rollback, loop guard, images, traces."""

from __future__ import annotations

import uuid

import pytest

from leadgate.platform import Entity, EntityReference, LeadgateError
from tests import sample_plugins
from tests.conftest import ADMIN_ID, add_user

HANDLERS = "tests.sample_plugins:"


@pytest.fixture(autouse=True)
def forget_calls():
    sample_plugins.SEEN.clear()
    yield
    sample_plugins.SEEN.clear()


def register(system, handler, *, message="Create", stage=40, table="new_widget", **more):
    values = {
        "name": more.pop("name", f"{handler} on {message} {stage}"),
        "messagename": message,
        "primaryentity": table,
        "stage": stage,
        "plugintypename": HANDLERS + handler,
        **more,
    }
    return system.create("sdkmessageprocessingstep", values)


def widget(admin, **values):
    values.setdefault("new_name", "Sprocket")
    values.setdefault("new_size", "M")
    return admin.create("new_widget", values)


def widgets(admin):
    return admin.retrieve_multiple("new_widget").entities


def refusal(action):
    with pytest.raises(LeadgateError) as refused:
        action()
    return refused.value


def test_steps_run_by_stage_then_rank_with_their_context(system, admin):
    register(system, "record", stage=40, rank=1, configuration="post")
    register(system, "record", stage=10, rank=5, name="late pre-validation")
    register(system, "record", stage=10, rank=1, name="early pre-validation")
    register(system, "record", stage=20)
    widget_id = widget(admin)
    seen = sample_plugins.SEEN
    assert [call["stage"] for call in seen] == [10, 10, 20, 40]
    assert [call["in_transaction"] for call in seen] == [False, False, True, True]
    first, post = seen[0], seen[-1]
    assert first["message"] == "Create" and first["table"] == "new_widget"
    assert first["depth"] == 1 and first["parent"] is None
    assert first["user"] == first["initiating_user"] == ADMIN_ID
    root = system.retrieve_multiple_all("businessunit")[0]
    assert first["business_unit"] == post["business_unit"] == root.id
    assert len({call["correlation"] for call in seen}) == 1
    assert first["inputs"]["Target"]["new_name"] == "Sprocket"
    assert post["outputs"] == {"Id": widget_id} and post["id"] == widget_id
    assert post["configuration"] == "post" and first["configuration"] is None


def test_a_pre_operation_step_changes_what_is_saved(system, admin):
    register(system, "shout_name", stage=20)
    widget_id = widget(admin, new_name="quiet")
    assert admin.retrieve("new_widget", widget_id)["new_name"] == "QUIET"


def test_values_a_step_makes_invalid_are_refused(system, admin):
    register(system, "make_invalid", stage=20)
    error = refusal(lambda: widget(admin))
    assert error.code == "0x80044331"
    assert widgets(admin) == []


@pytest.mark.parametrize("stage", [10, 20, 40])
def test_a_cancelling_step_rolls_everything_back(system, admin, stage):
    register(system, "cancel", stage=stage, configuration="No widgets on Sundays.")
    error = refusal(lambda: widget(admin))
    assert error.code == "0x80040265"
    assert error.message("en") == error.message("fr") == "No widgets on Sundays."
    assert widgets(admin) == []


def test_a_failing_post_operation_step_leaves_no_row_and_no_nested_work(system, admin):
    register(system, "create_sibling", stage=40, rank=1)
    register(system, "crash", stage=40, rank=2)
    error = refusal(lambda: widget(admin, new_name="first"))
    assert error.code == "0x80040224"
    assert "ZeroDivisionError: division by zero" in error.message("en")
    assert "Exception inattendue de l'étape de plug-in" in error.message("fr")
    assert widgets(admin) == []


def test_nested_messages_run_one_level_deeper_as_the_same_user(system, admin):
    register(system, "create_sibling", stage=40, rank=1)
    register(system, "record", stage=20, rank=1)
    widget(admin, new_name="first")
    names = sorted(record["new_name"] for record in widgets(admin))
    assert names == ["first", "sibling of first"]
    depths = {call["inputs"]["Target"]["new_name"]: call for call in sample_plugins.SEEN}
    assert depths["first"]["depth"] == 1
    nested = depths["sibling of first"]
    assert nested["depth"] == 2 and nested["parent"] == "Create"
    assert nested["user"] == ADMIN_ID and nested["in_transaction"]
    assert nested["correlation"] == depths["first"]["correlation"]


def test_the_loop_guard_stops_runaway_plugins(system, admin):
    register(system, "recurse", stage=20)
    error = refusal(lambda: widget(admin))
    assert error.code == "0x8F4C4720"
    assert "more than 8 levels deep" in error.message("en")
    assert "plus de 8 niveaux" in error.message("fr")
    assert widgets(admin) == []


def test_filtering_columns_decide_whether_an_update_step_runs(system, admin):
    register(system, "record", message="Update", stage=20, filteringattributes="new_code")
    widget_id = widget(admin)
    admin.update(Entity("new_widget", widget_id, new_count=4))
    assert sample_plugins.SEEN == []
    admin.update(Entity("new_widget", widget_id, new_code="C"))
    assert len(sample_plugins.SEEN) == 1


def test_images_show_the_record_before_and_after(system, admin):
    register(
        system,
        "record",
        message="Update",
        stage=40,
        preimageattributes="new_code",
        postimageattributes="*",
    )
    widget_id = widget(admin, new_code="before")
    admin.update(Entity("new_widget", widget_id, new_code="after"))
    call = sample_plugins.SEEN[0]
    assert call["pre"] == {"PreImage": {"new_code": "before"}}
    assert call["post"]["PostImage"]["new_code"] == "after"
    assert call["post"]["PostImage"]["versionnumber"] == admin.retrieve(
        "new_widget", widget_id)["versionnumber"]  # fmt: skip


def test_steps_of_one_message_share_variables(system, admin):
    register(system, "share", stage=10)
    register(system, "record", stage=40)
    widget(admin)
    assert sample_plugins.SEEN[0]["shared"] == {"from_first_step": 10}


def test_a_post_operation_step_can_change_the_response(system, admin):
    register(system, "rename_output", message="Retrieve", stage=40)
    widget_id = widget(admin)
    assert admin.retrieve("new_widget", widget_id)["new_name"] == "seen by a post-operation step"


def test_disabled_steps_do_not_run_until_enabled(system, admin):
    step = register(system, "cancel", stage=20)
    system.set_state("sdkmessageprocessingstep", step, 1)
    widget(admin)
    system.set_state("sdkmessageprocessingstep", step, 0)
    assert refusal(lambda: widget(admin)).code == "0x80040265"


def test_steps_registered_for_every_table(system, admin):
    register(system, "record", table=None, stage=40)
    widget(admin)
    admin.create(
        "transactioncurrency",
        currencyname="Yen",
        isocurrencycode="JPY",
        currencysymbol="¥",
        exchangerate=150,
    )
    assert [call["table"] for call in sample_plugins.SEEN] == ["new_widget", "transactioncurrency"]


def test_a_step_can_run_its_nested_work_as_another_user(system, admin):
    robot = add_user(system, "robot@test.example")
    register(
        system, "create_sibling", stage=40, impersonatinguserid=EntityReference("systemuser", robot)
    )
    widget(admin, new_name="first")
    sibling = next(r for r in widgets(admin) if r["new_name"] == "sibling of first")
    assert sibling["createdby"] == EntityReference("systemuser", robot)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"messagename": "Frobnicate"}, "0x8F4C4723"),
        ({"plugintypename": "tests.no_such_module:run"}, "0x8F4C4721"),
        ({"plugintypename": "tests.sample_plugins:missing"}, "0x8F4C4721"),
        ({"plugintypename": "tests.sample_plugins:not_callable"}, "0x8F4C4721"),
        ({"plugintypename": "no colon here"}, "0x8F4C4721"),
        ({"filteringattributes": "new_code"}, "0x8F4C4722"),
        ({"preimageattributes": "new_code"}, "0x8F4C4722"),
        ({"mode": 1, "stage": 20}, "0x8F4C4722"),
        ({"mode": 1, "messagename": "Retrieve"}, "0x8F4C4722"),
        ({"mode": 1, "primaryentity": "asyncoperation"}, "0x8F4C4722"),
        ({"messagename": "lg_ExecuteAsyncStep", "primaryentity": None}, "0x8F4C4722"),
        ({"primaryentity": "plugintracelog"}, "0x8F4C4722"),
        ({"primaryentity": "new_nothing"}, "0x80041102"),
        ({"messagename": "Update", "postimageattributes": "new_nope"}, "0x80041103"),
        ({"stage": 30}, "0x8004431A"),
    ],
)
def test_registrations_that_could_not_run_are_refused(system, settings, expected):
    values = {
        "name": "bad",
        "messagename": "Create",
        "primaryentity": "new_widget",
        "stage": 40,
        "plugintypename": HANDLERS + "record",
        **settings,
    }
    error = refusal(lambda: system.create("sdkmessageprocessingstep", values))
    assert error.code == expected
    assert error.message("en") and error.message("fr")
    assert system.retrieve_multiple("sdkmessageprocessingstep").entities == []


def test_the_trace_log_keeps_what_steps_wrote_even_after_a_rollback(system, admin):
    step = register(system, "crash", stage=20)
    refusal(lambda: widget(admin))
    traces = system.retrieve_multiple("plugintracelog").entities
    assert len(traces) == 1
    trace = traces[0]
    assert trace["pluginstepid"] == step
    assert trace["messageblock"] == "about to divide"
    assert "ZeroDivisionError" in trace["exceptiondetails"]
    assert (trace["messagename"], trace["primaryentity"], trace["stage"]) == (
        "Create",
        "new_widget",
        20,
    )


def test_the_trace_log_setting_controls_what_is_kept(system, admin):
    organization = system.retrieve_multiple_all("organization")[0]
    register(system, "create_sibling", stage=40)
    widget(admin, new_name="logged")  # the step runs twice: on the widget and on its sibling
    assert len(system.retrieve_multiple("plugintracelog").entities) == 2
    system.update(Entity("organization", organization.id, plugintracelogsetting=1))
    widget(admin, new_name="not logged")
    assert len(system.retrieve_multiple("plugintracelog").entities) == 2
    system.update(Entity("organization", organization.id, plugintracelogsetting=0))
    register(system, "crash", stage=20)
    refusal(lambda: widget(admin, new_name="crash"))
    assert len(system.retrieve_multiple("plugintracelog").entities) == 2


def test_steps_registered_in_another_process_are_seen(database_url, admin, system):
    """A step registered through a second Organization (another server process) applies at once."""
    from leadgate.platform import Organization

    with Organization.open(database_url) as other:
        other.system_service().create(
            "sdkmessageprocessingstep",
            {
                "name": "elsewhere",
                "messagename": "Create",
                "primaryentity": "new_widget",
                "stage": 20,
                "plugintypename": HANDLERS + "cancel",
            },
        )
    assert refusal(lambda: widget(admin)).code == "0x80040265"


def test_unknown_request_types_are_refused(admin):
    class FrobnicateRequest:
        pass

    error = refusal(lambda: admin.execute(FrobnicateRequest()))
    assert error.code == "0x8F4C4723"
    assert "Create" in error.message("en")


def test_the_same_id_twice_is_a_duplicate(admin):
    chosen = uuid.uuid4()
    widget_values = {"new_name": "a", "new_size": "S"}
    admin.create(Entity("new_widget", chosen, widget_values))
    error = refusal(lambda: admin.create(Entity("new_widget", chosen, widget_values)))
    assert error.code == "0x80040237"


def test_asynchronous_steps_do_not_run_in_the_operation(system, admin):
    register(system, "cancel", stage=40, mode=1)
    widget(admin)  # would be refused if the step ran now: it waits as a system job
    (job,) = system.retrieve_multiple_all("asyncoperation")
    assert job["kind"] == "plugin"
