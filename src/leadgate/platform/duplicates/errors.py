"""Duplicate detection's refusals (REFERENCE §5, §8)."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = [
    "DUPLICATE_DETECTED",
    "DUPLICATE_RULE_ALREADY_PUBLISHED",
    "DUPLICATE_RULE_NOT_PUBLISHING",
    "DUPLICATE_RULE_PUBLISHED",
    "INVALID_DUPLICATE_RULE",
    "NOT_A_DETECTION_JOB",
    "NO_DUPLICATE_RULE",
    "NO_PUBLISHED_DUPLICATE_RULE",
    "TOO_MANY_PUBLISHED_RULES",
]

DUPLICATE_DETECTED = ErrorKind(
    "duplicate_detected",
    "0x80040333",
    N_(
        "A record was not created or updated because a duplicate of the current record "
        "already exists."
    ),
)
TOO_MANY_PUBLISHED_RULES = ErrorKind(
    "too_many_published_rules",
    "0x8F4C477C",
    N_(
        "A table can have at most {limit} published duplicate detection rules, and {table} "
        "has them already: {rules}. Unpublish one of them first."
    ),
)
INVALID_DUPLICATE_RULE = ErrorKind(
    "invalid_duplicate_rule",
    "0x8F4C477D",
    N_("The duplicate detection rule '{rule}' cannot work: {reason}"),
)
DUPLICATE_RULE_PUBLISHED = ErrorKind(
    "duplicate_rule_published",
    "0x8F4C477E",
    N_(
        "The duplicate detection rule '{rule}' is {status}: unpublish it before changing its "
        "tables or conditions."
    ),
)
NO_DUPLICATE_RULE = ErrorKind(
    "no_duplicate_rule",
    "0x8F4C477F",
    N_("No duplicate detection rule is named or has the id '{rule}'."),
)
DUPLICATE_RULE_ALREADY_PUBLISHED = ErrorKind(
    "duplicate_rule_already_published",
    "0x8F4C47FC",
    N_(
        "The duplicate detection rule '{rule}' is already published: its match codes are "
        "current. To compute them again, unpublish it, then publish it."
    ),
)
DUPLICATE_RULE_NOT_PUBLISHING = ErrorKind(
    "duplicate_rule_not_publishing",
    "0x8F4C47FD",
    N_(
        "The duplicate detection rule '{rule}' is {status}: it was unpublished while it was "
        "being published, so publishing stopped. Publish it again to start over."
    ),
)
NO_PUBLISHED_DUPLICATE_RULE = ErrorKind(
    "no_published_duplicate_rule",
    "0x8F4C47FE",
    N_(
        "No published duplicate detection rule checks {table} records, so there is nothing "
        "to detect duplicates with. Publish one first (rules of {table}: {rules})."
    ),
)
NOT_A_DETECTION_JOB = ErrorKind(
    "not_a_detection_job",
    "0x8F4C47FF",
    N_(
        "The system job {job} is not a duplicate detection job run by this user: duplicates "
        "are stored only by the job that found them."
    ),
)
