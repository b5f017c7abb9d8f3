"""Compliance suites for the set interfaces (Redis set semantics)."""

from __future__ import annotations

import random
from functools import partial

import pytest

import prism
from prism._compat import AsyncCall
from prism.interfaces._async.set import (
    AsyncSetBasic,
    AsyncSetCardinality,
    AsyncSetOperations,
    AsyncSetRandom,
)
from prism.testing._async.suite import AsyncSuite
from prism.testing._concurrency import run_concurrently_async
from prism.testing.suites._async.keyvalue import BAD_KEYS, BINARY_VALUES, UNICODE_KEYS

ODD_MEMBERS = {b"", b"\x00", b"\x00\x00", b"\xff\xfe\xc3\x28", "é".encode()}
"""Distinct binary members: empty, NUL bytes, invalid UTF-8, non-ASCII."""

PROPERTY_CASES = 25
"""Randomised cases per property test (seeded, so a failure reproduces)."""


def random_sets(rng: random.Random, count: int) -> list[set[bytes]]:
    """``count`` sets drawn from a small universe so that they overlap often; some empty."""
    universe = [bytes([i]) for i in range(10)] + [b"", b"\x00\xff"]
    return [set(rng.sample(universe, rng.choice([0, 1, 3, 5, 8, 12]))) for _ in range(count)]


class AsyncSetBasicSuite(AsyncSuite, interface="set_basic"):
    async def _open(self) -> AsyncSetBasic:
        return await self.facet(AsyncSetBasic)

    async def test_add_returns_the_number_new(self) -> None:
        s = await self._open()
        assert await s.add("k", b"a", b"b", b"c") == 3
        assert await s.add("k", b"b", b"c", b"d") == 1
        assert await s.add("k", b"a") == 0

    async def test_duplicates_in_one_call_count_once(self) -> None:
        s = await self._open()
        assert await s.add("k", b"a", b"a", b"b") == 2
        assert await s.members("k") == {b"a", b"b"}
        assert await s.remove("k", b"a", b"a") == 1

    async def test_remove_returns_the_number_removed(self) -> None:
        s = await self._open()
        await s.add("k", b"a", b"b", b"c")
        assert await s.remove("k", b"a", b"z") == 1
        assert await s.remove("k", b"a") == 0
        assert await s.members("k") == {b"b", b"c"}
        assert await s.remove("missing", b"a") == 0

    async def test_contains(self) -> None:
        s = await self._open()
        await s.add("k", b"a")
        assert await s.contains("k", b"a") is True
        assert await s.contains("k", b"b") is False
        assert await s.contains("missing", b"a") is False

    async def test_members_are_exact(self) -> None:
        s = await self._open()
        members = {f"m{i}".encode() for i in range(50)}
        await s.add("k", *members)
        await s.add("other", b"m0", b"x")
        assert await s.members("k") == members
        assert await s.members("missing") == set()

    async def test_removing_every_member_empties_the_set(self) -> None:
        s = await self._open()
        await s.add("k", b"a", b"b")
        assert await s.remove("k", b"a", b"b") == 2
        assert await s.members("k") == set()
        assert await s.contains("k", b"a") is False
        assert await s.add("k", b"a") == 1

    async def test_binary_members_round_trip(self) -> None:
        s = await self._open()
        assert await s.add("bin", *ODD_MEMBERS) == len(ODD_MEMBERS)
        assert await s.members("bin") == ODD_MEMBERS
        for member in ODD_MEMBERS:
            assert await s.contains("bin", member)
        assert await s.contains("bin", b"\x00\x00\x00") is False

    @pytest.mark.parametrize("member", BINARY_VALUES)
    async def test_binary_member_alone(self, member: bytes) -> None:
        s = await self._open()
        assert await s.add("bin", member) == 1
        assert await s.members("bin") == {member}
        assert await s.remove("bin", member) == 1

    async def test_member_at_the_declared_limit(self) -> None:
        limit = self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        s = await self._open()
        big = b"\x01" * limit
        assert await s.add("big", big) == 1
        with pytest.raises(prism.ValueTooLargeError):
            await s.add("big", b"small", b"\x01" * (limit + 1))
        assert await s.contains("big", big)
        assert await s.contains("big", b"small") is False

    @pytest.mark.parametrize("member", ["text", 1, None, bytearray(b"x")])
    async def test_non_bytes_members_rejected_before_io(self, member: object) -> None:
        s = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await s.add("k", b"fine", member)  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await s.contains("k", member)  # type: ignore[arg-type]
        assert await s.members("k") == set()

    async def test_add_or_remove_without_members_rejected(self) -> None:
        s = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await s.add("k")
        with pytest.raises(prism.InvalidArgumentError):
            await s.remove("k")

    @pytest.mark.parametrize("key", UNICODE_KEYS)
    async def test_unicode_keys(self, key: str) -> None:
        s = await self._open()
        await s.add(key, key.encode())
        assert await s.members(key) == {key.encode()}

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: object) -> None:
        s = await self._open()
        calls: list[AsyncCall[object]] = [
            lambda: s.add(key, b"v"),  # type: ignore[arg-type]
            lambda: s.remove(key, b"v"),  # type: ignore[arg-type]
            lambda: s.contains(key, b"v"),  # type: ignore[arg-type]
            lambda: s.members(key),  # type: ignore[arg-type]
        ]
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    async def test_namespaces_are_isolated(self) -> None:
        a = await self._open()
        b = await self._open()
        await a.add("shared", b"from-a")
        assert await b.members("shared") == set()
        await b.add("shared", b"from-b")
        assert await a.members("shared") == {b"from-a"}
        assert await b.remove("shared", b"from-a") == 0

    async def test_100_concurrent_adds_all_land(self) -> None:
        s = await self._open()
        members = [str(i).encode() for i in range(100)]
        added = await run_concurrently_async([partial(s.add, "k", m) for m in members])
        assert added == [1] * 100
        assert await s.members("k") == set(members)

    async def test_concurrent_adds_of_one_member_count_it_once(self) -> None:
        s = await self._open()
        added = await run_concurrently_async([partial(s.add, "k", b"same") for _ in range(50)])
        assert sorted(added) == [0] * 49 + [1]
        removed = await run_concurrently_async([partial(s.remove, "k", b"same") for _ in range(50)])
        assert sorted(removed) == [0] * 49 + [1]
        assert await s.members("k") == set()


class AsyncSetOperationsSuite(AsyncSuite, interface="set_operations"):
    async def _open(self, *, seed: bool = True) -> tuple[AsyncSetOperations, AsyncSetBasic]:
        """The facet and its set_basic view; ``seed`` adds a = {1,2,3,4}, b = {3,4,5}, c = {4,6}."""
        s = await self.facet(AsyncSetOperations)
        assert isinstance(s, AsyncSetBasic)
        if seed:
            await s.add("a", b"1", b"2", b"3", b"4")
            await s.add("b", b"3", b"4", b"5")
            await s.add("c", b"4", b"6")
        return s, s

    async def test_union(self) -> None:
        s, _ = await self._open()
        assert await s.union("a", "b", "c") == {b"1", b"2", b"3", b"4", b"5", b"6"}
        assert await s.union("b", "c") == {b"3", b"4", b"5", b"6"}

    async def test_intersection(self) -> None:
        s, _ = await self._open()
        assert await s.intersection("a", "b", "c") == {b"4"}
        assert await s.intersection("a", "b") == {b"3", b"4"}

    async def test_difference_is_the_first_minus_the_others(self) -> None:
        s, _ = await self._open()
        assert await s.difference("a", "b", "c") == {b"1", b"2"}
        assert await s.difference("a", "c") == {b"1", b"2", b"3"}
        assert await s.difference("b", "a") == {b"5"}
        assert await s.difference("c", "a", "b") == {b"6"}

    async def test_one_key(self) -> None:
        s, _ = await self._open()
        for op in (s.union, s.intersection, s.difference):
            assert await op("b") == {b"3", b"4", b"5"}

    async def test_a_key_repeated(self) -> None:
        s, _ = await self._open()
        assert await s.union("b", "b") == {b"3", b"4", b"5"}
        assert await s.intersection("b", "b") == {b"3", b"4", b"5"}
        assert await s.difference("b", "b") == set()

    async def test_a_missing_key_is_the_empty_set(self) -> None:
        s, _ = await self._open()
        assert await s.union("a", "missing") == {b"1", b"2", b"3", b"4"}
        assert await s.intersection("a", "missing") == set()
        assert await s.difference("a", "missing") == {b"1", b"2", b"3", b"4"}
        assert await s.difference("missing", "a") == set()
        assert await s.union("missing", "nothing") == set()

    async def test_results_are_copies(self) -> None:
        s, basic = await self._open()
        result = await s.union("a")
        result.add(b"changed")
        assert await basic.members("a") == {b"1", b"2", b"3", b"4"}

    async def test_union_store(self) -> None:
        s, basic = await self._open()
        assert await s.union_store("dest", "b", "c") == 4
        assert await basic.members("dest") == {b"3", b"4", b"5", b"6"}
        assert await basic.members("b") == {b"3", b"4", b"5"}

    async def test_intersection_store(self) -> None:
        s, basic = await self._open()
        assert await s.intersection_store("dest", "a", "b") == 2
        assert await basic.members("dest") == {b"3", b"4"}

    async def test_difference_store(self) -> None:
        s, basic = await self._open()
        assert await s.difference_store("dest", "a", "b", "c") == 2
        assert await basic.members("dest") == {b"1", b"2"}

    async def test_store_replaces_the_destination(self) -> None:
        s, basic = await self._open()
        await basic.add("dest", b"old", b"3")
        assert await s.union_store("dest", "c") == 2
        assert await basic.members("dest") == {b"4", b"6"}

    async def test_empty_result_leaves_no_destination(self) -> None:
        s, basic = await self._open()
        await basic.add("dest", b"old")
        assert await s.intersection_store("dest", "b", "missing") == 0
        assert await basic.members("dest") == set()
        assert await s.difference_store("dest", "b", "a") == 1
        assert await s.difference_store("dest", "c", "a") == 1
        assert await s.difference_store("dest", "missing", "a") == 0
        assert await basic.members("dest") == set()

    async def test_destination_may_be_a_source(self) -> None:
        s, basic = await self._open()
        assert await s.union_store("a", "a", "c") == 5
        assert await basic.members("a") == {b"1", b"2", b"3", b"4", b"6"}
        assert await s.difference_store("b", "b", "a") == 1
        assert await basic.members("b") == {b"5"}
        assert await s.intersection_store("c", "c", "a") == 2
        assert await basic.members("c") == {b"4", b"6"}

    async def test_against_python_sets(self) -> None:
        s, basic = await self._open(seed=False)
        rng = random.Random(20240611)
        for case in range(PROPERTY_CASES):
            sets = random_sets(rng, 3)
            keys = [f"p{case}:{i}" for i in range(3)]
            for key, members in zip(keys, sets, strict=True):
                if members:
                    await basic.add(key, *members)
            if rng.random() < 0.2:  # sometimes one key is missing altogether
                keys[rng.randrange(3)] = f"p{case}:missing"
                sets = [await basic.members(k) for k in keys]
            a, b, c = sets
            where = (case, sets)
            assert await s.union(*keys) == a | b | c, where
            assert await s.intersection(*keys) == a & b & c, where
            assert await s.difference(*keys) == a - b - c, where
            assert await s.difference(keys[1], keys[2], keys[0]) == b - c - a, where
            assert await s.union_store(f"p{case}:u", *keys) == len(a | b | c), where
            assert await basic.members(f"p{case}:u") == a | b | c, where
            assert await s.intersection_store(f"p{case}:i", *keys) == len(a & b & c), where
            assert await basic.members(f"p{case}:i") == a & b & c, where
            assert await s.difference_store(f"p{case}:d", *keys) == len(a - b - c), where
            assert await basic.members(f"p{case}:d") == a - b - c, where

    async def test_binary_members(self) -> None:
        s, basic = await self._open()
        await basic.add("x", *ODD_MEMBERS)
        await basic.add("y", b"", b"\x00")
        assert await s.intersection("x", "y") == {b"", b"\x00"}
        assert await s.difference("x", "y") == ODD_MEMBERS - {b"", b"\x00"}
        assert await s.union("x", "y") == ODD_MEMBERS

    async def test_operations_never_cross_namespaces(self) -> None:
        s, _ = await self._open()
        other, other_basic = await self._open(seed=False)
        await other_basic.add("a", b"only-in-other")
        assert await s.union("a") == {b"1", b"2", b"3", b"4"}
        assert await other.union("a", "b") == {b"only-in-other"}
        assert await other.intersection("a", "c") == set()
        assert await s.union_store("dest", "c") == 2
        assert await other_basic.members("dest") == set()

    async def test_no_keys_rejected(self) -> None:
        s, _ = await self._open()
        calls: list[AsyncCall[object]] = [
            s.union,
            s.intersection,
            s.difference,
            lambda: s.union_store("d"),
            lambda: s.intersection_store("d"),
            lambda: s.difference_store("d"),
        ]
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: object) -> None:
        s, basic = await self._open()
        calls: list[AsyncCall[object]] = [
            lambda: s.union("a", key),  # type: ignore[arg-type]
            lambda: s.intersection(key),  # type: ignore[arg-type]
            lambda: s.difference("a", key),  # type: ignore[arg-type]
            lambda: s.union_store(key, "a"),  # type: ignore[arg-type]
            lambda: s.intersection_store("d", "a", key),  # type: ignore[arg-type]
            lambda: s.difference_store(key, "a"),  # type: ignore[arg-type]
        ]
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()
        assert await basic.members("d") == set()

    async def test_concurrent_stores_and_adds_stay_exact(self) -> None:
        s, basic = await self._open()
        members = [f"n{i}".encode() for i in range(50)]
        await run_concurrently_async(
            [partial(basic.add, "grow", m) for m in members]
            + [partial(s.union_store, "snap", "grow") for _ in range(50)]
        )
        snapshot = await basic.members("snap")
        assert snapshot <= set(members)
        assert await s.union_store("snap", "grow") == 50
        assert await basic.members("snap") == set(members)


class AsyncSetCardinalitySuite(AsyncSuite, interface="set_cardinality"):
    async def _open(self) -> tuple[AsyncSetCardinality, AsyncSetBasic]:
        s = await self.facet(AsyncSetCardinality)
        assert isinstance(s, AsyncSetBasic)
        return s, s

    async def test_size_is_exact_after_adds_and_removes(self) -> None:
        s, basic = await self._open()
        assert await s.size("k") == 0
        await basic.add("k", b"a", b"b", b"c")
        assert await s.size("k") == 3
        await basic.add("k", b"c", b"d")
        assert await s.size("k") == 4
        await basic.remove("k", b"a", b"zz")
        assert await s.size("k") == 3
        await basic.remove("k", b"b", b"c", b"d")
        assert await s.size("k") == 0

    async def test_size_of_a_large_set(self) -> None:
        s, basic = await self._open()
        await basic.add("k", *(str(i).encode() for i in range(5000)))
        assert await s.size("k") == 5000
        await basic.add("k", *(str(i).encode() for i in range(4000, 6000)))
        assert await s.size("k") == 6000

    async def test_is_member(self) -> None:
        s, basic = await self._open()
        await basic.add("k", b"a", b"")
        assert await s.is_member("k", b"a") is True
        assert await s.is_member("k", b"") is True
        assert await s.is_member("k", b"b") is False
        assert await s.is_member("missing", b"a") is False
        await basic.remove("k", b"a")
        assert await s.is_member("k", b"a") is False

    async def test_binary_members_count_as_distinct(self) -> None:
        s, basic = await self._open()
        await basic.add("k", *ODD_MEMBERS)
        assert await s.size("k") == len(ODD_MEMBERS)
        for member in ODD_MEMBERS:
            assert await s.is_member("k", member)

    @pytest.mark.parametrize("key", UNICODE_KEYS)
    async def test_unicode_keys(self, key: str) -> None:
        s, basic = await self._open()
        await basic.add(key, b"x", b"y")
        assert await s.size(key) == 2
        assert await s.is_member(key, b"x")

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: object) -> None:
        s, _ = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await s.size(key)  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await s.is_member(key, b"x")  # type: ignore[arg-type]

    async def test_non_bytes_member_rejected(self) -> None:
        s, _ = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await s.is_member("k", "x")  # type: ignore[arg-type]

    async def test_namespaces_are_isolated(self) -> None:
        a, a_basic = await self._open()
        b, _ = await self._open()
        await a_basic.add("k", b"x")
        assert await b.size("k") == 0
        assert await b.is_member("k", b"x") is False
        assert await a.size("k") == 1

    async def test_concurrent_overlapping_adds_give_an_exact_size(self) -> None:
        s, basic = await self._open()
        await run_concurrently_async(
            [partial(basic.add, "k", str(i % 50).encode()) for i in range(100)]
        )
        assert await s.size("k") == 50


class AsyncSetRandomSuite(AsyncSuite, interface="set_random"):
    async def _open(self, *members: bytes) -> tuple[AsyncSetRandom, AsyncSetBasic]:
        """The facet and its set_basic view, with ``members`` added to set "k"."""
        s = await self.facet(AsyncSetRandom)
        assert isinstance(s, AsyncSetBasic)
        if members:
            await s.add("k", *members)
        return s, s

    async def test_a_random_member_is_a_member_and_stays(self) -> None:
        members = {b"a", b"b", b"c"}
        s, basic = await self._open(*members)
        picked = await s.random_members("k")
        assert len(picked) == 1
        assert picked[0] in members
        assert await basic.members("k") == members

    async def test_random_members_are_distinct_members(self) -> None:
        members = {str(i).encode() for i in range(10)}
        s, basic = await self._open(*members)
        for count in (1, 3, 9, 10):
            picked = await s.random_members("k", count)
            assert len(picked) == count
            assert len(set(picked)) == count
            assert set(picked) <= members
        assert await basic.members("k") == members

    async def test_count_larger_than_the_set_returns_the_whole_set(self) -> None:
        members = {b"a", b"b", b"", b"\x00"}
        s, basic = await self._open(*members)
        picked = await s.random_members("k", 100)
        assert len(picked) == 4
        assert set(picked) == members
        assert await basic.members("k") == members

    async def test_missing_set_gives_nothing(self) -> None:
        s, _ = await self._open()
        assert await s.random_members("missing") == []
        assert await s.random_members("missing", 5) == []
        assert await s.pop_random("missing") == []
        assert await s.pop_random("missing", 5) == []

    async def test_pop_removes_what_it_returns(self) -> None:
        members = {str(i).encode() for i in range(5)}
        s, basic = await self._open(*members)
        popped = await s.pop_random("k", 2)
        assert len(popped) == 2
        assert len(set(popped)) == 2
        assert set(popped) <= members
        remaining = await basic.members("k")
        assert remaining == members - set(popped)
        (one,) = await s.pop_random("k")
        assert one in remaining
        assert await basic.members("k") == remaining - {one}

    async def test_pop_more_than_the_set_takes_the_whole_set(self) -> None:
        members = {b"a", b"b", b"c"}
        s, basic = await self._open(*members)
        popped = await s.pop_random("k", 10)
        assert len(popped) == 3
        assert set(popped) == members
        assert await basic.members("k") == set()
        assert await s.pop_random("k") == []

    async def test_random_members_are_not_constant(self) -> None:
        members = {str(i).encode() for i in range(10)}
        s, _ = await self._open(*members)
        seen: set[bytes] = set()
        for _ in range(200):
            seen.update(await s.random_members("k"))
        assert seen <= members
        assert len(seen) >= 5  # 200 fair draws of 10: fewer is below 1e-70

    async def test_pops_are_not_constant(self) -> None:
        members = [str(i).encode() for i in range(10)]
        s, basic = await self._open()
        seen: set[bytes] = set()
        for i in range(50):
            await basic.add(f"k{i}", *members)
            seen.update(await s.pop_random(f"k{i}"))
        assert len(seen) >= 3  # 50 fair pops of 10: fewer is below 1e-30

    async def test_binary_members(self) -> None:
        s, basic = await self._open(*ODD_MEMBERS)
        assert set(await s.random_members("k", 10)) == ODD_MEMBERS
        assert set(await s.pop_random("k", 10)) == ODD_MEMBERS
        assert await basic.members("k") == set()

    @pytest.mark.parametrize("count", [0, -1, 1.5, "2", None, True])
    async def test_bad_counts_rejected(self, count: object) -> None:
        s, basic = await self._open(b"a", b"b")
        with pytest.raises(prism.InvalidArgumentError):
            await s.random_members("k", count)  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await s.pop_random("k", count)  # type: ignore[arg-type]
        assert await basic.members("k") == {b"a", b"b"}

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: object) -> None:
        s, _ = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await s.random_members(key)  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await s.pop_random(key)  # type: ignore[arg-type]

    async def test_namespaces_are_isolated(self) -> None:
        a, _ = await self._open(b"a")
        b, _ = await self._open()
        assert await b.random_members("k") == []
        assert await b.pop_random("k") == []
        assert await a.pop_random("k") == [b"a"]

    async def test_concurrent_pops_hand_out_each_member_once(self) -> None:
        members = {f"m{i}".encode() for i in range(100)}
        s, basic = await self._open(*members)
        results = await run_concurrently_async([partial(s.pop_random, "k", 2) for _ in range(60)])
        popped = [m for result in results for m in result]
        assert len(popped) == len(members)
        assert set(popped) == members
        assert await basic.members("k") == set()
