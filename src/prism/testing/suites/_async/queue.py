"""Compliance suites for the queue interfaces.

Time-dependent cases use short visibility timeouts and delays (0.5 s) with ``self.advance``, so
they stay quick on real servers too, and ``self.eventually`` where the server keeps the time.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import pytest

import prism
from prism._compat import AsyncCall
from prism.interfaces._async.queue import (
    AsyncQueueBasic,
    AsyncQueueDeadLetter,
    AsyncQueueDelayed,
    AsyncQueuePriority,
    AsyncQueueVisibility,
)
from prism.testing._async.suite import AsyncSuite
from prism.testing._concurrency import join_async, run_concurrently_async, start_background_async
from prism.types import Lease, QueueMessage

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
UNICODE_NAMES = ["café", "队列", "🙂:emoji", "x" * 1024, "é" * 512]
HEADERS = {"content-type": "application/octet-stream", "x-ключ": "значение 🙂", "empty": ""}

VT = 0.5
"""A short visibility timeout or delay, in seconds."""
PAST = 0.6
"""Long enough for a ``VT`` lease or delay to run out."""

T = TypeVar("T")


async def drain(q: AsyncQueueBasic, queue: str) -> list[QueueMessage]:
    """Dequeue every message ready in ``queue`` (stopping at a message seen before, which a
    correct backend never hands out twice)."""
    out: list[QueueMessage] = []
    seen: set[str] = set()
    while (msg := await q.dequeue(queue)) is not None:
        out.append(msg)
        if msg.id in seen:
            break
        seen.add(msg.id)
    return out


async def receive_all(q: AsyncQueueVisibility, queue: str) -> list[Lease]:
    """Lease every message ready in ``queue`` for 30 s (stopping at a message leased before,
    which a correct backend never hands out twice within a lease)."""
    out: list[Lease] = []
    seen: set[str] = set()
    while (lease := await q.receive(queue)) is not None:
        out.append(lease)
        if lease.id in seen:
            break
        seen.add(lease.id)
    return out


class _QueueSuite(AsyncSuite):
    async def basic(self, name: str | None = None) -> Any:
        """A fresh namespace's queue facet (``Any``: the tests use several of its interfaces,
        each suite asserting the one it covers)."""
        q = await self.facet(AsyncQueueBasic, name)
        assert isinstance(q, self._covered())
        return q

    def _covered(self) -> type:
        return {
            "queue_basic": AsyncQueueBasic,
            "queue_visibility": AsyncQueueVisibility,
            "queue_dead_letter": AsyncQueueDeadLetter,
            "queue_priority": AsyncQueuePriority,
            "queue_delayed": AsyncQueueDelayed,
        }[self.interface]

    async def soon(self, check: AsyncCall[T]) -> T:
        """``self.eventually(check)``, with a short deadline when time is controlled (waiting
        changes nothing then, so a failing backend fails fast)."""
        return await self.eventually(check, timeout=0.2 if self.has_clock else 10.0)

    def now(self) -> float:
        """The backend's time: the injected clock, or this machine's."""
        clock = self.target.clock
        return float(clock()) if clock is not None else time.time()


class AsyncQueueBasicSuite(_QueueSuite, interface="queue_basic"):
    """FIFO, dequeue-removes, waiting, peek, length, competing consumers, shared conventions."""

    async def test_enqueue_then_dequeue_is_fifo(self) -> None:
        q = await self.basic()
        ids = [await q.enqueue("jobs", f"m{i}".encode()) for i in range(10)]
        got = await drain(q, "jobs")
        assert [m.payload for m in got] == [f"m{i}".encode() for i in range(10)]
        assert [m.id for m in got] == ids
        assert await q.dequeue("jobs") is None

    async def test_enqueue_returns_distinct_string_ids(self) -> None:
        q = await self.basic()
        ids = [await q.enqueue("jobs", b"same") for _ in range(100)]
        assert all(isinstance(i, str) and i for i in ids)
        assert len(set(ids)) == 100

    async def test_dequeue_empty_returns_none(self) -> None:
        q = await self.basic()
        assert await q.dequeue("empty") is None
        assert await q.dequeue("empty", timeout=0) is None

    async def test_dequeue_waits_up_to_the_timeout(self) -> None:
        q = await self.basic()
        start = time.monotonic()
        assert await q.dequeue("empty", timeout=0.3) is None
        assert time.monotonic() - start >= 0.25

    async def test_waiting_dequeue_gets_a_message_enqueued_meanwhile(self) -> None:
        q = await self.basic()
        start = time.monotonic()
        handle = start_background_async(lambda: q.dequeue("jobs", timeout=5))
        await q.enqueue("jobs", b"hello")
        msg = await join_async(handle)
        assert msg is not None
        assert msg.payload == b"hello"
        assert time.monotonic() - start < 4
        assert await q.length("jobs") == 0

    async def test_dequeue_removes(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"once")
        assert (await q.dequeue("jobs")).payload == b"once"
        assert await q.length("jobs") == 0
        assert await q.peek("jobs") is None
        assert await q.dequeue("jobs") is None

    async def test_peek_does_not_remove(self) -> None:
        q = await self.basic()
        first = await q.enqueue("jobs", b"a")
        await q.enqueue("jobs", b"b")
        for _ in range(2):
            peeked = await q.peek("jobs")
            assert peeked is not None
            assert (peeked.id, peeked.payload) == (first, b"a")
        assert await q.length("jobs") == 2
        assert (await q.dequeue("jobs")).id == first
        assert (await q.peek("jobs")).payload == b"b"

    async def test_peek_empty_is_none(self) -> None:
        q = await self.basic()
        assert await q.peek("empty") is None

    async def test_peek_does_not_count_a_delivery(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"a")
        assert (await q.peek("jobs")).attempts == 0
        assert (await q.peek("jobs")).attempts == 0
        assert (await q.dequeue("jobs")).attempts == 1

    async def test_length(self) -> None:
        q = await self.basic()
        assert await q.length("jobs") == 0
        for i in range(3):
            await q.enqueue("jobs", bytes([i]))
        assert await q.length("jobs") == 3
        await q.dequeue("jobs")
        assert await q.length("jobs") == 2

    async def test_message_fields(self) -> None:
        q = await self.basic()
        before = self.now()
        msg_id = await q.enqueue("jobs", b"payload")
        msg = await q.dequeue("jobs")
        assert msg is not None
        assert msg.id == msg_id
        assert msg.queue == "jobs"
        assert msg.payload == b"payload"
        assert dict(msg.headers) == {}
        assert msg.attempts == 1
        assert msg.priority == 0
        assert before - 5 <= msg.enqueued_at <= self.now() + 5

    async def test_queues_are_independent(self) -> None:
        q = await self.basic()
        await q.enqueue("a", b"for-a")
        await q.enqueue("ab", b"for-ab")
        assert await q.length("b") == 0
        assert await q.dequeue("b") is None
        assert [m.payload for m in await drain(q, "a")] == [b"for-a"]
        assert [m.payload for m in await drain(q, "ab")] == [b"for-ab"]

    async def test_4_competing_consumers_1000_messages_each_delivered_once(self) -> None:
        q = await self.basic()
        sent = {await q.enqueue("work", str(i).encode()) for i in range(1000)}
        batches = await run_concurrently_async([lambda: drain(q, "work") for _ in range(4)])
        got = [m.id for batch in batches for m in batch]
        assert len(got) == len(set(got)) == 1000
        assert set(got) == sent
        assert await q.length("work") == 0

    async def test_100_concurrent_enqueues_all_land(self) -> None:
        q = await self.basic()
        ids = await run_concurrently_async(
            [partial(q.enqueue, "jobs", str(i).encode()) for i in range(100)]
        )
        assert len(set(ids)) == 100
        got = await drain(q, "jobs")
        assert sorted(int(m.payload) for m in got) == list(range(100))
        assert {m.id for m in got} == set(ids)

    @pytest.mark.parametrize("payload", BINARY_PAYLOADS)
    async def test_binary_payloads_round_trip(self, payload: bytes) -> None:
        q = await self.basic()
        await q.enqueue("bin", payload)
        assert (await q.peek("bin")).payload == payload
        assert (await q.dequeue("bin")).payload == payload

    async def test_payload_at_the_declared_limit(self) -> None:
        limit = self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        q = await self.basic()
        await q.enqueue("big", b"\x00" * limit)
        with pytest.raises(prism.ValueTooLargeError):
            await q.enqueue("big", b"\x00" * (limit + 1))
        assert await q.length("big") == 1
        assert len((await q.dequeue("big")).payload) == limit

    async def test_headers_round_trip(self) -> None:
        q = await self.basic()
        await q.enqueue("h", b"x", headers=HEADERS)
        assert dict((await q.peek("h")).headers) == HEADERS
        assert dict((await q.dequeue("h")).headers) == HEADERS

    async def test_headers_are_copied_at_enqueue(self) -> None:
        q = await self.basic()
        headers = {"k": "before"}
        await q.enqueue("h", b"x", headers=headers)
        headers["k"] = "after"
        assert dict((await q.dequeue("h")).headers) == {"k": "before"}

    @pytest.mark.parametrize("name", UNICODE_NAMES)
    async def test_unicode_queue_names(self, name: str) -> None:
        q = await self.basic()
        await q.enqueue(name, name.encode())
        assert await q.length(name) == 1
        msg = await q.dequeue(name)
        assert (msg.queue, msg.payload) == (name, name.encode())

    @pytest.mark.parametrize("name", BAD_NAMES)
    async def test_bad_queue_names_rejected_before_io(self, name: Any) -> None:
        q = await self.basic()
        calls: tuple[AsyncCall[Any], ...] = (
            lambda: q.enqueue(name, b"v"),
            lambda: q.dequeue(name),
            lambda: q.dequeue(name, timeout=1),
            lambda: q.peek(name),
            lambda: q.length(name),
        )
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    @pytest.mark.parametrize("payload", ["text", 1, None, bytearray(b"x"), memoryview(b"x")])
    async def test_non_bytes_payloads_rejected(self, payload: Any) -> None:
        q = await self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            await q.enqueue("jobs", payload)
        assert await q.length("jobs") == 0

    @pytest.mark.parametrize("headers", [{"": "v"}, {"k": b"v"}, {"k": 1}, {1: "v"}, ["k"], "k=v"])
    async def test_bad_headers_rejected(self, headers: Any) -> None:
        q = await self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            await q.enqueue("jobs", b"v", headers=headers)
        assert await q.length("jobs") == 0

    @pytest.mark.parametrize("timeout", [-1, float("nan"), float("inf"), "soon", True])
    async def test_bad_timeouts_rejected(self, timeout: Any) -> None:
        q = await self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            await q.dequeue("jobs", timeout=timeout)

    async def test_namespaces_are_isolated(self) -> None:
        a = await self.basic()
        b = await self.basic()
        await a.enqueue("shared", b"from-a")
        assert await b.length("shared") == 0
        assert await b.peek("shared") is None
        assert await b.dequeue("shared") is None
        await b.enqueue("shared", b"from-b")
        assert [m.payload for m in await drain(a, "shared")] == [b"from-a"]
        assert [m.payload for m in await drain(b, "shared")] == [b"from-b"]

    async def test_same_namespace_opened_twice_shares_queues(self) -> None:
        name = self.target.fresh_name()
        first = await self.basic(name)
        second = await self.basic(name)
        msg_id = await first.enqueue("jobs", b"v")
        assert (await second.dequeue("jobs")).id == msg_id
        assert await first.length("jobs") == 0


class AsyncQueueVisibilitySuite(_QueueSuite, interface="queue_visibility"):
    """Leases: invisibility, ack, release, lapse and redelivery, extension, lost leases."""

    async def test_received_message_is_invisible_until_acked(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"x")
        lease = await q.receive("jobs")
        assert lease is not None
        assert await q.receive("jobs") is None
        assert await q.dequeue("jobs") is None
        assert await q.peek("jobs") is None
        assert await q.length("jobs") == 0
        await q.ack(lease)
        assert await q.receive("jobs") is None

    async def test_receive_skips_leased_messages(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"a")
        await q.enqueue("jobs", b"b")
        first = await q.receive("jobs")
        second = await q.receive("jobs")
        assert (first.payload, second.payload) == (b"a", b"b")
        assert first.receipt != second.receipt

    async def test_lease_fields(self) -> None:
        q = await self.basic()
        msg_id = await q.enqueue("jobs", b"x", headers={"h": "1"})
        before = self.now()
        lease = await q.receive("jobs", visibility_timeout=30)
        assert isinstance(lease, Lease)
        assert lease.id == lease.message.id == msg_id
        assert lease.payload == b"x"
        assert lease.message.queue == "jobs"
        assert dict(lease.message.headers) == {"h": "1"}
        assert lease.message.attempts == 1
        assert isinstance(lease.receipt, str)
        assert lease.receipt
        assert before + 25 <= lease.deadline <= self.now() + 35

    async def test_ack_deletes(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"x")
        lease = await q.receive("jobs", visibility_timeout=VT)
        await q.ack(lease)
        await self.advance(PAST)
        assert await q.receive("jobs") is None
        assert await q.length("jobs") == 0
        assert await q.peek("jobs") is None

    async def test_release_makes_it_visible_at_once_in_its_place(self) -> None:
        q = await self.basic()
        first = await q.enqueue("jobs", b"a")
        await q.enqueue("jobs", b"b")
        lease = await q.receive("jobs")
        assert lease.id == first
        await q.release(lease)
        assert await q.length("jobs") == 2
        again = await q.receive("jobs")
        assert again is not None
        assert again.id == first
        assert again.message.attempts == 2
        assert again.receipt != lease.receipt

    async def test_unacked_past_the_timeout_is_delivered_again_with_attempts_plus_one(
        self,
    ) -> None:
        q = await self.basic()
        msg_id = await q.enqueue("jobs", b"x")
        lease = await q.receive("jobs", visibility_timeout=VT)
        assert lease.message.attempts == 1
        assert await q.receive("jobs") is None
        await self.advance(PAST)
        again = await self.soon(lambda: q.receive("jobs", visibility_timeout=VT))
        assert again.id == msg_id
        assert again.payload == b"x"
        assert again.message.attempts == 2
        assert again.receipt != lease.receipt
        await q.ack(again)

    async def test_a_lapsed_lease_returns_to_its_old_place_in_line(self) -> None:
        # Not to the tail: the lapsed message is ahead of the ones enqueued after it, even of
        # one enqueued while it was leased.
        q = await self.basic()
        first = await q.enqueue("jobs", b"a")
        await q.enqueue("jobs", b"b")
        lease = await q.receive("jobs", visibility_timeout=VT)
        assert lease.id == first
        await q.enqueue("jobs", b"c")
        await self.advance(PAST)
        again = await self.soon(lambda: q.receive("jobs", visibility_timeout=60))
        assert (again.id, again.message.attempts) == (first, 2)
        rest = [await q.receive("jobs", visibility_timeout=60) for _ in range(2)]
        assert [r.payload for r in rest] == [b"b", b"c"]

    async def test_a_lease_lapses_exactly_at_its_deadline(self) -> None:
        q = await self.basic()
        msg_id = await q.enqueue("jobs", b"x")
        lease = await q.receive("jobs", visibility_timeout=VT)
        if not self.has_clock:
            await self.advance(VT)
            again = await self.soon(lambda: q.receive("jobs"))
            assert (again.id, again.message.attempts) == (msg_id, 2)
            return
        await self.advance(VT - 2**-10)
        assert await q.receive("jobs") is None
        await self.advance(2**-10)  # dyadic steps add exactly to the float clock
        with pytest.raises(prism.LeaseLostError):
            await q.ack(lease)
        again = await q.receive("jobs")
        assert again is not None
        assert (again.id, again.message.attempts) == (msg_id, 2)

    async def test_not_delivered_again_before_the_timeout(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"x")
        await q.receive("jobs", visibility_timeout=1.0)
        await self.advance(0.5)
        assert await q.receive("jobs") is None
        assert await q.length("jobs") == 0

    async def test_extend_visibility_postpones_redelivery(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"x")
        lease = await q.receive("jobs", visibility_timeout=VT)
        await self.advance(0.3)
        renewed = await q.extend_visibility(lease, 1.0)
        assert isinstance(renewed, Lease)
        assert (renewed.id, renewed.receipt) == (lease.id, lease.receipt)
        assert renewed.deadline > lease.deadline
        await self.advance(0.4)  # past the first deadline, before the renewed one
        assert await q.receive("jobs") is None
        await self.advance(0.7)
        again = await self.soon(lambda: q.receive("jobs"))
        assert again.id == lease.id
        assert again.message.attempts == 2

    async def test_renewed_lease_settles(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"x")
        lease = await q.receive("jobs", visibility_timeout=VT)
        renewed = await q.extend_visibility(lease, timedelta(seconds=30))
        await self.advance(PAST)
        await q.ack(renewed)
        assert await q.receive("jobs") is None
        assert await q.length("jobs") == 0

    async def test_ack_after_the_lease_lapsed_raises_and_keeps_the_message(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"x")
        lease = await q.receive("jobs", visibility_timeout=VT)
        await self.advance(PAST)
        with pytest.raises(prism.LeaseLostError):
            await q.ack(lease)
        again = await self.soon(lambda: q.receive("jobs"))
        assert again.id == lease.id

    async def test_settling_with_a_lease_of_an_earlier_delivery_raises(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"x")
        old = await q.receive("jobs", visibility_timeout=VT)
        await self.advance(PAST)
        new = await self.soon(lambda: q.receive("jobs"))
        settles: tuple[AsyncCall[Any], ...] = (
            lambda: q.ack(old),
            lambda: q.release(old),
            lambda: q.extend_visibility(old, 30),
        )
        for settle in settles:
            with pytest.raises(prism.LeaseLostError):
                await settle()
        assert await q.receive("jobs") is None  # the new lease still holds it
        await q.ack(new)
        assert await q.length("jobs") == 0

    async def test_ack_twice_raises(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"x")
        lease = await q.receive("jobs")
        await q.ack(lease)
        with pytest.raises(prism.LeaseLostError) as info:
            await q.ack(lease)
        assert isinstance(info.value, prism.ConflictError)

    async def test_settling_after_release_raises(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"x")
        lease = await q.receive("jobs")
        await q.release(lease)
        settles: tuple[AsyncCall[Any], ...] = (
            lambda: q.ack(lease),
            lambda: q.release(lease),
            lambda: q.extend_visibility(lease, 30),
        )
        for settle in settles:
            with pytest.raises(prism.LeaseLostError):
                await settle()
        assert await q.length("jobs") == 1

    async def test_receive_empty_returns_none(self) -> None:
        q = await self.basic()
        assert await q.receive("empty") is None
        assert await q.receive("empty", timeout=0) is None

    async def test_waiting_receive_gets_a_message_enqueued_meanwhile(self) -> None:
        q = await self.basic()
        handle = start_background_async(lambda: q.receive("jobs", timeout=5))
        await q.enqueue("jobs", b"hello")
        lease = await join_async(handle)
        assert lease is not None
        assert lease.payload == b"hello"
        await q.ack(lease)

    async def test_competing_receivers_never_get_one_message_twice_within_a_lease(self) -> None:
        q = await self.basic()
        sent = {await q.enqueue("work", str(i).encode()) for i in range(400)}
        batches = await run_concurrently_async([lambda: receive_all(q, "work") for _ in range(4)])
        leases = [lease for batch in batches for lease in batch]
        assert len(leases) == len({lease.id for lease in leases}) == 400
        assert {lease.id for lease in leases} == sent
        await run_concurrently_async([partial(q.ack, lease) for lease in leases])
        assert await q.length("work") == 0
        assert await q.receive("work") is None

    @pytest.mark.parametrize("visibility_timeout", [0, -1, float("nan"), "30", None])
    async def test_bad_visibility_timeouts_rejected(self, visibility_timeout: Any) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"x")
        with pytest.raises(prism.InvalidArgumentError):
            await q.receive("jobs", visibility_timeout=visibility_timeout)
        lease = await q.receive("jobs")
        with pytest.raises(prism.InvalidArgumentError):
            await q.extend_visibility(lease, visibility_timeout)
        await q.ack(lease)

    @pytest.mark.parametrize("lease", [None, "receipt", b"receipt", 1])
    async def test_non_leases_rejected(self, lease: Any) -> None:
        q = await self.basic()
        settles: tuple[AsyncCall[Any], ...] = (
            lambda: q.ack(lease),
            lambda: q.release(lease),
            lambda: q.extend_visibility(lease, 30),
        )
        for settle in settles:
            with pytest.raises(prism.InvalidArgumentError):
                await settle()

    @pytest.mark.parametrize("name", BAD_NAMES)
    async def test_bad_queue_names_rejected(self, name: Any) -> None:
        q = await self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            await q.receive(name)

    async def test_a_lease_cannot_settle_in_another_namespace(self) -> None:
        a = await self.basic()
        b = await self.basic()
        await a.enqueue("jobs", b"x")
        lease = await a.receive("jobs")
        with pytest.raises(prism.LeaseLostError):
            await b.ack(lease)
        await a.ack(lease)


class AsyncQueueDeadLetterSuite(_QueueSuite, interface="queue_dead_letter"):
    """Exhausted messages move to the dead-letter queue and back, never lost or duplicated."""

    async def fail(self, q: Any, queue: str, times: int) -> None:
        """Receive and release the head of ``queue`` ``times`` times."""
        for _ in range(times):
            lease = await q.receive(queue)
            assert lease is not None
            await q.release(lease)

    async def test_exhausted_by_releases_moves_to_the_dead_letter_queue(self) -> None:
        q = await self.basic()
        await q.configure_dead_letter("jobs", max_attempts=3, dead_letter_queue="jobs.dlq")
        msg_id = await q.enqueue("jobs", b"poison", headers={"h": "v"})
        await self.fail(q, "jobs", 3)
        assert await q.receive("jobs") is None
        assert await q.length("jobs") == 0
        (dead,) = await q.dead_letters("jobs")
        assert (dead.id, dead.payload, dead.attempts) == (msg_id, b"poison", 3)
        assert dict(dead.headers) == {"h": "v"}
        assert dead.queue == "jobs.dlq"
        assert await q.length("jobs.dlq") == 1

    async def test_exhausted_by_lapse_moves_to_the_dead_letter_queue(self) -> None:
        q = await self.basic()
        await q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        msg_id = await q.enqueue("jobs", b"poison")
        await q.receive("jobs", visibility_timeout=VT)
        await self.advance(PAST)
        dead = await self.soon(lambda: q.dead_letters("jobs"))
        assert [(m.id, m.attempts) for m in dead] == [(msg_id, 1)]
        assert await q.receive("jobs") is None
        assert await q.length("jobs") == 0

    async def test_failures_below_max_attempts_stay_in_the_queue(self) -> None:
        q = await self.basic()
        await q.configure_dead_letter("jobs", max_attempts=3, dead_letter_queue="jobs.dlq")
        await q.enqueue("jobs", b"x")
        await self.fail(q, "jobs", 2)
        assert await q.dead_letters("jobs") == []
        assert await q.length("jobs.dlq") == 0
        lease = await q.receive("jobs")
        assert lease.message.attempts == 3

    async def test_ack_on_the_last_attempt_does_not_dead_letter(self) -> None:
        q = await self.basic()
        await q.configure_dead_letter("jobs", max_attempts=2, dead_letter_queue="jobs.dlq")
        await q.enqueue("jobs", b"x")
        await self.fail(q, "jobs", 1)
        await q.ack(await q.receive("jobs"))
        assert await q.dead_letters("jobs") == []
        assert await q.length("jobs.dlq") == 0
        assert await q.length("jobs") == 0

    async def test_the_dead_letter_queue_is_an_ordinary_queue(self) -> None:
        q = await self.basic()
        await q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        msg_id = await q.enqueue("jobs", b"x")
        await self.fail(q, "jobs", 1)
        msg = await q.dequeue("jobs.dlq")
        assert msg is not None
        assert msg.id == msg_id
        assert await q.dead_letters("jobs") == []
        assert await q.redrive("jobs") == 0
        assert await q.length("jobs") == 0

    async def test_redrive_moves_back_with_attempts_reset(self) -> None:
        q = await self.basic()
        await q.configure_dead_letter("jobs", max_attempts=2, dead_letter_queue="jobs.dlq")
        msg_id = await q.enqueue("jobs", b"x", headers={"h": "v"})
        await self.fail(q, "jobs", 2)
        assert await q.redrive("jobs") == 1
        assert await q.dead_letters("jobs") == []
        assert await q.length("jobs.dlq") == 0
        assert await q.length("jobs") == 1
        peeked = await q.peek("jobs")
        assert (peeked.id, peeked.queue, peeked.attempts) == (msg_id, "jobs", 0)
        lease = await q.receive("jobs")
        assert (lease.id, lease.payload, lease.message.attempts) == (msg_id, b"x", 1)
        assert dict(lease.message.headers) == {"h": "v"}

    async def test_redriven_message_goes_to_the_tail_and_can_fail_again(self) -> None:
        q = await self.basic()
        await q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        poison = await q.enqueue("jobs", b"poison")
        await self.fail(q, "jobs", 1)
        fresh = await q.enqueue("jobs", b"fresh")
        assert await q.redrive("jobs") == 1
        first, second = await q.receive("jobs"), await q.receive("jobs")
        assert (first.id, second.id) == (fresh, poison)
        await q.ack(first)
        await q.release(second)
        assert [m.id for m in await q.dead_letters("jobs")] == [poison]

    async def test_nothing_lost_or_duplicated(self) -> None:
        q = await self.basic()
        await q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        ids = [await q.enqueue("jobs", str(i).encode()) for i in range(20)]
        leases = await receive_all(q, "jobs")
        assert [lease.id for lease in leases] == ids
        for i, lease in enumerate(leases):
            await (q.ack(lease) if i % 2 == 0 else q.release(lease))
        failed = ids[1::2]
        assert [m.id for m in await q.dead_letters("jobs")] == failed
        assert await q.length("jobs.dlq") == 10
        assert await q.length("jobs") == 0
        assert await q.redrive("jobs") == 10
        assert await q.dead_letters("jobs") == []
        assert await q.length("jobs.dlq") == 0
        assert [m.id for m in await drain(q, "jobs")] == failed

    async def test_concurrent_redrives_move_each_message_once(self) -> None:
        q = await self.basic()
        await q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        ids = {await q.enqueue("jobs", str(i).encode()) for i in range(40)}
        for lease in await receive_all(q, "jobs"):
            await q.release(lease)
        moved = await run_concurrently_async([lambda: q.redrive("jobs", limit=7) for _ in range(8)])
        assert sum(moved) == 40
        got = [m.id for m in await drain(q, "jobs")]
        assert len(got) == 40
        assert set(got) == ids
        assert await q.length("jobs.dlq") == 0

    async def test_dead_letters_oldest_first_with_limit(self) -> None:
        q = await self.basic()
        await q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        for i in range(5):
            await q.enqueue("jobs", bytes([i]))
        for lease in reversed(await receive_all(q, "jobs")):  # dead-letter them newest first
            await q.release(lease)
        dead = await q.dead_letters("jobs")
        assert [m.payload for m in dead] == [bytes([i]) for i in reversed(range(5))]
        limited = await q.dead_letters("jobs", limit=2)
        assert [m.payload for m in limited] == [b"\x04", b"\x03"]
        assert len(await q.dead_letters("jobs")) == 5  # listing removes nothing

    async def test_redrive_limit(self) -> None:
        q = await self.basic()
        await q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        ids = [await q.enqueue("jobs", bytes([i])) for i in range(5)]
        for lease in await receive_all(q, "jobs"):
            await q.release(lease)
        assert await q.redrive("jobs", limit=2) == 2
        assert [m.id for m in await q.dead_letters("jobs")] == ids[2:]
        assert [m.id for m in await drain(q, "jobs")] == ids[:2]
        assert await q.redrive("jobs", limit=0) == 0
        assert await q.redrive("jobs") == 3
        assert await q.redrive("jobs") == 0

    async def test_without_configuration_nothing_is_dead_lettered(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"x")
        await self.fail(q, "jobs", 5)
        assert await q.dead_letters("jobs") == []
        assert await q.redrive("jobs") == 0
        assert (await q.receive("jobs")).message.attempts == 6

    async def test_dead_letters_are_kept_per_source_queue(self) -> None:
        q = await self.basic()
        for name in ("a", "b"):
            await q.configure_dead_letter(name, max_attempts=1, dead_letter_queue="shared.dlq")
            await q.enqueue(name, name.encode())
            await self.fail(q, name, 1)
        assert [m.payload for m in await q.dead_letters("a")] == [b"a"]
        assert [m.payload for m in await q.dead_letters("b")] == [b"b"]
        assert await q.length("shared.dlq") == 2
        assert await q.redrive("a") == 1
        assert [m.payload for m in await drain(q, "a")] == [b"a"]
        assert [m.payload for m in await q.dead_letters("b")] == [b"b"]

    async def test_reconfiguring_applies_to_later_failures(self) -> None:
        q = await self.basic()
        await q.configure_dead_letter("jobs", max_attempts=5, dead_letter_queue="old.dlq")
        await q.enqueue("jobs", b"x")
        await self.fail(q, "jobs", 2)
        await q.configure_dead_letter("jobs", max_attempts=3, dead_letter_queue="new.dlq")
        await self.fail(q, "jobs", 1)
        assert await q.length("old.dlq") == 0
        assert await q.length("new.dlq") == 1
        assert [m.attempts for m in await q.dead_letters("jobs")] == [3]

    @pytest.mark.parametrize("max_attempts", [0, -1, 1.5, "3", None, True])
    async def test_bad_max_attempts_rejected(self, max_attempts: Any) -> None:
        q = await self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            await q.configure_dead_letter(
                "jobs", max_attempts=max_attempts, dead_letter_queue="dlq"
            )

    async def test_a_queue_cannot_be_its_own_dead_letter_queue(self) -> None:
        q = await self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            await q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs")

    @pytest.mark.parametrize("name", BAD_NAMES)
    async def test_bad_queue_names_rejected(self, name: Any) -> None:
        q = await self.basic()
        calls: tuple[AsyncCall[Any], ...] = (
            lambda: q.configure_dead_letter(name, max_attempts=1, dead_letter_queue="dlq"),
            lambda: q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue=name),
            lambda: q.dead_letters(name),
            lambda: q.redrive(name),
        )
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    @pytest.mark.parametrize("limit", [-1, 1.5, "2"])
    async def test_bad_limits_rejected(self, limit: Any) -> None:
        q = await self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            await q.dead_letters("jobs", limit=limit)
        with pytest.raises(prism.InvalidArgumentError):
            await q.redrive("jobs", limit=limit)

    async def test_namespaces_are_isolated(self) -> None:
        a = await self.basic()
        b = await self.basic()
        await a.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        await b.enqueue("jobs", b"b")
        await self.fail(b, "jobs", 1)  # b has no dead-letter rule
        assert await b.dead_letters("jobs") == []
        await a.enqueue("jobs", b"a")
        await self.fail(a, "jobs", 1)
        assert await b.dead_letters("jobs") == []
        assert await b.length("jobs.dlq") == 0
        assert await b.redrive("jobs") == 0
        assert [m.payload for m in await a.dead_letters("jobs")] == [b"a"]


class AsyncQueuePrioritySuite(_QueueSuite, interface="queue_priority"):
    """Higher priority first, FIFO within a priority, plain enqueue is priority 0."""

    async def test_higher_priority_first(self) -> None:
        q = await self.basic()
        for priority in (1, 5, 3, -2):
            await q.enqueue("jobs", str(priority).encode(), priority=priority)
        got = await drain(q, "jobs")
        assert [m.priority for m in got] == [5, 3, 1, -2]
        assert [m.payload for m in got] == [b"5", b"3", b"1", b"-2"]

    async def test_fifo_within_a_priority(self) -> None:
        q = await self.basic()
        for i in range(10):
            await q.enqueue("jobs", f"{i % 2}:{i}".encode(), priority=i % 2)
        got = [m.payload.decode() for m in await drain(q, "jobs")]
        assert got == [f"1:{i}" for i in range(1, 10, 2)] + [f"0:{i}" for i in range(0, 10, 2)]

    async def test_priority_and_plain_enqueue_interleaved(self) -> None:
        q = await self.basic()
        plan = [None, 2, None, -1, 2, None, 0, 1]
        for i, priority in enumerate(plan):
            if priority is None:
                await q.enqueue("jobs", bytes([i]))
            else:
                await q.enqueue("jobs", bytes([i]), priority=priority)
        expected = sorted(range(len(plan)), key=lambda i: (-(plan[i] or 0), i))
        got = await drain(q, "jobs")
        assert [m.payload[0] for m in got] == expected
        assert [m.priority for m in got] == [plan[i] or 0 for i in expected]

    async def test_random_priorities_come_out_in_stable_order(self) -> None:
        q = await self.basic()
        rng = random.Random(20240601)
        priorities = [rng.randint(-3, 3) for _ in range(300)]
        for i, priority in enumerate(priorities):
            await q.enqueue("jobs", str(i).encode(), priority=priority)
        expected = sorted(range(300), key=lambda i: (-priorities[i], i))
        assert [int(m.payload) for m in await drain(q, "jobs")] == expected

    async def test_peek_and_length_see_priorities(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"low", priority=-5)
        await q.enqueue("jobs", b"high", priority=7)
        peeked = await q.peek("jobs")
        assert (peeked.payload, peeked.priority) == (b"high", 7)
        assert await q.length("jobs") == 2

    async def test_extreme_priorities(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"min", priority=-(2**31))
        await q.enqueue("jobs", b"plain")
        await q.enqueue("jobs", b"max", priority=2**31 - 1)
        assert [m.payload for m in await drain(q, "jobs")] == [b"max", b"plain", b"min"]

    @pytest.mark.parametrize("priority", [1.5, "high", None, True, 2**31, -(2**31) - 1])
    async def test_bad_priorities_rejected(self, priority: Any) -> None:
        q = await self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            await q.enqueue("jobs", b"x", priority=priority)
        assert await q.length("jobs") == 0

    async def test_concurrent_producers_of_different_priorities(self) -> None:
        q = await self.basic()

        async def produce(priority: int) -> None:
            for i in range(50):
                await q.enqueue("jobs", f"{priority}:{i}".encode(), priority=priority)

        await run_concurrently_async([partial(produce, p) for p in range(4)])
        got = [m.payload.decode() for m in await drain(q, "jobs")]
        assert got == [f"{p}:{i}" for p in reversed(range(4)) for i in range(50)]

    async def test_a_lapsed_message_keeps_its_place_by_priority(self) -> None:
        if not self.declares("queue_visibility"):
            pytest.skip("the backend does not declare queue_visibility")
        q = await self.basic()
        await q.enqueue("jobs", b"low", priority=1)
        await q.enqueue("jobs", b"high", priority=9)
        await q.enqueue("jobs", b"high-2", priority=9)
        lease = await q.receive("jobs", visibility_timeout=VT)
        assert lease.payload == b"high"
        await q.enqueue("jobs", b"mid", priority=5)
        await q.enqueue("jobs", b"high-3", priority=9)
        await self.advance(PAST)
        await self.soon(lambda: _is(q.length("jobs"), 5))
        got = [m.payload for m in await drain(q, "jobs")]
        assert got == [b"high", b"high-2", b"high-3", b"mid", b"low"]

    async def test_released_message_keeps_its_priority(self) -> None:
        if not self.declares("queue_visibility"):
            pytest.skip("the backend does not declare queue_visibility")
        q = await self.basic()
        await q.enqueue("jobs", b"low", priority=1)
        await q.enqueue("jobs", b"high", priority=9)
        lease = await q.receive("jobs")
        assert lease.payload == b"high"
        await q.enqueue("jobs", b"mid", priority=5)
        await q.release(lease)
        assert [m.payload for m in await drain(q, "jobs")] == [b"high", b"mid", b"low"]


class AsyncQueueDelayedSuite(_QueueSuite, interface="queue_delayed"):
    """Not delivered before its time, delivered soon after; scheduled_count; delay 0."""

    async def test_not_delivered_before_its_time_and_delivered_after(self) -> None:
        q = await self.basic()
        msg_id = await q.enqueue("jobs", b"later", headers={"h": "v"}, delay=VT)
        assert await q.dequeue("jobs") is None
        assert await q.peek("jobs") is None
        assert await q.length("jobs") == 0
        await self.advance(PAST)
        msg = await self.soon(lambda: q.dequeue("jobs"))
        assert (msg.id, msg.payload, msg.attempts) == (msg_id, b"later", 1)
        assert dict(msg.headers) == {"h": "v"}

    async def test_scheduled_count_counts_it_until_then(self) -> None:
        q = await self.basic()
        for i in range(3):
            await q.enqueue("jobs", bytes([i]), delay=VT)
        await q.enqueue("jobs", b"now")
        await q.enqueue("other", b"later", delay=VT)
        assert await q.scheduled_count("jobs") == 3
        assert await q.length("jobs") == 1
        assert await q.scheduled_count("empty") == 0
        await self.advance(PAST)
        await self.soon(lambda: _is(q.scheduled_count("jobs"), 0))
        assert await q.length("jobs") == 4
        assert await q.scheduled_count("other") == 0

    async def test_a_delayed_message_is_due_exactly_at_its_time(self) -> None:
        q = await self.basic()
        msg_id = await q.enqueue("jobs", b"later", delay=VT)
        if not self.has_clock:
            await self.advance(VT)
            assert (await self.soon(lambda: q.dequeue("jobs"))).id == msg_id
            return
        await q.enqueue("jobs", b"at", not_before=self.now() + VT)
        await self.advance(VT - 2**-10)
        assert await q.dequeue("jobs") is None
        assert await q.scheduled_count("jobs") == 2
        await self.advance(2**-10)  # dyadic steps add exactly to the float clock
        assert await q.scheduled_count("jobs") == 0
        assert [m.payload for m in await drain(q, "jobs")] == [b"later", b"at"]
        await q.enqueue("jobs", b"now", not_before=self.now())
        assert await q.scheduled_count("jobs") == 0
        assert (await q.dequeue("jobs")).payload == b"now"

    async def test_a_due_message_takes_its_place_by_enqueue_order(self) -> None:
        # A message's place in line is fixed when it is enqueued; its delay only decides when
        # it may leave.  Once due it is ahead of messages enqueued after it.
        q = await self.basic()
        await q.enqueue("jobs", b"first-plain")
        await q.enqueue("jobs", b"delayed", delay=VT)
        await q.enqueue("jobs", b"second-plain")
        await q.enqueue("jobs", b"delayed-later", delay=60)
        await q.enqueue("jobs", b"third-plain")
        await self.advance(PAST)
        await self.soon(lambda: _is(q.length("jobs"), 4))
        got = [m.payload for m in await drain(q, "jobs")]
        assert got == [b"first-plain", b"delayed", b"second-plain", b"third-plain"]

    async def test_delay_zero_is_immediate(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"now", delay=0)
        await q.enqueue("jobs", b"also-now", delay=timedelta(0))
        assert await q.scheduled_count("jobs") == 0
        assert [m.payload for m in await drain(q, "jobs")] == [b"now", b"also-now"]

    async def test_timedelta_delay(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"later", delay=timedelta(seconds=VT))
        assert await q.dequeue("jobs") is None
        await self.advance(PAST)
        assert (await self.soon(lambda: q.dequeue("jobs"))).payload == b"later"

    async def test_not_before(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"float", not_before=self.now() + VT)
        when = datetime.fromtimestamp(self.now() + VT, tz=UTC)
        await q.enqueue("jobs", b"datetime", not_before=when)
        assert await q.scheduled_count("jobs") == 2
        assert await q.dequeue("jobs") is None
        await self.advance(PAST)
        await self.soon(lambda: _is(q.length("jobs"), 2))
        assert {m.payload for m in await drain(q, "jobs")} == {b"float", b"datetime"}

    async def test_not_before_in_the_past_is_immediate(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"late", not_before=self.now() - 60)
        assert await q.scheduled_count("jobs") == 0
        assert (await q.dequeue("jobs")).payload == b"late"

    async def test_a_delayed_message_does_not_hold_back_others(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"later", delay=VT)
        await q.enqueue("jobs", b"now")
        assert (await q.peek("jobs")).payload == b"now"
        assert (await q.dequeue("jobs")).payload == b"now"
        assert await q.dequeue("jobs") is None

    async def test_waiting_dequeue_gets_a_delayed_message_once_due(self) -> None:
        q = await self.basic()
        await q.enqueue("jobs", b"later", delay=VT)
        handle = start_background_async(lambda: q.dequeue("jobs", timeout=5))
        await self.advance(PAST)
        msg = await join_async(handle)
        assert msg is not None
        assert msg.payload == b"later"

    async def test_invisible_to_receive_until_due(self) -> None:
        if not self.declares("queue_visibility"):
            pytest.skip("the backend does not declare queue_visibility")
        q = await self.basic()
        await q.enqueue("jobs", b"later", delay=VT)
        assert await q.receive("jobs") is None
        await self.advance(PAST)
        lease = await self.soon(lambda: q.receive("jobs"))
        assert lease.payload == b"later"

    async def test_due_message_keeps_its_priority(self) -> None:
        if not self.declares("queue_priority"):
            pytest.skip("the backend does not declare queue_priority")
        q = await self.basic()
        await q.enqueue("jobs", b"urgent", delay=VT, priority=9)
        await q.enqueue("jobs", b"plain")
        await self.advance(PAST)
        await self.soon(lambda: _is(q.scheduled_count("jobs"), 0))
        assert [m.payload for m in await drain(q, "jobs")] == [b"urgent", b"plain"]

    async def test_delay_and_not_before_together_rejected(self) -> None:
        q = await self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            await q.enqueue("jobs", b"x", delay=1, not_before=self.now() + 1)
        assert await q.scheduled_count("jobs") == 0
        assert await q.length("jobs") == 0

    @pytest.mark.parametrize("delay", [-1, float("nan"), float("inf"), "1", True])
    async def test_bad_delays_rejected(self, delay: Any) -> None:
        q = await self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            await q.enqueue("jobs", b"x", delay=delay)

    @pytest.mark.parametrize("not_before", ["tomorrow", float("nan"), True, b"1"])
    async def test_bad_not_before_rejected(self, not_before: Any) -> None:
        q = await self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            await q.enqueue("jobs", b"x", not_before=not_before)

    @pytest.mark.parametrize("name", BAD_NAMES)
    async def test_bad_queue_names_rejected(self, name: Any) -> None:
        q = await self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            await q.scheduled_count(name)
        with pytest.raises(prism.InvalidArgumentError):
            await q.enqueue(name, b"x", delay=1)

    async def test_namespaces_are_isolated(self) -> None:
        a = await self.basic()
        b = await self.basic()
        await a.enqueue("jobs", b"later", delay=VT)
        assert await b.scheduled_count("jobs") == 0
        await self.advance(PAST)
        assert await b.dequeue("jobs") is None
        assert (await self.soon(lambda: a.dequeue("jobs"))).payload == b"later"


async def _is(value: Any, expected: object) -> bool:
    """For ``eventually``: whether an awaited ``value`` equals ``expected``."""
    return bool(await value == expected)


# ===== hostile names (issue 8, security) ====================================================
# Kept apart from the cases above: the class extends the interface's suite and takes over its
# registration, so every backend runs these too.

from prism.testing._hostile import HOSTILE_NAMES


class AsyncQueueBasicHostileSuite(AsyncQueueBasicSuite, interface="queue_basic"):
    async def test_hostile_queue_names_are_kept_apart(self) -> None:
        q = await self.basic()
        other = await self.basic()
        for name in HOSTILE_NAMES:
            await q.enqueue(name, name.encode(), headers={name: name})
        for name in HOSTILE_NAMES:
            assert await q.length(name) == 1
            assert await other.length(name) == 0
            peeked = await q.peek(name)
            assert peeked is not None
            assert peeked.queue == name
        for name in reversed(HOSTILE_NAMES):
            message = await q.dequeue(name)
            assert message is not None
            assert (message.queue, message.payload) == (name, name.encode())
            assert dict(message.headers) == {name: name}
            assert await q.dequeue(name) is None
