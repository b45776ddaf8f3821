"""The commands a grid runs on its selected rows (lead: Qualify, Disqualify), one message per
record, so that one refusal leaves the others done.

Which tables have which commands is this registry; whether a command succeeds on a record is
the message's business (a closed lead is refused by QualifyLead, not here).

After a plain form post the grid redirects to itself and shows the summary once: it travels
in a short-lived cookie (``summary_cookie``/``shown_summary``), the first refusals only, as
data the page escapes, never in the URL.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_, Label, Text
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.types import Language
from leadgate.platform.records.state import SetStateRequest
from leadgate.sales.qualify import QualifyLeadRequest
from leadgate.ui.posted import PostedForm
from leadgate.ui.sessions import UiSession

__all__ = [
    "BULK_COMMANDS",
    "SUMMARY_COOKIE",
    "BulkCommand",
    "BulkSummary",
    "Choice",
    "Outcome",
    "Refusal",
    "ShownSummary",
    "run_on",
    "shown_summary",
    "summary_cookie",
]

DISQUALIFIED = 2  # lead's statecode Disqualified (REFERENCE §1)


@dataclass(frozen=True)
class Choice:
    value: str
    label: Label


@dataclass(frozen=True)
class BulkCommand:
    """A button of the grid's command bar; ``run`` sends one record's message."""

    name: str
    label: str  # catalogue text (N_)
    run: Callable[[UiSession, EntityReference, PostedForm], object]
    done_one: str  # "1 lead qualified"
    done_many: str  # "{count} leads qualified"
    # A choice the command asks for (Disqualify's reason): its field name, label and options.
    choice_field: str | None = None
    choice_label: str = ""
    choices: Callable[[TableMetadata], list[Choice]] = field(default=lambda table: [])

    def done_text(self, count: int) -> Text:
        return Text(self.done_one if count == 1 else self.done_many, count=count)


@dataclass(frozen=True)
class Outcome:
    """What happened to one record: done, or refused with a coded error."""

    id: str
    name: str
    error: LeadgateError | None = None


@dataclass(frozen=True)
class BulkSummary:
    command: BulkCommand
    outcomes: tuple[Outcome, ...]

    @property
    def done(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.error is None)

    @property
    def refused(self) -> tuple[Outcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.error is not None)


def _qualify(ui: UiSession, lead: EntityReference, form: PostedForm) -> object:
    # The grid's path (REFERENCE §5): no duplicate check; which records are made follows the
    # organization's setting (the flags left None).
    return ui.service.execute(QualifyLeadRequest(lead, suppress_duplicate_detection=True))


def _disqualify(ui: UiSession, lead: EntityReference, form: PostedForm) -> object:
    reason = form.get("reason").strip()
    if not reason.isascii() or not reason.isdigit() or len(reason) > 9:
        raise errors.INVALID_VALUE_TYPE(
            value=repr(reason[:40]), column="statuscode", table=lead.logical_name,
            expected=Text(N_("a number")),
        )  # fmt: skip
    return ui.service.execute(SetStateRequest(lead, DISQUALIFIED, int(reason)))


def _disqualified_reasons(table: TableMetadata) -> list[Choice]:
    """Every published status reason of the Disqualified state, administrators' included."""
    return [
        Choice(str(option.value), option.label)
        for option in table.column("statuscode").options
        if option.published and option.state == DISQUALIFIED
    ]


QUALIFY = BulkCommand(
    "qualify", N_("Qualify"), _qualify, N_("1 lead qualified"), N_("{count} leads qualified")
)
DISQUALIFY = BulkCommand(
    "disqualify", N_("Disqualify"), _disqualify,
    N_("1 lead disqualified"), N_("{count} leads disqualified"),
    choice_field="reason", choice_label=N_("Reason"), choices=_disqualified_reasons,
)  # fmt: skip

BULK_COMMANDS: dict[str, tuple[BulkCommand, ...]] = {"lead": (QUALIFY, DISQUALIFY)}


def _record_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _name_of(ui: UiSession, table: TableMetadata, record_id: uuid.UUID) -> str:
    """The record's name as the person may read it; its key when they may not."""
    try:
        record = ui.service.retrieve(table.name, record_id, [table.primary_name])
    except LeadgateError:
        return str(record_id)
    return str(record.get(table.primary_name) or record_id)


def run_on(
    ui: UiSession, table: TableMetadata, command: BulkCommand, ids: list[str], form: PostedForm
) -> BulkSummary:
    """``command`` on each record, each in its own message (its own transaction)."""
    outcomes = []
    for text in dict.fromkeys(ids):  # a record selected twice is one record
        record_id = _record_id(text)
        if record_id is None:
            refusal = errors.INVALID_VALUE_TYPE(
                value=repr(text[:40]), column=table.primary_key, table=table.name,
                expected=Text(N_("a GUID")),
            )  # fmt: skip
            outcomes.append(Outcome(text[:40], text[:40], refusal))
            continue
        try:
            command.run(ui, EntityReference(table.name, record_id), form)
        except LeadgateError as refusal:
            outcomes.append(Outcome(str(record_id), _name_of(ui, table, record_id), refusal))
        else:
            outcomes.append(Outcome(str(record_id), "", None))
    return BulkSummary(command, tuple(outcomes))


# --- the summary after a redirect ---------------------------------------------------------

SUMMARY_COOKIE = "leadgate_bulk"
_SHOWN_REFUSALS = 20  # then "and N more"
_COOKIE_BYTES = 3000  # well under a browser's 4096 bytes per cookie
_NAME_CHARS, _MESSAGE_CHARS = 80, 300


@dataclass(frozen=True)
class Refusal:
    name: str
    code: str
    message: str  # in the reader's language


@dataclass(frozen=True)
class ShownSummary:
    """A bulk command's summary as the grid shows it after the redirect."""

    done_text: Text
    refusals: tuple[Refusal, ...]
    more: int  # refusals not listed
    done: int = 0  # records the command went through for


def _encode(data: dict[str, object]) -> str:
    packed = zlib.compress(json.dumps(data, ensure_ascii=False).encode(), 9)
    return base64.urlsafe_b64encode(packed).decode("ascii")


def summary_cookie(summary: BulkSummary, entity_set: str, language: Language) -> str:
    """The cookie's value: the command, the count done, the first refusals (in the reader's
    ``language``) and how many more, as small as a cookie must be."""
    refused = [
        [outcome.name[:_NAME_CHARS], outcome.error.code,
         outcome.error.message(language)[:_MESSAGE_CHARS]]
        for outcome in summary.refused if outcome.error is not None
    ]  # fmt: skip
    shown = min(len(refused), _SHOWN_REFUSALS)
    while True:
        data = {"set": entity_set, "command": summary.command.name, "done": summary.done,
                "refused": refused[:shown], "more": len(refused) - shown}  # fmt: skip
        value = _encode(data)
        if len(value) <= _COOKIE_BYTES or shown == 0:
            return value
        shown -= 1


def shown_summary(value: str | None, table_name: str, entity_set: str) -> ShownSummary | None:
    """The summary the cookie carries for this grid; None when it is absent or not one."""
    if not value or len(value) > _COOKIE_BYTES:
        return None
    try:
        unpacker = zlib.decompressobj()
        raw = unpacker.decompress(base64.urlsafe_b64decode(value.encode("ascii")), 64_000)
        data = json.loads(raw)
    except (ValueError, binascii.Error, zlib.error):
        return None
    if not isinstance(data, dict) or data.get("set") != entity_set:
        return None
    commands = BULK_COMMANDS.get(table_name, ())
    command = next((c for c in commands if c.name == data.get("command")), None)
    done, more, refused = data.get("done"), data.get("more"), data.get("refused")
    if command is None or not isinstance(done, int) or not isinstance(more, int):
        return None
    if not isinstance(refused, list) or not all(
        isinstance(item, list) and len(item) == 3 and all(isinstance(x, str) for x in item)
        for item in refused
    ):
        return None
    refusals = tuple(Refusal(name, code, message) for name, code, message in refused)
    return ShownSummary(command.done_text(done), refusals, more, done)
