"""Compliance suites for the list interfaces (Redis list semantics)."""

from __future__ import annotations

import time
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

import pytest

import prism
from prism._compat import AsyncCall
from prism.interfaces._async.list import (
    AsyncListBasic,
    AsyncListBlocking,
    AsyncListIndexing,
    AsyncListRange,
)
from prism.testing._async.suite import AsyncSuite
from prism.testing._concurrency import join_async, run_concurrently_async, start_background_async
from prism.testing.suites._async.keyvalue import BAD_KEYS, BINARY_VALUES, UNICODE_KEYS

T = TypeVar("T")
DIGITS = [str(i).encode() for i in range(10)]


def reference_range(items: list[bytes], start: int, stop: int) -> list[bytes]:
    """Redis LRANGE by definition: the items whose index lies in [start, stop] once negative
    bounds are counted from the end."""
    low = start + len(items) if start < 0 else start
    high = stop + len(items) if stop < 0 else stop
    return [item for i, item in enumerate(items) if low <= i <= high]


class AsyncListBasicSuite(AsyncSuite, interface="list_basic"):
    async def _open(self) -> AsyncListBasic:
        return await self.facet(AsyncListBasic)

    async def test_push_right_pop_left_is_fifo(self) -> None:
        lst = await self._open()
        for value in (b"a", b"b", b"c"):
            await lst.push_right("q", value)
        assert [await lst.pop_left("q") for _ in range(3)] == [b"a", b"b", b"c"]

    async def test_push_left_pop_left_is_lifo(self) -> None:
        lst = await self._open()
        for value in (b"a", b"b", b"c"):
            await lst.push_left("s", value)
        assert [await lst.pop_left("s") for _ in range(3)] == [b"c", b"b", b"a"]

    async def test_both_ends_give_deque_order(self) -> None:
        lst = await self._open()
        await lst.push_left("d", b"a")
        await lst.push_right("d", b"b")
        await lst.push_left("d", b"c")  # c a b
        assert await lst.pop_right("d") == b"b"
        assert await lst.pop_left("d") == b"c"
        assert await lst.pop_right("d") == b"a"
        assert await lst.pop_left("d") is None

    async def test_multi_value_push_order_matches_redis(self) -> None:
        lst = await self._open()
        assert await lst.push_left("l", b"a", b"b", b"c") == 3  # LPUSH a b c -> c b a
        assert await lst.push_right("l", b"x", b"y") == 5  # RPUSH x y -> c b a x y
        assert [await lst.pop_left("l") for _ in range(5)] == [b"c", b"b", b"a", b"x", b"y"]

    async def test_push_returns_the_new_length(self) -> None:
        lst = await self._open()
        assert await lst.push_right("k", b"1") == 1
        assert await lst.push_left("k", b"0") == 2
        assert await lst.push_right("k", b"2", b"3", b"4") == 5

    async def test_pop_from_empty_or_missing_returns_none(self) -> None:
        lst = await self._open()
        assert await lst.pop_left("missing") is None
        assert await lst.pop_right("missing") is None
        await lst.push_right("k", b"only")
        assert await lst.pop_right("k") == b"only"
        assert await lst.pop_left("k") is None
        assert await lst.pop_right("k") is None

    async def test_length(self) -> None:
        lst = await self._open()
        assert await lst.length("k") == 0
        await lst.push_right("k", b"a", b"b", b"c")
        assert await lst.length("k") == 3
        await lst.pop_left("k")
        assert await lst.length("k") == 2

    async def test_emptied_list_can_be_reused(self) -> None:
        lst = await self._open()
        await lst.push_right("k", b"a")
        await lst.pop_left("k")
        assert await lst.length("k") == 0
        assert await lst.push_left("k", b"b") == 1
        assert await lst.pop_right("k") == b"b"

    async def test_duplicates_are_kept(self) -> None:
        lst = await self._open()
        assert await lst.push_right("k", b"x", b"x", b"x") == 3
        assert await lst.length("k") == 3

    @pytest.mark.parametrize("value", BINARY_VALUES)
    async def test_binary_values_round_trip(self, value: bytes) -> None:
        lst = await self._open()
        await lst.push_right("bin", value, b"after")
        assert await lst.pop_left("bin") == value
        await lst.push_left("bin", value)
        assert await lst.pop_right("bin") == b"after"
        assert await lst.pop_right("bin") == value

    async def test_value_at_the_declared_limit(self) -> None:
        limit = self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        lst = await self._open()
        assert await lst.push_right("big", b"\x00" * limit) == 1
        with pytest.raises(prism.ValueTooLargeError):
            await lst.push_right("big", b"small", b"\x00" * (limit + 1))
        assert await lst.length("big") == 1
        popped = await lst.pop_left("big")
        assert popped is not None
        assert len(popped) == limit

    @pytest.mark.parametrize("value", ["text", 1, None, bytearray(b"x")])
    async def test_non_bytes_values_rejected_before_io(self, value: object) -> None:
        lst = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await lst.push_right("k", b"fine", value)  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await lst.push_left("k", value)  # type: ignore[arg-type]
        assert await lst.length("k") == 0

    async def test_push_without_values_rejected(self) -> None:
        lst = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await lst.push_right("k")
        with pytest.raises(prism.InvalidArgumentError):
            await lst.push_left("k")

    @pytest.mark.parametrize("key", UNICODE_KEYS)
    async def test_unicode_keys(self, key: str) -> None:
        lst = await self._open()
        await lst.push_right(key, key.encode())
        assert await lst.length(key) == 1
        assert await lst.pop_left(key) == key.encode()

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: object) -> None:
        lst = await self._open()
        calls: list[AsyncCall[object]] = [
            lambda: lst.push_left(key, b"v"),  # type: ignore[arg-type]
            lambda: lst.push_right(key, b"v"),  # type: ignore[arg-type]
            lambda: lst.pop_left(key),  # type: ignore[arg-type]
            lambda: lst.pop_right(key),  # type: ignore[arg-type]
            lambda: lst.length(key),  # type: ignore[arg-type]
        ]
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    async def test_namespaces_are_isolated(self) -> None:
        a = await self._open()
        b = await self._open()
        await a.push_right("shared", b"from-a")
        assert await b.length("shared") == 0
        assert await b.pop_left("shared") is None
        await b.push_right("shared", b"from-b")
        assert await a.pop_left("shared") == b"from-a"
        assert await b.pop_left("shared") == b"from-b"

    async def test_100_concurrent_pushes_all_land(self) -> None:
        lst = await self._open()
        values = [str(i).encode() for i in range(100)]
        lengths = await run_concurrently_async([partial(lst.push_right, "k", v) for v in values])
        assert sorted(lengths) == list(range(1, 101))
        assert await lst.length("k") == 100
        popped = [await lst.pop_left("k") for _ in range(100)]
        assert set(popped) == set(values)  # 100 pops, 100 distinct values: each exactly once

    async def test_concurrent_pops_take_each_element_once(self) -> None:
        lst = await self._open()
        values = [str(i).encode() for i in range(100)]
        await lst.push_right("k", *values)
        popped = await run_concurrently_async(
            [partial(lst.pop_left if i % 2 else lst.pop_right, "k") for i in range(100)]
        )
        assert set(popped) == set(values)  # 100 pops, 100 distinct values: each exactly once
        assert await lst.length("k") == 0


class AsyncListIndexingSuite(AsyncSuite, interface="list_indexing"):
    async def _open(self, *values: bytes) -> tuple[AsyncListIndexing, AsyncListBasic]:
        """The facet (and its list_basic view), with ``values`` pushed onto list "k"."""
        lst = await self.facet(AsyncListIndexing)
        assert isinstance(lst, AsyncListBasic)
        if values:
            await lst.push_right("k", *values)
        return lst, lst

    async def _contents(self, lst: AsyncListIndexing, basic: AsyncListBasic) -> list[bytes]:
        return [await lst.get("k", i) for i in range(await basic.length("k"))]

    async def test_get_positive_and_negative_indexes(self) -> None:
        lst, _ = await self._open(b"a", b"b", b"c")
        assert [await lst.get("k", i) for i in range(3)] == [b"a", b"b", b"c"]
        assert [await lst.get("k", i) for i in (-1, -2, -3)] == [b"c", b"b", b"a"]

    @pytest.mark.parametrize("index", [3, 100, -4, -100])
    async def test_get_out_of_range_raises(self, index: int) -> None:
        lst, _ = await self._open(b"a", b"b", b"c")
        with pytest.raises(prism.IndexOutOfRangeError) as info:
            await lst.get("k", index)
        assert isinstance(info.value, IndexError)

    async def test_get_on_a_missing_list_raises(self) -> None:
        lst, _ = await self._open()
        for index in (0, -1):
            with pytest.raises(prism.IndexOutOfRangeError):
                await lst.get("missing", index)

    async def test_set_replaces_the_element(self) -> None:
        lst, basic = await self._open(b"a", b"b", b"c")
        await lst.set("k", 1, b"B")
        await lst.set("k", -1, b"C")
        await lst.set("k", -3, b"A")
        assert await self._contents(lst, basic) == [b"A", b"B", b"C"]

    @pytest.mark.parametrize("index", [3, -4])
    async def test_set_out_of_range_raises_and_changes_nothing(self, index: int) -> None:
        lst, basic = await self._open(b"a", b"b", b"c")
        with pytest.raises(prism.IndexOutOfRangeError) as info:
            await lst.set("k", index, b"z")
        assert isinstance(info.value, IndexError)
        assert await self._contents(lst, basic) == [b"a", b"b", b"c"]

    async def test_set_on_a_missing_list_raises_and_creates_nothing(self) -> None:
        lst, basic = await self._open()
        with pytest.raises(prism.IndexOutOfRangeError):
            await lst.set("missing", 0, b"z")
        assert await basic.length("missing") == 0

    async def test_insert_before_and_after_the_pivot(self) -> None:
        lst, basic = await self._open(b"a", b"b", b"c")
        assert await lst.insert("k", b"b", b"x") == 4
        assert await lst.insert("k", b"b", b"y", before=False) == 5
        assert await lst.insert("k", b"a", b"first") == 6
        assert await lst.insert("k", b"c", b"last", before=False) == 7
        expected = [b"first", b"a", b"x", b"b", b"y", b"c", b"last"]
        assert await self._contents(lst, basic) == expected

    async def test_insert_uses_the_first_equal_pivot(self) -> None:
        lst, basic = await self._open(b"p", b"q", b"p")
        assert await lst.insert("k", b"p", b"x", before=False) == 4
        assert await self._contents(lst, basic) == [b"p", b"x", b"q", b"p"]

    async def test_insert_with_a_missing_pivot_returns_minus_one(self) -> None:
        lst, basic = await self._open(b"a", b"b", b"c")
        assert await lst.insert("k", b"nope", b"x") == -1
        assert await lst.insert("k", b"nope", b"x", before=False) == -1
        assert await self._contents(lst, basic) == [b"a", b"b", b"c"]

    async def test_insert_into_a_missing_list_returns_zero(self) -> None:
        lst, basic = await self._open()
        assert await lst.insert("missing", b"a", b"x") == 0
        assert await basic.length("missing") == 0

    async def test_remove_positive_count_from_the_head(self) -> None:
        lst, basic = await self._open(b"x", b"a", b"x", b"b", b"x", b"c", b"x")
        assert await lst.remove("k", b"x", 2) == 2
        assert await self._contents(lst, basic) == [b"a", b"b", b"x", b"c", b"x"]

    async def test_remove_negative_count_from_the_tail(self) -> None:
        lst, basic = await self._open(b"x", b"a", b"x", b"b", b"x", b"c", b"x")
        assert await lst.remove("k", b"x", -3) == 3
        assert await self._contents(lst, basic) == [b"x", b"a", b"b", b"c"]

    async def test_remove_zero_count_removes_all(self) -> None:
        lst, basic = await self._open(b"x", b"a", b"x", b"b", b"x", b"c", b"x")
        assert await lst.remove("k", b"x", 0) == 4
        assert await self._contents(lst, basic) == [b"a", b"b", b"c"]
        assert await lst.remove("k", b"x") == 0

    async def test_remove_more_than_present_removes_what_there_is(self) -> None:
        lst, basic = await self._open(b"x", b"a", b"x", b"b", b"x", b"c", b"x")
        assert await lst.remove("k", b"a", 5) == 1
        assert await lst.remove("k", b"b", -5) == 1
        assert await lst.remove("k", b"nope", 1) == 0
        assert await self._contents(lst, basic) == [b"x", b"x", b"x", b"c", b"x"]

    async def test_remove_every_element_empties_the_list(self) -> None:
        lst, basic = await self._open(b"x", b"x")
        assert await lst.remove("k", b"x") == 2
        assert await basic.length("k") == 0
        assert await basic.pop_left("k") is None
        assert await lst.remove("missing", b"x") == 0

    async def test_binary_values_and_pivots(self) -> None:
        lst, basic = await self._open(b"", b"\x00")
        assert await lst.insert("k", b"\x00", b"\xff\xfe", before=False) == 3
        assert await lst.insert("k", b"", b"\x00\x00") == 4
        await lst.set("k", 1, b"")
        assert await self._contents(lst, basic) == [b"\x00\x00", b"", b"\x00", b"\xff\xfe"]
        assert await lst.remove("k", b"") == 1

    @pytest.mark.parametrize("index", ["1", 1.0, True, None])
    async def test_non_int_index_rejected(self, index: object) -> None:
        lst, basic = await self._open(b"a", b"b", b"c")
        with pytest.raises(prism.InvalidArgumentError):
            await lst.get("k", index)  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await lst.set("k", index, b"z")  # type: ignore[arg-type]
        assert await self._contents(lst, basic) == [b"a", b"b", b"c"]

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: object) -> None:
        lst, _ = await self._open()
        calls: list[AsyncCall[object]] = [
            lambda: lst.get(key, 0),  # type: ignore[arg-type]
            lambda: lst.set(key, 0, b"v"),  # type: ignore[arg-type]
            lambda: lst.insert(key, b"p", b"v"),  # type: ignore[arg-type]
            lambda: lst.remove(key, b"v"),  # type: ignore[arg-type]
        ]
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    async def test_non_bytes_values_rejected_before_io(self) -> None:
        lst, basic = await self._open(b"a", b"b", b"c")
        calls: list[AsyncCall[object]] = [
            lambda: lst.set("k", 0, "text"),  # type: ignore[arg-type]
            lambda: lst.insert("k", "a", b"v"),  # type: ignore[arg-type]
            lambda: lst.insert("k", b"a", "v"),  # type: ignore[arg-type]
            lambda: lst.remove("k", "a"),  # type: ignore[arg-type]
        ]
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()
        assert await self._contents(lst, basic) == [b"a", b"b", b"c"]

    async def test_concurrent_sets_leave_one_of_the_values(self) -> None:
        lst, basic = await self._open(b"a", b"b", b"c")
        values = {f"v{i}".encode() for i in range(50)}
        await run_concurrently_async([partial(lst.set, "k", 1, v) for v in values])
        contents = await self._contents(lst, basic)
        assert contents[0::2] == [b"a", b"c"]
        assert contents[1] in values


class AsyncListRangeSuite(AsyncSuite, interface="list_range"):
    async def _open(self, *values: bytes) -> tuple[AsyncListRange, AsyncListBasic]:
        """The facet (and its list_basic view), with ``values`` pushed onto list "k"."""
        lst = await self.facet(AsyncListRange)
        assert isinstance(lst, AsyncListBasic)
        if values:
            await lst.push_right("k", *values)
        return lst, lst

    async def test_inclusive_bounds(self) -> None:
        lst, _ = await self._open(*DIGITS)
        assert await lst.get_range("k", 2, 4) == [b"2", b"3", b"4"]
        assert await lst.get_range("k", 0, 0) == [b"0"]
        assert await lst.get_range("k", 9, 9) == [b"9"]

    async def test_default_is_the_whole_list(self) -> None:
        lst, _ = await self._open(*DIGITS)
        assert await lst.get_range("k") == DIGITS

    async def test_negative_indexes(self) -> None:
        lst, _ = await self._open(*DIGITS)
        assert await lst.get_range("k", -3, -1) == [b"7", b"8", b"9"]
        assert await lst.get_range("k", 0, -2) == DIGITS[:-1]
        assert await lst.get_range("k", -10, 1) == [b"0", b"1"]
        assert await lst.get_range("k", -1, -1) == [b"9"]

    async def test_out_of_range_bounds_are_clipped(self) -> None:
        lst, _ = await self._open(*DIGITS)
        assert await lst.get_range("k", 5, 100) == DIGITS[5:]
        assert await lst.get_range("k", -100, 2) == DIGITS[:3]
        assert await lst.get_range("k", -100, 100) == DIGITS
        assert await lst.get_range("k", 10, 20) == []
        assert await lst.get_range("k", 6, 3) == []
        assert await lst.get_range("k", -1, -3) == []
        assert await lst.get_range("k", 0, -11) == []

    async def test_missing_list_is_empty(self) -> None:
        lst, _ = await self._open()
        assert await lst.get_range("missing") == []
        assert await lst.get_range("missing", -5, 5) == []

    async def test_every_bound_pair_matches_redis(self) -> None:
        lst, _ = await self._open(*DIGITS)
        for start in range(-13, 13):
            for stop in range(-13, 13):
                expected = reference_range(DIGITS, start, stop)
                assert await lst.get_range("k", start, stop) == expected, (start, stop)

    async def test_trim_keeps_exactly_the_range(self) -> None:
        lst, basic = await self._open(*DIGITS)
        await lst.trim("k", 2, 6)
        assert await lst.get_range("k") == DIGITS[2:7]
        await lst.trim("k", 1, -2)
        assert await lst.get_range("k") == DIGITS[3:6]
        assert await basic.length("k") == 3

    async def test_trim_with_out_of_range_bounds_clips(self) -> None:
        lst, _ = await self._open(*DIGITS)
        await lst.trim("k", -100, 100)
        assert await lst.get_range("k") == DIGITS
        await lst.trim("k", -3, 50)
        assert await lst.get_range("k") == DIGITS[-3:]

    async def test_trim_to_nothing_empties_the_list(self) -> None:
        lst, basic = await self._open(*DIGITS)
        await lst.trim("k", 5, 2)
        assert await lst.get_range("k") == []
        assert await basic.length("k") == 0
        assert await basic.pop_left("k") is None
        await lst.trim("missing", 0, 1)
        assert await basic.length("missing") == 0

    async def test_trim_matches_redis_for_every_bound_pair(self) -> None:
        lst, basic = await self._open()
        items = DIGITS[:5]
        for start in range(-7, 7):
            for stop in range(-7, 7):
                key = f"t{start}:{stop}"
                await basic.push_right(key, *items)
                await lst.trim(key, start, stop)
                expected = reference_range(items, start, stop)
                assert await lst.get_range(key) == expected, (start, stop)
                assert await basic.length(key) == len(expected)

    async def test_binary_values_in_ranges(self) -> None:
        values = [b"", b"\x00", b"\xff\xfe\xc3\x28", b"\x00\x00"]
        lst, _ = await self._open(*values)
        assert await lst.get_range("k") == values
        assert await lst.get_range("k", 1, 2) == values[1:3]
        await lst.trim("k", 0, 1)
        assert await lst.get_range("k") == values[:2]

    @pytest.mark.parametrize("bound", ["0", 0.5, None, False])
    async def test_non_int_bounds_rejected(self, bound: object) -> None:
        lst, _ = await self._open(*DIGITS)
        with pytest.raises(prism.InvalidArgumentError):
            await lst.get_range("k", bound, 1)  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await lst.trim("k", 0, bound)  # type: ignore[arg-type]
        assert await lst.get_range("k") == DIGITS

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: object) -> None:
        lst, _ = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await lst.get_range(key)  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await lst.trim(key, 0, 1)  # type: ignore[arg-type]


class AsyncListBlockingSuite(AsyncSuite, interface="list_blocking"):
    async def _open(self) -> tuple[AsyncListBlocking, AsyncListBasic]:
        """The facet and its list_basic view."""
        lst = await self.facet(AsyncListBlocking)
        assert isinstance(lst, AsyncListBasic)
        return lst, lst

    async def _wait_in_background(self, basic: AsyncListBasic, call: AsyncCall[T]) -> Any:
        """Start ``call`` (a blocking pop) in the background, returning its handle once it is
        about to wait: the background side announces itself on list "ready" first."""
        before = await basic.length("ready")

        async def announce_then_call() -> T:
            await basic.push_right("ready", b"1")
            return await call()

        handle = start_background_async(announce_then_call)

        async def announced() -> bool:
            return await basic.length("ready") > before

        await self.eventually(announced)
        return handle

    async def test_returns_at_once_when_an_element_is_there(self) -> None:
        lst, basic = await self._open()
        await basic.push_right("q", b"a", b"b", b"c")
        assert await lst.blocking_pop_left("q", timeout=5) == ("q", b"a")
        assert await lst.blocking_pop_right("q", timeout=5) == ("q", b"c")
        assert await lst.blocking_pop_left(["q"]) == ("q", b"b")
        assert await basic.length("q") == 0

    async def test_waits_for_a_push(self) -> None:
        lst, basic = await self._open()
        handle = await self._wait_in_background(
            basic, lambda: lst.blocking_pop_left("q", timeout=10)
        )
        await basic.push_right("q", b"hello", b"world")
        assert await join_async(handle) == ("q", b"hello")
        assert await basic.pop_left("q") == b"world"

    async def test_pop_right_waits_and_takes_the_tail(self) -> None:
        lst, basic = await self._open()
        handle = await self._wait_in_background(
            basic, lambda: lst.blocking_pop_right("q", timeout=10)
        )
        await basic.push_right("q", b"head", b"tail")
        assert await join_async(handle) == ("q", b"tail")
        assert await basic.pop_left("q") == b"head"

    async def test_times_out_with_none(self) -> None:
        lst, basic = await self._open()
        started = time.monotonic()
        assert await lst.blocking_pop_left("empty", timeout=0.2) is None
        assert time.monotonic() - started >= 0.15
        started = time.monotonic()
        assert await lst.blocking_pop_right(["e1", "e2"], timeout=timedelta(seconds=0.2)) is None
        assert time.monotonic() - started >= 0.15
        assert await basic.length("empty") == 0

    async def test_zero_timeout_does_not_wait(self) -> None:
        lst, basic = await self._open()
        started = time.monotonic()
        assert await lst.blocking_pop_left("empty", timeout=0) is None
        assert await lst.blocking_pop_right(["empty", "also"], timeout=0) is None
        assert time.monotonic() - started < 2.0
        await basic.push_right("q", b"x")
        assert await lst.blocking_pop_left("q", timeout=0) == ("q", b"x")

    async def test_one_element_goes_to_one_of_two_waiters(self) -> None:
        lst, basic = await self._open()
        first = await self._wait_in_background(
            basic, lambda: lst.blocking_pop_left("q", timeout=10)
        )
        second = await self._wait_in_background(
            basic, lambda: lst.blocking_pop_left("q", timeout=10)
        )
        await basic.push_right("q", b"x")

        async def one_done() -> bool:
            return bool(first.done() or second.done())

        await self.eventually(one_done)
        assert await basic.length("q") == 0
        await basic.push_right("q", b"y")
        results = [await join_async(first), await join_async(second)]
        assert sorted(results) == [("q", b"x"), ("q", b"y")]
        assert await basic.length("q") == 0

    async def test_keys_are_tried_in_order(self) -> None:
        lst, basic = await self._open()
        await basic.push_right("b", b"b1", b"b2")
        await basic.push_right("c", b"c1")
        keys = ["a", "b", "c"]
        assert await lst.blocking_pop_left(keys, timeout=1) == ("b", b"b1")
        assert await lst.blocking_pop_right(keys, timeout=1) == ("b", b"b2")
        assert await lst.blocking_pop_left(keys, timeout=1) == ("c", b"c1")
        assert await lst.blocking_pop_left(keys, timeout=0) is None

    async def test_keys_are_tried_in_the_order_given_not_sorted(self) -> None:
        # Unsorted and repeated keys: the first non-empty list in the caller's order wins.
        lst, basic = await self._open()
        await basic.push_right("b", b"b1")
        await basic.push_right("c", b"c1", b"c2")
        await basic.push_right("A", b"A1")
        keys = ["z", "c", "b", "c", "A"]
        assert await lst.blocking_pop_left(keys, timeout=1) == ("c", b"c1")
        assert await lst.blocking_pop_right(keys, timeout=1) == ("c", b"c2")
        assert await lst.blocking_pop_right(keys, timeout=1) == ("b", b"b1")
        assert await lst.blocking_pop_left(keys, timeout=1) == ("A", b"A1")
        assert await lst.blocking_pop_left(keys, timeout=0) is None

    async def test_a_waiter_on_several_keys_gets_the_one_pushed(self) -> None:
        lst, basic = await self._open()
        handle = await self._wait_in_background(
            basic, lambda: lst.blocking_pop_left(["k1", "k2", "k3"], timeout=10)
        )
        await basic.push_left("k2", b"v")
        assert await join_async(handle) == ("k2", b"v")

    async def test_concurrent_waiters_each_get_a_different_element(self) -> None:
        lst, basic = await self._open()
        values = [str(i).encode() for i in range(20)]
        handles = [
            start_background_async(lambda: lst.blocking_pop_left("q", timeout=10)) for _ in values
        ]
        await run_concurrently_async([partial(basic.push_right, "q", v) for v in values])
        results = [await join_async(h) for h in handles]
        assert sorted(value for _, value in results) == sorted(values)
        assert await basic.length("q") == 0

    async def test_binary_values_round_trip(self) -> None:
        lst, basic = await self._open()
        for value in (b"", b"\x00", b"\xff\xfe\xc3\x28"):
            await basic.push_right("q", value)
            assert await lst.blocking_pop_left("q", timeout=1) == ("q", value)

    async def test_namespaces_are_isolated(self) -> None:
        a, a_basic = await self._open()
        b, _ = await self._open()
        await a_basic.push_right("q", b"a")
        assert await b.blocking_pop_left("q", timeout=0) is None
        assert await a.blocking_pop_left("q", timeout=0) == ("q", b"a")

    @pytest.mark.parametrize("keys", [*BAD_KEYS, [], ["ok", ""], ["ok", 1]])
    async def test_bad_keys_rejected(self, keys: object) -> None:
        lst, _ = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await lst.blocking_pop_left(keys, timeout=0)  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await lst.blocking_pop_right(keys, timeout=0)  # type: ignore[arg-type]

    @pytest.mark.parametrize("timeout", [-1, float("nan"), float("inf"), "1", b"1"])
    async def test_bad_timeouts_rejected(self, timeout: object) -> None:
        lst, _ = await self._open()
        with pytest.raises(prism.InvalidArgumentError):
            await lst.blocking_pop_left("q", timeout=timeout)  # type: ignore[arg-type]
