"""redis set: all four interfaces, native Redis sets under ``<root>:{<ns>}:set:``.

Set algebra is SUNION / SINTER / SDIFF (and their STORE forms) over keys of one namespace,
which share one hash slot, so it is exact and atomic on a cluster too.
"""

from __future__ import annotations

from prism.backends._errors import translating
from prism.backends.redis._async._facet import AsyncRedisFacet
from prism.backends.redis._errors import translate
from prism.interfaces._async.set import (
    AsyncSetBasic,
    AsyncSetCardinality,
    AsyncSetOperations,
    AsyncSetRandom,
)

__all__ = ["AsyncRedisSet"]


class AsyncRedisSet(
    AsyncRedisFacet, AsyncSetBasic, AsyncSetOperations, AsyncSetCardinality, AsyncSetRandom
):
    _model = "set"

    # set_basic -----------------------------------------------------------------------------
    async def add(self, key: str, *members: bytes) -> int:
        with translating(self._name, "add", translate):
            return int(await self._c.sadd(self._k(key), *members))

    async def remove(self, key: str, *members: bytes) -> int:
        with translating(self._name, "remove", translate):
            return int(await self._c.srem(self._k(key), *members))

    async def contains(self, key: str, member: bytes) -> bool:
        with translating(self._name, "contains", translate):
            return bool(await self._c.sismember(self._k(key), member))

    async def members(self, key: str) -> set[bytes]:
        with translating(self._name, "members", translate):
            return set(await self._c.smembers(self._k(key)))

    # set_operations ------------------------------------------------------------------------
    async def union(self, *keys: str) -> set[bytes]:
        with translating(self._name, "union", translate):
            return set(await self._c.sunion(self._ks(keys)))

    async def intersection(self, *keys: str) -> set[bytes]:
        with translating(self._name, "intersection", translate):
            return set(await self._c.sinter(self._ks(keys)))

    async def difference(self, *keys: str) -> set[bytes]:
        with translating(self._name, "difference", translate):
            return set(await self._c.sdiff(self._ks(keys)))

    async def union_store(self, destination: str, *keys: str) -> int:
        with translating(self._name, "union_store", translate):
            return int(await self._c.sunionstore(self._k(destination), self._ks(keys)))

    async def intersection_store(self, destination: str, *keys: str) -> int:
        with translating(self._name, "intersection_store", translate):
            return int(await self._c.sinterstore(self._k(destination), self._ks(keys)))

    async def difference_store(self, destination: str, *keys: str) -> int:
        with translating(self._name, "difference_store", translate):
            return int(await self._c.sdiffstore(self._k(destination), self._ks(keys)))

    # set_cardinality -----------------------------------------------------------------------
    async def size(self, key: str) -> int:
        with translating(self._name, "size", translate):
            return int(await self._c.scard(self._k(key)))

    async def is_member(self, key: str, member: bytes) -> bool:
        with translating(self._name, "is_member", translate):
            return bool(await self._c.sismember(self._k(key), member))

    # set_random ----------------------------------------------------------------------------
    async def random_members(self, key: str, count: int = 1) -> list[bytes]:
        with translating(self._name, "random_members", translate):
            return list(await self._c.srandmember(self._k(key), count) or [])

    async def pop_random(self, key: str, count: int = 1) -> list[bytes]:
        with translating(self._name, "pop_random", translate):
            return list(await self._c.spop(self._k(key), count) or [])
