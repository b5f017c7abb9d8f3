# Generated from src/prism/testing/suites/_async/queue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
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
from prism._compat import Call
from prism.interfaces.queue import (
    QueueBasic,
    QueueDeadLetter,
    QueueDelayed,
    QueuePriority,
    QueueVisibility,
)
from prism.testing._concurrency import join, run_concurrently, start_background
from prism.testing.suite import Suite
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


def drain(q: QueueBasic, queue: str) -> list[QueueMessage]:
    """Dequeue every message ready in ``queue`` (stopping at a message seen before, which a
    correct backend never hands out twice)."""
    out: list[QueueMessage] = []
    seen: set[str] = set()
    while (msg := q.dequeue(queue)) is not None:
        out.append(msg)
        if msg.id in seen:
            break
        seen.add(msg.id)
    return out


def receive_all(q: QueueVisibility, queue: str) -> list[Lease]:
    """Lease every message ready in ``queue`` for 30 s (stopping at a message leased before,
    which a correct backend never hands out twice within a lease)."""
    out: list[Lease] = []
    seen: set[str] = set()
    while (lease := q.receive(queue)) is not None:
        out.append(lease)
        if lease.id in seen:
            break
        seen.add(lease.id)
    return out


class _QueueSuite(Suite):
    def basic(self, name: str | None = None) -> Any:
        """A fresh namespace's queue facet (``Any``: the tests use several of its interfaces,
        each suite asserting the one it covers)."""
        q = self.facet(QueueBasic, name)
        assert isinstance(q, self._covered())
        return q

    def _covered(self) -> type:
        return {
            "queue_basic": QueueBasic,
            "queue_visibility": QueueVisibility,
            "queue_dead_letter": QueueDeadLetter,
            "queue_priority": QueuePriority,
            "queue_delayed": QueueDelayed,
        }[self.interface]

    def soon(self, check: Call[T]) -> T:
        """``self.eventually(check)``, with a short deadline when time is controlled (waiting
        changes nothing then, so a failing backend fails fast)."""
        return self.eventually(check, timeout=0.2 if self.has_clock else 10.0)

    def now(self) -> float:
        """The backend's time: the injected clock, or this machine's."""
        clock = self.target.clock
        return float(clock()) if clock is not None else time.time()


class QueueBasicSuite(_QueueSuite, interface="queue_basic"):
    """FIFO, dequeue-removes, waiting, peek, length, competing consumers, shared conventions."""

    def test_enqueue_then_dequeue_is_fifo(self) -> None:
        q = self.basic()
        ids = [q.enqueue("jobs", f"m{i}".encode()) for i in range(10)]
        got = drain(q, "jobs")
        assert [m.payload for m in got] == [f"m{i}".encode() for i in range(10)]
        assert [m.id for m in got] == ids
        assert q.dequeue("jobs") is None

    def test_enqueue_returns_distinct_string_ids(self) -> None:
        q = self.basic()
        ids = [q.enqueue("jobs", b"same") for _ in range(100)]
        assert all(isinstance(i, str) and i for i in ids)
        assert len(set(ids)) == 100

    def test_dequeue_empty_returns_none(self) -> None:
        q = self.basic()
        assert q.dequeue("empty") is None
        assert q.dequeue("empty", timeout=0) is None

    def test_dequeue_waits_up_to_the_timeout(self) -> None:
        q = self.basic()
        start = time.monotonic()
        assert q.dequeue("empty", timeout=0.3) is None
        assert time.monotonic() - start >= 0.25

    def test_waiting_dequeue_gets_a_message_enqueued_meanwhile(self) -> None:
        q = self.basic()
        start = time.monotonic()
        handle = start_background(lambda: q.dequeue("jobs", timeout=5))
        q.enqueue("jobs", b"hello")
        msg = join(handle)
        assert msg is not None
        assert msg.payload == b"hello"
        assert time.monotonic() - start < 4
        assert q.length("jobs") == 0

    def test_dequeue_removes(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"once")
        assert (q.dequeue("jobs")).payload == b"once"
        assert q.length("jobs") == 0
        assert q.peek("jobs") is None
        assert q.dequeue("jobs") is None

    def test_peek_does_not_remove(self) -> None:
        q = self.basic()
        first = q.enqueue("jobs", b"a")
        q.enqueue("jobs", b"b")
        for _ in range(2):
            peeked = q.peek("jobs")
            assert peeked is not None
            assert (peeked.id, peeked.payload) == (first, b"a")
        assert q.length("jobs") == 2
        assert (q.dequeue("jobs")).id == first
        assert (q.peek("jobs")).payload == b"b"

    def test_peek_empty_is_none(self) -> None:
        q = self.basic()
        assert q.peek("empty") is None

    def test_peek_does_not_count_a_delivery(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"a")
        assert (q.peek("jobs")).attempts == 0
        assert (q.peek("jobs")).attempts == 0
        assert (q.dequeue("jobs")).attempts == 1

    def test_length(self) -> None:
        q = self.basic()
        assert q.length("jobs") == 0
        for i in range(3):
            q.enqueue("jobs", bytes([i]))
        assert q.length("jobs") == 3
        q.dequeue("jobs")
        assert q.length("jobs") == 2

    def test_message_fields(self) -> None:
        q = self.basic()
        before = self.now()
        msg_id = q.enqueue("jobs", b"payload")
        msg = q.dequeue("jobs")
        assert msg is not None
        assert msg.id == msg_id
        assert msg.queue == "jobs"
        assert msg.payload == b"payload"
        assert dict(msg.headers) == {}
        assert msg.attempts == 1
        assert msg.priority == 0
        assert before - 5 <= msg.enqueued_at <= self.now() + 5

    def test_queues_are_independent(self) -> None:
        q = self.basic()
        q.enqueue("a", b"for-a")
        q.enqueue("ab", b"for-ab")
        assert q.length("b") == 0
        assert q.dequeue("b") is None
        assert [m.payload for m in drain(q, "a")] == [b"for-a"]
        assert [m.payload for m in drain(q, "ab")] == [b"for-ab"]

    def test_4_competing_consumers_1000_messages_each_delivered_once(self) -> None:
        q = self.basic()
        sent = {q.enqueue("work", str(i).encode()) for i in range(1000)}
        batches = run_concurrently([lambda: drain(q, "work") for _ in range(4)])
        got = [m.id for batch in batches for m in batch]
        assert len(got) == len(set(got)) == 1000
        assert set(got) == sent
        assert q.length("work") == 0

    def test_100_concurrent_enqueues_all_land(self) -> None:
        q = self.basic()
        ids = run_concurrently([partial(q.enqueue, "jobs", str(i).encode()) for i in range(100)])
        assert len(set(ids)) == 100
        got = drain(q, "jobs")
        assert sorted(int(m.payload) for m in got) == list(range(100))
        assert {m.id for m in got} == set(ids)

    @pytest.mark.parametrize("payload", BINARY_PAYLOADS)
    def test_binary_payloads_round_trip(self, payload: bytes) -> None:
        q = self.basic()
        q.enqueue("bin", payload)
        assert (q.peek("bin")).payload == payload
        assert (q.dequeue("bin")).payload == payload

    def test_payload_at_the_declared_limit(self) -> None:
        limit = self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        q = self.basic()
        q.enqueue("big", b"\x00" * limit)
        with pytest.raises(prism.ValueTooLargeError):
            q.enqueue("big", b"\x00" * (limit + 1))
        assert q.length("big") == 1
        assert len((q.dequeue("big")).payload) == limit

    def test_headers_round_trip(self) -> None:
        q = self.basic()
        q.enqueue("h", b"x", headers=HEADERS)
        assert dict((q.peek("h")).headers) == HEADERS
        assert dict((q.dequeue("h")).headers) == HEADERS

    def test_headers_are_copied_at_enqueue(self) -> None:
        q = self.basic()
        headers = {"k": "before"}
        q.enqueue("h", b"x", headers=headers)
        headers["k"] = "after"
        assert dict((q.dequeue("h")).headers) == {"k": "before"}

    @pytest.mark.parametrize("name", UNICODE_NAMES)
    def test_unicode_queue_names(self, name: str) -> None:
        q = self.basic()
        q.enqueue(name, name.encode())
        assert q.length(name) == 1
        msg = q.dequeue(name)
        assert (msg.queue, msg.payload) == (name, name.encode())

    @pytest.mark.parametrize("name", BAD_NAMES)
    def test_bad_queue_names_rejected_before_io(self, name: Any) -> None:
        q = self.basic()
        calls: tuple[Call[Any], ...] = (
            lambda: q.enqueue(name, b"v"),
            lambda: q.dequeue(name),
            lambda: q.dequeue(name, timeout=1),
            lambda: q.peek(name),
            lambda: q.length(name),
        )
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                call()

    @pytest.mark.parametrize("payload", ["text", 1, None, bytearray(b"x"), memoryview(b"x")])
    def test_non_bytes_payloads_rejected(self, payload: Any) -> None:
        q = self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            q.enqueue("jobs", payload)
        assert q.length("jobs") == 0

    @pytest.mark.parametrize("headers", [{"": "v"}, {"k": b"v"}, {"k": 1}, {1: "v"}, ["k"], "k=v"])
    def test_bad_headers_rejected(self, headers: Any) -> None:
        q = self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            q.enqueue("jobs", b"v", headers=headers)
        assert q.length("jobs") == 0

    @pytest.mark.parametrize("timeout", [-1, float("nan"), float("inf"), "soon", True])
    def test_bad_timeouts_rejected(self, timeout: Any) -> None:
        q = self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            q.dequeue("jobs", timeout=timeout)

    def test_namespaces_are_isolated(self) -> None:
        a = self.basic()
        b = self.basic()
        a.enqueue("shared", b"from-a")
        assert b.length("shared") == 0
        assert b.peek("shared") is None
        assert b.dequeue("shared") is None
        b.enqueue("shared", b"from-b")
        assert [m.payload for m in drain(a, "shared")] == [b"from-a"]
        assert [m.payload for m in drain(b, "shared")] == [b"from-b"]

    def test_same_namespace_opened_twice_shares_queues(self) -> None:
        name = self.target.fresh_name()
        first = self.basic(name)
        second = self.basic(name)
        msg_id = first.enqueue("jobs", b"v")
        assert (second.dequeue("jobs")).id == msg_id
        assert first.length("jobs") == 0


class QueueVisibilitySuite(_QueueSuite, interface="queue_visibility"):
    """Leases: invisibility, ack, release, lapse and redelivery, extension, lost leases."""

    def test_received_message_is_invisible_until_acked(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"x")
        lease = q.receive("jobs")
        assert lease is not None
        assert q.receive("jobs") is None
        assert q.dequeue("jobs") is None
        assert q.peek("jobs") is None
        assert q.length("jobs") == 0
        q.ack(lease)
        assert q.receive("jobs") is None

    def test_receive_skips_leased_messages(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"a")
        q.enqueue("jobs", b"b")
        first = q.receive("jobs")
        second = q.receive("jobs")
        assert (first.payload, second.payload) == (b"a", b"b")
        assert first.receipt != second.receipt

    def test_lease_fields(self) -> None:
        q = self.basic()
        msg_id = q.enqueue("jobs", b"x", headers={"h": "1"})
        before = self.now()
        lease = q.receive("jobs", visibility_timeout=30)
        assert isinstance(lease, Lease)
        assert lease.id == lease.message.id == msg_id
        assert lease.payload == b"x"
        assert lease.message.queue == "jobs"
        assert dict(lease.message.headers) == {"h": "1"}
        assert lease.message.attempts == 1
        assert isinstance(lease.receipt, str)
        assert lease.receipt
        assert before + 25 <= lease.deadline <= self.now() + 35

    def test_ack_deletes(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"x")
        lease = q.receive("jobs", visibility_timeout=VT)
        q.ack(lease)
        self.advance(PAST)
        assert q.receive("jobs") is None
        assert q.length("jobs") == 0
        assert q.peek("jobs") is None

    def test_release_makes_it_visible_at_once_in_its_place(self) -> None:
        q = self.basic()
        first = q.enqueue("jobs", b"a")
        q.enqueue("jobs", b"b")
        lease = q.receive("jobs")
        assert lease.id == first
        q.release(lease)
        assert q.length("jobs") == 2
        again = q.receive("jobs")
        assert again is not None
        assert again.id == first
        assert again.message.attempts == 2
        assert again.receipt != lease.receipt

    def test_unacked_past_the_timeout_is_delivered_again_with_attempts_plus_one(
        self,
    ) -> None:
        q = self.basic()
        msg_id = q.enqueue("jobs", b"x")
        lease = q.receive("jobs", visibility_timeout=VT)
        assert lease.message.attempts == 1
        assert q.receive("jobs") is None
        self.advance(PAST)
        again = self.soon(lambda: q.receive("jobs", visibility_timeout=VT))
        assert again.id == msg_id
        assert again.payload == b"x"
        assert again.message.attempts == 2
        assert again.receipt != lease.receipt
        q.ack(again)

    def test_a_lapsed_lease_returns_to_its_old_place_in_line(self) -> None:
        # Not to the tail: the lapsed message is ahead of the ones enqueued after it, even of
        # one enqueued while it was leased.
        q = self.basic()
        first = q.enqueue("jobs", b"a")
        q.enqueue("jobs", b"b")
        lease = q.receive("jobs", visibility_timeout=VT)
        assert lease.id == first
        q.enqueue("jobs", b"c")
        self.advance(PAST)
        again = self.soon(lambda: q.receive("jobs", visibility_timeout=60))
        assert (again.id, again.message.attempts) == (first, 2)
        rest = [q.receive("jobs", visibility_timeout=60) for _ in range(2)]
        assert [r.payload for r in rest] == [b"b", b"c"]

    def test_a_lease_lapses_exactly_at_its_deadline(self) -> None:
        q = self.basic()
        msg_id = q.enqueue("jobs", b"x")
        lease = q.receive("jobs", visibility_timeout=VT)
        if not self.has_clock:
            self.advance(VT)
            again = self.soon(lambda: q.receive("jobs"))
            assert (again.id, again.message.attempts) == (msg_id, 2)
            return
        self.advance(VT - 2**-10)
        assert q.receive("jobs") is None
        self.advance(2**-10)  # dyadic steps add exactly to the float clock
        with pytest.raises(prism.LeaseLostError):
            q.ack(lease)
        again = q.receive("jobs")
        assert again is not None
        assert (again.id, again.message.attempts) == (msg_id, 2)

    def test_not_delivered_again_before_the_timeout(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"x")
        q.receive("jobs", visibility_timeout=1.0)
        self.advance(0.5)
        assert q.receive("jobs") is None
        assert q.length("jobs") == 0

    def test_extend_visibility_postpones_redelivery(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"x")
        lease = q.receive("jobs", visibility_timeout=VT)
        self.advance(0.3)
        renewed = q.extend_visibility(lease, 1.0)
        assert isinstance(renewed, Lease)
        assert (renewed.id, renewed.receipt) == (lease.id, lease.receipt)
        assert renewed.deadline > lease.deadline
        self.advance(0.4)  # past the first deadline, before the renewed one
        assert q.receive("jobs") is None
        self.advance(0.7)
        again = self.soon(lambda: q.receive("jobs"))
        assert again.id == lease.id
        assert again.message.attempts == 2

    def test_renewed_lease_settles(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"x")
        lease = q.receive("jobs", visibility_timeout=VT)
        renewed = q.extend_visibility(lease, timedelta(seconds=30))
        self.advance(PAST)
        q.ack(renewed)
        assert q.receive("jobs") is None
        assert q.length("jobs") == 0

    def test_ack_after_the_lease_lapsed_raises_and_keeps_the_message(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"x")
        lease = q.receive("jobs", visibility_timeout=VT)
        self.advance(PAST)
        with pytest.raises(prism.LeaseLostError):
            q.ack(lease)
        again = self.soon(lambda: q.receive("jobs"))
        assert again.id == lease.id

    def test_settling_with_a_lease_of_an_earlier_delivery_raises(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"x")
        old = q.receive("jobs", visibility_timeout=VT)
        self.advance(PAST)
        new = self.soon(lambda: q.receive("jobs"))
        settles: tuple[Call[Any], ...] = (
            lambda: q.ack(old),
            lambda: q.release(old),
            lambda: q.extend_visibility(old, 30),
        )
        for settle in settles:
            with pytest.raises(prism.LeaseLostError):
                settle()
        assert q.receive("jobs") is None  # the new lease still holds it
        q.ack(new)
        assert q.length("jobs") == 0

    def test_ack_twice_raises(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"x")
        lease = q.receive("jobs")
        q.ack(lease)
        with pytest.raises(prism.LeaseLostError) as info:
            q.ack(lease)
        assert isinstance(info.value, prism.ConflictError)

    def test_settling_after_release_raises(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"x")
        lease = q.receive("jobs")
        q.release(lease)
        settles: tuple[Call[Any], ...] = (
            lambda: q.ack(lease),
            lambda: q.release(lease),
            lambda: q.extend_visibility(lease, 30),
        )
        for settle in settles:
            with pytest.raises(prism.LeaseLostError):
                settle()
        assert q.length("jobs") == 1

    def test_receive_empty_returns_none(self) -> None:
        q = self.basic()
        assert q.receive("empty") is None
        assert q.receive("empty", timeout=0) is None

    def test_waiting_receive_gets_a_message_enqueued_meanwhile(self) -> None:
        q = self.basic()
        handle = start_background(lambda: q.receive("jobs", timeout=5))
        q.enqueue("jobs", b"hello")
        lease = join(handle)
        assert lease is not None
        assert lease.payload == b"hello"
        q.ack(lease)

    def test_competing_receivers_never_get_one_message_twice_within_a_lease(self) -> None:
        q = self.basic()
        sent = {q.enqueue("work", str(i).encode()) for i in range(400)}
        batches = run_concurrently([lambda: receive_all(q, "work") for _ in range(4)])
        leases = [lease for batch in batches for lease in batch]
        assert len(leases) == len({lease.id for lease in leases}) == 400
        assert {lease.id for lease in leases} == sent
        run_concurrently([partial(q.ack, lease) for lease in leases])
        assert q.length("work") == 0
        assert q.receive("work") is None

    @pytest.mark.parametrize("visibility_timeout", [0, -1, float("nan"), "30", None])
    def test_bad_visibility_timeouts_rejected(self, visibility_timeout: Any) -> None:
        q = self.basic()
        q.enqueue("jobs", b"x")
        with pytest.raises(prism.InvalidArgumentError):
            q.receive("jobs", visibility_timeout=visibility_timeout)
        lease = q.receive("jobs")
        with pytest.raises(prism.InvalidArgumentError):
            q.extend_visibility(lease, visibility_timeout)
        q.ack(lease)

    @pytest.mark.parametrize("lease", [None, "receipt", b"receipt", 1])
    def test_non_leases_rejected(self, lease: Any) -> None:
        q = self.basic()
        settles: tuple[Call[Any], ...] = (
            lambda: q.ack(lease),
            lambda: q.release(lease),
            lambda: q.extend_visibility(lease, 30),
        )
        for settle in settles:
            with pytest.raises(prism.InvalidArgumentError):
                settle()

    @pytest.mark.parametrize("name", BAD_NAMES)
    def test_bad_queue_names_rejected(self, name: Any) -> None:
        q = self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            q.receive(name)

    def test_a_lease_cannot_settle_in_another_namespace(self) -> None:
        a = self.basic()
        b = self.basic()
        a.enqueue("jobs", b"x")
        lease = a.receive("jobs")
        with pytest.raises(prism.LeaseLostError):
            b.ack(lease)
        a.ack(lease)


class QueueDeadLetterSuite(_QueueSuite, interface="queue_dead_letter"):
    """Exhausted messages move to the dead-letter queue and back, never lost or duplicated."""

    def fail(self, q: Any, queue: str, times: int) -> None:
        """Receive and release the head of ``queue`` ``times`` times."""
        for _ in range(times):
            lease = q.receive(queue)
            assert lease is not None
            q.release(lease)

    def test_exhausted_by_releases_moves_to_the_dead_letter_queue(self) -> None:
        q = self.basic()
        q.configure_dead_letter("jobs", max_attempts=3, dead_letter_queue="jobs.dlq")
        msg_id = q.enqueue("jobs", b"poison", headers={"h": "v"})
        self.fail(q, "jobs", 3)
        assert q.receive("jobs") is None
        assert q.length("jobs") == 0
        (dead,) = q.dead_letters("jobs")
        assert (dead.id, dead.payload, dead.attempts) == (msg_id, b"poison", 3)
        assert dict(dead.headers) == {"h": "v"}
        assert dead.queue == "jobs.dlq"
        assert q.length("jobs.dlq") == 1

    def test_exhausted_by_lapse_moves_to_the_dead_letter_queue(self) -> None:
        q = self.basic()
        q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        msg_id = q.enqueue("jobs", b"poison")
        q.receive("jobs", visibility_timeout=VT)
        self.advance(PAST)
        dead = self.soon(lambda: q.dead_letters("jobs"))
        assert [(m.id, m.attempts) for m in dead] == [(msg_id, 1)]
        assert q.receive("jobs") is None
        assert q.length("jobs") == 0

    def test_failures_below_max_attempts_stay_in_the_queue(self) -> None:
        q = self.basic()
        q.configure_dead_letter("jobs", max_attempts=3, dead_letter_queue="jobs.dlq")
        q.enqueue("jobs", b"x")
        self.fail(q, "jobs", 2)
        assert q.dead_letters("jobs") == []
        assert q.length("jobs.dlq") == 0
        lease = q.receive("jobs")
        assert lease.message.attempts == 3

    def test_ack_on_the_last_attempt_does_not_dead_letter(self) -> None:
        q = self.basic()
        q.configure_dead_letter("jobs", max_attempts=2, dead_letter_queue="jobs.dlq")
        q.enqueue("jobs", b"x")
        self.fail(q, "jobs", 1)
        q.ack(q.receive("jobs"))
        assert q.dead_letters("jobs") == []
        assert q.length("jobs.dlq") == 0
        assert q.length("jobs") == 0

    def test_the_dead_letter_queue_is_an_ordinary_queue(self) -> None:
        q = self.basic()
        q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        msg_id = q.enqueue("jobs", b"x")
        self.fail(q, "jobs", 1)
        msg = q.dequeue("jobs.dlq")
        assert msg is not None
        assert msg.id == msg_id
        assert q.dead_letters("jobs") == []
        assert q.redrive("jobs") == 0
        assert q.length("jobs") == 0

    def test_redrive_moves_back_with_attempts_reset(self) -> None:
        q = self.basic()
        q.configure_dead_letter("jobs", max_attempts=2, dead_letter_queue="jobs.dlq")
        msg_id = q.enqueue("jobs", b"x", headers={"h": "v"})
        self.fail(q, "jobs", 2)
        assert q.redrive("jobs") == 1
        assert q.dead_letters("jobs") == []
        assert q.length("jobs.dlq") == 0
        assert q.length("jobs") == 1
        peeked = q.peek("jobs")
        assert (peeked.id, peeked.queue, peeked.attempts) == (msg_id, "jobs", 0)
        lease = q.receive("jobs")
        assert (lease.id, lease.payload, lease.message.attempts) == (msg_id, b"x", 1)
        assert dict(lease.message.headers) == {"h": "v"}

    def test_redriven_message_goes_to_the_tail_and_can_fail_again(self) -> None:
        q = self.basic()
        q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        poison = q.enqueue("jobs", b"poison")
        self.fail(q, "jobs", 1)
        fresh = q.enqueue("jobs", b"fresh")
        assert q.redrive("jobs") == 1
        first, second = q.receive("jobs"), q.receive("jobs")
        assert (first.id, second.id) == (fresh, poison)
        q.ack(first)
        q.release(second)
        assert [m.id for m in q.dead_letters("jobs")] == [poison]

    def test_nothing_lost_or_duplicated(self) -> None:
        q = self.basic()
        q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        ids = [q.enqueue("jobs", str(i).encode()) for i in range(20)]
        leases = receive_all(q, "jobs")
        assert [lease.id for lease in leases] == ids
        for i, lease in enumerate(leases):
            (q.ack(lease) if i % 2 == 0 else q.release(lease))
        failed = ids[1::2]
        assert [m.id for m in q.dead_letters("jobs")] == failed
        assert q.length("jobs.dlq") == 10
        assert q.length("jobs") == 0
        assert q.redrive("jobs") == 10
        assert q.dead_letters("jobs") == []
        assert q.length("jobs.dlq") == 0
        assert [m.id for m in drain(q, "jobs")] == failed

    def test_concurrent_redrives_move_each_message_once(self) -> None:
        q = self.basic()
        q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        ids = {q.enqueue("jobs", str(i).encode()) for i in range(40)}
        for lease in receive_all(q, "jobs"):
            q.release(lease)
        moved = run_concurrently([lambda: q.redrive("jobs", limit=7) for _ in range(8)])
        assert sum(moved) == 40
        got = [m.id for m in drain(q, "jobs")]
        assert len(got) == 40
        assert set(got) == ids
        assert q.length("jobs.dlq") == 0

    def test_dead_letters_oldest_first_with_limit(self) -> None:
        q = self.basic()
        q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        for i in range(5):
            q.enqueue("jobs", bytes([i]))
        for lease in reversed(receive_all(q, "jobs")):  # dead-letter them newest first
            q.release(lease)
        dead = q.dead_letters("jobs")
        assert [m.payload for m in dead] == [bytes([i]) for i in reversed(range(5))]
        limited = q.dead_letters("jobs", limit=2)
        assert [m.payload for m in limited] == [b"\x04", b"\x03"]
        assert len(q.dead_letters("jobs")) == 5  # listing removes nothing

    def test_redrive_limit(self) -> None:
        q = self.basic()
        q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        ids = [q.enqueue("jobs", bytes([i])) for i in range(5)]
        for lease in receive_all(q, "jobs"):
            q.release(lease)
        assert q.redrive("jobs", limit=2) == 2
        assert [m.id for m in q.dead_letters("jobs")] == ids[2:]
        assert [m.id for m in drain(q, "jobs")] == ids[:2]
        assert q.redrive("jobs", limit=0) == 0
        assert q.redrive("jobs") == 3
        assert q.redrive("jobs") == 0

    def test_without_configuration_nothing_is_dead_lettered(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"x")
        self.fail(q, "jobs", 5)
        assert q.dead_letters("jobs") == []
        assert q.redrive("jobs") == 0
        assert (q.receive("jobs")).message.attempts == 6

    def test_dead_letters_are_kept_per_source_queue(self) -> None:
        q = self.basic()
        for name in ("a", "b"):
            q.configure_dead_letter(name, max_attempts=1, dead_letter_queue="shared.dlq")
            q.enqueue(name, name.encode())
            self.fail(q, name, 1)
        assert [m.payload for m in q.dead_letters("a")] == [b"a"]
        assert [m.payload for m in q.dead_letters("b")] == [b"b"]
        assert q.length("shared.dlq") == 2
        assert q.redrive("a") == 1
        assert [m.payload for m in drain(q, "a")] == [b"a"]
        assert [m.payload for m in q.dead_letters("b")] == [b"b"]

    def test_reconfiguring_applies_to_later_failures(self) -> None:
        q = self.basic()
        q.configure_dead_letter("jobs", max_attempts=5, dead_letter_queue="old.dlq")
        q.enqueue("jobs", b"x")
        self.fail(q, "jobs", 2)
        q.configure_dead_letter("jobs", max_attempts=3, dead_letter_queue="new.dlq")
        self.fail(q, "jobs", 1)
        assert q.length("old.dlq") == 0
        assert q.length("new.dlq") == 1
        assert [m.attempts for m in q.dead_letters("jobs")] == [3]

    @pytest.mark.parametrize("max_attempts", [0, -1, 1.5, "3", None, True])
    def test_bad_max_attempts_rejected(self, max_attempts: Any) -> None:
        q = self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            q.configure_dead_letter("jobs", max_attempts=max_attempts, dead_letter_queue="dlq")

    def test_a_queue_cannot_be_its_own_dead_letter_queue(self) -> None:
        q = self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs")

    @pytest.mark.parametrize("name", BAD_NAMES)
    def test_bad_queue_names_rejected(self, name: Any) -> None:
        q = self.basic()
        calls: tuple[Call[Any], ...] = (
            lambda: q.configure_dead_letter(name, max_attempts=1, dead_letter_queue="dlq"),
            lambda: q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue=name),
            lambda: q.dead_letters(name),
            lambda: q.redrive(name),
        )
        for call in calls:
            with pytest.raises(prism.InvalidArgumentError):
                call()

    @pytest.mark.parametrize("limit", [-1, 1.5, "2"])
    def test_bad_limits_rejected(self, limit: Any) -> None:
        q = self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            q.dead_letters("jobs", limit=limit)
        with pytest.raises(prism.InvalidArgumentError):
            q.redrive("jobs", limit=limit)

    def test_namespaces_are_isolated(self) -> None:
        a = self.basic()
        b = self.basic()
        a.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
        b.enqueue("jobs", b"b")
        self.fail(b, "jobs", 1)  # b has no dead-letter rule
        assert b.dead_letters("jobs") == []
        a.enqueue("jobs", b"a")
        self.fail(a, "jobs", 1)
        assert b.dead_letters("jobs") == []
        assert b.length("jobs.dlq") == 0
        assert b.redrive("jobs") == 0
        assert [m.payload for m in a.dead_letters("jobs")] == [b"a"]


class QueuePrioritySuite(_QueueSuite, interface="queue_priority"):
    """Higher priority first, FIFO within a priority, plain enqueue is priority 0."""

    def test_higher_priority_first(self) -> None:
        q = self.basic()
        for priority in (1, 5, 3, -2):
            q.enqueue("jobs", str(priority).encode(), priority=priority)
        got = drain(q, "jobs")
        assert [m.priority for m in got] == [5, 3, 1, -2]
        assert [m.payload for m in got] == [b"5", b"3", b"1", b"-2"]

    def test_fifo_within_a_priority(self) -> None:
        q = self.basic()
        for i in range(10):
            q.enqueue("jobs", f"{i % 2}:{i}".encode(), priority=i % 2)
        got = [m.payload.decode() for m in drain(q, "jobs")]
        assert got == [f"1:{i}" for i in range(1, 10, 2)] + [f"0:{i}" for i in range(0, 10, 2)]

    def test_priority_and_plain_enqueue_interleaved(self) -> None:
        q = self.basic()
        plan = [None, 2, None, -1, 2, None, 0, 1]
        for i, priority in enumerate(plan):
            if priority is None:
                q.enqueue("jobs", bytes([i]))
            else:
                q.enqueue("jobs", bytes([i]), priority=priority)
        expected = sorted(range(len(plan)), key=lambda i: (-(plan[i] or 0), i))
        got = drain(q, "jobs")
        assert [m.payload[0] for m in got] == expected
        assert [m.priority for m in got] == [plan[i] or 0 for i in expected]

    def test_random_priorities_come_out_in_stable_order(self) -> None:
        q = self.basic()
        rng = random.Random(20240601)
        priorities = [rng.randint(-3, 3) for _ in range(300)]
        for i, priority in enumerate(priorities):
            q.enqueue("jobs", str(i).encode(), priority=priority)
        expected = sorted(range(300), key=lambda i: (-priorities[i], i))
        assert [int(m.payload) for m in drain(q, "jobs")] == expected

    def test_peek_and_length_see_priorities(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"low", priority=-5)
        q.enqueue("jobs", b"high", priority=7)
        peeked = q.peek("jobs")
        assert (peeked.payload, peeked.priority) == (b"high", 7)
        assert q.length("jobs") == 2

    def test_extreme_priorities(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"min", priority=-(2**31))
        q.enqueue("jobs", b"plain")
        q.enqueue("jobs", b"max", priority=2**31 - 1)
        assert [m.payload for m in drain(q, "jobs")] == [b"max", b"plain", b"min"]

    @pytest.mark.parametrize("priority", [1.5, "high", None, True, 2**31, -(2**31) - 1])
    def test_bad_priorities_rejected(self, priority: Any) -> None:
        q = self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            q.enqueue("jobs", b"x", priority=priority)
        assert q.length("jobs") == 0

    def test_concurrent_producers_of_different_priorities(self) -> None:
        q = self.basic()

        def produce(priority: int) -> None:
            for i in range(50):
                q.enqueue("jobs", f"{priority}:{i}".encode(), priority=priority)

        run_concurrently([partial(produce, p) for p in range(4)])
        got = [m.payload.decode() for m in drain(q, "jobs")]
        assert got == [f"{p}:{i}" for p in reversed(range(4)) for i in range(50)]

    def test_a_lapsed_message_keeps_its_place_by_priority(self) -> None:
        if not self.declares("queue_visibility"):
            pytest.skip("the backend does not declare queue_visibility")
        q = self.basic()
        q.enqueue("jobs", b"low", priority=1)
        q.enqueue("jobs", b"high", priority=9)
        q.enqueue("jobs", b"high-2", priority=9)
        lease = q.receive("jobs", visibility_timeout=VT)
        assert lease.payload == b"high"
        q.enqueue("jobs", b"mid", priority=5)
        q.enqueue("jobs", b"high-3", priority=9)
        self.advance(PAST)
        self.soon(lambda: _is(q.length("jobs"), 5))
        got = [m.payload for m in drain(q, "jobs")]
        assert got == [b"high", b"high-2", b"high-3", b"mid", b"low"]

    def test_released_message_keeps_its_priority(self) -> None:
        if not self.declares("queue_visibility"):
            pytest.skip("the backend does not declare queue_visibility")
        q = self.basic()
        q.enqueue("jobs", b"low", priority=1)
        q.enqueue("jobs", b"high", priority=9)
        lease = q.receive("jobs")
        assert lease.payload == b"high"
        q.enqueue("jobs", b"mid", priority=5)
        q.release(lease)
        assert [m.payload for m in drain(q, "jobs")] == [b"high", b"mid", b"low"]


class QueueDelayedSuite(_QueueSuite, interface="queue_delayed"):
    """Not delivered before its time, delivered soon after; scheduled_count; delay 0."""

    def test_not_delivered_before_its_time_and_delivered_after(self) -> None:
        q = self.basic()
        msg_id = q.enqueue("jobs", b"later", headers={"h": "v"}, delay=VT)
        assert q.dequeue("jobs") is None
        assert q.peek("jobs") is None
        assert q.length("jobs") == 0
        self.advance(PAST)
        msg = self.soon(lambda: q.dequeue("jobs"))
        assert (msg.id, msg.payload, msg.attempts) == (msg_id, b"later", 1)
        assert dict(msg.headers) == {"h": "v"}

    def test_scheduled_count_counts_it_until_then(self) -> None:
        q = self.basic()
        for i in range(3):
            q.enqueue("jobs", bytes([i]), delay=VT)
        q.enqueue("jobs", b"now")
        q.enqueue("other", b"later", delay=VT)
        assert q.scheduled_count("jobs") == 3
        assert q.length("jobs") == 1
        assert q.scheduled_count("empty") == 0
        self.advance(PAST)
        self.soon(lambda: _is(q.scheduled_count("jobs"), 0))
        assert q.length("jobs") == 4
        assert q.scheduled_count("other") == 0

    def test_a_delayed_message_is_due_exactly_at_its_time(self) -> None:
        q = self.basic()
        msg_id = q.enqueue("jobs", b"later", delay=VT)
        if not self.has_clock:
            self.advance(VT)
            assert (self.soon(lambda: q.dequeue("jobs"))).id == msg_id
            return
        q.enqueue("jobs", b"at", not_before=self.now() + VT)
        self.advance(VT - 2**-10)
        assert q.dequeue("jobs") is None
        assert q.scheduled_count("jobs") == 2
        self.advance(2**-10)  # dyadic steps add exactly to the float clock
        assert q.scheduled_count("jobs") == 0
        assert [m.payload for m in drain(q, "jobs")] == [b"later", b"at"]
        q.enqueue("jobs", b"now", not_before=self.now())
        assert q.scheduled_count("jobs") == 0
        assert (q.dequeue("jobs")).payload == b"now"

    def test_a_due_message_takes_its_place_by_enqueue_order(self) -> None:
        # A message's place in line is fixed when it is enqueued; its delay only decides when
        # it may leave.  Once due it is ahead of messages enqueued after it.
        q = self.basic()
        q.enqueue("jobs", b"first-plain")
        q.enqueue("jobs", b"delayed", delay=VT)
        q.enqueue("jobs", b"second-plain")
        q.enqueue("jobs", b"delayed-later", delay=60)
        q.enqueue("jobs", b"third-plain")
        self.advance(PAST)
        self.soon(lambda: _is(q.length("jobs"), 4))
        got = [m.payload for m in drain(q, "jobs")]
        assert got == [b"first-plain", b"delayed", b"second-plain", b"third-plain"]

    def test_delay_zero_is_immediate(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"now", delay=0)
        q.enqueue("jobs", b"also-now", delay=timedelta(0))
        assert q.scheduled_count("jobs") == 0
        assert [m.payload for m in drain(q, "jobs")] == [b"now", b"also-now"]

    def test_timedelta_delay(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"later", delay=timedelta(seconds=VT))
        assert q.dequeue("jobs") is None
        self.advance(PAST)
        assert (self.soon(lambda: q.dequeue("jobs"))).payload == b"later"

    def test_not_before(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"float", not_before=self.now() + VT)
        when = datetime.fromtimestamp(self.now() + VT, tz=UTC)
        q.enqueue("jobs", b"datetime", not_before=when)
        assert q.scheduled_count("jobs") == 2
        assert q.dequeue("jobs") is None
        self.advance(PAST)
        self.soon(lambda: _is(q.length("jobs"), 2))
        assert {m.payload for m in drain(q, "jobs")} == {b"float", b"datetime"}

    def test_not_before_in_the_past_is_immediate(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"late", not_before=self.now() - 60)
        assert q.scheduled_count("jobs") == 0
        assert (q.dequeue("jobs")).payload == b"late"

    def test_a_delayed_message_does_not_hold_back_others(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"later", delay=VT)
        q.enqueue("jobs", b"now")
        assert (q.peek("jobs")).payload == b"now"
        assert (q.dequeue("jobs")).payload == b"now"
        assert q.dequeue("jobs") is None

    def test_waiting_dequeue_gets_a_delayed_message_once_due(self) -> None:
        q = self.basic()
        q.enqueue("jobs", b"later", delay=VT)
        handle = start_background(lambda: q.dequeue("jobs", timeout=5))
        self.advance(PAST)
        msg = join(handle)
        assert msg is not None
        assert msg.payload == b"later"

    def test_invisible_to_receive_until_due(self) -> None:
        if not self.declares("queue_visibility"):
            pytest.skip("the backend does not declare queue_visibility")
        q = self.basic()
        q.enqueue("jobs", b"later", delay=VT)
        assert q.receive("jobs") is None
        self.advance(PAST)
        lease = self.soon(lambda: q.receive("jobs"))
        assert lease.payload == b"later"

    def test_due_message_keeps_its_priority(self) -> None:
        if not self.declares("queue_priority"):
            pytest.skip("the backend does not declare queue_priority")
        q = self.basic()
        q.enqueue("jobs", b"urgent", delay=VT, priority=9)
        q.enqueue("jobs", b"plain")
        self.advance(PAST)
        self.soon(lambda: _is(q.scheduled_count("jobs"), 0))
        assert [m.payload for m in drain(q, "jobs")] == [b"urgent", b"plain"]

    def test_delay_and_not_before_together_rejected(self) -> None:
        q = self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            q.enqueue("jobs", b"x", delay=1, not_before=self.now() + 1)
        assert q.scheduled_count("jobs") == 0
        assert q.length("jobs") == 0

    @pytest.mark.parametrize("delay", [-1, float("nan"), float("inf"), "1", True])
    def test_bad_delays_rejected(self, delay: Any) -> None:
        q = self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            q.enqueue("jobs", b"x", delay=delay)

    @pytest.mark.parametrize("not_before", ["tomorrow", float("nan"), True, b"1"])
    def test_bad_not_before_rejected(self, not_before: Any) -> None:
        q = self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            q.enqueue("jobs", b"x", not_before=not_before)

    @pytest.mark.parametrize("name", BAD_NAMES)
    def test_bad_queue_names_rejected(self, name: Any) -> None:
        q = self.basic()
        with pytest.raises(prism.InvalidArgumentError):
            q.scheduled_count(name)
        with pytest.raises(prism.InvalidArgumentError):
            q.enqueue(name, b"x", delay=1)

    def test_namespaces_are_isolated(self) -> None:
        a = self.basic()
        b = self.basic()
        a.enqueue("jobs", b"later", delay=VT)
        assert b.scheduled_count("jobs") == 0
        self.advance(PAST)
        assert b.dequeue("jobs") is None
        assert (self.soon(lambda: a.dequeue("jobs"))).payload == b"later"


def _is(value: Any, expected: object) -> bool:
    """For ``eventually``: whether a ``value`` equals ``expected``."""
    return bool(value == expected)


# ===== hostile names (issue 8, security) ====================================================
# Kept apart from the cases above: the class extends the interface's suite and takes over its
# registration, so every backend runs these too.

from prism.testing._hostile import HOSTILE_NAMES


class QueueBasicHostileSuite(QueueBasicSuite, interface="queue_basic"):
    def test_hostile_queue_names_are_kept_apart(self) -> None:
        q = self.basic()
        other = self.basic()
        for name in HOSTILE_NAMES:
            q.enqueue(name, name.encode(), headers={name: name})
        for name in HOSTILE_NAMES:
            assert q.length(name) == 1
            assert other.length(name) == 0
            peeked = q.peek(name)
            assert peeked is not None
            assert peeked.queue == name
        for name in reversed(HOSTILE_NAMES):
            message = q.dequeue(name)
            assert message is not None
            assert (message.queue, message.payload) == (name, name.encode())
            assert dict(message.headers) == {name: name}
            assert q.dequeue(name) is None
