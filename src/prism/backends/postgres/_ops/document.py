"""document's storage and SQL: one table per collection, JSONB for queries, the exact JSON text
for reads.

A collection ``c`` of a namespace is the table ``<schema>.doc_<sha256(c)[:24]>``:
``id text PRIMARY KEY, seq bigint (insertion order), body jsonb, raw text, lossy boolean``.
``raw`` is the document's exact JSON text (what ``get`` and ``find`` return, so ``1.0`` stays
a float and ``1e300`` keeps its form); ``body`` is the same document as JSONB, which filters,
sorts and indexes read.  JSONB cannot hold U+0000 or lone surrogates: a string or key holding
one is replaced in ``body`` by a marker object carrying its hash and the row is marked
``lossy``; such rows are matched in Python with the reference evaluator (a partial index finds
them at once), every other row in SQL.  Every table has a GIN index (``jsonb_path_ops``) that
equality filters use through ``@>``; ``create_index`` adds btree expression indexes over the
very expressions the compiler emits (``body -> 'a' -> 'b'``), so queries on those fields use
them.  A unique index is a UNIQUE expression index over ``(x IS NULL, coalesce(x, 'null'))``
per field, partial on "some field present": JSON equality of JSONB (``1 = 1.0``,
``true <> 1``), a missing field equal only to a missing one, documents missing every field
exempt — PostgreSQL raises ``unique_violation`` → ``ConflictError`` and writes nothing.

:class:`PostgresJSONCompiler` compiles the shared filter language (``prism.filters``) to a
``WHERE`` clause: every operand is a bound parameter; object keys are ``psycopg.sql.Literal``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Final

from psycopg import sql  # noqa: TID253 (backend-internal module)

from prism import filters

__all__ = [
    "LOSSY",
    "PostgresJSONCompiler",
    "encode",
    "index_ddl",
    "order_by",
    "path_expr",
    "table_name",
    "table_sql",
]

LOSSY: Final = "\x01prism:lossy"
"""The key of the marker object that stands in ``body`` for text JSONB cannot hold."""

Where = tuple[str, list[Any]]


def table_name(collection: str) -> str:
    return "doc_" + hashlib.sha256(collection.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _marker(text: str) -> dict[str, str]:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return {LOSSY: digest}


def _sanitize(value: Any, flags: list[bool]) -> Any:
    if isinstance(value, str):
        if _storable(value):
            return value
        flags.append(True)
        return _marker(value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            stored = key
            if not _storable(key):
                flags.append(True)
                stored = f"{LOSSY}:{_marker(key)[LOSSY]}"
            out[stored] = _sanitize(item, flags)
        return out
    if isinstance(value, list | tuple):
        return [_sanitize(item, flags) for item in value]
    return value


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, ensure_ascii=True, allow_nan=False)
    return text


def encode(document: Mapping[str, Any]) -> tuple[str, str, bool]:
    """``(body, raw, lossy)``: the JSONB text, the exact JSON text, whether ``body`` differs."""
    raw = _dumps(document)
    flags: list[bool] = []
    clean = _sanitize(document, flags)
    return (raw if not flags else _dumps(clean)), raw, bool(flags)


@lru_cache(maxsize=4096)
def path_expr(path: tuple[str, ...], *, with_params: bool = True) -> str:
    """``body -> 'a' -> 'b'``: the JSONB value at ``path`` (NULL when missing or when the path
    goes through anything but objects: ``->`` with a text key is NULL on arrays).

    The keys are SQL literals rendered by :class:`psycopg.sql.Literal` (so that an expression
    index over the same path serves the query).  In a statement run with parameters psycopg
    reads ``%`` as a placeholder, so there (``with_params``, the default) a ``%`` inside a key
    is written ``%%``; DDL, which runs without parameters, takes the plain form."""
    expr = "body"
    for segment in path:
        literal = sql.Literal(segment).as_string(None)
        if with_params:
            literal = literal.replace("%", "%%")
        expr = f"({expr} -> {literal})"
    return expr


def _jsonb_safe(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, Mapping):
        return all("\x00" not in k and _jsonb_safe(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_jsonb_safe(v) for v in value)
    return True


def _nest(path: Sequence[str], value: Any) -> Any:
    for segment in reversed(path):
        value = {segment: value}
    return value


_FALSE = "false"
_TRUE = "true"
_ORDER_OPS: Final = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


class PostgresJSONCompiler(filters.FilterCompiler[Where]):
    """A filter as ``(condition, params)`` over the JSONB column ``body``, never NULL: SQL text
    with ``%s`` placeholders (to run with parameters) and the values to bind, in order.

    Equality is JSONB equality (numbers by value, ``true`` is not ``1``, objects by members,
    arrays in order), guarded by a GIN-servable ``body @> ...`` containment when the operand
    is not null; ``$eq None`` also matches a missing field; ordering operators compare numbers
    as ``numeric`` and strings with ``COLLATE "C"`` (code point order).  Paths come from
    :func:`path_expr` (keys rendered by ``psycopg.sql.Literal``); no value is ever in the text.
    """

    def visit_true(self, node: filters.MatchAll) -> Where:
        return _TRUE, []

    def _join(self, word: str, children: Sequence[filters.Filter]) -> Where:
        parts: list[str] = []
        params: list[Any] = []
        for child in children:
            part, more = self.compile(child)
            parts.append(part)
            params.extend(more)
        return "(" + f" {word} ".join(parts) + ")", params

    def visit_and(self, node: filters.And) -> Where:
        return self._join("AND", node.children)

    def visit_or(self, node: filters.Or) -> Where:
        return self._join("OR", node.children)

    def _eq(self, path: tuple[str, ...], value: Any) -> Where:
        at = path_expr(path)
        if value is None:
            return f"coalesce({at} = 'null'::jsonb, true)", []
        if not _jsonb_safe(value):
            return _FALSE, []  # no JSONB value holds U+0000; lossy rows are matched in Python
        operand = json.dumps(value, allow_nan=False)
        contained = json.dumps(_nest(path, value), allow_nan=False)
        return f"coalesce(body @> %s::jsonb AND {at} = %s::jsonb, false)", [contained, operand]

    def visit_compare(self, node: filters.Compare) -> Where:
        op, value, path = node.op, node.value, node.path
        if op == "$eq":
            return self._eq(path, value)
        if op == "$ne":
            cond, params = self._eq(path, value)
            return f"NOT {cond}", params
        if op in ("$in", "$nin"):
            if not value:
                return (_FALSE if op == "$in" else _TRUE), []
            parts = [self._eq(path, item) for item in value]
            cond = "(" + " OR ".join(p for p, _ in parts) + ")"
            params = [x for _, more in parts for x in more]
            return (cond if op == "$in" else f"NOT {cond}"), params
        at = path_expr(path)
        if op == "$exists":
            return (f"({at} IS NOT NULL)" if value else f"({at} IS NULL)"), []
        compare = _ORDER_OPS[op]
        if isinstance(value, str):
            if "\x00" in value:
                return _FALSE, []
            return (
                f"coalesce(jsonb_typeof({at}) = 'string' AND "
                f'({at} #>> \'{{}}\') COLLATE "C" {compare} %s::text COLLATE "C", false)'
            ), [value]
        return (f"coalesce(jsonb_typeof({at}) = 'number' AND {at} {compare} %s::jsonb, false)"), [
            json.dumps(value)
        ]


@lru_cache(maxsize=1024)
def order_by(sort: tuple[tuple[tuple[str, ...], bool], ...]) -> str:
    """``ORDER BY`` terms for scalar values in the reference order (type rank, then numbers
    as numeric, strings in code point order, false < true), ties in insertion order."""
    terms: list[str] = []
    for path, descending in sort:
        at = path_expr(path)
        direction = " DESC" if descending else ""
        terms += [
            (
                f"CASE jsonb_typeof({at}) WHEN 'null' THEN 1 WHEN 'number' THEN 2 "
                "WHEN 'string' THEN 3 WHEN 'object' THEN 4 WHEN 'array' THEN 5 "
                f"WHEN 'boolean' THEN 6 ELSE 0 END{direction}"
            ),
            f"CASE WHEN jsonb_typeof({at}) = 'number' THEN ({at})::numeric END{direction}",
            (
                f"CASE WHEN jsonb_typeof({at}) = 'string' THEN {at} #>> '{{}}' END "
                f'COLLATE "C"{direction}'
            ),
            f"CASE WHEN jsonb_typeof({at}) = 'boolean' THEN ({at})::boolean END{direction}",
        ]
    terms.append("seq")
    return ", ".join(terms)


@lru_cache(maxsize=1024)
def composite_at(sort: tuple[tuple[tuple[str, ...], bool], ...]) -> str:
    """True for a row holding an object or array at a sort path (SQL cannot order those the
    reference way)."""
    return " OR ".join(
        f"jsonb_typeof({path_expr(path)}) IN ('object', 'array')" for path, _ in sort
    )


@lru_cache(maxsize=4096)
def table_sql(schema: str, collection: str) -> str:
    """The quoted ``schema.table`` of a collection (no ``%`` can occur in it)."""
    return sql.Identifier(schema, table_name(collection)).as_string(None)


def index_ddl(
    schema: str, table: str, sql_name: str, paths: Sequence[Sequence[str]], unique: bool
) -> sql.Composed:
    """``CREATE [UNIQUE] INDEX`` over the fields' expressions (see the module docstring)."""
    target = sql.Identifier(schema, table)
    exprs = [sql.SQL(path_expr(tuple(p), with_params=False)) for p in paths]
    if not unique:
        columns = sql.SQL(", ").join(sql.SQL("({})").format(e) for e in exprs)
        return sql.SQL("CREATE INDEX {} ON {} ({})").format(
            sql.Identifier(sql_name), target, columns
        )
    columns = sql.SQL(", ").join(
        sql.SQL("({e} IS NULL), (coalesce({e}, 'null'::jsonb))").format(e=e) for e in exprs
    )
    present = sql.SQL(" OR ").join(sql.SQL("{} IS NOT NULL").format(e) for e in exprs)
    return sql.SQL("CREATE UNIQUE INDEX {} ON {} ({}) WHERE {}").format(
        sql.Identifier(sql_name), target, columns, present
    )
