# Generated from tests/broken/_async/queue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Broken queue variants."""

from __future__ import annotations

import contextlib
import itertools
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from prism.backends.memstore._ops.queue import Message, QueueState
from prism.backends.memstore.queue import MemQueue
from prism.errors import LeaseLostError
from prism.types import Lease, QueueMessage
from tests.broken import Variant


def _fake_lease(msg: QueueMessage | None, now: float, visibility_timeout: Any) -> Lease | None:
    if msg is None:
        return None
    return Lease(
        replace(msg, attempts=msg.attempts + 1), uuid.uuid4().hex, now + float(visibility_timeout)
    )


class VisibleLeaseMemQueue(MemQueue):
    """A lease does not hide its message: receive hands out the head without taking it."""

    def receive(
        self, queue: str, *, visibility_timeout: Any = 30.0, timeout: Any = None
    ) -> Lease | None:
        return _fake_lease(self.peek(queue), self._store.clock(), visibility_timeout)


class LenientAckMemQueue(MemQueue):
    """Acking a lease that was lost silently succeeds."""

    def ack(self, lease: Lease) -> None:
        with contextlib.suppress(LeaseLostError):
            super().ack(lease)


def _exhausted(facet: Any, lease: Lease) -> bool:
    rule = facet._state.rules.get(lease.message.queue)
    return rule is not None and lease.message.attempts >= rule.max_attempts


class LosingDeadLetterMemQueue(MemQueue):
    """Releasing a message on its last attempt deletes it instead of dead-lettering it."""

    def release(self, lease: Lease) -> None:
        if _exhausted(self, lease):
            self.ack(lease)
        else:
            super().release(lease)


class DuplicatingRedriveMemQueue(MemQueue):
    """Redrive leaves a copy of every message it moves behind in the dead-letter queue."""

    def redrive(self, queue: str, *, limit: int | None = None) -> int:
        copies = self.dead_letters(queue, limit=limit)
        moved = super().redrive(queue, limit=limit)
        for msg in copies:
            self.enqueue(msg.queue, msg.payload, headers=msg.headers, priority=msg.priority)
        return moved


class FlatPriorityMemQueue(MemQueue):
    """Priorities are ignored: every message is queued as priority 0."""

    def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
        delay: Any = None,
        not_before: Any = None,
    ) -> str:
        return super().enqueue(queue, payload, headers=headers, delay=delay, not_before=not_before)


class EarlyDelayMemQueue(MemQueue):
    """Delays are ignored: a delayed message is ready at once."""

    def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
        delay: Any = None,
        not_before: Any = None,
    ) -> str:
        return super().enqueue(queue, payload, headers=headers, priority=priority)


class LifoMemQueue(MemQueue):
    """Every enqueue jumps the line: dequeue returns the newest message first."""

    def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
        delay: Any = None,
        not_before: Any = None,
    ) -> str:
        return super().enqueue(
            queue,
            payload,
            headers=headers,
            priority=next(_newer),
            delay=delay,
            not_before=not_before,
        )


_newer = itertools.count()


# Places in line and exact instants (issue 8) ----------------------------------------------------


class _LapseToTailState(QueueState):
    """A lapsed lease sends its message to the tail (a new ``seq``), not its old place."""

    def tick(self, now: float) -> bool:
        for deadline, receipt, msg_id in self.leases:
            held = self.messages.get(msg_id)
            if deadline <= now and held and held.receipt == receipt and held.deadline == deadline:
                held.seq = next(self._seq)
        return super().tick(now)


class _DueToTailState(QueueState):
    """A delayed message, once due, joins the tail instead of its enqueue place."""

    def tick(self, now: float) -> bool:
        for due, _, msg_id in self.scheduled:
            if due <= now:
                self.messages[msg_id].seq = next(self._seq)
        return super().tick(now)


class _LateLapseState(QueueState):
    """A lease still holds at the instant of its deadline (it lapses just after)."""

    def extend(self, msg: Message, now: float, visibility_timeout: float) -> Lease:
        return super().extend(msg, now, visibility_timeout + 1e-6)


class _LateDueState(QueueState):
    """A delayed message is due just after its time, not at it."""

    def add(
        self,
        queue: str,
        payload: bytes,
        headers: Mapping[str, str] | None,
        priority: int,
        now: float,
        due: float,
    ) -> str:
        return super().add(queue, payload, headers, priority, now, due + 1e-6 if due > now else due)


def _with_state(state_class: type[QueueState]) -> type[MemQueue]:
    """A memstore queue whose namespaces keep ``state_class`` state."""

    class Queue(MemQueue):
        __doc__ = state_class.__doc__

        def __init__(self, backend: Any, namespace: str) -> None:
            super().__init__(backend, namespace)
            if type(self._state) is QueueState:
                self._state.__class__ = state_class

    return Queue


LapseToTailMemQueue = _with_state(_LapseToTailState)
DueToTailMemQueue = _with_state(_DueToTailState)
LateLapseMemQueue = _with_state(_LateLapseState)
LateDueMemQueue = _with_state(_LateDueState)


VARIANTS = [
    Variant("queue", "lifo", LifoMemQueue, "queue_basic"),
    Variant(
        "queue",
        "visible-lease",
        VisibleLeaseMemQueue,
        "queue_visibility",
    ),
    Variant("queue", "lenient-ack", LenientAckMemQueue, "queue_visibility"),
    Variant(
        "queue",
        "losing-dead-letter",
        LosingDeadLetterMemQueue,
        "queue_dead_letter",
    ),
    Variant(
        "queue",
        "duplicating-redrive",
        DuplicatingRedriveMemQueue,
        "queue_dead_letter",
    ),
    Variant("queue", "flat-priority", FlatPriorityMemQueue, "queue_priority"),
    Variant("queue", "early-delay", EarlyDelayMemQueue, "queue_delayed"),
    Variant("queue", "lapse-to-tail", LapseToTailMemQueue, "queue_visibility"),
    Variant("queue", "due-to-tail", DueToTailMemQueue, "queue_delayed"),
    Variant("queue", "late-lapse", LateLapseMemQueue, "queue_visibility"),
    Variant("queue", "late-due", LateDueMemQueue, "queue_delayed"),
]
