"""Asynchronous plug-in steps: queued as system jobs in the operation's transaction, run by a
worker after the commit as the run-as user, traced, their failures shown on the job."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from leadgate.cli.plugins import startup_report
from leadgate.platform import Entity, EntityReference, LeadgateError, Organization
from leadgate.platform.engine.types import Language
from leadgate.platform.jobs import JobStatus, QueueJobRequest, Worker, run_next
from leadgate.platform.plugins.errors import ASYNC_STEP_DATA_INVALID, ASYNC_STEP_SKIPPED
from tests import sample_plugins
from tests.conftest import ADMIN_ID, add_user

HANDLERS = "tests.sample_plugins:"


@pytest.fixture(autouse=True)
def forget_calls():
    sample_plugins.SEEN.clear()
    yield
    sample_plugins.SEEN.clear()


def register(system, handler, *, message="Create", table="account", mode=1, stage=40, **more):
    return system.create("sdkmessageprocessingstep", {
        "name": more.pop("name", f"{handler} later"), "messagename": message,
        "primaryentity": table, "stage": stage, "mode": mode,
        "plugintypename": handler if ":" in handler else HANDLERS + handler, **more,
    })  # fmt: skip


def jobs(system) -> list[Entity]:
    return system.retrieve_multiple_all("asyncoperation")


def traces(system) -> list[Entity]:
    return system.retrieve_multiple_all("plugintracelog")


def noted(system) -> list[str]:
    return sorted(w["new_name"] for w in system.retrieve_multiple_all("new_widget"))


def run_all(org) -> list:
    return Worker(org, worker_id="test-worker").run_once()


def test_an_async_step_runs_after_the_commit_as_its_run_as_user(org, system, admin):
    robot = add_user(system, "robot@test.example")
    step = register(system, "note_in_widget", name="Note new accounts",
                    impersonatinguserid=EntityReference("systemuser", robot),
                    postimageattributes="name,revenue,ownerid")  # fmt: skip
    register(system, "record", mode=0, name="synchronous witness")
    account = admin.create("account", name="Acme", revenue=12.5)
    # Committed without it: only the synchronous step ran; the other waits as a system job.
    (witness,) = sample_plugins.SEEN
    assert noted(system) == [] and witness["mode"] == 0
    (job,) = jobs(system)
    assert (job["kind"], job["operationtype"], job["statecode"]) == ("plugin", 1, 0)
    assert job["name"] == "Note new accounts (Create account)"
    assert (job["regardingobjecttypecode"], job["regardingobjectid"]) == ("account", account)
    (outcome,) = run_all(org)
    assert outcome.status is JobStatus.SUCCEEDED, outcome
    call = sample_plugins.SEEN[-1]
    assert (call["message"], call["table"], call["id"]) == ("Create", "account", account)
    assert (call["stage"], call["mode"], call["depth"]) == (40, 1, 1)
    assert (call["user"], call["initiating_user"]) == (robot, ADMIN_ID)
    assert call["correlation"] == witness["correlation"]
    assert call["inputs"]["Target"]["name"] == "Acme"
    assert call["outputs"] == {"Id": account}
    image = call["post"]["PostImage"]
    assert image["revenue"] == admin.retrieve("account", account)["revenue"]
    assert image["ownerid"] == EntityReference("systemuser", ADMIN_ID)
    assert "description" not in image and call["pre"] == {}
    (widget,) = system.retrieve_multiple_all("new_widget")
    assert widget["new_name"] == "noted Acme"
    assert widget["createdby"] == EntityReference("systemuser", robot)
    (trace,) = [t for t in traces(system) if t["pluginstepid"] == step]
    assert (trace["mode"], trace["stage"], trace["depth"]) == (1, 40, 1)
    assert trace["correlationid"] == witness["correlation"]
    assert trace["messageblock"] == "noting Acme"
    assert run_all(org) == []  # run once


def test_without_a_run_as_user_it_runs_as_the_calling_user(org, system, admin):
    register(system, "note_in_widget")
    admin.create("account", name="Mine")
    run_all(org)
    assert sample_plugins.SEEN[-1]["user"] == ADMIN_ID
    (widget,) = system.retrieve_multiple_all("new_widget")
    assert widget["createdby"] == EntityReference("systemuser", ADMIN_ID)


@pytest.mark.parametrize(
    ("handler", "code", "english", "french"),
    [
        ("crash", "0x80040224", "Unexpected exception from plug-in step 'crash later' "
         "(tests.sample_plugins:crash): ZeroDivisionError: division by zero",
         "Exception inattendue de l'étape de plug-in « crash later » "
         "(tests.sample_plugins:crash) : ZeroDivisionError: division by zero"),
        ("cancel", "0x80040265", "No accounts today.", "No accounts today."),
    ],
)  # fmt: skip
def test_a_failing_async_step_fails_its_job_not_the_operation(
    org, system, admin, handler, code, english, french
):
    step = register(system, handler, configuration="No accounts today.")
    account = admin.create("account", name="Still here")
    (outcome,) = run_all(org)
    assert outcome.status is JobStatus.FAILED
    assert admin.retrieve("account", account)["name"] == "Still here"
    (job,) = jobs(system)
    assert (job["statecode"], job["statuscode"], job["errorcode"]) == (3, 31, code)
    assert (job["message"], job["message_fr"]) == (english, french)
    (trace,) = [t for t in traces(system) if t["pluginstepid"] == step]
    assert trace["mode"] == 1 and trace["exceptiondetails"]


def test_a_rolled_back_operation_queues_nothing(org, system, admin):
    register(system, "note_in_widget")
    register(system, "cancel", mode=0, rank=2, configuration="Closed.")
    with pytest.raises(LeadgateError):
        admin.create("account", name="Never")
    assert jobs(system) == [] and run_all(org) == []
    assert admin.retrieve_multiple_all("account") == []


@pytest.mark.parametrize("change", ["disable", "delete", "make synchronous"])
def test_a_step_gone_before_the_worker_runs_does_nothing_and_says_so(org, system, admin, change):
    step = register(system, "note_in_widget", name="Fickle")
    admin.create("account", name="Acme")
    if change == "disable":
        system.set_state("sdkmessageprocessingstep", step, 1)
    elif change == "delete":
        system.delete("sdkmessageprocessingstep", step)
    else:
        system.update(Entity("sdkmessageprocessingstep", step, mode=0))
    (outcome,) = run_all(org)
    assert outcome.status is JobStatus.SUCCEEDED
    assert sample_plugins.SEEN == [] and noted(system) == []
    (trace,) = [t for t in traces(system) if t["pluginstepid"] == step]
    notice = ASYNC_STEP_SKIPPED(step="Fickle", id=step)
    assert trace["messageblock"] == f"0x8F4C47F4: {notice.message(Language.ENGLISH)}"
    assert "was deleted, disabled or made synchronous" in trace["messageblock"]
    assert "a été supprimée, désactivée ou rendue synchrone" in notice.message(Language.FRENCH)


def test_filtering_columns_decide_whether_an_update_queues_the_step(org, system, admin):
    register(system, "note_in_widget", message="Update", filteringattributes="telephone1",
             preimageattributes="telephone1", postimageattributes="telephone1")  # fmt: skip
    account = admin.create("account", name="Acme", telephone1="+33 1 00 00 00 01")
    admin.update(Entity("account", account, description="not watched"))
    assert jobs(system) == []
    admin.update(Entity("account", account, telephone1="+33 1 00 00 00 02"))
    (outcome,) = run_all(org)
    assert outcome.status is JobStatus.SUCCEEDED
    (call,) = sample_plugins.SEEN
    before = call["pre"]["PreImage"]["telephone1"]
    after = call["post"]["PostImage"]["telephone1"]
    assert before != after and after == admin.retrieve("account", account)["telephone1"]
    assert noted(system) == [f"noted {account}"]  # an Update's target has no name


def test_a_step_that_cannot_load_fails_its_job_with_the_coded_error(database_url, tmp_path: Path):
    folder = tmp_path / "async_plugins"
    folder.mkdir()
    module = folder / "async_note.py"
    module.write_text("def run(context):\n    context.trace('ran')\n")
    with Organization.open(database_url, plugins=folder) as organization:
        system = organization.system_service()
        register(system, "async_note:run", name="Gone soon")
        system.create("account", name="Acme")
        module.unlink()
        (outcome,) = run_all(organization)
        assert outcome.status is JobStatus.FAILED
        (job,) = jobs(system)
        assert job["errorcode"] == "0x8F4C4790"
        assert "'Gone soon' cannot run because its handler async_note:run" in job["message"]
        assert "« Gone soon » ne peut pas s'exécuter" in job["message_fr"]
        # What `leadgate serve` says when it starts: the operation runs, its jobs fail.
        assert startup_report(organization, Language.ENGLISH)[-1] == (
            "Until then its system jobs after Create on account fail with 0x8F4C4790."
        )
        assert startup_report(organization, Language.FRENCH)[-1] == (
            "En attendant, ses tâches système après Create sur account échouent avec 0x8F4C4790."
        )


def test_step_jobs_queued_by_hand_are_refused(org, system, admin):
    sam = add_user(system, "sam@test.example", role="Salesperson")
    forged = {"stepid": "not a step"}
    system.execute(QueueJobRequest("plugin", forged))
    assert run_next(org, "test-worker").error.kind is ASYNC_STEP_DATA_INVALID
    (job,) = jobs(system)
    assert "(stepid: badly formed hexadecimal UUID string)" in job["message"]
    assert "(stepid: badly formed hexadecimal UUID string)" in job["message_fr"]
    assert job["message_fr"].startswith("Les données de la tâche système")
    # The data names whom the step runs as: no user may queue one, administrators included.
    for user in (sam, ADMIN_ID):
        with pytest.raises(LeadgateError) as raised:
            org.service(user).execute(QueueJobRequest("plugin", {**forged, "runas": str(sam)}))
        refused = raised.value
        assert refused.code == "0x8F4C47FA"
        assert refused.message("en") == (
            "Only the platform queues system jobs of kind 'plugin': their data names the user "
            "they run as. Nothing was queued."
        )
        assert refused.message("fr") == (
            "Seule la plateforme met en file d'attente les tâches système de type « plugin » : "
            "leurs données désignent l'utilisateur sous l'identité duquel elles s'exécutent. "
            "Rien n'a été mis en file d'attente."
        )
    assert len(jobs(system)) == 1  # the platform's own, above


def test_a_step_that_triggers_itself_stops_at_the_depth_limit(org, system, admin):
    register(system, "touch_account", message="Update", filteringattributes="description")
    account = admin.create("account", name="Loopy")
    admin.update(Entity("account", account, description="start"))
    outcomes = run_all(org)
    # Each job carries its operation's depth; the eighth job's update would be the ninth level.
    assert [o.status for o in outcomes] == [JobStatus.SUCCEEDED] * 7 + [JobStatus.FAILED]
    assert outcomes[-1].error.code == "0x8F4C4720"
    assert admin.retrieve("account", account)["description"] == "depth 7"


def test_a_worker_killed_after_the_commit_does_not_run_the_step_twice(org, system, admin):
    from leadgate.platform.jobs import JobContext, claim_next
    from leadgate.platform.plugins.asynchronous import run_step_job

    register(system, "note_in_widget")
    admin.create("account", name="Once")
    ended = dt.timedelta(seconds=-60)  # the first worker's lease is over at once
    job = claim_next(org, "first-worker", ended)
    run_step_job(JobContext(org, job, "first-worker", ended))  # committed, then "killed"
    assert noted(system) == ["noted Once"]
    outcome = run_next(org, "second-worker")
    assert outcome.job_id == job.id and outcome.status is JobStatus.SUCCEEDED
    assert noted(system) == ["noted Once"]


def test_the_cli_registers_lists_and_runs_an_async_step(cli, org, system):
    robot = add_user(system, "robot@test.example")
    out = cli("plugins", "register", "--name", "Note accounts", "--message", "Create",
              "--table", "account", "--stage", "40", "--mode", "async",
              "--handler", HANDLERS + "note_in_widget", "--run-as", "robot@test.example",
    )  # fmt: skip
    assert "It runs as a system job after each operation commits" in out
    (line,) = [line for line in cli("plugins", "list", "--table", "account").splitlines()
               if "Note accounts" in line]  # fmt: skip
    assert "\tasync\t" in line and "\tenabled\t" in line
    system.create("account", name="Acme")
    assert "Succeeded" in cli("worker", "--once")
    (widget,) = system.retrieve_multiple_all("new_widget")
    assert widget["createdby"].id == robot
    assert "Note accounts (Create account)" in cli("jobs", "list", "--all")
