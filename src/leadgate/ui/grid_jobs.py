"""Grid commands too large for one request run as system jobs: Qualify on more than
``LARGE_SELECTION`` leads, or on every lead of the view ("Qualify all N leads of this view"),
queues BulkQualifyLeads (the grid's path, lead by lead, each lead's outcome kept) and takes
the person to the job's page, which follows its progress and then shows what it did.

A smaller selection keeps the grid's own way (ui/grid.py): one message per lead, with
progress in the page. ``LARGE_SELECTION`` is the one place the limit is set: the grid's
script reads it from the page to leave a large selection to the server.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import Response

from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.query import QueryExpression
from leadgate.sales.bulk_qualify import BulkQualifyLeadsRequest
from leadgate.ui.grid_views import GridRequest, view_query
from leadgate.ui.job_views import job_url
from leadgate.ui.jobs import JOBS_URL
from leadgate.ui.pages import redirect_with_notice
from leadgate.ui.sessions import UiSession

__all__ = ["ALL_FIELD", "JOB_COMMANDS", "LARGE_SELECTION", "JobCommand", "queue_command"]

LARGE_SELECTION = 20  # more selected rows than this: the command runs as a system job
ALL_FIELD = "all"  # the "… all N rows of this view" button's field (value "1")


@dataclass(frozen=True)
class Queued:
    job_ids: tuple[uuid.UUID, ...]
    count: int


@dataclass(frozen=True)
class JobCommand:
    """How a grid command runs as a job: ``queue(ui, ids, query, name)`` queues it on the
    ids given, or on the rows ``query`` matches; the texts say so (catalogue texts)."""

    queue: Callable[[UiSession, tuple[uuid.UUID, ...], QueryExpression | None, str], Queued]
    all_label: str  # the button: "Qualify all {count} leads of this view"
    confirm: str  # what the button asks first (with JavaScript)
    hint: str  # beside the buttons: when the command becomes a job
    selection_name: str  # the job's name: "Qualify {count} selected leads"
    view_name: str  # "Qualify the leads of the view {view}"
    queued_one: str  # the notice on the job's page
    queued_many: str


def _qualify(
    ui: UiSession, ids: tuple[uuid.UUID, ...], query: QueryExpression | None, name: str
) -> Queued:
    response = ui.service.execute(BulkQualifyLeadsRequest(lead_ids=ids, query=query, name=name))
    return Queued(tuple(response.job_ids), response.count)


JOB_COMMANDS: dict[tuple[str, str], JobCommand] = {
    ("lead", "qualify"): JobCommand(
        _qualify,
        all_label=N_("Qualify all {count} leads of this view"),
        confirm=N_(
            "Qualify all {count} leads of this view? They are qualified in the background, "
            "as a system job; closed leads are left as they are."
        ),
        hint=N_("Qualifying more than {count} leads at once runs in the background (System Jobs)."),
        selection_name=N_("Qualify {count} selected leads"),
        view_name=N_("Qualify the leads of the view {view}"),
        queued_one=N_(
            "1 lead is being qualified in the background. This page follows the job; you "
            "may leave it, the job goes on (System Jobs lists it)."
        ),
        queued_many=N_(
            "{count} leads are being qualified in the background. This page follows the "
            "job; you may leave it, the job goes on (System Jobs lists it)."
        ),
    ),
}


def _ids(table: TableMetadata, texts: list[str]) -> tuple[uuid.UUID, ...]:
    found = []
    for text in dict.fromkeys(texts):  # a row selected twice is one row
        try:
            found.append(uuid.UUID(text))
        except ValueError:
            raise errors.INVALID_VALUE_TYPE(
                value=repr(text[:40]), column=table.primary_key, table=table.name,
                expected=Text(N_("a GUID")),
            ) from None  # fmt: skip
    return tuple(found)


def queue_command(
    ui: UiSession, table: TableMetadata, command: JobCommand, ids: list[str],
    asked: GridRequest | None,
) -> Response:  # fmt: skip
    """Queue ``command`` on the selected ``ids`` or, with ``asked`` (the grid's state), on
    every row of its view; to the job's page (the list when there are several parts).
    A refusal (no lead left to qualify, say) is raised for the grid to show."""
    if asked is not None:
        view, query = view_query(ui, table, asked)
        name = Text(command.view_name, view=view.name)
        queued = command.queue(ui, (), query, name.in_language(ui.language))
    else:
        selected = _ids(table, ids)
        name = Text(command.selection_name, count=len(selected))
        queued = command.queue(ui, selected, None, name.in_language(ui.language))
    url = job_url(queued.job_ids[0]) if len(queued.job_ids) == 1 else f"{JOBS_URL}?show=running"
    notice = Text(command.queued_one if queued.count == 1 else command.queued_many,
                  count=queued.count)  # fmt: skip
    return redirect_with_notice(url, notice.in_language(ui.language))
