"""sqlite document: document_basic, document_query and document_indexing (the SQL is in
``_ops/document.py``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from prism import _documents as ref
from prism import _validate as v
from prism import filters
from prism.backends._async.base import AsyncFacet
from prism.backends.sqlite._ops import document as ops
from prism.errors import InvalidArgumentError
from prism.interfaces._async.document import (
    AsyncDocumentBasic,
    AsyncDocumentIndexing,
    AsyncDocumentQuery,
    Sort,
)
from prism.types import IndexInfo

Document = dict[str, Any]

if TYPE_CHECKING:
    from prism.backends.sqlite._async.backend import AsyncSQLiteBackend


class AsyncSQLiteDocument(
    AsyncFacet, AsyncDocumentBasic, AsyncDocumentQuery, AsyncDocumentIndexing
):
    def __init__(self, backend: AsyncSQLiteBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._db = backend.db

    # document_basic ----------------------------------------------------------------------------
    async def insert(
        self, collection: str, document: Mapping[str, Any], *, id: str | None = None
    ) -> str:
        doc_id = ref.id_of(document, id) or uuid.uuid4().hex
        doc = {**ref.copy_json(document), "_id": doc_id}
        return await self._db.run_async(ops.insert, self.namespace, collection, doc)

    async def get(self, collection: str, id: str) -> Document:
        return await self._db.run_async(ops.get, self.namespace, collection, id)

    async def replace(self, collection: str, id: str, document: Mapping[str, Any]) -> None:
        ref.id_of(document, id)
        doc = {**ref.copy_json(document), "_id": id}
        await self._db.run_async(ops.replace, self.namespace, collection, doc)

    async def update(self, collection: str, id: str, patch: Mapping[str, Any]) -> Document:
        if "_id" in patch and patch["_id"] != id:
            msg = f"a patch cannot change a document's _id (from {id!r} to {patch['_id']!r})"
            raise InvalidArgumentError(msg)
        return await self._db.run_async(ops.update, self.namespace, collection, id, patch)

    async def delete(self, collection: str, id: str) -> bool:
        return await self._db.run_async(ops.delete, self.namespace, collection, id)

    # document_query ----------------------------------------------------------------------------
    async def find(
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
        return await self._db.run_async(
            ops.find, self.namespace, collection, parsed, order, limit, skip, paths
        )

    async def find_one(
        self,
        collection: str,
        filter: Mapping[str, Any] | None = None,
        *,
        sort: Sort | None = None,
    ) -> Document | None:
        found = await self.find(collection, filter, sort=sort, limit=1)
        return found[0] if found else None

    async def count(self, collection: str, filter: Mapping[str, Any] | None = None) -> int:
        parsed = filters.parse(filter)
        return await self._db.run_async(ops.count, self.namespace, collection, parsed)

    async def aggregate(
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
        return await self._db.run_async(
            ops.aggregate, self.namespace, collection, fields, paths, wanted, parsed
        )

    # document_indexing -------------------------------------------------------------------------
    async def create_index(
        self,
        collection: str,
        fields: Sequence[str],
        *,
        unique: bool = False,
        name: str | None = None,
    ) -> str:
        names = list(fields)
        for field in names:
            ref.split_path(field, "index field")
        if not isinstance(unique, bool):
            msg = f"unique must be True or False, got {unique!r}"
            raise InvalidArgumentError(msg)
        index_name = "_".join(names) if name is None else v.name(name, "index name")
        return await self._db.run_async(
            ops.create_index, self.namespace, collection, index_name, names, unique
        )

    async def drop_index(self, collection: str, name: str) -> bool:
        v.name(name, "index name")
        return await self._db.run_async(ops.drop_index, self.namespace, collection, name)

    async def list_indexes(self, collection: str) -> list[IndexInfo]:
        return await self._db.run_async(ops.list_indexes, self.namespace, collection)
