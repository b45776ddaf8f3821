"""Copies of one database (a restored backup beside the original, a test's copy) share one
metadata snapshot in a process until one of them is customized: then each reads its own."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from leadgate.platform import Label, LeadgateError, Organization
from leadgate.platform.customization.messages import PublishAllXmlRequest
from leadgate.platform.customization.tables import CreateAttributeRequest
from leadgate.platform.engine.types import ColumnType
from tests.conftest import _pg_url


@contextlib.contextmanager
def another_copy(request: pytest.FixtureRequest, url: str, tmp_path: Path) -> Iterator[str]:
    """A second copy of the organization the test's database is a copy of."""
    if url.startswith("sqlite"):
        copy = tmp_path / "copy.db"
        shutil.copyfile(url.removeprefix("sqlite:///"), copy)
        yield f"sqlite:///{copy}"
        return
    with request.getfixturevalue("postgres_copies").copy() as name:
        yield _pg_url(name)


def test_a_customized_copy_never_lends_its_columns_to_another(database_url, request, tmp_path):
    with another_copy(request, database_url, tmp_path) as other_url:
        with Organization.open(database_url) as first, Organization.open(other_url) as second:
            assert first.metadata() is second.metadata()  # read and built once for both
            system = first.system_service()
            system.execute(
                CreateAttributeRequest("new_widget", "new_extra", ColumnType.STRING, Label("Extra"))
            )
            system.execute(PublishAllXmlRequest())

            assert "new_extra" in first.metadata().tables["new_widget"].columns
            assert "new_extra" not in second.metadata().tables["new_widget"].columns
            first.system_service().create("new_widget", new_name="W", new_size="S",
                                          new_extra="kept")  # fmt: skip
            with pytest.raises(LeadgateError) as refused:
                second.system_service().create("new_widget", new_name="W", new_size="S",
                                               new_extra="lost")  # fmt: skip
            assert refused.value.code == "0x80041103"  # no such column on this copy
            assert refused.value.message("en") == (
                "The table 'new_widget' has no column 'new_extra'."
            )
            assert refused.value.message("fr") == (
                "La table « new_widget » n'a pas de colonne « new_extra »."
            )

        # Opened again (the copy still there: it is dropped after this block).
        with Organization.open(other_url) as reopened, Organization.open(database_url) as again:
            assert "new_extra" not in reopened.metadata().tables["new_widget"].columns
            kept = again.system_service().retrieve_multiple_all("new_widget", columns=["new_extra"])
            assert [widget["new_extra"] for widget in kept] == ["kept"]
