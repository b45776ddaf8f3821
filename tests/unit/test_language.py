from __future__ import annotations

import pytest

from leadgate.platform.engine.types import Language


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("fr", Language.FRENCH),
        ("fr-CA,fr;q=0.9,en;q=0.8", Language.FRENCH),
        ("en-US,en;q=0.9,fr;q=0.8", Language.ENGLISH),
        ("de-DE,fr;q=0.5", Language.FRENCH),
        ("de-DE", None),
        ("fr;q=abc, en;q=0.1", Language.ENGLISH),
    ],
)
def test_accept_language_picks_english_or_french(header, expected):
    assert Language.negotiate(header) == expected


def test_lcids():
    assert Language.FRENCH.lcid == 1036
    assert Language.from_lcid(1036) is Language.FRENCH
    assert Language.from_lcid(None) is Language.ENGLISH
