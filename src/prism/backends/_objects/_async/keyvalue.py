"""keyvalue over an object store (async flavour: every call awaits the blocking driver on the
backend's :class:`prism.backends.WorkerPool`; the sync twin calls it directly).  The semantics are
in ``_ops.py``, shared by every driver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from prism._validate import Duration
from prism.backends._async.base import AsyncFacet
from prism.backends._objects import _ops as ops
from prism.backends._objects._layout import Layout
from prism.interfaces._async.keyvalue import (
    AsyncKeyValueBasic,
    AsyncKeyValueBatch,
    AsyncKeyValueCAS,
    AsyncKeyValueScan,
    AsyncKeyValueTTL,
)

if TYPE_CHECKING:
    from prism.backends._objects._async.backend import AsyncObjectBackend

__all__ = ["AsyncObjectKeyValue", "AsyncObjectKeyValueCAS"]


class AsyncObjectKeyValue(
    AsyncFacet, AsyncKeyValueBasic, AsyncKeyValueScan, AsyncKeyValueTTL, AsyncKeyValueBatch
):
    """One namespace's keys: the objects under ``<prefix><namespace>/`` of the bucket (of the
    namespace's own bucket under ``bucket_per_namespace``)."""

    def __init__(self, backend: AsyncObjectBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._store = backend.store_for(namespace)
        self.layout = Layout(backend.store.config.prefix, namespace)

    async def _wrote(self) -> None:
        """Count a write; every so often reclaim the namespace's expired keys."""
        if self._store.count_write():
            await self._store.run_async(ops.sweep, self.layout)

    async def sweep_expired(self) -> int:
        """Delete expired keys of this namespace now (up to 1,000 marked keys per call); the
        number of objects deleted.  Writes call it every ``sweep_every`` writes."""
        return await self._store.run_async(ops.sweep, self.layout)

    # keyvalue_basic / keyvalue_ttl -------------------------------------------------------------
    async def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        hold = cast("float | None", ttl)  # float seconds after the checks
        await self._store.run_async(ops.set_value, self.layout, key, value, hold)
        await self._wrote()

    async def get(self, key: str) -> bytes:
        return await self._store.run_async(ops.get, self.layout, key)

    async def delete(self, key: str) -> bool:
        return await self._store.run_async(ops.delete, self.layout, key)

    async def exists(self, key: str) -> bool:
        return await self._store.run_async(ops.exists, self.layout, key)

    async def expire(self, key: str, ttl: Duration) -> bool:
        done = await self._store.run_async(ops.expire, self.layout, key, cast("float", ttl))
        await self._wrote()
        return done

    async def get_ttl(self, key: str) -> float | None:
        return await self._store.run_async(ops.get_ttl, self.layout, key)

    async def persist(self, key: str) -> bool:
        return await self._store.run_async(ops.persist, self.layout, key)

    # keyvalue_scan -----------------------------------------------------------------------------
    async def _items(self, prefix: str, limit: int | None, values: bool) -> AsyncIterator[Any]:
        cursor: ops.Cursor | None = None
        left = limit
        while left is None or left > 0:
            size = ops.PAGE if left is None else min(ops.PAGE, left)
            page, cursor = await self._store.run_async(
                ops.scan_page, self.layout, prefix, cursor, size, values
            )
            for item in page[:left]:
                yield item
            if left is not None:
                left -= min(left, len(page))
            if cursor is None:
                return

    async def scan(
        self, prefix: str = "", *, limit: int | None = None
    ) -> AsyncIterator[tuple[str, bytes]]:
        async for item in self._items(prefix, limit, values=True):
            yield item

    async def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[str]:
        async for key in self._items(prefix, limit, values=False):
            yield key

    async def count(self, prefix: str = "") -> int:
        total = 0
        cursor: ops.Cursor | None = None
        while True:
            found, cursor = await self._store.run_async(ops.count_page, self.layout, prefix, cursor)
            total += found
            if cursor is None:
                return total

    # keyvalue_batch ----------------------------------------------------------------------------
    async def set_many(self, items: Mapping[str, bytes]) -> None:
        if items:
            await self._store.run_async(ops.set_many, self.layout, dict(items))
            await self._wrote()

    async def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        return await self._store.run_async(ops.get_many, self.layout, wanted)

    async def delete_many(self, keys: Iterable[str]) -> int:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return 0
        return await self._store.run_async(ops.delete_many, self.layout, wanted)


class AsyncObjectKeyValueCAS(AsyncObjectKeyValue, AsyncKeyValueCAS):
    """Adds compare-and-swap, for drivers that send ``If-Match`` / ``If-None-Match``."""

    async def compare_and_swap(self, key: str, expected: bytes | None, new: bytes) -> bool:
        return await self._store.run_async(ops.compare_and_swap, self.layout, key, expected, new)

    async def compare_and_delete(self, key: str, expected: bytes) -> bool:
        return await self._store.run_async(ops.compare_and_delete, self.layout, key, expected)
