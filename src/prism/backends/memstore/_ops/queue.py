"""memstore queue state of one namespace: plain data and its transitions, guarded by the store
lock (every method expects the caller to hold it).

A message is in exactly one of three places:

* ready — in its queue's heap ``ready[queue]`` of ``(-priority, seq, id)``, so the head is
  the highest priority, then the lowest ``seq`` (enqueue order; redrive and dead-lettering
  give a new ``seq``, a lapse or release keeps it);
* leased — in no heap but ``leases``, a heap of ``(deadline, receipt, id)`` whose entries go
  stale when the lease is settled or extended (skipped when popped);
* scheduled — in ``scheduled``, a heap of ``(due, seq, id)``.

:meth:`QueueState.tick` moves due messages to ready and lapsed leases back to ready (or to the
dead-letter queue); it runs at the start of every operation, so nothing needs a timer.
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from prism.errors import LeaseLostError
from prism.types import Lease, QueueMessage

READY, LEASED, SCHEDULED = "ready", "leased", "scheduled"


@dataclass(eq=False)
class Message:
    id: str
    queue: str
    payload: bytes
    headers: Mapping[str, str]
    priority: int
    enqueued_at: float
    seq: int
    state: str = READY
    attempts: int = 0
    receipt: str = ""
    deadline: float = 0.0
    origin: str | None = None
    """The queue this message was dead-lettered from, while it waits in a dead-letter queue."""

    def view(self) -> QueueMessage:
        return QueueMessage(
            id=self.id,
            queue=self.queue,
            payload=self.payload,
            headers=self.headers,
            attempts=self.attempts,
            enqueued_at=self.enqueued_at,
            priority=self.priority,
        )


@dataclass(frozen=True)
class DeadLetterRule:
    max_attempts: int
    dead_letter_queue: str


@dataclass(eq=False)
class QueueState:
    messages: dict[str, Message] = field(default_factory=dict)
    ready: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    scheduled: list[tuple[float, int, str]] = field(default_factory=list)
    scheduled_counts: dict[str, int] = field(default_factory=dict)
    leases: list[tuple[float, str, str]] = field(default_factory=list)
    rules: dict[str, DeadLetterRule] = field(default_factory=dict)
    dead: dict[str, dict[str, None]] = field(default_factory=dict)
    """Source queue → ids of its dead letters, in the order they were dead-lettered."""
    _seq: itertools.count[int] = field(default_factory=itertools.count)

    # time ---------------------------------------------------------------------------------------
    def tick(self, now: float) -> set[str]:
        """Promote due messages and hand back lapsed leases; the queues where a message became
        ready (a lapse that dead-letters makes it ready in the dead-letter queue)."""
        changed: set[str] = set()
        while self.scheduled and self.scheduled[0][0] <= now:
            msg = self.messages[heapq.heappop(self.scheduled)[2]]
            self.scheduled_counts[msg.queue] -= 1
            if not self.scheduled_counts[msg.queue]:
                del self.scheduled_counts[msg.queue]
            self.make_ready(msg)
            changed.add(msg.queue)
        while self.leases and self.leases[0][0] <= now:
            deadline, receipt, msg_id = heapq.heappop(self.leases)
            held = self.messages.get(msg_id)
            if (
                held
                and held.state == LEASED
                and held.receipt == receipt
                and held.deadline == deadline
            ):
                self.fail(held)
                changed.add(held.queue)
        return changed

    def next_event(self) -> float | None:
        """When :meth:`tick` may next have something to do (None: never, as things stand)."""
        times = [heap[0][0] for heap in (self.scheduled, self.leases) if heap]
        return min(times) if times else None

    # producing ----------------------------------------------------------------------------------
    def add(
        self,
        queue: str,
        payload: bytes,
        headers: Mapping[str, str] | None,
        priority: int,
        now: float,
        due: float,
    ) -> str:
        msg = Message(
            id=uuid.uuid4().hex,
            queue=queue,
            payload=payload,
            headers=MappingProxyType(dict(headers or {})),
            priority=priority,
            enqueued_at=now,
            seq=next(self._seq),
        )
        self.messages[msg.id] = msg
        if due > now:
            msg.state = SCHEDULED
            heapq.heappush(self.scheduled, (due, msg.seq, msg.id))
            self.scheduled_counts[queue] = self.scheduled_counts.get(queue, 0) + 1
        else:
            self.make_ready(msg)
        return msg.id

    def make_ready(self, msg: Message) -> None:
        msg.state, msg.receipt = READY, ""
        heapq.heappush(self.ready.setdefault(msg.queue, []), (-msg.priority, msg.seq, msg.id))

    # consuming ----------------------------------------------------------------------------------
    def head(self, queue: str) -> Message | None:
        heap = self.ready.get(queue)
        return self.messages[heap[0][2]] if heap else None

    def take(self, queue: str) -> Message | None:
        """Pop the next ready message of ``queue`` and count the delivery."""
        heap = self.ready.get(queue)
        if not heap:
            return None
        msg = self.messages[heapq.heappop(heap)[2]]
        if not heap:
            del self.ready[queue]
        msg.attempts += 1
        return msg

    def lease(self, msg: Message, now: float, visibility_timeout: float) -> Lease:
        msg.state, msg.receipt = LEASED, uuid.uuid4().hex
        return self.extend(msg, now, visibility_timeout)

    def extend(self, msg: Message, now: float, visibility_timeout: float) -> Lease:
        msg.deadline = now + visibility_timeout
        heapq.heappush(self.leases, (msg.deadline, msg.receipt, msg.id))
        return Lease(message=msg.view(), receipt=msg.receipt, deadline=msg.deadline)

    def held(self, lease: Lease, operation: str) -> Message:
        """The message ``lease`` still holds (call :meth:`tick` first), or LeaseLostError."""
        msg = self.messages.get(lease.id)
        if msg is None or msg.state != LEASED or msg.receipt != lease.receipt:
            why = (
                "it was settled or lapsed"
                if msg is None or msg.state != LEASED
                else "the message was delivered again since"
            )
            text = f"the lease on message {lease.id!r} is no longer held: {why}"
            raise LeaseLostError(text, backend="memstore", operation=operation)
        return msg

    def remove(self, msg: Message) -> None:
        """Forget a message that was just taken or whose lease is held."""
        del self.messages[msg.id]
        self._forget_dead(msg)

    def fail(self, msg: Message) -> None:
        """A delivery failed (released or lapsed): dead-letter the message if that was its last
        attempt, else make it ready again in its old place."""
        rule = self.rules.get(msg.queue)
        if rule is not None and msg.attempts >= rule.max_attempts:
            self.dead_letter(msg, rule.dead_letter_queue)
        else:
            self.make_ready(msg)

    # dead letters -------------------------------------------------------------------------------
    def _forget_dead(self, msg: Message) -> None:
        if msg.origin is not None:
            ids = self.dead[msg.origin]
            del ids[msg.id]
            if not ids:
                del self.dead[msg.origin]
            msg.origin = None

    def dead_letter(self, msg: Message, dead_letter_queue: str) -> None:
        self._forget_dead(msg)
        msg.origin, msg.queue, msg.seq = msg.queue, dead_letter_queue, next(self._seq)
        self.dead.setdefault(msg.origin, {})[msg.id] = None
        self.make_ready(msg)

    def dead_letters(self, queue: str, limit: int | None) -> list[Message]:
        """``queue``'s dead letters that are ready in their dead-letter queue, oldest first."""
        found: list[Message] = []
        for msg_id in self.dead.get(queue, ()):
            if limit is not None and len(found) >= limit:
                break
            msg = self.messages[msg_id]
            if msg.state == READY:
                found.append(msg)
        return found

    def redrive(self, queue: str, limit: int | None) -> int:
        moved = self.dead_letters(queue, limit)
        ids = {msg.id for msg in moved}
        for dlq in {msg.queue for msg in moved}:
            heap = [entry for entry in self.ready[dlq] if entry[2] not in ids]
            heapq.heapify(heap)
            if heap:
                self.ready[dlq] = heap
            else:
                del self.ready[dlq]
        for msg in moved:
            self._forget_dead(msg)
            msg.queue, msg.seq, msg.attempts = queue, next(self._seq), 0
            self.make_ready(msg)
        return len(moved)
