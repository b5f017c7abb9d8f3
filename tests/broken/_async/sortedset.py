"""Broken sortedset variants: each misbehaves in one way its suite must catch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prism.backends.memstore._async.sortedset import AsyncMemSortedSet
from prism.interfaces.sortedset import ScoredMember
from prism.types import Aggregate
from tests.broken import Variant

# sortedset_basic --------------------------------------------------------------------------------


def _ties_descending(pairs: list[ScoredMember]) -> list[ScoredMember]:
    """Ascending by score, but members of equal score in descending byte order."""
    flipped = pairs[::-1]  # the sort is stable: ties keep this (descending) order
    return sorted(flipped, key=lambda pair: pair[1])


class AsyncTiesDescendingMemSortedSet(AsyncMemSortedSet):
    """range orders members of equal score by descending bytes instead of ascending."""

    async def range(
        self, key: str, start: int = 0, stop: int = -1, *, reverse: bool = False
    ) -> list[ScoredMember]:
        found = await super().range(key, start, stop, reverse=reverse)
        return found if reverse else _ties_descending(found)


# sortedset_range --------------------------------------------------------------------------------


class AsyncInclusiveOnlyMemSortedSet(AsyncMemSortedSet):
    """range_by_score ignores min_exclusive / max_exclusive: every bound is inclusive."""

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
        return await super().range_by_score(
            key, min, max, reverse=reverse, offset=offset, limit=limit
        )


# sortedset_operations ---------------------------------------------------------------------------


class AsyncUnweightedMemSortedSet(AsyncMemSortedSet):
    """union ignores the weights."""

    async def union(
        self,
        keys: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        aggregate: Aggregate = "sum",
    ) -> list[ScoredMember]:
        return await super().union(keys, aggregate=aggregate)


# Ties under a text collation (issue 8) ----------------------------------------------------------


def _nocase(pairs: list[ScoredMember], reverse: bool) -> list[ScoredMember]:
    """Re-order ties case-insensitively, as a text collation (SQL NOCASE) would."""
    return sorted(pairs, key=lambda pair: (pair[1], pair[0].lower()), reverse=reverse)


class AsyncNoCaseTiesMemSortedSet(AsyncMemSortedSet):
    """range_by_score orders tied members case-insensitively instead of by bytes."""

    async def range_by_score(self, key: str, *args: Any, **options: Any) -> list[ScoredMember]:
        await super().range_by_score(key, *args, **options)  # validates the arguments
        found = await super().range_by_score(key, *args, **{**options, "offset": 0, "limit": None})
        ordered = _nocase(found, bool(options.get("reverse")))
        offset, limit = options.get("offset", 0), options.get("limit")
        return ordered[offset:] if limit is None else ordered[offset : offset + limit]


VARIANTS = [
    Variant(
        "sortedset",
        "ties-descending",
        AsyncTiesDescendingMemSortedSet,
        "sortedset_basic",
    ),
    Variant(
        "sortedset",
        "exclusive-as-inclusive",
        AsyncInclusiveOnlyMemSortedSet,
        "sortedset_range",
    ),
    Variant(
        "sortedset",
        "weights-ignored",
        AsyncUnweightedMemSortedSet,
        "sortedset_operations",
    ),
    Variant(
        "sortedset",
        "nocase-ties",
        AsyncNoCaseTiesMemSortedSet,
        "sortedset_range",
    ),
]
