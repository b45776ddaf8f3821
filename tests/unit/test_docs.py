"""The reference pages in docs/ say what the code does: tools/docs.py writes them from the
error catalogue and the installed metadata, and these tests fail when a committed page differs
(another change added an error kind or a choice without running the tool)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def docs_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_tool", ROOT / "tools" / "docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("page", ["errors.md", "choices.md"])
def test_each_generated_page_is_up_to_date(page):
    committed = (ROOT / "docs" / page).read_text(encoding="utf-8")
    assert committed == docs_tool().PAGES[page](), (
        f"docs/{page} differs from the code (an error kind or a shipped choice was added or "
        "changed): run `.venv/bin/python tools/docs.py` (or `make docs`) and commit the result"
    )


def test_the_errors_page_gives_each_code_its_status_and_both_texts():
    from leadgate.platform.customization.errors import OPTION_LABEL_TAKEN
    from leadgate.platform.engine.errors import PRIVILEGE_DENIED
    from leadgate.platform.engine.i18n import translate

    rows = docs_tool().render_errors().splitlines()
    (row,) = [line for line in rows if f"`{OPTION_LABEL_TAKEN.key}`" in line]
    assert row.startswith(f"| {OPTION_LABEL_TAKEN.code} | 400 |")
    assert OPTION_LABEL_TAKEN.text in row and translate(OPTION_LABEL_TAKEN.text, "fr") in row
    (row,) = [line for line in rows if f"`{PRIVILEGE_DENIED.key}`" in line]
    assert row.startswith("| 0x80040220 | 403 |") and "\\<role>" in row  # not an HTML tag


def test_the_choices_page_pairs_each_status_reason_with_its_state():
    page = docs_tool().render_choices()
    assert (
        "| 2: Disqualified / Disqualifié | 4: Lost / Perdu (default), 5: Cannot Contact / "
        "Impossible à contacter, 6: No Longer Interested / N'est plus intéressé, "
        "7: Canceled / Annulé |"
    ) in page
    assert "| 8 | Web | Web |" in page
