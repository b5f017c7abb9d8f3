"""redis sortedset: all five interfaces, native Redis sorted sets under ``<root>:{<ns>}:zset:``.

Scores are IEEE doubles on both sides; members of equal score order by their bytes (Redis's own
rule).  ZUNION / ZINTER (Redis 6.2+) and their STORE forms run over keys of one namespace, which
share one hash slot, so they work on a cluster too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from prism.backends._errors import translating
from prism.backends.redis._async._facet import AsyncRedisFacet
from prism.backends.redis._errors import translate
from prism.interfaces._async.sortedset import (
    AsyncSortedSetBasic,
    AsyncSortedSetLex,
    AsyncSortedSetOperations,
    AsyncSortedSetRange,
    AsyncSortedSetRank,
)
from prism.types import Aggregate

__all__ = ["AsyncRedisSortedSet"]

ScoredMember = tuple[bytes, float]


def _score_bound(value: float, exclusive: bool) -> str:
    if math.isinf(value):
        text = "+inf" if value > 0 else "-inf"
    else:
        text = repr(float(value))
    return f"({text}" if exclusive else text


def _lex_bound(value: bytes | None, exclusive: bool, *, low: bool) -> bytes:
    if value is None:
        return b"-" if low else b"+"
    return (b"(" if exclusive else b"[") + value


def _pairs(reply: Any) -> list[ScoredMember]:
    """(member, score) pairs from a WITHSCORES reply in any of redis-py's shapes."""
    if not reply:
        return []
    first = reply[0]
    if isinstance(first, list | tuple):
        return [(bytes(m), float(s)) for m, s in reply]
    return [(bytes(reply[i]), float(reply[i + 1])) for i in range(0, len(reply), 2)]


class AsyncRedisSortedSet(
    AsyncRedisFacet,
    AsyncSortedSetBasic,
    AsyncSortedSetRange,
    AsyncSortedSetRank,
    AsyncSortedSetOperations,
    AsyncSortedSetLex,
):
    _model = "sortedset"

    # sortedset_basic -----------------------------------------------------------------------
    async def add(self, key: str, members: Mapping[bytes, float]) -> int:
        with translating(self._name, "add", translate):
            return int(await self._c.zadd(self._k(key), {m: float(s) for m, s in members.items()}))

    async def remove(self, key: str, *members: bytes) -> int:
        with translating(self._name, "remove", translate):
            return int(await self._c.zrem(self._k(key), *members))

    async def score(self, key: str, member: bytes) -> float | None:
        with translating(self._name, "score", translate):
            value = await self._c.zscore(self._k(key), member)
        return None if value is None else float(value)

    async def increment(self, key: str, member: bytes, amount: float = 1.0) -> float:
        with translating(self._name, "increment", translate):
            return float(await self._c.zincrby(self._k(key), float(amount), member))

    async def size(self, key: str) -> int:
        with translating(self._name, "size", translate):
            return int(await self._c.zcard(self._k(key)))

    # sortedset_range -----------------------------------------------------------------------
    async def range(
        self, key: str, start: int = 0, stop: int = -1, *, reverse: bool = False
    ) -> list[ScoredMember]:
        with translating(self._name, "range", translate):
            reply = await self._c.zrange(self._k(key), start, stop, desc=reverse, withscores=True)
        return _pairs(reply)

    async def range_by_score(
        self,
        key: str,
        min: float = float("-inf"),
        max: float = float("inf"),
        *,
        min_exclusive: bool = False,
        max_exclusive: bool = False,
        reverse: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[ScoredMember]:
        if limit == 0:
            return []
        low, high = _score_bound(min, min_exclusive), _score_bound(max, max_exclusive)
        page: dict[str, Any] = {}
        if offset or limit is not None:
            page = {"start": offset, "num": -1 if limit is None else limit}
        with translating(self._name, "range_by_score", translate):
            if reverse:
                reply = await self._c.zrevrangebyscore(
                    self._k(key), high, low, withscores=True, **page
                )
            else:
                reply = await self._c.zrangebyscore(
                    self._k(key), low, high, withscores=True, **page
                )
        return _pairs(reply)

    # sortedset_rank ------------------------------------------------------------------------
    async def rank(self, key: str, member: bytes) -> int | None:
        with translating(self._name, "rank", translate):
            value = await self._c.zrank(self._k(key), member)
        return None if value is None else int(value)

    async def reverse_rank(self, key: str, member: bytes) -> int | None:
        with translating(self._name, "reverse_rank", translate):
            value = await self._c.zrevrank(self._k(key), member)
        return None if value is None else int(value)

    # sortedset_operations ------------------------------------------------------------------
    def _combine_args(
        self, keys: Sequence[str], weights: Sequence[float] | None, aggregate: Aggregate
    ) -> list[Any]:
        names = list(keys)  # the interface checked: at least one, one weight per key
        args: list[Any] = [len(names), *(self._k(k) for k in names)]
        if weights is not None:
            args += ["WEIGHTS", *(repr(float(w)) for w in weights)]
        args += ["AGGREGATE", aggregate.upper()]
        return args

    async def _combine(
        self,
        command: str,
        keys: Sequence[str],
        weights: Sequence[float] | None,
        aggregate: Aggregate,
    ) -> list[ScoredMember]:
        args = self._combine_args(keys, weights, aggregate)
        with translating(self._name, command.lower(), translate):
            reply = await self._c.execute_command(command, *args, "WITHSCORES", withscores=True)
        return _pairs(reply)

    async def _combine_store(
        self,
        command: str,
        destination: str,
        keys: Sequence[str],
        weights: Sequence[float] | None,
        aggregate: Aggregate,
    ) -> int:
        args = self._combine_args(keys, weights, aggregate)
        operation = "union_store" if command == "ZUNIONSTORE" else "intersection_store"
        with translating(self._name, operation, translate):
            return int(await self._c.execute_command(command, self._k(destination), *args))

    async def union(
        self,
        keys: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        aggregate: Aggregate = "sum",
    ) -> list[ScoredMember]:
        return await self._combine("ZUNION", keys, weights, aggregate)

    async def intersection(
        self,
        keys: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        aggregate: Aggregate = "sum",
    ) -> list[ScoredMember]:
        return await self._combine("ZINTER", keys, weights, aggregate)

    async def union_store(
        self,
        destination: str,
        keys: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        aggregate: Aggregate = "sum",
    ) -> int:
        return await self._combine_store("ZUNIONSTORE", destination, keys, weights, aggregate)

    async def intersection_store(
        self,
        destination: str,
        keys: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        aggregate: Aggregate = "sum",
    ) -> int:
        return await self._combine_store("ZINTERSTORE", destination, keys, weights, aggregate)

    # sortedset_lex -------------------------------------------------------------------------
    async def range_by_lex(
        self,
        key: str,
        min: bytes | None = None,
        max: bytes | None = None,
        *,
        min_exclusive: bool = False,
        max_exclusive: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[bytes]:
        if limit == 0:
            return []
        low = _lex_bound(min, min_exclusive, low=True)
        high = _lex_bound(max, max_exclusive, low=False)
        page: dict[str, Any] = {}
        if offset or limit is not None:
            page = {"start": offset, "num": -1 if limit is None else limit}
        with translating(self._name, "range_by_lex", translate):
            return list(await self._c.zrangebylex(self._k(key), low, high, **page))
