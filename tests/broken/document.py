"""Broken document variants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prism.backends.memstore._async.document import AsyncMemDocument
from prism.backends.memstore.document import MemDocument
from tests.broken import Variant


def _shallow(current: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**current, **patch}
    return {k: v for k, v in merged.items() if v is not None}


class ShallowUpdateMemDocument(MemDocument):
    """update replaces nested objects instead of merging them."""

    def update(self, collection: str, id: str, patch: Mapping[str, Any]) -> dict[str, Any]:
        doc = _shallow(self.get(collection, id), patch)
        self.replace(collection, id, doc)
        return doc


class AsyncShallowUpdateMemDocument(AsyncMemDocument):
    async def update(self, collection: str, id: str, patch: Mapping[str, Any]) -> dict[str, Any]:
        doc = _shallow(await self.get(collection, id), patch)
        await self.replace(collection, id, doc)
        return doc


def _ascending(sort: Any) -> Any:
    return None if sort is None else [(field, 1) for field, _ in sort]


class AscendingOnlyMemDocument(MemDocument):
    """Every sort key is applied ascending, -1 included."""

    def find(self, collection: str, filter: Any = None, *, sort: Any = None, **kw: Any) -> Any:
        return super().find(collection, filter, sort=_ascending(sort), **kw)


class AsyncAscendingOnlyMemDocument(AsyncMemDocument):
    async def find(
        self, collection: str, filter: Any = None, *, sort: Any = None, **kw: Any
    ) -> Any:
        return await super().find(collection, filter, sort=_ascending(sort), **kw)


class InsertOnlyUniqueMemDocument(MemDocument):
    """Unique indexes are checked on insert only: replace and update may create duplicates."""

    def _write(self, collection: str, doc: dict[str, Any], operation: str) -> None:
        if operation == "insert":
            super()._write(collection, doc, operation)
        else:
            self._collection(collection).docs[doc["_id"]] = doc


class AsyncInsertOnlyUniqueMemDocument(AsyncMemDocument):
    def _write(self, collection: str, doc: dict[str, Any], operation: str) -> None:
        if operation == "insert":
            super()._write(collection, doc, operation)
        else:
            self._collection(collection).docs[doc["_id"]] = doc


VARIANTS = [
    Variant(
        "document",
        "shallow-update",
        ShallowUpdateMemDocument,
        AsyncShallowUpdateMemDocument,
        "document_basic",
    ),
    Variant(
        "document",
        "ascending-only-sort",
        AscendingOnlyMemDocument,
        AsyncAscendingOnlyMemDocument,
        "document_query",
    ),
    Variant(
        "document",
        "unique-on-insert-only",
        InsertOnlyUniqueMemDocument,
        AsyncInsertOnlyUniqueMemDocument,
        "document_indexing",
    ),
]
