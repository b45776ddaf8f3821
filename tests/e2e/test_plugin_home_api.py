"""A server whose plug-in step cannot be loaded: the messages the step runs on are refused
with a coded error naming the step and the fix, in English and French; every other message
is served; the module put back in the plug-ins folder works without a restart."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from leadgate.platform import EntityReference, Organization
from leadgate.platform.users.messages import CreateApiTokenRequest
from leadgate.web import create_app
from tests.conftest import ADMIN_ID
from tests.e2e.conftest import API, TestClient, assert_error
from tests.integration.test_plugin_home import NO_GMAIL

LEAD = {"subject": "40 seats", "lastname": "Hopper", "emailaddress1": "grace@navy.example"}


@pytest.fixture
def plugins(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    return folder


@pytest.fixture
def broken(database_url: str, plugins: Path) -> tuple[str, str]:
    """'No Gmail leads' on Create of lead, registered while its module was there (as
    `leadgate plugins register` would), then the module gone: a server started elsewhere.
    Returns the step's id and a lead created before."""
    module = plugins / "myplugins.py"
    module.write_text(NO_GMAIL)
    with Organization.open(database_url, plugins=plugins) as organization:
        system = organization.system_service()
        step = system.create(
            "sdkmessageprocessingstep",
            name="No Gmail leads",
            messagename="Create",
            primaryentity="lead",
            stage=20,
            plugintypename="myplugins:no_gmail",
        )
        lead = system.create("lead", LEAD)
    module.unlink()
    return str(step), str(lead)


@pytest.fixture
def server(database_url: str, plugins: Path, broken: tuple[str, str]) -> Iterator[TestClient]:
    with Organization.open(database_url, plugins=plugins) as organization:
        system = organization.system_service()
        token = system.execute(CreateApiTokenRequest(EntityReference("systemuser", ADMIN_ID))).token
        with TestClient(
            create_app(organization), headers={"Authorization": f"Bearer {token}"}
        ) as client:
            yield client


def lead_count(server: TestClient) -> int:
    response = server.get(f"{API}/leads?$select=leadid&$count=true")
    assert response.status_code == 200, response.text
    return int(response.json()["@odata.count"])


def test_only_the_messages_a_broken_step_runs_on_are_refused(server, plugins, broken):
    step_id, lead = broken
    leads = lead_count(server)

    english = assert_error(server.post(f"{API}/leads", json=LEAD), 503, "0x8F4C4790")
    french = assert_error(
        server.post(f"{API}/leads", json=LEAD, headers={"Accept-Language": "fr"}),
        503,
        "0x8F4C4790",
        "fr",
    )

    assert english == (
        "The plug-in step 'No Gmail leads' cannot run because its handler myplugins:no_gmail "
        "cannot be loaded: ModuleNotFoundError: No module named 'myplugins'. Put myplugins.py "
        f"in the plug-ins folder {plugins} (running servers see it on their next message). "
        f"Or disable the step: leadgate plugins disable {step_id}"
    )
    assert french == (
        "L'étape de plug-in « No Gmail leads » ne peut pas s'exécuter, car son gestionnaire "
        "myplugins:no_gmail ne peut pas être chargé : ModuleNotFoundError: No module named "
        f"'myplugins'. Placez myplugins.py dans le dossier des plug-ins {plugins} (les serveurs "
        "en cours d'exécution le voient dès leur message suivant). Ou désactivez l'étape : "
        f"leadgate plugins disable {step_id}"
    )
    assert lead_count(server) == leads  # refused whole
    # Messages the step is not registered on are served as usual.
    account = server.post(f"{API}/accounts", json={"name": "Contoso"})
    assert account.status_code == 204, account.text
    updated = server.patch(f"{API}/leads({lead})", json={"subject": "still served"})
    assert updated.status_code == 204, updated.text


def test_a_broken_step_is_one_line_in_the_servers_log_saying_what_to_fix(server, broken, caplog):
    """Found by a new user: each refusal logged some forty lines of traceback into leadgate."""
    with caplog.at_level("WARNING", logger="leadgate.web.errors"):
        server.post(f"{API}/leads", json=LEAD)

    (record,) = caplog.records
    assert record.levelname == "WARNING" and record.exc_info is None
    assert record.getMessage().startswith(
        "POST /api/data/v9.2/leads: The plug-in step 'No Gmail leads' cannot run"
    )


def test_the_module_put_back_works_without_a_restart(server, plugins):
    assert server.post(f"{API}/leads", json=LEAD).status_code == 503

    (plugins / "myplugins.py").write_text(NO_GMAIL)
    later = plugins.stat().st_mtime_ns + 1_000_000_000  # as a save a moment later would be,
    os.utime(plugins, ns=(later, later))  # whatever the grain of the file system's clock

    assert server.post(f"{API}/leads", json=LEAD).status_code == 204
    gmail = server.post(f"{API}/leads", json={**LEAD, "emailaddress1": "grace@gmail.com"})
    assert assert_error(gmail, 400, "0x80040265") == "Use a company address."


def test_registering_a_handler_that_cannot_be_loaded_is_the_caller_s_mistake(server, plugins):
    response = server.post(
        f"{API}/sdkmessageprocessingsteps",
        json={
            "name": "Nowhere",
            "messagename": "Create",
            "primaryentity": "account",
            "stage": 40,
            "plugintypename": "nowhere:run",
        },
    )

    message = assert_error(response, 400, "0x8F4C4721")
    assert message.endswith(
        f"Put nowhere.py in the plug-ins folder {plugins} (running servers "
        "see it on their next message)."
    )
