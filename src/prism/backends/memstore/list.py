# Generated from src/prism/backends/memstore/_async/list.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""memstore list: all four interfaces.

Lists live in their own keyspace per namespace (a list and a set may share a key).  Blocking
pops wait for the keys they name; a push wakes the waiters of its key only.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from itertools import islice
from typing import TYPE_CHECKING, cast

from prism._validate import Duration
from prism.backends.base import Facet
from prism.backends.memstore._ops.list import Lists, inclusive_slice
from prism.errors import IndexOutOfRangeError
from prism.interfaces.list import (
    ListBasic,
    ListBlocking,
    ListIndexing,
    ListRange,
)

if TYPE_CHECKING:
    from prism.backends.memstore.backend import MemstoreBackend


class MemList(Facet, ListBasic, ListIndexing, ListRange, ListBlocking):
    def __init__(self, backend: MemstoreBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._store = backend.store
        self._lock = backend.store.lock
        self._lists: Lists = backend.store.namespace_state("list", namespace, Lists)

    def _pop(self, key: str, *, left: bool) -> bytes | None:
        """Pop one end of ``key``'s list (None when empty).  Call with the lock held."""
        items = self._lists.get(key)
        if not items:
            return None
        value = items.popleft() if left else items.pop()
        if not items:
            del self._lists[key]
        return value

    def _replace(self, key: str, items: deque[bytes]) -> None:
        """Store ``items`` as ``key``'s list, or drop the key when empty.  Lock held."""
        if items:
            self._lists[key] = items
        else:
            self._lists.pop(key, None)

    def _position(self, key: str, index: int, operation: str) -> tuple[deque[bytes], int]:
        """The list and the non-negative position of ``index`` in it.  Lock held."""
        items = self._lists.get(key, deque())
        size = len(items)
        position = index + size if index < 0 else index
        if not 0 <= position < size:
            allowed = f"{-size}..{size - 1}" if size else "none: the list is empty"
            msg = f"index {index} is outside list {key!r} of length {size} (valid: {allowed})"
            raise IndexOutOfRangeError(msg, backend="memstore", operation=operation)
        return items, position

    # list_basic --------------------------------------------------------------------------------
    def push_left(self, key: str, *values: bytes) -> int:
        with self._lock:
            items = self._lists.setdefault(key, deque())
            items.extendleft(values)
            self._store.waiters.notify(("list", self.namespace, key))
            return len(items)

    def push_right(self, key: str, *values: bytes) -> int:
        with self._lock:
            items = self._lists.setdefault(key, deque())
            items.extend(values)
            self._store.waiters.notify(("list", self.namespace, key))
            return len(items)

    def pop_left(self, key: str) -> bytes | None:
        with self._lock:
            return self._pop(key, left=True)

    def pop_right(self, key: str) -> bytes | None:
        with self._lock:
            return self._pop(key, left=False)

    def length(self, key: str) -> int:
        with self._lock:
            return len(self._lists.get(key, ()))

    # list_indexing -----------------------------------------------------------------------------
    def get(self, key: str, index: int) -> bytes:
        with self._lock:
            items, position = self._position(key, index, "get")
            return items[position]

    def set(self, key: str, index: int, value: bytes) -> None:
        with self._lock:
            items, position = self._position(key, index, "set")
            items[position] = value

    def insert(self, key: str, pivot: bytes, value: bytes, *, before: bool = True) -> int:
        with self._lock:
            items = self._lists.get(key)
            if not items:
                return 0
            try:
                position = items.index(pivot)
            except ValueError:
                return -1
            items.insert(position if before else position + 1, value)
            return len(items)

    def remove(self, key: str, value: bytes, count: int = 0) -> int:
        with self._lock:
            items = self._lists.get(key)
            if not items:
                return 0
            limit = abs(count) or len(items)
            scan = items if count >= 0 else reversed(items)
            kept: deque[bytes] = deque()
            removed = 0
            for item in scan:
                if item == value and removed < limit:
                    removed += 1
                elif count >= 0:
                    kept.append(item)
                else:
                    kept.appendleft(item)
            self._replace(key, kept)
            return removed

    # list_range --------------------------------------------------------------------------------
    def get_range(self, key: str, start: int = 0, stop: int = -1) -> list[bytes]:
        with self._lock:
            items = self._lists.get(key, deque())
            span = inclusive_slice(start, stop, len(items))
            return list(islice(items, span.start, span.stop))

    def trim(self, key: str, start: int, stop: int) -> None:
        with self._lock:
            items = self._lists.get(key)
            if items:
                span = inclusive_slice(start, stop, len(items))
                self._replace(key, deque(islice(items, span.start, span.stop)))

    # list_blocking -----------------------------------------------------------------------------
    def _blocking_pop(
        self, keys: str | Sequence[str], timeout: Duration | None, *, left: bool
    ) -> tuple[str, bytes] | None:
        names = [keys] if isinstance(keys, str) else list(keys)
        wait = cast("float | None", timeout)  # float seconds after the checks

        def take() -> tuple[str, bytes] | None:  # runs under the store lock
            for key in names:
                value = self._pop(key, left=left)
                if value is not None:
                    return key, value
            return None

        waits_for = tuple(("list", self.namespace, key) for key in names)
        return self._store.waiters.wait(waits_for, take, wait)

    def blocking_pop_left(
        self, keys: str | Sequence[str], timeout: Duration | None = None
    ) -> tuple[str, bytes] | None:
        return self._blocking_pop(keys, timeout, left=True)

    def blocking_pop_right(
        self, keys: str | Sequence[str], timeout: Duration | None = None
    ) -> tuple[str, bytes] | None:
        return self._blocking_pop(keys, timeout, left=False)
