"""The shared filter language of document_query, pubsub_filtering and the multicast registry.

This docstring is the normative definition; the in-process evaluator (:meth:`Filter.matches`)
and every pushdown compiler (such as :class:`SQLiteJSONCompiler`) must agree with it.

Syntax
------
A filter is a mapping.  Each key is either a *field path* or one of ``$and`` / ``$or``; the
conditions of all keys at one level are ANDed.  ``{}`` and ``None`` match every document::

    {"status": "open", "size": {"$gte": 10, "$lt": 100}, "$or": [{"a.b": 1}, {"c": None}]}

* A field path is a ``str`` of dot-separated, non-empty segments.  ``"a.b.c"`` walks nested
  objects: it names ``doc["a"]["b"]["c"]``.  A key that itself contains a ``.`` cannot be
  addressed.  A path through anything that is not an object (an array, a scalar, null) reaches
  a *missing* value; there is no array indexing and no matching of array elements.
* ``field: value`` means ``field: {"$eq": value}``.
* ``field: {op: operand, ...}`` -- a mapping whose keys all start with ``$`` -- is an operator
  mapping; its operators are ANDed.  A non-empty mapping whose keys do not start with ``$`` (and
  the empty mapping ``{}``) is a plain value compared for equality.  Mixing ``$`` and other keys
  in one mapping is an error.  Operator mappings are recognised only directly under a field.
* ``$and`` / ``$or`` take a non-empty list of filters.

Values and equality
-------------------
Operands are JSON values: ``None``, ``bool``, ``int`` (signed 64-bit), finite ``float``,
``str``, ``list`` / ``tuple`` (an array) and mappings with ``str`` keys (an object).
Equality is JSON equality: numbers compare by value (``1 == 1.0``) but booleans are not numbers
(``True != 1``); arrays are equal when they have the same length and equal elements in order;
objects when they have the same keys and equal values.  Arrays are only ever compared as whole
values.

Operators
---------
``$eq v``
    The field equals ``v``.  ``$eq None`` (and ``field: None``) matches a null *or missing* field.
``$ne v``
    Not ``$eq v``; so it matches a missing field unless ``v`` is ``None``.
``$in [v, ...]`` / ``$nin [v, ...]``
    ``$eq`` some element / no element (a ``None`` element also matches a missing field).
    ``$in []`` matches nothing and ``$nin []`` everything.
``$exists bool``
    The field is present (any value, null included) / absent.
``$gt $gte $lt $lte``
    Ordering of numbers with numbers (not booleans) and of strings with strings (code point
    order).  The operand must be a number or a ``str``; a missing field, or a value of the other
    kind, never matches.

Validation
----------
:func:`parse` checks a filter once and returns an immutable :class:`Filter`.  Unknown
operators, misplaced ``$`` keys, a non-list ``$in`` / ``$nin``, ``$and`` / ``$or`` that are not
non-empty lists of mappings, a non-bool ``$exists``, an ordering operand that is not a number or
``str``, non-``str`` or empty path segments, text with lone surrogates, and operands that are
not JSON values (NaN, infinities and integers beyond 64 bits included) raise
:class:`~prism.errors.InvalidArgumentError`.

Limits
------
``$and`` / ``$or`` nest at most :data:`MAX_DEPTH` (100) levels; an operand nests at most as
deep as a document's field value may (``MAX_DEPTH`` levels counted from the document's root, so
99 objects or arrays around a scalar); a filter holds at most :data:`MAX_CONDITIONS` (10,000)
conditions, each field condition counting one and each ``$in`` / ``$nin`` element one.  Past
any of them :func:`parse` raises :class:`~prism.errors.InvalidArgumentError`.  Every backend
executes every filter within them (a pushdown compiler that cannot take one whole leaves the
rest to :meth:`Filter.matches`, see :meth:`SQLiteJSONCompiler.split`).

Pushdown
--------
A backend translates a :class:`Filter` by subclassing :class:`FilterCompiler`.
:class:`SQLiteJSONCompiler` translates to a SQLite ``WHERE`` fragment over a JSON text column.
Its results equal :meth:`Filter.matches` for documents stored as JSON text whose integers fit
in 64 bits and whose strings contain no U+0000 (SQLite truncates such strings).  Names reach
the SQL text only through :mod:`prism._sql`; every value is a bound parameter.
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Generic, NamedTuple, TypeVar

from prism import _sql as _sqltext
from prism.errors import InvalidArgumentError

__all__ = [
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "OPERATORS",
    "ORDERING",
    "TRUE",
    "And",
    "Compare",
    "Filter",
    "FilterCompiler",
    "MatchAll",
    "Or",
    "SQLFragment",
    "SQLiteJSONCompiler",
    "field_paths",
    "matches",
    "parse",
]

ORDERING: Final = frozenset({"$gt", "$gte", "$lt", "$lte"})
"""The ordering operators (numbers with numbers, strings with strings)."""
OPERATORS: Final = frozenset({"$eq", "$ne", "$in", "$nin", "$exists"}) | ORDERING
"""The operators allowed in a field's operator mapping."""

MAX_DEPTH: Final = 100
"""How deep ``$and`` / ``$or`` may nest, and how deep an operand value may nest."""
MAX_CONDITIONS: Final = 10_000
"""How many conditions a filter may hold: each field condition counts one, each element of a
``$in`` / ``$nin`` list one (an empty list one)."""
_MAX_DEPTH = MAX_DEPTH
_LISTS = frozenset({"$in", "$nin"})
_INT64 = range(-(2**63), 2**63)
_MISSING: Any = object()


# --------------------------------------------------------------------------- the AST


class Filter(ABC):
    """A parsed, validated filter (see the module docstring).  Build one with :func:`parse`."""

    __slots__ = ()

    @abstractmethod
    def matches(self, document: Mapping[str, Any]) -> bool:
        """Whether ``document`` satisfies this filter."""


@dataclass(frozen=True, slots=True)
class MatchAll(Filter):
    """Matches every document; the parse of ``{}`` and ``None``.  Use the :data:`TRUE` instance."""

    def matches(self, document: Mapping[str, Any]) -> bool:
        return True


TRUE: Final = MatchAll()


@dataclass(frozen=True, slots=True)
class And(Filter):
    """All children match (:func:`parse` builds it with at least two)."""

    children: tuple[Filter, ...]

    def matches(self, document: Mapping[str, Any]) -> bool:
        return all(child.matches(document) for child in self.children)


@dataclass(frozen=True, slots=True)
class Or(Filter):
    """Some child matches (:func:`parse` builds it with at least two)."""

    children: tuple[Filter, ...]

    def matches(self, document: Mapping[str, Any]) -> bool:
        return any(child.matches(document) for child in self.children)


@dataclass(frozen=True, slots=True)
class Compare(Filter):
    """One operator applied to the value at ``path``.

    ``op`` is one of :data:`OPERATORS`.  ``value`` is the validated operand, copied at parse time:
    arrays are tuples, objects are private ``dict`` copies (so such nodes are not hashable),
    ``$in`` / ``$nin`` operands are tuples of values and ``$exists`` takes a bool.
    """

    path: tuple[str, ...]
    op: str
    value: Any

    def matches(self, document: Mapping[str, Any]) -> bool:
        value: Any = document
        for segment in self.path:
            if not isinstance(value, Mapping):
                return _TESTS[self.op](_MISSING, self.value)
            value = value.get(segment, _MISSING)
        return _TESTS[self.op](value, self.value)


def _json_eq(a: Any, b: Any) -> bool:
    """JSON equality of a document value ``a`` (possibly ``_MISSING``) and an operand ``b``."""
    if b is None:
        return a is None
    if isinstance(b, bool):
        return isinstance(a, bool) and a == b
    if isinstance(b, int | float):
        return isinstance(a, int | float) and not isinstance(a, bool) and a == b
    if isinstance(b, str):
        return isinstance(a, str) and a == b
    if isinstance(b, dict):
        return (
            isinstance(a, Mapping)
            and len(a) == len(b)
            and all(k in a and _json_eq(a[k], v) for k, v in b.items())
        )
    return isinstance(a, list | tuple) and len(a) == len(b) and all(map(_json_eq, a, b))


def _eq(a: Any, b: Any) -> bool:
    """``$eq``: like :func:`_json_eq`, but ``None`` also matches a missing value."""
    return (a is None or a is _MISSING) if b is None else _json_eq(a, b)


def _ordered(a: Any, b: Any) -> bool:
    """Whether ``a`` may be ordered against the (number or str) operand ``b``."""
    if isinstance(b, str):
        return isinstance(a, str)
    return isinstance(a, int | float) and not isinstance(a, bool)


_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": _eq,
    "$ne": lambda a, b: not _eq(a, b),
    "$in": lambda a, b: any(_eq(a, x) for x in b),
    "$nin": lambda a, b: not any(_eq(a, x) for x in b),
    "$exists": lambda a, b: (a is not _MISSING) is b,
    "$gt": lambda a, b: _ordered(a, b) and a > b,
    "$gte": lambda a, b: _ordered(a, b) and a >= b,
    "$lt": lambda a, b: _ordered(a, b) and a < b,
    "$lte": lambda a, b: _ordered(a, b) and a <= b,
}


# --------------------------------------------------------------------------- parsing


def parse(filter: Mapping[str, Any] | Filter | None) -> Filter:
    """Validate ``filter`` and return its :class:`Filter` (a :class:`Filter` is returned as is).

    Raises :class:`~prism.errors.InvalidArgumentError` naming what is wrong and what is allowed.
    """
    if isinstance(filter, Filter):
        return filter
    if filter is None:
        return TRUE
    return _parse_filter(filter, "filter", 0, [0])


def matches(filter: Mapping[str, Any] | Filter | None, document: Mapping[str, Any]) -> bool:
    """Whether ``document`` matches ``filter`` (parse once with :func:`parse` to match many)."""
    return parse(filter).matches(document)


def _fail(message: str) -> InvalidArgumentError:
    return InvalidArgumentError(message)


def _parse_filter(raw: object, where: str, depth: int, counted: list[int]) -> Filter:
    if not isinstance(raw, Mapping):
        msg = f"{where} must be a mapping of field paths to conditions, got {type(raw).__name__}"
        raise _fail(msg)
    if depth > _MAX_DEPTH:
        msg = f"{where} nests $and / $or more than {_MAX_DEPTH} levels deep"
        raise _fail(msg)
    parts: list[Filter] = []
    for key, condition in raw.items():
        if not isinstance(key, str):
            msg = f"{where} has a non-str key {key!r}; field paths are str"
            raise _fail(msg)
        if key in ("$and", "$or"):
            if not isinstance(condition, list | tuple) or not condition:
                msg = f"{where}.{key} must be a non-empty list of filters, got {condition!r}"
                raise _fail(msg)
            children = [
                _parse_filter(child, f"{where}.{key}[{i}]", depth + 1, counted)
                for i, child in enumerate(condition)
            ]
            parts.append(_and(children) if key == "$and" else _or(children))
        elif key.startswith("$"):
            msg = (
                f"unknown operator {key!r} in {where}; only '$and' and '$or' may appear beside"
                " field paths (field operators go under a field: {'field': {'$gt': 1}})"
            )
            raise _fail(msg)
        else:
            compares = _parse_field(key, condition)
            counted[0] += sum(max(1, len(c.value)) if c.op in _LISTS else 1 for c in compares)
            if counted[0] > MAX_CONDITIONS:
                msg = (
                    f"filter has more than {MAX_CONDITIONS} conditions (each field condition "
                    "counts one, each element of a $in / $nin list one); split the query"
                )
                raise _fail(msg)
            parts.extend(compares)
    return _and(parts)


def _parse_field(field: str, condition: object) -> list[Compare]:
    _unicode(field, f"field path {field!r}")
    segments = tuple(field.split("."))
    if "" in segments:
        msg = f"field path {field!r} has an empty segment; use non-empty names joined by '.'"
        raise _fail(msg)
    if isinstance(condition, Mapping):
        dollar = [isinstance(k, str) and k.startswith("$") for k in condition]
        if any(dollar):
            if not all(dollar):
                msg = (
                    f"the condition for field {field!r} mixes operators and plain keys"
                    f" ({list(condition)!r}); use either only operators ({{'$gt': 1}})"
                    " or a plain object value"
                )
                raise _fail(msg)
            return [_parse_operator(segments, field, op, arg) for op, arg in condition.items()]
    return [Compare(segments, "$eq", _operand(condition, f"value for field {field!r}", 1))]


def _parse_operator(path: tuple[str, ...], field: str, op: str, arg: object) -> Compare:
    where = f"{op} for field {field!r}"
    if op not in OPERATORS:
        msg = f"unknown operator {op!r} for field {field!r}; allowed are {', '.join(sorted(OPERATORS))}"
        raise _fail(msg)
    if op in ("$in", "$nin"):
        if not isinstance(arg, list | tuple):
            msg = f"{where} takes a list of values, got {type(arg).__name__}"
            raise _fail(msg)
        value: Any = tuple(_operand(x, f"{where}[{i}]", 1) for i, x in enumerate(arg))
    elif op == "$exists":
        if not isinstance(arg, bool):
            msg = f"{where} takes True or False, got {arg!r}"
            raise _fail(msg)
        value = arg
    elif op in ORDERING:
        if isinstance(arg, bool) or not isinstance(arg, int | float | str):
            msg = f"{where} compares with a number or a str, got {type(arg).__name__}"
            raise _fail(msg)
        value = _operand(arg, where, 1)
    else:
        value = _operand(arg, where, 1)
    return Compare(path, op, value)


def _operand(value: object, where: str, depth: int) -> Any:
    """Check a JSON value and return an independent copy (arrays as tuples).  ``depth`` counts
    like a document's: 1 for a field's value, so an operand may nest exactly as deep as a
    document field value may (``MAX_DEPTH`` levels in all, the innermost included)."""
    if depth > _MAX_DEPTH:
        msg = f"{where} is nested more than {_MAX_DEPTH} levels deep"
        raise _fail(msg)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value not in _INT64:
            msg = f"{where}: the integer {value} does not fit in 64 bits (signed)"
            raise _fail(msg)
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            msg = f"{where} is {value!r}; JSON allows only finite numbers"
            raise _fail(msg)
        return float(value)
    if isinstance(value, str):
        return _unicode(str(value), where)
    if isinstance(value, Mapping):
        copy: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                msg = f"{where} has a non-str object key {k!r}; JSON object keys are str"
                raise _fail(msg)
            copy[_unicode(str(k), f"{where} key {k!r}")] = _operand(v, f"{where}.{k}", depth + 1)
        return copy
    if isinstance(value, list | tuple):
        return tuple(_operand(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value))
    msg = (
        f"{where} is a {type(value).__name__}, which is not a JSON value"
        " (allowed: None, bool, int, float, str, list, dict)"
    )
    raise _fail(msg)


def _unicode(text: str, where: str) -> str:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            msg = f"{where} is not valid Unicode text (it has a lone surrogate)"
            raise _fail(msg) from exc
    return text


def _and(children: Iterable[Filter]) -> Filter:
    """All of ``children``; an ``And`` among them is flattened into this one."""
    kept: list[Filter] = []
    for child in children:
        if isinstance(child, And):
            kept.extend(child.children)
        elif not isinstance(child, MatchAll):
            kept.append(child)
    return kept[0] if len(kept) == 1 else And(tuple(kept)) if kept else TRUE


def _or(children: Iterable[Filter]) -> Filter:
    """Any of ``children``; an ``Or`` among them is flattened into this one."""
    kept: list[Filter] = []
    for child in children:
        if isinstance(child, MatchAll):
            return TRUE
        kept.extend(child.children if isinstance(child, Or) else (child,))
    return kept[0] if len(kept) == 1 else Or(tuple(kept))


# --------------------------------------------------------------------------- compilers

T = TypeVar("T")


class FilterCompiler(ABC, Generic[T]):
    """Translates a :class:`Filter` into a backend's form ``T`` (SQL, a native query, ...).

    :meth:`compile` dispatches on the node type; a ``visit_*`` method compiles children with
    ``self.compile(child)`` as it needs them.
    """

    def compile(self, filter: Filter) -> T:
        if isinstance(filter, Compare):
            return self.visit_compare(filter)
        if isinstance(filter, And):
            return self.visit_and(filter)
        if isinstance(filter, Or):
            return self.visit_or(filter)
        if isinstance(filter, MatchAll):
            return self.visit_true(filter)
        msg = f"not a filter node: {filter!r}"
        raise TypeError(msg)

    @abstractmethod
    def visit_and(self, node: And) -> T: ...

    @abstractmethod
    def visit_or(self, node: Or) -> T: ...

    @abstractmethod
    def visit_compare(self, node: Compare) -> T: ...

    @abstractmethod
    def visit_true(self, node: MatchAll) -> T: ...


class _FieldPaths(FilterCompiler[set[tuple[str, ...]]]):
    def visit_and(self, node: And) -> set[tuple[str, ...]]:
        return set().union(*map(self.compile, node.children))

    def visit_or(self, node: Or) -> set[tuple[str, ...]]:
        return set().union(*map(self.compile, node.children))

    def visit_compare(self, node: Compare) -> set[tuple[str, ...]]:
        return {node.path}

    def visit_true(self, node: MatchAll) -> set[tuple[str, ...]]:
        return set()


def field_paths(filter: Mapping[str, Any] | Filter | None) -> set[tuple[str, ...]]:
    """The field paths a filter reads, e.g. ``{("a", "b"), ("c",)}``."""
    return _FieldPaths().compile(parse(filter))


class SQLFragment(NamedTuple):
    """SQL text with ``?`` placeholders and the parameters to bind, in order."""

    sql: str
    params: tuple[Any, ...] = ()


def _sql(template: str, *parts: SQLFragment) -> SQLFragment:
    """Fill the ``{}`` slots of a constant ``template`` with ``parts``, concatenating params."""
    params = tuple(p for part in parts for p in part.params)
    return SQLFragment(template.format(*(part.sql for part in parts)), params)


def _param(value: Any) -> SQLFragment:
    return SQLFragment("?", (value,))


_CHAIN = 16
"""Terms per ``AND`` / ``OR`` chain: SQLite parses a chain of n terms into an expression tree
n deep (at most 1000 by default), so longer lists are grouped in parenthesised chains of at
most this many terms (a list of 10,000 terms nests four groups deep)."""


def _join(separator: str, parts: list[SQLFragment], empty: str) -> SQLFragment:
    if not parts:
        return SQLFragment(empty)
    while len(parts) > _CHAIN:
        parts = [
            _join(separator, parts[i : i + _CHAIN], empty) for i in range(0, len(parts), _CHAIN)
        ]
    if len(parts) == 1:
        return parts[0]
    return _sql("(" + separator.join(["{}"] * len(parts)) + ")", *parts)


def _not(part: SQLFragment) -> SQLFragment:
    return _sql("NOT COALESCE({}, 0)", part)  # NULL (unknown) counts as no match


PLAIN_JSON_KEY = _sqltext.PLAIN_JSON_KEY
"""Object keys written as a label of a SQLite JSON path (see :data:`prism._sql.PLAIN_JSON_KEY`);
other keys are looked up through ``json_each()`` with the key bound as a parameter."""


@dataclass(frozen=True, slots=True)
class _Path:
    """The value at the JSON path ``keys`` (plain keys and array indexes) inside the JSON text
    ``doc``."""

    doc: SQLFragment
    keys: tuple[str | int, ...] = ()

    def _call(self, function: str) -> SQLFragment:
        literal = SQLFragment(_sqltext.sqlite_json_path_literal(self.keys))
        return _sql(function + "({}, {})", self.doc, literal)

    def type(self) -> SQLFragment:
        return self._call("json_type")

    def value(self) -> SQLFragment:
        return self._call("json_extract")

    def length(self) -> SQLFragment:
        return self._call("json_array_length")

    def size(self) -> SQLFragment:
        return _sql("(SELECT count(*) FROM {})", self._call("json_each"))

    def child(self, key: str) -> _Path | _Member:
        if PLAIN_JSON_KEY.fullmatch(key):
            return _Path(self.doc, (*self.keys, key))
        return _Member(self, key)

    def index(self, i: int) -> _Path:
        return _Path(self.doc, (*self.keys, i))


@dataclass(frozen=True, slots=True)
class _Member:
    """The member ``key`` of the object at ``parent``, found with json_each()."""

    parent: _Path
    key: str

    def _select(self, column: str, condition: str = "") -> SQLFragment:
        return _sql(
            f"(SELECT {column} FROM {{}} WHERE key = {{}}{condition})",
            self.parent._call("json_each"),
            _param(self.key),
        )

    def _rooted(self) -> _Path:
        return _Path(self._select("value", " AND type IN ('object', 'array')"))

    def type(self) -> SQLFragment:
        return self._select("type")

    def value(self) -> SQLFragment:
        return self._select("atom")

    def length(self) -> SQLFragment:
        return self._rooted().length()

    def size(self) -> SQLFragment:
        return self._rooted().size()

    def child(self, key: str) -> _Path | _Member:
        return self._rooted().child(key)

    def index(self, i: int) -> _Path:
        return self._rooted().index(i)


def _json_eq_sql(at: _Path | _Member, value: Any) -> SQLFragment:
    """SQL for JSON equality of the value ``at`` and ``value`` (no NULL when ``at`` exists)."""
    kind = at.type()
    if value is None or isinstance(value, bool):
        return _sql("{} = " + {None: "'null'", True: "'true'", False: "'false'"}[value], kind)
    if isinstance(value, int | float):
        return _sql("({} IN ('integer', 'real') AND {} = {})", kind, at.value(), _param(value))
    if isinstance(value, str):
        return _sql("({} = 'text' AND {} = {})", kind, at.value(), _param(value))
    if isinstance(value, dict):
        parts = [_sql("{} = 'object'", kind), _sql("{} = {}", at.size(), _param(len(value)))]
        parts += [_json_eq_sql(at.child(k), v) for k, v in value.items()]
    else:
        parts = [_sql("{} = 'array'", kind), _sql("{} = {}", at.length(), _param(len(value)))]
        parts += [_json_eq_sql(at.index(i), v) for i, v in enumerate(value)]
    return _join(" AND ", parts, "1")


def _eq_sql(at: _Path | _Member, value: Any) -> SQLFragment:
    if value is None:
        return _sql("COALESCE({}, 'null') = 'null'", at.type())
    return _json_eq_sql(at, value)


def _in_sql(at: _Path | _Member, values: tuple[Any, ...]) -> SQLFragment:
    """SQL for ``$in``: the numbers and the strings each become one bound JSON array that
    ``json_each()`` expands (so the statement does not grow with the list); other values are
    compared one by one."""
    numbers: list[Any] = []
    texts: list[Any] = []
    parts: list[SQLFragment] = []
    for v in values:
        if isinstance(v, int | float) and not isinstance(v, bool):
            numbers.append(v)
        elif isinstance(v, str) and "\x00" not in v:  # json_each() would truncate at U+0000
            texts.append(v)
        else:
            parts.append(_eq_sql(at, v))
    for group, kinds in ((numbers, "IN ('integer', 'real')"), (texts, "= 'text'")):
        if len(group) == 1:
            parts.append(_eq_sql(at, group[0]))
        elif group:
            array = _param(json.dumps(group, ensure_ascii=False, allow_nan=False))
            template = "({} " + kinds + " AND {} IN (SELECT value FROM json_each({})))"
            parts.append(_sql(template, at.type(), at.value(), array))
    return _join(" OR ", parts, "0")


def _fits_anywhere(fragment: SQLFragment) -> bool:
    return len(fragment.params) <= 999 and _nesting(fragment.sql) <= 8


def _nesting(sql: str) -> int:
    """How deep parentheses nest in ``sql``, outside its '...' literals and "..." names."""
    depth = deepest = 0
    quote = ""
    for char in sql:
        if quote:
            if char == quote:
                quote = ""  # a doubled quote closes and reopens: same result
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


_SQL_ORDERING: Final = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


class SQLiteJSONCompiler(FilterCompiler[SQLFragment]):
    """Compiles a filter to a SQLite ``WHERE`` fragment over the JSON text column ``column``.

    ``column`` is an identifier (it is quoted); every operand is a bound parameter::

        where = SQLiteJSONCompiler("body").compile(parse(filter))
        rows = conn.execute(f"SELECT id FROM docs WHERE {where.sql}", where.params)

    ``json_type()`` enforces the type rules (booleans are not numbers, null is not missing).
    Comparisons of plain keys have the form ``json_extract("body", '$."a"."b"') = ?``, which an
    expression index on that ``json_extract`` can serve.
    """

    def __init__(self, column: str) -> None:
        if type(column) is not str or not column or "\x00" in column:
            msg = f"column must be a non-empty str without NUL, got {column!r}"
            raise InvalidArgumentError(msg)
        _unicode(column, "column")
        self.column = column
        self._root = _Path(SQLFragment(_sqltext.quote_identifier(column)))

    def split(
        self, filter: Filter, fits: Callable[[SQLFragment], bool] | None = None
    ) -> tuple[SQLFragment, Filter]:
        """``(where, rest)``: a ``WHERE`` fragment that ``fits``, and the part of ``filter`` it
        leaves out.  A document matches ``filter`` exactly when ``where`` selects it and
        :meth:`Filter.matches` of ``rest`` holds; ``rest`` is :data:`TRUE` when ``where`` is
        exact.

        ``fits`` says whether SQLite accepts a fragment (its parser stack, expression depth and
        variable count are finite and build-dependent; a backend passes a check against its own
        connection).  The default accepts fragments that nest parentheses at most 8 deep and
        bind at most 999 parameters, which every SQLite build parses.  The top-level conditions
        of ``filter`` (its ``$and``) are pushed down while they fit; the others go to ``rest``.
        """
        fits = fits or _fits_anywhere
        whole = self.compile(filter)
        if fits(whole):
            return whole, TRUE
        conjuncts = filter.children if isinstance(filter, And) else (filter,)
        pushed: list[tuple[Filter, SQLFragment]] = []
        rest: list[Filter] = []
        for conjunct in conjuncts:
            fragment = self.compile(conjunct)
            if fits(fragment):
                pushed.append((conjunct, fragment))
            else:
                rest.append(conjunct)
        while pushed and not fits(_join(" AND ", [f for _, f in pushed], "1")):
            rest.append(pushed.pop()[0])
        return _join(" AND ", [f for _, f in pushed], "1"), _and(rest)

    def visit_true(self, node: MatchAll) -> SQLFragment:
        return SQLFragment("1")

    def visit_and(self, node: And) -> SQLFragment:
        return _join(" AND ", [self.compile(c) for c in node.children], "1")

    def visit_or(self, node: Or) -> SQLFragment:
        return _join(" OR ", [self.compile(c) for c in node.children], "0")

    def visit_compare(self, node: Compare) -> SQLFragment:
        at: _Path | _Member = self._root
        for segment in node.path:
            at = at.child(segment)
        op, value = node.op, node.value
        if op == "$eq":
            return _eq_sql(at, value)
        if op == "$ne":
            return _not(_eq_sql(at, value))
        if op in ("$in", "$nin"):
            any_of = _in_sql(at, value)
            return any_of if op == "$in" else _not(any_of)
        if op == "$exists":
            return _sql("{} IS NOT NULL" if value else "{} IS NULL", at.type())
        kinds = "= 'text'" if isinstance(value, str) else "IN ('integer', 'real')"
        template = "({} " + kinds + " AND {} " + _SQL_ORDERING[op] + " {})"
        return _sql(template, at.type(), at.value(), _param(value))
