"""The plug-ins folder as an administrator meets it: the CLI registers a plug-in from it with
no PYTHONPATH, ``plugins list`` marks a step that cannot be loaded, and ``serve`` says so
when it starts (and serves all the same), on both databases."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from leadgate.cli.plugins import startup_report
from leadgate.platform import Language, LeadgateError, Organization
from tests.conftest import ADMIN_ID

README = Path(__file__).parents[2] / "README.md"


def readme_plugin() -> str:
    """The README's plug-in, as a new user saves it: the README and this test cannot drift."""
    text = README.read_text(encoding="utf-8")
    start = text.index("```python\n# plugins/myplugins.py\n") + len("```python\n")
    return text[start : text.index("```", start)]


NO_GMAIL = readme_plugin()
REGISTER = (
    "plugins",
    "register",
    "--name",
    "No Gmail leads",
    "--message",
    "Create",
    "--table",
    "lead",
    "--stage",
    "20",
    "--handler",
    "myplugins:no_gmail",
)


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default plug-ins folder on both databases: beside the SQLite file, which the
    fixture puts in tmp_path, and (PostgreSQL) plugins/ of the current directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEADGATE_PLUGINS", raising=False)
    folder = tmp_path / "plugins"
    folder.mkdir()
    return folder


def install(folder: Path) -> Path:
    path = folder / "myplugins.py"
    path.write_text(NO_GMAIL)
    return path


def registered(cli) -> str:
    out = cli(*REGISTER)
    assert out.startswith("Registered step No Gmail leads (")
    return out.strip().rsplit("(", 1)[1].rstrip(").")


def refusal(action) -> LeadgateError:
    with pytest.raises(LeadgateError) as refused:
        action()
    return refused.value


def broken_text(folder: Path, step_id: str, language: str = "en") -> str:
    if language == "fr":
        return (
            "L'étape de plug-in « No Gmail leads » ne peut pas s'exécuter, car son gestionnaire "
            "myplugins:no_gmail ne peut pas être chargé : ModuleNotFoundError: No module named "
            f"'myplugins'. Placez myplugins.py dans le dossier des plug-ins {folder} (les serveurs "
            "en cours d'exécution le voient dès leur message suivant). Ou désactivez l'étape : "
            f"leadgate plugins disable {step_id}"
        )
    return (
        "The plug-in step 'No Gmail leads' cannot run because its handler myplugins:no_gmail "
        "cannot be loaded: ModuleNotFoundError: No module named 'myplugins'. Put myplugins.py "
        f"in the plug-ins folder {folder} (running servers see it on their next message). "
        f"Or disable the step: leadgate plugins disable {step_id}"
    )


def test_the_cli_registers_a_plug_in_of_the_plugins_folder_without_pythonpath(
    cli, plugins, database_url
):
    install(plugins)
    assert importlib.util.find_spec("myplugins") is None  # not on Python's path

    registered(cli)

    with Organization.open(database_url) as organization:  # as `leadgate serve` opens it
        admin = organization.service(ADMIN_ID)
        error = refusal(
            lambda: admin.create("lead", subject="x", lastname="y", emailaddress1="ada@gmail.com")
        )
        assert (error.code, error.message("en"), error.message("fr")) == (
            "0x80040265",
            "Use a company address.",
            "Utilisez une adresse d'entreprise.",
        )
        admin.create("lead", subject="x", lastname="y", emailaddress1="ada@contoso.example")
    assert "checking ada@gmail.com" in cli("plugins", "trace")


def test_a_handler_the_folder_lacks_is_refused_with_where_to_put_it(refused, plugins):
    code, line = refused(*REGISTER)

    assert code == 1
    assert line == (
        "error 0x8F4C4721: The plug-in 'myplugins:no_gmail' cannot be loaded: "
        "ModuleNotFoundError: No module named 'myplugins'. Put myplugins.py in the plug-ins "
        f"folder {plugins} (running servers see it on their next message)."
    )


def test_the_option_and_the_variable_choose_another_folder(
    run, cli, plugins, database_url, tmp_path, monkeypatch
):
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    install(elsewhere)
    assert run(*REGISTER, "--db", database_url, "--plugins", str(elsewhere))[0] == 0

    def state() -> str:
        (line,) = [
            line
            for line in cli("plugins", "list", "--table", "lead").splitlines()
            if "\tNo Gmail leads\t" in line
        ]
        return line.split("\t")[5]

    assert state() == "broken"  # the default folder has no myplugins.py
    monkeypatch.setenv("LEADGATE_PLUGINS", str(elsewhere))
    assert state() == "enabled"


def test_plugins_list_shows_a_step_that_cannot_be_loaded_as_broken_with_why(
    cli, plugins, monkeypatch
):
    module = install(plugins)
    step_id = registered(cli)
    module.unlink()

    lines = cli("plugins", "list", "--table", "lead").splitlines()

    (row,) = [line for line in lines if "\tNo Gmail leads\t" in line]
    assert row.split("\t")[5:8] == ["broken", "No Gmail leads", "myplugins:no_gmail"]
    assert lines[-1] == f"0x8F4C4790: {broken_text(plugins, step_id)}"
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    assert cli("plugins", "list").splitlines()[-1] == (
        f"0x8F4C4790: {broken_text(plugins, step_id, 'fr')}"
    )
    monkeypatch.setenv("LEADGATE_LANG", "en")
    cli("plugins", "disable", "No Gmail leads")  # a disabled step runs nowhere: not broken
    lines = cli("plugins", "list", "--table", "lead").splitlines()
    (row,) = [line for line in lines if "\tNo Gmail leads\t" in line]
    assert row.split("\t")[5] == "disabled"
    assert not any(line.startswith("0x8F4C4790") for line in lines)


def test_serve_says_which_steps_cannot_be_loaded_and_serves_all_the_same(
    run, cli, plugins, database_url, monkeypatch
):
    module = install(plugins)
    step_id = registered(cli)
    module.unlink()
    served = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: served.append(app))

    code, out, err = run("serve", "--db", database_url, "--workers", "1")

    assert (code, err) == (0, "")
    assert out.splitlines()[-3:] == [
        f"Plug-ins folder: {plugins}",
        f"Warning 0x8F4C4790: {broken_text(plugins, step_id)}",
        "Until then Create on lead is refused with 0x8F4C4790; the rest is served.",
    ]
    assert len(served) == 1  # it serves
    served[0].state.organization.close()


def test_the_start_up_check_in_french_and_when_all_is_well(cli, plugins, database_url):
    module = install(plugins)
    step_id = registered(cli)
    module.unlink()
    with Organization.open(database_url) as organization:
        assert startup_report(organization, Language.FRENCH) == [
            f"Dossier des plug-ins : {plugins}",
            f"Avertissement 0x8F4C4790 : {broken_text(plugins, step_id, 'fr')}",
            "En attendant, Create sur lead est refusé avec 0x8F4C4790 ; tout le reste est servi.",
        ]
    install(plugins)
    with Organization.open(database_url) as organization:
        assert startup_report(organization, Language.ENGLISH) == [f"Plug-ins folder: {plugins}"]
