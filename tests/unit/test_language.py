from __future__ import annotations

import pytest

from leadgate.platform.engine.types import Language
from leadgate.web.languages import accept_language


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("fr", Language.FRENCH),
        ("FR-ca", Language.FRENCH),
        ("fr-CA,fr;q=0.9,en;q=0.8", Language.FRENCH),
        ("en-US,en;q=0.9,fr;q=0.8", Language.ENGLISH),
        ("de-DE,fr;q=0.5", Language.FRENCH),
        ("de-DE", None),
        ("*", None),  # no preference: the user's own language
        ("fr;q=abc, en;q=0.1", Language.ENGLISH),  # a malformed weight counts as 0
        ("fr;q=0", None),  # q=0 is "not French"
        ("en;q=0, fr;q=0.2", Language.FRENCH),
        ("en;q=0.5, fr;q=0.5", Language.ENGLISH),  # a tie: the first listed
        ("fr;level=1;q=0.3, en;q=0.4", Language.ENGLISH),  # the weight after another param
        ("fr;q=1.5, en;q=0.1", Language.ENGLISH),  # weights stop at 1
        ("fr;q=\u0661, en;q=0.1", Language.ENGLISH),  # ASCII digits only
        ("francais, en", Language.ENGLISH),  # a language, not a prefix
    ],
)
def test_accept_language_picks_english_or_french(header, expected):
    assert accept_language(header) == expected


def test_lcids():
    assert Language.FRENCH.lcid == 1036
    assert Language.from_lcid(1036) is Language.FRENCH
    assert Language.from_lcid(None) is Language.ENGLISH
