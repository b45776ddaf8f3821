"""``leadgate worker``: claim and run system jobs until stopped; and the worker that
``leadgate serve`` embeds (SQLite's one worker, so that ``make run`` needs one command).

SIGTERM or SIGINT asks for a graceful stop: the current jobs finish, or, past the grace
period, are given back to the queue for another worker to take.
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Annotated

import typer

from leadgate.cli.jobs import job_line
from leadgate.cli.output import DbOption, PluginsOption, console, open_organization, say
from leadgate.platform import Entity, LeadgateError, Organization
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.types import Language
from leadgate.platform.jobs import JobOutcome, Worker

__all__ = ["embedded_worker", "worker"]


def _printer(organization: Organization) -> Callable[[JobOutcome], None]:
    table = organization.metadata().table("asyncoperation")

    def print_outcome(outcome: JobOutcome) -> None:
        if outcome.status is None:
            say(N_("job {id} {name}: taken over by another worker"), id=outcome.job_id,
                name=repr(outcome.name))  # fmt: skip
            return
        try:
            job = organization.system_service().retrieve("asyncoperation", outcome.job_id)
        except LeadgateError:  # the database away this moment: the line from what ran
            error = outcome.error
            job = Entity("asyncoperation", outcome.job_id, name=outcome.name,
                         statuscode=int(outcome.status), errorcode=error.code if error else None,
                         message=error.message(Language.ENGLISH) if error else None,
                         message_fr=error.message(Language.FRENCH) if error else None)  # fmt: skip
        console.print(job_line(table, job, outcome.seconds), soft_wrap=True, markup=False)

    return print_outcome


def worker(
    db: DbOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="Run the jobs ready now, then stop.")
    ] = False,
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Jobs run at the same time (threads).")
    ] = 1,
    poll: Annotated[
        float, typer.Option(min=0.05, metavar="SECONDS", help="Wait between looks for jobs.")
    ] = 2.0,
    lease: Annotated[
        float,
        typer.Option(
            min=1,
            metavar="SECONDS",
            help="A job's lease, renewed every third of it while the job runs: "
            "a worker stopped that long has its jobs taken over.",
        ),
    ] = 300.0,
    grace: Annotated[
        float,
        typer.Option(
            min=0,
            metavar="SECONDS",
            help="At a stop, how long running jobs may finish before they are given back.",
        ),
    ] = 30.0,
    plugins_folder: PluginsOption = None,
) -> None:
    """Run system jobs (asyncoperation) until stopped (SIGTERM, Ctrl+C)."""
    with open_organization(db, plugins_folder) as organization:
        runner = Worker(
            organization, concurrency=concurrency, poll=poll,
            lease=dt.timedelta(seconds=lease), on_job=_printer(organization),
        )  # fmt: skip
        if once:
            if not runner.run_once():
                say(N_("No system job was waiting."))
            return
        stopped = threading.Event()

        def ask_to_stop(_signal: int, _frame: FrameType | None) -> None:
            runner.stop()
            stopped.set()

        previous = {sig: signal.signal(sig, ask_to_stop) for sig in (signal.SIGTERM,
                                                                      signal.SIGINT)}  # fmt: skip
        try:
            say(N_("Worker {id} runs system jobs ({count} at a time). Stop: Ctrl+C."),
                id=runner.worker_id, count=concurrency)  # fmt: skip
            runner.start()
            while not stopped.wait(0.5):
                pass
            if not runner.join(grace):
                for job_id in runner.release_running():
                    say(N_("job {id}: given back to the queue"), id=job_id)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def embedded_worker(organization: Organization, *, poll: float = 1.0) -> Worker:
    """A one-thread worker inside ``leadgate serve``, started."""
    runner = Worker(organization, concurrency=1, poll=poll, on_job=_printer(organization))
    runner.start()
    return runner
