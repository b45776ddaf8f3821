"""Messages by request type, and a request's fields as the parameters plug-ins read and change."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from leadgate.platform.engine import errors

if TYPE_CHECKING:
    from leadgate.platform.engine.pipeline import Message

__all__ = ["MessageRegistry", "from_parameters", "to_parameters"]


class MessageRegistry:
    def __init__(self) -> None:
        self._by_type: dict[type, Message[Any]] = {}

    def update(self, messages: Mapping[Any, Message[Any]]) -> None:
        for request_type, message in messages.items():
            if message.authorize is None:
                raise ValueError(f"the message {message.name} does not say how it is authorized")
            known = self._by_type.get(request_type)
            if known is not None and known is not message:
                raise ValueError(f"{request_type.__name__} is already handled by {known.name}")
            self._by_type[request_type] = message

    def get(self, request_type: type) -> Message[Any]:
        message = self._by_type.get(request_type)
        if message is None:
            raise errors.UNKNOWN_MESSAGE(
                message=request_type.__name__, known=", ".join(self.names())
            )
        return message

    def names(self) -> list[str]:
        return sorted({message.name for message in self._by_type.values()})

    def items(self) -> list[tuple[type, Message[Any]]]:
        return sorted(self._by_type.items(), key=lambda item: item[1].name)


@functools.cache
def _parameter_names(request_type: type) -> tuple[tuple[str, str], ...]:
    """Field names and their Dataverse parameter names: target -> Target."""
    return tuple(
        (field.name, "".join(part.capitalize() for part in field.name.split("_")))
        for field in dataclasses.fields(request_type)
    )


def to_parameters(value: Any) -> dict[str, Any]:
    """A request's fields under their Dataverse names: what plug-ins read and change."""
    if value is None or not dataclasses.is_dataclass(type(value)):
        return {}
    kind: Any = type(value)
    return {parameter: getattr(value, name) for name, parameter in _parameter_names(kind)}


def from_parameters(value: Any, parameters: Mapping[str, Any]) -> Any:
    """The request again, with what plug-ins changed in its parameters."""
    if value is None or not dataclasses.is_dataclass(type(value)):
        return value
    kind: Any = type(value)
    changes = {
        name: parameters[parameter]
        for name, parameter in _parameter_names(kind)
        if parameter in parameters and parameters[parameter] is not getattr(value, name)
    }
    return dataclasses.replace(value, **changes) if changes else value
