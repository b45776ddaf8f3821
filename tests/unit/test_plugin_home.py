"""The plug-ins folder: where it is, what it imports, and how it notices an edited module."""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from pathlib import Path

import pytest

from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.plugins.home import LoadFailure, PluginHome, plugins_folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "plugins"
    path.mkdir()
    return path


@pytest.fixture
def home(folder: Path):
    found = PluginHome(folder)
    yield found
    found.close()


def module_name() -> str:
    """A name no other test (and nothing on sys.path) uses."""
    return f"lg_plugin_{uuid.uuid4().hex[:10]}"


def write(folder: Path, name: str, source: str, *, tick: int = 0) -> Path:
    """Write a module; ``tick`` moves its time on, as a later save would."""
    path = folder / f"{name}.py"
    path.write_text(source)
    if tick:
        stamp = path.stat().st_mtime_ns + tick * 1_000_000_000
        os.utime(path, ns=(stamp, stamp))
    return path


def test_the_folder_is_beside_the_sqlite_file_else_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("LEADGATE_PLUGINS", raising=False)
    monkeypatch.chdir(tmp_path)
    assert plugins_folder("sqlite:////srv/crm/leadgate.db") == Path("/srv/crm/plugins")
    assert plugins_folder("sqlite:///./leadgate.db") == tmp_path / "plugins"
    assert plugins_folder("sqlite:///data/org.db") == tmp_path / "data" / "plugins"
    assert plugins_folder("postgresql+psycopg://u@db.example/crm") == tmp_path / "plugins"
    assert plugins_folder("sqlite://") == tmp_path / "plugins"


def test_the_option_wins_over_the_variable_which_wins_over_the_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEADGATE_PLUGINS", "shared/plugins")
    assert plugins_folder("sqlite:////srv/leadgate.db") == tmp_path / "shared" / "plugins"
    assert plugins_folder("sqlite:////srv/leadgate.db", "/opt/steps") == Path("/opt/steps")


def test_a_module_of_the_folder_loads_without_being_on_the_python_path(home, folder):
    name = module_name()
    write(folder, f"{name}_helper", "PREFIX = 'checked: '\n")
    write(
        folder,
        name,
        f"from {name}_helper import PREFIX\ndef run(context):\n    return PREFIX + context\n",
    )
    assert importlib.util.find_spec(name) is None  # not importable the usual way

    handler = home.resolve(f"{name}:run")

    assert handler("lead") == "checked: lead"
    # Compiled from source: no __pycache__ whose stale bytecode could hide an edit.
    assert sorted(p.name for p in folder.iterdir()) == [f"{name}.py", f"{name}_helper.py"]


def test_packages_in_the_folder_load_too(home, folder):
    name = module_name()
    (folder / name).mkdir()
    (folder / name / "__init__.py").write_text("")
    (folder / name / "rules.py").write_text("def run(context):\n    return 'package'\n")

    assert home.resolve(f"{name}.rules:run")(None) == "package"


@pytest.mark.parametrize(
    ("source", "handler", "reason", "fix"),
    [
        (
            None,
            "{name}:run",
            "ModuleNotFoundError: No module named '{name}'.",
            "Put {name}.py in the plug-ins folder {folder} (running servers see it on their next "
            "message).",
        ),
        (
            "def other(context):\n    pass\n",
            "{name}:run",
            "{name} has no attribute 'run'.",
            "Correct {name} in the plug-ins folder {folder} (running servers see the change on "
            "their next message).",
        ),
        ("run = 42\n", "{name}:run", "'run' is not callable.", "Correct {name} in"),
        ("def run(:\n", "{name}:run", "SyntaxError: ", "Correct {name} in"),
        (
            "import lg_no_such_dependency\n",
            "{name}:run",
            "ModuleNotFoundError: No module named 'lg_no_such_dependency'.",
            "Correct {name} in",
        ),
        (
            None,
            "{name}.run",
            "write it as package.module:function.",
            "Register the step with a handler written as module:function.",
        ),
    ],
)
def test_why_a_handler_cannot_be_loaded_and_the_fix(home, folder, source, handler, reason, fix):
    name = module_name()
    if source is not None:
        write(folder, name, source)
    params = {"name": name, "folder": folder}

    failure = home.load(handler.format(**params))

    assert isinstance(failure, LoadFailure)
    assert str(failure.reason).startswith(reason.format(**params))
    assert str(failure.fix).startswith(fix.format(**params))
    with pytest.raises(LeadgateError) as refused:
        home.resolve(handler.format(**params))
    assert refused.value.code == "0x8F4C4721"
    assert refused.value.message("fr").startswith(
        f"Le plug-in « {handler.format(**params)} » ne peut pas être chargé : "
    )


def test_a_module_name_python_finds_first_is_explained(home, folder):
    write(folder, "json", "def run(context):\n    pass\n")

    failure = home.load("json:run")

    assert isinstance(failure, LoadFailure)
    assert str(failure.fix) == (
        f"The name 'json' is taken by {sys.modules['json'].__file__}, which Python finds "
        f"first: rename the module in the plug-ins folder {folder}."
    )


def test_an_edited_module_is_loaded_again_once_the_home_refreshes(home, folder):
    name = module_name()
    write(folder, name, "def run(context):\n    return 1\n")
    assert home.resolve(f"{name}:run")(None) == 1
    imported = sys.modules[name]
    home.refresh()  # the folder gained a file since the home was made: failures may retry …
    assert sys.modules[name] is imported  # … but what loaded is not imported again
    assert home.refresh() is False

    write(folder, name, "def run(context):\n    return 2\n", tick=1)
    assert home.resolve(f"{name}:run")(None) == 1  # the process keeps what it imported …
    assert home.refresh() is True  # … until it notices the change
    assert home.resolve(f"{name}:run")(None) == 2
    assert home.refresh() is False


def test_a_module_added_to_the_folder_is_noticed(home, folder):
    name = module_name()
    assert isinstance(home.load(f"{name}:run"), LoadFailure)
    assert home.refresh() is False

    write(folder, name, "def run(context):\n    return 'added'\n")
    stamp = folder.stat().st_mtime_ns + 1_000_000_000
    os.utime(folder, ns=(stamp, stamp))  # as a later save would, whatever the clock's grain

    assert home.refresh() is True
    assert home.resolve(f"{name}:run")(None) == "added"


def test_a_module_that_failed_to_compile_is_watched_for_its_fix(home, folder):
    name = module_name()
    write(folder, name, "def run(:\n")
    assert isinstance(home.load(f"{name}:run"), LoadFailure)

    write(folder, name, "def run(context):\n    return 'fixed'\n", tick=1)

    assert home.refresh() is True
    assert home.resolve(f"{name}:run")(None) == "fixed"


def test_closing_forgets_the_folder(folder):
    name = module_name()
    write(folder, name, "def run(context):\n    pass\n")
    home = PluginHome(folder)
    home.resolve(f"{name}:run")
    assert name in sys.modules

    home.close()

    assert name not in sys.modules
    assert importlib.util.find_spec(name) is None
