"""Document: JSON objects in named collections, queried with the shared filter language."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any

from prism.errors import InvalidArgumentError
from prism.interfaces._base import (
    COLLECTION,
    DOC_ID,
    JSON_OBJECT,
    NON_NEGATIVE,
    OPT_LIMIT,
    Interface,
    checks,
)
from prism.types import IndexInfo

__all__ = ["AsyncDocumentBasic", "AsyncDocumentIndexing", "AsyncDocumentQuery"]

Document = dict[str, Any]
Sort = Sequence[tuple[str, int]]


def _OPT_DOC_ID(_: object, value: object) -> str | None:
    from prism import _validate as v

    return None if value is None else v.name(value, "id")


_OPT_DOC_ID.normalizes = True  # type: ignore[attr-defined]


def _FIELDS(_: object, value: object) -> list[str]:
    from prism import _validate as v

    fields = v.names(value, "fields")
    if not fields:
        msg = "an index needs at least one field"
        raise InvalidArgumentError(msg)
    return fields


_FIELDS.normalizes = True  # type: ignore[attr-defined]


def _GROUP_BY(_: object, value: object) -> list[str]:
    from prism import _validate as v

    return v.names(value, "group_by")


def _INDEX_NAME(_: object, value: object) -> str:
    from prism import _validate as v

    return v.name(value, "name")


def _OPT_INDEX_NAME(_: object, value: object) -> str | None:
    return None if value is None else _INDEX_NAME(_, value)


_GROUP_BY.normalizes = True  # type: ignore[attr-defined]
_INDEX_NAME.normalizes = True  # type: ignore[attr-defined]
_OPT_INDEX_NAME.normalizes = True  # type: ignore[attr-defined]


class AsyncDocumentBasic(Interface, name="document_basic", model="document"):
    """JSON documents by id.

    A stored document always has ``"_id"`` (a str): given explicitly, taken from the document,
    or generated.  An ``_id`` inside the document that differs from the ``id`` argument, or a
    patch that changes ``_id``, raises ``InvalidArgumentError``.  Values must be JSON-compatible
    (``InvalidArgumentError`` otherwise).  Documents are copied in and out: mutating a document
    passed in or returned never changes what is stored.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(collection=COLLECTION, document=JSON_OBJECT, id=_OPT_DOC_ID)
    async def insert(
        self, collection: str, document: Mapping[str, Any], *, id: str | None = None
    ) -> str:
        """Store a new document; return its id.  ``ConflictError`` when the id exists."""

    @abc.abstractmethod
    @checks(collection=COLLECTION, id=DOC_ID)
    async def get(self, collection: str, id: str) -> Document:
        """The document (with ``_id``); ``NotFoundError`` when absent."""

    @abc.abstractmethod
    @checks(collection=COLLECTION, id=DOC_ID, document=JSON_OBJECT)
    async def replace(self, collection: str, id: str, document: Mapping[str, Any]) -> None:
        """Replace the whole document; ``NotFoundError`` when absent."""

    @abc.abstractmethod
    @checks(collection=COLLECTION, id=DOC_ID, patch=JSON_OBJECT)
    async def update(self, collection: str, id: str, patch: Mapping[str, Any]) -> Document:
        """Apply an RFC 7386 merge patch (nested objects merge, ``None`` deletes a field);
        return the new document.  ``NotFoundError`` when absent."""

    @abc.abstractmethod
    @checks(collection=COLLECTION, id=DOC_ID)
    async def delete(self, collection: str, id: str) -> bool: ...


class AsyncDocumentQuery(Interface, name="document_query", model="document"):
    """Queries in the shared filter language (``prism.filters``).

    Sort keys are ``(field, 1)`` ascending or ``(field, -1)`` descending, dotted paths allowed;
    values order as missing < null < numbers < strings < objects < arrays < booleans (numbers by
    value, strings by code point, objects by their members in key order, arrays element by
    element, false < true); ties keep no particular order unless sorted by ``_id`` too.  ``skip``
    and ``limit`` apply after sorting.  A projection lists the fields to keep (``_id`` is always
    kept; a dotted path keeps that nested field inside its parent objects).  Results equal
    ``prism.filters`` evaluated in-process; a malformed filter, sort or projection raises
    ``InvalidArgumentError``.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(collection=COLLECTION, limit=OPT_LIMIT, skip=NON_NEGATIVE)
    async def find(
        self,
        collection: str,
        filter: Mapping[str, Any] | None = None,
        *,
        sort: Sort | None = None,
        limit: int | None = None,
        skip: int = 0,
        projection: Sequence[str] | None = None,
    ) -> list[Document]: ...

    @abc.abstractmethod
    @checks(collection=COLLECTION)
    async def find_one(
        self,
        collection: str,
        filter: Mapping[str, Any] | None = None,
        *,
        sort: Sort | None = None,
    ) -> Document | None: ...

    @abc.abstractmethod
    @checks(collection=COLLECTION)
    async def count(self, collection: str, filter: Mapping[str, Any] | None = None) -> int: ...

    @abc.abstractmethod
    @checks(collection=COLLECTION, group_by=_GROUP_BY)
    async def aggregate(
        self,
        collection: str,
        group_by: Sequence[str],
        metrics: Mapping[str, tuple[str, str | None]],
        filter: Mapping[str, Any] | None = None,
    ) -> list[Document]:
        """Group matching documents by the ``group_by`` fields (missing counts as None) and
        compute ``metrics``: output name → ``(fn, field)`` with fn one of count (field None),
        sum, avg, min, max over numeric values (booleans are not numbers; a group without any
        gives sum 0 and avg / min / max None).  Each result holds the group fields (keyed by the
        ``group_by`` string as given, dotted or not) and the metrics, ordered by the group values
        in the sort order above."""


class AsyncDocumentIndexing(Interface, name="document_indexing", model="document"):
    """Secondary indexes.  A unique index rejects a write that would duplicate its field values
    with ``ConflictError`` and writes nothing (values are compared by JSON equality, a missing
    field equals only a missing field, and documents missing all its fields are exempt);
    creating one over existing duplicates raises ``ConflictError``.  Queries return the same
    results with or without an index."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(collection=COLLECTION, fields=_FIELDS, name=_OPT_INDEX_NAME)
    async def create_index(
        self,
        collection: str,
        fields: Sequence[str],
        *,
        unique: bool = False,
        name: str | None = None,
    ) -> str:
        """Create an index (idempotent for the same definition; ``ConflictError`` when the
        name exists with another definition); return its name (default: the fields joined with
        ``_``)."""

    @abc.abstractmethod
    @checks(collection=COLLECTION, name=_INDEX_NAME)
    async def drop_index(self, collection: str, name: str) -> bool: ...

    @abc.abstractmethod
    @checks(collection=COLLECTION)
    async def list_indexes(self, collection: str) -> list[IndexInfo]: ...
