"""sqlite set: all four interfaces (the SQL is in ``_ops/set.py``).  Sets have their own table,
so a set and a list (or a key-value key) may share a name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prism.backends._async.base import AsyncFacet
from prism.backends.sqlite._ops import set as ops
from prism.interfaces._async.set import (
    AsyncSetBasic,
    AsyncSetCardinality,
    AsyncSetOperations,
    AsyncSetRandom,
)

if TYPE_CHECKING:
    from prism.backends.sqlite._async.backend import AsyncSQLiteBackend


class AsyncSQLiteSet(
    AsyncFacet, AsyncSetBasic, AsyncSetOperations, AsyncSetCardinality, AsyncSetRandom
):
    def __init__(self, backend: AsyncSQLiteBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._db = backend.db

    # set_basic ---------------------------------------------------------------------------------
    async def add(self, key: str, *members: bytes) -> int:
        return await self._db.run_async(ops.add, self.namespace, key, members)

    async def remove(self, key: str, *members: bytes) -> int:
        return await self._db.run_async(ops.remove, self.namespace, key, members)

    async def contains(self, key: str, member: bytes) -> bool:
        return await self._db.run_async(ops.contains, self.namespace, key, member)

    async def members(self, key: str) -> set[bytes]:
        return await self._db.run_async(ops.members, self.namespace, key)

    # set_operations ----------------------------------------------------------------------------
    async def union(self, *keys: str) -> set[bytes]:
        return await self._db.run_async(
            ops.combine, self.namespace, "union", keys, operation="union"
        )

    async def intersection(self, *keys: str) -> set[bytes]:
        return await self._db.run_async(
            ops.combine, self.namespace, "intersection", keys, operation="intersection"
        )

    async def difference(self, *keys: str) -> set[bytes]:
        return await self._db.run_async(
            ops.combine, self.namespace, "difference", keys, operation="difference"
        )

    async def union_store(self, destination: str, *keys: str) -> int:
        return await self._db.run_async(
            ops.combine_store, self.namespace, "union", destination, keys, operation="union_store"
        )

    async def intersection_store(self, destination: str, *keys: str) -> int:
        return await self._db.run_async(
            ops.combine_store,
            self.namespace,
            "intersection",
            destination,
            keys,
            operation="intersection_store",
        )

    async def difference_store(self, destination: str, *keys: str) -> int:
        return await self._db.run_async(
            ops.combine_store,
            self.namespace,
            "difference",
            destination,
            keys,
            operation="difference_store",
        )

    # set_cardinality ---------------------------------------------------------------------------
    async def size(self, key: str) -> int:
        return await self._db.run_async(ops.size, self.namespace, key)

    async def is_member(self, key: str, member: bytes) -> bool:
        return await self._db.run_async(
            ops.contains, self.namespace, key, member, operation="is_member"
        )

    # set_random --------------------------------------------------------------------------------
    async def random_members(self, key: str, count: int = 1) -> list[bytes]:
        return await self._db.run_async(ops.random_members, self.namespace, key, count)

    async def pop_random(self, key: str, count: int = 1) -> list[bytes]:
        return await self._db.run_async(ops.pop_random, self.namespace, key, count)
