"""Reading the documents an administrator writes into views and forms, safely.

FetchXML and layout XML go through ``defusedxml`` with DTDs forbidden (no entity expansion,
no external reads); every document is refused past :data:`MAX_DOCUMENT_BYTES` before it is
parsed. Whatever the text, the result is a tree or a coded refusal, never another exception.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.values import has_lone_surrogate
from leadgate.platform.views.errors import DOCUMENT_TOO_LARGE, DOCUMENT_UNSAFE, INVALID_DOCUMENT

__all__ = ["MAX_DOCUMENT_BYTES", "MAX_NESTING", "invalid", "read_json", "read_xml"]

MAX_DOCUMENT_BYTES = 1_048_576
MAX_NESTING = 16  # nested <filter>s: a view a person can read has a handful


def invalid(document: str, reason: str, /, **params: Any) -> LeadgateError:
    return INVALID_DOCUMENT(document=document, reason=Text(reason, **params))


def _checked_text(text: Any, document: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise invalid(document, N_("it is empty."))
    if has_lone_surrogate(text):
        raise invalid(document, N_("it contains half characters (lone surrogates)."))
    size = len(text.encode("utf-8"))
    if size > MAX_DOCUMENT_BYTES:
        raise DOCUMENT_TOO_LARGE(document=document, size=size, limit=MAX_DOCUMENT_BYTES)
    return text


def read_xml(text: Any, document: str) -> Element:
    """The root element of an XML document, or a coded refusal saying what is wrong."""
    checked = _checked_text(text, document)
    try:
        root: Element = fromstring(checked, forbid_dtd=True)
    except DefusedXmlException:
        raise DOCUMENT_UNSAFE(document=document) from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise invalid(
            document, N_("it is not well-formed XML (line {line}, column {column})."),
            line=line, column=column,
        ) from None  # fmt: skip
    except (ValueError, LookupError):  # an encoding declaration expat cannot honour
        raise invalid(document, N_("its encoding declaration cannot be read; use UTF-8.")) from None
    return root


def read_json(text: Any, document: str) -> Any:
    """A JSON document's value, or a coded refusal saying where it breaks."""
    checked = _checked_text(text, document)
    try:
        return json.loads(checked)
    except json.JSONDecodeError as error:
        raise invalid(
            document, N_("it is not valid JSON (line {line}, column {column})."),
            line=error.lineno, column=error.colno,
        ) from None  # fmt: skip
    except RecursionError:
        raise invalid(document, N_("it is nested too deeply.")) from None
