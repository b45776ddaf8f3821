"""Every text people read exists in English and French, with the same placeholders."""

from __future__ import annotations

import importlib
import pkgutil
import string
from pathlib import Path

from babel.messages.extract import extract_from_dir

import leadgate
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import Label, Text, render, translate

SOURCE = Path(leadgate.__file__).parent

# Each package defines its own errors, and each kind joins the one catalogue when its module
# is imported: import them all.
for _module in pkgutil.walk_packages(leadgate.__path__, "leadgate."):
    if _module.name.rsplit(".", 1)[-1] == "errors":
        importlib.import_module(_module.name)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SOURCE), keywords={"N_": None}, comment_tags=()
    ):
        found.add(message)
    return found


def test_every_marked_text_has_a_french_translation_with_the_same_placeholders():
    texts = extracted()
    assert len(texts) > 100
    for text in sorted(texts):
        french = translate(text, "fr")
        assert french, text
        if text != "{message}" and len(text) > 12:
            assert french != text, f"not translated: {text!r}"
        assert placeholders(french) == placeholders(text), text


def test_every_error_in_the_catalogue_is_marked_for_translation():
    texts = extracted()
    for kind in errors.CATALOGUE.values():
        assert kind.text in texts, kind.key
        assert kind.code.startswith("0x") and len(kind.code) == 10, kind.key


# Dataverse gives one code two sentences (REFERENCE §8): the duplicate warning on qualify and
# the refusal of a duplicate on create or update.
SHARED_CODES = {"0x80040333": {"duplicate_detected", "qualify_duplicate_warning"}}


def test_error_codes_are_unique():
    by_code: dict[str, set[str]] = {}
    for kind in errors.CATALOGUE.values():
        by_code.setdefault(kind.code, set()).add(kind.key)
    shared = {code: keys for code, keys in by_code.items() if len(keys) > 1}
    assert shared == SHARED_CODES


def test_the_seed_sentences_are_the_platform_sentences():
    error = errors.INVALID_STATE_STATUS(
        status=100000000, state_name="ContactState.Active", table="contact", id="c0ffee"
    )
    assert error.code == "0x80048408"
    assert error.message("en") == (
        "100000000 is not a valid status code for state code ContactState.Active on contact "
        "with Id c0ffee."
    )
    assert error.message("fr").startswith("Erreur de code d'état non valide")


def test_labels_and_texts_are_rendered_in_the_reader_language():
    assert render("{a} / {b}", {"a": Label("Lead", "Prospect"), "b": Text("table")}, "fr") == (
        "Prospect / table"
    )
    assert Label("Lead").in_language("fr") == "Lead"  # no French label: English, not nothing


def test_a_broken_translation_never_hides_the_error():
    assert render("{missing_in_params}", {}, "fr") == "{missing_in_params}"
