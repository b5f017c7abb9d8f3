"""sqlite keyvalue: all six interfaces (the SQL is in ``_ops/keyvalue.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from typing import TYPE_CHECKING, cast

from prism._validate import Duration
from prism.backends._async.base import AsyncFacet
from prism.backends.sqlite._ops import keyvalue as ops
from prism.errors import InvalidArgumentError, KeyNotFoundError
from prism.interfaces._async.keyvalue import (
    AsyncKeyValueBasic,
    AsyncKeyValueBatch,
    AsyncKeyValueCAS,
    AsyncKeyValueScan,
    AsyncKeyValueTransactional,
    AsyncKeyValueTTL,
    AsyncTransaction,
)

if TYPE_CHECKING:
    from prism.backends.sqlite._async.backend import AsyncSQLiteBackend

PAGE = 500
"""Keys per round trip of a scan."""
SWEEP_EVERY = 512
"""Writes between two sweeps of expired keys."""


class AsyncSQLiteKeyValue(
    AsyncFacet,
    AsyncKeyValueBasic,
    AsyncKeyValueScan,
    AsyncKeyValueTTL,
    AsyncKeyValueTransactional,
    AsyncKeyValueBatch,
    AsyncKeyValueCAS,
):
    _scan_in_key_order = True
    """Internal promise to the outbox relay: ``scan`` yields keys in ascending code-point order
    (keyset pages ``ORDER BY key``), so ``scan(prefix, limit=n)`` is the n smallest keys."""

    def __init__(self, backend: AsyncSQLiteBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._backend = backend
        self._db = backend.db
        self._clock = backend.db.clock

    async def _wrote(self, operation: str) -> None:
        """Count a write of ``operation``; every so often reclaim the storage of expired keys
        (an error doing so names ``operation``, the call the user made)."""
        if self._backend.count_write(SWEEP_EVERY):
            await self._db.run_async(ops.sweep, self._clock, operation=operation)

    # keyvalue_basic / keyvalue_ttl ------------------------------------------------------------
    async def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        # ttl is float seconds or None after the checks; ``_wrote`` inlined (the hot path)
        await self._db.run_async(
            ops.set_value, self._clock, self.namespace, key, value, ttl, operation="set"
        )
        if self._backend.count_write(SWEEP_EVERY):
            await self._db.run_async(ops.sweep, self._clock, operation="set")

    async def get(self, key: str) -> bytes:
        row = await self._db.first_async(ops.get, ops.GET, (self.namespace, key, self._clock()))
        if row is None:
            raise ops.missing(key, "get")
        return row[0]  # type: ignore[no-any-return]

    async def delete(self, key: str) -> bool:
        return await self._db.run_async(ops.delete, self._clock, self.namespace, key)

    async def exists(self, key: str) -> bool:
        return await self._db.run_async(ops.exists, self._clock, self.namespace, key)

    async def expire(self, key: str, ttl: Duration) -> bool:
        hold = cast("float", ttl)
        return await self._db.run_async(ops.expire, self._clock, self.namespace, key, hold)

    async def get_ttl(self, key: str) -> float | None:
        return await self._db.run_async(ops.get_ttl, self._clock, self.namespace, key)

    async def persist(self, key: str) -> bool:
        return await self._db.run_async(ops.persist, self._clock, self.namespace, key)

    # keyvalue_scan -----------------------------------------------------------------------------
    async def _pages(
        self, prefix: str, limit: int | None, values: bool, operation: str
    ) -> AsyncIterator[list[tuple[str, bytes]]]:
        after: str | None = None
        left = limit
        while left is None or left > 0:
            size = PAGE if left is None else min(PAGE, left)
            page = await self._db.run_async(
                ops.scan_page,
                self._clock,
                self.namespace,
                prefix,
                after,
                size,
                values,
                operation=operation,
            )
            if not page:
                return
            yield page
            if left is not None:
                left -= len(page)
            if len(page) < size:
                return
            after = page[-1][0]

    async def scan(
        self, prefix: str = "", *, limit: int | None = None
    ) -> AsyncIterator[tuple[str, bytes]]:
        async for page in self._pages(prefix, limit, values=True, operation="scan"):
            for item in page:  # noqa: UP028, RUF100 (the async source cannot "yield from")
                yield item

    async def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[str]:
        async for page in self._pages(prefix, limit, values=False, operation="scan_keys"):
            for key, _ in page:
                yield key

    async def count(self, prefix: str = "") -> int:
        return await self._db.run_async(ops.count, self._clock, self.namespace, prefix)

    # keyvalue_batch ----------------------------------------------------------------------------
    async def set_many(self, items: Mapping[str, bytes]) -> None:
        if items:
            await self._db.run_async(ops.set_many, self.namespace, dict(items))
            await self._wrote("set_many")

    async def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        wanted = list(keys)
        if not wanted:
            return {}
        return await self._db.run_async(ops.get_many, self._clock, self.namespace, wanted)

    async def delete_many(self, keys: Iterable[str]) -> int:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return 0
        return await self._db.run_async(ops.delete_many, self._clock, self.namespace, wanted)

    # keyvalue_cas ------------------------------------------------------------------------------
    async def compare_and_swap(self, key: str, expected: bytes | None, new: bytes) -> bool:
        return await self._db.run_async(
            ops.compare_and_swap, self._clock, self.namespace, key, expected, new
        )

    async def compare_and_delete(self, key: str, expected: bytes) -> bool:
        return await self._db.run_async(
            ops.compare_and_delete, self._clock, self.namespace, key, expected
        )

    # keyvalue_transactional --------------------------------------------------------------------
    def begin(self) -> AsyncSQLiteTransaction:
        return AsyncSQLiteTransaction(self)


class AsyncSQLiteTransaction(AsyncTransaction):
    """Optimistic: records the version of every key it touches (reads are ordinary reads);
    ``commit`` runs one ``BEGIN IMMEDIATE`` transaction that re-checks those versions and applies
    the buffered writes, or raises ``ConflictError`` and applies nothing."""

    def __init__(self, facet: AsyncSQLiteKeyValue) -> None:
        self._facet = facet
        self.max_value_bytes = facet.max_value_bytes
        self._seen: dict[str, int | None] = {}
        self._values: dict[str, bytes | None] = {}
        """Values as first read, for keys read but not written."""
        self._writes: dict[str, bytes | None] = {}
        self._done = False

    def _check_open(self) -> None:
        if self._done:
            msg = "this transaction is already committed or rolled back"
            raise InvalidArgumentError(msg, backend="sqlite")

    async def _current(self, key: str, operation: str) -> bytes | None:
        """The value as this transaction sees it (None: absent), recording the key's version
        the first time it is touched (for ``operation``, the transaction's method)."""
        self._check_open()
        if key in self._writes:
            return self._writes[key]
        if key not in self._seen:
            facet = self._facet
            value, version = await facet._db.run_async(
                ops.read_versioned, facet._clock, facet.namespace, key, operation=operation
            )
            self._seen[key] = version
            self._values[key] = value
        return self._values[key]

    async def get(self, key: str) -> bytes:
        value = await self._current(key, "get")
        if value is None:
            raise KeyNotFoundError(f"key {key!r} not found", backend="sqlite", operation="get")
        return value

    async def set(self, key: str, value: bytes) -> None:
        await self._current(key, "set")
        self._writes[key] = value

    async def delete(self, key: str) -> bool:
        existed = await self._current(key, "delete") is not None
        self._writes[key] = None
        return existed

    async def commit(self) -> None:
        self._check_open()
        self._done = True
        facet = self._facet
        await facet._db.run_async(
            ops.commit, facet._clock, facet.namespace, self._seen, self._writes
        )
        if self._writes:
            await facet._wrote("commit")

    async def rollback(self) -> None:
        self._done = True
        self._writes.clear()
