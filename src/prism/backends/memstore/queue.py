# Generated from src/prism/backends/memstore/_async/queue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""memstore queue: all five interfaces (the state and its rules are in ``_ops/queue.py``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar, cast

from prism._validate import Duration, Timestamp
from prism.backends.base import Facet
from prism.backends.memstore._ops.queue import DeadLetterRule, QueueState
from prism.errors import InvalidArgumentError
from prism.interfaces.queue import (
    QueueBasic,
    QueueDeadLetter,
    QueueDelayed,
    QueuePriority,
    QueueVisibility,
)
from prism.types import Lease, QueueMessage

if TYPE_CHECKING:
    from prism.backends.memstore.backend import MemstoreBackend

T = TypeVar("T")

MIN_WAKE = 0.01
"""Shortest nap of a waiting dequeue/receive between looks at a coming delay or lease lapse."""


class MemQueue(
    Facet,
    QueueBasic,
    QueueVisibility,
    QueueDeadLetter,
    QueuePriority,
    QueueDelayed,
):
    def __init__(self, backend: MemstoreBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._store = backend.store
        self._lock = backend.store.lock
        self._state = backend.store.namespace_state("queue", namespace, QueueState)
        self._waiters = backend.store.waiters

    def _now(self) -> float:
        """Bring the namespace up to the store clock's time (due messages, lapsed leases) and
        return that time.  Call with the lock held."""
        now = self._store.clock()
        for queue in self._state.tick(now):
            self._ready(queue)
        return now

    def _ready(self, queue: str) -> None:
        """Wake the waiters of ``queue`` (a message may be ready there).  Call with the lock."""
        self._waiters.notify(("queue", self.namespace, queue))

    def _wait(self, queue: str, take: Callable[[], T | None], timeout: Duration | None) -> T | None:
        """``take()`` under the lock until it returns a result or ``timeout`` seconds pass.

        Besides a message becoming ready in ``queue`` (an enqueue, release or redrive there), a
        waiter wakes when the next delayed message falls due or the next lease lapses: nothing
        else announces those.
        """
        budget = 0.0 if timeout is None else cast("float", timeout)
        if budget == 0:
            with self._lock:
                return take()
        end = time.monotonic() + budget
        while True:
            remaining = end - time.monotonic()
            nap = remaining
            with self._lock:
                event = self._state.next_event()
                if event is not None:
                    nap = min(nap, max(event - self._store.clock(), MIN_WAKE))
            keys = (("queue", self.namespace, queue),)
            found = self._waiters.wait(keys, take, max(nap, 0.0))
            if found is not None or nap >= remaining:
                return found

    # queue_basic / queue_priority / queue_delayed ------------------------------------------------
    def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
        delay: Duration | None = None,
        not_before: Timestamp | None = None,
    ) -> str:
        with self._lock:
            now = self._now()
            due = now
            if delay is not None:
                due = now + cast("float", delay)  # float seconds after the checks
            elif not_before is not None:
                due = cast("float", not_before)  # epoch seconds after the checks
            msg_id = self._state.add(queue, payload, headers, priority, now, due)
            self._ready(queue)
            return msg_id

    def dequeue(self, queue: str, *, timeout: Duration | None = None) -> QueueMessage | None:
        def take() -> QueueMessage | None:
            self._now()
            msg = self._state.take(queue)
            if msg is None:
                return None
            self._state.remove(msg)
            return msg.view()

        return self._wait(queue, take, timeout)

    def peek(self, queue: str) -> QueueMessage | None:
        with self._lock:
            self._now()
            msg = self._state.head(queue)
            return None if msg is None else msg.view()

    def length(self, queue: str) -> int:
        with self._lock:
            self._now()
            return len(self._state.ready.get(queue, ()))

    def scheduled_count(self, queue: str) -> int:
        with self._lock:
            self._now()
            return self._state.scheduled_counts.get(queue, 0)

    # queue_visibility ----------------------------------------------------------------------------
    def receive(
        self,
        queue: str,
        *,
        visibility_timeout: Duration = 30.0,
        timeout: Duration | None = None,
    ) -> Lease | None:
        hold = cast("float", visibility_timeout)  # float seconds after the checks

        def take() -> Lease | None:
            now = self._now()
            msg = self._state.take(queue)
            return None if msg is None else self._state.lease(msg, now, hold)

        return self._wait(queue, take, timeout)

    def ack(self, lease: Lease) -> None:
        with self._lock:
            self._now()
            self._state.remove(self._state.held(lease, "ack"))

    def extend_visibility(self, lease: Lease, visibility_timeout: Duration) -> Lease:
        with self._lock:
            now = self._now()
            msg = self._state.held(lease, "extend_visibility")
            return self._state.extend(msg, now, cast("float", visibility_timeout))

    def release(self, lease: Lease) -> None:
        with self._lock:
            self._now()
            msg = self._state.held(lease, "release")
            self._state.fail(msg)
            self._ready(msg.queue)

    # queue_dead_letter ---------------------------------------------------------------------------
    def configure_dead_letter(
        self, queue: str, *, max_attempts: int, dead_letter_queue: str
    ) -> None:
        if dead_letter_queue == queue:
            msg = f"queue {queue!r} cannot be its own dead-letter queue; name another queue"
            raise InvalidArgumentError(msg, backend="memstore", operation="configure_dead_letter")
        with self._lock:
            self._state.rules[queue] = DeadLetterRule(max_attempts, dead_letter_queue)

    def dead_letters(self, queue: str, *, limit: int | None = None) -> list[QueueMessage]:
        with self._lock:
            self._now()
            return [msg.view() for msg in self._state.dead_letters(queue, limit)]

    def redrive(self, queue: str, *, limit: int | None = None) -> int:
        with self._lock:
            self._now()
            moved = self._state.redrive(queue, limit)
            if moved:
                self._ready(queue)
            return moved
