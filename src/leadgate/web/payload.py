"""Request bodies: JSON objects turned into an Entity the platform can check.

Values are handed over as the client sent them; the platform coerces them and refuses bad
ones with coded errors. Only the OData forms are handled here: ``@odata.bind`` for lookups,
annotations ignored, read-only ``_x_value`` properties refused.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

from leadgate.platform import Entity, EntityReference
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.platform.engine.metadata.navigation import navigation_name, navigation_properties
from leadgate.platform.engine.values import has_lone_surrogate
from leadgate.web.limits import JSON_TOO_DEEP, MAX_JSON_DEPTH
from leadgate.web.resources import API_PATH, parse_guid, parse_resource

__all__ = ["check_json", "entity_from_body", "parse_json_object"]

BIND = "odata.bind"
_BIND_PATH = re.compile(
    r"(?:https?://[^/]+)?(?:" + re.escape(API_PATH) + r")?/?"
    r"(?P<entity_set>[A-Za-z_][A-Za-z0-9_]*)\((?P<key>.*)\)\Z",
    re.DOTALL,
)
_LOOKUP_VALUE = re.compile(r"_.+_value\Z")


def _refuse(table: str, text: str, /, **params: Any) -> errors.LeadgateError:
    return errors.INVALID_PAYLOAD(table=table, detail=Text(text, **params))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def check_json(value: Any) -> bool:
    """Whether ``value`` holds a lone surrogate; JSON_TOO_DEEP past MAX_JSON_DEPTH levels.

    Walked with a list, not recursion, so that no nesting json.loads accepts can exhaust the
    stack here or in what reads the value next (messages quote values with json.dumps).
    """
    surrogate = False
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            surrogate = surrogate or has_lone_surrogate(item)
        elif isinstance(item, (dict, list)):
            if depth >= MAX_JSON_DEPTH:
                raise JSON_TOO_DEEP(limit=MAX_JSON_DEPTH)
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return surrogate


def parse_json_object(raw: bytes, content_type: str | None, table: str) -> dict[str, Any]:
    """The body as a JSON object, or invalid_payload saying what is wrong with it."""
    media_type = (content_type or "application/json").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise _refuse(
            table,
            N_("the body must be sent as application/json, not '{media_type}'."),
            media_type=media_type[:60],
        )
    if not raw.strip():
        raise _refuse(
            table,
            N_("the body is empty; send a JSON object."),
        )
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:  # deeper than the interpreter's stack allows: deeper than ours
        raise JSON_TOO_DEEP(limit=MAX_JSON_DEPTH) from None
    except json.JSONDecodeError as error:  # where it breaks, in the reader's language
        raise _refuse(
            table,
            N_("the body is not valid JSON: it breaks at line {line}, column {column}."),
            line=error.lineno,
            column=error.colno,
        ) from None
    except ValueError as error:
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise _refuse(
            table,
            N_("the body is not valid JSON ({reason})."),
            reason=reason,
        ) from None
    if not isinstance(body, dict):
        raise _refuse(
            table,
            N_("the body must be a JSON object, not {kind}."),
            kind=_json_kind(body),
        )
    if check_json(body):
        raise _refuse(
            table,
            N_("the body holds text that is not valid Unicode."),
        )
    return body


def _json_kind(value: Any) -> Text:
    if isinstance(value, list):
        return Text(N_("an array"))
    if isinstance(value, str):
        return Text(N_("a string"))
    if isinstance(value, bool):
        return Text(N_("a boolean"))
    if value is None:
        return Text(N_("null"))
    return Text(N_("a number"))


def _navigation_column(
    metadata: MetadataSet, table: TableMetadata, name: str
) -> tuple[ColumnMetadata, str | None]:
    """The lookup a navigation property names, and the table it must point at (None: any of
    the lookup's targets).

    Names follow the platform's rule (navigation.py: ``parentaccountid``,
    ``parentcustomerid_account``, ``ownerid_team``). Dataverse spells them with schema names
    (``new_Currency``), whose lower case is the logical name, so both spellings are accepted;
    so is a customer or owner lookup's bare name (``ownerid``, towards any of its tables).
    """
    lowered = name.lower()
    navigation = navigation_properties(metadata, table).get(lowered)
    if navigation is not None and not navigation.collection:
        return table.columns[navigation.column], navigation.target
    column = table.columns.get(lowered)
    if column is not None:
        if not column.type.is_reference:
            raise _refuse(
                table.name,
                N_("'{name}' is not a lookup, so it cannot take @odata.bind."),
                name=name,
            )
        return column, None
    for candidate in table.columns.values():
        if candidate.type_column is None:
            continue
        for target in candidate.targets:
            if lowered == navigation_name(candidate, target):
                return candidate, target
    raise errors.UNKNOWN_PROPERTY(name=name, table=table.name)


def _bound_reference(
    metadata: MetadataSet,
    table: TableMetadata,
    name: str,
    value: Any,
    column: ColumnMetadata,
    target: str | None,
) -> EntityReference | None:
    """``/accounts(<guid>)`` (or the absolute URL) as a reference to that record; with an
    alternate key, ``/accounts(accountnumber='A-1')``, the platform finds the record."""
    if value is None:
        return None
    match = _BIND_PATH.match(value) if isinstance(value, str) else None
    key = parse_guid(match.group("key")) if match else None
    if match is None or (key is None and "=" not in match.group("key")):
        raise _refuse(
            table.name,
            N_("'{name}@odata.bind' must be a record URL such as /accounts(<GUID>), not {value}."),
            name=name,
            value=json.dumps(value)[:80],
        )
    bound = metadata.table_for_entity_set(match.group("entity_set"))
    if bound is None:
        raise _refuse(
            table.name,
            N_("'{name}@odata.bind' names '{entity_set}', which is no entity set."),
            name=name,
            entity_set=match.group("entity_set"),
        )
    if target is not None and bound.name != target:
        # parentcustomerid_account names the account side of the customer lookup.
        raise errors.LOOKUP_WRONG_TARGET(
            column=column.name, table=table.name, target=bound.name, targets=target
        )
    if key is None:
        return parse_resource(metadata, f"{bound.entity_set}({match.group('key')})").reference
    return EntityReference(bound.name, key)


def entity_from_body(
    metadata: MetadataSet,
    table: TableMetadata,
    body: Mapping[str, Any],
    record_id: uuid.UUID | None = None,
) -> Entity:
    """The Entity a create, update or upsert body describes."""
    values: dict[str, Any] = {}
    for key, value in body.items():
        name, _, annotation = key.partition("@")
        if annotation and annotation != BIND:
            continue  # Annotations (@odata.type, formatted values…) carry nothing to save.
        if annotation == BIND:
            column, target = _navigation_column(metadata, table, name)
            reference = _bound_reference(metadata, table, name, value, column, target)
            if column.name in values:
                raise _refuse(
                    table.name,
                    N_("the lookup '{column}' is given more than once."),
                    column=column.name,
                )
            values[column.name] = reference
            continue
        if _LOOKUP_VALUE.match(name):
            raise _refuse(
                table.name,
                N_(
                    "'{name}' is read-only; set a lookup with '<lookup>@odata.bind': "
                    "'/<entityset>(<GUID>)'."
                ),
                name=name,
            )
        plain = table.columns.get(name)
        if plain is None:
            raise errors.UNKNOWN_PROPERTY(name=name, table=table.name)
        if plain.type.is_reference:
            raise _refuse(
                table.name,
                N_("the lookup '{name}' is set with '{name}@odata.bind': '/<entityset>(<GUID>)'."),
                name=name,
            )
        values[name] = value
    return Entity(table.name, record_id, values)
