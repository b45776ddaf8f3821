"""English and French texts: gettext catalogs read with Babel, and labels carried as data.

The English text is the message id; French comes from ``locale/fr/LC_MESSAGES/leadgate.po``,
the one source of the translations (translators edit it; ``make messages`` adds new texts).
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from importlib import resources
from typing import Any, BinaryIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from leadgate.platform.engine.types import Language

__all__ = [
    "N_",
    "Label",
    "Text",
    "catalog_path",
    "load_translations",
    "localize",
    "render",
    "translate",
]

DOMAIN = "leadgate"


def N_(text: str) -> str:
    """Mark a text for extraction without translating it here."""
    return text


@dataclass(frozen=True, slots=True)
class Label:
    """A text users read, in both languages; French falls back to English."""

    en: str
    fr: str | None = None

    def __str__(self) -> str:
        return self.en

    def in_language(self, language: Language | str) -> str:
        if str(language) == Language.FRENCH and self.fr:
            return self.fr
        return self.en


class Text:
    """A catalog text with its parameters, rendered only when the reader's language is known."""

    __slots__ = ("params", "template")

    def __init__(self, template: str, /, **params: Any) -> None:
        self.template = template
        self.params = params

    def in_language(self, language: Language | str) -> str:
        return render(self.template, self.params, language)

    def __str__(self) -> str:
        return self.in_language(Language.ENGLISH)

    def __repr__(self) -> str:
        return f"Text({self.template!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.template, self.params) == (
            other.template,
            other.params,
        )

    __hash__ = None  # type: ignore[assignment]


def catalog_path(language: Language | str) -> str:
    root = resources.files("leadgate.platform.engine") / "locale" / str(language) / "LC_MESSAGES"
    return str(root / f"{DOMAIN}.po")


def load_translations(po_file: BinaryIO, language: Language | str) -> Translations:
    """Read a .po catalogue as the runtime uses it.

    Fuzzy entries (a guess no translator confirmed) and empty ones are left out, as gettext's
    own tools leave them out: such a text is shown in English, so the catalogue test counts it
    as missing.
    """
    catalog = read_po(po_file, locale=str(language), domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@functools.cache
def _translations(language: str) -> NullTranslations:
    if language == Language.ENGLISH:
        return NullTranslations()
    try:
        with open(catalog_path(language), "rb") as po_file:
            return load_translations(po_file, language)
    except FileNotFoundError:
        return NullTranslations()  # a broken install still says what went wrong, in English


def translate(text: str, language: Language | str) -> str:
    return _translations(str(language)).gettext(text)


def localize(value: Any, language: Language | str) -> Any:
    """Turn labels (and lists of them) into text in the language; leave other values alone."""
    if isinstance(value, (Label, Text)):
        return value.in_language(language)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(localize(item, language)) for item in value)
    return value


def render(template: str, params: dict[str, Any], language: Language | str) -> str:
    """Translate a catalog text and fill in its parameters, each localized."""
    text = translate(template, language)
    values = {name: localize(value, language) for name, value in params.items()}
    try:
        return text.format_map(values)
    except (KeyError, IndexError, ValueError):
        # A translation with a broken placeholder must not hide the error it reports.
        return template.format_map(_Lenient(values))


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
