# Generated from src/prism/backends/redis/_async/set.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""redis set: all four interfaces, native Redis sets under ``<root>:{<ns>}:set:``.

Set algebra is SUNION / SINTER / SDIFF (and their STORE forms) over keys of one namespace,
which share one hash slot, so it is exact and atomic on a cluster too.
"""

from __future__ import annotations

from prism.backends._errors import translating
from prism.backends.redis._errors import translate
from prism.backends.redis._facet import RedisFacet
from prism.interfaces.set import (
    SetBasic,
    SetCardinality,
    SetOperations,
    SetRandom,
)

__all__ = ["RedisSet"]


class RedisSet(RedisFacet, SetBasic, SetOperations, SetCardinality, SetRandom):
    _model = "set"

    # set_basic -----------------------------------------------------------------------------
    def add(self, key: str, *members: bytes) -> int:
        with translating(self._name, "add", translate):
            return int(self._c.sadd(self._k(key), *members))

    def remove(self, key: str, *members: bytes) -> int:
        with translating(self._name, "remove", translate):
            return int(self._c.srem(self._k(key), *members))

    def contains(self, key: str, member: bytes) -> bool:
        with translating(self._name, "contains", translate):
            return bool(self._c.sismember(self._k(key), member))

    def members(self, key: str) -> set[bytes]:
        with translating(self._name, "members", translate):
            return set(self._c.smembers(self._k(key)))

    # set_operations ------------------------------------------------------------------------
    def union(self, *keys: str) -> set[bytes]:
        with translating(self._name, "union", translate):
            return set(self._c.sunion(self._ks(keys)))

    def intersection(self, *keys: str) -> set[bytes]:
        with translating(self._name, "intersection", translate):
            return set(self._c.sinter(self._ks(keys)))

    def difference(self, *keys: str) -> set[bytes]:
        with translating(self._name, "difference", translate):
            return set(self._c.sdiff(self._ks(keys)))

    def union_store(self, destination: str, *keys: str) -> int:
        with translating(self._name, "union_store", translate):
            return int(self._c.sunionstore(self._k(destination), self._ks(keys)))

    def intersection_store(self, destination: str, *keys: str) -> int:
        with translating(self._name, "intersection_store", translate):
            return int(self._c.sinterstore(self._k(destination), self._ks(keys)))

    def difference_store(self, destination: str, *keys: str) -> int:
        with translating(self._name, "difference_store", translate):
            return int(self._c.sdiffstore(self._k(destination), self._ks(keys)))

    # set_cardinality -----------------------------------------------------------------------
    def size(self, key: str) -> int:
        with translating(self._name, "size", translate):
            return int(self._c.scard(self._k(key)))

    def is_member(self, key: str, member: bytes) -> bool:
        with translating(self._name, "is_member", translate):
            return bool(self._c.sismember(self._k(key), member))

    # set_random ----------------------------------------------------------------------------
    def random_members(self, key: str, count: int = 1) -> list[bytes]:
        with translating(self._name, "random_members", translate):
            return list(self._c.srandmember(self._k(key), count) or [])

    def pop_random(self, key: str, count: int = 1) -> list[bytes]:
        with translating(self._name, "pop_random", translate):
            return list(self._c.spop(self._k(key), count) or [])
