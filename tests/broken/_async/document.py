"""Broken document variants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prism import filters
from prism.backends.memstore._async.document import AsyncMemDocument
from tests.broken import Variant


def _shallow(current: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**current, **patch}
    return {k: v for k, v in merged.items() if v is not None}


class AsyncShallowUpdateMemDocument(AsyncMemDocument):
    """update replaces nested objects instead of merging them."""

    async def update(self, collection: str, id: str, patch: Mapping[str, Any]) -> dict[str, Any]:
        doc = _shallow(await self.get(collection, id), patch)
        await self.replace(collection, id, doc)
        return doc


def _ascending(sort: Any) -> Any:
    return None if sort is None else [(field, 1) for field, _ in sort]


class AsyncAscendingOnlyMemDocument(AsyncMemDocument):
    """Every sort key is applied ascending, -1 included."""

    async def find(
        self, collection: str, filter: Any = None, *, sort: Any = None, **kw: Any
    ) -> Any:
        return await super().find(collection, filter, sort=_ascending(sort), **kw)


class AsyncInsertOnlyUniqueMemDocument(AsyncMemDocument):
    """Unique indexes are checked on insert only: replace and update may create duplicates."""

    def _write(self, collection: str, doc: dict[str, Any], operation: str) -> None:
        if operation == "insert":
            super()._write(collection, doc, operation)
        else:
            self._collection(collection).docs[doc["_id"]] = doc


# Booleans, nulls and missing fields in filters (issue 8) ----------------------------------------


def _numeric(value: Any) -> Any:
    """``value`` with every boolean turned into 0 / 1 (``$exists`` operands kept)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Mapping):
        return {k: v if k == "$exists" else _numeric(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_numeric(v) for v in value]
    return value


def _bools_as_numbers(
    facet: AsyncMemDocument, collection: str, filter: Any
) -> list[dict[str, Any]]:
    parsed = filters.parse(_numeric(filter) if filter is not None else None)
    with facet._lock:
        found = facet._state.collections.get(collection)
        docs = [] if found is None else list(found.docs.values())
    return [doc for doc in docs if parsed.matches(_numeric(doc))]


class AsyncBoolsAsNumbersMemDocument(AsyncMemDocument):
    """Filters see booleans as 0 / 1 (as JSON stored without its types would): True == 1."""

    def _matching(self, collection: str, filter: Any) -> list[dict[str, Any]]:
        return _bools_as_numbers(self, collection, filter)


def _negated_paths(filter: Any) -> list[list[str]]:
    """The top-level fields a ``$ne`` / ``$nin`` applies to."""
    out = []
    for field, condition in (filter or {}).items():
        if isinstance(condition, Mapping) and ({"$ne", "$nin"} & set(condition)):
            out.append(field.split("."))
    return out


def _present(doc: Any, path: list[str]) -> bool:
    for part in path:
        if not isinstance(doc, Mapping) or part not in doc:
            return False
        doc = doc[part]
    return True


class AsyncNullNegationMemDocument(AsyncMemDocument):
    """``$ne`` / ``$nin`` never match a missing field (SQL's NULL logic: NULL <> x is unknown)."""

    def _matching(self, collection: str, filter: Any) -> list[dict[str, Any]]:
        paths = _negated_paths(filter)
        found = super()._matching(collection, filter)
        return [d for d in found if all(_present(d, path) for path in paths)]


VARIANTS = [
    Variant(
        "document",
        "shallow-update",
        AsyncShallowUpdateMemDocument,
        "document_basic",
    ),
    Variant(
        "document",
        "ascending-only-sort",
        AsyncAscendingOnlyMemDocument,
        "document_query",
    ),
    Variant(
        "document",
        "unique-on-insert-only",
        AsyncInsertOnlyUniqueMemDocument,
        "document_indexing",
    ),
    Variant(
        "document",
        "bools-as-numbers",
        AsyncBoolsAsNumbersMemDocument,
        "document_query",
    ),
    Variant(
        "document",
        "null-negation",
        AsyncNullNegationMemDocument,
        "document_query",
    ),
]
