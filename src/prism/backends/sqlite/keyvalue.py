# Generated from src/prism/backends/sqlite/_async/keyvalue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""sqlite keyvalue: all six interfaces (the SQL is in ``_ops/keyvalue.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, cast

from prism._validate import Duration
from prism.backends.base import Facet
from prism.backends.sqlite._ops import keyvalue as ops
from prism.errors import InvalidArgumentError, KeyNotFoundError
from prism.interfaces.keyvalue import (
    KeyValueBasic,
    KeyValueBatch,
    KeyValueCAS,
    KeyValueScan,
    KeyValueTransactional,
    KeyValueTTL,
    Transaction,
)

if TYPE_CHECKING:
    from prism.backends.sqlite.backend import SQLiteBackend

PAGE = 500
"""Keys per round trip of a scan."""
SWEEP_EVERY = 512
"""Writes between two sweeps of expired keys."""


class SQLiteKeyValue(
    Facet,
    KeyValueBasic,
    KeyValueScan,
    KeyValueTTL,
    KeyValueTransactional,
    KeyValueBatch,
    KeyValueCAS,
):
    _scan_in_key_order = True
    """Internal promise to the outbox relay: ``scan`` yields keys in ascending code-point order
    (keyset pages ``ORDER BY key``), so ``scan(prefix, limit=n)`` is the n smallest keys."""

    def __init__(self, backend: SQLiteBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._backend = backend
        self._db = backend.db
        self._clock = backend.db.clock

    def _wrote(self, operation: str) -> None:
        """Count a write of ``operation``; every so often reclaim the storage of expired keys
        (an error doing so names ``operation``, the call the user made)."""
        if self._backend.count_write(SWEEP_EVERY):
            self._db.run(ops.sweep, self._clock, operation=operation)

    # keyvalue_basic / keyvalue_ttl ------------------------------------------------------------
    def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        # ttl is float seconds or None after the checks; ``_wrote`` inlined (the hot path)
        self._db.run(ops.set_value, self._clock, self.namespace, key, value, ttl, operation="set")
        if self._backend.count_write(SWEEP_EVERY):
            self._db.run(ops.sweep, self._clock, operation="set")

    def get(self, key: str) -> bytes:
        row = self._db.first(ops.get, ops.GET, (self.namespace, key, self._clock()))
        if row is None:
            raise ops.missing(key, "get")
        return row[0]  # type: ignore[no-any-return]

    def delete(self, key: str) -> bool:
        return self._db.run(ops.delete, self._clock, self.namespace, key)

    def exists(self, key: str) -> bool:
        return self._db.run(ops.exists, self._clock, self.namespace, key)

    def expire(self, key: str, ttl: Duration) -> bool:
        hold = cast("float", ttl)
        return self._db.run(ops.expire, self._clock, self.namespace, key, hold)

    def get_ttl(self, key: str) -> float | None:
        return self._db.run(ops.get_ttl, self._clock, self.namespace, key)

    def persist(self, key: str) -> bool:
        return self._db.run(ops.persist, self._clock, self.namespace, key)

    # keyvalue_scan -----------------------------------------------------------------------------
    def _pages(
        self, prefix: str, limit: int | None, values: bool, operation: str
    ) -> Iterator[list[tuple[str, bytes]]]:
        after: str | None = None
        left = limit
        while left is None or left > 0:
            size = PAGE if left is None else min(PAGE, left)
            page = self._db.run(
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

    def scan(self, prefix: str = "", *, limit: int | None = None) -> Iterator[tuple[str, bytes]]:
        for page in self._pages(prefix, limit, values=True, operation="scan"):
            for item in page:  # noqa: UP028, RUF100 (the async source cannot "yield from")
                yield item

    def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> Iterator[str]:
        for page in self._pages(prefix, limit, values=False, operation="scan_keys"):
            for key, _ in page:
                yield key

    def count(self, prefix: str = "") -> int:
        return self._db.run(ops.count, self._clock, self.namespace, prefix)

    # keyvalue_batch ----------------------------------------------------------------------------
    def set_many(self, items: Mapping[str, bytes]) -> None:
        if items:
            self._db.run(ops.set_many, self.namespace, dict(items))
            self._wrote("set_many")

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        wanted = list(keys)
        if not wanted:
            return {}
        return self._db.run(ops.get_many, self._clock, self.namespace, wanted)

    def delete_many(self, keys: Iterable[str]) -> int:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return 0
        return self._db.run(ops.delete_many, self._clock, self.namespace, wanted)

    # keyvalue_cas ------------------------------------------------------------------------------
    def compare_and_swap(self, key: str, expected: bytes | None, new: bytes) -> bool:
        return self._db.run(ops.compare_and_swap, self._clock, self.namespace, key, expected, new)

    def compare_and_delete(self, key: str, expected: bytes) -> bool:
        return self._db.run(ops.compare_and_delete, self._clock, self.namespace, key, expected)

    # keyvalue_transactional --------------------------------------------------------------------
    def begin(self) -> SQLiteTransaction:
        return SQLiteTransaction(self)


class SQLiteTransaction(Transaction):
    """Optimistic: records the version of every key it touches (reads are ordinary reads);
    ``commit`` runs one ``BEGIN IMMEDIATE`` transaction that re-checks those versions and applies
    the buffered writes, or raises ``ConflictError`` and applies nothing."""

    def __init__(self, facet: SQLiteKeyValue) -> None:
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

    def _current(self, key: str, operation: str) -> bytes | None:
        """The value as this transaction sees it (None: absent), recording the key's version
        the first time it is touched (for ``operation``, the transaction's method)."""
        self._check_open()
        if key in self._writes:
            return self._writes[key]
        if key not in self._seen:
            facet = self._facet
            value, version = facet._db.run(
                ops.read_versioned, facet._clock, facet.namespace, key, operation=operation
            )
            self._seen[key] = version
            self._values[key] = value
        return self._values[key]

    def get(self, key: str) -> bytes:
        value = self._current(key, "get")
        if value is None:
            raise KeyNotFoundError(f"key {key!r} not found", backend="sqlite", operation="get")
        return value

    def set(self, key: str, value: bytes) -> None:
        self._current(key, "set")
        self._writes[key] = value

    def delete(self, key: str) -> bool:
        existed = self._current(key, "delete") is not None
        self._writes[key] = None
        return existed

    def commit(self) -> None:
        self._check_open()
        self._done = True
        facet = self._facet
        facet._db.run(ops.commit, facet._clock, facet.namespace, self._seen, self._writes)
        if self._writes:
            facet._wrote("commit")

    def rollback(self) -> None:
        self._done = True
        self._writes.clear()
