# Generated from src/prism/backends/_objects/_async/keyvalue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""keyvalue over an object store (async flavour: every call awaits the blocking driver on the
backend's :class:`prism.backends.WorkerPool`; the sync twin calls it directly).  The semantics are
in ``_ops.py``, shared by every driver."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

from prism._validate import Duration
from prism.backends._objects import _ops as ops
from prism.backends._objects._layout import Layout
from prism.backends.base import Facet
from prism.interfaces.keyvalue import (
    KeyValueBasic,
    KeyValueBatch,
    KeyValueCAS,
    KeyValueScan,
    KeyValueTTL,
)

if TYPE_CHECKING:
    from prism.backends._objects.backend import ObjectBackend

__all__ = ["ObjectKeyValue", "ObjectKeyValueCAS"]


class ObjectKeyValue(Facet, KeyValueBasic, KeyValueScan, KeyValueTTL, KeyValueBatch):
    """One namespace's keys: the objects under ``<prefix><namespace>/`` of the bucket (of the
    namespace's own bucket under ``bucket_per_namespace``)."""

    def __init__(self, backend: ObjectBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._store = backend.store_for(namespace)
        self.layout = Layout(backend.store.config.prefix, namespace)

    def _wrote(self) -> None:
        """Count a write; every so often reclaim the namespace's expired keys."""
        if self._store.count_write():
            self._store.run(ops.sweep, self.layout)

    def sweep_expired(self) -> int:
        """Delete expired keys of this namespace now (up to 1,000 marked keys per call); the
        number of objects deleted.  Writes call it every ``sweep_every`` writes."""
        return self._store.run(ops.sweep, self.layout)

    # keyvalue_basic / keyvalue_ttl -------------------------------------------------------------
    def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        hold = cast("float | None", ttl)  # float seconds after the checks
        self._store.run(ops.set_value, self.layout, key, value, hold)
        self._wrote()

    def get(self, key: str) -> bytes:
        return self._store.run(ops.get, self.layout, key)

    def delete(self, key: str) -> bool:
        return self._store.run(ops.delete, self.layout, key)

    def exists(self, key: str) -> bool:
        return self._store.run(ops.exists, self.layout, key)

    def expire(self, key: str, ttl: Duration) -> bool:
        done = self._store.run(ops.expire, self.layout, key, cast("float", ttl))
        self._wrote()
        return done

    def get_ttl(self, key: str) -> float | None:
        return self._store.run(ops.get_ttl, self.layout, key)

    def persist(self, key: str) -> bool:
        return self._store.run(ops.persist, self.layout, key)

    # keyvalue_scan -----------------------------------------------------------------------------
    def _items(self, prefix: str, limit: int | None, values: bool) -> Iterator[Any]:
        cursor: ops.Cursor | None = None
        left = limit
        while left is None or left > 0:
            size = ops.PAGE if left is None else min(ops.PAGE, left)
            page, cursor = self._store.run(ops.scan_page, self.layout, prefix, cursor, size, values)
            yield from page[:left]
            if left is not None:
                left -= min(left, len(page))
            if cursor is None:
                return

    def scan(self, prefix: str = "", *, limit: int | None = None) -> Iterator[tuple[str, bytes]]:
        yield from self._items(prefix, limit, values=True)

    def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> Iterator[str]:
        yield from self._items(prefix, limit, values=False)

    def count(self, prefix: str = "") -> int:
        total = 0
        cursor: ops.Cursor | None = None
        while True:
            found, cursor = self._store.run(ops.count_page, self.layout, prefix, cursor)
            total += found
            if cursor is None:
                return total

    # keyvalue_batch ----------------------------------------------------------------------------
    def set_many(self, items: Mapping[str, bytes]) -> None:
        if items:
            self._store.run(ops.set_many, self.layout, dict(items))
            self._wrote()

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        return self._store.run(ops.get_many, self.layout, wanted)

    def delete_many(self, keys: Iterable[str]) -> int:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return 0
        return self._store.run(ops.delete_many, self.layout, wanted)


class ObjectKeyValueCAS(ObjectKeyValue, KeyValueCAS):
    """Adds compare-and-swap, for drivers that send ``If-Match`` / ``If-None-Match``."""

    def compare_and_swap(self, key: str, expected: bytes | None, new: bytes) -> bool:
        return self._store.run(ops.compare_and_swap, self.layout, key, expected, new)

    def compare_and_delete(self, key: str, expected: bytes) -> bool:
        return self._store.run(ops.compare_and_delete, self.layout, key, expected)
