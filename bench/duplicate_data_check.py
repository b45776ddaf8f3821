"""Self-test of the duplicate benchmark's data (bench/duplicate_data.py): the population's
names, emails and phones are unique, and every probe says the truth about its original.

    .venv/bin/python bench/duplicate_data_check.py [--rows 1000000] [--per-kind 200] [--seed 7]

Not a pytest test: at a million rows it takes minutes (the phone checks need `phonenumbers`).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterator
from typing import Any

from duplicate_data import (
    _CODAS,
    _CORE_SPACE,
    _FIRST_NAMES,
    _FR_SPACE,
    _FRENCH,
    _INDUSTRIES,
    _JOINED,
    _ONSETS,
    _ORGS,
    _SUFFIXES,
    _SYLLABLES,
    _US_SPACE,
    _VOWELS,
    Probe,
    _account_name,
    _tables,
    _word_index,
    accounts,
    contacts,
    probes,
)

_LEGAL = frozenset(token for _, token in _SUFFIXES)
_RENDITIONS = "|".join(
    re.escape(r) for r in sorted({r for r, _ in _SUFFIXES}, key=len, reverse=True)
)
_BODY = re.compile(rf",?\s+(?:{_RENDITIONS})$")


def _fold(text: str) -> str:
    """The self-test's own normalisation, kept apart from the generator's `_plain`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _norm_account(name: str, keep_suffix: bool = False) -> str:
    tokens = re.sub(r"[^\w\s]", "", _fold(name)).split()
    if tokens[:1] == ["the"]:
        tokens = tokens[1:]
    if not keep_suffix and tokens and tokens[-1] in _LEGAL:
        tokens = tokens[:-1]
    return "".join(tokens)


def _norm_contact(first: str, last: str) -> str:
    return re.sub(r"[\W_]", "", _fold(first + last))


def _letters(text: str) -> str:
    return re.sub(r"[\W_]", "", text)


def _e164(phone: str) -> str:
    return "+" + re.sub(r"\D", "", phone)


def _osa(a: str, b: str) -> int:
    """Edit distance counting an adjacent transposition as one edit."""
    d = [list(range(len(b) + 1))] + [[i] + [0] * len(b) for i in range(1, len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def _neighbours(s: str) -> Iterator[str]:
    """Every a-z string one edit from s."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    for k in range(len(s) + 1):
        if k < len(s):
            yield s[:k] + s[k + 1 :]
            for c in letters:
                if c != s[k]:
                    yield s[:k] + c + s[k + 1 :]
        if k + 1 < len(s):
            yield s[:k] + s[k + 1] + s[k] + s[k + 2 :]
        for c in letters:
            yield s[:k] + c + s[k:]


def _check_tables() -> None:
    """What the uniqueness argument needs of the word lists, checked once."""
    firsts = [*_INDUSTRIES, *_ORGS, *_JOINED, *_FRENCH]
    rests = {_fold(w) for w in firsts}
    rests |= {_fold(f"{a}{b}") for a in _INDUSTRIES for b in (*_ORGS, *_INDUSTRIES)}
    rests = {re.sub(r"\W", "", r) for r in rests}
    assert all(r[0] not in "aeiouy" for r in rests), "a word after the first starts with a vowel"
    for coda in filter(None, _CODAS):
        clash = [r for r in rests if r.startswith(coda) and r[len(coda) :] in rests]
        assert not clash, f"coda {coda!r} + a word reads as another word: {clash}"
    words = {_fold(w) for phrase in firsts for w in phrase.split()}
    assert not words & (_LEGAL | {"the"}), "a descriptor reads as a legal suffix or 'the'"
    plain = {re.sub(r"\W", "", _fold(n)) for n in _FIRST_NAMES}
    for a in plain:
        for b in plain:
            extra = b[len(a) :]
            if b.startswith(a) and extra and not set(extra) & _VOWELS:
                assert not any(extra + o in _ONSETS for o in _ONSETS), (a, b)
    assert len(set(_SYLLABLES)) == len(_SYLLABLES)


def _self_test(rows: int, per_kind: int, seed: int, sample: int) -> None:
    import importlib
    import time

    try:
        pn: Any = importlib.import_module("phonenumbers")  # not a dependency of leadgate
    except ImportError:
        pn = None
        print("phonenumbers is not importable: phone validity is not checked")
    _check_tables()
    print(
        f"word lists: uniqueness conditions hold; core space {_CORE_SPACE:,}, "
        f"US phones {_US_SPACE:,}, French phones {_FR_SPACE:,}"
    )

    wall = cpu = 0.0
    for table, make in (("account", accounts), ("contact", contacts)):
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in make(rows, seed):
            pass
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        wall, cpu = wall + seconds, cpu + cpu_seconds
        print(
            f"generate {rows:,} {table}s: {seconds:.1f} s ({seconds / rows * 1e6:.1f} µs/row)"
            f", CPU {cpu_seconds:.1f} s"
        )
    print(f"generate both: {wall:.1f} s, CPU {cpu:.1f} s")

    started = time.perf_counter()
    plain = probes(rows, per_kind, seed)
    alone = probes(rows, per_kind, seed, isolated=True)
    print(f"probes: 2 x {len(plain)} in {time.perf_counter() - started:.2f} s")
    wanted = {p.original for p in plain} | {p.near for p in plain}

    started = time.perf_counter()
    step = max(1, rows // sample)
    phones: set[str] = set()
    checked_phones = 0
    population: dict[str, dict[str, set[str]]] = {}
    found: dict[uuid.UUID, dict[str, Any]] = {}
    t = _tables(seed)
    for table, make, key in (
        ("account", accounts, "accountid"),
        ("contact", contacts, "contactid"),
    ):
        names: set[str] = set()
        lasts: set[str] = set()
        emails: set[str] = set()
        ids: set[uuid.UUID] = set()
        phone_count = len(phones)
        for i, row in enumerate(make(rows, seed)):
            ids.add(row[key])
            if table == "account":
                names.add(_norm_account(row["name"]))
            else:
                names.add(_norm_contact(row["firstname"], row["lastname"]))
                lasts.add(_fold(row["lastname"]))
            emails.add(row["emailaddress1"])
            assert row["emailaddress1"] == row["emailaddress1"].lower()
            numbers = [row["telephone1"]] + ([row["mobilephone"]] if row.get("mobilephone") else [])
            phones.update(_e164(n) for n in numbers)
            phone_count += len(numbers)
            if row[key] in wanted:
                found[row[key]] = row
            if i % step == 0:
                again = next((accounts if table == "account" else contacts)(1, seed, i))
                assert again == row, f"row {i} depends on the chunking"
                if table == "account":
                    assert _word_index(t.account_words, _account_name(t, i).core) == i
                else:
                    assert _word_index(t.contact_words, row["lastname"]) == i
                if pn is not None:
                    for n in numbers:
                        parsed = pn.parse(n, None)
                        region = "FR" if n.startswith("+33") else "US"
                        assert pn.is_possible_number(parsed), n
                        assert pn.is_valid_number_for_region(parsed, region), n
                        assert pn.format_number(parsed, pn.PhoneNumberFormat.E164) == _e164(n)
                        international = pn.PhoneNumberFormat.INTERNATIONAL
                        assert pn.format_number(parsed, international) == n, n
                        checked_phones += 1
        assert len(ids) == rows, f"{table} ids are not unique"
        assert len(names) == rows, f"{table} names are not unique: {rows - len(names)} clash"
        assert len(emails) == rows, f"{table} emails are not unique"
        assert not lasts or len(lasts) == rows, "last names are not unique"
        assert len(phones) == phone_count, f"{table} phones are not unique"
        population[table] = {"names": names, "emails": emails}
        print(
            f"{table}s: {rows:,} unique ids, normalised names, emails; "
            f"{phone_count:,} unique E.164 phones so far (accounts and contacts together)"
        )
    print(
        f"phonenumbers: {checked_phones:,} sampled phones possible, valid for their region, "
        f"canonical INTERNATIONAL; check pass {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    assert len(plain) == len(alone)
    changed_keys = {"email case": {"emailaddress1"}, "phone format": {"telephone1"}}
    counts: dict[tuple[str, str], int] = {}
    for p, q in zip(plain, alone, strict=True):
        assert (p.table, p.kind, p.original, p.detail, p.near) == (
            q.table,
            q.kind,
            q.original,
            q.detail,
            q.near,
        )
        names, emails = population[p.table]["names"], population[p.table]["emails"]
        counts[p.table, p.kind] = counts.get((p.table, p.kind), 0) + 1
        if p.original is None:
            for v in (p, q):
                _check_distinct(v, found, names, emails, phones)
            continue
        original = dict(found[p.original])
        original.pop("accountid" if p.table == "account" else "contactid")
        name_keys = {"name"} if p.table == "account" else {"firstname", "lastname"}
        changed = changed_keys.get(p.kind, name_keys)
        assert set(p.values) == set(q.values) == set(original), p
        assert _intended(p, original, names, pn), p
        assert all(q.values[k] == p.values[k] for k in changed), (p, q)
        assert all(p.values[k] == original[k] for k in original if k not in changed), p
        for k in set(original) - changed:  # isolated: every other value is new
            v = q.values[k]
            if k in name_keys:
                norm = (
                    _norm_account(v)
                    if k == "name"
                    else _norm_contact(q.values["firstname"], q.values["lastname"])
                )
                assert norm not in names, q
            elif k == "emailaddress1":
                assert v not in emails, q
            elif k in ("telephone1", "mobilephone"):
                assert v is None or _e164(v) not in phones, q
    print(
        f"probes: every original found and changed as its kind says, isolated ones fresh "
        f"elsewhere ({time.perf_counter() - started:.2f} s)"
    )
    for (table, kind), n in counts.items():
        print(f"  {table:8s} {kind:13s} {n}")

    started = time.perf_counter()
    for table, make in (("account", accounts), ("contact", contacts)):
        names = population[table]["names"]
        near = checked = 0
        for row in make(min(rows, 2000), seed, 0):
            norm = (
                _norm_account(row["name"])
                if table == "account"
                else _norm_contact(row["firstname"], row["lastname"])
            )
            checked += 1
            near += any(n in names for n in _neighbours(norm) if n != norm)
        print(
            f"{table}s: {near} of the first {checked:,} have another population name "
            f"one edit away (normalised)"
        )
    print(f"near-duplicate scan {time.perf_counter() - started:.1f} s")


def _intended(p: Probe, original: dict[str, Any], names: set[str], pn: Any) -> bool:
    """Whether the probe differs from its original exactly as its kind says."""
    v, o = p.values, original
    if p.kind == "email case":
        return v["emailaddress1"] != o["emailaddress1"] and (
            v["emailaddress1"].strip().lower() == o["emailaddress1"]
        )
    if p.kind == "phone format":
        region = p.detail.rsplit(" ", 1)[1]
        if v["telephone1"] == o["telephone1"]:
            return False
        if pn is None:
            return True
        parsed = pn.parse(v["telephone1"], None if region == "any" else region)
        return pn.format_number(parsed, pn.PhoneNumberFormat.E164) == _e164(o["telephone1"])
    if p.table == "account":
        a, b = v["name"], o["name"]
        same = _norm_account(a) == _norm_account(b)
        if p.kind == "typo":
            return _osa(a, b) == 1 and a[0] == b[0] and _norm_account(a) not in names
        return (
            a != b
            and same
            and {
                "case": a in (b.upper(), b.lower()),
                "punctuation": _letters(a) == _letters(b),
                "legal suffix": _norm_account(a, True) != _norm_account(b, True)
                and _BODY.sub("", a) == _BODY.sub("", b),
                "leading the": a.removeprefix("The ") == b.removeprefix("The "),
                "accents": _fold(a) == _fold(b) and a.casefold() != b.casefold(),
            }[p.kind]
        )
    (fa, la), (fb, lb) = (v["firstname"], v["lastname"]), (o["firstname"], o["lastname"])
    if p.kind == "typo":
        return (
            _osa(fa, fb) + _osa(la, lb) == 1
            and fa[0] == fb[0]
            and la[0] == lb[0]
            and _norm_contact(fa, la) not in names
        )
    if (fa, la) == (fb, lb) or _norm_contact(fa, la) != _norm_contact(fb, lb):
        return False
    if p.kind == "case":
        return fa.casefold() == fb.casefold() and la.casefold() == lb.casefold()
    return (
        p.kind == "accents"
        and _fold(fa + la) == _fold(fb + lb)
        and ((fa + la).casefold() != (fb + lb).casefold())
    )


def _check_distinct(
    p: Probe,
    found: dict[uuid.UUID, dict[str, Any]],
    names: set[str],
    emails: set[str],
    phones: set[str],
) -> None:
    """A distinct probe duplicates nothing, and is as close to its `near` as it says."""
    v = p.values
    norm = (
        _norm_account(v["name"])
        if p.table == "account"
        else _norm_contact(v["firstname"], v["lastname"])
    )
    assert norm not in names, p
    assert v["emailaddress1"] not in emails, p
    assert _e164(v["telephone1"]) not in phones, p
    assert v.get("mobilephone") is None or _e164(v["mobilephone"]) not in phones, p
    if p.near is None:
        return
    near = found[p.near]
    if p.table == "account":
        first = [re.split(r"[\s,]+", n["name"].removeprefix("The "))[0] for n in (v, near)]
        close = _norm_account(near["name"])
    else:
        first = [v["lastname"], near["lastname"]]
        close = _norm_contact(near["firstname"], near["lastname"])
    if p.detail.startswith("shares"):
        assert first[0] == first[1], p
    else:
        assert _osa(norm, close) >= 2, p
        assert not any(n in names for n in _neighbours(norm)), p


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Self-test of the duplicate benchmark's data.")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--sample",
        type=int,
        default=50_000,
        help="rows whose phones phonenumbers checks, and whose chunking is checked",
    )
    arguments = parser.parse_args()
    _self_test(arguments.rows, arguments.per_kind, arguments.seed, arguments.sample)
