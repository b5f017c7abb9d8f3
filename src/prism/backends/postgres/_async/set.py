"""postgres set: all four interfaces (the SQL is in ``_ops/set.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from prism.backends.postgres._async._facet import AsyncPostgresFacet
from prism.backends.postgres._ops.set import statements
from prism.interfaces._async.set import (
    AsyncSetBasic,
    AsyncSetCardinality,
    AsyncSetOperations,
    AsyncSetRandom,
)

if TYPE_CHECKING:
    from prism.backends.postgres._async.backend import AsyncPostgresBackend

__all__ = ["AsyncPostgresSet"]


class AsyncPostgresSet(
    AsyncPostgresFacet, AsyncSetBasic, AsyncSetOperations, AsyncSetCardinality, AsyncSetRandom
):
    MODEL = "set"

    def __init__(self, backend: AsyncPostgresBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._sql = statements(self.schema)

    # set_basic ---------------------------------------------------------------------------------
    async def add(self, key: str, *members: bytes) -> int:
        return await self._run("add", self._sql["add"], {"key": key, "members": list(members)})

    async def remove(self, key: str, *members: bytes) -> int:
        params = {"key": key, "members": list(members)}
        return await self._run("remove", self._sql["remove"], params)

    async def contains(self, key: str, member: bytes) -> bool:
        params = {"key": key, "member": member}
        return await self._one("contains", self._sql["contains"], params) is not None

    async def members(self, key: str) -> set[bytes]:
        rows = await self._all("members", self._sql["members"], {"key": key})
        return {bytes(row[0]) for row in rows}

    # set_operations ----------------------------------------------------------------------------
    @staticmethod
    def _params(keys: Sequence[str]) -> dict[str, Any]:
        return {
            "keys": list(keys),
            "distinct": len(set(keys)),
            "first": keys[0],
            "others": list(keys[1:]),
        }

    async def _combine(self, op: str, keys: Sequence[str]) -> set[bytes]:
        rows = await self._all(op, self._sql[op], self._params(keys))
        return {bytes(row[1]) for row in rows}

    async def _store(self, op: str, destination: str, keys: Sequence[str]) -> int:
        """The result is computed first (``destination`` may be a source), then replaces
        ``destination``: one transaction, holding a lock on ``destination`` so that concurrent
        stores into it run one after the other.  A member added to ``destination`` by a
        concurrent ``add`` meanwhile stays (that add took effect after the store)."""
        async with self._connection(f"{op}_store") as conn, conn.transaction():
            await conn.execute(self._sql["lock"], {"schema": self.schema, "key": destination})
            cur = await conn.execute(self._sql[op], self._params(keys))
            rows = await cur.fetchall()
            await conn.execute(self._sql["clear"], {"key": destination})
            params = {
                "key": destination,
                "digests": [row[0] for row in rows],
                "members": [row[1] for row in rows],
            }
            await conn.execute(self._sql["store"], params)
        return len(rows)

    async def union(self, *keys: str) -> set[bytes]:
        return await self._combine("union", keys)

    async def intersection(self, *keys: str) -> set[bytes]:
        return await self._combine("intersection", keys)

    async def difference(self, *keys: str) -> set[bytes]:
        return await self._combine("difference", keys)

    async def union_store(self, destination: str, *keys: str) -> int:
        return await self._store("union", destination, keys)

    async def intersection_store(self, destination: str, *keys: str) -> int:
        return await self._store("intersection", destination, keys)

    async def difference_store(self, destination: str, *keys: str) -> int:
        return await self._store("difference", destination, keys)

    # set_cardinality ---------------------------------------------------------------------------
    async def size(self, key: str) -> int:
        row = await self._one("size", self._sql["size"], {"key": key})
        return int(row[0])

    async def is_member(self, key: str, member: bytes) -> bool:
        params = {"key": key, "member": member}
        return await self._one("is_member", self._sql["contains"], params) is not None

    # set_random --------------------------------------------------------------------------------
    async def random_members(self, key: str, count: int = 1) -> list[bytes]:
        rows = await self._all("random_members", self._sql["random"], {"key": key, "count": count})
        return [bytes(row[0]) for row in rows]

    async def pop_random(self, key: str, count: int = 1) -> list[bytes]:
        rows = await self._all("pop_random", self._sql["pop"], {"key": key, "count": count})
        return [bytes(row[0]) for row in rows]
