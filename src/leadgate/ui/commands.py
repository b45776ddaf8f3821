"""The command bar of a record's form: which commands a table has, and when it offers them.

``COMMANDS`` is the registry (lead: Qualify, Disqualify, Reactivate; opportunity: Close as
Won, Close as Lost, Reopen; account and contact: Deactivate, Activate). A command is offered
by the record's state (Qualify on an open lead, Reactivate on a closed one); whether it
succeeds is the messages' business (``ui.lifecycle`` runs them as the signed-in person).
A command that asks a status reason first opens a dialog listing the reasons of its target
state, read from the table's ``statuscode`` metadata (an administrator's additions too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata, OptionMetadata, TableMetadata
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import record_url

__all__ = [
    "COMMANDS",
    "DIAGNOSIS",
    "LINKS",
    "Command",
    "CommandSpec",
    "RecordLink",
    "command_spec",
    "dialog_id",
    "extra_columns",
    "record_commands",
    "record_link",
    "record_links",
    "status_reasons",
]

QUALIFY = "qualify"
DIAGNOSIS = "diagnosis"  # the lead's qualification check (ui/diagnosis.py)
STATUS_DIALOG = "_dialog_status.html"


@dataclass(frozen=True)
class Command:
    label: Text
    action: str  # the URL a form posts to, or "" for a dialog opener
    dialog: str | None = None  # the id of the dialog it opens (a link ?dialog=<id> without JS)
    primary: bool = False
    name: str = ""  # the command's key: the last segment of ``action``
    template: str | None = None  # the dialog's partial (when ``dialog``)
    context: Mapping[str, Any] = field(default_factory=dict)  # what the dialog shows


@dataclass(frozen=True)
class CommandSpec:
    """One command of a table: ``key`` is its URL segment; it is offered on records in one
    of ``states``; it sets ``target_state`` (None: QualifyLead), asking a status reason of
    that state first when ``asks_reason``, and the values of ``columns`` the table has.
    ``done`` is the sentence the record's page says after it ("The lead was reactivated.")."""

    key: str
    label: str  # a catalogue text
    states: frozenset[int]
    target_state: int | None
    done: str = ""  # a catalogue text
    asks_reason: bool = False
    columns: tuple[str, ...] = ()
    primary: bool = False


def _spec(key: str, label: str, states: set[int], target: int | None, **more: Any) -> CommandSpec:
    return CommandSpec(key, label, frozenset(states), target, **more)


# State numbers are the platform's (REFERENCE §1): lead 0 Open, 1 Qualified, 2 Disqualified;
# opportunity 0 Open, 1 Won, 2 Lost; account and contact 0 Active, 1 Inactive.
# Dynamics' close dialog asks the actual revenue and close date too, where the table has them.
_CLOSING = ("actualrevenue", "actualclosedate")
COMMANDS: dict[str, tuple[CommandSpec, ...]] = {
    "lead": (
        _spec(QUALIFY, N_("Qualify"), {0}, None, primary=True),  # its notice: ui.lifecycle
        _spec(
            "disqualify",
            N_("Disqualify"),
            {0},
            2,
            asks_reason=True,
            done=N_("The lead was disqualified."),
        ),
        _spec("reactivate", N_("Reactivate"), {1, 2}, 0, done=N_("The lead was reactivated.")),
    ),
    "opportunity": (
        _spec(
            "win",
            N_("Close as Won"),
            {0},
            1,
            asks_reason=True,
            columns=_CLOSING,
            primary=True,
            done=N_("The opportunity was closed as won."),
        ),
        _spec(
            "lose",
            N_("Close as Lost"),
            {0},
            2,
            asks_reason=True,
            columns=_CLOSING,
            done=N_("The opportunity was closed as lost."),
        ),
        _spec(
            "reopen", N_("Reopen Opportunity"), {1, 2}, 0, done=N_("The opportunity was reopened.")
        ),
    ),
    "account": (
        _spec("deactivate", N_("Deactivate"), {0}, 1, done=N_("The account was deactivated.")),
        _spec("activate", N_("Activate"), {1}, 0, done=N_("The account was activated.")),
    ),
    "contact": (
        _spec("deactivate", N_("Deactivate"), {0}, 1, done=N_("The contact was deactivated.")),
        _spec("activate", N_("Activate"), {1}, 0, done=N_("The contact was activated.")),
    ),
}


@dataclass(frozen=True)
class RecordLink:
    """A page about the record that the command bar links to (a GET: it changes nothing)."""

    label: Text
    url: str


# The record's pages beside its commands, by table: (label, the page's last URL segment).
# The lead's qualification check is offered whatever its state: it says why a closed lead
# cannot be qualified too.
LINKS: dict[str, tuple[tuple[str, str], ...]] = {
    "lead": ((N_("Why can't I qualify?"), DIAGNOSIS),),
}


def record_links(table: TableMetadata, record: Entity | None) -> list[RecordLink]:
    """The links the form's command bar offers for ``record`` (none on a new record)."""
    if record is None or record.id is None:
        return []
    url = record_url(table.entity_set, record.id)
    return [RecordLink(Text(label), f"{url}/{page}") for label, page in LINKS.get(table.name, ())]


def record_link(table: TableMetadata, record_id: object, page: str) -> RecordLink | None:
    """The link to one of the record's pages (a refused command's error offers it)."""
    for label, segment in LINKS.get(table.name, ()):
        if segment == page:
            return RecordLink(Text(label), f"{record_url(table.entity_set, record_id)}/{page}")
    return None


def command_spec(table: TableMetadata, key: str) -> CommandSpec | None:
    return next((spec for spec in COMMANDS.get(table.name, ()) if spec.key == key), None)


def dialog_id(key: str) -> str:
    return f"dialog-{key}"


def status_reasons(table: TableMetadata, state: int) -> list[OptionMetadata]:
    """The published status reasons of ``state``, in the metadata's order."""
    return [
        option
        for option in table.column("statuscode").options
        if option.published and option.state == state
    ]


def extra_columns(table: TableMetadata, spec: CommandSpec) -> list[ColumnMetadata]:
    """The columns the command's dialog asks for, those of ``spec.columns`` the table has."""
    return [table.columns[name] for name in spec.columns if name in table.columns]


def _default_reason(table: TableMetadata, state: int) -> int | None:
    option = table.column("statecode").option(state)
    return option.default_status if option is not None else None


def record_commands(ui: UiSession, table: TableMetadata, record: Entity | None) -> list[Command]:
    """The commands the form offers for ``record`` (none on a record not saved yet)."""
    if record is None or record.id is None or not table.has_state:
        return []
    state = record.get("statecode")
    url = record_url(table.entity_set, record.id)
    commands = []
    for spec in COMMANDS.get(table.name, ()):
        if state not in spec.states:
            continue
        action = f"{url}/{spec.key}"
        if not spec.asks_reason or spec.target_state is None:
            commands.append(Command(Text(spec.label), action, primary=spec.primary,
                                    name=spec.key))  # fmt: skip
            continue
        target_state = table.column("statecode").option(spec.target_state)
        context = {
            "title": Text(spec.label),
            "key": spec.key,  # its fields' prefix (ui.lifecycle reads "<key>.status")
            "action": action,
            "state": target_state.label if target_state else str(spec.target_state),
            "reasons": status_reasons(table, spec.target_state),
            "default": _default_reason(table, spec.target_state),
            "columns": extra_columns(table, spec),
            "cancel": url,
        }
        commands.append(Command(Text(spec.label), action, dialog=dialog_id(spec.key),
                                primary=spec.primary, name=spec.key, template=STATUS_DIALOG,
                                context=context))  # fmt: skip
    return commands
