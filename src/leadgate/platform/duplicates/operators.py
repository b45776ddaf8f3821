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


_LONG_WORD = 24  # longer words key on their two halves, not on each letter's deletion
_SHORT_NAME = 4  # a name of one shorter word keys whole: its deletions would be a crowd


def _variants(word: str) -> tuple[str, ...]:
    """The word and each way of deleting one of its letters (its deletion neighbourhood):
    the word and a copy with one typo in it — a letter wrong, missing, extra, or two letters
    swapped — always share one. A long word keys on its halves: a typo spares one."""
    halves: tuple[str, ...] = ()
    if len(word) >= _LONG_WORD - 1:  # and both kinds at the edge, where a typo crosses it
        half = _LONG_WORD // 2
        halves = (f"{word[:half]}<", f">{word[-half:]}")
        if len(word) > _LONG_WORD:
            return halves
    deleted = (word[:i] + word[i + 1 :] for i in range(len(word)))
    return tuple(dict.fromkeys((word, *deleted, *halves)))


def blocking_keys(normalized: str) -> tuple[str, ...]:
    """Keys that a name and a copy of it with one typo share, each narrow enough to keep its
    block small: the first word whole with the last word or one of its deletions, and the
    last word whole with the first word or one of its deletions (a typo in a middle word
    leaves both whole). A single word: itself and its deletions (a word of three letters or
    less, itself). No key holds a common word alone ("group", "john"), whose block would be
    a crowd: the records that share a key are a typo or two apart, and the similarity
    decides (docs/duplicates.md, *How a check stays fast*)."""
    words = normalized.split()
    if not words:
        return ()
    first, last = words[0], words[-1]
    if len(words) == 1:
        return _variants(first) if len(first) >= _SHORT_NAME else (first,)
    keys = [f"{first} {variant}" for variant in _variants(last)]
    keys.extend(f"{variant} {last}" for variant in _variants(first))
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
