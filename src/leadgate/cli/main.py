"""The ``leadgate`` command: init, serve, and the administration sub-commands.

Every failure a user can cause ends in one line on stderr, never a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from leadgate import __version__
from leadgate.cli import (
    audit,
    customize,
    diagnose,
    duplicates,
    imports,
    jobs,
    leads,
    maps,
    plugins,
    process,
    processes,
    security,
    signin,
    upgrade,
    users,
    worker,
    workflows,
)
from leadgate.cli.output import DbOption, PluginsOption, console, errors_console, language, say
from leadgate.platform import Organization
from leadgate.platform.engine.errors import USER_NOT_FOUND, LeadgateError
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.storage import database_url, redact
from leadgate.web.limits import DEFAULT_MAX_BATCH_BODY_SIZE, DEFAULT_MAX_BODY_SIZE
from leadgate.web.protection import DEFAULT_LIMITS, ServiceLimits
from leadgate.web.serving import ServeSettings

__all__ = ["app", "main"]

app = typer.Typer(
    name="leadgate",
    help="leadgate: lead qualification that speaks the Dataverse Web API and explains failures.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(users.users_app, name="users")
app.add_typer(users.token_app, name="token")
leads.app.command("diagnose")(diagnose.diagnose)
app.add_typer(leads.app, name="leads")
app.add_typer(maps.app, name="maps")
app.add_typer(processes.app, name="processes")
app.add_typer(process.app, name="process")
app.add_typer(workflows.app, name="workflows")
app.add_typer(customize.app, name="customize")
app.add_typer(plugins.app, name="plugins")
app.add_typer(duplicates.app, name="duplicates")
app.add_typer(jobs.app, name="jobs")
app.add_typer(security.bu_app, name="bu")
app.add_typer(security.teams_app, name="teams")
app.add_typer(security.roles_app, name="roles")


def _version() -> str:
    """The installed distribution's version (its metadata), else the source tree's."""
    try:
        return metadata.version("leadgate")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return __version__


def _print_version(value: bool) -> None:
    # Eager, so that it answers before Click asks for a command.
    if value:
        console.print(f"leadgate {_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            is_eager=True,
            callback=_print_version,
        ),
    ] = False,
) -> None:
    pass  # the options above do their work as they are read


@app.command()
def init(
    db: DbOption = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Add the demo organization: users, accounts, contacts, ~200 leads."
        ),
    ] = False,
    name: Annotated[str | None, typer.Option("--name", help="The organization's name.")] = None,
) -> None:
    """Create the organization in the database, or bring it up to date (safe to run again)."""
    url = database_url(db)
    say(N_("Setting up leadgate in {url} …"), url=redact(url))
    with Organization.create(url, name=name) as organization:
        say(
            N_("Organization ready: {count} solution(s) installed."),
            count=len(organization.solutions),
        )
        if demo:
            from leadgate.sales.demo import DEMO_PASSWORD, install_demo

            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as progress:
                tasks: dict[str, TaskID] = {}

                def report(label: str, done: int, total: int) -> None:
                    if label not in tasks:
                        tasks[label] = progress.add_task(label, total=total)
                    progress.update(tasks[label], completed=done, total=total)

                summary = install_demo(organization, progress=report)
            if summary.already_installed:
                say(N_("The demo organization was already installed."))
            say(
                N_(
                    "Demo organization: {users} users, {accounts} accounts, {contacts} contacts, "
                    "{leads} leads ({open} open, {qualified} qualified, {disqualified} "
                    "disqualified)."
                ),
                users=summary.users,
                accounts=summary.accounts,
                contacts=summary.contacts,
                leads=summary.leads,
                open=summary.leads_open,
                qualified=summary.leads_qualified,
                disqualified=summary.leads_disqualified,
            )
            say(
                N_("Demo administrator: {email}, password {password} (sign in to the browser "
                   "app once leadgate serve runs; an API token: leadgate token create --email "
                   "{email})"),
                email=summary.admin_email, password=DEMO_PASSWORD,
            )  # fmt: skip


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    certfile: Annotated[
        Path | None,
        typer.Option(help="TLS certificate (PEM) to serve HTTPS.", exists=True, dir_okay=False),
    ] = None,
    keyfile: Annotated[
        Path | None,
        typer.Option(help="TLS private key (PEM) for --certfile.", exists=True, dir_okay=False),
    ] = None,
    issue_token: Annotated[
        str | None,
        typer.Option(
            "--issue-token",
            metavar="EMAIL",
            help="Print an API token for this user: a new one, replacing the one issued "
            "before, or the one kept in --token-file.",
        ),
    ] = None,
    token_file: Annotated[
        Path | None,
        typer.Option(
            "--token-file",
            metavar="PATH",
            help="Keep the --issue-token token in this file (created readable by you only) "
            "and reuse it at every start, so that a restart locks nobody out.",
            dir_okay=False,
        ),
    ] = None,
    plugins_folder: PluginsOption = None,
    max_body_size: Annotated[
        int,
        typer.Option(
            envvar="LEADGATE_MAX_BODY_SIZE",
            min=1,
            metavar="BYTES",
            help="Largest request body accepted; larger ones get 413 unread (docs/limits.md).",
        ),
    ] = DEFAULT_MAX_BODY_SIZE,
    max_batch_body_size: Annotated[
        int,
        typer.Option(
            envvar="LEADGATE_MAX_BATCH_BODY_SIZE",
            min=1,
            metavar="BYTES",
            help="Largest $batch request body accepted.",
        ),
    ] = DEFAULT_MAX_BATCH_BODY_SIZE,
    max_requests: Annotated[
        int,
        typer.Option(
            envvar="LEADGATE_MAX_REQUESTS",
            min=0,
            metavar="N",
            help="Requests one user may send in --request-window; more get 429 (0: no limit; "
            "docs/limits.md).",
        ),
    ] = DEFAULT_LIMITS.requests,
    request_window: Annotated[
        float,
        typer.Option(
            envvar="LEADGATE_REQUEST_WINDOW",
            min=1,
            metavar="SECONDS",
            help="The sliding window of --max-requests and --max-execution-time.",
        ),
    ] = DEFAULT_LIMITS.window,
    max_execution_time: Annotated[
        float,
        typer.Option(
            envvar="LEADGATE_MAX_EXECUTION_TIME",
            min=0,
            metavar="SECONDS",
            help="Combined duration of one user's requests in the window (0: no limit).",
        ),
    ] = DEFAULT_LIMITS.execution_time,
    max_concurrent_requests: Annotated[
        int,
        typer.Option(
            envvar="LEADGATE_MAX_CONCURRENT_REQUESTS",
            min=0,
            metavar="N",
            help="Requests of one user under way at once (0: no limit).",
        ),
    ] = DEFAULT_LIMITS.concurrent,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            envvar="LEADGATE_WORKERS",
            min=1,
            metavar="N",
            help="Processes serving requests. Default: the number of cores on PostgreSQL, 1 on "
            "SQLite (docs/limits.md). Each counts service protection on its own.",
            show_default=False,
        ),
    ] = None,
    embedded_worker: Annotated[
        bool | None,
        typer.Option(
            "--worker/--no-worker",
            help="Run system jobs in this process too (one job worker, however many --workers). "
            "Default: on for SQLite (its one worker), off for PostgreSQL (run leadgate worker).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the Web API (Dataverse-compatible, under /api/data/v9.2)."""
    if (certfile is None) != (keyfile is None):
        raise typer.BadParameter("--certfile and --keyfile go together", param_hint="--keyfile")
    if token_file is not None and issue_token is None:
        raise typer.BadParameter("--token-file keeps the --issue-token token: give both",
                                 param_hint="--token-file")  # fmt: skip
    import uvicorn

    organization = Organization.open(database_url(db), plugins=plugins_folder)
    token = _token_to_print(organization, issue_token, token_file)
    scheme = "https" if certfile else "http"
    site_url = f"{scheme}://{signin.shown_host(host)}:{port}"
    signin.announce_app(organization, site_url + "/")
    signin.announce(site_url + "/api/data/v9.2", issue_token, token, token_file)
    for line in plugins.startup_report(organization, language()):
        console.print(line, soft_wrap=True)
    sqlite = organization.url.startswith("sqlite")
    if embedded_worker is None:
        embedded_worker = sqlite
    if workers is None:  # SQLite's writers take turns within one process only (docs/limits.md)
        workers = 1 if sqlite else _cores()
    elif workers > 1 and sqlite:
        say(N_("{workers} processes share the SQLite database: a write may wait seconds "
               "behind a running job (docs/limits.md)."), workers=workers)  # fmt: skip
    runner = worker.embedded_worker(organization) if embedded_worker else None
    settings = ServeSettings(
        database_url=organization.url,
        plugins=str(plugins_folder) if plugins_folder is not None else None,
        max_body_size=max_body_size,
        max_batch_body_size=max_batch_body_size,
        limits=ServiceLimits(
            requests=max_requests,
            window=request_window,
            execution_time=max_execution_time,
            concurrent=max_concurrent_requests,
        ),
    )
    try:
        _serve(organization, settings, uvicorn, host, port, certfile, keyfile,
               workers)  # fmt: skip
    finally:
        if runner is not None:  # uvicorn has stopped: let the current job finish, or give it back
            runner.stop()
            if not runner.join(grace=10):
                runner.release_running()
        if workers > 1:  # the app of one process keeps it: tests read it once served
            organization.close()


def _token_to_print(
    organization: Organization, email: str | None, token_file: Path | None
) -> str | None:
    """The --issue-token token; an address no user has stops ``serve`` with the way to find
    the right one."""
    if email is None:
        return None
    try:
        return signin.issue_token(organization, email, token_file)
    except LeadgateError as error:
        if error.kind is USER_NOT_FOUND:
            errors_console.print(f"error {error.code}: {error.message(language())}", soft_wrap=True)
            say(N_("The users and their e-mail addresses: leadgate users list"))
            raise typer.Exit(1) from None
        raise


def _cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _serve(organization: Organization, settings: ServeSettings, uvicorn: Any, host: str,
           port: int, certfile: Path | None, keyfile: Path | None,
           workers: int) -> None:  # fmt: skip
    """Serve in this process (one worker), or in ``workers`` processes that each open the
    organization from ``settings``; this one then only watches them (and runs the job
    worker, if any: once, here)."""
    from leadgate.web.serving import FACTORY, SETTINGS_VARIABLE

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "ssl_certfile": str(certfile) if certfile else None,
        "ssl_keyfile": str(keyfile) if keyfile else None,
        "log_level": "info",
    }
    if workers == 1:
        uvicorn.run(settings.app(organization), **options)
        return
    os.environ[SETTINGS_VARIABLE] = settings.to_environment()
    try:
        uvicorn.run(FACTORY, factory=True, workers=workers, **options)
    finally:
        os.environ.pop(SETTINGS_VARIABLE, None)


app.command("share")(security.share)
app.command("upgrade")(upgrade.upgrade)
app.command("import")(imports.import_file)
app.command("purge-imports")(imports.purge)
app.command("audit")(audit.audit)
app.command("worker")(worker.worker)


@functools.cache
def _command() -> Any:
    """The command tree, built once a process: Typer reads every command's signature (~0.1 s)."""
    return typer.main.get_command(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 1 refused, 2 bad usage, 70 internal error)."""
    command = _command()
    try:
        result = command.main(args=argv, prog_name="leadgate", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except LeadgateError as error:
        errors_console.print(f"error {error.code}: {error.message(language())}", soft_wrap=True)
        return 1
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort:
        errors_console.print("aborted")
        return 1
    except typer.TyperException as error:  # Typer's usage errors: bad options, missing ones
        context = getattr(error, "ctx", None)
        # A bare group (``leadgate``, ``leadgate leads``) asks for its help: not an error.
        # Matched by name: Typer vendors its own copy of Click's exception classes.
        if type(error).__name__ == "NoArgsIsHelpError" and context is not None:
            console.print(context.get_help(), soft_wrap=True, markup=False, highlight=False)
            return 0
        hint = f" (see: {context.command_path} --help)" if context is not None else ""
        message = error.format_message() if hasattr(error, "format_message") else str(error)
        errors_console.print(f"error: {message}{hint}", soft_wrap=True)
        return int(getattr(error, "exit_code", 2))
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug, not bad input: one line, details on demand
        if os.environ.get("LEADGATE_DEBUG"):
            raise
        errors_console.print(
            f"internal error: {type(error).__name__}: {error} (set LEADGATE_DEBUG=1 for details)",
            soft_wrap=True,
        )
        return 70


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
