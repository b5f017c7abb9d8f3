"""SortedSet: members (``bytes``) ordered by float score, ties by member bytes."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence

from prism.errors import InvalidArgumentError
from prism.interfaces._base import (
    BOUND,
    INDEX,
    KEY,
    KEYS,
    MEMBER,
    NON_NEGATIVE,
    NUMBER,
    OPT_LIMIT,
    PAYLOADS,
    WEIGHTS_MATCH_KEYS,
    Check,
    Interface,
    _per_param,
    checks,
)
from prism.types import Aggregate

__all__ = [
    "AsyncSortedSetBasic",
    "AsyncSortedSetLex",
    "AsyncSortedSetOperations",
    "AsyncSortedSetRange",
    "AsyncSortedSetRank",
]

ScoredMember = tuple[bytes, float]


def _SCORES(facet: object, value: object) -> dict[bytes, float]:
    from prism import _validate as v

    if not isinstance(value, Mapping) or not value:
        msg = "members must be a non-empty mapping of bytes member to float score"
        raise InvalidArgumentError(msg)
    v.batch(len(value), "members")
    limit = getattr(facet, "max_value_bytes", None)
    return {
        v.payload(member, limit, "a member in members"): v.number(score, f"members[{member!r}]")
        for member, score in v.mapping_items(value, "members", "bytes member to float score")
    }


_SCORES.normalizes = True  # type: ignore[attr-defined]


def _opt_lex(what: str) -> Check:
    from prism import _validate as v

    def check(_: object, value: object) -> None:
        if value is not None:
            v.payload(value, None, what)

    return check


_OPT_LEX = _per_param(_opt_lex)


def _WEIGHTS(_: object, value: object) -> list[float] | None:
    from prism import _validate as v

    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        msg = "weights must be a sequence of numbers, one per key"
        raise InvalidArgumentError(msg)
    return [v.number(w, f"weights[{i}]") for i, w in enumerate(value)]


_WEIGHTS.normalizes = True  # type: ignore[attr-defined]


def _AGGREGATE(_: object, value: object) -> str:
    from prism import _validate as v

    return v.choice(value, ("sum", "min", "max"), "aggregate")


_AGGREGATE.normalizes = True  # type: ignore[attr-defined]


class AsyncSortedSetBasic(Interface, name="sortedset_basic", model="sortedset"):
    """Scored members.  Scores are finite floats; members of equal score order by their bytes.
    A sorted set that becomes empty ceases to exist; a missing key is an empty sorted set.

    Using one key for two data models (a sorted set and a set both named ``k``) is unspecified:
    some backends keep each model's keys apart (memstore), others share one keyspace and raise on
    the type clash (Redis).
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(key=KEY, members=_SCORES)
    async def add(self, key: str, members: Mapping[bytes, float]) -> int:
        """Add members or update their scores; return how many were new."""

    @abc.abstractmethod
    @checks(key=KEY, members=PAYLOADS)
    async def remove(self, key: str, *members: bytes) -> int:
        """Remove members; return how many were present."""

    @abc.abstractmethod
    @checks(key=KEY, member=MEMBER)
    async def score(self, key: str, member: bytes) -> float | None:
        """The score of ``member``, or None when absent."""

    @abc.abstractmethod
    @checks(key=KEY, member=MEMBER, amount=NUMBER)
    async def increment(self, key: str, member: bytes, amount: float = 1.0) -> float:
        """Add ``amount`` to the score (a missing member starts at 0); return the new score."""

    @abc.abstractmethod
    @checks(key=KEY)
    async def size(self, key: str) -> int:
        """The number of members."""


class AsyncSortedSetRange(Interface, name="sortedset_range", model="sortedset"):
    """Ranges by rank and by score; results are ``(member, score)`` pairs."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(key=KEY, start=INDEX, stop=INDEX)
    async def range(
        self, key: str, start: int = 0, stop: int = -1, *, reverse: bool = False
    ) -> list[ScoredMember]:
        """Members at ranks ``start`` through ``stop`` inclusive (negative from the end; out of
        range bounds are clipped), in ascending order.  With ``reverse`` the ranks count from
        the highest score and the result is descending (Redis ZRANGE ... REV)."""

    @abc.abstractmethod
    @checks(key=KEY, min=BOUND, max=BOUND, offset=NON_NEGATIVE, limit=OPT_LIMIT)
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
        """Members with ``min <= score <= max`` (strict where exclusive), ±inf allowed, in
        score order (descending with ``reverse``), skipping ``offset``, at most ``limit``.
        ``min`` and ``max`` keep their meaning with ``reverse``."""


class AsyncSortedSetRank(Interface, name="sortedset_rank", model="sortedset"):
    """Ranks: 0 is the lowest score (``rank``) or the highest (``reverse_rank``)."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(key=KEY, member=MEMBER)
    async def rank(self, key: str, member: bytes) -> int | None: ...

    @abc.abstractmethod
    @checks(key=KEY, member=MEMBER)
    async def reverse_rank(self, key: str, member: bytes) -> int | None: ...


class AsyncSortedSetOperations(Interface, name="sortedset_operations", model="sortedset"):
    """ZUNION / ZINTER semantics: each key's scores are multiplied by its weight (default 1),
    then combined with ``aggregate`` (sum, min or max).  A missing key is empty.  Results are in
    ascending score order, ties by member bytes.

    ``keys`` must not be empty, and ``weights`` (when given) has one entry per key; otherwise
    ``InvalidArgumentError``.  A product or sum that is not a number (``inf * 0``,
    ``inf + -inf``) counts as 0, as in Redis.  The ``*_store`` variants compute the result first,
    so ``destination`` may be one of ``keys``; an empty result deletes ``destination``.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(WEIGHTS_MATCH_KEYS, keys=KEYS, weights=_WEIGHTS, aggregate=_AGGREGATE)
    async def union(
        self,
        keys: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        aggregate: Aggregate = "sum",
    ) -> list[ScoredMember]: ...

    @abc.abstractmethod
    @checks(WEIGHTS_MATCH_KEYS, keys=KEYS, weights=_WEIGHTS, aggregate=_AGGREGATE)
    async def intersection(
        self,
        keys: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        aggregate: Aggregate = "sum",
    ) -> list[ScoredMember]: ...

    @abc.abstractmethod
    @checks(WEIGHTS_MATCH_KEYS, destination=KEY, keys=KEYS, weights=_WEIGHTS, aggregate=_AGGREGATE)
    async def union_store(
        self,
        destination: str,
        keys: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        aggregate: Aggregate = "sum",
    ) -> int:
        """Store the union in ``destination`` (replacing it); return its size."""

    @abc.abstractmethod
    @checks(WEIGHTS_MATCH_KEYS, destination=KEY, keys=KEYS, weights=_WEIGHTS, aggregate=_AGGREGATE)
    async def intersection_store(
        self,
        destination: str,
        keys: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        aggregate: Aggregate = "sum",
    ) -> int:
        """Store the intersection in ``destination`` (replacing it); return its size."""


class AsyncSortedSetLex(Interface, name="sortedset_lex", model="sortedset"):
    """Lexicographic ranges over members that share one score (Redis ZRANGEBYLEX)."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(key=KEY, min=_OPT_LEX, max=_OPT_LEX, offset=NON_NEGATIVE, limit=OPT_LIMIT)
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
        """Members between ``min`` and ``max`` by byte order (None: unbounded; strict where
        exclusive), skipping ``offset``, at most ``limit``.  Assumes all members share one
        score; with mixed scores the result is unspecified."""
