"""How duplicate rules compare values: the platform's operators and leadgate's normalized ones.

Every operator turns a value into a *key*; two records match on a condition when their keys
are equal, so that an index finds them. The fuzzy operator (similar name) cannot be an
equality: its keys are *blocking keys* (records sharing one are candidates) and the final
word is a similarity ratio computed on the few candidates (rapidfuzz).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from functools import lru_cache

import phonenumbers
from rapidfuzz import fuzz

__all__ = [
    "LEGAL_SUFFIXES",
    "Operator",
    "blocking_keys",
    "fold",
    "normalize_company",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
    "similarity",
]


class Operator(enum.IntEnum):
    """Condition operators: 0–6 are Dataverse's (REFERENCE §5), the rest leadgate's own."""

    EXACT = 0
    SAME_FIRST_CHARACTERS = 1
    SAME_LAST_CHARACTERS = 2
    SAME_DATE = 3
    SAME_DATE_AND_TIME = 4
    EXACT_CHOICE_LABEL = 5
    EXACT_CHOICE_VALUE = 6
    NORMALIZED_EMAIL = 100000000
    NORMALIZED_PHONE = 100000001
    NORMALIZED_COMPANY_NAME = 100000002
    SIMILAR_NAME = 100000003

    @property
    def needs_count(self) -> bool:
        return self in (Operator.SAME_FIRST_CHARACTERS, Operator.SAME_LAST_CHARACTERS)

    @property
    def is_fuzzy(self) -> bool:
        return self is Operator.SIMILAR_NAME


# Company forms, compared without punctuation and case; longest first so "co ltd" wins.
LEGAL_SUFFIXES = tuple(
    sorted(
        {
            "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp", "plc", "corp",
            "corporation", "co", "company", "gmbh", "ag", "sa", "sarl", "sas", "sasu", "bv",
            "nv", "srl", "spa", "oy", "ab", "as", "kg", "pty", "pty ltd", "co ltd", "gmbh co kg",
        },
        key=lambda suffix: (-len(suffix), suffix),
    )
)  # fmt: skip
_SUFFIX = re.compile(r"(?:\s(?:" + "|".join(re.escape(s) for s in LEGAL_SUFFIXES) + r"))+$")
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Case and accents away: 'Société' and 'SOCIETE' are one word to a salesperson."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_name(value: str | None) -> str | None:
    """Case, accents, punctuation and spacing away; None when nothing is left."""
    if value is None:
        return None
    words = _SPACES.sub(" ", _NOT_WORD.sub(" ", fold(str(value)).replace("_", " "))).strip()
    return words or None


_DOTTED = re.compile(r"\b(?:\w\.){2,}")


def normalize_company(value: str | None) -> str | None:
    """A company's name without its legal form or a leading 'The': 'The Contoso, Ltd.' and
    'contoso' are one company. A name that is only a legal form keeps it."""
    if value is None:
        return None
    # "S.A." and "B.V." are the forms SA and BV, not two letters.
    name = normalize_name(_DOTTED.sub(lambda found: found.group().replace(".", ""), str(value)))
    if name is None:
        return None
    core = _SUFFIX.sub("", name).strip()
    if core.startswith("the ") and len(core) > 4:
        core = core[4:]
    return core or name


def normalize_email(value: str | None) -> str | None:
    """Trimmed and in one case: mail systems treat addresses so in practice."""
    if value is None:
        return None
    email = str(value).strip().casefold()
    return email or None


@lru_cache(maxsize=65536)
def normalize_phone(value: str | None, region: str = "US") -> str | None:
    """E.164 ('+12123456789') for anything phonenumbers can read as a possible number in the
    organization's default region; otherwise the digits alone, so that the same unreadable
    number still matches itself however it is punctuated."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if text.startswith("00"):  # the international prefix of most of the world: "+"
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region.upper() or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = "".join(c for c in text if c.isdigit())
    return digits or None


def blocking_keys(normalized: str) -> tuple[str, ...]:
    """Keys that a name and a slightly misspelt copy of it share, each narrow enough to keep
    its block small: one word whole with three letters of the other (its first or its
    last). A typo inside one word leaves the other word whole and, when the word has six
    letters or more, its first or its last three letters too; a name of three words or more
    also keys on its first two. A single word: its first and its last four letters."""
    words = normalized.split()
    if not words:
        return ()
    first, last = words[0], words[-1]
    if len(words) == 1:
        return tuple(dict.fromkeys((f"<{first[:4]}", f">{first[-4:]}")))
    keys = [f"1{first} {last[:3]}", f"2{first} {last[-3:]}",
            f"3{first[:3]} {last}", f"4{first[-3:]} {last}"]  # fmt: skip
    if len(words) > 2:  # and the first two words whole: a short last word may take a typo
        keys.append(f"5{first} {words[1]}")
    return tuple(dict.fromkeys(keys))


def similarity(a: str, b: str) -> float:
    """0–100: rapidfuzz's normalized Indel similarity of two normalized names."""
    return float(fuzz.ratio(a, b))


def date_key(value: dt.date | dt.datetime, *, with_time: bool) -> str:
    """Same Date compares the calendar day in UTC, Same Date and Time to the second."""
    if isinstance(value, dt.datetime):
        moment = value.astimezone(dt.UTC) if value.tzinfo else value
        return moment.strftime("%Y-%m-%dT%H:%M:%S") if with_time else moment.date().isoformat()
    return value.isoformat()
