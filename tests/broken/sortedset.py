# Generated from tests/broken/_async/sortedset.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Broken sortedset variants: each misbehaves in one way its suite must catch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prism.backends.memstore.sortedset import MemSortedSet
from prism.interfaces.sortedset import ScoredMember
from prism.types import Aggregate
from tests.broken import Variant

# sortedset_basic --------------------------------------------------------------------------------


def _ties_descending(pairs: list[ScoredMember]) -> list[ScoredMember]:
    """Ascending by score, but members of equal score in descending byte order."""
    flipped = pairs[::-1]  # the sort is stable: ties keep this (descending) order
    return sorted(flipped, key=lambda pair: pair[1])


class TiesDescendingMemSortedSet(MemSortedSet):
    """range orders members of equal score by descending bytes instead of ascending."""

    def range(
        self, key: str, start: int = 0, stop: int = -1, *, reverse: bool = False
    ) -> list[ScoredMember]:
        found = super().range(key, start, stop, reverse=reverse)
        return found if reverse else _ties_descending(found)


# sortedset_range --------------------------------------------------------------------------------


class InclusiveOnlyMemSortedSet(MemSortedSet):
    """range_by_score ignores min_exclusive / max_exclusive: every bound is inclusive."""

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
        return super().range_by_score(key, min, max, reverse=reverse, offset=offset, limit=limit)


# sortedset_operations ---------------------------------------------------------------------------


class UnweightedMemSortedSet(MemSortedSet):
    """union ignores the weights."""

    def union(
        self,
        keys: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        aggregate: Aggregate = "sum",
    ) -> list[ScoredMember]:
        return super().union(keys, aggregate=aggregate)


# Ties under a text collation (issue 8) ----------------------------------------------------------


def _nocase(pairs: list[ScoredMember], reverse: bool) -> list[ScoredMember]:
    """Re-order ties case-insensitively, as a text collation (SQL NOCASE) would."""
    return sorted(pairs, key=lambda pair: (pair[1], pair[0].lower()), reverse=reverse)


class NoCaseTiesMemSortedSet(MemSortedSet):
    """range_by_score orders tied members case-insensitively instead of by bytes."""

    def range_by_score(self, key: str, *args: Any, **options: Any) -> list[ScoredMember]:
        super().range_by_score(key, *args, **options)  # validates the arguments
        found = super().range_by_score(key, *args, **{**options, "offset": 0, "limit": None})
        ordered = _nocase(found, bool(options.get("reverse")))
        offset, limit = options.get("offset", 0), options.get("limit")
        return ordered[offset:] if limit is None else ordered[offset : offset + limit]


VARIANTS = [
    Variant(
        "sortedset",
        "ties-descending",
        TiesDescendingMemSortedSet,
        "sortedset_basic",
    ),
    Variant(
        "sortedset",
        "exclusive-as-inclusive",
        InclusiveOnlyMemSortedSet,
        "sortedset_range",
    ),
    Variant(
        "sortedset",
        "weights-ignored",
        UnweightedMemSortedSet,
        "sortedset_operations",
    ),
    Variant(
        "sortedset",
        "nocase-ties",
        NoCaseTiesMemSortedSet,
        "sortedset_range",
    ),
]
