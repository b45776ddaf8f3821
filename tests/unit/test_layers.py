"""The import contract: platform <- sales <- interfaces, never the other way.

Sales is a client of the platform's public API, as a third party's solution would be: it
imports no private (``_``) module and runs no SQL of its own; interfaces stay thin and leave
SQL to the platform too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import leadgate

SOURCE = Path(leadgate.__file__).parent


def loaded_after(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(m for m in sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(output.split())


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        (
            "leadgate.platform",
            {
                "leadgate.sales",
                "leadgate.web",
                "leadgate.ui",
                "leadgate.cli",
                "fastapi",
                "typer",
                "starlette",
                "uvicorn",
                "jinja2",
            },
        ),
        (
            "leadgate.sales",
            {
                "leadgate.web",
                "leadgate.ui",
                "leadgate.cli",
                "fastapi",
                "typer",
                "uvicorn",
                "jinja2",
            },
        ),
    ],
)
def test_lower_layers_do_not_load_upper_ones(module, forbidden):
    assert loaded_after(module) & forbidden == set()


def imports_of(package: str) -> dict[str, set[str]]:
    """Every module a package's files import, by file."""
    found: dict[str, set[str]] = {}
    for path in sorted((SOURCE / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[str(path.relative_to(SOURCE))] = names
    return found


def offending(package: str, rule) -> dict[str, list[str]]:
    return {
        file: sorted(name for name in names if rule(name))
        for file, names in imports_of(package).items()
        if any(rule(name) for name in names)
    }


def test_sales_uses_only_the_platforms_public_api():
    private = offending(
        "sales",
        lambda name: (
            name.startswith("leadgate.platform")
            and any(part.startswith("_") for part in name.split("."))
        ),
    )
    assert private == {}


@pytest.mark.parametrize("package", ["sales", "web", "ui", "cli"])
def test_sql_stays_in_the_platform(package):
    assert offending(package, lambda name: name.split(".")[0] == "sqlalchemy") == {}


@pytest.mark.parametrize("package", ["sales", "web", "ui", "cli"])
def test_only_the_platform_reaches_the_database_through_its_engine_internals(package):
    """Schema, rows and the unit of work are the engine's own: nobody else opens them."""
    internal = ("schema", "rows", "unit_of_work", "sqltypes")
    assert (
        offending(
            package,
            lambda name: (
                name.startswith("leadgate.platform.engine.") and name.split(".")[3] in internal
            ),
        )
        == {}
    )


def test_each_capability_registers_itself():
    from leadgate.platform.organization import CAPABILITIES

    packages = {
        path.name
        for path in (SOURCE / "platform").iterdir()
        if (path / "__init__.py").exists() and path.name != "engine"
    }
    assert {capability.__name__.rsplit(".", 1)[1] for capability in CAPABILITIES} == packages
    assert all(callable(capability.register) for capability in CAPABILITIES)


def test_no_source_module_is_over_500_lines():
    long = {
        str(path.relative_to(SOURCE)): length
        for path in SOURCE.rglob("*.py")
        if (length := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}
