# Generated from src/prism/backends/memstore/_async/sortedset.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""memstore sortedset: all five interfaces.

Sorted sets live in their own keyspace per namespace.  Each is a :class:`ZSet`: a member → score
dict plus the ``(score, member)`` pairs kept sorted, so ranks and bounds are binary searches.
"""

from __future__ import annotations

import math
import operator
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from prism.backends.base import Facet
from prism.backends.memstore._ops.list import inclusive_slice
from prism.backends.memstore._ops.sortedset import ZSet, ZSets
from prism.interfaces.sortedset import (
    ScoredMember,
    SortedSetBasic,
    SortedSetLex,
    SortedSetOperations,
    SortedSetRange,
    SortedSetRank,
)
from prism.types import Aggregate

if TYPE_CHECKING:
    from prism.backends.memstore.backend import MemstoreBackend

T = TypeVar("T")
_score = operator.itemgetter(0)
_member = operator.itemgetter(1)
_AGGREGATES: dict[str, Callable[[float, float], float]] = {
    "sum": operator.add,
    "min": min,
    "max": max,
}


def _page(items: list[T], offset: int, limit: int | None) -> list[T]:
    return items[offset:] if limit is None else items[offset : offset + limit]


def _pairs(order: Sequence[tuple[float, bytes]]) -> list[ScoredMember]:
    return [(member, score) for score, member in order]


def _number(value: float) -> float:
    """Redis counts a NaN produced by weighting or summing (``inf * 0``, ``inf - inf``) as 0."""
    return 0.0 if math.isnan(value) else value


class MemSortedSet(
    Facet,
    SortedSetBasic,
    SortedSetRange,
    SortedSetRank,
    SortedSetOperations,
    SortedSetLex,
):
    def __init__(self, backend: MemstoreBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._lock = backend.store.lock
        self._zsets: ZSets = backend.store.namespace_state("sortedset", namespace, ZSets)

    def _get(self, key: str) -> ZSet:
        """The sorted set at ``key`` (an unstored empty one when missing).  Lock held."""
        return self._zsets.get(key) or ZSet()

    # sortedset_basic ---------------------------------------------------------------------------
    def add(self, key: str, members: Mapping[bytes, float]) -> int:
        with self._lock:
            zset = self._zsets.setdefault(key, ZSet())
            return sum(zset.put(member, float(score)) for member, score in members.items())

    def remove(self, key: str, *members: bytes) -> int:
        with self._lock:
            zset = self._zsets.get(key)
            if zset is None:
                return 0
            removed = sum(zset.discard(member) for member in members)
            if not zset:
                del self._zsets[key]
            return removed

    def score(self, key: str, member: bytes) -> float | None:
        with self._lock:
            return self._get(key).scores.get(member)

    def increment(self, key: str, member: bytes, amount: float = 1.0) -> float:
        with self._lock:
            zset = self._zsets.setdefault(key, ZSet())
            score = zset.scores.get(member, 0.0) + amount
            zset.put(member, score)
            return score

    def size(self, key: str) -> int:
        with self._lock:
            return len(self._get(key))

    # sortedset_range ---------------------------------------------------------------------------
    def range(
        self, key: str, start: int = 0, stop: int = -1, *, reverse: bool = False
    ) -> list[ScoredMember]:
        with self._lock:
            order = self._get(key).order
            size = len(order)
            span = inclusive_slice(start, stop, size)
            if not reverse:
                return _pairs(order[span])
            return _pairs(order[size - span.stop : size - span.start][::-1])

    def range_by_score(
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
        with self._lock:
            order = self._get(key).order
            low = (bisect_right if min_exclusive else bisect_left)(order, min, key=_score)
            high = (bisect_left if max_exclusive else bisect_right)(order, max, key=_score)
            found = order[low:high]
        return _pairs(_page(found[::-1] if reverse else found, offset, limit))

    # sortedset_rank ----------------------------------------------------------------------------
    def rank(self, key: str, member: bytes) -> int | None:
        with self._lock:
            return self._get(key).rank(member)

    def reverse_rank(self, key: str, member: bytes) -> int | None:
        with self._lock:
            zset = self._get(key)
            rank = zset.rank(member)
            return None if rank is None else len(zset) - 1 - rank

    # sortedset_operations ----------------------------------------------------------------------
    def _combine(
        self,
        keys: Sequence[str],
        weights: Sequence[float] | None,
        aggregate: Aggregate,
        *,
        intersect: bool,
    ) -> dict[bytes, float]:
        """Weighted, aggregated scores of the union (or intersection) of ``keys``.  Lock held."""
        if weights is None:  # the interface checked keys and weights match
            weights = [1.0] * len(keys)
        combine = _AGGREGATES[aggregate]
        zsets = [self._get(key) for key in keys]
        result: dict[bytes, float] = {}
        for zset, weight in zip(zsets, weights, strict=True):
            for member, score in zset.scores.items():
                weighted = _number(score * weight)
                old = result.get(member)
                result[member] = weighted if old is None else _number(combine(old, weighted))
        if intersect:
            result = {m: s for m, s in result.items() if all(m in z.scores for z in zsets)}
        return result

    def _store(self, destination: str, scores: dict[bytes, float]) -> int:
        if scores:
            self._zsets[destination] = ZSet.of(scores)
        else:
            self._zsets.pop(destination, None)
        return len(scores)

    def union(
        self,
        keys: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        aggregate: Aggregate = "sum",
    ) -> list[ScoredMember]:
        with self._lock:
            scores = self._combine(keys, weights, aggregate, intersect=False)
        return _pairs(ZSet.of(scores).order)

    def intersection(
        self,
        keys: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        aggregate: Aggregate = "sum",
    ) -> list[ScoredMember]:
        with self._lock:
            scores = self._combine(keys, weights, aggregate, intersect=True)
        return _pairs(ZSet.of(scores).order)

    def union_store(
        self,
        destination: str,
        keys: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        aggregate: Aggregate = "sum",
    ) -> int:
        with self._lock:
            return self._store(
                destination, self._combine(keys, weights, aggregate, intersect=False)
            )

    def intersection_store(
        self,
        destination: str,
        keys: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        aggregate: Aggregate = "sum",
    ) -> int:
        with self._lock:
            return self._store(destination, self._combine(keys, weights, aggregate, intersect=True))

    # sortedset_lex -----------------------------------------------------------------------------
    def range_by_lex(
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
        with self._lock:
            order = self._get(key).order  # sorted by member when all scores are equal
            low = 0
            high = len(order)
            if min is not None:
                low = (bisect_right if min_exclusive else bisect_left)(order, min, key=_member)
            if max is not None:
                high = (bisect_left if max_exclusive else bisect_right)(order, max, key=_member)
            found = [member for _, member in order[low:high]]
        return _page(found, offset, limit)
