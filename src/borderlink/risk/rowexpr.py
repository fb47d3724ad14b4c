"""The profile expression language evaluated on one row, without building a Polars frame.

:func:`borderlink.risk.expressions.compile_expression` checks an expression and turns it into a
Polars expression for whole frames. Scoring one declaration through a frame costs milliseconds
of fixed overhead per call, so the same checked tree is also compiled here into a plain Python
function over a mapping of column → value. It follows Polars' semantics exactly, since a
declaration must get the same profile hits alone as in a flow (the tests hold the two equal on
many generated rows):

* null (``None``) propagates through arithmetic and comparisons; ``and``/``or``/``not`` follow
  Kleene's three-valued logic; the whole condition's null counts as false;
* NaN (``0/0``) equals NaN and is greater than every number, as in Polars' total order;
* ``/`` is true division, ``x/0`` is ±inf (NaN for ``0/0``), as for Polars floats.

Only trees :func:`compile_expression` accepted reach :func:`compile_row`, so it does no checks.
:func:`divide` and :func:`multiply` are the null-propagating float operations, for derived
columns computed the same way.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

Row = Mapping[str, Any]
Fn = Callable[[Row], Any]


def divide(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def multiply(a: Any, b: Any) -> Any:
    return None if a is None or b is None else a * b


def _add(a: Any, b: Any) -> Any:
    return None if a is None or b is None else a + b


def _sub(a: Any, b: Any) -> Any:
    return None if a is None or b is None else a - b


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _total(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool | None]:
    """A comparison in Polars' total order: NaN equals NaN and is above every number."""

    def compare(a: Any, b: Any) -> bool | None:
        if a is None or b is None:
            return None
        nan_a, nan_b = _is_nan(a), _is_nan(b)
        if nan_a or nan_b:
            return bool(op(int(nan_a), int(nan_b)))
        return bool(op(a, b))

    return compare


_COMPARE: Mapping[type[ast.cmpop], Callable[[Any, Any], bool | None]] = MappingProxyType(
    {
        ast.Eq: _total(operator.eq),
        ast.NotEq: _total(operator.ne),
        ast.Lt: _total(operator.lt),
        ast.LtE: _total(operator.le),
        ast.Gt: _total(operator.gt),
        ast.GtE: _total(operator.ge),
    }
)

_ARITHMETIC: Mapping[type[ast.operator], Callable[[Any, Any], Any]] = MappingProxyType(
    {
        ast.Add: _add,
        ast.Sub: _sub,
        ast.Mult: multiply,
        ast.Div: divide,
    }
)


def _and(parts: list[Fn]) -> Fn:
    def run(row: Row) -> bool | None:
        unknown = False
        for part in parts:
            value = part(row)
            if value is None:
                unknown = True
            elif not value:
                return False
        return None if unknown else True

    return run


def _or(parts: list[Fn]) -> Fn:
    def run(row: Row) -> bool | None:
        unknown = False
        for part in parts:
            value = part(row)
            if value is None:
                unknown = True
            elif value:
                return True
        return None if unknown else False

    return run


def _membership(left: Fn, members: list[Any], negate: bool) -> Fn:
    strings = frozenset(m for m in members if isinstance(m, str))
    numbers = [m for m in members if not isinstance(m, str)]

    def run(row: Row) -> bool | None:
        value = left(row)
        if value is None:
            return None
        found = value in strings if isinstance(value, str) else any(value == m for m in numbers)
        return found != negate

    return run


class _RowCompiler:
    def __init__(
        self,
        fields: Mapping[str, tuple[str, str]],
        derived: Mapping[str, Fn],
        functions: Mapping[str, Callable[[list[str]], str]],
    ) -> None:
        self.fields = fields
        self.derived = derived
        self.functions = functions

    def dotted(self, node: ast.expr) -> str:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        assert isinstance(node, ast.Name)
        parts.append(node.id)
        return ".".join(reversed(parts))

    def field(self, node: ast.expr) -> Fn:
        column, kind = self.fields[self.dotted(node)]
        if column in self.derived:
            return self.derived[column]
        if kind == "bool":
            return lambda row: None if (v := row.get(column)) is None else bool(v)
        return lambda row: row.get(column)

    def compile(self, node: ast.expr) -> Fn:
        if isinstance(node, ast.BoolOp):
            parts = [self.compile(v) for v in node.values]
            return _and(parts) if isinstance(node.op, ast.And) else _or(parts)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.BinOp):
            op = _ARITHMETIC[type(node.op)]
            left, right = self.compile(node.left), self.compile(node.right)
            return lambda row: op(left(row), right(row))
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Constant):
            value = node.value
            return lambda row: value
        if isinstance(node, ast.Call):
            args = [self.fields[self.dotted(a)][0] for a in node.args]
            column = self.functions[self.dotted(node.func)](args)
            return lambda row: row.get(column)
        return self.field(node)

    def unary(self, node: ast.UnaryOp) -> Fn:
        operand = self.compile(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda row: None if (v := operand(row)) is None else not v
        if isinstance(node.op, ast.USub):
            return lambda row: None if (v := operand(row)) is None else -v
        return operand

    def compare(self, node: ast.Compare) -> Fn:
        parts: list[Fn] = []
        left_node = node.left
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            left = self.compile(left_node)
            if isinstance(op, ast.In | ast.NotIn):
                assert isinstance(right_node, ast.List | ast.Tuple | ast.Set)
                members = [e.value for e in right_node.elts if isinstance(e, ast.Constant)]
                parts.append(_membership(left, members, isinstance(op, ast.NotIn)))
            else:
                right = self.compile(right_node)
                parts.append(self._pair(_COMPARE[type(op)], left, right))
            left_node = right_node
        return parts[0] if len(parts) == 1 else _and(parts)

    @staticmethod
    def _pair(compare: Callable[[Any, Any], bool | None], left: Fn, right: Fn) -> Fn:
        return lambda row: compare(left(row), right(row))


def compile_row(
    tree: ast.expr,
    fields: Mapping[str, tuple[str, str]],
    derived: Mapping[str, Fn],
    functions: Mapping[str, Callable[[list[str]], str]],
) -> Callable[[Row], bool]:
    """A checked expression tree as a function of one row: true where the condition holds
    (null counts as false). ``functions`` give the column a call reads."""
    run = _RowCompiler(fields, derived, functions).compile(tree)
    return lambda row: run(row) is True
