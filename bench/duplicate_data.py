"""Accounts and contacts for the duplicate-detection benchmark, with ground truth.

    .venv/bin/python bench/duplicate_data_check.py [--rows 1000000] [--per-kind 200] [--seed 7]
                                                   [--sample 50000]

runs its self-test: it generates the population, checks that names, emails and phones are
unique, that every probe says the truth about its original, and prints timings (the phone
checks need the `phonenumbers` package importable; without it they are skipped).

Row i of a table is a pure function of (seed, i), so a 10k population is a prefix of the
1M one and a probe regenerates its original from the index alone. Uniqueness holds by
construction, not by a set: row i's name starts with a syllable word that spells a keyed
permutation of i, its email carries that word, its phones spell a permutation of i.
Records that only probes use (fresh names, emails, phones) come from indices at
`CAPACITY` and above, which no population row has.
"""

from __future__ import annotations

import array
import functools
import itertools
import random
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

__all__ = [
    "ACCOUNT_KINDS",
    "CAPACITY",
    "CONTACT_KINDS",
    "Probe",
    "accounts",
    "chunks",
    "contacts",
    "probes",
]

CAPACITY = 1 << 24  # population rows per table; probe-only records use indices above
ACCOUNT_KINDS = (
    "case",
    "punctuation",
    "legal suffix",
    "leading the",
    "accents",
    "typo",
    "email case",
    "phone format",
)
CONTACT_KINDS = ("case", "accents", "typo", "email case", "phone format")

# Syllable words: onset (consonants) + nucleus (vowels), three times, then a coda. Vowel runs
# are maximal, so a word splits back into its syllables in one way only. No 'y' anywhere and
# no doubled letter: a probe that must be far from every population name uses both.
# No 'th' onset: "The" + word never reads as another word.
_ONSETS = (
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "br",
    "ch",
    "cr",
    "dr",
    "fr",
    "gr",
    "pr",
    "tr",
    "st",
    "sh",
    "bl",
    "pl",
    "gl",
    "cl",
    "sl",
)
_NUCLEI = ("a", "e", "i", "o", "u", "ai", "au", "ei")
_CODAS = ("", "n", "r", "l", "s", "m", "x", "k")
_SYLLABLES = tuple(o + n for o in _ONSETS for n in _NUCLEI)  # 256
_CORE_SPACE = len(_SYLLABLES) ** 3 * len(_CODAS)  # 2**27 codes for at most 2**24 rows
_VOWELS = frozenset("aeiou")
_ACCENTED = {"a": "áàâä", "e": "éèêë", "i": "íïî", "o": "óôö", "u": "úüû"}
_CORE_RE = re.compile(r"([^aeiou]+)([aeiou]+)([^aeiou]+)([aeiou]+)([^aeiou]+)([aeiou]+)(\w*)")

# What follows the first word. Every choice starts with a consonant, so the first word ends
# where the third vowel run does, spaces or not; `_check_tables` proves the rest.
_INDUSTRIES = (
    "Logistics", "Pharma", "Foods", "Textiles", "Robotics", "Software", "Dynamics", "Metals",
    "Plastics", "Biotech", "Medical", "Motors", "Marine", "Mining", "Freight", "Fabrics",
    "Furniture", "Lighting", "Packaging", "Paper", "Printing", "Publishing", "Realty",
    "Retail", "Shipping", "Solar", "Steel", "Telecom", "Tooling", "Transport", "Travel",
    "Nutrition", "Networks", "Photonics", "Petroleum", "Power", "Precision", "Capital",
    "Consulting", "Construction", "Chemicals", "Cosmetics", "Dental", "Design", "Diagnostics",
    "Digital", "Fisheries", "Garments", "Genomics", "Glass", "Hardware", "Harvest", "Health",
    "Hotels", "Hydraulics", "Leather", "Lumber", "Machinery", "Manufacturing", "Media",
    "Mobility", "Nurseries", "Pictures", "Pipelines", "Polymers", "Records", "Sciences",
    "Security", "Semiconductors", "Sensors", "Therapeutics", "Timber", "Toys", "Turbines",
    "Vineyards", "Wellness", "Wireless", "Beverages", "Brewing", "Bakeries", "Cables", "Cargo",
    "Ceramics", "Coatings", "Dairy", "Fitness", "Gaming", "Minerals", "Water", "Wind",
)  # fmt: skip
_ORGS = (
    "Group",
    "Partners",
    "Holdings",
    "Systems",
    "Solutions",
    "Services",
    "Labs",
    "Works",
    "Ventures",
    "Brothers",
    "Trading",
    "Technologies",
    "Supply",
    "Worldwide",
    "Global",
)
_JOINED = (
    "soft",
    "tech",
    "net",
    "tron",
    "dyne",
    "ware",
    "gen",
    "med",
    "lab",
    "link",
    "data",
    "sys",
    "nova",
    "matic",
    "plex",
    "cast",
    "point",
    "berg",
    "stone",
    "field",
    "wood",
    "vale",
    "bridge",
    "mark",
    "line",
    "star",
    "wave",
    "form",
    "gate",
)
_FRENCH = (
    "Télécom",
    "Sécurité",
    "Bâtiment",
    "Négoce",
    "Pétrole",
    "Hôtellerie",
    "Métallurgie",
    "Rénovation",
    "Céramique",
    "Pâtisserie",
    "Fromagerie",
    "Menuiserie",
    "Boulangerie",
    "Charpente",
    "Déménagement",
    "Télévision",
    "Crèmerie",
    "Brasserie",
    "Dépannage",
    "Géomètres",
    "Génie Civil",
    "Matériaux",
    "Travaux Publics",
    "Société Générale",
    "Fédération",
    "Négociants",
    "Vignobles",
    "Pépinières",
)
# (rendition, token after punctuation is dropped); French rows take the first five.
_SUFFIXES = (
    ("SA", "sa"),
    ("S.A.", "sa"),
    ("SARL", "sarl"),
    ("SAS", "sas"),
    ("S.A.S.", "sas"),
    ("Inc", "inc"),
    ("Inc.", "inc"),
    ("Incorporated", "incorporated"),
    ("Ltd", "ltd"),
    ("Ltd.", "ltd"),
    ("Limited", "limited"),
    ("LLC", "llc"),
    ("L.L.C.", "llc"),
    ("GmbH", "gmbh"),
    ("BV", "bv"),
    ("B.V.", "bv"),
    ("AG", "ag"),
    ("Corp", "corp"),
    ("Corp.", "corp"),
    ("Corporation", "corporation"),
    ("Co", "co"),
    ("Co.", "co"),
)
_FRENCH_SUFFIXES = 5
_ACCOUNT_LOCALS = ("info", "contact", "hello", "sales", "office", "team", "admin")
_US_CITIES = (
    "New York", "Los Angeles", "Chicago", "Houston", "Phoenix", "Philadelphia", "San Antonio",
    "San Diego", "Dallas", "Austin", "Jacksonville", "Columbus", "Charlotte", "Indianapolis",
    "Seattle", "Denver", "Boston", "Nashville", "Detroit", "Portland", "Memphis", "Louisville",
    "Baltimore", "Milwaukee", "Albuquerque", "Tucson", "Fresno", "Sacramento", "Atlanta",
    "Omaha", "Raleigh", "Miami", "Minneapolis", "Tulsa", "Cleveland", "Pittsburgh",
    "Cincinnati", "St. Louis", "Salt Lake City", "Richmond",
)  # fmt: skip
_FR_CITIES = (
    "Paris",
    "Lyon",
    "Marseille",
    "Toulouse",
    "Nice",
    "Nantes",
    "Strasbourg",
    "Montpellier",
    "Bordeaux",
    "Lille",
    "Rennes",
    "Reims",
    "Saint-Étienne",
    "Le Havre",
    "Grenoble",
    "Dijon",
    "Angers",
    "Nîmes",
    "Clermont-Ferrand",
    "Besançon",
)
_FIRST_NAMES = (
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
    "Charles", "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven",
    "Paul", "Andrew", "Joshua", "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald",
    "Edward", "Jason", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric", "Jonathan",
    "Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel", "Gregory",
    "Alexander", "Frank", "Patrick", "Raymond", "Jack", "Dennis", "Jerry", "Tyler", "Aaron",
    "Henry", "Adam", "Douglas", "Nathan", "Peter", "Zachary", "Kyle", "Walter", "Harold",
    "Carl", "Arthur", "Gerald", "Roger", "Keith", "Lawrence", "Terry", "Sean", "Christian",
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Margaret", "Sandra", "Ashley", "Kimberly",
    "Emily", "Donna", "Michelle", "Carol", "Amanda", "Dorothy", "Melissa", "Deborah",
    "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia", "Kathleen", "Amy", "Angela",
    "Shirley", "Anna", "Brenda", "Pamela", "Emma", "Nicole", "Helen", "Samantha", "Katherine",
    "Christine", "Debra", "Rachel", "Carolyn", "Janet", "Catherine", "Maria", "Heather",
    "Diane", "Ruth", "Julie", "Olivia", "Joyce", "Virginia", "Victoria", "Kelly", "Lauren",
    "Christina", "Joan", "Evelyn", "Judith", "Megan", "Andrea", "Cheryl", "Hannah",
    "Jacqueline", "Martha", "Gloria", "Teresa", "Ann", "Sara", "Madison", "Frances", "Kathryn",
    "Janice", "Jean", "Abigail", "Alice", "Judy", "Sophia", "Grace", "Denise", "Amber",
    "Doris", "Marilyn", "Danielle", "Beverly", "Isabella", "Theresa", "Diana", "Natalie",
    "Charlotte", "Marie", "Kayla", "Alexis", "Élodie", "José", "Zoë", "Chloé", "François",
    "Hélène", "Noémie", "Jérôme", "Raphaël", "Anaïs", "Loïc", "Björn", "Renée", "Andrés",
    "Ramón", "Joël", "Maël", "Inès", "Léa", "Mélanie", "Céline", "Agnès", "Sébastien",
    "Frédéric", "Thérèse", "Gaël", "Aurélie", "Hervé", "Jesús", "Íñigo", "Jürgen", "Göran",
    "Åsa", "Siân", "Zoé", "Jean-Pierre", "Anne-Sophie", "Marie-Claire", "Jean-Luc",
)  # fmt: skip
_MAIL_DOMAINS = (
    "mail.example",
    "post.example",
    "inbox.example",
    "webmail.example",
    "courriel.example",
    "correo.example",
    "email.example",
    "net.example",
)

# Phones: every area code here and every exchange 200-999 but 555 and N11 is valid for
# "US" in phonenumbers 9.0; French mobiles 6x/7x with these prefixes are valid for "FR".
_AREA_CODE_TEXT = """
    201 202 203 205 206 207 208 209 210 212 213 214 215 216 217 218 219 224 225 228 229 231
    234 239 240 248 251 252 253 254 256 260 262 267 269 270 276 281 301 302 303 304 305 307
    308 309 310 312 313 314 315 316 317 318 319 320 321 323 325 330 331 334 336 337 339 347
    351 352 360 361 385 386 401 402 404 405 406 407 408 409 410 412 413 414 415 417 419 423
    424 425 430 432 434 435 440 443 469 470 475 478 479 480 484 501 502 503 504 505 507 508
    509 510 512 513 515 516 517 518 520 530 540 541 551 559 561 562 563 567 570 571 573 574
    575 580 585 586 601 602 603 605 606 607 608 609 610 612 614 615 616 617 618 619 620 623
    626 630 631 636 641 646 650 651 660 661 662 678 682 701 702 703 704 706 707 708 712 713
    714 715 716 717 718 719 720 724 727 731 732 734 740 754 757 760 763 765 770 772 773 774
    775 781 785 786 801 802 803 804 805 806 808 810 812 813 814 815 816 817 818 828 830 831
    832 843 845 847 848 850 856 857 858 859 860 862 863 864 865 870 878 901 903 904 906 907
    908 909 910 912 913 914 915 916 917 918 919 920 925 928 931 936 937 940 941 947 949 951
    952 954 956 970 971 972 973 978 979 980 985 989"""
_AREA_CODES = tuple(int(a) for a in _AREA_CODE_TEXT.split())
_EXCHANGES = tuple(x for x in range(200, 1000) if x != 555 and x % 100 != 11)
_US_SPACE = len(_AREA_CODES) * len(_EXCHANGES) * 10_000
_US_AREAS = tuple(f"+1 {a}-" for a in _AREA_CODES)  # pieces of the canonical form, made once
_US_EXCHANGES = tuple(f"{e}-" for e in _EXCHANGES)
_FR_PREFIXES = (
    "60",
    "61",
    "62",
    "64",
    "65",
    "66",
    "67",
    "68",
    "73",
    "74",
    "75",
    "76",
    "77",
    "78",
    "79",
)
_FR_SPACE = len(_FR_PREFIXES) * 10_000_000
_PHONE_SLOTS = 4  # phone number g = 4 * index + slot: account, contact, mobile, (spare)
_M64 = (1 << 64) - 1
_M62 = (1 << 62) - 1
_GOLDEN = 0x9E3779B97F4A7C15

# Keyboard neighbours: a typo is the key next to the right one.
_QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEAR_KEYS = {
    ch: "".join(
        _QWERTY[r2][c2]
        for r2 in range(max(0, r - 1), min(3, r + 2))
        for c2 in range(max(0, c - 1), c + 2)
        if c2 < len(_QWERTY[r2]) and (r2, c2) != (r, c)
    )
    for r, row in enumerate(_QWERTY)
    for c, ch in enumerate(row)
}


@dataclass(frozen=True)
class Probe:
    """A record checked against the population, with the truth about it.

    `original` is the population record it duplicates (None: it duplicates nothing). `kind`
    names the one change from the original, or "distinct". `detail` says how (e.g. "upper",
    "swap Ltd -> Inc.", "(212) 345-6789 region US": the default region a phone parser needs);
    `near` is the population record a distinct probe was made close to, so that a false
    positive can be told from noise.
    `values` are the columns a client would send in a Create (no primary key).
    """

    table: str
    values: dict[str, Any]
    original: uuid.UUID | None
    kind: str
    detail: str = ""
    near: uuid.UUID | None = None


T = TypeVar("T")


def chunks(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of at most `size` rows, so a caller can insert in batches and keep one in
    memory at a time."""
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- per-seed tables ---------------------------------------------------------------------


class _Words(NamedTuple):
    """One table's syllable words: a keyed bijection from row index to word."""

    first: tuple[str, ...]  # syllables per position, shuffled by the seed; first capitalised
    second: tuple[str, ...]
    third: tuple[str, ...]
    codas: tuple[str, ...]
    rounds: tuple[tuple[array.array[int], array.array[int]], ...]  # Feistel round functions
    syllable_digit: tuple[dict[str, int], ...]  # lower-case syllable -> digit, per position
    coda_digit: dict[str, int]


class _Tables(NamedTuple):
    account_words: _Words
    contact_words: _Words
    account_key: int
    contact_key: int
    uuid_key: int
    us: tuple[int, int]  # affine permutation of the US phone space
    fr: tuple[int, int]


def _coprime_multiplier(rng: random.Random, modulus: int) -> int:
    while True:
        mult = rng.randrange(modulus // 3, modulus)
        if _gcd(mult, modulus) == 1:
            return mult


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def _words(rng: random.Random) -> _Words:
    positions = []
    for _ in range(3):
        syllables = list(_SYLLABLES)
        rng.shuffle(syllables)
        positions.append(syllables)
    codas = list(_CODAS)
    rng.shuffle(codas)
    # Random tables make a Feistel network a random-looking permutation; an affine map was
    # not: it sent whole runs of indices to words one syllable apart.
    # Arrays, not tuples of ints: 144 KB that stay in the cache (twice as fast).
    rounds = tuple(
        (
            array.array("H", [rng.getrandbits(13) for _ in range(1 << 14)]),
            array.array("H", [rng.getrandbits(14) for _ in range(1 << 13)]),
        )
        for _ in range(3)
    )
    return _Words(
        first=tuple(s.capitalize() for s in positions[0]),
        second=tuple(positions[1]),
        third=tuple(positions[2]),
        codas=tuple(codas),
        rounds=rounds,
        syllable_digit=tuple({s: d for d, s in enumerate(p)} for p in positions),
        coda_digit={c: d for d, c in enumerate(codas)},
    )


@functools.lru_cache(maxsize=8)
def _tables(seed: int) -> _Tables:
    """Everything a seed decides, drawn once from random.Random(seed); rows then only mix
    (seed key, index), which is what makes row i independent of the chunking."""
    rng = random.Random(seed)
    return _Tables(
        account_words=_words(rng),
        contact_words=_words(rng),
        account_key=rng.getrandbits(64),
        contact_key=rng.getrandbits(64),
        uuid_key=rng.getrandbits(62),
        us=(_coprime_multiplier(rng, _US_SPACE), rng.randrange(_US_SPACE)),
        fr=(_coprime_multiplier(rng, _FR_SPACE), rng.randrange(_FR_SPACE)),
    )


def _mix(x: int) -> int:
    """splitmix64's finaliser: 64 well-mixed bits from one integer."""
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & _M64
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & _M64
    return x ^ (x >> 31)


def _row_id(t: _Tables, table_no: int, index: int, noise: int) -> uuid.UUID:
    """A version-4 UUID, unique by construction: its low 62 bits are a bijection of
    (table, index) (an odd multiplier and an xorshift, modulo 2**62); the high half is noise."""
    x = (((index << 2) | table_no) ^ t.uuid_key) * _GOLDEN & _M62
    x ^= x >> 29
    high = (noise & ~0xF000) | 0x4000
    return uuid.UUID(int=(high << 64) | (1 << 63) | x)


def _word(w: _Words, index: int) -> str:
    left, right = index >> 14, index & 0x3FFF  # 13 + 14 bits: the 2**27 codes
    for f_left, f_right in w.rounds:
        left = (left + f_left[right]) & 0x1FFF
        right = (right + f_right[left]) & 0x3FFF
    code = left << 14 | right
    return (
        w.first[code & 255]
        + w.second[(code >> 8) & 255]
        + w.third[(code >> 16) & 255]
        + w.codas[code >> 24]
    )


def _word_index(w: _Words, word: str) -> int | None:
    """The index whose word this is once accents and case go, or None if no index has it."""
    match = _CORE_RE.fullmatch(_plain(word).lower())
    if match is None:
        return None
    parts = match.groups()
    code = w.coda_digit.get(parts[6], -1)
    for k in (2, 1, 0):
        digit = w.syllable_digit[k].get(parts[2 * k] + parts[2 * k + 1], -1)
        if digit < 0 or code < 0:
            return None
        code = code * 256 + digit
    left, right = code >> 14, code & 0x3FFF
    for f_left, f_right in reversed(w.rounds):
        right = (right - f_right[left]) & 0x3FFF
        left = (left - f_left[right]) & 0x1FFF
    return left << 14 | right


def _decorate(word: str, bits: int) -> str:
    """The word with one vowel accented."""
    vowels = [k for k, ch in enumerate(word) if ch in _VOWELS]
    k = vowels[bits % len(vowels)]
    marks = _ACCENTED[word[k]]
    return word[:k] + marks[(bits >> 4) % len(marks)] + word[k + 1 :]


def _plain(text: str) -> str:
    """The text without accents (every accent used here decomposes)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


# -- phones ------------------------------------------------------------------------------


def _phone(t: _Tables, g: int, french: bool) -> str:
    """Phone number g in its canonical style (phonenumbers' INTERNATIONAL format)."""
    if french:
        x = (t.fr[0] * g + t.fr[1]) % _FR_SPACE
        n = f"{_FR_PREFIXES[x // 10_000_000]}{x % 10_000_000:07d}"
        return f"+33 {n[0]} {n[1:3]} {n[3:5]} {n[5:7]} {n[7:]}"
    x = (t.us[0] * g + t.us[1]) % _US_SPACE
    x, line = divmod(x, 10_000)
    area, exchange = divmod(x, len(_EXCHANGES))
    return _US_AREAS[area] + _US_EXCHANGES[exchange] + str(10_000 + line)[1:]


_US_FORMATS = (
    "({0}) {1}-{2}",
    "{0}.{1}.{2}",
    "+1 {0} {1} {2}",
    "{0}{1}{2}",
    "+1-{0}-{1}-{2}",
    "001 {0} {1} {2}",
    "{0}-{1}-{2}",
    "+1{0}{1}{2}",
)
_FR_FORMATS = (
    "0{0} {1} {2} {3} {4}",
    "0033{0}{1}{2}{3}{4}",
    "+33{0}{1}{2}{3}{4}",
    "0{0}.{1}.{2}.{3}.{4}",
    "+33 (0){0} {1} {2} {3} {4}",
)


def _reformat_phone(phone: str, rng: random.Random) -> tuple[str, str]:
    """The same number written another way, and which way with the default region a parser
    needs: French national forms and "0033…" need "FR"; "001 …" needs a region whose
    international prefix is 00 ("FR" does), not "US" (011)."""
    digits = re.sub(r"\D", "", phone)
    if phone.startswith("+33"):
        n = digits[2:]
        pattern = rng.choice(_FR_FORMATS)
        written = pattern.format(n[0], n[1:3], n[3:5], n[5:7], n[7:])
        region = "FR" if pattern.startswith("0") else "any"
    else:
        pattern = rng.choice(_US_FORMATS)
        written = pattern.format(digits[1:4], digits[4:7], digits[7:])
        region = "FR" if pattern.startswith("001") else "US"
    return written, f"{written} region {region}"


# -- population --------------------------------------------------------------------------


class _AccountName(NamedTuple):
    """An account name in parts, so that a probe can change exactly one of them."""

    the: bool
    core: str  # the syllable word, perhaps accented: unique to the row
    rest: str  # what follows it up to the suffix: " Logistics Group", "soft", ""
    suffix: str  # ", Inc.", " SA", ""
    french: bool
    noise: int

    def text(self) -> str:
        return ("The " if self.the else "") + self.core + self.rest + self.suffix


def _account_name(t: _Tables, index: int) -> _AccountName:
    h = _mix(t.account_key ^ (index * _GOLDEN & _M64))
    core = _word(t.account_words, index)
    if (h >> 15) & 127 < 16:  # one in eight
        core = _decorate(core, (h >> 22) & 255)
    french = h & 255 < 31  # one in eight
    shape = ((h >> 8) & 127) * 100 >> 7
    w1 = (h >> 30) & 127
    w2 = (h >> 37) & 127
    if french and shape < 60:
        rest = " " + _FRENCH[w1 % len(_FRENCH)]
        if shape < 15:
            rest = _plain(rest)  # written without its accents, as people do
    elif french or shape >= 60:
        if shape < 70 or shape >= 95:
            rest = " " + _ORGS[w1 % len(_ORGS)]
        elif shape < 80:
            rest = _JOINED[w1 % len(_JOINED)]
        else:
            first = w1 % len(_INDUSTRIES)
            second = _INDUSTRIES[(first + 1 + w2 % (len(_INDUSTRIES) - 1)) % len(_INDUSTRIES)]
            rest = f" {_INDUSTRIES[first]} {'& ' if shape < 88 else ''}{second}"
    elif shape < 4:
        rest = ""
    elif shape < 40:
        rest = " " + _INDUSTRIES[w1 % len(_INDUSTRIES)]
    else:
        rest = f" {_INDUSTRIES[w1 % len(_INDUSTRIES)]} {_ORGS[w2 % len(_ORGS)]}"
    s = (h >> 44) & 127
    suffix = ""
    if shape < 4 or s < 70:
        if french:
            rendition = _SUFFIXES[s % _FRENCH_SUFFIXES][0]
        else:
            rendition = _SUFFIXES[_FRENCH_SUFFIXES + s % (len(_SUFFIXES) - _FRENCH_SUFFIXES)][0]
        comma = (h >> 51) & 7 < 2 and rendition[0] in "ILC"
        suffix = (", " if comma else " ") + rendition
    the = not french and rest[:1] == " " and (h >> 55) & 31 < 2
    return _AccountName(the, core, rest, suffix, french, h)


def _account(t: _Tables, index: int, name: _AccountName | None = None) -> dict[str, Any]:
    name = name or _account_name(t, index)
    h = name.noise
    core = name.core
    slug = (core if core.isascii() else _plain(core)).lower() + _slug_tail(name.rest)
    cities = _FR_CITIES if name.french else _US_CITIES
    return {
        "accountid": _row_id(t, 1, index, h),
        "name": name.text(),
        "emailaddress1": f"{_ACCOUNT_LOCALS[(h >> 60) % 7]}@{slug}.example",
        "telephone1": _phone(t, _PHONE_SLOTS * index, name.french),
        "address1_city": cities[((h >> 22) & 255) % len(cities)],
    }


@functools.cache
def _slug_tail(rest: str) -> str:
    """The email domain's part after the first word, "-logistics" for " Logistics Group"
    (there are a few thousand such rests: each is worked out once)."""
    first_word = rest.split(" ", 2)[1] if rest[:1] == " " else rest
    return "-" + _plain(first_word).lower() if first_word else ""


class _ContactName(NamedTuple):
    first: str
    last: str
    noise: int


def _contact_name(t: _Tables, index: int) -> _ContactName:
    h = _mix(t.contact_key ^ (index * _GOLDEN & _M64))
    last = _word(t.contact_words, index)
    if (h >> 15) & 127 < 13:  # one in ten
        last = _decorate(last, (h >> 22) & 255)
    first = _FIRST_NAMES[((h >> 30) & 1023) % len(_FIRST_NAMES)]
    if (h >> 40) & 7 < 2:
        first = _plain(first)  # accents lost in data entry, a quarter of the time
    return _ContactName(first, last, h)


def _contact(t: _Tables, index: int, name: _ContactName | None = None) -> dict[str, Any]:
    name = name or _contact_name(t, index)
    h = name.noise
    first = _plain(name.first).lower()
    last = _plain(name.last).lower()
    # The last name is always a whole part of the local part, which keeps emails unique.
    pattern = (h >> 50) & 7
    if pattern < 4:
        local = f"{first}.{last}"
    elif pattern < 6:
        local = f"{first[0]}.{last}"
    elif pattern < 7:
        local = f"{first}_{last}"
    else:
        local = f"{first[0]}{last}"
    french = h & 255 < 31
    g = _PHONE_SLOTS * index
    return {
        "contactid": _row_id(t, 2, index, h),
        "firstname": name.first,
        "lastname": name.last,
        "emailaddress1": f"{local}@{_MAIL_DOMAINS[(h >> 53) & 7]}",
        "telephone1": _phone(t, g + 1, french),
        "mobilephone": _phone(t, g + 2, french) if (h >> 56) & 15 < 9 else None,
    }


def _check_range(count: int, start: int) -> None:
    if count < 0 or start < 0 or start + count > CAPACITY:
        raise ValueError(f"rows {start}..{start + count - 1} are outside 0..{CAPACITY - 1}")


def accounts(count: int, seed: int, start: int = 0) -> Iterator[dict[str, Any]]:
    """Population accounts start .. start+count-1, one dict at a time: accountid (UUID),
    name, emailaddress1, telephone1, address1_city. Row i is the same for a seed whatever
    `start` and `count` are."""
    _check_range(count, start)
    t = _tables(seed)
    return (_account(t, i) for i in range(start, start + count))


def contacts(count: int, seed: int, start: int = 0) -> Iterator[dict[str, Any]]:
    """Population contacts start .. start+count-1: contactid (UUID), firstname, lastname,
    emailaddress1, telephone1, mobilephone (None for about 44%)."""
    _check_range(count, start)
    t = _tables(seed)
    return (_contact(t, i) for i in range(start, start + count))


# -- probes ------------------------------------------------------------------------------


def _typo(word: str, rng: random.Random) -> tuple[str, str]:
    """One keyboard slip in the word (len >= 3), never on its first letter."""
    while True:
        op = rng.choice(("substitution", "transposition", "insertion", "deletion"))
        p = rng.randrange(1, len(word))
        ch = word[p]
        base = _plain(ch).lower()
        if not (ch.isalpha() and word[p - 1].isalpha()):  # a hyphen is punctuation
            continue
        if op == "substitution" and base in _NEAR_KEYS:
            new = rng.choice(_NEAR_KEYS[base])
            return word[:p] + (new.upper() if ch.isupper() else new) + word[p + 1 :], op
        if op == "transposition" and p + 1 < len(word):
            nxt = word[p + 1]
            if base != _plain(nxt).lower() and nxt.isalpha():
                return word[:p] + nxt + ch + word[p + 2 :], op
        if op == "insertion":
            before = _plain(word[p - 1]).lower()
            new = rng.choice(before + _NEAR_KEYS.get(before, ""))
            return word[:p] + new + word[p:], op
        if op == "deletion" and len(word) >= 4:
            return word[:p] + word[p + 1 :], op


def _word_typo(w: _Words, word: str, rng: random.Random) -> tuple[str, str]:
    """A typo that does not turn the word into another population row's word."""
    while True:
        typed, op = _typo(word, rng)
        other = _word_index(w, typed)
        if other is None or other >= CAPACITY:
            return typed, op


def _accent_word(word: str, rng: random.Random) -> str:
    vowels = [k for k, ch in enumerate(word) if ch.lower() in _VOWELS]
    k = rng.choice(vowels)
    marks = _ACCENTED[word[k].lower()]
    mark = rng.choice(marks)
    return word[:k] + (mark.upper() if word[k].isupper() else mark) + word[k + 1 :]


def _far_word(word: str, rng: random.Random) -> str:
    """Two edits no population word has: a doubled consonant and a vowel turned 'y'. Every
    population word is then two edits away at least."""
    consonants = [
        k
        for k in range(1, len(word))
        if word[k].isalpha() and _plain(word[k]).lower() not in _VOWELS
    ]
    p = rng.choice(consonants)
    vowels = [k for k, ch in enumerate(word) if _plain(ch).lower() in _VOWELS and abs(k - p) > 1]
    q = rng.choice(vowels)
    chars = list(word)
    chars[q] = "y"
    chars.insert(p, chars[p])
    return "".join(chars)


_FRENCH_ACCENTED = {_plain(w): w for w in _FRENCH if _plain(w) != w}
_FIRST_ACCENTED = {_plain(n): n for n in _FIRST_NAMES if _plain(n) != n}


def _changed_account_name(
    t: _Tables, n: _AccountName, kind: str, rng: random.Random
) -> tuple[str, str]:
    """The original's name changed in the one way `kind` says, and how."""
    text = n.text()
    if kind == "case":
        how = rng.choice(("upper", "lower"))
        return (text.upper() if how == "upper" else text.lower()), how
    if kind == "leading the":
        return n._replace(the=not n.the).text(), "remove the" if n.the else "add the"
    if kind == "accents":
        if not text.isascii():
            return _plain(text), "remove"
        rest = n.rest.strip()
        if rest in _FRENCH_ACCENTED:
            return n._replace(rest=" " + _FRENCH_ACCENTED[rest]).text(), "add"
        return n._replace(core=_accent_word(n.core, rng)).text(), "add"
    if kind == "legal suffix":
        current = re.sub(r"\W", "", n.suffix).lower()
        choices = [rendition for rendition, token in _SUFFIXES if token != current]
        if n.suffix and rng.random() < 0.4:
            return n._replace(suffix="").text(), f"remove {n.suffix.strip(', ')}"
        rendition = rng.choice(choices)
        suffix = (", " if rng.random() < 0.3 else " ") + rendition
        how = f"swap {n.suffix.strip(', ')} -> {rendition}" if n.suffix else f"add {rendition}"
        return n._replace(suffix=suffix).text(), how
    if kind == "punctuation":
        return _punctuated(n, rng)
    if kind == "typo":
        words = [w for w in n.rest.split(" ") if len(w) >= 4]
        if words and rng.random() < 0.35:  # in a word after the first: the first stays
            word = rng.choice(words)
            typed, op = _typo(word, rng)
            rest = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", typed, n.rest, count=1)
            return n._replace(rest=rest).text(), f"{op} in {word}"
        typed, op = _word_typo(t.account_words, n.core, rng)
        return n._replace(core=typed).text(), f"{op} in {n.core}"
    raise ValueError(kind)


def _punctuated(n: _AccountName, rng: random.Random) -> tuple[str, str]:
    """Commas, periods, hyphens or spaces changed; letters and case untouched."""
    options = []
    words = n.rest.split(" ")[1:] if n.rest[:1] == " " else []
    if words and any("&" not in pair for pair in zip([n.core, *words], words, strict=False)):
        options.append("hyphen")
    if n.suffix:
        options.append("comma")
        if n.suffix.strip(", ") in (
            "Inc",
            "Inc.",
            "Ltd",
            "Ltd.",
            "Corp",
            "Corp.",
            "Co",
            "Co.",
            "SA",
            "S.A.",
            "BV",
            "B.V.",
            "SAS",
            "S.A.S.",
            "LLC",
            "L.L.C.",
        ):
            options.append("periods")
    options.append("spaces")
    how = rng.choice(options)
    if how == "hyphen":  # two words joined by a hyphen instead of a space ("&" stays apart)
        parts = [n.core, *words]
        k = rng.choice([k for k in range(len(words)) if "&" not in parts[k : k + 2]])
        parts[k : k + 2] = [parts[k] + "-" + parts[k + 1]]
        rest = "".join(" " + part for part in parts[1:])
        return n._replace(core=parts[0], rest=rest).text(), "hyphen"
    if how == "comma":
        bare = n.suffix.strip(", ")
        suffix = " " + bare if n.suffix.startswith(",") else ", " + bare
        return n._replace(suffix=suffix).text(), "remove comma" if "," in n.suffix else "comma"
    if how == "periods":
        bare = n.suffix.strip(", ")
        lead = n.suffix[: len(n.suffix) - len(bare)]
        if "." in bare:
            changed = bare.replace(".", "")
        elif len(bare) <= 3 and bare.isupper():
            changed = ".".join(bare) + "."
        else:
            changed = bare + "."
        return n._replace(suffix=lead + changed).text(), f"{bare} -> {changed}"
    text = n.text()
    spaces = [k for k, ch in enumerate(text) if ch == " "]
    if spaces and rng.random() < 0.7:
        k = rng.choice(spaces)
        return text[:k] + "  " + text[k + 1 :], "double space"
    return f" {text} ", "spaces around"


def _changed_contact(
    t: _Tables, n: _ContactName, kind: str, rng: random.Random
) -> tuple[dict[str, str], str]:
    if kind == "case":
        how = rng.choice(("upper last name", "upper", "lower"))
        if how == "upper":
            return {"firstname": n.first.upper(), "lastname": n.last.upper()}, how
        if how == "lower":
            return {"firstname": n.first.lower(), "lastname": n.last.lower()}, how
        return {"firstname": n.first, "lastname": n.last.upper()}, how
    if kind == "accents":
        if not (n.first + n.last).isascii():
            return {"firstname": _plain(n.first), "lastname": _plain(n.last)}, "remove"
        if n.first in _FIRST_ACCENTED and rng.random() < 0.5:
            return {"firstname": _FIRST_ACCENTED[n.first], "lastname": n.last}, "add to first"
        return {"firstname": n.first, "lastname": _accent_word(n.last, rng)}, "add to last"
    if kind == "typo":
        if len(n.first) >= 3 and rng.random() < 0.4:
            typed, op = _typo(n.first, rng)
            return {"firstname": typed, "lastname": n.last}, f"{op} in first name"
        typed, op = _word_typo(t.contact_words, n.last, rng)
        return {"firstname": n.first, "lastname": typed}, f"{op} in last name"
    raise ValueError(kind)


def _recased_email(email: str, rng: random.Random) -> tuple[str, str]:
    local, domain = email.split("@")
    how = rng.choice(("upper", "capitalised", "upper domain", "spaces around"))
    if how == "upper":
        return email.upper(), how
    if how == "capitalised":
        return f"{local.capitalize()}@{domain.capitalize()}", how
    if how == "upper domain":
        return f"{local}@{domain.upper()}", how
    return f" {email} ", how


def _without(row: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != key}


def _account_renamed(
    t: _Tables, n: _AccountName, kind: str, rng: random.Random
) -> tuple[dict[str, str], str]:
    name, how = _changed_account_name(t, n, kind, rng)
    return {"name": name}, how


def _account_close(n: _AccountName, shared: bool, rng: random.Random) -> tuple[dict[str, str], str]:
    """A name near the original's that is no duplicate of it: the same first word and
    another industry, or the first word two edits away."""
    if shared:
        taken = {w for w in re.split(r"\W+", n.rest) if w}
        word = rng.choice([w for w in _INDUSTRIES if w not in taken])
        joined = n.rest[:1] not in ("", " ")  # "Bakorusoft": keep the whole first word
        core = n.core + n.rest if joined else n.core
        return {"name": n._replace(core=core, rest=" " + word).text()}, "shares first word"
    return {"name": n._replace(core=_far_word(n.core, rng)).text()}, "two edits"


def _contact_close(n: _ContactName, shared: bool, rng: random.Random) -> tuple[dict[str, str], str]:
    """Another person of the same last name, or the last name two edits away."""
    if shared:
        taken = _plain(n.first).lower()
        first = rng.choice([f for f in _FIRST_NAMES if _plain(f).lower() != taken])
        return {"firstname": first, "lastname": n.last}, "shares last name"
    return {"firstname": n.first, "lastname": _far_word(n.last, rng)}, "two edits"


def _unaccented(n: _AccountName | _ContactName) -> bool:
    return (n.first + n.last if isinstance(n, _ContactName) else n.text()).isascii()


# Kinds whose change goes the common way for most rows (add "The", add accents): a probe in
# two takes an original that goes the rare way (has "The", has accents), drawn until found.
_COMMON_WAY: dict[str, Callable[[Any], bool]] = {
    "leading the": lambda n: not n.the,
    "accents": _unaccented,
}


class _Table(NamedTuple):
    """What `probes` needs of a table, so that one loop serves both."""

    name: str
    key: str
    kinds: tuple[str, ...]
    parts: Callable[[_Tables, int], Any]
    row: Callable[[_Tables, int, Any], dict[str, Any]]
    renamed: Callable[[_Tables, Any, str, random.Random], tuple[dict[str, str], str]]
    close: Callable[[Any, bool, random.Random], tuple[dict[str, str], str]]


_TABLES = (
    _Table(
        "account",
        "accountid",
        ACCOUNT_KINDS,
        _account_name,
        _account,
        _account_renamed,
        _account_close,
    ),
    _Table(
        "contact",
        "contactid",
        CONTACT_KINDS,
        _contact_name,
        _contact,
        _changed_contact,
        _contact_close,
    ),
)


def probes(
    population_size: int, per_kind: int, seed: int, *, isolated: bool = False
) -> list[Probe]:
    """Duplicate probes of every kind for both tables, `per_kind` of each, plus `per_kind`
    distinct probes per table; originals come from the first `population_size` rows.

    A duplicate probe keeps all the original's values but the one its kind changes; with
    `isolated`, it keeps only that one (the name, the email or the phone) and takes every
    other value from a fresh record, so that only the rule under test can find it. The same
    arguments give the same originals and changes with or without `isolated`.
    Distinct probes: a third fresh, a third sharing the first word of a population name
    (a contact's last name), a third two edits away from one.
    """
    if not 0 < population_size <= CAPACITY:
        raise ValueError(f"population_size must be in 1..{CAPACITY}")
    t = _tables(seed)
    rng = random.Random(f"duplicate probes {seed} {population_size} {per_kind}")
    made: list[Probe] = []
    for table in _TABLES:
        fresh = itertools.count(CAPACITY)  # rows no population has
        for kind in table.kinds:
            for k, i in enumerate(_originals(rng, population_size, per_kind)):
                parts = table.parts(t, i)
                for _ in range(10_000 if kind in _COMMON_WAY and k % 2 else 0):
                    if not _COMMON_WAY[kind](parts):
                        break
                    i = rng.randrange(population_size)
                    parts = table.parts(t, i)
                row = table.row(t, i, parts)
                if kind == "email case":
                    email, how = _recased_email(row["emailaddress1"], rng)
                    values = {"emailaddress1": email}
                elif kind == "phone format":
                    phone, how = _reformat_phone(row["telephone1"], rng)
                    values = {"telephone1": phone}
                else:
                    values, how = table.renamed(t, parts, kind, rng)
                new = table.row(t, next(fresh), None)
                base = _without(new if isolated else row, table.key)
                made.append(Probe(table.name, base | values, row[table.key], kind, how))
        for k, i in enumerate(_originals(rng, population_size, per_kind)):
            new = _without(table.row(t, next(fresh), None), table.key)
            if k % 3 == 0:
                made.append(Probe(table.name, new, None, "distinct", "fresh"))
                continue
            parts = table.parts(t, i)
            values, how = table.close(parts, k % 3 == 1, rng)
            near = table.row(t, i, parts)[table.key]
            made.append(Probe(table.name, new | values, None, "distinct", how, near))
    return made


def _originals(rng: random.Random, population_size: int, count: int) -> list[int]:
    if count <= population_size:
        return rng.sample(range(population_size), count)
    return [rng.randrange(population_size) for _ in range(count)]
