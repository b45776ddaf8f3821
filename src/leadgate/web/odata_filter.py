"""``$filter`` read with odata-query's parser and turned into the platform's FilterExpression.

The platform compiles the filter and coerces the literals; this module only maps the OData
syntax tree onto conditions, and names what it cannot map (400, never a wrong answer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from odata_query import ast
from odata_query.exceptions import (
    ODataException,
    ParsingException,
    TokenizingException,
    UnknownFunctionException,
)
from odata_query.grammar import ODataLexer, ODataParser

from leadgate.platform import ConditionExpression, FilterExpression
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, Text
from leadgate.web.errors import bad_query

__all__ = ["parse_filter"]

Resolve = Callable[[str], str]
Node = FilterExpression | ConditionExpression

_COMPARISONS: dict[type, str] = {
    ast.Eq: "eq",
    ast.NotEq: "ne",
    ast.Gt: "gt",
    ast.GtE: "ge",
    ast.Lt: "lt",
    ast.LtE: "le",
}
_NEGATED = {
    "eq": "ne",
    "ne": "eq",
    "gt": "le",
    "ge": "lt",
    "lt": "ge",
    "le": "gt",
    "in": "not_in",
    "not_in": "in",
    "null": "not_null",
    "not_null": "null",
}
# "5 lt x" reads as "x gt 5".
_MIRRORED = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
_FUNCTIONS = {"contains": "contains", "startswith": "begins_with", "endswith": "ends_with"}
# not contains(...) and friends: the platform's negated operators (Dataverse's DoesNot…).
_NEGATED_TEXT = {
    "contains": "not_contains",
    "begins_with": "not_begin_with",
    "ends_with": "not_end_with",
}


def parse_filter(text: str, resolve: Resolve) -> FilterExpression:
    """The FilterExpression ``text`` means; ``resolve`` maps property names to columns."""
    tree = _parse(text)
    node = _Translator(resolve).node(tree, negated=False)
    if isinstance(node, ConditionExpression):
        return FilterExpression("and", (node,))
    return node


def _parse(text: str) -> ast._Node:
    if not text.strip():
        raise bad_query(N_("$filter is empty."))
    try:
        return ODataParser().parse(ODataLexer().tokenize(text))
    except UnknownFunctionException as error:
        raise _unsupported_function(error.function_name) from None
    except TokenizingException as error:
        raise _unreadable(text, error.token.index) from None
    except ParsingException as error:
        if error.eof or error.token is None:
            raise bad_query(
                N_("$filter ends too early: '{text}'."),
                text=text[-60:],
            ) from None
        raise _unreadable(text, error.token.index) from None
    except ODataException as error:
        raise bad_query(
            N_("$filter is not valid: {reason}"),
            reason=str(error),
        ) from None


def _unreadable(text: str, index: int) -> errors.LeadgateError:
    return bad_query(
        N_("$filter cannot be read at position {position}: '{text}'."),
        position=index + 1,
        text=text[index:][:40],
    )


def _unsupported_function(name: str) -> errors.LeadgateError:
    return bad_query(
        N_(
            "the function '{function}' is not supported in $filter; use contains, startswith or "
            "endswith."
        ),
        function=name,
    )


def _unsupported(what: Text) -> errors.LeadgateError:
    return bad_query(
        N_("{what} is not supported in $filter yet."),
        what=what,
    )


def _literal(node: ast._Node) -> Any:
    """A literal as the JSON-like value the platform coerces for the column."""
    if isinstance(node, ast.Null):
        return None
    if isinstance(node, ast.Boolean):
        return node.py_val
    if isinstance(node, ast.Integer):
        return int(node.val)
    if isinstance(node, ast.Float):
        # A float, as a JSON body would carry it: the platform reads its shortest decimal
        # form, and a literal too large for a double becomes infinity, which it refuses.
        return float(node.val)
    if isinstance(node, (ast.String, ast.GUID, ast.Date, ast.DateTime)):
        return node.val
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _literal(node.operand)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
    raise _unsupported(_describe(node))


_NAVIGATION = Text(N_("a navigation path (a/b)"))
_NODES = {
    ast.Time: Text(N_("a time literal")),
    ast.Duration: Text(N_("a duration")),
    ast.Geography: Text(N_("a geography literal")),
    ast.BinOp: Text(N_("arithmetic")),
    ast.Attribute: _NAVIGATION,
    ast.CollectionLambda: Text(N_("any/all")),
    ast.List: Text(N_("a list outside 'in'")),
    ast.Identifier: Text(N_("a property on its own")),
    ast.Call: Text(N_("a function here")),
    ast.Boolean: Text(N_("a value on its own")),
}


def _describe(node: ast._Node) -> Text:
    return _NODES.get(type(node), Text(N_("this expression")))


class _Translator:
    def __init__(self, resolve: Resolve) -> None:
        self.resolve = resolve

    def node(self, node: ast._Node, *, negated: bool) -> Node:
        if isinstance(node, ast.BoolOp):
            return self._bool(node, negated=negated)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self.node(node.operand, negated=not negated)
        if isinstance(node, ast.Compare):
            return self._compare(node, negated=negated)
        if isinstance(node, ast.Call):
            return self._call(node, negated=negated)
        raise bad_query(
            N_("$filter must be made of comparisons such as name eq 'x', not {what}."),
            what=_describe(node),
        )

    def _bool(self, node: ast.BoolOp, *, negated: bool) -> FilterExpression:
        operator = "and" if isinstance(node.op, ast.And) else "or"
        if negated:  # De Morgan: not (a and b) = not a or not b
            operator = "or" if operator == "and" else "and"
        conditions: list[ConditionExpression] = []
        filters: list[FilterExpression] = []
        for side in (node.left, node.right):
            child = self.node(side, negated=negated)
            if isinstance(child, ConditionExpression):
                conditions.append(child)
            elif child.operator == operator:
                conditions.extend(child.conditions)
                filters.extend(child.filters)
            else:
                filters.append(child)
        return FilterExpression(operator, tuple(conditions), tuple(filters))

    def _property(self, node: ast._Node) -> str | None:
        if isinstance(node, ast.Identifier) and not node.namespace:
            return self.resolve(node.name)
        if isinstance(node, (ast.Attribute, ast.Identifier)):
            raise _unsupported(_NAVIGATION)
        return None

    def _compare(self, node: ast.Compare, *, negated: bool) -> Node:
        if isinstance(node.comparator, ast.In):
            column = self._property(node.left)
            if column is None or not isinstance(node.right, ast.List):
                raise bad_query(
                    N_("'in' needs a property on its left and a list on its right."),
                )
            values = tuple(_literal(item) for item in node.right.val)
            return ConditionExpression(column, "not_in" if negated else "in", values)
        operator = _COMPARISONS[type(node.comparator)]
        if isinstance(node.left, ast.Call) or isinstance(node.right, ast.Call):
            return self._compare_call(node, operator, negated=negated)
        for side in (node.left, node.right):
            if not isinstance(side, (ast.Identifier, ast.Attribute, ast._Literal, ast.UnaryOp)):
                raise _unsupported(_describe(side))
        column, other = self._property(node.left), node.right
        if column is None:
            column, other, operator = self._property(node.right), node.left, _MIRRORED[operator]
        if column is None:
            raise bad_query(
                N_("a comparison in $filter needs a property on one side."),
            )
        value = _literal(other)
        if value is None:
            if operator not in ("eq", "ne"):
                raise bad_query(
                    N_("null can only be compared with eq or ne."),
                )
            operator = "null" if operator == "eq" else "not_null"
            return ConditionExpression(column, _NEGATED[operator] if negated else operator)
        return ConditionExpression(column, _NEGATED[operator] if negated else operator, (value,))

    def _compare_call(self, node: ast.Compare, operator: str, *, negated: bool) -> Node:
        """``contains(name,'x') eq true`` is the function itself (or its negation)."""
        call, other = (
            (node.left, node.right) if isinstance(node.left, ast.Call) else (node.right, node.left)
        )
        assert isinstance(call, ast.Call)
        if operator not in ("eq", "ne") or not isinstance(other, ast.Boolean):
            raise _unsupported_function(call.func.full_name())
        wanted = other.py_val == (operator == "eq")
        return self._call(call, negated=negated == wanted)

    def _call(self, node: ast.Call, *, negated: bool) -> ConditionExpression:
        name = node.func.full_name()
        operator = _FUNCTIONS.get(name)
        if operator is None:
            raise _unsupported_function(name)
        column = self._property(node.args[0])
        if column is None or not isinstance(node.args[1], ast.String):
            raise bad_query(
                N_(
                    "{function} needs a property and a text in quotes, as in "
                    "{function}(name,'abc')."
                ),
                function=name,
            )
        text = node.args[1].val
        if negated:
            operator = _NEGATED_TEXT[operator]
        return ConditionExpression(column, operator, (text,))
