"""What the Web API's actions and functions take and give, as ``$metadata`` declares them.

Each registry (``actions.ACTIONS``, ``actions.COLLECTION_ACTIONS``,
``bound_functions.BOUND_FUNCTIONS`` and :data:`FUNCTIONS` here) pairs an operation with its
:class:`Signature`; the CSDL document (web/csdl.py) is written from those registries alone, so
an operation routed is an operation declared. Types are written as CSDL writes them, with the
``mscrm`` alias (``Edm.Boolean``, ``mscrm.lead``, ``Collection(mscrm.crmbaseentity)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "ENTITY",
    "FUNCTIONS",
    "PAGING_INFO",
    "WHO_AM_I_RESPONSE",
    "ComplexType",
    "Parameter",
    "Signature",
]

ENTITY = "mscrm.crmbaseentity"


@dataclass(frozen=True)
class ComplexType:
    """A structured value an operation takes or returns (``WhoAmIResponse``). ``open``: it
    may hold more than the properties listed (OData's OpenType)."""

    name: str
    properties: Mapping[str, str]
    open: bool = False
    # Complex types its properties use, declared with it.
    uses: tuple[ComplexType, ...] = ()


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str | ComplexType
    required: bool = False

    @property
    def type_name(self) -> str:
        return f"mscrm.{self.type.name}" if isinstance(self.type, ComplexType) else self.type


@dataclass(frozen=True)
class Signature:
    """The parameters an operation reads, in order, and what it returns (None: nothing).

    A bound operation's first parameter, the record or the entity set it is bound to, is not
    listed: the CSDL adds it (named ``bindingParameter``, see web/csdl.py)."""

    parameters: tuple[Parameter, ...] = ()
    returns: str | ComplexType | None = None
    returns_collection: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(parameter.name for parameter in self.parameters)

    @property
    def return_type(self) -> str | None:
        if self.returns is None:
            return None
        name = (
            f"mscrm.{self.returns.name}" if isinstance(self.returns, ComplexType) else self.returns
        )
        return f"Collection({name})" if self.returns_collection else name

    def used_types(self) -> tuple[ComplexType, ...]:
        """Every complex type the signature names, nested ones included."""
        found: list[ComplexType] = []
        pending = [p.type for p in self.parameters if isinstance(p.type, ComplexType)]
        if isinstance(self.returns, ComplexType):
            pending.append(self.returns)
        while pending:
            kind = pending.pop()
            if kind not in found:
                found.append(kind)
                pending.extend(kind.uses)
        return tuple(found)


GUID = "Edm.Guid"
PAGING_INFO = ComplexType(
    "PagingInfo",
    {"PageNumber": "Edm.Int32", "Count": "Edm.Int32", "PagingCookie": "Edm.String",
     "ReturnTotalRecordCount": "Edm.Boolean"},
)  # fmt: skip
WHO_AM_I_RESPONSE = ComplexType(
    "WhoAmIResponse", {"BusinessUnitId": GUID, "UserId": GUID, "OrganizationId": GUID}
)
LANGUAGES_RESPONSE = ComplexType(
    "RetrieveAvailableLanguagesResponse", {"LocaleIds": "Collection(Edm.Int32)"}
)

# The unbound functions, by name (``GET /WhoAmI``): routed in routes.py (WhoAmI) and
# web/functions.py; functions answer GET alone.
FUNCTIONS: dict[str, Signature] = {
    "WhoAmI": Signature(returns=WHO_AM_I_RESPONSE),
    "RetrieveAvailableLanguages": Signature(returns=LANGUAGES_RESPONSE),
    "RetrieveDuplicates": Signature(
        (
            Parameter("BusinessEntity", ENTITY, required=True),
            Parameter("MatchingEntityName", "Edm.String"),
            Parameter("PagingInfo", PAGING_INFO),
        ),
        returns=ENTITY,
        returns_collection=True,
    ),
    "RetrieveRecordChangeHistory": Signature(
        (Parameter("Target", ENTITY, required=True), Parameter("PagingInfo", PAGING_INFO)),
        returns=ENTITY,
        returns_collection=True,
    ),
}
