"""Errors are values: a kind from one catalogue (code, key, English text) and parameters.

Codes follow Dataverse where the platform has one (REFERENCE §8); codes starting with
``0x8F4C47`` ("LG") are leadgate's own, for refusals Dataverse words differently or not at all.
Interfaces render the text in the user's language with :func:`leadgate.platform.engine.i18n.render`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from leadgate.platform.engine.i18n import N_, Label, render
from leadgate.platform.engine.types import Language

__all__ = [
    "CATALOGUE",
    "ErrorKind",
    "InvalidPluginExecutionError",
    "LeadgateError",
]


@dataclass(frozen=True, slots=True)
class ErrorKind:
    key: str
    code: str
    text: str

    registry: ClassVar[dict[str, ErrorKind]] = {}

    def __post_init__(self) -> None:
        known = ErrorKind.registry.get(self.key)
        if known is not None and known != self:
            raise ValueError(f"error key {self.key!r} is already in the catalogue")
        ErrorKind.registry[self.key] = self

    def __call__(self, **params: Any) -> LeadgateError:
        return LeadgateError(self, **params)


CATALOGUE = ErrorKind.registry


class LeadgateError(Exception):
    """A refusal users read: the operation was rolled back and nothing changed."""

    def __init__(self, kind: ErrorKind, /, **params: Any) -> None:
        self.kind = kind
        self.params = params
        self.cause: Any = None
        # Data a program acts on (the records a duplicate rule matched): plain JSON values.
        self.details: dict[str, Any] = {}
        super().__init__(self.message(Language.ENGLISH))

    def because(self, cause: Any) -> LeadgateError:
        """The same error, followed by why it happened here (a Text or Label): how leadgate
        explains failures the platform's own sentence cannot, e.g. which map copied a value."""
        explained = LeadgateError(self.kind, **self.params)
        explained.cause = cause
        explained.details = dict(self.details)
        explained.args = (explained.message(Language.ENGLISH),)
        return explained

    def with_details(self, **details: Any) -> LeadgateError:
        self.details.update(details)
        return self

    @property
    def code(self) -> str:
        return self.kind.code

    @property
    def key(self) -> str:
        return self.kind.key

    def message(self, language: Language | str = Language.ENGLISH) -> str:
        text = render(self.kind.text, self.params, language)
        if self.cause is not None:
            text = f"{text} {self.cause.in_language(language)}"
        return text

    def __repr__(self) -> str:
        return f"LeadgateError({self.code} {self.key}: {self.message()!r})"


# --- records and columns ---------------------------------------------------------------
UNKNOWN_TABLE = ErrorKind("unknown_table", "0x80041102", N_("The table '{table}' does not exist."))
UNKNOWN_COLUMN = ErrorKind(
    "unknown_column",
    "0x80041103",
    N_("The table '{table}' has no column '{column}'."),
)
UNPUBLISHED_COLUMN = ErrorKind(
    "unpublished_column",
    "0x8F4C4701",
    N_(
        "The column '{column}' of table '{table}' is not published yet. "
        "Publish the customizations (leadgate customize publish) before using it."
    ),
)
INVALID_VALUE_TYPE = ErrorKind(
    "invalid_value_type",
    "0x80040203",
    N_(
        "The value {value} is not valid for the column '{column}' of table '{table}': "
        "expected {expected}."
    ),
)
STRING_TOO_LONG = ErrorKind(
    "string_too_long",
    "0x80044331",
    N_(
        "A validation error occurred. The length of the '{column}' attribute of the "
        "'{table}' entity exceeded the maximum allowed length of '{max_length}' "
        "({length} characters given)."
    ),
)
VALUE_OUT_OF_RANGE = ErrorKind(
    "value_out_of_range",
    "0x8F4C4702",
    N_(
        "The value {value} of the column '{column}' of table '{table}' is outside the valid "
        "range: {minimum} to {maximum}."
    ),
)
PICKLIST_OUT_OF_RANGE = ErrorKind(
    "picklist_out_of_range",
    "0x8004431A",
    N_(
        "The picklist value is out of the range: {value} is not an option of the column "
        "'{column}' of table '{table}'. Valid values: {valid}."
    ),
)
REQUIRED_FIELD_MISSING = ErrorKind(
    "required_field_missing",
    "0x80040200",
    N_("Required field missing: '{column}' ({label}) on table '{table}' needs a value."),
)
INVALID_STATE_STATUS = ErrorKind(
    "invalid_state_status",
    "0x80048408",
    N_("{status} is not a valid status code for state code {state_name} on {table} with Id {id}."),
)
INVALID_STATE = ErrorKind(
    "invalid_state",
    "0x8F4C4703",
    N_("{state} is not a valid state code for table '{table}'. Valid values: {valid}."),
)
RECORD_NOT_FOUND = ErrorKind(
    "record_not_found", "0x80040217", N_("{table} With Id = {id} Does Not Exist")
)
LOOKUP_NOT_FOUND = ErrorKind(
    "lookup_not_found",
    "0x8F4C4704",
    N_(
        "The column '{column}' of table '{table}' points at {target} with Id = {id}, "
        "which does not exist."
    ),
)
LOOKUP_WRONG_TARGET = ErrorKind(
    "lookup_wrong_target",
    "0x8F4C4705",
    N_(
        "The column '{column}' of table '{table}' cannot point at a '{target}' record; "
        "it accepts {targets}."
    ),
)
NOT_VALID_FOR_CREATE = ErrorKind(
    "not_valid_for_create",
    "0x8F4C4706",
    N_(
        "The column '{column}' of table '{table}' is set by the platform and cannot be "
        "given when a record is created."
    ),
)
NOT_VALID_FOR_UPDATE = ErrorKind(
    "not_valid_for_update",
    "0x8F4C4707",
    N_("The column '{column}' of table '{table}' cannot be changed once the record exists."),
)
VERSION_MISMATCH = ErrorKind(
    "version_mismatch",
    "0x80060882",
    N_(
        "The version of the existing record doesn't match the RowVersion property provided "
        "({table} with Id {id}: version {expected} given, {actual} stored). Read the record "
        "again and retry."
    ),
)
DUPLICATE_RECORD = ErrorKind(
    "duplicate_record",
    "0x80040237",
    N_("Cannot insert duplicate key: a {table} record with the same {columns} already exists."),
)
DELETE_RESTRICTED = ErrorKind(
    "delete_restricted",
    "0x8F4C4708",
    N_(
        "The {table} record with Id {id} cannot be deleted: {count} {child} record(s) point "
        "at it through '{relationship}', whose delete behaviour is Restrict."
    ),
)

NOT_DELETABLE = ErrorKind(
    "not_deletable",
    "0x8F4C4709",
    N_("Records of table '{table}' cannot be deleted; {hint}"),
)
NOT_USER_OWNED = ErrorKind(
    "not_user_owned",
    "0x8F4C470A",
    N_("Records of table '{table}' have no owner and cannot be assigned."),
)
NO_STATE = ErrorKind(
    "no_state",
    "0x8F4C470B",
    N_("Records of table '{table}' have no status to set."),
)
MISSING_ID = ErrorKind(
    "missing_id",
    "0x8F4C470C",
    N_("The {table} record to {action} needs its id."),
)

TOO_MANY_REQUESTS = ErrorKind(
    "too_many_requests",
    "0x8F4C470D",
    N_("One transaction holds at most {maximum} requests; this one has {count}."),
)

INVALID_DATA = ErrorKind(
    "invalid_data",
    "0x8F4C470E",
    N_("The database refused a value: {detail}"),
)
METHOD_NOT_ALLOWED = ErrorKind(
    "method_not_allowed",
    "0x8F4C470F",
    N_("The method {method} is not allowed here; use {allowed}."),
)

# --- security ---------------------------------------------------------------------------
PRIVILEGE_DENIED = ErrorKind(
    "privilege_denied",
    "0x80040220",
    N_(
        "Insufficient permissions (Access denied): {user} is missing the privilege {privilege} "
        "on {table} at {depth} depth or more. Roles held: {roles}. An administrator can add it "
        "to one of these roles: leadgate roles grant <role> {privilege} --depth <depth>"
    ),
)
RECORD_ACCESS_DENIED = ErrorKind(
    "record_access_denied",
    "0x80048306",
    N_(
        "Access denied: {user} has {privilege} only at {depth} depth, which does not reach the "
        "{table} record {id} (owner {owner}, business unit {unit}). {right} on it needs {needed} "
        "depth, or the record shared with them."
    ),
)
NOT_SHAREABLE = ErrorKind(
    "not_shareable",
    "0x8F4C4750",
    N_("Records of table '{table}' have no owner and cannot be shared."),
)
INVALID_PRIVILEGE = ErrorKind(
    "invalid_privilege",
    "0x8F4C4751",
    N_("'{privilege}' is not a privilege of this organization{hint}"),
)
INVALID_DEPTH = ErrorKind(
    "invalid_depth",
    "0x8F4C4752",
    N_("The privilege {privilege} cannot be granted at {depth} depth; it allows: {allowed}."),
)

# --- customization ---------------------------------------------------------------------
INVALID_NAME = ErrorKind(
    "invalid_name",
    "0x8F4C4710",
    N_("'{name}' is not a valid {kind} name: {reason}"),
)
NAME_TAKEN = ErrorKind(
    "name_taken",
    "0x8F4C4711",
    N_("A {kind} named '{name}' already exists."),
)
INVALID_DEFINITION = ErrorKind(
    "invalid_definition",
    "0x8F4C4712",
    N_("The definition of {kind} '{name}' is not valid: {reason}"),
)
OPTION_VALUE_TAKEN = ErrorKind(
    "option_value_taken",
    "0x8F4C4713",
    N_(
        "The value {value} is already an option of the column '{column}' of table '{table}' "
        "({label})."
    ),
)
NOT_A_CHOICE_COLUMN = ErrorKind(
    "not_a_choice_column",
    "0x8F4C4714",
    N_("The column '{column}' of table '{table}' is not a choice column; it is of type {type}."),
)
DESTRUCTIVE_SCHEMA_CHANGE = ErrorKind(
    "destructive_schema_change",
    "0x8F4C4715",
    N_("Publishing would lose data and was refused: {detail}"),
)
NOT_INITIALIZED = ErrorKind(
    "not_initialized",
    "0x8F4C4716",
    N_(
        "The database {url} holds no leadgate organization. Create one with: "
        "leadgate init --db {url}"
    ),
)
UPGRADE_NEEDED = ErrorKind(
    "upgrade_needed",
    "0x8F4C4717",
    N_(
        "The database was set up by an older leadgate (solution {solution} {installed}, "
        "this version ships {shipped}). Upgrade it with: leadgate init --db {url}"
    ),
)

INVALID_ATTRIBUTE_MAP = ErrorKind(
    "invalid_attribute_map",
    "0x8F4C4718",
    N_("The attribute map {map} cannot be saved: {reason}"),
)

# --- plug-ins --------------------------------------------------------------------------
PLUGIN_CANCELLED = ErrorKind("plugin_cancelled", "0x80040265", N_("{message}"))
PLUGIN_UNEXPECTED = ErrorKind(
    "plugin_unexpected",
    "0x80040224",
    N_("Unexpected exception from plug-in step '{step}' ({handler}): {exception}"),
)
DEPTH_EXCEEDED = ErrorKind(
    "depth_exceeded",
    "0x8F4C4720",
    N_(
        "The operation was cancelled because plug-ins started nested operations more than "
        "{max_depth} levels deep, which looks like an infinite loop: {chain}"
    ),
)
PLUGIN_NOT_LOADABLE = ErrorKind(
    "plugin_not_loadable",
    "0x8F4C4721",
    N_("The plug-in '{handler}' cannot be loaded: {reason}"),
)
INVALID_STEP = ErrorKind(
    "invalid_step",
    "0x8F4C4722",
    N_("The plug-in step cannot be registered: {reason}"),
)
UNKNOWN_MESSAGE = ErrorKind(
    "unknown_message",
    "0x8F4C4723",
    N_("'{message}' is not a message this organization knows. Known messages: {known}."),
)

# --- queries ---------------------------------------------------------------------------
INVALID_QUERY = ErrorKind(
    "invalid_query",
    "0x8006088a",
    N_("The query is not valid: {detail}"),
)
UNKNOWN_PROPERTY = ErrorKind(
    "unknown_property",
    "0x80060888",
    N_("Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{table}'."),
)
RESOURCE_NOT_FOUND = ErrorKind(
    "resource_not_found",
    "0x80060889",
    N_("Resource not found for the segment '{segment}'."),
)
INVALID_PAYLOAD = ErrorKind(
    "invalid_payload",
    "0x80048d19",
    N_("Error identified in Payload provided by the user for Entity :'{table}': {detail}"),
)

# --- users and sign-in -----------------------------------------------------------------
NOT_AUTHENTICATED = ErrorKind(
    "not_authenticated",
    "0x8F4C4730",
    N_(
        "Sign-in required: send a valid API token as 'Authorization: Bearer <token>'. "
        "An administrator creates one with: leadgate token create --email <email>"
    ),
)
USER_DISABLED = ErrorKind(
    "user_disabled",
    "0x8F4C4731",
    N_("The user {user} is disabled and cannot sign in."),
)
USER_NOT_FOUND = ErrorKind(
    "user_not_found",
    "0x8F4C4732",
    N_("No user has the e-mail address '{email}'."),
)
TOKEN_NOT_FOUND = ErrorKind(
    "token_not_found",
    "0x8F4C4733",
    N_("No active API token matches '{token}'."),
)
WEAK_PASSWORD = ErrorKind(
    "weak_password",
    "0x8F4C4734",
    N_("The password is too short: use at least {minimum} characters."),
)

# --- storage ---------------------------------------------------------------------------
DATABASE_BUSY = ErrorKind(
    "database_busy",
    "0x8F4C4740",
    N_("The database is busy with another change; nothing was saved. Try again."),
)
DATABASE_UNAVAILABLE = ErrorKind(
    "database_unavailable",
    "0x8F4C4741",
    N_("The database cannot be reached: {detail}"),
)
UNEXPECTED = ErrorKind(
    "unexpected",
    "0x80040216",
    N_("An unexpected error occurred: {detail}"),
)


class InvalidPluginExecutionError(LeadgateError):
    """Raise this from a plug-in to cancel the operation with your own message.

    The equivalent of Dataverse's InvalidPluginExecutionException: the whole operation,
    nested work included, is rolled back and the caller reads ``message``.
    """

    def __init__(self, message: str, *, french: str | None = None) -> None:
        super().__init__(PLUGIN_CANCELLED, message=Label(message, french))
