"""The import contract: platform <- sales <- interfaces, never the other way."""

from __future__ import annotations

import subprocess
import sys

import pytest


def loaded_after(module: str) -> set[str]:
    code = (
        f"import sys, {module}; "
        "print('\\n'.join(sorted(m for m in sys.modules)))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(output.split())


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("leadgate.platform", {"leadgate.sales", "leadgate.web", "leadgate.cli", "fastapi",
                               "typer", "starlette", "uvicorn"}),
        ("leadgate.sales", {"leadgate.web", "leadgate.cli", "fastapi", "typer", "uvicorn"}),
    ],
)
def test_lower_layers_do_not_load_upper_ones(module, forbidden):
    assert loaded_after(module) & forbidden == set()
