"""Compliance suites for the sorted-set interfaces (Redis sorted-set semantics)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import pytest

import prism
from prism._compat import AsyncCall
from prism.interfaces._async.sortedset import (
    AsyncSortedSetBasic,
    AsyncSortedSetLex,
    AsyncSortedSetOperations,
    AsyncSortedSetRange,
    AsyncSortedSetRank,
    ScoredMember,
)
from prism.testing._async.suite import AsyncSuite
from prism.testing._concurrency import run_concurrently_async
from prism.testing.suites._async.keyvalue import BAD_KEYS, BINARY_VALUES, UNICODE_KEYS
from prism.types import Aggregate

INF = float("inf")
PROPERTY_CASES = 25
"""Randomised cases per property test (seeded, so a failure reproduces)."""

TIED = [b"", b"\x00", b"B", b"a", b"ab", b"b", b"\xff"]
"""Members in ascending byte order: empty first, prefixes before extensions, 0xff last."""

Z = {b"e": -1.0, b"a": 1.0, b"b": 2.0, b"c": 2.0, b"d": 3.5}
Z_ASCENDING = [(b"e", -1.0), (b"a", 1.0), (b"b", 2.0), (b"c", 2.0), (b"d", 3.5)]


def ordered(scores: Mapping[bytes, float]) -> list[ScoredMember]:
    """The members ascending by score, ties by member bytes."""
    return sorted(scores.items(), key=lambda pair: (pair[1], pair[0]))


def random_zset(
    rng: random.Random, universe: Sequence[bytes], grid: Sequence[float]
) -> dict[bytes, float]:
    chosen = rng.sample(list(universe), rng.randint(0, len(universe)))
    return {member: rng.choice(grid) for member in chosen}


def reference_combine(
    zsets: Sequence[Mapping[bytes, float]],
    weights: Sequence[float],
    aggregate: Aggregate,
    *,
    intersect: bool,
) -> list[ScoredMember]:
    """ZUNION / ZINTER in plain Python."""
    combined: dict[bytes, float] = {}
    for zset, weight in zip(zsets, weights, strict=True):
        for member, score in zset.items():
            value = score * weight
            if member not in combined:
                combined[member] = value
            elif aggregate == "sum":
                combined[member] += value
            elif aggregate == "min":
                combined[member] = min(combined[member], value)
            else:
                combined[member] = max(combined[member], value)
    if intersect:
        combined = {m: s for m, s in combined.items() if all(m in z for z in zsets)}
    return ordered(combined)


def reference_rank_range(items: list[ScoredMember], start: int, stop: int) -> list[ScoredMember]:
    low = start + len(items) if start < 0 else start
    high = stop + len(items) if stop < 0 else stop
    return [item for i, item in enumerate(items) if low <= i <= high]


class AsyncSortedSetBasicSuite(AsyncSuite, interface="sortedset_basic"):
    async def _open(self) -> AsyncSortedSetBasic:
        return await self.facet(AsyncSortedSetBasic)

    async def test_add_returns_the_number_new(self) -> None:
        z = await self._open()
        assert await z.add("z", {b"a": 1.0, b"b": 2.0}) == 2
        assert await z.add("z", {b"b": 5.0, b"c": 3.0}) == 1
        assert await z.size("z") == 3

    async def test_add_updates_the_score(self) -> None:
        z = await self._open()
        await z.add("z", {b"a": 1.0})
        assert await z.add("z", {b"a": -7.25}) == 0
        assert await z.score("z", b"a") == -7.25
        assert await z.add("z", {b"a": -7.25}) == 0
        assert await z.size("z") == 1

    async def test_score_of_a_missing_member_is_none(self) -> None:
        z = await self._open()
        await z.add("z", {b"a": 1.0})
        assert await z.score("z", b"b") is None
        assert await z.score("missing", b"a") is None

    async def test_remove_returns_the_number_removed(self) -> None:
        z = await self._open()
        await z.add("z", {b"a": 1.0, b"b": 2.0, b"c": 3.0})
        assert await z.remove("z", b"a", b"zz", b"a") == 1
        assert await z.score("z", b"a") is None
        assert await z.size("z") == 2
        assert await z.remove("missing", b"a") == 0

    async def test_removing_every_member_empties_the_set(self) -> None:
        z = await self._open()
        await z.add("z", {b"a": 1.0, b"b": 2.0})
        assert await z.remove("z", b"a", b"b") == 2
        assert await z.size("z") == 0
        assert await z.add("z", {b"a": 3.0}) == 1
        assert await z.score("z", b"a") == 3.0

    async def test_increment(self) -> None:
        z = await self._open()
        assert await z.increment("z", b"new", 2.5) == 2.5
        assert await z.increment("z", b"new") == 3.5
        assert await z.increment("z", b"new", -10) == -6.5
        assert await z.score("z", b"new") == -6.5
        assert await z.increment("z", b"other", 0) == 0.0
        assert await z.size("z") == 2

    async def test_float_scores_round_trip(self) -> None:
        z = await self._open()
        scores = {b"a": 1.5, b"b": -2.25, b"c": 1e-300, b"d": 1e300, b"e": 0.1, b"f": -0.0}
        await z.add("z", scores)
        for member, score in scores.items():
            assert await z.score("z", member) == score
        await z.add("z", {b"int": 3})
        found = await z.score("z", b"int")
        assert isinstance(found, float)
        assert found == 3.0

    async def test_equal_scores_order_by_member_bytes(self) -> None:
        z = await self._open()
        if not isinstance(z, AsyncSortedSetRange):
            pytest.skip("the order is observable only through sortedset_range")
        shuffled = TIED[:]
        random.Random(7).shuffle(shuffled)
        for member in shuffled:
            await z.add("z", {member: 1.0})
        await z.add("z", {b"low": 0.5, b"high": 2.0})
        expected = [(b"low", 0.5), *((m, 1.0) for m in TIED), (b"high", 2.0)]
        assert await z.range("z") == expected

    async def test_size(self) -> None:
        z = await self._open()
        assert await z.size("z") == 0
        await z.add("z", {str(i).encode(): float(i) for i in range(100)})
        assert await z.size("z") == 100

    async def test_binary_members_round_trip(self) -> None:
        z = await self._open()
        members = {m: float(i) for i, m in enumerate(TIED)}
        members[b"\xff\xfe\xc3\x28"] = -1.0
        assert await z.add("bin", members) == len(members)
        for member, score in members.items():
            assert await z.score("bin", member) == score

    @pytest.mark.parametrize("member", BINARY_VALUES)
    async def test_binary_member_alone(self, member: bytes) -> None:
        z = await self._open()
        assert await z.add("bin", {member: 4.0}) == 1
        assert await z.increment("bin", member) == 5.0
        assert await z.remove("bin", member) == 1

    async def test_member_at_the_declared_limit(self) -> None:
        limit = self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        z = await self._open()
        big = b"\x02" * limit
        assert await z.add("big", {big: 1.0}) == 1
        with pytest.raises(prism.ValueTooLargeError):
            await z.add("big", {b"small": 1.0, b"\x02" * (limit + 1): 2.0})
        assert await z.score("big", big) == 1.0
        assert await z.size("big") == 1

    @pytest.mark.parametrize(
        "members",
        [
            {},
            {b"a": float("nan")},
            {b"a": INF},
            {b"a": -INF},
            {b"a": "1"},
            {b"a": None},
            {b"a": True},
            {"a": 1.0},
            {b"ok": 1.0, 3: 1.0},
            [(b"a", 1.0)],
            None,
        ],
        ids=[
            "empty",
            "nan",
            "inf",
            "-inf",
            "str-score",
            "none-score",
            "bool-score",
            "str-member",
            "int-member",
            "pairs",
            "none",
        ],
    )
    async def test_bad_members_rejected_before_io(self, members: object) -> None:
        z = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await z.add("z", members)  # type: ignore[arg-type]
        assert await z.size("z") == 0

    @pytest.mark.parametrize("amount", [float("nan"), INF, "1", None])
    async def test_bad_increments_rejected(self, amount: object) -> None:
        z = await self._open()
        await z.add("z", {b"a": 1.0})
        with pytest.raises(prism.InvalidArgumentError):
            await z.increment("z", b"a", amount)  # type: ignore[arg-type]
        assert await z.score("z", b"a") == 1.0

    async def test_non_bytes_members_rejected(self) -> None:
        z = await self._open()
        calls: list[AsyncCall[object]] = [
            lambda: z.remove("z", "a"),  # type: ignore[arg-type]
            lambda: z.score("z", "a"),  # type: ignore[arg-type]
            lambda: z.increment("z", "a"),  # type: ignore[arg-type]
            lambda: z.remove("z"),
        ]
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    @pytest.mark.parametrize("key", UNICODE_KEYS)
    async def test_unicode_keys(self, key: str) -> None:
        z = await self._open()
        await z.add(key, {key.encode(): 1.0})
        assert await z.score(key, key.encode()) == 1.0
        assert await z.size(key) == 1

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: object) -> None:
        z = await self._open()
        calls: list[AsyncCall[object]] = [
            lambda: z.add(key, {b"a": 1.0}),  # type: ignore[arg-type]
            lambda: z.remove(key, b"a"),  # type: ignore[arg-type]
            lambda: z.score(key, b"a"),  # type: ignore[arg-type]
            lambda: z.increment(key, b"a"),  # type: ignore[arg-type]
            lambda: z.size(key),  # type: ignore[arg-type]
        ]
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    async def test_namespaces_are_isolated(self) -> None:
        a = await self._open()
        b = await self._open()
        await a.add("z", {b"m": 1.0})
        assert await b.score("z", b"m") is None
        assert await b.size("z") == 0
        await b.add("z", {b"m": 2.0})
        assert await a.score("z", b"m") == 1.0

    async def test_100_concurrent_adds_all_land(self) -> None:
        z = await self._open()
        calls = [partial(z.add, "z", {str(i).encode(): float(i)}) for i in range(100)]
        assert await run_concurrently_async(calls) == [1] * 100
        assert await z.size("z") == 100
        assert await z.score("z", b"42") == 42.0

    async def test_100_concurrent_increments_all_count(self) -> None:
        z = await self._open()
        await run_concurrently_async([partial(z.increment, "z", b"hits") for _ in range(100)])
        assert await z.score("z", b"hits") == 100.0


class AsyncSortedSetRangeSuite(AsyncSuite, interface="sortedset_range"):
    async def _open(self) -> AsyncSortedSetRange:
        """The facet, with ``Z`` stored at "z"."""
        z = await self.facet(AsyncSortedSetRange)
        assert isinstance(z, AsyncSortedSetBasic)
        await z.add("z", Z)
        return z

    async def test_by_rank_ascending_with_scores(self) -> None:
        z = await self._open()
        assert await z.range("z") == Z_ASCENDING
        assert await z.range("z", 1, 2) == [(b"a", 1.0), (b"b", 2.0)]
        assert await z.range("z", 0, 0) == [(b"e", -1.0)]

    async def test_by_rank_negative_and_clipped(self) -> None:
        z = await self._open()
        assert await z.range("z", -2, -1) == [(b"c", 2.0), (b"d", 3.5)]
        assert await z.range("z", 3, 100) == Z_ASCENDING[3:]
        assert await z.range("z", -100, 0) == Z_ASCENDING[:1]
        assert await z.range("z", 4, 2) == []
        assert await z.range("z", 5, 9) == []
        assert await z.range("missing") == []

    async def test_by_rank_descending(self) -> None:
        z = await self._open()
        assert await z.range("z", reverse=True) == Z_ASCENDING[::-1]
        assert await z.range("z", 0, 0, reverse=True) == [(b"d", 3.5)]
        assert await z.range("z", 1, 2, reverse=True) == [(b"c", 2.0), (b"b", 2.0)]
        assert await z.range("z", -1, -1, reverse=True) == [(b"e", -1.0)]

    async def test_every_rank_pair_matches_redis(self) -> None:
        z = await self._open()
        descending = Z_ASCENDING[::-1]
        for start in range(-7, 7):
            for stop in range(-7, 7):
                expected = reference_rank_range(Z_ASCENDING, start, stop)
                assert await z.range("z", start, stop) == expected, (start, stop)
                expected = reference_rank_range(descending, start, stop)
                assert await z.range("z", start, stop, reverse=True) == expected, (start, stop)

    async def test_by_score_inclusive(self) -> None:
        z = await self._open()
        assert await z.range_by_score("z", 1, 2) == [(b"a", 1.0), (b"b", 2.0), (b"c", 2.0)]
        assert await z.range_by_score("z", 2, 2) == [(b"b", 2.0), (b"c", 2.0)]
        assert await z.range_by_score("z") == Z_ASCENDING

    async def test_by_score_exclusive(self) -> None:
        z = await self._open()
        assert await z.range_by_score("z", 1, 2, min_exclusive=True) == [(b"b", 2.0), (b"c", 2.0)]
        assert await z.range_by_score("z", 1, 2, max_exclusive=True) == [(b"a", 1.0)]
        both = await z.range_by_score("z", -1, 3.5, min_exclusive=True, max_exclusive=True)
        assert both == [(b"a", 1.0), (b"b", 2.0), (b"c", 2.0)]
        assert await z.range_by_score("z", 2, 2, min_exclusive=True) == []
        assert await z.range_by_score("z", 1.5, 2.5, min_exclusive=True) == Z_ASCENDING[2:4]

    async def test_by_score_with_infinities(self) -> None:
        z = await self._open()
        assert await z.range_by_score("z", -INF, INF) == Z_ASCENDING
        assert await z.range_by_score("z", -INF, 1) == [(b"e", -1.0), (b"a", 1.0)]
        assert await z.range_by_score("z", 2, INF, min_exclusive=True) == [(b"d", 3.5)]
        all_exclusive = await z.range_by_score(
            "z", -INF, INF, min_exclusive=True, max_exclusive=True
        )
        assert all_exclusive == Z_ASCENDING
        assert await z.range_by_score("z", INF, INF) == []

    async def test_by_score_empty_ranges(self) -> None:
        z = await self._open()
        assert await z.range_by_score("z", 3, 1) == []
        assert await z.range_by_score("z", 10, 20) == []
        assert await z.range_by_score("missing") == []

    async def test_by_score_descending(self) -> None:
        z = await self._open()
        assert await z.range_by_score("z", 1, 2, reverse=True) == [
            (b"c", 2.0),
            (b"b", 2.0),
            (b"a", 1.0),
        ]
        assert await z.range_by_score("z", reverse=True) == Z_ASCENDING[::-1]
        got = await z.range_by_score("z", 1, 3.5, max_exclusive=True, reverse=True)
        assert got == [(b"c", 2.0), (b"b", 2.0), (b"a", 1.0)]

    async def test_by_score_offset_and_limit(self) -> None:
        z = await self._open()
        assert await z.range_by_score("z", offset=1, limit=2) == Z_ASCENDING[1:3]
        assert await z.range_by_score("z", limit=2) == Z_ASCENDING[:2]
        assert await z.range_by_score("z", offset=3) == Z_ASCENDING[3:]
        assert await z.range_by_score("z", limit=0) == []
        assert await z.range_by_score("z", offset=5, limit=3) == []
        assert await z.range_by_score("z", 1, 2, offset=1, limit=1, reverse=True) == [(b"b", 2.0)]

    async def test_ties_in_score_ranges_page_in_member_byte_order(self) -> None:
        # Tied members added one by one in a scrambled order, with case and prefixes that a
        # text collation (case-insensitive, locale) would order differently from bytes.
        z = await self.facet(AsyncSortedSetRange)
        assert isinstance(z, AsyncSortedSetBasic)
        scrambled = TIED[:]
        random.Random(11).shuffle(scrambled)
        for member in scrambled:
            await z.add("t", {member: 5.0})
        await z.add("t", {b"A": 4.0, b"c": 6.0})
        tied = [(m, 5.0) for m in TIED]
        assert await z.range_by_score("t", 5, 5) == tied
        assert await z.range_by_score("t", 5, 5, reverse=True) == tied[::-1]
        pages = [await z.range_by_score("t", 4, 6, offset=i, limit=2) for i in range(0, 9, 2)]
        assert [pair for page in pages for pair in page] == [(b"A", 4.0), *tied, (b"c", 6.0)]
        above = await z.range_by_score("t", 4, 6, min_exclusive=True, max_exclusive=True)
        assert above == tied
        assert await z.range("t", 1, 3) == tied[:3]
        assert await z.range("t", 1, 3, reverse=True) == tied[::-1][:3]

    async def test_by_score_against_a_reference(self) -> None:
        z = await self._open()
        assert isinstance(z, AsyncSortedSetBasic)
        grid = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0]
        bounds = [*grid, -INF, INF, 0.25, -3.0, 3.0]
        rng = random.Random(5150)
        for case in range(PROPERTY_CASES):
            scores = random_zset(rng, [*TIED, b"x", b"y", b"z"], grid)
            key = f"p{case}"
            if scores:
                await z.add(key, scores)
            for _ in range(8):
                low, high = rng.choice(bounds), rng.choice(bounds)
                min_x, max_x, reverse = (rng.random() < 0.5 for _ in range(3))
                offset = rng.choice([0, 0, 1, 3])
                limit = rng.choice([None, None, 0, 1, 4])
                found = [
                    (m, s)
                    for m, s in ordered(scores)
                    if (low < s if min_x else low <= s) and (s < high if max_x else s <= high)
                ]
                if reverse:
                    found.reverse()
                expected = found[offset:] if limit is None else found[offset : offset + limit]
                got = await z.range_by_score(
                    key,
                    low,
                    high,
                    min_exclusive=min_x,
                    max_exclusive=max_x,
                    reverse=reverse,
                    offset=offset,
                    limit=limit,
                )
                assert got == expected, (scores, low, high, min_x, max_x, reverse, offset, limit)

    @pytest.mark.parametrize("bound", [float("nan"), "1", None, b"1"])
    async def test_bad_bounds_rejected(self, bound: object) -> None:
        z = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await z.range_by_score("z", bound, 1)  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await z.range_by_score("z", 1, bound)  # type: ignore[arg-type]

    async def test_bad_offsets_limits_and_ranks_rejected(self) -> None:
        z = await self._open()
        calls: list[AsyncCall[object]] = [
            lambda: z.range_by_score("z", offset=-1),
            lambda: z.range_by_score("z", limit=-1),
            lambda: z.range_by_score("z", offset=1.0),  # type: ignore[arg-type]
            lambda: z.range("z", "0", 1),  # type: ignore[arg-type]
            lambda: z.range("z", 0, 1.5),  # type: ignore[arg-type]
        ]
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: object) -> None:
        z = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await z.range(key)  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await z.range_by_score(key)  # type: ignore[arg-type]

    async def test_binary_members_in_ranges(self) -> None:
        z = await self._open()
        assert isinstance(z, AsyncSortedSetBasic)
        await z.add("bin", dict.fromkeys(TIED, 0.0))
        assert await z.range("bin") == [(m, 0.0) for m in TIED]
        assert await z.range_by_score("bin", 0, 0, reverse=True) == [(m, 0.0) for m in TIED[::-1]]

    async def test_namespaces_are_isolated(self) -> None:
        z = await self._open()
        other = await self.facet(AsyncSortedSetRange)
        assert await other.range("z") == []
        assert await other.range_by_score("z") == []
        assert await z.range("z") == Z_ASCENDING


class AsyncSortedSetRankSuite(AsyncSuite, interface="sortedset_rank"):
    async def _open(self) -> tuple[AsyncSortedSetRank, AsyncSortedSetBasic]:
        """The facet and its sortedset_basic view, with ``Z`` stored at "z"."""
        z = await self.facet(AsyncSortedSetRank)
        assert isinstance(z, AsyncSortedSetBasic)
        await z.add("z", Z)
        return z, z

    async def test_rank_and_reverse_rank(self) -> None:
        z, _ = await self._open()
        for rank, (member, _score) in enumerate(Z_ASCENDING):
            assert await z.rank("z", member) == rank
            assert await z.reverse_rank("z", member) == len(Z) - 1 - rank

    async def test_ties_rank_by_member_bytes(self) -> None:
        z, basic = await self._open()
        await basic.add("tied", dict.fromkeys(TIED[::-1], 3.0))
        for rank, member in enumerate(TIED):
            assert await z.rank("tied", member) == rank
            assert await z.reverse_rank("tied", member) == len(TIED) - 1 - rank

    async def test_missing_member_or_key_is_none(self) -> None:
        z, _ = await self._open()
        assert await z.rank("z", b"nope") is None
        assert await z.reverse_rank("z", b"nope") is None
        assert await z.rank("missing", b"a") is None
        assert await z.reverse_rank("missing", b"a") is None

    async def test_ranks_follow_score_updates_and_removals(self) -> None:
        z, basic = await self._open()
        await basic.add("z", {b"e": 10.0})
        assert await z.rank("z", b"e") == 4
        assert await z.reverse_rank("z", b"e") == 0
        await basic.increment("z", b"a", 5.0)  # a: 6.0
        assert await z.rank("z", b"a") == 3
        await basic.remove("z", b"b")
        assert await z.rank("z", b"c") == 0
        assert await z.rank("z", b"b") is None

    async def test_ranks_against_a_reference(self) -> None:
        z, basic = await self._open()
        rng = random.Random(1234)
        for case in range(PROPERTY_CASES):
            scores = random_zset(rng, [*TIED, b"x", b"y"], [-1.0, 0.0, 0.5, 2.0])
            if not scores:
                continue
            key = f"p{case}"
            await basic.add(key, scores)
            expected = [m for m, _ in ordered(scores)]
            for member in scores:
                rank = expected.index(member)
                assert await z.rank(key, member) == rank, (scores, member)
                assert await z.reverse_rank(key, member) == len(expected) - 1 - rank

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: object) -> None:
        z, _ = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await z.rank(key, b"a")  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await z.reverse_rank(key, b"a")  # type: ignore[arg-type]

    async def test_non_bytes_member_rejected(self) -> None:
        z, _ = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await z.rank("z", "a")  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await z.reverse_rank("z", None)  # type: ignore[arg-type]

    async def test_namespaces_are_isolated(self) -> None:
        z, _ = await self._open()
        other = await self.facet(AsyncSortedSetRank)
        assert await other.rank("z", b"a") is None
        assert await other.reverse_rank("z", b"a") is None
        assert await z.rank("z", b"a") == 1


class AsyncSortedSetOperationsSuite(AsyncSuite, interface="sortedset_operations"):
    async def _open(
        self, *, seed: bool = True
    ) -> tuple[AsyncSortedSetOperations, AsyncSortedSetBasic]:
        """The facet and its sortedset_basic view; ``seed`` stores z1, z2, z3 below."""
        z = await self.facet(AsyncSortedSetOperations)
        assert isinstance(z, AsyncSortedSetBasic)
        if seed:
            await z.add("z1", {b"a": 1.0, b"b": 2.0, b"c": 3.0})
            await z.add("z2", {b"b": 10.0, b"c": 20.0, b"d": 30.0})
            await z.add("z3", {b"c": 100.0, b"e": 5.0})
        return z, z

    async def _contents(self, basic: AsyncSortedSetBasic, key: str) -> dict[bytes, float]:
        found: dict[bytes, float] = {}
        for member in (b"a", b"b", b"c", b"d", b"e"):
            score = await basic.score(key, member)
            if score is not None:
                found[member] = score
        assert await basic.size(key) == len(found)
        return found

    async def test_union_sums_by_default(self) -> None:
        z, _ = await self._open()
        assert await z.union(["z1", "z2", "z3"]) == [
            (b"a", 1.0),
            (b"e", 5.0),
            (b"b", 12.0),
            (b"d", 30.0),
            (b"c", 123.0),
        ]

    async def test_union_with_weights(self) -> None:
        z, _ = await self._open()
        assert await z.union(["z1", "z2", "z3"], weights=[1, 2, 0.5]) == [
            (b"a", 1.0),
            (b"e", 2.5),
            (b"b", 22.0),
            (b"d", 60.0),
            (b"c", 93.0),
        ]
        assert await z.union(["z1"], weights=[-2]) == [(b"c", -6.0), (b"b", -4.0), (b"a", -2.0)]

    async def test_union_min_and_max(self) -> None:
        z, _ = await self._open()
        assert await z.union(["z1", "z2", "z3"], aggregate="min") == [
            (b"a", 1.0),
            (b"b", 2.0),
            (b"c", 3.0),
            (b"e", 5.0),
            (b"d", 30.0),
        ]
        assert await z.union(["z1", "z2", "z3"], aggregate="max") == [
            (b"a", 1.0),
            (b"e", 5.0),
            (b"b", 10.0),
            (b"d", 30.0),
            (b"c", 100.0),
        ]
        assert await z.union(["z1", "z2"], weights=[10, 1], aggregate="max") == [
            (b"a", 10.0),
            (b"b", 20.0),
            (b"c", 30.0),
            (b"d", 30.0),
        ]

    async def test_intersection(self) -> None:
        z, _ = await self._open()
        assert await z.intersection(["z1", "z2"]) == [(b"b", 12.0), (b"c", 23.0)]
        assert await z.intersection(["z1", "z2", "z3"]) == [(b"c", 123.0)]
        assert await z.intersection(["z1", "z2"], weights=[2, -1]) == [(b"c", -14.0), (b"b", -6.0)]
        assert await z.intersection(["z1", "z2"], aggregate="min") == [(b"b", 2.0), (b"c", 3.0)]
        assert await z.intersection(["z1", "z2"], aggregate="max") == [(b"b", 10.0), (b"c", 20.0)]

    async def test_missing_keys_are_empty(self) -> None:
        z, _ = await self._open()
        assert await z.union(["z1", "missing"]) == [(b"a", 1.0), (b"b", 2.0), (b"c", 3.0)]
        assert await z.intersection(["z1", "missing"]) == []
        assert await z.union(["missing"]) == []

    async def test_a_key_repeated_counts_twice(self) -> None:
        z, _ = await self._open()
        assert await z.union(["z3", "z3"]) == [(b"e", 10.0), (b"c", 200.0)]
        assert await z.intersection(["z3", "z3"], aggregate="min") == [(b"e", 5.0), (b"c", 100.0)]

    async def test_ties_in_results_order_by_member(self) -> None:
        z, basic = await self._open(seed=False)
        await basic.add("x", {b"b": 1.0, b"\x00": 2.0})
        await basic.add("y", {b"a": 1.0, b"": 2.0})
        assert await z.union(["x", "y"]) == [(b"a", 1.0), (b"b", 1.0), (b"", 2.0), (b"\x00", 2.0)]

    async def test_overflow_follows_redis(self) -> None:
        z, basic = await self._open(seed=False)
        await basic.add("x", {b"m": 1e308})
        await basic.add("y", {b"m": -1e308})
        assert await z.union(["x"], weights=[10]) == [(b"m", INF)]
        assert await z.union(["x", "y"], weights=[10, 10]) == [(b"m", 0.0)]  # inf + -inf: 0

    async def test_union_store(self) -> None:
        z, basic = await self._open()
        assert await z.union_store("dest", ["z1", "z3"], weights=[2, 1]) == 4
        assert await self._contents(basic, "dest") == {b"a": 2.0, b"b": 4.0, b"c": 106.0, b"e": 5.0}

    async def test_intersection_store(self) -> None:
        z, basic = await self._open()
        assert await z.intersection_store("dest", ["z1", "z2"], aggregate="max") == 2
        assert await self._contents(basic, "dest") == {b"b": 10.0, b"c": 20.0}

    async def test_store_replaces_the_destination(self) -> None:
        z, basic = await self._open()
        await basic.add("dest", {b"a": 99.0, b"d": 1.0})
        assert await z.union_store("dest", ["z3"]) == 2
        assert await self._contents(basic, "dest") == {b"c": 100.0, b"e": 5.0}

    async def test_empty_result_leaves_no_destination(self) -> None:
        z, basic = await self._open()
        await basic.add("dest", {b"a": 1.0})
        assert await z.intersection_store("dest", ["z1", "z3", "missing"]) == 0
        assert await basic.size("dest") == 0
        assert await z.union_store("dest", ["missing"]) == 0
        assert await basic.size("dest") == 0

    async def test_destination_may_be_a_source(self) -> None:
        z, basic = await self._open()
        assert await z.union_store("z1", ["z1", "z3"]) == 4
        assert await self._contents(basic, "z1") == {b"a": 1.0, b"b": 2.0, b"c": 103.0, b"e": 5.0}
        assert await z.intersection_store("z2", ["z2", "z3"], weights=[1, 0]) == 1
        assert await self._contents(basic, "z2") == {b"c": 20.0}

    async def test_against_a_python_reference(self) -> None:
        z, basic = await self._open(seed=False)
        universe = [b"", b"\x00", b"a", b"b", b"c", b"d", b"e", b"\xff"]
        grid = [x / 2 for x in range(-10, 11)]
        aggregates: list[Aggregate] = ["sum", "min", "max"]
        rng = random.Random(8128)
        for case in range(PROPERTY_CASES):
            zsets = [random_zset(rng, universe, grid) for _ in range(3)]
            keys = [f"p{case}:{i}" for i in range(3)]
            for key, scores in zip(keys, zsets, strict=True):
                if scores:
                    await basic.add(key, scores)
            use_weights = rng.random() < 0.7
            weights = [rng.choice([-2, -1, 0, 0.5, 1, 2, 3]) for _ in keys]
            aggregate = rng.choice(aggregates)
            given = weights if use_weights else None
            applied = weights if use_weights else [1, 1, 1]
            where = (zsets, given, aggregate)
            union = reference_combine(zsets, applied, aggregate, intersect=False)
            inter = reference_combine(zsets, applied, aggregate, intersect=True)
            assert await z.union(keys, weights=given, aggregate=aggregate) == union, where
            assert await z.intersection(keys, weights=given, aggregate=aggregate) == inter, where
            stored = await z.union_store(f"p{case}:u", keys, weights=given, aggregate=aggregate)
            assert stored == len(union), where
            for member, score in union:
                assert await basic.score(f"p{case}:u", member) == score, where
            stored = await z.intersection_store(
                f"p{case}:i", keys, weights=given, aggregate=aggregate
            )
            assert stored == len(inter), where
            assert await basic.size(f"p{case}:i") == len(inter), where
            for member, score in inter:
                assert await basic.score(f"p{case}:i", member) == score, where

    async def test_weights_must_match_the_keys(self) -> None:
        z, basic = await self._open()
        calls: list[AsyncCall[object]] = [
            lambda: z.union(["z1", "z2"], weights=[1]),
            lambda: z.intersection(["z1"], weights=[1, 2]),
            lambda: z.union_store("dest", ["z1", "z2"], weights=[1, 2, 3]),
            lambda: z.intersection_store("dest", ["z1", "z2"], weights=[]),
        ]
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()
        assert await basic.size("dest") == 0

    async def test_no_keys_rejected(self) -> None:
        z, _ = await self._open()
        calls: list[AsyncCall[object]] = [
            lambda: z.union([]),
            lambda: z.intersection([]),
            lambda: z.union_store("dest", []),
            lambda: z.intersection_store("dest", []),
        ]
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    @pytest.mark.parametrize(
        ("weights", "aggregate"),
        [
            ([float("nan")], "sum"),
            ([INF], "sum"),
            (["1"], "sum"),
            ("1", "sum"),
            (1, "sum"),
            (None, "avg"),
            (None, "SUM"),
            (None, None),
        ],
    )
    async def test_bad_weights_and_aggregates_rejected(self, weights: Any, aggregate: Any) -> None:
        z, _ = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await z.union(["z1"], weights=weights, aggregate=aggregate)
        with pytest.raises(prism.InvalidArgumentError):
            await z.intersection_store("dest", ["z1"], weights=weights, aggregate=aggregate)

    @pytest.mark.parametrize("key", [*BAD_KEYS[:4], "z1"])
    async def test_bad_keys_rejected_before_io(self, key: object) -> None:
        z, basic = await self._open()
        keys = key if key == "z1" else ["z1", key]  # a bare str is not a sequence of keys
        calls: list[AsyncCall[object]] = [
            lambda: z.union(keys),  # type: ignore[arg-type]
            lambda: z.intersection(keys),  # type: ignore[arg-type]
            lambda: z.union_store("dest", keys),  # type: ignore[arg-type]
            lambda: z.intersection_store("dest", keys),  # type: ignore[arg-type]
        ]
        if key != "z1":
            calls.append(lambda: z.union_store(key, ["z1"]))  # type: ignore[arg-type]
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()
        assert await basic.size("dest") == 0

    async def test_operations_never_cross_namespaces(self) -> None:
        z, _ = await self._open()
        other, other_basic = await self._open(seed=False)
        await other_basic.add("z1", {b"x": 1.0})
        assert await other.union(["z1", "z2"]) == [(b"x", 1.0)]
        assert await z.union(["z1"]) == [(b"a", 1.0), (b"b", 2.0), (b"c", 3.0)]
        assert await z.union_store("dest", ["z1"]) == 3
        assert await other_basic.size("dest") == 0

    async def test_concurrent_stores_see_whole_states(self) -> None:
        z, basic = await self._open(seed=False)
        calls: list[AsyncCall[object]] = [partial(basic.increment, "src", b"m") for _ in range(50)]
        calls += [partial(z.union_store, "dest", ["src"], weights=[2]) for _ in range(50)]
        await run_concurrently_async(calls)
        snapshot = await basic.score("dest", b"m")
        assert snapshot is not None
        assert snapshot in {2.0 * i for i in range(1, 51)}
        assert await z.union_store("dest", ["src"], weights=[2]) == 1
        assert await basic.score("dest", b"m") == 100.0


class AsyncSortedSetLexSuite(AsyncSuite, interface="sortedset_lex"):
    async def _open(self) -> AsyncSortedSetLex:
        """The facet, with every member of ``TIED`` at score 0 in "z"."""
        z = await self.facet(AsyncSortedSetLex)
        assert isinstance(z, AsyncSortedSetBasic)
        await z.add("z", dict.fromkeys(TIED, 0.0))
        return z

    async def test_unbounded_is_everything_in_byte_order(self) -> None:
        z = await self._open()
        assert await z.range_by_lex("z") == TIED

    async def test_inclusive_bounds(self) -> None:
        z = await self._open()
        assert await z.range_by_lex("z", b"a", b"b") == [b"a", b"ab", b"b"]
        assert await z.range_by_lex("z", b"", b"\x00") == [b"", b"\x00"]

    async def test_exclusive_bounds(self) -> None:
        z = await self._open()
        assert await z.range_by_lex("z", b"a", b"b", min_exclusive=True) == [b"ab", b"b"]
        assert await z.range_by_lex("z", b"a", b"b", max_exclusive=True) == [b"a", b"ab"]
        both = await z.range_by_lex("z", b"a", b"b", min_exclusive=True, max_exclusive=True)
        assert both == [b"ab"]
        assert await z.range_by_lex("z", b"a", b"a", min_exclusive=True) == []

    async def test_bounds_need_not_be_members(self) -> None:
        z = await self._open()
        assert await z.range_by_lex("z", b"aa", b"az") == [b"ab"]
        assert await z.range_by_lex("z", b"A", b"Z", min_exclusive=True) == [b"B"]

    async def test_open_ends(self) -> None:
        z = await self._open()
        assert await z.range_by_lex("z", min=b"b") == [b"b", b"\xff"]
        assert await z.range_by_lex("z", max=b"B") == [b"", b"\x00", b"B"]
        assert await z.range_by_lex("z", max=b"B", max_exclusive=True) == [b"", b"\x00"]
        assert await z.range_by_lex("z", min=b"", min_exclusive=True) == TIED[1:]

    async def test_empty_ranges(self) -> None:
        z = await self._open()
        assert await z.range_by_lex("z", b"b", b"a") == []
        assert await z.range_by_lex("z", b"c", b"d") == []
        assert await z.range_by_lex("missing") == []

    async def test_offset_and_limit(self) -> None:
        z = await self._open()
        assert await z.range_by_lex("z", offset=2, limit=3) == TIED[2:5]
        assert await z.range_by_lex("z", b"a", offset=1) == [b"ab", b"b", b"\xff"]
        assert await z.range_by_lex("z", limit=0) == []
        assert await z.range_by_lex("z", offset=10) == []

    async def test_every_bound_pair_against_a_reference(self) -> None:
        z = await self._open()
        bounds: list[bytes | None] = [None, *TIED, b"\x00\x00", b"aa", b"c"]
        for low in bounds:
            for high in bounds:
                for min_x in (False, True):
                    for max_x in (False, True):
                        expected = [
                            m
                            for m in TIED
                            if (low is None or (low < m if min_x else low <= m))
                            and (high is None or (m < high if max_x else m <= high))
                        ]
                        got = await z.range_by_lex(
                            "z", low, high, min_exclusive=min_x, max_exclusive=max_x
                        )
                        assert got == expected, (low, high, min_x, max_x)

    @pytest.mark.parametrize("bound", ["a", 1, bytearray(b"a")])
    async def test_non_bytes_bounds_rejected(self, bound: object) -> None:
        z = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await z.range_by_lex("z", bound)  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await z.range_by_lex("z", None, bound)  # type: ignore[arg-type]

    async def test_bad_offset_and_limit_rejected(self) -> None:
        z = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await z.range_by_lex("z", offset=-1)
        with pytest.raises(prism.InvalidArgumentError):
            await z.range_by_lex("z", limit=-2)

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: object) -> None:
        z = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await z.range_by_lex(key)  # type: ignore[arg-type]

    async def test_namespaces_are_isolated(self) -> None:
        z = await self._open()
        other = await self.facet(AsyncSortedSetLex)
        assert await other.range_by_lex("z") == []
        assert await z.range_by_lex("z", max=b"") == [b""]
