# (``AsyncSuite.facet`` takes ``type[T]``; mypy refuses abstract interfaces there.)
"""Compliance suites for the stream interfaces.

Offsets are only assumed to increase (backends need not number them contiguously): the tests
use the offsets ``append`` returns, never computed ones.
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

import prism
from prism._partition import partition_for
from prism.interfaces._async.stream import (
    AsyncStreamBasic,
    AsyncStreamConsumerGroups,
    AsyncStreamPartitioning,
    AsyncStreamReplay,
    AsyncStreamRetention,
)
from prism.testing._async.suite import AsyncSuite
from prism.testing._concurrency import join_async, run_concurrently_async, start_background_async
from prism.types import RetentionLimits, StreamRecord

BAD_NAMES = [
    pytest.param("", id="empty"),
    pytest.param("x" * 1025, id="over-1024-bytes"),
    pytest.param("é" * 513, id="over-1024-utf8-bytes"),
    pytest.param("a\x00b", id="nul"),
    pytest.param(b"bytes", id="bytes"),
    pytest.param(42, id="int"),
    pytest.param(None, id="none"),
]
BINARY_PAYLOADS = [
    pytest.param(b"", id="empty"),
    pytest.param(b"\x00\x01\x00", id="nul-bytes"),
    pytest.param(b"\xff\xfe\xc3\x28", id="invalid-utf8"),
    pytest.param(bytes(range(256)) * 4096, id="1MiB"),
]
UNICODE_NAMES = ["café", "流水", "🙂-stream", "x" * 1024, "é" * 512]


def basic(facet: object) -> AsyncStreamBasic:
    """The same facet as an :class:`AsyncStreamBasic` (every stream backend declares it)."""
    assert isinstance(facet, AsyncStreamBasic), f"{facet!r} does not implement stream_basic"
    return facet


async def seed(facet: object, stream: str, count: int, tag: str = "r") -> list[int]:
    """Append ``count`` records (payloads ``b"<tag>0"``, ...); return their offsets."""
    return [await basic(facet).append(stream, f"{tag}{i}".encode()) for i in range(count)]


async def read_all(facet: object, stream: str) -> list[StreamRecord]:
    """Every record of ``stream``, paging with ``read``."""
    out: list[StreamRecord] = []
    position = 0
    while page := await basic(facet).read(stream, position, max_count=100):
        assert page[0].offset >= position, f"read from {position} returned {page[0].offset}"
        out.extend(page)
        position = page[-1].offset + 1
    return out


async def collect(records: AsyncIterator[StreamRecord]) -> list[StreamRecord]:
    """Every record an iterator yields, checking that offsets increase."""
    out: list[StreamRecord] = []
    async for record in records:
        assert not out or out[-1].offset < record.offset, f"{record.offset} after {out[-1].offset}"
        out.append(record)
    return out


def offsets_of(records: list[StreamRecord]) -> list[int]:
    return [r.offset for r in records]


def payloads_of(records: list[StreamRecord]) -> list[bytes]:
    return [r.payload for r in records]


class AsyncStreamBasicSuite(AsyncSuite, interface="stream_basic"):
    """Append, read and latest_offset, plus the shared conventions."""

    def now(self) -> float:
        clock = self.target.clock
        return float(clock()) if clock is not None else time.time()

    async def test_append_returns_increasing_offsets(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        offsets = await seed(s, "log", 20)
        assert all(o >= 0 for o in offsets)
        assert offsets == sorted(set(offsets))

    async def test_read_from_start_returns_everything_in_order(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        before = self.now()
        first = await s.append("log", b"one", headers={"kind": "greeting", "lang": "en"})
        second = await s.append("log", b"two")
        after = self.now()
        records = await s.read("log")
        assert offsets_of(records) == [first, second]
        assert payloads_of(records) == [b"one", b"two"]
        assert dict(records[0].headers) == {"kind": "greeting", "lang": "en"}
        assert dict(records[1].headers) == {}
        assert all(r.stream == "log" and r.partition == 0 for r in records)
        slack = 0.0 if self.has_clock else 5.0
        for record in records:
            assert before - slack <= record.timestamp <= after + slack
        assert records[0].timestamp <= records[1].timestamp

    async def test_timestamps_follow_time(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        await s.append("log", b"early")
        await self.advance(0.3)
        await s.append("log", b"late")
        early, late = await s.read("log")
        assert late.timestamp - early.timestamp >= 0.25

    async def test_read_from_a_middle_offset(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        offsets = await seed(s, "log", 10)
        records = await s.read("log", offsets[4])
        assert offsets_of(records) == offsets[4:]
        assert payloads_of(records) == [f"r{i}".encode() for i in range(4, 10)]

    async def test_max_count_is_honoured(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        offsets = await seed(s, "log", 10)
        assert offsets_of(await s.read("log", max_count=3)) == offsets[:3]
        assert offsets_of(await s.read("log", offsets[8], max_count=5)) == offsets[8:]
        assert offsets_of(await s.read("log", max_count=1)) == offsets[:1]

    async def test_latest_offset(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        offsets = await seed(s, "log", 3)
        assert await s.latest_offset("log") == offsets[-1]
        newest = await s.append("log", b"more")
        assert await s.latest_offset("log") == newest

    async def test_read_past_the_end_is_empty(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        offsets = await seed(s, "log", 3)
        assert await s.read("log", offsets[-1] + 1) == []
        assert await s.read("log", offsets[-1] + 1000) == []

    async def test_missing_stream_is_empty(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        assert await s.latest_offset("never-written") is None
        assert await s.read("never-written") == []

    async def test_streams_are_independent(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        await seed(s, "a", 3, "a")
        await seed(s, "b", 2, "b")
        assert payloads_of(await s.read("a")) == [b"a0", b"a1", b"a2"]
        assert payloads_of(await s.read("b")) == [b"b0", b"b1"]

    @pytest.mark.parametrize("payload", BINARY_PAYLOADS)
    async def test_binary_payloads_round_trip(self, payload: bytes) -> None:
        s = await self.facet(AsyncStreamBasic)
        offset = await s.append("bin", payload)
        [record] = await s.read("bin")
        assert record.offset == offset
        assert record.payload == payload

    async def test_payload_at_the_declared_limit(self) -> None:
        limit = self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        s = await self.facet(AsyncStreamBasic)
        await s.append("big", b"\x00" * limit)
        with pytest.raises(prism.ValueTooLargeError):
            await s.append("big", b"\x00" * (limit + 1))
        [record] = await s.read("big")
        assert len(record.payload) == limit

    @pytest.mark.parametrize("payload", ["text", 1, None, bytearray(b"x")])
    async def test_non_bytes_payloads_rejected(self, payload: object) -> None:
        s = await self.facet(AsyncStreamBasic)
        with pytest.raises(prism.InvalidArgumentError):
            await s.append("log", payload)  # type: ignore[arg-type]
        assert await s.latest_offset("log") is None

    async def test_headers_round_trip(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        headers = {"content-type": "application/json", "trace": "", "ключ": "值 🙂"}
        await s.append("log", b"{}", headers=headers)
        [record] = await s.read("log")
        assert dict(record.headers) == headers

    @pytest.mark.parametrize("headers", [{"k": 1}, {1: "v"}, {"": "v"}, "k=v", [("k", "v")]])
    async def test_bad_headers_rejected(self, headers: object) -> None:
        s = await self.facet(AsyncStreamBasic)
        with pytest.raises(prism.InvalidArgumentError):
            await s.append("log", b"x", headers=headers)  # type: ignore[arg-type]
        assert await s.latest_offset("log") is None

    async def test_append_many_returns_offsets_in_order_and_reads_back(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        before = await s.append("log", b"before")
        payloads = [b"b", b"", b"a", b"\x00\xff", b"b"]  # unsorted, empty, repeated
        headers = {"batch": "1", "ключ": "值"}
        offsets = await s.append_many("log", payloads, headers=headers)
        assert len(offsets) == len(payloads)
        assert offsets == sorted(set(offsets))
        assert offsets[0] > before
        after = await s.append("log", b"after")
        assert after > offsets[-1]
        records = await read_all(s, "log")
        assert offsets_of(records) == [before, *offsets, after]
        assert payloads_of(records) == [b"before", *payloads, b"after"]
        assert [dict(r.headers) for r in records[1:-1]] == [headers] * len(payloads)
        assert dict(records[0].headers) == {}
        assert dict(records[-1].headers) == {}
        assert await s.latest_offset("log") == after

    async def test_append_many_of_2001_keeps_order_across_any_internal_chunks(self) -> None:
        # backends may send a batch in chunks (redis: 1,000 per script call): 2,001 crosses
        # two chunk boundaries and leaves one record alone in the last chunk
        s = await self.facet(AsyncStreamBasic)
        payloads = [b"%d" % i for i in range(2001)]
        offsets = await s.append_many("log", payloads)
        assert len(offsets) == 2001
        assert offsets == sorted(set(offsets))
        records = await read_all(s, "log")
        assert offsets_of(records) == offsets
        assert payloads_of(records) == payloads

    async def test_append_many_of_nothing_appends_nothing(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        assert await s.append_many("log", []) == []
        assert await s.append_many("log", iter([])) == []
        assert await s.latest_offset("log") is None
        assert await s.read("log") == []

    async def test_append_many_takes_any_iterable_of_bytes(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        first = await s.append_many("log", (f"g{i}".encode() for i in range(3)))
        second = await s.append_many("log", (b"t0", b"t1"))
        assert first + second == sorted(set(first + second))
        assert payloads_of(await read_all(s, "log")) == [b"g0", b"g1", b"g2", b"t0", b"t1"]

    @pytest.mark.parametrize(
        "payloads",
        [
            pytest.param([b"a", b"b", "text"], id="str-last"),
            pytest.param([b"a", None, b"c"], id="none-in-the-middle"),
            pytest.param([bytearray(b"x"), b"b"], id="bytearray-first"),
            pytest.param([b"a", 1], id="int"),
            pytest.param(b"abc", id="bare-bytes"),
            pytest.param("abc", id="bare-str"),
            pytest.param({b"a": b"b"}, id="mapping"),
            pytest.param(42, id="not-iterable"),
            pytest.param(None, id="none"),
        ],
    )
    async def test_append_many_with_a_bad_payload_appends_nothing(self, payloads: object) -> None:
        s = await self.facet(AsyncStreamBasic)
        with pytest.raises(prism.InvalidArgumentError):
            await s.append_many("log", payloads)  # type: ignore[arg-type]
        assert await s.latest_offset("log") is None

    async def test_append_many_of_more_than_max_batch_is_refused(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        with pytest.raises(prism.InvalidArgumentError, match="100,000"):
            await s.append_many("log", [b""] * 100_001)
        assert await s.latest_offset("log") is None

    async def test_append_many_with_one_payload_over_the_limit_appends_nothing(self) -> None:
        limit = self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        s = await self.facet(AsyncStreamBasic)
        with pytest.raises(prism.ValueTooLargeError):
            await s.append_many("big", [b"ok", b"\x00" * (limit + 1), b"ok"])
        assert await s.latest_offset("big") is None
        [offset] = await s.append_many("big", [b"\x00" * limit])
        assert await s.latest_offset("big") == offset

    @pytest.mark.parametrize(
        "headers", [{"k": 1}, {"": "v"}, "k=v"], ids=["int-value", "empty-name", "str"]
    )
    async def test_append_many_with_bad_headers_appends_nothing(self, headers: object) -> None:
        s = await self.facet(AsyncStreamBasic)
        with pytest.raises(prism.InvalidArgumentError):
            await s.append_many("log", [b"a", b"b"], headers=headers)  # type: ignore[arg-type]
        assert await s.latest_offset("log") is None

    async def test_concurrent_batches_lose_nothing_and_keep_their_order(self) -> None:
        s = await self.facet(AsyncStreamBasic)

        async def batches(worker: int) -> list[int]:
            offsets: list[int] = []
            for b in range(5):
                payloads = [f"{worker}:{b}:{i}".encode() for i in range(40)]
                offsets += await s.append_many("log", payloads)
            return offsets

        results = await run_concurrently_async([functools.partial(batches, w) for w in range(4)])
        every = [o for offsets in results for o in offsets]
        assert len(set(every)) == 4 * 5 * 40
        records = await read_all(s, "log")
        assert offsets_of(records) == sorted(every)
        for worker, offsets in enumerate(results):
            assert offsets == sorted(offsets)
            mine = [r for r in records if r.payload.startswith(f"{worker}:".encode())]
            assert offsets_of(mine) == offsets
            expected = [f"{worker}:{b}:{i}".encode() for b in range(5) for i in range(40)]
            assert payloads_of(mine) == expected

    @pytest.mark.parametrize("name", BAD_NAMES)
    async def test_bad_stream_names_rejected(self, name: object) -> None:
        s = await self.facet(AsyncStreamBasic)
        for call in (
            lambda: s.append(name, b"x"),  # type: ignore[arg-type]
            lambda: s.append_many(name, [b"x"]),  # type: ignore[arg-type]
            lambda: s.read(name),  # type: ignore[arg-type]
            lambda: s.latest_offset(name),  # type: ignore[arg-type]
        ):
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    @pytest.mark.parametrize(
        ("from_offset", "max_count"), [(-1, 10), (0, 0), (0, -5), ("0", 10), (0, 2.5), (0, None)]
    )
    async def test_bad_read_arguments_rejected(
        self, from_offset: object, max_count: object
    ) -> None:
        s = await self.facet(AsyncStreamBasic)
        with pytest.raises(prism.InvalidArgumentError):
            await s.read("log", from_offset, max_count=max_count)  # type: ignore[arg-type]

    @pytest.mark.parametrize("name", UNICODE_NAMES)
    async def test_unicode_stream_names(self, name: str) -> None:
        s = await self.facet(AsyncStreamBasic)
        offset = await s.append(name, name.encode())
        assert await s.latest_offset(name) == offset
        assert payloads_of(await s.read(name)) == [name.encode()]

    async def test_namespaces_are_isolated(self) -> None:
        a = await self.facet(AsyncStreamBasic)
        b = await self.facet(AsyncStreamBasic)
        await a.append("shared", b"from-a")
        assert await b.read("shared") == []
        assert await b.latest_offset("shared") is None
        await b.append("shared", b"from-b")
        assert payloads_of(await a.read("shared")) == [b"from-a"]
        assert payloads_of(await b.read("shared")) == [b"from-b"]

    async def test_same_namespace_opened_twice_shares_data(self) -> None:
        name = self.target.fresh_name()
        first = await self.facet(AsyncStreamBasic, name)
        second = await self.facet(AsyncStreamBasic, name)
        offset = await first.append("log", b"v")
        assert offsets_of(await second.read("log")) == [offset]

    async def test_concurrent_appenders_lose_nothing(self) -> None:
        s = await self.facet(AsyncStreamBasic)

        async def appender(worker: int) -> list[int]:
            return [await s.append("log", f"{worker}:{i}".encode()) for i in range(250)]

        results = await run_concurrently_async([functools.partial(appender, w) for w in range(4)])
        for offsets in results:
            assert offsets == sorted(set(offsets))
        every = [o for offsets in results for o in offsets]
        assert len(set(every)) == 1000
        records = await read_all(s, "log")
        assert offsets_of(records) == sorted(every)
        for worker, offsets in enumerate(results):
            mine = [r for r in records if r.payload.startswith(f"{worker}:".encode())]
            assert offsets_of(mine) == offsets
            assert payloads_of(mine) == [f"{worker}:{i}".encode() for i in range(250)]


class AsyncStreamConsumerGroupsSuite(AsyncSuite, interface="stream_consumer_groups"):
    """Groups, consumers, acks, claim-timeout redelivery and group_info."""

    async def test_group_from_earliest_sees_history(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, "log", 5)
        assert await s.create_group("log", "g", start="earliest") is True
        got = await s.consume("log", "g", "c", max_count=100)
        assert offsets_of(got) == offsets
        assert payloads_of(got) == [f"r{i}".encode() for i in range(5)]
        assert all(r.delivery_count == 1 for r in got)

    async def test_group_from_latest_sees_only_new_records(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        await seed(s, "log", 3)
        assert await s.create_group("log", "g") is True
        assert await s.consume("log", "g", "c") == []
        new = await basic(s).append("log", b"new")
        got = await s.consume("log", "g", "c")
        assert offsets_of(got) == [new]
        assert payloads_of(got) == [b"new"]

    async def test_group_on_a_missing_stream_sees_later_appends(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        assert await s.create_group("fresh", "g", start="latest") is True
        offsets = await seed(s, "fresh", 2)
        assert offsets_of(await s.consume("fresh", "g", "c")) == offsets

    async def test_group_from_an_offset(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, "log", 5)
        assert await s.create_group("log", "g", start=offsets[2]) is True
        assert offsets_of(await s.consume("log", "g", "c", max_count=100)) == offsets[2:]

    async def test_creating_an_existing_group_changes_nothing(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, "log", 3)
        assert await s.create_group("log", "g", start="earliest") is True
        assert offsets_of(await s.consume("log", "g", "c", max_count=1)) == offsets[:1]
        assert await s.create_group("log", "g", start="earliest") is False
        assert await s.create_group("log", "g", start="latest") is False
        assert offsets_of(await s.consume("log", "g", "c", max_count=100)) == offsets[1:]

    async def test_max_count_is_honoured(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, "log", 7)
        await s.create_group("log", "g", start="earliest")
        assert offsets_of(await s.consume("log", "g", "c", max_count=3)) == offsets[:3]
        assert offsets_of(await s.consume("log", "g", "c", max_count=3)) == offsets[3:6]
        assert offsets_of(await s.consume("log", "g", "c", max_count=3)) == offsets[6:]
        assert await s.consume("log", "g", "c", max_count=3) == []

    async def test_two_consumers_split_records_without_overlap_or_gap(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, "log", 10)
        await s.create_group("log", "g", start="earliest")
        a = offsets_of(await s.consume("log", "g", "a", max_count=4))
        b = offsets_of(await s.consume("log", "g", "b", max_count=100))
        assert a == offsets[:4]
        assert b == offsets[4:]
        assert await s.consume("log", "g", "a") == []
        assert await s.consume("log", "g", "b") == []

    async def test_ack_removes_from_pending(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, "log", 3)
        await s.create_group("log", "g", start="earliest")
        await s.consume("log", "g", "c", max_count=100)
        assert (await s.group_info("log", "g")).pending == 3
        assert await s.ack("log", "g", offsets[0]) == 1
        assert (await s.group_info("log", "g")).pending == 2
        assert await s.ack("log", "g", offsets[0]) == 0
        assert await s.ack("log", "g", [offsets[1], offsets[2], offsets[2] + 1000]) == 2
        info = await s.group_info("log", "g")
        assert info.pending == 0
        assert all(count == 0 for count in info.consumers.values())
        assert await s.ack("log", "g", []) == 0

    async def test_ack_of_an_undelivered_record_counts_nothing(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, "log", 2)
        await s.create_group("log", "g", start="earliest")
        assert await s.ack("log", "g", offsets) == 0
        assert offsets_of(await s.consume("log", "g", "c")) == offsets

    async def test_ack_on_a_missing_group_raises_not_found(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, "log", 2)
        await s.create_group("log", "g", start="earliest")
        await s.consume("log", "g", "c", max_count=100)
        # the records are pending in "g": acknowledging them through a missing group is an
        # error, not "nothing was pending", whatever the offsets (none, or past every record)
        for items in (offsets[0], offsets, [], [offsets[-1] + 10**6], [2**62]):
            with pytest.raises(prism.NotFoundError):
                await s.ack("log", "nope", items)
            with pytest.raises(prism.NotFoundError):
                await s.ack("missing-stream", "g", items)
        assert (await s.group_info("log", "g")).pending == 2
        assert await s.ack("log", "g", offsets) == 2

    async def test_every_group_operation_on_a_missing_stream_raises_not_found(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        with pytest.raises(prism.NotFoundError):
            await s.consume("missing-stream", "g", "c")
        started = time.monotonic()
        with pytest.raises(prism.NotFoundError):
            await s.consume("missing-stream", "g", "c", block=5.0)
        assert time.monotonic() - started < 4.0, "a missing group must fail at once, not block"
        with pytest.raises(prism.NotFoundError):
            await s.ack("missing-stream", "g", 0)
        with pytest.raises(prism.NotFoundError):
            await s.group_info("missing-stream", "g")
        # none of them created the stream or the group
        assert await s.create_group("missing-stream", "g") is True

    async def test_unacked_record_is_redelivered_after_the_claim_timeout(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        [offset] = await seed(s, "log", 1)
        await s.create_group("log", "g", start="earliest")
        [first] = await s.consume("log", "g", "a", claim_timeout=0.5)
        assert (first.offset, first.delivery_count) == (offset, 1)
        assert await s.consume("log", "g", "b", claim_timeout=0.5) == []
        assert await s.consume("log", "g", "a", claim_timeout=0.5) == []
        await self.advance(0.6)
        [again] = await s.consume("log", "g", "b", claim_timeout=0.5)
        assert (again.offset, again.payload, again.delivery_count) == (offset, b"r0", 2)
        info = await s.group_info("log", "g")
        assert info.pending == 1
        assert {c: n for c, n in info.consumers.items() if n} == {"b": 1}
        assert await s.ack("log", "g", offset) == 1
        await self.advance(0.6)
        assert await s.consume("log", "g", "a", claim_timeout=0.5) == []
        assert (await s.group_info("log", "g")).pending == 0

    async def test_reclaimed_records_come_before_new_ones(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, "log", 2)
        await s.create_group("log", "g", start="earliest")
        await s.consume("log", "g", "a", max_count=1, claim_timeout=0.5)
        await self.advance(0.6)
        got = await s.consume("log", "g", "b", max_count=2, claim_timeout=0.5)
        assert [(r.offset, r.delivery_count) for r in got] == [(offsets[0], 2), (offsets[1], 1)]

    async def test_the_caller_reclaims_its_own_pending_record(self) -> None:
        # The consumer that let its claim lapse is the second party: it gets its own record
        # again, ahead of the newer records it has not seen yet.
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, "log", 3)
        await s.create_group("log", "g", start="earliest")
        [first] = await s.consume("log", "g", "a", max_count=1, claim_timeout=0.5)
        assert first.offset == offsets[0]
        await self.advance(0.6)
        got = await s.consume("log", "g", "a", max_count=2, claim_timeout=0.5)
        assert [(r.offset, r.delivery_count) for r in got] == [(offsets[0], 2), (offsets[1], 1)]
        info = await s.group_info("log", "g")
        assert info.pending == 2
        assert {c: n for c, n in info.consumers.items() if n} == {"a": 2}

    async def test_records_lapsed_from_several_consumers_return_in_offset_order(self) -> None:
        # Held interleaved by two consumers: the reclaim merges them by offset, it does not
        # hand back one consumer's records and then the other's.
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, "log", 4)
        await s.create_group("log", "g", start="earliest")
        await s.consume("log", "g", "b", max_count=1, claim_timeout=0.5)
        await s.consume("log", "g", "a", max_count=1, claim_timeout=0.5)
        await s.consume("log", "g", "b", max_count=1, claim_timeout=0.5)
        await self.advance(0.6)
        got = await s.consume("log", "g", "c", max_count=4, claim_timeout=0.5)
        assert [(r.offset, r.delivery_count) for r in got] == [
            (offsets[0], 2),
            (offsets[1], 2),
            (offsets[2], 2),
            (offsets[3], 1),
        ]

    async def test_a_record_is_reclaimable_exactly_at_the_claim_timeout(self) -> None:
        # "Pending for claim_timeout seconds or more": the instant itself counts.
        s = await self.facet(AsyncStreamConsumerGroups)
        [offset] = await seed(s, "log", 1)
        await s.create_group("log", "g", start="earliest")
        await s.consume("log", "g", "a", claim_timeout=0.5)
        if self.has_clock:
            await self.advance(0.5 - 2**-10)
            assert await s.consume("log", "g", "b", claim_timeout=0.5) == []
            await self.advance(2**-10)  # dyadic steps add exactly to the float clock
            got = await s.consume("log", "g", "b", claim_timeout=0.5)
        else:
            await self.advance(0.5)

            async def reclaimed() -> list[StreamRecord]:
                return await s.consume("log", "g", "b", claim_timeout=0.5)

            got = await self.eventually(reclaimed, timeout=2.0)
        assert [(r.offset, r.delivery_count) for r in got] == [(offset, 2)]

    async def test_two_groups_each_see_everything(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, "log", 4)
        await s.create_group("log", "g1", start="earliest")
        await s.create_group("log", "g2", start="earliest")
        assert offsets_of(await s.consume("log", "g1", "c", max_count=100)) == offsets
        assert offsets_of(await s.consume("log", "g2", "c", max_count=100)) == offsets
        assert await s.ack("log", "g1", offsets) == 4
        assert (await s.group_info("log", "g2")).pending == 4

    async def test_group_info_reports_pending_consumers_and_lag(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, "log", 5)
        await s.create_group("log", "g", start="earliest")
        info = await s.group_info("log", "g")
        assert (info.stream, info.group) == ("log", "g")
        assert (info.pending, info.lag, info.last_delivered) == (0, 5, None)
        await s.consume("log", "g", "a", max_count=2)
        await s.consume("log", "g", "b", max_count=1)
        info = await s.group_info("log", "g")
        assert (info.pending, info.lag, info.last_delivered) == (3, 2, offsets[2])
        assert dict(info.consumers) == {"a": 2, "b": 1}
        await s.ack("log", "g", offsets[0])
        info = await s.group_info("log", "g")
        assert info.pending == 2
        assert dict(info.consumers) == {"a": 1, "b": 1}
        await basic(s).append("log", b"more")
        assert (await s.group_info("log", "g")).lag == 3

    async def test_missing_group_raises_not_found(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        await seed(s, "log", 1)
        with pytest.raises(prism.NotFoundError):
            await s.consume("log", "nope", "c")
        with pytest.raises(prism.NotFoundError):
            await s.group_info("log", "nope")
        with pytest.raises(prism.NotFoundError):
            await s.group_info("missing-stream", "nope")

    async def test_blocking_consume_wakes_on_append(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        await s.create_group("log", "g", start="latest")
        handle = start_background_async(lambda: basic(s).append("log", b"wake"))
        started = time.monotonic()
        got = await s.consume("log", "g", "c", block=3.0)
        waited = time.monotonic() - started
        offset = await join_async(handle)
        assert offsets_of(got) == [offset]
        assert waited < 2.0, f"consume returned {waited:.2f} s after the append, not at once"
        assert payloads_of(got) == [b"wake"]

    async def test_blocking_consume_times_out_empty(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        await s.create_group("log", "g", start="latest")
        assert await s.consume("log", "g", "c", block=0.2) == []
        assert await s.consume("log", "g", "c", block=0) == []

    async def test_concurrent_consumers_get_each_record_once(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, "log", 200)
        await s.create_group("log", "g", start="earliest")

        async def drain(consumer: str) -> list[int]:
            got: list[int] = []
            for _ in range(100):  # 29 rounds suffice; a flawed group could deliver forever
                batch = await s.consume("log", "g", consumer, max_count=7)
                if not batch:
                    break
                got.extend(offsets_of(batch))
            return got

        results = await run_concurrently_async(
            [functools.partial(drain, f"c{i}") for i in range(4)]
        )
        every = [o for got in results for o in got]
        assert sorted(every) == offsets
        info = await s.group_info("log", "g")
        assert (info.pending, info.lag) == (200, 0)

    @pytest.mark.parametrize("start", ["middle", "EARLIEST", -1, 1.5, True, None])
    async def test_bad_start_rejected(self, start: object) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        with pytest.raises(prism.InvalidArgumentError):
            await s.create_group("log", "g", start=start)  # type: ignore[arg-type]
        assert await s.create_group("log", "g") is True

    @pytest.mark.parametrize("offsets", ["1", b"1", -1, 1.5, [0, "1"], [0, -1], None])
    async def test_bad_ack_offsets_rejected(self, offsets: object) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        await seed(s, "log", 1)
        await s.create_group("log", "g", start="earliest")
        await s.consume("log", "g", "c")
        with pytest.raises(prism.InvalidArgumentError):
            await s.ack("log", "g", offsets)  # type: ignore[arg-type]
        assert (await s.group_info("log", "g")).pending == 1

    @pytest.mark.parametrize(
        "options", [{"max_count": 0}, {"block": -1}, {"block": "1"}, {"claim_timeout": -1.0}]
    )
    async def test_bad_consume_options_rejected(self, options: dict[str, object]) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        await s.create_group("log", "g")
        with pytest.raises(prism.InvalidArgumentError):
            await s.consume("log", "g", "c", **options)  # type: ignore[arg-type]

    @pytest.mark.parametrize("name", BAD_NAMES)
    async def test_bad_names_rejected(self, name: object) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        await s.create_group("log", "g")
        for call in (
            lambda: s.create_group(name, "g"),  # type: ignore[arg-type]
            lambda: s.create_group("log", name),  # type: ignore[arg-type]
            lambda: s.consume(name, "g", "c"),  # type: ignore[arg-type]
            lambda: s.consume("log", name, "c"),  # type: ignore[arg-type]
            lambda: s.consume("log", "g", name),  # type: ignore[arg-type]
            lambda: s.ack(name, "g", 0),  # type: ignore[arg-type]
            lambda: s.ack("log", name, 0),  # type: ignore[arg-type]
            lambda: s.group_info(name, "g"),  # type: ignore[arg-type]
            lambda: s.group_info("log", name),  # type: ignore[arg-type]
        ):
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    @pytest.mark.parametrize("name", UNICODE_NAMES)
    async def test_unicode_group_and_consumer_names(self, name: str) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        offsets = await seed(s, name, 2)
        assert await s.create_group(name, name, start="earliest") is True
        assert offsets_of(await s.consume(name, name, name)) == offsets
        assert dict((await s.group_info(name, name)).consumers) == {name: 2}

    async def test_groups_are_isolated_between_namespaces(self) -> None:
        a = await self.facet(AsyncStreamConsumerGroups)
        b = await self.facet(AsyncStreamConsumerGroups)
        await seed(a, "log", 2)
        await a.create_group("log", "g", start="earliest")
        with pytest.raises(prism.NotFoundError):
            await b.consume("log", "g", "c")
        assert await b.create_group("log", "g", start="earliest") is True
        assert await b.consume("log", "g", "c") == []
        assert len(await a.consume("log", "g", "c")) == 2


class AsyncStreamReplaySuite(AsyncSuite, interface="stream_replay"):
    """Seeks by offset and time, and inclusive range replay."""

    async def test_seek_to_offset(self) -> None:
        s = await self.facet(AsyncStreamReplay)
        offsets = await seed(s, "log", 5)
        assert await s.seek_to_offset("log", offsets[2]) == offsets[2]
        assert await s.seek_to_offset("log", 0) == offsets[0]
        assert await s.seek_to_offset("log", offsets[-1]) == offsets[-1]

    async def test_out_of_range_seeks_are_none(self) -> None:
        s = await self.facet(AsyncStreamReplay)
        offsets = await seed(s, "log", 3)
        assert await s.seek_to_offset("log", offsets[-1] + 1) is None
        assert await s.seek_to_offset("missing", 0) is None
        assert await s.seek_to_timestamp("missing", 0) is None

    async def test_seek_to_timestamp_lands_on_the_first_record_at_or_after_it(self) -> None:
        s = await self.facet(AsyncStreamReplay)
        await seed(s, "log", 2, "old")
        await self.advance(0.4)
        await seed(s, "log", 2, "new")
        old0, old1, new0, new1 = await basic(s).read("log")
        assert await s.seek_to_timestamp("log", new0.timestamp) == new0.offset
        assert await s.seek_to_timestamp("log", old1.timestamp + 0.1) == new0.offset
        assert await s.seek_to_timestamp("log", old0.timestamp) == old0.offset
        assert await s.seek_to_timestamp("log", old0.timestamp - 60) == old0.offset
        assert await s.seek_to_timestamp("log", new1.timestamp + 60) is None

    async def test_seek_to_timestamp_accepts_a_datetime(self) -> None:
        s = await self.facet(AsyncStreamReplay)
        await seed(s, "log", 1, "old")
        await self.advance(0.4)
        [offset] = await seed(s, "log", 1, "new")
        old, new = await basic(s).read("log")
        middle = datetime.fromtimestamp((old.timestamp + new.timestamp) / 2, tz=UTC)
        assert await s.seek_to_timestamp("log", middle) == offset
        naive = middle.replace(tzinfo=None)
        assert await s.seek_to_timestamp("log", naive) == offset

    async def test_replay_a_closed_range_with_inclusive_bounds(self) -> None:
        s = await self.facet(AsyncStreamReplay)
        offsets = await seed(s, "log", 8)
        got = await collect(s.replay_range("log", offsets[2], offsets[5]))
        assert offsets_of(got) == offsets[2:6]
        assert payloads_of(got) == [b"r2", b"r3", b"r4", b"r5"]
        one = await collect(s.replay_range("log", offsets[3], offsets[3]))
        assert offsets_of(one) == [offsets[3]]

    async def test_replay_pages_through_a_long_range(self) -> None:
        s = await self.facet(AsyncStreamReplay)
        offsets = await seed(s, "log", 450)
        got = await collect(s.replay_range("log", 0, offsets[-1]))
        assert offsets_of(got) == offsets
        assert payloads_of(got) == [f"r{i}".encode() for i in range(450)]

    async def test_replay_outside_the_stream_is_empty(self) -> None:
        s = await self.facet(AsyncStreamReplay)
        offsets = await seed(s, "log", 3)
        assert await collect(s.replay_range("log", offsets[2], offsets[0])) == []
        assert await collect(s.replay_range("log", offsets[-1] + 1, offsets[-1] + 99)) == []
        assert await collect(s.replay_range("missing", 0, 10)) == []
        beyond = await collect(s.replay_range("log", offsets[1], offsets[-1] + 99))
        assert offsets_of(beyond) == offsets[1:]

    async def test_seeks_and_replay_skip_trimmed_records(self) -> None:
        if not self.declares("stream_retention"):
            pytest.skip("needs stream_retention to trim")
        s = await self.facet(AsyncStreamReplay)
        assert isinstance(s, AsyncStreamRetention)
        offsets = await seed(s, "log", 5)
        await s.set_retention("log", max_length=2)
        assert await s.trim("log") == 3
        assert await s.seek_to_offset("log", 0) == offsets[3]
        assert await s.seek_to_timestamp("log", 0) == offsets[3]
        assert offsets_of(await collect(s.replay_range("log", 0, offsets[-1]))) == offsets[3:]

    @pytest.mark.parametrize("name", BAD_NAMES)
    async def test_bad_stream_names_rejected(self, name: object) -> None:
        s = await self.facet(AsyncStreamReplay)
        with pytest.raises(prism.InvalidArgumentError):
            await s.seek_to_offset(name, 0)  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            await s.seek_to_timestamp(name, 0)  # type: ignore[arg-type]
        with pytest.raises(prism.InvalidArgumentError):
            s.replay_range(name, 0, 1)  # type: ignore[arg-type]

    async def test_bad_positions_rejected(self) -> None:
        s = await self.facet(AsyncStreamReplay)
        with pytest.raises(prism.InvalidArgumentError):
            await s.seek_to_offset("log", -1)
        for when in ("yesterday", None, float("nan"), float("inf")):
            with pytest.raises(prism.InvalidArgumentError):
                await s.seek_to_timestamp("log", when)  # type: ignore[arg-type]
        for start, end in ((-1, 5), (0, -1), ("0", 5), (0, 1.5)):
            with pytest.raises(prism.InvalidArgumentError):
                s.replay_range("log", start, end)  # type: ignore[arg-type]

    @pytest.mark.parametrize("name", UNICODE_NAMES)
    async def test_unicode_stream_names(self, name: str) -> None:
        s = await self.facet(AsyncStreamReplay)
        offsets = await seed(s, name, 3)
        assert await s.seek_to_offset(name, offsets[1]) == offsets[1]
        got = await collect(s.replay_range(name, offsets[0], offsets[-1]))
        assert offsets_of(got) == offsets

    async def test_namespaces_are_isolated(self) -> None:
        a = await self.facet(AsyncStreamReplay)
        b = await self.facet(AsyncStreamReplay)
        offsets = await seed(a, "log", 3)
        assert await b.seek_to_offset("log", 0) is None
        assert await collect(b.replay_range("log", 0, offsets[-1])) == []


class AsyncStreamRetentionSuite(AsyncSuite, interface="stream_retention"):
    """Length and age limits; trims remove exactly what is beyond them."""

    async def test_set_and_get_retention(self) -> None:
        s = await self.facet(AsyncStreamRetention)
        assert await s.get_retention("log") == RetentionLimits(None, None)
        await s.set_retention("log", max_age=60, max_length=100)
        assert await s.get_retention("log") == RetentionLimits(max_age=60.0, max_length=100)
        await s.set_retention("log", max_length=5)
        assert await s.get_retention("log") == RetentionLimits(max_age=None, max_length=5)
        await s.set_retention("log")
        assert await s.get_retention("log") == RetentionLimits(None, None)

    async def test_max_age_accepts_a_timedelta(self) -> None:
        s = await self.facet(AsyncStreamRetention)
        await s.set_retention("log", max_age=timedelta(minutes=2))
        assert await s.get_retention("log") == RetentionLimits(max_age=120.0)

    async def test_max_length_trim_keeps_the_newest(self) -> None:
        s = await self.facet(AsyncStreamRetention)
        offsets = await seed(s, "log", 10)
        await s.set_retention("log", max_length=3)
        assert await s.trim("log") == 7
        records = await read_all(s, "log")
        assert offsets_of(records) == offsets[7:]
        assert payloads_of(records) == [b"r7", b"r8", b"r9"]
        assert await basic(s).latest_offset("log") == offsets[-1]
        assert await s.trim("log") == 0

    async def test_max_age_trim_drops_only_old_records(self) -> None:
        s = await self.facet(AsyncStreamRetention)
        await seed(s, "log", 3, "old")
        await self.advance(1.0)
        new = await seed(s, "log", 2, "new")
        await s.set_retention("log", max_age=0.5)
        assert await s.trim("log") == 3
        records = await read_all(s, "log")
        assert offsets_of(records) == new
        assert payloads_of(records) == [b"new0", b"new1"]

    async def test_a_record_exactly_max_age_old_is_kept(self) -> None:
        # The rule: a record is beyond ``max_age`` only when it is strictly older than it.
        if not self.has_clock:
            pytest.skip("the exact instant needs the injected clock (real time cannot stop on it)")
        s = await self.facet(AsyncStreamRetention)
        await seed(s, "log", 1, "older")
        await self.advance(2**-10)
        await seed(s, "log", 1, "edge")
        await self.advance(0.5)
        await s.set_retention("log", max_age=0.5)
        assert await s.trim("log") == 1
        assert payloads_of(await read_all(s, "log")) == [b"edge0"]
        await self.advance(2**-10)
        assert await s.trim("log") == 1
        assert await read_all(s, "log") == []

    async def test_a_stream_at_exactly_max_length_keeps_everything(self) -> None:
        s = await self.facet(AsyncStreamRetention)
        await s.set_retention("log", max_length=4)
        offsets = await seed(s, "log", 4)
        assert await s.trim("log") == 0
        assert offsets_of(await read_all(s, "log")) == offsets
        await s.set_retention("log", max_length=3)
        assert await s.trim("log") == 1
        assert offsets_of(await read_all(s, "log")) == offsets[1:]

    async def test_both_limits_remove_whatever_either_allows(self) -> None:
        s = await self.facet(AsyncStreamRetention)
        await seed(s, "log", 2, "old")
        await self.advance(1.0)
        new = await seed(s, "log", 4, "new")
        await s.set_retention("log", max_age=0.5, max_length=3)
        assert await s.trim("log") == 3
        assert offsets_of(await read_all(s, "log")) == new[1:]

    async def test_records_within_retention_are_never_lost(self) -> None:
        s = await self.facet(AsyncStreamRetention)
        await s.set_retention("log", max_age=600, max_length=5)
        offsets = await seed(s, "log", 5)
        assert await s.trim("log") == 0
        assert offsets_of(await read_all(s, "log")) == offsets
        offsets += await seed(s, "log", 1, "extra")
        assert await s.trim("log") == 1
        assert offsets_of(await read_all(s, "log")) == offsets[1:]

    async def test_offsets_keep_increasing_after_everything_is_trimmed(self) -> None:
        s = await self.facet(AsyncStreamRetention)
        offsets = await seed(s, "log", 3)
        await self.advance(0.5)
        await s.set_retention("log", max_age=0.2)
        assert await s.trim("log") == 3
        assert await read_all(s, "log") == []
        assert await basic(s).latest_offset("log") is None
        newest = await basic(s).append("log", b"after")
        assert newest > offsets[-1]
        assert await basic(s).latest_offset("log") == newest

    async def test_trim_without_limits_removes_nothing(self) -> None:
        s = await self.facet(AsyncStreamRetention)
        offsets = await seed(s, "log", 4)
        assert await s.trim("log") == 0
        assert await s.trim("missing") == 0
        assert offsets_of(await read_all(s, "log")) == offsets

    async def test_retention_is_per_stream(self) -> None:
        s = await self.facet(AsyncStreamRetention)
        await seed(s, "a", 4)
        kept = await seed(s, "b", 4)
        await s.set_retention("a", max_length=1)
        assert await s.get_retention("b") == RetentionLimits()
        assert await s.trim("a") == 3
        assert await s.trim("b") == 0
        assert offsets_of(await read_all(s, "b")) == kept

    async def test_retention_applies_to_every_partition(self) -> None:
        if not self.declares("stream_partitioning"):
            pytest.skip("needs stream_partitioning")
        s = await self.facet(AsyncStreamRetention)
        assert isinstance(s, AsyncStreamPartitioning)
        await s.set_partitions("log", 2)
        for i in range(3):
            await s.append_to_partition("log", 0, f"p0-{i}".encode())
            await s.append_to_partition("log", 1, f"p1-{i}".encode())
        await s.set_retention("log", max_length=1)
        assert await s.trim("log") == 4
        assert payloads_of(await s.read_partition("log", 0)) == [b"p0-2"]
        assert payloads_of(await s.read_partition("log", 1)) == [b"p1-2"]

    @pytest.mark.parametrize(
        "options",
        [
            {"max_age": 0},
            {"max_age": -1.0},
            {"max_age": "60"},
            {"max_age": True},
            {"max_age": float("nan")},
            {"max_length": 0},
            {"max_length": -3},
            {"max_length": 2.5},
            {"max_length": True},
            {"max_length": "10"},
        ],
    )
    async def test_bad_limits_rejected(self, options: dict[str, object]) -> None:
        s = await self.facet(AsyncStreamRetention)
        await s.set_retention("log", max_length=7)
        with pytest.raises(prism.InvalidArgumentError):
            await s.set_retention("log", **options)  # type: ignore[arg-type]
        assert await s.get_retention("log") == RetentionLimits(max_length=7)

    @pytest.mark.parametrize("name", BAD_NAMES)
    async def test_bad_stream_names_rejected(self, name: object) -> None:
        s = await self.facet(AsyncStreamRetention)
        for call in (
            lambda: s.set_retention(name, max_length=1),  # type: ignore[arg-type]
            lambda: s.get_retention(name),  # type: ignore[arg-type]
            lambda: s.trim(name),  # type: ignore[arg-type]
        ):
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    @pytest.mark.parametrize("name", UNICODE_NAMES)
    async def test_unicode_stream_names(self, name: str) -> None:
        s = await self.facet(AsyncStreamRetention)
        offsets = await seed(s, name, 3)
        await s.set_retention(name, max_length=2)
        assert await s.get_retention(name) == RetentionLimits(max_length=2)
        assert await s.trim(name) == 1
        assert offsets_of(await read_all(s, name)) == offsets[1:]

    async def test_namespaces_are_isolated(self) -> None:
        a = await self.facet(AsyncStreamRetention)
        b = await self.facet(AsyncStreamRetention)
        kept = await seed(b, "log", 3)
        await a.set_retention("log", max_length=1)
        assert await b.get_retention("log") == RetentionLimits()
        assert await a.trim("log") == 0
        assert await b.trim("log") == 0
        assert offsets_of(await read_all(b, "log")) == kept


class AsyncStreamPartitioningSuite(AsyncSuite, interface="stream_partitioning"):
    """Partition counts, keyed and explicit appends, per-partition order."""

    async def test_partition_count(self) -> None:
        s = await self.facet(AsyncStreamPartitioning)
        assert await s.partitions("log") == 1
        await s.set_partitions("log", 4)
        assert await s.partitions("log") == 4
        await s.set_partitions("log", 4)
        assert await s.partitions("log") == 4
        await s.set_partitions("log", 6)
        assert await s.partitions("log") == 6
        assert await s.partitions("other") == 1

    async def test_the_count_never_shrinks(self) -> None:
        s = await self.facet(AsyncStreamPartitioning)
        await s.set_partitions("log", 4)
        with pytest.raises(prism.InvalidArgumentError):
            await s.set_partitions("log", 2)
        assert await s.partitions("log") == 4

    async def test_growing_keeps_existing_records(self) -> None:
        s = await self.facet(AsyncStreamPartitioning)
        await s.set_partitions("log", 2)
        offset = await s.append_to_partition("log", 1, b"kept")
        await s.set_partitions("log", 5)
        [record] = await s.read_partition("log", 1)
        assert (record.offset, record.payload) == (offset, b"kept")

    async def test_same_key_lands_in_the_same_partition(self) -> None:
        s = await self.facet(AsyncStreamPartitioning)
        await s.set_partitions("log", 8)
        placed = [await s.append_with_key("log", "user:42", f"{i}".encode()) for i in range(100)]
        assert len({p.partition for p in placed}) == 1
        partition = placed[0].partition
        offsets = [p.offset for p in placed]
        assert offsets == sorted(set(offsets))
        records = await s.read_partition("log", partition, max_count=1000)
        assert offsets_of(records) == offsets
        assert payloads_of(records) == [f"{i}".encode() for i in range(100)]
        assert all(r.key == "user:42" and r.partition == partition for r in records)

    async def test_keys_map_with_the_shared_stable_hash(self) -> None:
        s = await self.facet(AsyncStreamPartitioning)
        await s.set_partitions("log", 4)
        keys = [f"key-{i}" for i in range(100)] + ["café", "键", "🙂"]
        placed = {key: await s.append_with_key("log", key, key.encode()) for key in keys}
        for key, where in placed.items():
            assert where.partition == partition_for(key, 4), key
        assert {p.partition for p in placed.values()} == {0, 1, 2, 3}

    async def test_keys_follow_the_new_count_after_set_partitions(self) -> None:
        # A key maps to partition_for(key, current count): growing the count re-maps keys for
        # later appends; records already appended stay where they were.
        s = await self.facet(AsyncStreamPartitioning)
        keys = ["zeta", "alpha", "键", "m", "alpha", "b", "🙂", "zeta"]
        before = {key: await s.append_with_key("log", key, b"1") for key in keys}
        assert {p.partition for p in before.values()} == {0}
        await s.set_partitions("log", 3)
        middle = {key: await s.append_with_key("log", key, b"3") for key in keys}
        await s.set_partitions("log", 7)
        after = {key: await s.append_with_key("log", key, b"7") for key in keys}
        moved = False
        for key in keys:
            assert middle[key].partition == partition_for(key, 3), key
            assert after[key].partition == partition_for(key, 7), key
            moved = moved or middle[key].partition != after[key].partition
        assert moved, "no key changed partition: the test keys prove nothing"
        for key, where in middle.items():
            records = await s.read_partition("log", where.partition, max_count=1000)
            assert where.offset in offsets_of(records), key

    async def test_explicit_partition_append(self) -> None:
        s = await self.facet(AsyncStreamPartitioning)
        await s.set_partitions("log", 3)
        offset = await s.append_to_partition("log", 2, b"there", headers={"h": "v"})
        [record] = await s.read_partition("log", 2)
        assert (record.offset, record.payload, record.partition) == (offset, b"there", 2)
        assert dict(record.headers) == {"h": "v"}
        assert await s.read_partition("log", 0) == []
        assert await s.read_partition("log", 1) == []

    async def test_order_is_kept_within_each_partition(self) -> None:
        s = await self.facet(AsyncStreamPartitioning)
        await s.set_partitions("log", 3)
        expected: dict[int, list[tuple[int, bytes]]] = {0: [], 1: [], 2: []}
        for i in range(30):
            partition = (i * 7) % 3
            payload = f"{partition}:{i}".encode()
            expected[partition].append(
                (await s.append_to_partition("log", partition, payload), payload)
            )
        for partition, wanted in expected.items():
            records = await s.read_partition("log", partition)
            assert [(r.offset, r.payload) for r in records] == wanted
            assert all(r.partition == partition for r in records)
            assert offsets_of(records) == sorted(set(offsets_of(records)))
            middle = wanted[5][0]
            assert offsets_of(await s.read_partition("log", partition, middle)) == [
                o for o, _ in wanted[5:]
            ]
            assert len(await s.read_partition("log", partition, max_count=2)) == 2

    async def test_reading_one_partition_never_yields_anothers_records(self) -> None:
        s = await self.facet(AsyncStreamPartitioning)
        await s.set_partitions("log", 2)
        await s.append_to_partition("log", 0, b"zero")
        await s.append_to_partition("log", 1, b"one")
        assert payloads_of(await s.read_partition("log", 0)) == [b"zero"]
        assert payloads_of(await s.read_partition("log", 1)) == [b"one"]

    async def test_partition_zero_is_the_basic_stream(self) -> None:
        s = await self.facet(AsyncStreamPartitioning)
        await s.set_partitions("log", 2)
        plain = await basic(s).append("log", b"plain")
        explicit = await s.append_to_partition("log", 0, b"explicit")
        await s.append_to_partition("log", 1, b"elsewhere")
        assert offsets_of(await basic(s).read("log")) == [plain, explicit]
        assert offsets_of(await s.read_partition("log", 0)) == [plain, explicit]
        assert await basic(s).latest_offset("log") == explicit

    async def test_partition_outside_the_count_rejected(self) -> None:
        s = await self.facet(AsyncStreamPartitioning)
        with pytest.raises(prism.InvalidArgumentError):
            await s.append_to_partition("fresh", 1, b"x")
        await s.set_partitions("log", 2)
        with pytest.raises(prism.InvalidArgumentError):
            await s.append_to_partition("log", 2, b"x")
        with pytest.raises(prism.InvalidArgumentError):
            await s.read_partition("log", 5)
        assert await s.read_partition("log", 1) == []

    @pytest.mark.parametrize(
        "call",
        [
            pytest.param(lambda s: s.set_partitions("log", 0), id="zero-partitions"),
            pytest.param(lambda s: s.set_partitions("log", 2.0), id="float-count"),
            pytest.param(lambda s: s.append_to_partition("log", -1, b"x"), id="negative"),
            pytest.param(lambda s: s.append_to_partition("log", 0, "x"), id="str-payload"),
            pytest.param(lambda s: s.append_with_key("log", "k", None), id="none-payload"),
            pytest.param(lambda s: s.read_partition("log", 0, -1), id="negative-offset"),
            pytest.param(lambda s: s.read_partition("log", 0, max_count=0), id="zero-count"),
        ],
    )
    async def test_bad_arguments_rejected(self, call: object) -> None:
        s = await self.facet(AsyncStreamPartitioning)
        with pytest.raises(prism.InvalidArgumentError):
            await call(s)  # type: ignore[operator]

    @pytest.mark.parametrize("name", BAD_NAMES)
    async def test_bad_names_and_keys_rejected(self, name: object) -> None:
        s = await self.facet(AsyncStreamPartitioning)
        for call in (
            lambda: s.set_partitions(name, 2),  # type: ignore[arg-type]
            lambda: s.partitions(name),  # type: ignore[arg-type]
            lambda: s.append_to_partition(name, 0, b"x"),  # type: ignore[arg-type]
            lambda: s.append_with_key(name, "k", b"x"),  # type: ignore[arg-type]
            lambda: s.append_with_key("log", name, b"x"),  # type: ignore[arg-type]
            lambda: s.read_partition(name, 0),  # type: ignore[arg-type]
        ):
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    @pytest.mark.parametrize("name", UNICODE_NAMES)
    async def test_unicode_stream_names_and_keys(self, name: str) -> None:
        s = await self.facet(AsyncStreamPartitioning)
        await s.set_partitions(name, 3)
        where = await s.append_with_key(name, name, b"v")
        assert where.partition == partition_for(name, 3)
        [record] = await s.read_partition(name, where.partition)
        assert (record.offset, record.key) == (where.offset, name)

    async def test_namespaces_are_isolated(self) -> None:
        a = await self.facet(AsyncStreamPartitioning)
        b = await self.facet(AsyncStreamPartitioning)
        await a.set_partitions("log", 4)
        await a.append_to_partition("log", 3, b"a")
        assert await b.partitions("log") == 1
        assert await b.read_partition("log", 0) == []

    async def test_concurrent_keyed_appends_keep_per_key_order(self) -> None:
        s = await self.facet(AsyncStreamPartitioning)
        await s.set_partitions("log", 4)

        async def appender(worker: int) -> list[tuple[int, int]]:
            placed = [
                await s.append_with_key("log", f"k{worker}", f"{worker}:{i}".encode())
                for i in range(50)
            ]
            return [(p.partition, p.offset) for p in placed]

        results = await run_concurrently_async([functools.partial(appender, w) for w in range(4)])
        for worker, placed in enumerate(results):
            partition = partition_for(f"k{worker}", 4)
            assert {p for p, _ in placed} == {partition}
            offsets = [o for _, o in placed]
            assert offsets == sorted(set(offsets))
            records = await s.read_partition("log", partition, max_count=1000)
            mine = [r for r in records if r.key == f"k{worker}"]
            assert offsets_of(mine) == offsets
            assert payloads_of(mine) == [f"{worker}:{i}".encode() for i in range(50)]


# ===== hostile names (issue 8, security) ====================================================
# Kept apart from the cases above: each class extends its interface's suite and takes over its
# registration, so every backend runs these too.

from prism.testing._hostile import HOSTILE_NAMES


class AsyncStreamBasicHostileSuite(AsyncStreamBasicSuite, interface="stream_basic"):
    async def test_hostile_stream_names_are_kept_apart(self) -> None:
        s = await self.facet(AsyncStreamBasic)
        other = await self.facet(AsyncStreamBasic)
        for name in HOSTILE_NAMES:
            await s.append(name, name.encode(), headers={name: name})
        for name in HOSTILE_NAMES:
            records = await s.read(name)
            assert [(r.stream, r.payload) for r in records] == [(name, name.encode())]
            assert dict(records[0].headers) == {name: name}
            assert await other.read(name) == []


class AsyncStreamConsumerGroupsHostileSuite(
    AsyncStreamConsumerGroupsSuite, interface="stream_consumer_groups"
):
    async def test_hostile_group_and_consumer_names(self) -> None:
        s = await self.facet(AsyncStreamConsumerGroups)
        assert isinstance(s, AsyncStreamBasic)
        await s.append("log", b"one")
        for name in HOSTILE_NAMES:
            assert await s.create_group("log", name, start="earliest")
        for name in HOSTILE_NAMES:
            records = await s.consume("log", name, name)
            assert [r.payload for r in records] == [b"one"], name
            assert await s.ack("log", name, [records[0].offset]) == 1
