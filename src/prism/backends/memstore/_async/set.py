"""memstore set: all four interfaces.

Sets live in their own keyspace per namespace (a set and a list may share a key).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from prism.backends._async.base import AsyncFacet
from prism.interfaces._async.set import (
    AsyncSetBasic,
    AsyncSetCardinality,
    AsyncSetOperations,
    AsyncSetRandom,
)

if TYPE_CHECKING:
    from prism.backends.memstore._async.backend import AsyncMemstoreBackend

Sets = dict[str, set[bytes]]
"""One namespace's sets by key; an empty set is never stored (guarded by the store lock)."""

_EMPTY: frozenset[bytes] = frozenset()


class AsyncMemSet(
    AsyncFacet, AsyncSetBasic, AsyncSetOperations, AsyncSetCardinality, AsyncSetRandom
):
    def __init__(self, backend: AsyncMemstoreBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._lock = backend.store.lock
        self._sets: Sets = backend.store.namespace_state("set", namespace, Sets)

    def _get(self, key: str) -> set[bytes] | frozenset[bytes]:
        """The members of ``key`` (the stored set itself: do not mutate).  Lock held."""
        return self._sets.get(key, _EMPTY)

    def _put(self, key: str, members: set[bytes]) -> int:
        """Replace ``key`` with ``members`` (dropping it when empty); return the size."""
        if members:
            self._sets[key] = members
        else:
            self._sets.pop(key, None)
        return len(members)

    # set_basic ---------------------------------------------------------------------------------
    async def add(self, key: str, *members: bytes) -> int:
        with self._lock:
            current = self._sets.setdefault(key, set())
            before = len(current)
            current.update(members)
            return len(current) - before

    async def remove(self, key: str, *members: bytes) -> int:
        with self._lock:
            current = self._sets.get(key)
            if current is None:
                return 0
            before = len(current)
            current.difference_update(members)
            removed = before - len(current)
            if not current:
                del self._sets[key]
            return removed

    async def contains(self, key: str, member: bytes) -> bool:
        with self._lock:
            return member in self._get(key)

    async def members(self, key: str) -> set[bytes]:
        with self._lock:
            return set(self._get(key))

    # set_operations ----------------------------------------------------------------------------
    def _union(self, keys: tuple[str, ...]) -> set[bytes]:
        return set().union(*(self._get(k) for k in keys))

    def _intersection(self, keys: tuple[str, ...]) -> set[bytes]:
        return set(self._get(keys[0])).intersection(*(self._get(k) for k in keys[1:]))

    def _difference(self, keys: tuple[str, ...]) -> set[bytes]:
        return set(self._get(keys[0])).difference(*(self._get(k) for k in keys[1:]))

    async def union(self, *keys: str) -> set[bytes]:
        with self._lock:
            return self._union(keys)

    async def intersection(self, *keys: str) -> set[bytes]:
        with self._lock:
            return self._intersection(keys)

    async def difference(self, *keys: str) -> set[bytes]:
        with self._lock:
            return self._difference(keys)

    async def union_store(self, destination: str, *keys: str) -> int:
        with self._lock:
            return self._put(destination, self._union(keys))

    async def intersection_store(self, destination: str, *keys: str) -> int:
        with self._lock:
            return self._put(destination, self._intersection(keys))

    async def difference_store(self, destination: str, *keys: str) -> int:
        with self._lock:
            return self._put(destination, self._difference(keys))

    # set_cardinality ---------------------------------------------------------------------------
    async def size(self, key: str) -> int:
        with self._lock:
            return len(self._get(key))

    async def is_member(self, key: str, member: bytes) -> bool:
        with self._lock:
            return member in self._get(key)

    # set_random --------------------------------------------------------------------------------
    async def random_members(self, key: str, count: int = 1) -> list[bytes]:
        with self._lock:
            current = self._get(key)
            return random.sample(list(current), min(count, len(current)))

    async def pop_random(self, key: str, count: int = 1) -> list[bytes]:
        with self._lock:
            current = self._sets.get(key)
            if current is None:
                return []
            chosen = random.sample(list(current), min(count, len(current)))
            current.difference_update(chosen)
            if not current:
                del self._sets[key]
            return chosen
