"""Every text people read exists in English and French, with the same placeholders.

The French catalogue (``locale/fr/LC_MESSAGES/leadgate.po``) is the translations' one source:
translators edit it, ``make messages`` adds the code's new texts to it untranslated, and these
tests fail until each is translated.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
import string
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import PoFileParser

import leadgate
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import (
    Label,
    Text,
    catalog_path,
    load_translations,
    render,
    translate,
)

SOURCE = Path(leadgate.__file__).parent

# Each package defines its own errors, and each kind joins the one catalogue when its module
# is imported: import them all (migration scripts run only inside Alembic).
for _module in pkgutil.walk_packages(leadgate.__path__, "leadgate."):
    if not any(part in _module.name for part in ("__main__", ".migrations.env", ".versions.")):
        importlib.import_module(_module.name)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# As `make messages` reads them (babel.cfg): N_ in Python, _ in the browser app's templates.
METHODS = [
    ("**/templates/**.html", "jinja2"),
    ("**.py", "python"),
]


def extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SOURCE),
        METHODS,
        keywords={"N_": None, "_": None},
        comment_tags=(),
        options_map={"**/templates/**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}},
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


class _Entries(Catalog):
    """A catalogue that remembers the ids it read twice (Babel keeps the first silently)."""

    def __init__(self) -> None:
        super().__init__(locale="fr")
        self.repeated: list[str] = []

    def __setitem__(self, msgid, message):
        if msgid and msgid in self:
            self.repeated.append(msgid)
        super().__setitem__(msgid, message)


def problems(po_text: bytes, texts: set[str]) -> list[str]:
    """What a translator still has to do in a catalogue so that it translates ``texts``."""
    catalog = _Entries()
    PoFileParser(catalog, abort_invalid=True).parse(io.BytesIO(po_text))
    found = []
    if catalog.fuzzy:
        found.append("the catalogue's header is marked fuzzy")
    entries = {message.id: message for message in catalog if message.id}
    for text in sorted(texts):
        entry = entries.get(text)
        if entry is None:
            found.append(f"no entry (run make messages): {text!r}")
        elif not entry.string:
            found.append(f"not translated: {text!r}")
        elif entry.fuzzy:
            found.append(f"marked fuzzy, so shown in English: {text!r}")
        elif text != "{message}" and len(text) > 12 and entry.string == text:
            found.append(f"the French is the English: {text!r}")
        elif placeholders(entry.string) != placeholders(text):
            found.append(f"placeholders differ: {text!r} -> {entry.string!r}")
    for text in sorted(set(entries) - texts):
        found.append(f"translates a text the code no longer has (run make messages): {text!r}")
    for key in catalog.obsolete:
        found.append(f"obsolete entry (#~), delete it once its text is translated anew: {key!r}")
    for text in catalog.repeated:
        found.append(f"entered twice, only the first is used: {text!r}")
    return found


def test_every_marked_text_has_a_french_translation_with_the_same_placeholders():
    texts = extracted()
    assert len(texts) > 100
    found = problems(Path(catalog_path("fr")).read_bytes(), texts)
    assert not found, "\n".join(found)


def test_the_runtime_reads_every_french_text_of_the_catalogue():
    for text in extracted():
        french = translate(text, "fr")
        assert french and placeholders(french) == placeholders(text), text
        if len(text) > 12 and text != "{message}":
            assert french != text, f"shown in English: {text!r}"


EXAMPLE = b"""\
msgid ""
msgstr ""
"Language: fr\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "The lead is closed."
msgstr "Le prospect est ferm\xc3\xa9."

#, fuzzy
msgid "The lead {name} is open."
msgstr "Le prospect est ouvert."

#, python-brace-format, fuzzy
msgid "The account {name} is open."
msgstr "Le compte {name} est ouvert."

msgid "The contact is open."
msgstr ""

#, python-brace-format
msgid "The lead {name} has no topic."
msgstr "Le prospect {nom} est sans sujet."

msgid "A text the code lost."
msgstr "Un texte perdu."

msgid "The lead is closed."
msgstr "Le prospect est clos."

#~ msgid "The lead is shut."
#~ msgstr "Le prospect est ferm\xc3\xa9."
"""


def test_a_fuzzy_or_empty_translation_counts_as_missing():
    texts = {
        "The lead is closed.",
        "The lead {name} is open.",
        "The account {name} is open.",
        "The contact is open.",
        "The lead {name} has no topic.",
        "The opportunity is won.",
    }
    assert problems(EXAMPLE, texts) == [
        "marked fuzzy, so shown in English: 'The account {name} is open.'",
        "not translated: 'The contact is open.'",
        "placeholders differ: 'The lead {name} has no topic.' -> 'Le prospect {nom} est sans "
        "sujet.'",
        "marked fuzzy, so shown in English: 'The lead {name} is open.'",
        "no entry (run make messages): 'The opportunity is won.'",
        "translates a text the code no longer has (run make messages): 'A text the code lost.'",
        "obsolete entry (#~), delete it once its text is translated anew: 'The lead is shut.'",
        "entered twice, only the first is used: 'The lead is closed.'",
    ]
    # Why fuzzy counts as missing: the runtime shows the English text, as gettext does.
    french = load_translations(io.BytesIO(EXAMPLE), "fr")
    assert french.gettext("The account {name} is open.") == "The account {name} is open."
    assert french.gettext("The contact is open.") == "The contact is open."
    assert french.gettext("The lead is closed.") == "Le prospect est ferm\u00e9."


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
