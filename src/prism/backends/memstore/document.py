# Generated from src/prism/backends/memstore/_async/document.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""memstore document: document_basic, document_query and document_indexing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from prism import _documents, filters
from prism import _validate as v
from prism.backends.base import Facet
from prism.backends.memstore._ops import document as docs
from prism.backends.memstore._ops.document import Collection, DocumentState, Index
from prism.errors import ConflictError, InvalidArgumentError, NotFoundError
from prism.interfaces.document import (
    DocumentBasic,
    DocumentIndexing,
    DocumentQuery,
    Sort,
)
from prism.types import IndexInfo

Document = dict[str, Any]

if TYPE_CHECKING:
    from prism.backends.memstore.backend import MemstoreBackend


class MemDocument(Facet, DocumentBasic, DocumentQuery, DocumentIndexing):
    def __init__(self, backend: MemstoreBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._lock = backend.store.lock
        self._state = backend.store.namespace_state("document", namespace, DocumentState)

    def _collection(self, name: str) -> Collection:
        found = self._state.collections.get(name)
        if found is None:
            found = self._state.collections[name] = Collection()
        return found

    def _stored(self, collection: str, id: str, operation: str) -> dict[str, Any]:
        found = self._state.collections.get(collection)
        doc = None if found is None else found.docs.get(id)
        if doc is None:
            msg = f"document {id!r} not found in collection {collection!r}"
            raise NotFoundError(msg, backend="memstore", operation=operation)
        return doc

    def _write(self, collection: str, doc: dict[str, Any], operation: str) -> None:
        """Store ``doc`` (replacing the one with its id), keeping unique indexes consistent."""
        coll = self._collection(collection)
        id = doc["_id"]
        old = coll.docs.get(id)
        keys: list[tuple[Index, Any]] = []
        for name, index in coll.indexes.items():
            if not index.unique:
                continue
            key = index.key(doc)
            holder = None if key is None else index.entries.get(key)
            if holder is not None and holder != id:
                msg = (
                    f"unique index {name!r} of {collection!r} already has a document with "
                    f"these values of {', '.join(index.fields)} (document {holder!r})"
                )
                raise ConflictError(msg, backend="memstore", operation=operation)
            keys.append((index, key))
        for index, key in keys:
            old_key = None if old is None else index.key(old)
            if old_key is not None:
                del index.entries[old_key]
            if key is not None:
                index.entries[key] = id
        coll.docs[id] = doc

    def _matching(self, collection: str, filter: Mapping[str, Any] | None) -> list[Document]:
        parsed = filters.parse(filter)
        with self._lock:
            found = self._state.collections.get(collection)
            return [] if found is None else [d for d in found.docs.values() if parsed.matches(d)]

    # document_basic ----------------------------------------------------------------------------
    def insert(self, collection: str, document: Mapping[str, Any], *, id: str | None = None) -> str:
        doc_id = _documents.id_of(document, id) or uuid.uuid4().hex
        doc = {**docs.copy_json(document), "_id": doc_id}
        with self._lock:
            if doc_id in self._collection(collection).docs:
                msg = f"document {doc_id!r} already exists in collection {collection!r}"
                raise ConflictError(msg, backend="memstore", operation="insert")
            self._write(collection, doc, "insert")
        return doc_id

    def get(self, collection: str, id: str) -> Document:
        with self._lock:
            return docs.copy_json(self._stored(collection, id, "get"))  # type: ignore[no-any-return]

    def replace(self, collection: str, id: str, document: Mapping[str, Any]) -> None:
        _documents.id_of(document, id)
        doc = {**docs.copy_json(document), "_id": id}
        with self._lock:
            self._stored(collection, id, "replace")
            self._write(collection, doc, "replace")

    def update(self, collection: str, id: str, patch: Mapping[str, Any]) -> Document:
        if "_id" in patch and patch["_id"] != id:
            msg = f"a patch cannot change a document's _id (from {id!r} to {patch['_id']!r})"
            raise InvalidArgumentError(msg)
        with self._lock:
            doc = docs.merge_patch(self._stored(collection, id, "update"), patch)
            doc["_id"] = id
            self._write(collection, doc, "update")
            return docs.copy_json(doc)  # type: ignore[no-any-return]

    def delete(self, collection: str, id: str) -> bool:
        with self._lock:
            found = self._state.collections.get(collection)
            doc = None if found is None else found.docs.pop(id, None)
            if found is None or doc is None:
                return False
            for index in found.indexes.values():
                key = index.key(doc) if index.unique else None
                if key is not None:
                    del index.entries[key]
            return True

    # document_query ----------------------------------------------------------------------------
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
        order = None if sort is None else docs.parse_sort(sort)
        paths = None if projection is None else docs.parse_projection(projection)
        found = self._matching(collection, filter)
        if order:
            docs.sort_documents(found, order)
        found = found[skip:] if limit is None else found[skip : skip + limit]
        if paths is not None:
            return [docs.copy_json(docs.project(d, paths)) for d in found]
        return [docs.copy_json(d) for d in found]

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
        return len(self._matching(collection, filter))

    def aggregate(
        self,
        collection: str,
        group_by: Sequence[str],
        metrics: Mapping[str, tuple[str, str | None]],
        filter: Mapping[str, Any] | None = None,
    ) -> list[Document]:
        fields = list(group_by)  # the interface check made it a list of exact str
        paths = [docs.split_path(f, "group_by field") for f in fields]
        wanted = docs.parse_metrics(metrics, fields)
        return _documents.group(self._matching(collection, filter), fields, paths, wanted)

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
        paths = tuple(docs.split_path(f, "index field") for f in names)
        if not isinstance(unique, bool):
            msg = f"unique must be True or False, got {unique!r}"
            raise InvalidArgumentError(msg)
        index_name = "_".join(names) if name is None else v.name(name, "index name")
        index = Index(tuple(names), unique, paths)
        with self._lock:
            coll = self._collection(collection)
            existing = coll.indexes.get(index_name)
            if existing is not None:
                if existing == index:
                    return index_name
                msg = (
                    f"index {index_name!r} of {collection!r} already exists with another "
                    "definition; drop it first"
                )
                raise ConflictError(msg, backend="memstore", operation="create_index")
            if unique:
                for doc_id, doc in coll.docs.items():
                    key = index.key(doc)
                    if key is None:
                        continue
                    if key in index.entries:
                        msg = (
                            f"cannot create unique index {index_name!r}: documents "
                            f"{index.entries[key]!r} and {doc_id!r} have the same values of "
                            f"{', '.join(names)}"
                        )
                        raise ConflictError(msg, backend="memstore", operation="create_index")
                    index.entries[key] = doc_id
            coll.indexes[index_name] = index
        return index_name

    def drop_index(self, collection: str, name: str) -> bool:
        v.name(name, "index name")
        with self._lock:
            found = self._state.collections.get(collection)
            return found is not None and found.indexes.pop(name, None) is not None

    def list_indexes(self, collection: str) -> list[IndexInfo]:
        with self._lock:
            found = self._state.collections.get(collection)
            indexes = {} if found is None else dict(found.indexes)
        return [IndexInfo(n, i.fields, i.unique) for n, i in sorted(indexes.items())]
