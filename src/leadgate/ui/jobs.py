"""The System Jobs pages (/app/asyncoperations): the list, a job's page with its progress and
results, its progress as JSON for the page's script, and the Cancel and Retry commands.

The address is the table's, as for any record (``record_url("asyncoperations", id)``), so a
link to a job from anywhere opens this page. While a job runs its page follows it: with
JavaScript (static/job.js) by polling ``/progress`` and reloading once it is over; without,
by a refresh the page asks for (``<noscript>``) and a Refresh link.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.jobs import CancelJobRequest, JobStatus, RetryJobRequest
from leadgate.ui.app import SignedIn, check_csrf
from leadgate.ui.job_views import job_url, progress_of, read_job, read_jobs
from leadgate.ui.pages import page, redirect_with_notice
from leadgate.ui.posted import read_form
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import record_id_of, table_url
from leadgate.web.errors import status_of

__all__ = ["JOBS_URL", "POLL_MS", "REFRESH_SECONDS", "router"]

router = APIRouter()

JOBS_URL = table_url("asyncoperations")  # the asyncoperation table's entity set
POLL_MS = 1500  # how often job.js asks a running job's progress
REFRESH_SECONDS = 5  # how often the page reloads itself without JavaScript, while a job runs
_NOTICES = {
    JobStatus.CANCELED: N_("The system job was canceled."),
    JobStatus.CANCELING: N_("The system job will stop at its next step."),
}
_RETRIED = N_("The system job was queued again: it continues where it stopped.")


def _number(text: str | None, default: int, lowest: int) -> int:
    """A page or position from the address; anything else (``--5``, ``1e9``…): the default."""
    if text and len(text) <= 10 and _INTEGER.fullmatch(text):
        return max(lowest, int(text))
    return default


_INTEGER = re.compile(r"-?[0-9]+")


def _query(request: Request, name: str) -> str:
    return request.query_params.get(name, "")


@router.get(JOBS_URL.removeprefix("/app"))
def jobs_page(request: Request, ui: SignedIn) -> Response:
    running_only = _query(request, "show") == "running"
    jobs = read_jobs(ui, running_only=running_only, page=_number(_query(request, "page"), 1, 1))
    return page(request, ui, "jobs.html", jobs=jobs, jobs_url=JOBS_URL, **_tables(ui),
                refresh=REFRESH_SECONDS if jobs.running else None)  # fmt: skip


def _tables(ui: UiSession) -> dict[str, Any]:
    """The tables whose labels head the pages' columns (in the reader's language)."""
    metadata = ui.metadata()
    return {"jobs_table": metadata.table("asyncoperation"),
            "results_table": metadata.table("jobresult")}  # fmt: skip


def job_page(
    request: Request, ui: UiSession, job: str, *, status_code: int = 200,
    error: LeadgateError | None = None, showing: str = "failed", after: int = -1,
) -> Response:  # fmt: skip
    view = read_job(ui, record_id_of(job), showing=showing, after=after)
    return page(
        request, ui, "job.html", status_code=status_code, error=error, job=view,
        jobs_url=JOBS_URL, url=job_url(view.id), poll_ms=POLL_MS, **_tables(ui),
        refresh=REFRESH_SECONDS if view.running else None, address=job_url(view.id),
    )  # fmt: skip


@router.get(JOBS_URL.removeprefix("/app") + "/{job}")
def show_job(request: Request, job: str, ui: SignedIn) -> Response:
    showing = "all" if _query(request, "results") == "all" else "failed"
    return job_page(request, ui, job, showing=showing,
                    after=_number(_query(request, "after"), -1, -1))  # fmt: skip


@router.get(JOBS_URL.removeprefix("/app") + "/{job}/progress")
def job_progress(job: str, ui: SignedIn) -> Response:
    """The job's status and progress as JSON, for job.js; a refusal as a coded error."""
    try:
        body: dict[str, Any] = progress_of(ui, record_id_of(job))
    except LeadgateError as refusal:
        body = {"ok": False, "code": refusal.code, "message": refusal.message(ui.language)}
        return JSONResponse(body, status_code=status_of(refusal),
                            headers={"Cache-Control": "no-store"})  # fmt: skip
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get(JOBS_URL.removeprefix("/app") + "/{job}/{command}")
def after_job_command(job: str, command: str, ui: SignedIn) -> Response:
    """A command's address reloaded, or reached by Back: the job's page (a GET runs none)."""
    if command not in ("cancel", "retry"):
        raise HTTPException(404)
    return RedirectResponse(job_url(record_id_of(job)), status_code=303)


@router.post(JOBS_URL.removeprefix("/app") + "/{job}/cancel")
async def cancel_job(request: Request, job: str, ui: SignedIn) -> Response:
    job_id = record_id_of(job)
    check_csrf(ui, await read_form(request))
    try:
        status = ui.service.execute(CancelJobRequest(job_id)).status
    except LeadgateError as refusal:
        return job_page(request, ui, job, status_code=status_of(refusal), error=refusal)
    notice = Text(_NOTICES.get(status, _NOTICES[JobStatus.CANCELED]))
    return redirect_with_notice(job_url(job_id), notice.in_language(ui.language))


@router.post(JOBS_URL.removeprefix("/app") + "/{job}/retry")
async def retry_job(request: Request, job: str, ui: SignedIn) -> Response:
    job_id = record_id_of(job)
    check_csrf(ui, await read_form(request))
    try:
        ui.service.execute(RetryJobRequest(job_id))
    except LeadgateError as refusal:
        return job_page(request, ui, job, status_code=status_of(refusal), error=refusal)
    return redirect_with_notice(job_url(job_id), Text(_RETRIED).in_language(ui.language))
