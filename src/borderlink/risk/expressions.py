"""The profile expression language: parsed safely, compiled to a vectorised Polars expression.

An analyst writes conditions such as::

    hs.chapter == "85" and origin in ["CN", "VN"]
        and unit_value_per_kg < 0.5 * ref.median_unit_value(hs6, origin)

The text is parsed by Python's own parser in ``eval`` mode (nothing is executed), then every
node is checked against a small whitelist: boolean ``and``/``or``/``not``, comparisons (``==``,
``!=``, ``<``, ``<=``, ``>``, ``>=``, ``in``, ``not in``, chained), ``+ - * /``, unary minus,
string/number/boolean/None literals, lists of literals, the field names in :data:`FIELDS`, and
the calls in :data:`FUNCTIONS`. Anything else — attribute access outside the named fields,
subscripts, lambdas, comprehensions, ``**``, f-strings, walrus, other calls — is refused with an
:class:`~borderlink.errors.ExpressionError` carrying the 0-based character position.

The compiled expression runs over a frame from :func:`borderlink.risk.features.transform`
(prepared columns + features), so 500 profiles become 500 columnar expressions, not a Python
loop per row.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import polars as pl

from borderlink.errors import ExpressionError
from borderlink.risk.rowexpr import Row, compile_row, divide, multiply

MAX_LENGTH = 4000
MAX_DEPTH = 40
MAX_LIST = 1000

# name in the language -> (column of the feature frame, kind)
FIELDS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "hs.chapter": ("hs2", "str"),
        "hs.heading": ("hs4", "str"),
        "hs.subheading": ("hs6", "str"),
        "hs6": ("hs6", "str"),
        "hs4": ("hs4", "str"),
        "hs2": ("hs2", "str"),
        "hs_code": ("hs_code", "str"),
        "origin": ("origin_country", "str"),
        "origin_country": ("origin_country", "str"),
        "departure": ("departure_country", "str"),
        "departure_country": ("departure_country", "str"),
        "office": ("office_id", "str"),
        "office_id": ("office_id", "str"),
        "importer": ("importer_id", "str"),
        "importer_id": ("importer_id", "str"),
        "declarant": ("declarant_id", "str"),
        "declarant_id": ("declarant_id", "str"),
        "exporter": ("exporter_id", "str"),
        "exporter_id": ("exporter_id", "str"),
        "seller": ("exporter_id", "str"),
        "carrier": ("carrier_id", "str"),
        "carrier_id": ("carrier_id", "str"),
        "procedure": ("procedure", "str"),
        "import_type": ("import_type", "str"),
        "import_use": ("import_use", "str"),
        "payment_type": ("payment_type", "str"),
        "transport_mode": ("transport_mode", "str"),
        "duty_type": ("duty_type", "str"),
        "origin_marking": ("origin_marking", "str"),
        "value": ("_value", "num"),
        "net_mass_kg": ("net_mass_kg", "num"),
        "duty_rate": ("duty_rate", "num"),
        "unit_value_per_kg": ("_unit_value", "num"),
        "duty_at_risk": ("_duty_at_risk", "num"),
        "route.transit": ("route_transit", "bool"),
        "hs.older_edition": ("hs_older_edition", "bool"),
        "importer.illicit_rate": ("te_importer", "num"),
        "importer.declarations": ("n_importer", "num"),
        "declarant.illicit_rate": ("te_declarant", "num"),
        "declarant.declarations": ("n_declarant", "num"),
        "exporter.illicit_rate": ("te_exporter", "num"),
        "exporter.declarations": ("n_exporter", "num"),
        "model.score": ("model_score", "num"),
    }
)

# Derived columns a compiled expression may read beyond the feature frame.
DERIVED: Mapping[str, pl.Expr] = MappingProxyType(
    {
        "_unit_value": pl.col("_value") / pl.col("net_mass_kg"),
        "_duty_at_risk": pl.col("_value") * pl.col("duty_rate") / 100.0,
    }
)


def _median_uv(args: list[str]) -> pl.Expr:
    if args == ["hs6"]:
        return pl.col("ref_median_uv_hs6")
    if args == ["hs6", "origin_country"]:
        return pl.col("ref_median_uv_hs6_x_origin")
    raise ValueError("ref.median_unit_value takes (hs6) or (hs6, origin)")


FUNCTIONS: Mapping[str, Callable[[list[str]], pl.Expr]] = MappingProxyType(
    {
        "ref.median_unit_value": _median_uv,
    }
)

# The same derived columns and functions for one row (see :mod:`borderlink.risk.rowexpr`).
ROW_DERIVED: Mapping[str, Callable[[Row], Any]] = MappingProxyType(
    {
        "_unit_value": lambda row: divide(row.get("_value"), row.get("net_mass_kg")),
        "_duty_at_risk": lambda row: divide(
            multiply(row.get("_value"), row.get("duty_rate")), 100.0
        ),
    }
)


def _median_uv_column(args: list[str]) -> str:
    return _median_uv(args).meta.output_name()


ROW_FUNCTIONS: Mapping[str, Callable[[list[str]], str]] = MappingProxyType(
    {"ref.median_unit_value": _median_uv_column}
)


_OPENING: Mapping[str, str] = MappingProxyType({")": "(", "]": "[", "}": "{"})


def _check_brackets(text: str) -> None:
    """Brackets as the analyst typed them, before Python's parser sees the text: it sees the
    text inside the ``(`` ... ``)`` we wrap it in, so an unclosed ``[`` would come back as a
    mismatched ``)`` the analyst never typed, pointing at the end."""
    stack: list[tuple[str, int]] = []
    quote: str | None = None
    escaped = False
    for at, char in enumerate(text):
        if quote is not None:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in "([{":
            stack.append((char, at))
        elif char in ")]}":
            if not stack:
                raise ExpressionError(
                    f"{char!r} closes nothing that was opened at position {at}",
                    position=at,
                    field="expression",
                )
            opened, where = stack.pop()
            if opened != _OPENING[char]:
                raise ExpressionError(
                    f"{char!r} does not close the {opened!r} opened at position {where}"
                    f" at position {at}",
                    position=at,
                    field="expression",
                )
    if stack:
        opened, where = stack[-1]
        raise ExpressionError(
            f"unclosed {opened!r} at position {where}", position=where, field="expression"
        )


def _allowed_functions() -> str:
    return ", ".join(f"{name}(...)" for name in FUNCTIONS)


_KIND_NAMES = MappingProxyType({"str": "text", "num": "number", "bool": "true/false value"})


@dataclass(frozen=True)
class Compiled:
    """A checked expression: its text, the Polars expression, the columns it reads, and the
    same condition as a function of one row (a mapping of column to value; true where it
    holds), for scoring one declaration without a frame."""

    text: str
    expr: pl.Expr
    columns: frozenset[str]
    row: Callable[[Row], bool]


def _position(text: str, lineno: int | None, col_offset: int | None) -> int:
    """0-based character position from Python's (1-based line, UTF-8 byte column)."""
    if lineno is None:
        return 0
    lines = text.splitlines(keepends=True)
    before = sum(len(line) for line in lines[: lineno - 1])
    line = lines[lineno - 1] if lineno - 1 < len(lines) else ""
    col = len(line.encode()[: col_offset or 0].decode(errors="ignore"))
    return before + col


class _Compiler:
    def __init__(self, text: str) -> None:
        self.text = text
        self.columns: set[str] = set()

    def fail(self, node: ast.AST, message: str) -> ExpressionError:
        at = _position(self.text, getattr(node, "lineno", None), getattr(node, "col_offset", 0))
        pos = max(at - 1, 0)  # the source is the text wrapped in "(" ... ")"
        return ExpressionError(f"{message} at position {pos}", position=pos, field="expression")

    def dotted(self, node: ast.expr) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(node.id)
        return ".".join(reversed(parts))

    def field(self, node: ast.expr) -> pl.Expr:
        name = self.dotted(node)
        if name is None or name not in FIELDS:
            what = name if name is not None else type(node).__name__
            raise self.fail(node, f"unknown field {what!r}")
        column, kind = FIELDS[name]
        self.columns.add(column)
        if column in DERIVED:
            return DERIVED[column]
        return pl.col(column).cast(pl.Boolean) if kind == "bool" else pl.col(column)

    def kind(self, node: ast.expr) -> str | None:
        """ "str", "num" or "bool" where it is plain from the text; None when unknown."""
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                return "bool"
            if isinstance(node.value, int | float):
                return "num"
            return "str" if isinstance(node.value, str) else None
        if isinstance(node, ast.Name | ast.Attribute):
            name = self.dotted(node)
            return FIELDS[name][1] if name is not None and name in FIELDS else None
        if isinstance(node, ast.Call):
            return "num" if self.dotted(node.func) in FUNCTIONS else None
        if isinstance(node, ast.BinOp) or (
            isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.Not)
        ):
            return "num"
        if isinstance(node, ast.BoolOp | ast.Compare | ast.UnaryOp):
            return "bool"
        return None

    def expect(self, node: ast.expr, wanted: str, what: str) -> None:
        found = self.kind(node)
        if found is not None and found != wanted:
            raise self.fail(
                node, f"{what} needs a {_KIND_NAMES[wanted]}, not a {_KIND_NAMES[found]}"
            )

    def literal(self, node: ast.Constant) -> pl.Expr:
        value = node.value
        if value is None or isinstance(value, bool | int | float | str):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**18:
                raise self.fail(node, "number too large")
            return pl.lit(value)
        raise self.fail(node, f"literal of type {type(value).__name__} not allowed")

    def listing(self, node: ast.expr) -> list[object]:
        if not isinstance(node, ast.List | ast.Tuple | ast.Set):
            raise self.fail(node, '\'in\' needs a list of literals, e.g. ["CN", "VN"]')
        if len(node.elts) > MAX_LIST:
            raise self.fail(node, f"list longer than {MAX_LIST}")
        values: list[object] = []
        for elt in node.elts:
            if not isinstance(elt, ast.Constant) or not isinstance(elt.value, str | int | float):
                raise self.fail(elt, "list items must be string or number literals")
            values.append(elt.value)
        return values

    def compile(self, node: ast.expr, depth: int = 0) -> pl.Expr:
        if depth > MAX_DEPTH:
            raise self.fail(node, "expression nested too deeply")
        d = depth + 1
        if isinstance(node, ast.BoolOp):
            return self.bool_op(node, d)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, d)
        if isinstance(node, ast.BinOp):
            return self.binary(node, d)
        if isinstance(node, ast.Compare):
            return self.compare(node, d)
        if isinstance(node, ast.Constant):
            return self.literal(node)
        if isinstance(node, ast.Name | ast.Attribute):
            return self.field(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.fail(node, f"{type(node).__name__} not allowed")

    def bool_op(self, node: ast.BoolOp, depth: int) -> pl.Expr:
        for value in node.values:
            self.expect(value, "bool", "'and'/'or'")
        parts = [self.compile(v, depth) for v in node.values]
        out = parts[0]
        for part in parts[1:]:
            out = (out & part) if isinstance(node.op, ast.And) else (out | part)
        return out

    def unary(self, node: ast.UnaryOp, depth: int) -> pl.Expr:
        if isinstance(node.op, ast.Not):
            self.expect(node.operand, "bool", "'not'")
            return ~self.compile(node.operand, depth)
        self.expect(node.operand, "num", "a sign")
        if isinstance(node.op, ast.USub):
            return -self.compile(node.operand, depth)
        if isinstance(node.op, ast.UAdd):
            return self.compile(node.operand, depth)
        raise self.fail(node, "operator not allowed")

    def binary(self, node: ast.BinOp, depth: int) -> pl.Expr:
        ops: dict[type[ast.operator], Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
            ast.Add: lambda a, b: a + b,
            ast.Sub: lambda a, b: a - b,
            ast.Mult: lambda a, b: a * b,
            ast.Div: lambda a, b: a / b,
        }
        op = ops.get(type(node.op))
        if op is None:
            raise self.fail(node, f"operator {type(node.op).__name__} not allowed")
        self.expect(node.left, "num", "arithmetic")
        self.expect(node.right, "num", "arithmetic")
        return op(self.compile(node.left, depth), self.compile(node.right, depth))

    def compare(self, node: ast.Compare, depth: int) -> pl.Expr:
        result: pl.Expr | None = None
        left_node = node.left
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            left = self.compile(left_node, depth)
            if isinstance(op, ast.In | ast.NotIn):
                members = pl.lit(pl.Series(self.listing(right_node)))
                part = left.is_in(members.implode())
                part = ~part if isinstance(op, ast.NotIn) else part
            else:
                left_kind, right_kind = self.kind(left_node), self.kind(right_node)
                if left_kind and right_kind and left_kind != right_kind:
                    raise self.fail(
                        right_node,
                        f"cannot compare a {_KIND_NAMES[left_kind]} "
                        f"with a {_KIND_NAMES[right_kind]}",
                    )
                if not isinstance(op, ast.Eq | ast.NotEq) and "bool" in (left_kind, right_kind):
                    raise self.fail(right_node, "true/false values are compared with == or !=")
                right = self.compile(right_node, depth)
                if isinstance(op, ast.Eq):
                    part = left == right
                elif isinstance(op, ast.NotEq):
                    part = left != right
                elif isinstance(op, ast.Lt):
                    part = left < right
                elif isinstance(op, ast.LtE):
                    part = left <= right
                elif isinstance(op, ast.Gt):
                    part = left > right
                elif isinstance(op, ast.GtE):
                    part = left >= right
                else:
                    raise self.fail(node, f"comparison {type(op).__name__} not allowed")
            result = part if result is None else (result & part)
            left_node = right_node
        assert result is not None
        return result

    def call(self, node: ast.Call) -> pl.Expr:
        name = self.dotted(node.func)
        if name is None or name not in FUNCTIONS:
            called = name or type(node.func).__name__
            raise self.fail(
                node,
                f"function calls are not allowed ({called!r}); "
                f"the only functions are {_allowed_functions()}",
            )
        if node.keywords:
            raise self.fail(node.keywords[0].value, "keyword arguments not allowed")
        args: list[str] = []
        for arg in node.args:
            arg_name = self.dotted(arg)
            if arg_name is None or arg_name not in FIELDS:
                raise self.fail(arg, "function arguments must be field names")
            args.append(FIELDS[arg_name][0])
        try:
            expr = FUNCTIONS[name](args)
        except ValueError as error:
            raise self.fail(node, str(error)) from None
        self.columns.update(expr.meta.root_names())
        return expr


def compile_expression(text: str) -> Compiled:
    """Parse and check ``text``; a boolean Polars expression (null counts as false)."""
    if not text.strip():
        raise ExpressionError("empty expression at position 0", position=0, field="expression")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"expression longer than {MAX_LENGTH} characters at position {MAX_LENGTH}",
            position=MAX_LENGTH,
            field="expression",
        )
    _check_brackets(text)
    source = "(" + text + "\n)"  # parenthesised: free layout; positions shift by one
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        at = _position(source, error.lineno, None) + max((error.offset or 1) - 1, 0)
        pos = min(max(at - 1, 0), len(text))
        raise ExpressionError(
            f"syntax error: {error.msg} at position {pos}", position=pos, field="expression"
        ) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(
            "expression too complex at position 0", position=0, field="expression"
        ) from None
    compiler = _Compiler(source)
    try:
        compiler.expect(tree.body, "bool", "a profile condition")
        expr = compiler.compile(tree.body)
    except RecursionError:
        raise ExpressionError(
            "expression nested too deeply at position 0", position=0, field="expression"
        ) from None
    row = compile_row(tree.body, FIELDS, ROW_DERIVED, ROW_FUNCTIONS)
    compiled = Compiled(
        text, expr.fill_null(False).cast(pl.Boolean), frozenset(compiler.columns), row
    )
    _check_types(compiled)
    return compiled


def _empty_frame() -> pl.DataFrame:
    kinds = {"str": pl.Utf8, "num": pl.Float64, "bool": pl.Float64}
    schema: dict[str, Any] = {column: kinds[kind] for column, kind in FIELDS.values()}
    schema.update(
        {
            "_value": pl.Float64,
            "ref_median_uv_hs6": pl.Float64,
            "ref_median_uv_hs6_x_origin": pl.Float64,
        }
    )
    schema.pop("_unit_value", None)
    schema.pop("_duty_at_risk", None)
    return pl.DataFrame(schema=schema)


def _check_types(compiled: Compiled) -> None:
    """Run the expression on an empty frame of the right types: what the checks above missed
    fails here, at definition time, not while scoring a batch."""
    try:
        _empty_frame().select(compiled.expr)
    except (pl.exceptions.PolarsError, TypeError, ValueError) as error:
        message = str(error).splitlines()[0]
        raise ExpressionError(
            f"types do not fit: {message} at position 0", position=0, field="expression"
        ) from None
