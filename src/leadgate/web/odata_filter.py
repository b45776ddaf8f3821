"""``$filter`` read with odata-query's parser and turned into the platform's FilterExpression.

The platform compiles the filter and coerces the literals; this module only maps the OData
syntax tree onto conditions, and names what it cannot map (400, never a wrong answer).

Nulls follow OData (4.01 Part 2 §5.1.1.1), not SQL: a comparison is never unknown.
``null eq null`` is true, ``null ne 5`` is true, ``null gt 10`` is false, so
``not (x gt 10)`` keeps the rows where x is null; ``x in ('a', null)`` keeps them too. Only a
function of a null (``contains(x,'a')`` with x null) is null, and ``not`` of null stays null.
``not`` is pushed down to the conditions (De Morgan holds in three-valued logic too), and each
condition is written so that SQL finds it true exactly when OData does.
"""

from __future__ import annotations

import re
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
from leadgate.platform.engine.metadata.model import ColumnMetadata
from leadgate.web.errors import bad_query
from leadgate.web.filter_paths import Navigate, paths_of, without_owner
from leadgate.web.limits import (
    FILTER_TOO_COMPLEX,
    FILTER_TOO_DEEP,
    MAX_FILTER_CONDITIONS,
    MAX_FILTER_NESTING,
)
from leadgate.web.query_functions import rewrite_functions
from leadgate.web.query_limits import MAX_NAVIGATION_PATHS, NAVIGATION_PATHS_TOO_MANY

__all__ = ["parse_filter"]

Resolve = Callable[[str], str]
ColumnOf = Callable[[str], ColumnMetadata]
Callers = dict[str, tuple[str, str, str | None, str]]


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
_MAX_DIGITS = 30  # more than any column's range (money: 15 digits before the point)
# not contains(...) and friends: the platform's negated operators (Dataverse's DoesNot…).
_NEGATED_TEXT = {
    "contains": "not_contains",
    "begins_with": "not_begin_with",
    "ends_with": "not_end_with",
}


def parse_filter(
    text: str,
    resolve: Resolve,
    column_of: ColumnOf | None = None,
    navigate: Navigate | None = None,
) -> FilterExpression:
    """The FilterExpression ``text`` means; ``resolve`` maps property names to columns.

    With ``column_of`` (a property name's column), Dataverse's query functions
    (``Microsoft.Dynamics.CRM.In(…)`` and the others of web/query_functions.py) are read too;
    with ``navigate``, paths through single-valued navigation properties (``parentaccountid/
    name eq 'X'``): true where the lookup points at a record (one the caller may read) for
    which the rest is true, as Dataverse's join finds them; ``not`` keeps the other rows.
    """
    callers: Callers = {}
    if column_of is not None and text.strip():
        rewritten = rewrite_functions(text, column_of)
        text, callers = rewritten.text, rewritten.callers
    tree = _parse(text)
    _check_size(tree)
    node = _Translator(resolve, callers, navigate).node(tree, negated=False)
    if isinstance(node, ConditionExpression):
        return FilterExpression("and", (node,))
    return node


# ``not(`` without a space (python-odata's ``lacks``: ``not(contains(x, 'a'))``) reads as a
# call of a function named not; outside quoted strings it is the operator before a group.
_STRING_OR_NOT_CALL = re.compile(r"'(?:[^']|'')*'|\bnot\(", re.IGNORECASE)


def _spaced_not(text: str) -> str:
    return _STRING_OR_NOT_CALL.sub(
        lambda found: found[0] if found[0].startswith("'") else found[0][:-1] + " (", text
    )


def _parse(text: str) -> ast._Node:
    if not text.strip():
        raise bad_query(N_("$filter is empty."))
    try:
        return ODataParser().parse(ODataLexer().tokenize(_spaced_not(text)))
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


def _check_size(tree: ast._Node) -> None:
    """Refuse a filter past MAX_FILTER_CONDITIONS or MAX_FILTER_NESTING before translating it.

    Measured with a list rather than recursion, so a filter of any size is refused cleanly;
    within the limits the translator's recursion and the SQL the database parses stay shallow.
    A chain of one operator (a or b or c…) is one level, however long.
    """
    conditions = 0
    pending: list[tuple[ast._Node, int, type | None]] = [(tree, 0, None)]
    while pending:
        node, level, chain = pending.pop()
        if isinstance(node, ast.BoolOp):
            if type(node.op) is not chain:
                level += 1
            pending += [(node.left, level, type(node.op)), (node.right, level, type(node.op))]
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            level += 1
            pending.append((node.operand, level, None))
        else:
            listed = isinstance(node, ast.Compare) and isinstance(node.right, ast.List)
            conditions += len(node.right.val) if listed else 1  # type: ignore[attr-defined]
            if conditions > MAX_FILTER_CONDITIONS:
                raise FILTER_TOO_COMPLEX(limit=MAX_FILTER_CONDITIONS)
        if level > MAX_FILTER_NESTING:
            raise FILTER_TOO_DEEP(limit=MAX_FILTER_NESTING)


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
    negative = False
    inner = node
    while isinstance(inner, ast.UnaryOp) and isinstance(inner.op, ast.USub):
        inner, negative = inner.operand, not negative  # a loop: "- - - … 1" has no depth
    value = _plain_literal(inner)
    if inner is node:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return -value if negative else value
    raise _unsupported(_describe(node))


def _plain_literal(node: ast._Node) -> Any:
    if isinstance(node, ast.Null):
        return None
    if isinstance(node, ast.Boolean):
        return node.py_val
    numeric = (ast.Integer, ast.Float, ast.GUID, ast.Date, ast.DateTime)
    if isinstance(node, numeric) and not node.val.isascii():
        # The lexer's \d takes any script's digits ('٣' reads as 3): only 0-9 are digits here.
        raise bad_query(
            N_("only the digits 0-9 make numbers, dates and GUIDs in $filter, not '{value}'."),
            value=node.val[:40],
        )
    if isinstance(node, ast.Integer):
        if len(node.val.lstrip("+-0")) > _MAX_DIGITS:  # int() refuses 4,300 digits: a 500
            raise bad_query(
                N_("the number {value}… in $filter has more digits than any column holds."),
                value=node.val[:20],
            )
        return int(node.val)
    if isinstance(node, ast.Float):
        # A float, as a JSON body would carry it: the platform reads its shortest decimal
        # form, and a literal too large for a double becomes infinity, which it refuses.
        return float(node.val)
    if isinstance(node, (ast.String, ast.GUID, ast.Date, ast.DateTime)):
        return node.val
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


def _path_text(node: ast._Node) -> str:
    """``a/b/c`` as the client wrote it."""
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.owner
    names.append(node.name if isinstance(node, ast.Identifier) else "…")
    return "/".join(reversed(names))


def _either(*nodes: ConditionExpression) -> FilterExpression:
    return FilterExpression("or", nodes)


def _both(*nodes: ConditionExpression) -> FilterExpression:
    return FilterExpression("and", nodes)


class _Translator:
    """Translates the tree with ``not`` pushed down to the conditions.

    Recursion happens only where ``and`` and ``or`` alternate, so its depth is bounded by
    MAX_FILTER_NESTING; chains of one operator and runs of ``not`` are loops.
    """

    def __init__(
        self, resolve: Resolve, callers: Callers | None = None, navigate: Navigate | None = None
    ) -> None:
        self.resolve = resolve
        self.callers = callers or {}
        self.navigate = navigate
        self.paths = 0

    def node(self, node: ast._Node, *, negated: bool) -> Node:
        while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            node, negated = node.operand, not negated
        if isinstance(node, ast.BoolOp):
            return self._bool(node, negated=negated)
        if self.navigate is not None and isinstance(node, (ast.Compare, ast.Call)):
            paths = paths_of(node)
            if paths:
                return self._navigated(node, paths, negated=negated)
        if isinstance(node, ast.Compare):
            caller = self._caller(node)
            if caller is not None:
                return self._caller_condition(caller, negated=negated)
            return self._compare(node, negated=negated)
        if isinstance(node, ast.Call):
            # A function's value itself: true keeps the row; under not, only false does.
            return self._function(node, "false" if negated else "true")
        raise bad_query(
            N_("$filter must be made of comparisons such as name eq 'x', not {what}."),
            what=_describe(node),
        )

    def _navigated(
        self, node: ast.Compare | ast.Call, paths: list[ast.Attribute], *, negated: bool
    ) -> Node:
        """A comparison through a navigation property: the lookup is one of the related
        records the comparison keeps, read with one query."""
        owners = {p.owner.name if isinstance(p.owner, ast.Identifier) else "" for p in paths}
        owner = next(iter(owners))
        nested = any(not isinstance(p.owner, ast.Identifier) or p.owner.namespace for p in paths)
        navigation = self.navigate(owner) if self.navigate and not nested else None
        if navigation is None or len(owners) != 1:
            raise bad_query(
                N_(
                    "$filter follows a/b paths through lookups that point at one table, one "
                    "step at a time, as in parentaccountid/name eq 'x'; '{path}' is not one."
                ),
                path=_path_text(paths[0])[:80],
            )
        self.paths += 1
        if self.paths > MAX_NAVIGATION_PATHS:
            raise NAVIGATION_PATHS_TOO_MANY(limit=MAX_NAVIGATION_PATHS)
        inner = _Translator(navigation.resolve).node(without_owner(node), negated=False)
        if isinstance(inner, ConditionExpression):
            inner = FilterExpression("and", (inner,))
        ids = navigation.matching(inner)
        if not negated:
            return ConditionExpression(navigation.column, "in", ids)
        return _either(
            ConditionExpression(navigation.column, "not_in", ids),
            ConditionExpression(navigation.column, "null"),
        )

    def _caller(self, node: ast.Compare) -> tuple[str, str, str | None, str] | None:
        """The caller function (EqualUserId…) a placeholder of query_functions stands for."""
        left = node.left
        if isinstance(left, ast.Identifier) and not left.namespace:
            return self.callers.get(left.name)
        return None

    def _caller_condition(
        self, caller: tuple[str, str, str | None, str], *, negated: bool
    ) -> ConditionExpression:
        column, operator, negation, function = caller
        if not negated:
            return ConditionExpression(column, operator)
        if negation is None:
            raise bad_query(
                N_(
                    "'not' cannot be put before {function}: leadgate has no operator for its "
                    "opposite."
                ),
                function=f"Microsoft.Dynamics.CRM.{function}",
            )
        return ConditionExpression(column, negation)

    def _bool(self, node: ast.BoolOp, *, negated: bool) -> FilterExpression:
        kind = type(node.op)
        operator = "and" if kind is ast.And else "or"
        if negated:  # De Morgan: not (a and b) = not a or not b
            operator = "or" if operator == "and" else "and"
        operands: list[ast._Node] = []
        chain: list[ast._Node] = [node]
        while chain:  # a or b or c… is a left-deep tree: flatten it without recursion
            item = chain.pop()
            if isinstance(item, ast.BoolOp) and type(item.op) is kind:
                chain += [item.right, item.left]
            else:
                operands.append(item)
        conditions: list[ConditionExpression] = []
        filters: list[FilterExpression] = []
        for side in operands:
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
            return self._in(node, negated=negated)
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
        if not negated or operator in ("eq", "ne"):
            # eq is false on null and the platform's ne is true on it, as OData's are, so
            # each is the other's exact negation.
            return ConditionExpression(
                column, _NEGATED[operator] if negated else operator, (value,)
            )
        # null gt 10 is false, so not (x gt 10) is true where x is null.
        return _either(
            ConditionExpression(column, _NEGATED[operator], (value,)),
            ConditionExpression(column, "null"),
        )

    def _in(self, node: ast.Compare, *, negated: bool) -> Node:
        """``x in (a, b, null)``: x is one of the values, null included (null eq null)."""
        column = self._property(node.left)
        if column is None or not isinstance(node.right, ast.List):
            raise bad_query(
                N_("'in' needs a property on its left and a list on its right."),
            )
        values = [_literal(item) for item in node.right.val]
        listed = tuple(value for value in values if value is not None)
        with_null = len(listed) < len(values)
        if not listed:
            return ConditionExpression(column, "not_null" if negated else "null")
        if not negated:
            found = ConditionExpression(column, "in", listed)
            return _either(found, ConditionExpression(column, "null")) if with_null else found
        # SQL's NOT IN is unknown on null; OData's not in is true on it unless null is listed.
        other = ConditionExpression(column, "not_in", listed)
        if with_null:
            return _both(other, ConditionExpression(column, "not_null"))
        return _either(other, ConditionExpression(column, "null"))

    def _compare_call(self, node: ast.Compare, operator: str, *, negated: bool) -> Node:
        """``contains(name,'x') eq true`` and friends: which values of the function keep a row.

        The function is null where its property is null, and null equals only null, so
        ``contains(x,'a') ne true`` keeps the rows where x is null and ``eq false`` does not.
        """
        call, other = (
            (node.left, node.right) if isinstance(node.left, ast.Call) else (node.right, node.left)
        )
        assert isinstance(call, ast.Call)
        if operator not in ("eq", "ne") or not isinstance(other, ast.Boolean):
            raise _unsupported_function(call.func.full_name())
        wanted = "true" if other.py_val else "false"
        if (operator == "ne") != negated:
            wanted = f"not_{wanted}"
        return self._function(call, wanted)

    def _function(self, node: ast.Call, wanted: str) -> Node:
        """The rows where the function is true, false, not true or not false (null counts as
        neither true nor false)."""
        name = node.func.full_name()
        operator = _FUNCTIONS.get(name)
        if operator is None:
            raise _unsupported_function(name)
        column = self._property(node.args[0]) if node.args else None
        if column is None or len(node.args) != 2 or not isinstance(node.args[1], ast.String):
            raise bad_query(
                N_(
                    "{function} needs a property and a text in quotes, as in "
                    "{function}(name,'abc')."
                ),
                function=name,
            )
        text = (node.args[1].val,)
        matches = ConditionExpression(column, operator, text)
        # The platform's negated text operators (Dataverse's DoesNot…) keep empty values.
        differs = ConditionExpression(column, _NEGATED_TEXT[operator], text)
        if wanted == "true":
            return matches
        if wanted == "false":
            return _both(differs, ConditionExpression(column, "not_null"))
        if wanted == "not_true":
            return differs
        return _either(matches, ConditionExpression(column, "null"))
