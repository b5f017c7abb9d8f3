# Generated from src/prism/backends/sqlite/_async/queue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""sqlite queue: all five interfaces (the SQL and its rules are in ``_ops/queue.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

from prism._validate import Duration, Timestamp
from prism.backends.base import Facet
from prism.backends.sqlite._ops import queue as ops
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
    from prism.backends.sqlite.backend import SQLiteBackend


class SQLiteQueue(
    Facet,
    QueueBasic,
    QueueVisibility,
    QueueDeadLetter,
    QueuePriority,
    QueueDelayed,
):
    """Waiting ``dequeue``/``receive`` calls retry when this process changes the database and
    every ``poll_interval`` seconds (for other processes, delays falling due and lapsing
    leases)."""

    def __init__(self, backend: SQLiteBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._db = backend.db
        self._clock = backend.db.clock

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
        wait = cast("float | None", delay)  # float seconds after the checks
        at = cast("float | None", not_before)  # epoch seconds after the checks
        msg_id = self._db.run(
            ops.enqueue, self._clock, self.namespace, queue, payload, headers, priority, wait, at
        )
        self._db.signal.notify()
        return msg_id

    def dequeue(self, queue: str, *, timeout: Duration | None = None) -> QueueMessage | None:
        wait = cast("float | None", timeout) or 0.0
        return self._db.poll(wait, ops.dequeue, self._clock, self.namespace, queue)

    def peek(self, queue: str) -> QueueMessage | None:
        return self._db.run(ops.peek, self._clock, self.namespace, queue)

    def length(self, queue: str) -> int:
        return self._db.run(ops.length, self._clock, self.namespace, queue)

    def scheduled_count(self, queue: str) -> int:
        return self._db.run(ops.scheduled_count, self._clock, self.namespace, queue)

    # queue_visibility ----------------------------------------------------------------------------
    def receive(
        self,
        queue: str,
        *,
        visibility_timeout: Duration = 30.0,
        timeout: Duration | None = None,
    ) -> Lease | None:
        hold = cast("float", visibility_timeout)
        wait = cast("float | None", timeout) or 0.0
        return self._db.poll(wait, ops.receive, self._clock, self.namespace, queue, hold)

    def ack(self, lease: Lease) -> None:
        self._db.run(ops.ack, self._clock, self.namespace, lease)

    def extend_visibility(self, lease: Lease, visibility_timeout: Duration) -> Lease:
        hold = cast("float", visibility_timeout)
        return self._db.run(ops.extend_visibility, self._clock, self.namespace, lease, hold)

    def release(self, lease: Lease) -> None:
        self._db.run(ops.release, self._clock, self.namespace, lease)
        self._db.signal.notify()

    # queue_dead_letter ---------------------------------------------------------------------------
    def configure_dead_letter(
        self, queue: str, *, max_attempts: int, dead_letter_queue: str
    ) -> None:
        if dead_letter_queue == queue:
            msg = f"queue {queue!r} cannot be its own dead-letter queue; name another queue"
            raise InvalidArgumentError(msg, backend="sqlite", operation="configure_dead_letter")
        self._db.run(
            ops.configure_dead_letter, self.namespace, queue, max_attempts, dead_letter_queue
        )

    def dead_letters(self, queue: str, *, limit: int | None = None) -> list[QueueMessage]:
        return self._db.run(ops.dead_letters, self._clock, self.namespace, queue, limit)

    def redrive(self, queue: str, *, limit: int | None = None) -> int:
        moved = self._db.run(ops.redrive, self._clock, self.namespace, queue, limit)
        if moved:
            self._db.signal.notify()
        return moved
