"""The reader's language from the ``Accept-Language`` header: parsing HTTP is the web's job.

The platform only knows :class:`~leadgate.platform.engine.types.Language`; this module turns the
header into one (RFC 9110 §12.5.4: language ranges weighted by ``q``).
"""

from __future__ import annotations

import re

from leadgate.platform.engine.types import Language

__all__ = ["accept_language"]


def accept_language(header: str | None) -> Language | None:
    """The language the header prefers among English and French; None when it names neither.

    The highest ``q`` wins, the first listed on a tie; ``q=0`` means "not this one", and a
    malformed ``q`` counts as 0. A region (``fr-CA``) stands for its language; ``*`` states no
    preference, so the caller falls back to the user's own language.
    """
    if not header:
        return None
    best: tuple[float, Language] | None = None
    for language_range in header.split(","):
        tag, *params = (part.strip() for part in language_range.split(";"))
        quality = _quality(params)
        primary = tag.lower().partition("-")[0]
        if primary not in (Language.ENGLISH, Language.FRENCH) or quality <= 0:
            continue
        if best is None or quality > best[0]:
            best = (quality, Language(primary))
    return best[1] if best else None


# RFC 9110 §12.4.2: a weight is 0 to 1 with at most three decimals, in ASCII digits.
_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            value = value.strip()
            return float(value) if _QVALUE.fullmatch(value) else 0.0
    return 1.0
