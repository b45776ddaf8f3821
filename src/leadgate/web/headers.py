"""The request headers OData gives meaning to (Prefer, If-Match, If-None-Match), and
Dataverse's own MSCRM.SuppressDuplicateDetection."""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.datastructures import Headers

from leadgate.platform.engine.i18n import N_
from leadgate.web.errors import bad_query
from leadgate.web.options import is_number

__all__ = [
    "ANY_VERSION",
    "ASSOCIATED_NAVIGATION",
    "DEFAULT_PAGE_SIZE",
    "FORMATTED_VALUE",
    "LOOKUP_LOGICAL_NAME",
    "SUPPRESS_DUPLICATE_DETECTION",
    "Preferences",
    "etag",
    "read_preferences",
    "read_suppress_duplicate_detection",
    "read_version",
]

DEFAULT_PAGE_SIZE = 5000  # Dataverse's default and largest page
FORMATTED_VALUE = "OData.Community.Display.V1.FormattedValue"
LOOKUP_LOGICAL_NAME = "Microsoft.Dynamics.CRM.lookuplogicalname"
ASSOCIATED_NAVIGATION = "Microsoft.Dynamics.CRM.associatednavigationproperty"
ANY_VERSION = -1  # If-Match: * (any version, but the record must exist)
SUPPRESS_DUPLICATE_DETECTION = "MSCRM.SuppressDuplicateDetection"

_ANNOTATION = re.compile(r"-?[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*(?:\.\*)?\Z|\*\Z")
_ETAG = re.compile(r'\s*(?:W/)?"([0-9]{1,18})"\s*\Z')


@dataclass(frozen=True)
class Preferences:
    """What the client asked for with ``Prefer`` (RFC 7240, as OData uses it)."""

    return_representation: bool = False
    max_page_size: int | None = None
    annotations: tuple[str, ...] = ()

    def includes(self, term: str) -> bool:
        """Whether an annotation was asked for, by name, by namespace (``ns.*``) or ``*``."""
        term = term.lower()
        excluded = any(p.startswith("-") and _matches(p[1:], term) for p in self.annotations)
        return not excluded and any(
            not p.startswith("-") and _matches(p, term) for p in self.annotations
        )

    def applied(self, *, returned: bool = False, paged: bool = False) -> str | None:
        """The Preference-Applied header: what of the request a response with records honoured."""
        parts = []
        if returned and self.return_representation:
            parts.append("return=representation")
        if paged and self.max_page_size is not None:
            parts.append(f"odata.maxpagesize={self.page_size}")
        if self.annotations:
            parts.append(f'odata.include-annotations="{",".join(self.annotations)}"')
        return ",".join(parts) or None

    @property
    def page_size(self) -> int:
        if self.max_page_size is None:
            return DEFAULT_PAGE_SIZE
        return min(self.max_page_size, DEFAULT_PAGE_SIZE)


def _matches(pattern: str, term: str) -> bool:
    pattern = pattern.lower()
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return term.startswith(pattern[:-1])
    return pattern == term


def _split(header: str) -> list[str]:
    """Split on commas that are not inside double quotes."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def read_preferences(headers: Headers) -> Preferences:
    representation, page_size = False, None
    annotations: tuple[str, ...] = ()
    for header in headers.getlist("prefer"):
        listing = False  # after an unquoted odata.include-annotations=a, the next b is its own
        for preference in _split(header):
            name, equals, raw = preference.split(";")[0].partition("=")
            name, value = name.strip().lower(), raw.strip().strip('"').strip()
            if listing and not equals and _ANNOTATION.match(name):
                annotations += (preference.strip(),)
                continue
            listing = False
            if name == "return" and value.lower() == "representation":
                representation = True
            elif name in ("odata.maxpagesize", "maxpagesize"):
                if not is_number(value) or len(value) > 9 or int(value) < 1:
                    raise bad_query(
                        N_(
                            "the preference odata.maxpagesize needs a whole number from 1, not "
                            "'{value}'."
                        ),
                        value=value,
                    )
                page_size = int(value)
            elif name == "odata.include-annotations":
                annotations = tuple(p.strip() for p in value.split(",") if p.strip())
                listing = bool(equals) and not raw.strip().startswith('"')
    return Preferences(representation, page_size, annotations)


def read_version(headers: Headers, name: str) -> int | None:
    """The row version an If-Match / If-None-Match header names; ANY_VERSION for ``*``."""
    value = headers.get(name)
    if value is None:
        return None
    if value.strip() == "*":
        return ANY_VERSION
    match = _ETAG.match(value)
    if match is None:
        raise bad_query(
            N_("the header {header} must be * or one entity tag such as W/\"5\", not '{value}'."),
            header=name,
            value=value[:60],
        )
    return int(match.group(1))


def read_suppress_duplicate_detection(headers: Headers) -> bool:
    """Whether a create or update skips duplicate detection: yes unless the client sends
    ``MSCRM.SuppressDuplicateDetection: false`` (REFERENCE §5)."""
    value = headers.get(SUPPRESS_DUPLICATE_DETECTION)
    if value is None:
        return True
    answer = {"true": True, "false": False}.get(value.strip().lower())
    if answer is None:
        raise bad_query(
            N_("the header {header} takes true or false, not '{value}'."),
            header=SUPPRESS_DUPLICATE_DETECTION,
            value=value[:60],
        )
    return answer


def etag(version: int | None) -> str:
    return f'W/"{version if version is not None else 0}"'
