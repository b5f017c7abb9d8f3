"""sqlite queue: all five interfaces (the SQL and its rules are in ``_ops/queue.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

from prism._validate import Duration, Timestamp
from prism.backends._async.base import AsyncFacet
from prism.backends.sqlite._ops import queue as ops
from prism.errors import InvalidArgumentError
from prism.interfaces._async.queue import (
    AsyncQueueBasic,
    AsyncQueueDeadLetter,
    AsyncQueueDelayed,
    AsyncQueuePriority,
    AsyncQueueVisibility,
)
from prism.types import Lease, QueueMessage

if TYPE_CHECKING:
    from prism.backends.sqlite._async.backend import AsyncSQLiteBackend


class AsyncSQLiteQueue(
    AsyncFacet,
    AsyncQueueBasic,
    AsyncQueueVisibility,
    AsyncQueueDeadLetter,
    AsyncQueuePriority,
    AsyncQueueDelayed,
):
    """Waiting ``dequeue``/``receive`` calls retry when this process changes the database and
    every ``poll_interval`` seconds (for other processes, delays falling due and lapsing
    leases)."""

    def __init__(self, backend: AsyncSQLiteBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._db = backend.db
        self._clock = backend.db.clock

    # queue_basic / queue_priority / queue_delayed ------------------------------------------------
    async def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
        delay: Duration | None = None,
        not_before: Timestamp | None = None,
    ) -> str:
        wait = cast("float | None", delay)  # float seconds after the checks
        at = cast("float | None", not_before)  # epoch seconds after the checks
        msg_id = await self._db.run_async(
            ops.enqueue, self._clock, self.namespace, queue, payload, headers, priority, wait, at
        )
        self._db.signal.notify()
        return msg_id

    async def dequeue(self, queue: str, *, timeout: Duration | None = None) -> QueueMessage | None:
        wait = cast("float | None", timeout) or 0.0
        return await self._db.poll_async(wait, ops.dequeue, self._clock, self.namespace, queue)

    async def peek(self, queue: str) -> QueueMessage | None:
        return await self._db.run_async(ops.peek, self._clock, self.namespace, queue)

    async def length(self, queue: str) -> int:
        return await self._db.run_async(ops.length, self._clock, self.namespace, queue)

    async def scheduled_count(self, queue: str) -> int:
        return await self._db.run_async(ops.scheduled_count, self._clock, self.namespace, queue)

    # queue_visibility ----------------------------------------------------------------------------
    async def receive(
        self,
        queue: str,
        *,
        visibility_timeout: Duration = 30.0,
        timeout: Duration | None = None,
    ) -> Lease | None:
        hold = cast("float", visibility_timeout)
        wait = cast("float | None", timeout) or 0.0
        return await self._db.poll_async(
            wait, ops.receive, self._clock, self.namespace, queue, hold
        )

    async def ack(self, lease: Lease) -> None:
        await self._db.run_async(ops.ack, self._clock, self.namespace, lease)

    async def extend_visibility(self, lease: Lease, visibility_timeout: Duration) -> Lease:
        hold = cast("float", visibility_timeout)
        return await self._db.run_async(
            ops.extend_visibility, self._clock, self.namespace, lease, hold
        )

    async def release(self, lease: Lease) -> None:
        await self._db.run_async(ops.release, self._clock, self.namespace, lease)
        self._db.signal.notify()

    # queue_dead_letter ---------------------------------------------------------------------------
    async def configure_dead_letter(
        self, queue: str, *, max_attempts: int, dead_letter_queue: str
    ) -> None:
        if dead_letter_queue == queue:
            msg = f"queue {queue!r} cannot be its own dead-letter queue; name another queue"
            raise InvalidArgumentError(msg, backend="sqlite", operation="configure_dead_letter")
        await self._db.run_async(
            ops.configure_dead_letter, self.namespace, queue, max_attempts, dead_letter_queue
        )

    async def dead_letters(self, queue: str, *, limit: int | None = None) -> list[QueueMessage]:
        return await self._db.run_async(ops.dead_letters, self._clock, self.namespace, queue, limit)

    async def redrive(self, queue: str, *, limit: int | None = None) -> int:
        moved = await self._db.run_async(ops.redrive, self._clock, self.namespace, queue, limit)
        if moved:
            self._db.signal.notify()
        return moved
