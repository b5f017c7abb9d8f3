"""document SQL (tables ``prism_doc``, ``prism_doc_index``).

A document is stored whole, ``_id`` included, as JSON text in ``body``.

* **Filters** are pushed down: ``prism.filters.SQLiteJSONCompiler("body")`` turns the parsed
  filter into a ``WHERE`` fragment over ``body``, whose results equal the in-process evaluator's.
* **Sort** is pushed down (``ORDER BY`` a type rank, then the value) when every sort path is a
  plain key path and no matching document holds an object or array there; otherwise matching
  documents are sorted in Python with the reference order of ``memstore._ops.document``.
  Projection and ``aggregate`` grouping run in Python on the filtered rows, with the same
  reference helpers, so results equal the in-process reference.
* **Indexes** are partial expression indexes, one per (namespace, collection, index):
  ``ON prism_doc (ns, coll, json_extract("body", '$."a"'), ...) WHERE ns = '..' AND coll = '..'``
  — the very expressions the filter compiler emits, so queries on those fields use them.
  Uniqueness is checked inside the write transaction (``BEGIN IMMEDIATE``, so no other writer
  can interleave) with a lookup built from the filter language's JSON equality: ``1`` and
  ``1.0`` collide, ``true`` and ``1`` do not, two nulls do, objects compare by members.  A
  SQL ``UNIQUE`` index over ``json_extract`` cannot express that (it maps ``true`` to 1 and
  never treats two nulls as equal), which is why it is not used.
  Fields whose path has keys outside printable ASCII (or with ``"``/``\\``) get no SQL index
  (their lookups scan the collection) but the same uniqueness rule.
* **Names in SQL**: every value is a bound parameter.  The index DDL cannot bind, so its JSON
  paths, namespace and collection go through :mod:`prism._sql` (the only place that quotes).
* **Limits**: SQLite's parser stack, expression depth and variable count are finite, so a
  filter SQLite cannot parse whole is split (``SQLiteJSONCompiler.split``): the conditions it
  can parse are pushed down, the rest is checked in Python with the reference evaluator on the
  rows they select.  Everything the filter validation accepts therefore runs.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from prism import _documents as ref
from prism import _sql, filters
from prism.backends.sqlite._core import reads, write
from prism.errors import ConflictError, NotFoundError
from prism.types import IndexInfo

Document = dict[str, Any]
Path = tuple[str, ...]

_WHERE = "ns = ? AND coll = ?"


# -- helpers ---------------------------------------------------------------------------------


def dumps(document: Mapping[str, Any]) -> str:
    """JSON text of a validated document.  Text with lone surrogates (not valid Unicode, so not
    storable as UTF-8) is kept as ``\\u`` escapes."""
    text = json.dumps(document, ensure_ascii=False, allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(document, ensure_ascii=True, allow_nan=False)
    return text


def _plain(path: Path) -> bool:
    return all(_sql.PLAIN_JSON_KEY.fullmatch(segment) for segment in path)


def json_path(path: Path) -> str:
    """The SQL literal of the JSON path of a plain key path, exactly as the filter compiler
    writes it (``'$."a"."b"'``)."""
    return _sql.sqlite_json_path_literal(path)


_COMPILER = filters.SQLiteJSONCompiler("body")
_OWN_PARAMS = 8  # the most parameters a statement here binds besides the filter's
_TOO_BIG = ("parser stack overflow", "too large", "too many")


def _where(
    conn: sqlite3.Connection, filter: filters.Filter
) -> tuple[filters.SQLFragment, filters.Filter]:
    """The pushed-down ``WHERE`` fragment of ``filter`` and the rest to check in Python
    (:data:`filters.TRUE` when the fragment is exact)."""

    def fits(fragment: filters.SQLFragment) -> bool:
        limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - _OWN_PARAMS
        if len(fragment.params) > limit:
            return False
        if len(fragment.params) <= 64 and len(fragment.sql) <= 2000:
            return True  # far below every limit: no need to ask the parser
        try:
            conn.execute(f"SELECT 1 FROM prism_doc WHERE 0 AND ({fragment.sql})", fragment.params)
        except sqlite3.OperationalError as exc:
            if any(text in str(exc) for text in _TOO_BIG):
                return False
            raise
        return True

    return _COMPILER.split(filter, fits)


def _matching(
    conn: sqlite3.Connection,
    ns: str,
    coll: str,
    where: filters.SQLFragment,
    rest: filters.Filter,
) -> list[Document]:
    """Every document ``where`` selects and ``rest`` matches, in insertion order (for a filter
    SQLite cannot run whole)."""
    rows = conn.execute(
        f"SELECT body FROM prism_doc WHERE {_WHERE} AND ({where.sql}) ORDER BY rowid",
        (ns, coll, *where.params),
    )
    return [doc for (body,) in rows if rest.matches(doc := json.loads(body))]


def _missing(collection: str, id: str, operation: str) -> NotFoundError:
    msg = f"document {id!r} not found in collection {collection!r}"
    return NotFoundError(msg, backend="sqlite", operation=operation)


# -- uniqueness ------------------------------------------------------------------------------


def _unique_indexes(conn: sqlite3.Connection, ns: str, coll: str) -> list[tuple[str, list[str]]]:
    return [
        (name, json.loads(fields))
        for name, fields in conn.execute(
            f"SELECT name, fields FROM prism_doc_index WHERE {_WHERE} AND is_unique = 1 "
            "ORDER BY name",
            (ns, coll),
        )
    ]


def _same_values(fields: Sequence[str], document: Mapping[str, Any]) -> filters.Filter | None:
    """A filter matching exactly the documents whose values of ``fields`` are JSON-equal to
    ``document``'s (a missing field matches only a missing field); None when ``document`` lacks
    every field (exempt from unique indexes)."""
    conditions: dict[str, Any] = {}
    present = False
    for field in fields:
        value = ref.get_path(document, ref.split_path(field, "index field"))
        if value is ref.MISSING:
            conditions[field] = {"$exists": False}
        else:
            present = True
            conditions[field] = {"$eq": value, "$exists": True} if value is None else {"$eq": value}
    return filters.parse(conditions) if present else None


def _sql_safe(value: Any) -> bool:
    """Whether SQLite's JSON functions see ``value`` exactly: no string with U+0000 (they
    truncate there) and no integer beyond 64 bits (they turn it into a float)."""
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    if isinstance(value, Mapping):
        return all(_sql_safe(k) and _sql_safe(v) for k, v in value.items())
    return all(_sql_safe(v) for v in value)


def _key(document: Mapping[str, Any], paths: Sequence[Path]) -> tuple[Any, ...] | None:
    """The document's key in a unique index (JSON-equal values give equal keys), or None when
    it lacks every field (exempt)."""
    values = [ref.get_path(document, p) for p in paths]
    if all(x is ref.MISSING for x in values):
        return None
    return tuple(ref.hash_key(x) for x in values)


def _holder(
    conn: sqlite3.Connection, ns: str, coll: str, fields: Sequence[str], document: Mapping[str, Any]
) -> str | None:
    """The id of another document with the same values of ``fields``, or None."""
    paths = [ref.split_path(f, "index field") for f in fields]
    key = _key(document, paths)
    if key is None:
        return None
    values = [ref.get_path(document, p) for p in paths]
    if all(_sql_safe(x) for x in values if x is not ref.MISSING):
        # a superset is fine: the keys are compared below
        where, _ = _where(conn, _same_values(fields, document) or filters.TRUE)
        query = f"SELECT id, body FROM prism_doc WHERE {_WHERE} AND id != ? AND ({where.sql})"
        params: tuple[Any, ...] = (ns, coll, document["_id"], *where.params)
    else:  # SQLite cannot compare these values exactly: check every document
        query = f"SELECT id, body FROM prism_doc WHERE {_WHERE} AND id != ?"
        params = (ns, coll, document["_id"])
    for doc_id, body in conn.execute(query, params):
        if _key(json.loads(body), paths) == key:
            return doc_id  # type: ignore[no-any-return]
    return None


def _check_unique(
    conn: sqlite3.Connection, ns: str, coll: str, document: Mapping[str, Any], operation: str
) -> None:
    for name, fields in _unique_indexes(conn, ns, coll):
        holder = _holder(conn, ns, coll, fields, document)
        if holder is not None:
            msg = (
                f"unique index {name!r} of {coll!r} already has a document with these values "
                f"of {', '.join(fields)} (document {holder!r})"
            )
            raise ConflictError(msg, backend="sqlite", operation=operation)


# -- document_basic --------------------------------------------------------------------------


def insert(conn: sqlite3.Connection, ns: str, coll: str, document: Document) -> str:
    text = dumps(document)
    doc_id = document["_id"]
    with write(conn):
        if conn.execute(
            f"SELECT 1 FROM prism_doc WHERE {_WHERE} AND id = ?", (ns, coll, doc_id)
        ).fetchone():
            msg = f"document {doc_id!r} already exists in collection {coll!r}"
            raise ConflictError(msg, backend="sqlite", operation="insert")
        _check_unique(conn, ns, coll, document, "insert")
        conn.execute(
            "INSERT INTO prism_doc (ns, coll, id, body) VALUES (?, ?, ?, ?)",
            (ns, coll, doc_id, text),
        )
    return doc_id  # type: ignore[no-any-return]


@reads
def get(conn: sqlite3.Connection, ns: str, coll: str, id: str) -> Document:
    row = conn.execute(
        f"SELECT body FROM prism_doc WHERE {_WHERE} AND id = ?", (ns, coll, id)
    ).fetchone()
    if row is None:
        raise _missing(coll, id, "get")
    return json.loads(row[0])  # type: ignore[no-any-return]


def _store(
    conn: sqlite3.Connection, ns: str, coll: str, document: Document, operation: str
) -> None:
    _check_unique(conn, ns, coll, document, operation)
    conn.execute(
        f"UPDATE prism_doc SET body = ? WHERE {_WHERE} AND id = ?",
        (dumps(document), ns, coll, document["_id"]),
    )


def replace(conn: sqlite3.Connection, ns: str, coll: str, document: Document) -> None:
    with write(conn):
        get(conn, ns, coll, document["_id"])
        _store(conn, ns, coll, document, "replace")


def update(
    conn: sqlite3.Connection, ns: str, coll: str, id: str, patch: Mapping[str, Any]
) -> Document:
    with write(conn):
        document = ref.merge_patch(get(conn, ns, coll, id), patch)
        document["_id"] = id
        _store(conn, ns, coll, document, "update")
        return document  # type: ignore[no-any-return]


def delete(conn: sqlite3.Connection, ns: str, coll: str, id: str) -> bool:
    cur = conn.execute(f"DELETE FROM prism_doc WHERE {_WHERE} AND id = ?", (ns, coll, id))
    return cur.rowcount > 0


# -- document_query --------------------------------------------------------------------------

_RANK = (
    "CASE coalesce(json_type(body, {p}), 'missing') WHEN 'missing' THEN 0 WHEN 'null' THEN 1 "
    "WHEN 'integer' THEN 2 WHEN 'real' THEN 2 WHEN 'text' THEN 3 WHEN 'object' THEN 4 "
    "WHEN 'array' THEN 5 ELSE 6 END"
)


def _order_by(sort: Sequence[tuple[Path, bool]]) -> str:
    terms = []
    for path, descending in sort:
        p = json_path(path)
        direction = " DESC" if descending else ""
        terms.append(_RANK.format(p=p) + direction)
        terms.append(f"json_extract(body, {p}){direction}")
    return ", ".join(terms)


def _sortable_in_sql(
    conn: sqlite3.Connection,
    ns: str,
    coll: str,
    where: filters.SQLFragment,
    sort: Sequence[tuple[Path, bool]],
) -> bool:
    """Whether SQL can order the matches exactly: plain paths, and no object or array (whose
    order SQL cannot compare) at a sort path of a matching document."""
    if not all(_plain(path) for path, _ in sort):
        return False
    composite = " OR ".join(
        f"json_type(body, {json_path(path)}) IN ('object', 'array')" for path, _ in sort
    )
    composite += r" OR instr(body, '\u0000') > 0"  # a string with U+0000: SQLite truncates it
    row = conn.execute(
        f"SELECT 1 FROM prism_doc WHERE {_WHERE} AND ({where.sql}) AND ({composite}) LIMIT 1",
        (ns, coll, *where.params),
    ).fetchone()
    return row is None


@reads
def find(
    conn: sqlite3.Connection,
    ns: str,
    coll: str,
    filter: filters.Filter,
    sort: Sequence[tuple[Path, bool]] | None,
    limit: int | None,
    skip: int,
    projection: Sequence[Path] | None,
) -> list[Document]:
    where, rest = _where(conn, filter)
    params: tuple[Any, ...] = (ns, coll, *where.params)
    base = f"SELECT body FROM prism_doc WHERE {_WHERE} AND ({where.sql})"
    window = (-1 if limit is None else limit, skip)
    if rest is not filters.TRUE:
        found = _matching(conn, ns, coll, where, rest)
        if sort:
            ref.sort_documents(found, sort)
        found = found[skip:] if limit is None else found[skip : skip + limit]
    elif not sort:
        rows = conn.execute(f"{base} ORDER BY rowid LIMIT ? OFFSET ?", (*params, *window))
        found = [json.loads(body) for (body,) in rows]
    elif _sortable_in_sql(conn, ns, coll, where, sort):
        rows = conn.execute(
            f"{base} ORDER BY {_order_by(sort)}, rowid LIMIT ? OFFSET ?", (*params, *window)
        )
        found = [json.loads(body) for (body,) in rows]
    else:
        found = [json.loads(body) for (body,) in conn.execute(f"{base} ORDER BY rowid", params)]
        ref.sort_documents(found, sort)
        found = found[skip:] if limit is None else found[skip : skip + limit]
    if projection is not None:
        return [ref.project(doc, projection) for doc in found]
    return found


@reads
def count(conn: sqlite3.Connection, ns: str, coll: str, filter: filters.Filter) -> int:
    where, rest = _where(conn, filter)
    if rest is not filters.TRUE:
        return len(_matching(conn, ns, coll, where, rest))
    row = conn.execute(
        f"SELECT count(*) FROM prism_doc WHERE {_WHERE} AND ({where.sql})",
        (ns, coll, *where.params),
    ).fetchone()
    return int(row[0])


@reads
def aggregate(
    conn: sqlite3.Connection,
    ns: str,
    coll: str,
    fields: Sequence[str],
    paths: Sequence[Path],
    metrics: Sequence[tuple[str, str, Path | None]],
    filter: filters.Filter,
) -> list[Document]:
    """Group the matching documents by the values at ``paths`` (missing counts as None) and
    compute ``metrics`` per group, ordered by the group values (the reference semantics)."""
    return ref.group(find(conn, ns, coll, filter, None, None, 0, None), fields, paths, metrics)


# -- document_indexing -----------------------------------------------------------------------


def _sql_name(ns: str, coll: str, name: str) -> str:
    digest = hashlib.sha256(f"{ns}\x00{coll}\x00{name}".encode()).hexdigest()[:24]
    return f"prism_doc_ix_{digest}"


def _duplicates(
    conn: sqlite3.Connection, ns: str, coll: str, fields: Sequence[str]
) -> tuple[str, str] | None:
    """Two documents with equal values of ``fields`` (per the unique rule), or None."""
    paths = [ref.split_path(f, "index field") for f in fields]
    seen: dict[Any, str] = {}
    for doc_id, body in conn.execute(
        f"SELECT id, body FROM prism_doc WHERE {_WHERE} ORDER BY rowid", (ns, coll)
    ):
        key = _key(json.loads(body), paths)
        if key is None:
            continue
        if key in seen:
            return seen[key], doc_id
        seen[key] = doc_id
    return None


def create_index(
    conn: sqlite3.Connection, ns: str, coll: str, name: str, fields: list[str], unique: bool
) -> str:
    paths = [ref.split_path(f, "index field") for f in fields]
    with write(conn):
        row = conn.execute(
            f"SELECT fields, is_unique FROM prism_doc_index WHERE {_WHERE} AND name = ?",
            (ns, coll, name),
        ).fetchone()
        if row is not None:
            if json.loads(row[0]) == fields and bool(row[1]) == unique:
                return name
            msg = (
                f"index {name!r} of {coll!r} already exists with another definition; drop it first"
            )
            raise ConflictError(msg, backend="sqlite", operation="create_index")
        if unique:
            pair = _duplicates(conn, ns, coll, fields)
            if pair is not None:
                msg = (
                    f"cannot create unique index {name!r}: documents {pair[0]!r} and "
                    f"{pair[1]!r} have the same values of {', '.join(fields)}"
                )
                raise ConflictError(msg, backend="sqlite", operation="create_index")
        sql_name = None
        if all(_plain(p) for p in paths):
            sql_name = _sql_name(ns, coll, name)
            columns = ", ".join(f'json_extract("body", {json_path(p)})' for p in paths)
            conn.execute(
                f"CREATE INDEX {_sql.quote_identifier(sql_name)} ON prism_doc (ns, coll, {columns}) "
                f"WHERE ns = {_sql.quote_literal(ns)} AND coll = {_sql.quote_literal(coll)}"
            )
        conn.execute(
            "INSERT INTO prism_doc_index (ns, coll, name, fields, is_unique, sql_name) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (ns, coll, name, json.dumps(fields, ensure_ascii=False), int(unique), sql_name),
        )
        return name


def drop_index(conn: sqlite3.Connection, ns: str, coll: str, name: str) -> bool:
    with write(conn):
        row = conn.execute(
            f"DELETE FROM prism_doc_index WHERE {_WHERE} AND name = ? RETURNING sql_name",
            (ns, coll, name),
        ).fetchone()
        if row is None:
            return False
        if row[0] is not None:
            conn.execute(f"DROP INDEX IF EXISTS {_sql.quote_identifier(row[0])}")
        return True


@reads
def list_indexes(conn: sqlite3.Connection, ns: str, coll: str) -> list[IndexInfo]:
    return [
        IndexInfo(name, tuple(json.loads(fields)), bool(is_unique))
        for name, fields, is_unique in conn.execute(
            f"SELECT name, fields, is_unique FROM prism_doc_index WHERE {_WHERE} ORDER BY name",
            (ns, coll),
        )
    ]
