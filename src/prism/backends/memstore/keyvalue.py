# Generated from src/prism/backends/memstore/_async/keyvalue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""memstore keyvalue: all six interfaces."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from prism._validate import Duration
from prism.backends.base import Facet
from prism.backends.memstore._ops.keyvalue import KeyValueState
from prism.errors import ConflictError, InvalidArgumentError, KeyNotFoundError
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
    from prism.backends.memstore.backend import MemstoreBackend

PAGE = 1000
SWEEP_MIN = 1024
"""The fewest expiring writes between two sweeps of expired keys (see ``_expiring_write``)."""


@dataclass
class _Sweep:
    """Per namespace: writes that set an expiry since expired keys were last swept out, and
    how many keys with an expiry that sweep left."""

    writes: int = 0
    left: int = 0


class MemKeyValue(
    Facet,
    KeyValueBasic,
    KeyValueScan,
    KeyValueTTL,
    KeyValueTransactional,
    KeyValueBatch,
    KeyValueCAS,
):
    def __init__(self, backend: MemstoreBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._store = backend.store
        self._lock = backend.store.lock
        self._state = backend.store.namespace_state("keyvalue", namespace, KeyValueState)
        self._sweep = backend.store.namespace_state("keyvalue.sweep", namespace, _Sweep)
        # the state's dicts are never replaced: the hot paths below reach them in one step
        self._values = self._state.values
        self._expires = self._state.expires
        self._versions = self._state.versions

    def _expiring_write(self, now: float) -> None:
        """Count a write that set an expiry (lock held), sweeping out expired keys now and then.

        Reads drop an expired key when they meet it; a key nobody reads again would stay
        forever.  So once the writes since the last sweep reach ``SWEEP_MIN`` and the number of
        keys with an expiry that sweep left, every expired key is dropped: storage is reclaimed
        for O(1) amortised work per write, and unread expired keys never pile up beyond about
        ``max(SWEEP_MIN, keys with an expiry after the last sweep)``.
        """
        sweep = self._sweep
        sweep.writes += 1
        if sweep.writes < max(SWEEP_MIN, sweep.left):
            return
        expires = self._state.expires
        for key in [k for k, deadline in expires.items() if deadline <= now]:
            self._state.drop(key)
        sweep.writes, sweep.left = 0, len(expires)

    # keyvalue_basic / keyvalue_ttl ------------------------------------------------------------
    def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        # acquire / try / finally rather than ``with``: the same guarantee, at about half the
        # cost (CPython's ``with`` looks ``__enter__`` and ``__exit__`` up and calls the latter
        # with three arguments), on the two hottest paths of the in-process store
        self._lock.acquire()
        try:
            if ttl is None:  # KeyValueState.put inlined: the hot path of the in-process store
                self._values[key] = value
                if self._expires:
                    self._expires.pop(key, None)
                state = self._state
                if state.watchers:  # versions matter only to open transactions
                    state.version = version = state.version + 1
                    self._versions[key] = version
                return
            now = self._store.clock()
            self._state.put(key, value, now + cast("float", ttl))
            self._expiring_write(now)
        finally:
            self._lock.release()

    def get(self, key: str) -> bytes:
        self._lock.acquire()  # not ``with``: see ``set``
        try:
            if not self._expires:  # no key has an expiry: one dict lookup (the hot path)
                try:
                    return self._values[key]
                except KeyError:
                    pass
            elif key in self._values and (
                key not in self._expires or self._state.live(key, self._store.clock())
            ):
                return self._values[key]
        finally:
            self._lock.release()
        raise KeyNotFoundError(f"key {key!r} not found", backend="memstore", operation="get")

    def delete(self, key: str) -> bool:
        with self._lock:
            if self._state.live(key, self._store.clock()):
                self._state.drop(key)
                return True
            return False

    def exists(self, key: str) -> bool:
        with self._lock:
            return self._state.live(key, self._store.clock())

    def expire(self, key: str, ttl: Duration) -> bool:
        with self._lock:
            now = self._store.clock()
            if not self._state.live(key, now):
                return False
            self._state.expires[key] = now + cast("float", ttl)
            self._state.bump(key)
            self._expiring_write(now)
            return True

    def get_ttl(self, key: str) -> float | None:
        with self._lock:
            now = self._store.clock()
            if not self._state.live(key, now):
                raise KeyNotFoundError(
                    f"key {key!r} not found", backend="memstore", operation="get_ttl"
                )
            deadline = self._state.expires.get(key)
            return None if deadline is None else max(0.0, deadline - now)

    def persist(self, key: str) -> bool:
        with self._lock:
            if not self._state.live(key, self._store.clock()):
                return False
            if self._state.expires.pop(key, None) is None:
                return False
            self._state.bump(key)
            return True

    # keyvalue_scan -----------------------------------------------------------------------------
    def _matching(self, prefix: str) -> list[str]:
        with self._lock:
            now = self._store.clock()
            return [
                k
                for k in list(self._state.values)
                if k.startswith(prefix) and self._state.live(k, now)
            ]

    def scan(self, prefix: str = "", *, limit: int | None = None) -> Iterator[tuple[str, bytes]]:
        keys = self._matching(prefix)
        if limit is not None:
            keys = keys[:limit]
        for start in range(0, len(keys), PAGE):
            with self._lock:
                now = self._store.clock()
                page = [
                    (k, self._state.values[k])
                    for k in keys[start : start + PAGE]
                    if self._state.live(k, now)
                ]
            yield from page

    def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> Iterator[str]:
        keys = self._matching(prefix)
        yield from keys if limit is None else keys[:limit]

    def count(self, prefix: str = "") -> int:
        return len(self._matching(prefix))

    # keyvalue_batch ----------------------------------------------------------------------------
    def set_many(self, items: Mapping[str, bytes]) -> None:
        with self._lock:
            for key, value in items.items():
                self._state.put(key, value, None)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        with self._lock:
            now = self._store.clock()
            return {k: self._state.values[k] for k in keys if self._state.live(k, now)}

    def delete_many(self, keys: Iterable[str]) -> int:
        removed = 0
        with self._lock:
            now = self._store.clock()
            for key in dict.fromkeys(keys):
                if self._state.live(key, now):
                    self._state.drop(key)
                    removed += 1
        return removed

    # keyvalue_cas ------------------------------------------------------------------------------
    def compare_and_swap(self, key: str, expected: bytes | None, new: bytes) -> bool:
        with self._lock:
            present = self._state.live(key, self._store.clock())
            current = self._state.values[key] if present else None
            if current != expected:
                return False
            self._state.put(key, new, None)
            return True

    def compare_and_delete(self, key: str, expected: bytes) -> bool:
        with self._lock:
            if not self._state.live(key, self._store.clock()):
                return False
            if self._state.values[key] != expected:
                return False
            self._state.drop(key)
            return True

    # keyvalue_transactional --------------------------------------------------------------------
    def begin(self) -> MemTransaction:
        return MemTransaction(self)


_DELETED = object()


def _unwatch(lock: threading.RLock, state: KeyValueState) -> None:
    with lock:
        state.watchers -= 1


class MemTransaction(Transaction):
    """Optimistic: remembers the version of every key it touches; commit checks them."""

    def __init__(self, facet: MemKeyValue) -> None:
        self._facet = facet
        self.max_value_bytes = facet.max_value_bytes
        self._seen: dict[str, int] = {}
        self._writes: dict[str, object] = {}
        self._done = False
        state = facet._state
        with facet._lock:
            state.watchers += 1
        # committed, rolled back or dropped unfinished: the state stops counting it once
        self._unwatch = weakref.finalize(self, _unwatch, facet._lock, state)

    def _touch(self, key: str) -> None:
        if self._done:
            msg = "this transaction is already committed or rolled back"
            raise InvalidArgumentError(msg)
        if key not in self._seen:
            state = self._facet._state
            if state.live(key, self._facet._store.clock()) and key not in state.versions:
                # written while no transaction was open: give it a version now, so that its
                # deletion (version 0, as absent) is seen as a change
                state.bump(key)
            self._seen[key] = state.versions.get(key, 0)

    def _current(self, key: str) -> bytes | None:
        if key in self._writes:
            value = self._writes[key]
            return None if value is _DELETED else value  # type: ignore[return-value]
        state = self._facet._state
        if state.live(key, self._facet._store.clock()):
            return state.values[key]
        return None

    def get(self, key: str) -> bytes:
        with self._facet._lock:
            self._touch(key)
            value = self._current(key)
        if value is None:
            raise KeyNotFoundError(f"key {key!r} not found", backend="memstore", operation="get")
        return value

    def set(self, key: str, value: bytes) -> None:
        with self._facet._lock:
            self._touch(key)
            self._writes[key] = value

    def delete(self, key: str) -> bool:
        with self._facet._lock:
            self._touch(key)
            existed = self._current(key) is not None
            self._writes[key] = _DELETED
            return existed

    def commit(self) -> None:
        with self._facet._lock:
            if self._done:
                msg = "this transaction is already committed or rolled back"
                raise InvalidArgumentError(msg)
            self._done = True
            self._unwatch()
            state = self._facet._state
            now = self._facet._store.clock()
            for key, version in self._seen.items():
                state.live(key, now)
                if state.versions.get(key, 0) != version:
                    msg = f"key {key!r} changed since this transaction read it"
                    raise ConflictError(msg, backend="memstore", operation="commit")
            for key, value in self._writes.items():
                if value is _DELETED:
                    if key in state.values:
                        state.drop(key)
                else:
                    state.put(key, value, None)  # type: ignore[arg-type]

    def rollback(self) -> None:
        with self._facet._lock:
            self._done = True
            self._unwatch()
            self._writes.clear()
