"""``$metadata`` against the OASIS OData CSDL XML schemas themselves (edmx.xsd, edm.xsd), as
the OData TC publishes them in its npm package ``odata-csdl``: fetched once at a pinned
version, its digest checked, kept in ``.cache/`` (git-ignored) — never copied into the
repository. tests/e2e/csdl_rules.py checks what an XML schema cannot (every type reference
resolves); this checks the document is schema-valid, facet by facet."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import io
import tarfile
import urllib.request
from pathlib import Path

import pytest
import xmlschema

from tests.e2e.conftest import API

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "https://registry.npmjs.org/odata-csdl/-/odata-csdl-0.11.2.tgz"
INTEGRITY = (
    "Z9D4Ickx0LUqsyy/zUzhZrXmmqz8fPC/PDtPrbCnNnH5RGokSUeW9QGGg9vrJG3XmpNDa1t5JlwX+dioCQVK8Q=="
)
SCHEMAS = ROOT / ".cache" / "odata-csdl-0.11.2"


def oasis_schemas() -> Path:
    """The folder holding edmx.xsd and edm.xsd, fetched when missing (a lock keeps parallel
    workers from racing)."""
    SCHEMAS.parent.mkdir(exist_ok=True)
    with open(SCHEMAS.parent / "odata-csdl.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (SCHEMAS / "edmx.xsd").exists():
            with urllib.request.urlopen(PACKAGE, timeout=60) as answer:
                packed = answer.read()
            digest = base64.b64encode(hashlib.sha512(packed).digest()).decode()
            assert digest == INTEGRITY, f"{PACKAGE} is not the package it was: sha512 {digest}"
            SCHEMAS.mkdir(exist_ok=True)
            with tarfile.open(fileobj=io.BytesIO(packed)) as archive:
                for name in ("edmx.xsd", "edm.xsd"):
                    member = archive.extractfile(f"package/schemas/{name}")
                    assert member is not None
                    (SCHEMAS / name).write_bytes(member.read())
    return SCHEMAS


@pytest.fixture(scope="module")
def edmx() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(oasis_schemas() / "edmx.xsd"))


@pytest.mark.interface_only
def test_metadata_is_valid_against_the_oasis_csdl_schemas(api, edmx):
    response = api.get(f"{API}/$metadata")
    assert response.status_code == 200, response.text
    found = [
        str(error.reason) + " at " + str(error.path) for error in edmx.iter_errors(response.text)
    ]
    assert found == []


@pytest.mark.interface_only
def test_the_schema_check_catches_what_the_oasis_schemas_forbid(api, edmx):
    # The check has teeth: a facet in the wrong case (a mistake it found once) and a name
    # that is no identifier are refused.
    document = api.get(f"{API}/$metadata").text
    assert edmx.is_valid(document)
    for good, bad in (('Scale="variable"', 'Scale="Variable"'),
                      ('EntityType Name="lead"', 'EntityType Name="le ad"')):  # fmt: skip
        assert good in document
        assert not edmx.is_valid(document.replace(good, bad, 1)), bad
