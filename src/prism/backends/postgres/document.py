# Generated from src/prism/backends/postgres/_async/document.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""postgres document: document_basic, document_query and document_indexing on JSONB (the
storage and the filter compiler are in ``_ops/document.py``)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import psycopg.errors  # noqa: TID253 (backend-internal module)
from psycopg import Connection, sql  # noqa: TID253

from prism import _documents as ref
from prism import _validate as v
from prism import filters
from prism.backends.postgres._core import BACKEND, collection_ddl, render
from prism.backends.postgres._facet import PostgresFacet
from prism.backends.postgres._ops import document as ops
from prism.errors import ConflictError, InvalidArgumentError, NotFoundError
from prism.interfaces.document import (
    DocumentBasic,
    DocumentIndexing,
    DocumentQuery,
    Sort,
)
from prism.types import IndexInfo

if TYPE_CHECKING:
    from prism.backends.postgres.backend import PostgresBackend

__all__ = ["PostgresDocument"]

Document = dict[str, Any]
Path = tuple[str, ...]


def _missing(collection: str, id: str, operation: str) -> NotFoundError:
    msg = f"document {id!r} not found in collection {collection!r}"
    return NotFoundError(msg, backend=BACKEND, operation=operation)


class PostgresDocument(PostgresFacet, DocumentBasic, DocumentQuery, DocumentIndexing):
    MODEL = "document"

    def __init__(self, backend: PostgresBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._indexes = render("{i}", self.schema, i="doc_indexes")

    def _table(self, collection: str) -> sql.Composable:
        return sql.Identifier(self.schema, ops.table_name(collection))

    def _create(self, conn: Connection[Any], collection: str) -> None:
        table = ops.table_name(collection)
        self._pg.ensure_ddl(conn, self.schema, table, collection_ddl(self.schema, table))

    # document_basic ----------------------------------------------------------------------------
    def insert(self, collection: str, document: Mapping[str, Any], *, id: str | None = None) -> str:
        doc_id = ref.id_of(document, id) or uuid.uuid4().hex
        body, raw, lossy = ops.encode({**ref.copy_json(document), "_id": doc_id})
        query = sql.SQL(
            "INSERT INTO {} (id, body, raw, lossy) VALUES (%s, %s::jsonb, %s, %s) "
            "ON CONFLICT (id) DO NOTHING"
        ).format(self._table(collection))
        with self._connection("insert") as conn:
            self._create(conn, collection)
            cur = conn.execute(query, (doc_id, body, raw, lossy))
            if cur.rowcount == 0:
                msg = f"document {doc_id!r} already exists in collection {collection!r}"
                raise ConflictError(msg, backend=BACKEND, operation="insert")
        return doc_id

    def get(self, collection: str, id: str) -> Document:
        query = sql.SQL("SELECT raw FROM {} WHERE id = %s").format(self._table(collection))
        rows = self._read("get", query, (id,))
        if not rows:
            raise _missing(collection, id, "get")
        return json.loads(rows[0][0])  # type: ignore[no-any-return]

    def _read(self, operation: str, query: sql.Composed, params: Sequence[Any]) -> Any:
        """The rows of a read; none when the collection's table does not exist yet."""
        with self._connection(operation) as conn:
            try:
                cur = conn.execute(query, params)
            except psycopg.errors.UndefinedTable:
                return []
            return cur.fetchall()

    def replace(self, collection: str, id: str, document: Mapping[str, Any]) -> None:
        ref.id_of(document, id)
        body, raw, lossy = ops.encode({**ref.copy_json(document), "_id": id})
        query = sql.SQL(
            "UPDATE {} SET body = %s::jsonb, raw = %s, lossy = %s WHERE id = %s"
        ).format(self._table(collection))
        with self._connection("replace") as conn:
            self._create(conn, collection)
            cur = conn.execute(query, (body, raw, lossy, id))
            if cur.rowcount == 0:
                raise _missing(collection, id, "replace")

    def update(self, collection: str, id: str, patch: Mapping[str, Any]) -> Document:
        if "_id" in patch and patch["_id"] != id:
            msg = f"a patch cannot change a document's _id (from {id!r} to {patch['_id']!r})"
            raise InvalidArgumentError(msg)
        table = self._table(collection)
        select = sql.SQL("SELECT raw FROM {} WHERE id = %s FOR UPDATE").format(table)
        write = sql.SQL(
            "UPDATE {} SET body = %s::jsonb, raw = %s, lossy = %s WHERE id = %s"
        ).format(table)
        with self._connection("update") as conn:
            self._create(conn, collection)
            with conn.transaction():
                cur = conn.execute(select, (id,))
                row = cur.fetchone()
                if row is None:
                    raise _missing(collection, id, "update")
                document = ref.merge_patch(json.loads(row[0]), patch)
                document["_id"] = id
                body, raw, lossy = ops.encode(document)
                conn.execute(write, (body, raw, lossy, id))
        return document  # type: ignore[no-any-return]

    def delete(self, collection: str, id: str) -> bool:
        query = sql.SQL("DELETE FROM {} WHERE id = %s").format(self._table(collection))
        with self._connection("delete") as conn:
            try:
                cur = conn.execute(query, (id,))
            except psycopg.errors.UndefinedTable:
                return False
            return cur.rowcount > 0

    # document_query ----------------------------------------------------------------------------
    def _matching(
        self,
        operation: str,
        collection: str,
        parsed: filters.Filter,
        sort: Sequence[tuple[Path, bool]] | None,
        limit: int | None,
        skip: int,
    ) -> list[Document]:
        """The matching documents, sorted and windowed.  One round trip (a pipeline) when the
        collection has no lossy row and SQL can order the sort values; else the matches are
        fetched whole and ordered with the reference rules."""
        table = ops.table_sql(self.schema, collection)
        where, params = ops.PostgresJSONCompiler().compile(parsed)
        base = f"SELECT raw FROM {table} WHERE NOT lossy AND {where}"
        lossy_q = f"SELECT raw FROM {table} WHERE lossy ORDER BY seq"
        order = None if not sort else tuple((tuple(p), d) for p, d in sort)
        ordered = f" ORDER BY {ops.order_by(order) if order else 'seq'} LIMIT %s OFFSET %s"
        probe = None
        if order:
            probe = (
                f"SELECT 1 FROM {table} WHERE NOT lossy AND {where} "
                f"AND ({ops.composite_at(order)}) LIMIT 1"
            )
        with self._connection(operation) as conn:
            try:
                with conn.pipeline():
                    lossy_cur = conn.execute(lossy_q)
                    probe_cur = None if probe is None else conn.execute(probe, params)
                    main = conn.execute(base + ordered, [*params, limit, skip])
                lossy_rows = lossy_cur.fetchall()
                composite = probe_cur is not None and probe_cur.fetchone() is not None
                rows = main.fetchall()
            except psycopg.errors.UndefinedTable:
                return []
            extra = [json.loads(r) for (r,) in lossy_rows]
            extra = [d for d in extra if parsed.matches(d)]
            if not extra and not composite:
                return [json.loads(r) for (r,) in rows]
            cur = conn.execute(base + " ORDER BY seq", params)
            found = [json.loads(r) for (r,) in cur.fetchall()] + extra
        if sort:
            ref.sort_documents(found, sort)
        return found[skip:] if limit is None else found[skip : skip + limit]

    def find(
        self,
        collection: str,
        filter: Mapping[str, Any] | None = None,
        *,
        sort: Sort | None = None,
        limit: int | None = None,
        skip: int = 0,
        projection: Sequence[str] | None = None,
    ) -> list[Document]:
        parsed = filters.parse(filter)
        order = None if sort is None else ref.parse_sort(sort)
        paths = None if projection is None else ref.parse_projection(projection)
        found = self._matching("find", collection, parsed, order, limit, skip)
        if paths is not None:
            return [ref.project(doc, paths) for doc in found]
        return found

    def find_one(
        self,
        collection: str,
        filter: Mapping[str, Any] | None = None,
        *,
        sort: Sort | None = None,
    ) -> Document | None:
        found = self.find(collection, filter, sort=sort, limit=1)
        return found[0] if found else None

    def count(self, collection: str, filter: Mapping[str, Any] | None = None) -> int:
        parsed = filters.parse(filter)
        table = ops.table_sql(self.schema, collection)
        where, params = ops.PostgresJSONCompiler().compile(parsed)
        counted = f"SELECT count(*) FROM {table} WHERE NOT lossy AND {where}"
        lossy_q = f"SELECT raw FROM {table} WHERE lossy"
        with self._connection("count") as conn:
            try:
                with conn.pipeline():
                    lossy_cur = conn.execute(lossy_q)
                    main = conn.execute(counted, params)
                lossy_rows = lossy_cur.fetchall()
                row = main.fetchone()
            except psycopg.errors.UndefinedTable:
                return 0
        extra = sum(1 for (r,) in lossy_rows if parsed.matches(json.loads(r)))
        return (int(row[0]) if row else 0) + extra

    def aggregate(
        self,
        collection: str,
        group_by: Sequence[str],
        metrics: Mapping[str, tuple[str, str | None]],
        filter: Mapping[str, Any] | None = None,
    ) -> list[Document]:
        fields = list(group_by)  # the interface check made it a list of exact str
        paths = [ref.split_path(f, "group_by field") for f in fields]
        wanted = ref.parse_metrics(metrics, fields)
        parsed = filters.parse(filter)
        matching = self._matching("aggregate", collection, parsed, None, None, 0)
        return ref.group(matching, fields, paths, wanted)

    # document_indexing -------------------------------------------------------------------------
    def create_index(
        self,
        collection: str,
        fields: Sequence[str],
        *,
        unique: bool = False,
        name: str | None = None,
    ) -> str:
        names = list(fields)
        paths = [ref.split_path(field, "index field") for field in names]
        if not isinstance(unique, bool):
            msg = f"unique must be True or False, got {unique!r}"
            raise InvalidArgumentError(msg)
        index_name = "_".join(names) if name is None else v.name(name, "index name")
        table = ops.table_name(collection)
        digest = hashlib.sha256(f"{collection}\x00{index_name}".encode()).hexdigest()[:24]
        sql_name = f"ix_{digest}"
        with self._connection("create_index") as conn:
            self._create(conn, collection)
            with conn.transaction():
                conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{self.schema}.{table}"]
                )
                cur = conn.execute(
                    self._indexes_sql(
                        "SELECT fields, is_unique FROM {i} WHERE collection = %s AND name = %s"
                    ),
                    (collection, index_name),
                )
                row = cur.fetchone()
                if row is not None:
                    if list(row[0]) == names and bool(row[1]) == unique:
                        return index_name
                    msg = (
                        f"index {index_name!r} of {collection!r} already exists with another "
                        "definition; drop it first"
                    )
                    raise ConflictError(msg, backend=BACKEND, operation="create_index")
                conn.execute(ops.index_ddl(self.schema, table, sql_name, paths, unique))
                conn.execute(
                    self._indexes_sql(
                        "INSERT INTO {i} (collection, name, fields, is_unique, sql_name) "
                        "VALUES (%s, %s, %s::jsonb, %s, %s)"
                    ),
                    (collection, index_name, json.dumps(names), unique, sql_name),
                )
        return index_name

    def _indexes_sql(self, template: str) -> str:
        return render(template, self.schema, i="doc_indexes")

    def drop_index(self, collection: str, name: str) -> bool:
        v.name(name, "index name")
        with self._connection("drop_index") as conn, conn.transaction():
            cur = conn.execute(
                self._indexes_sql(
                    "DELETE FROM {i} WHERE collection = %s AND name = %s RETURNING sql_name"
                ),
                (collection, name),
            )
            row = cur.fetchone()
            if row is None:
                return False
            conn.execute(
                sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(self.schema, row[0]))
            )
            return True

    def list_indexes(self, collection: str) -> list[IndexInfo]:
        with self._connection("list_indexes") as conn:
            cur = conn.execute(
                self._indexes_sql(
                    "SELECT name, fields, is_unique FROM {i} WHERE collection = %s "
                    'ORDER BY name COLLATE "C"'
                ),
                (collection,),
            )
            rows = cur.fetchall()
        return [IndexInfo(name, tuple(fields), bool(is_unique)) for name, fields, is_unique in rows]
