"""Broken queue variants."""

from __future__ import annotations

import contextlib
import itertools
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from prism.backends.memstore._async.queue import AsyncMemQueue
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


class AsyncVisibleLeaseMemQueue(AsyncMemQueue):
    async def receive(
        self, queue: str, *, visibility_timeout: Any = 30.0, timeout: Any = None
    ) -> Lease | None:
        return _fake_lease(await self.peek(queue), self._store.clock(), visibility_timeout)


class LenientAckMemQueue(MemQueue):
    """Acking a lease that was lost silently succeeds."""

    def ack(self, lease: Lease) -> None:
        with contextlib.suppress(LeaseLostError):
            super().ack(lease)


class AsyncLenientAckMemQueue(AsyncMemQueue):
    async def ack(self, lease: Lease) -> None:
        with contextlib.suppress(LeaseLostError):
            await super().ack(lease)


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


class AsyncLosingDeadLetterMemQueue(AsyncMemQueue):
    async def release(self, lease: Lease) -> None:
        if _exhausted(self, lease):
            await self.ack(lease)
        else:
            await super().release(lease)


class DuplicatingRedriveMemQueue(MemQueue):
    """Redrive leaves a copy of every message it moves behind in the dead-letter queue."""

    def redrive(self, queue: str, *, limit: int | None = None) -> int:
        copies = self.dead_letters(queue, limit=limit)
        moved = super().redrive(queue, limit=limit)
        for msg in copies:
            self.enqueue(msg.queue, msg.payload, headers=msg.headers, priority=msg.priority)
        return moved


class AsyncDuplicatingRedriveMemQueue(AsyncMemQueue):
    async def redrive(self, queue: str, *, limit: int | None = None) -> int:
        copies = await self.dead_letters(queue, limit=limit)
        moved = await super().redrive(queue, limit=limit)
        for msg in copies:
            await self.enqueue(msg.queue, msg.payload, headers=msg.headers, priority=msg.priority)
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


class AsyncFlatPriorityMemQueue(AsyncMemQueue):
    async def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
        delay: Any = None,
        not_before: Any = None,
    ) -> str:
        return await super().enqueue(
            queue, payload, headers=headers, delay=delay, not_before=not_before
        )


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


class AsyncEarlyDelayMemQueue(AsyncMemQueue):
    async def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
        delay: Any = None,
        not_before: Any = None,
    ) -> str:
        return await super().enqueue(queue, payload, headers=headers, priority=priority)


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


class AsyncLifoMemQueue(AsyncMemQueue):
    async def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
        delay: Any = None,
        not_before: Any = None,
    ) -> str:
        return await super().enqueue(
            queue,
            payload,
            headers=headers,
            priority=next(_newer),
            delay=delay,
            not_before=not_before,
        )


_newer = itertools.count()


VARIANTS = [
    Variant("queue", "lifo", LifoMemQueue, AsyncLifoMemQueue, "queue_basic"),
    Variant(
        "queue",
        "visible-lease",
        VisibleLeaseMemQueue,
        AsyncVisibleLeaseMemQueue,
        "queue_visibility",
    ),
    Variant(
        "queue", "lenient-ack", LenientAckMemQueue, AsyncLenientAckMemQueue, "queue_visibility"
    ),
    Variant(
        "queue",
        "losing-dead-letter",
        LosingDeadLetterMemQueue,
        AsyncLosingDeadLetterMemQueue,
        "queue_dead_letter",
    ),
    Variant(
        "queue",
        "duplicating-redrive",
        DuplicatingRedriveMemQueue,
        AsyncDuplicatingRedriveMemQueue,
        "queue_dead_letter",
    ),
    Variant(
        "queue", "flat-priority", FlatPriorityMemQueue, AsyncFlatPriorityMemQueue, "queue_priority"
    ),
    Variant("queue", "early-delay", EarlyDelayMemQueue, AsyncEarlyDelayMemQueue, "queue_delayed"),
]
