"""The normalizers behind leadgate's duplicate operators, over widely varying input."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from leadgate.platform.duplicates.operators import (
    LEGAL_SUFFIXES,
    blocking_keys,
    normalize_company,
    normalize_email,
    normalize_name,
    normalize_phone,
    similarity,
)

words = st.text(alphabet=string.ascii_lowercase + "éèàçöü", min_size=3, max_size=10)
long_words = st.text(alphabet=string.ascii_lowercase, min_size=20, max_size=30)
names = st.lists(words, min_size=1, max_size=4).map(" ".join)
suffixes = st.sampled_from(["Inc", "Inc.", "Ltd", "Limited", "LLC", "GmbH", "S.A.", "SARL", "SAS",
                            "B.V.", "AG", "Corp.", "Corporation"])  # fmt: skip
decorations = st.sampled_from(["{}", "The {}", "{},", "  {}  ", "{}.", "{} - "])


def _is_legal_form(name: str) -> bool:
    return normalize_name(name) in LEGAL_SUFFIXES or normalize_name(name) == "the"


@given(names, suffixes, decorations, st.booleans())
def test_a_company_is_the_same_with_its_legal_form_punctuation_case_and_the(
    name, suffix, decoration, upper
):
    if any(_is_legal_form(word) for word in name.split()):
        return  # a name made of legal forms is not what this property is about
    variant = decoration.format(f"{name} {suffix}")
    variant = variant.upper() if upper else variant.title()
    assert normalize_company(variant) == normalize_company(name)


@given(names)
def test_company_normalization_is_idempotent(name):
    once = normalize_company(name)
    assert once is None or normalize_company(once) == once


def test_different_companies_stay_different():
    assert normalize_company("Contoso Pharma") != normalize_company("Contoso Logistics")
    assert normalize_company("Ltd") == "ltd"  # a name that is only a form keeps it
    assert normalize_company("Société Générale S.A.") == "societe generale"


@given(st.emails(), st.sampled_from(["", " ", "\t"]), st.booleans())
def test_an_email_is_the_same_whatever_its_case_and_surrounding_spaces(email, space, upper):
    variant = f"{space}{email.upper() if upper else email}{space}"
    assert normalize_email(variant) == normalize_email(email)


US_FORMATS = ["({a}) {b}-{c}", "{a}.{b}.{c}", "+1 {a} {b} {c}", "{a}{b}{c}", "+1-{a}-{b}-{c}",
              "001 {a} {b} {c}", "1 ({a}) {b} {c}"]  # fmt: skip


@given(
    st.sampled_from(["212", "415", "646", "312", "617", "206"]),
    st.integers(200, 999).filter(lambda n: n != 555),
    st.integers(0, 9999),
    st.sampled_from(US_FORMATS),
)
def test_a_us_number_has_one_e164_form_whatever_its_writing(area, exchange, line, writing):
    number = writing.format(a=area, b=f"{exchange}", c=f"{line:04}")
    assert normalize_phone(number, "US") == f"+1{area}{exchange}{line:04}"


def test_numbers_are_read_in_the_default_region_and_international_ones_anywhere():
    assert normalize_phone("06 12 34 56 78", "FR") == "+33612345678"
    assert normalize_phone("+33 6 12 34 56 78", "US") == "+33612345678"
    assert normalize_phone("0033 6 12 34 56 78", "US") == "+33612345678"
    assert normalize_phone("ext. 12", "US") == "12"  # unreadable: its digits still match
    assert normalize_phone("  ", "US") is None


@given(st.one_of(names, long_words, st.tuples(words, long_words).map(" ".join)), st.data())
def test_one_typo_anywhere_in_a_word_keeps_a_shared_blocking_key(name, data):
    normalized = normalize_name(name)
    assert normalized is not None
    words_ = normalized.split()
    index = data.draw(st.integers(0, len(words_) - 1))
    word = words_[index]
    position = data.draw(st.integers(0, len(word) - 1))
    if len(words_) == 1 and len(word) < 4:
        return  # a name of one short word keys whole (the documented limit)
    letter = data.draw(st.sampled_from("xyzq"))
    how = data.draw(st.sampled_from(["substitution", "insertion", "deletion", "swap"]))
    if how == "substitution":
        word = word[:position] + letter + word[position + 1 :]
    elif how == "insertion":
        word = word[:position] + letter + word[position:]
    elif how == "deletion":
        word = word[:position] + word[position + 1 :]
    else:
        position = max(position, 1)
        word = word[: position - 1] + word[position] + word[position - 1] + word[position + 1 :]
    words_[index] = word
    typo = " ".join(words_)
    assert set(blocking_keys(normalized)) & set(blocking_keys(typo)), (normalized, typo)


@given(names, names)
def test_similarity_is_symmetric_and_bounded(a, b):
    assert similarity(a, b) == similarity(b, a)
    assert 0 <= similarity(a, b) <= 100
    assert similarity(a, a) == 100
