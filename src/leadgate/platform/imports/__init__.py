"""CSV import of records (any table; leads first): a file uploaded into the database and
imported by a system job (or, in-process, read from disk), streamed row by row, its columns
mapped by name or label, its values converted as a person wrote them, each row created (or
skipped, or updating its duplicate) alone, with a report of the rows not imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["register"]


def register(organization: Organization) -> None:
    from leadgate.platform.imports import files, job, messages
    from leadgate.platform.jobs import OperationType

    organization.register_messages(messages.MESSAGES)
    organization.register_messages(files.MESSAGES)
    organization.register_messages(job.MESSAGES)
    organization.jobs.register(job.KIND, job.run_import, operation_type=OperationType.IMPORT)
