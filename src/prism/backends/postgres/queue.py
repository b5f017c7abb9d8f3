# Generated from src/prism/backends/postgres/_async/queue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""postgres queue: all five interfaces (the SQL and its rules are in ``_ops/queue.py``)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

from prism._compat import sleep
from prism._validate import Duration, Timestamp
from prism.backends.postgres._core import BACKEND
from prism.backends.postgres._facet import PostgresFacet
from prism.backends.postgres._ops.queue import statements
from prism.errors import InvalidArgumentError, LeaseLostError
from prism.interfaces.queue import (
    QueueBasic,
    QueueDeadLetter,
    QueueDelayed,
    QueuePriority,
    QueueVisibility,
)
from prism.types import Lease, QueueMessage

if TYPE_CHECKING:
    from prism.backends.postgres.backend import PostgresBackend

__all__ = ["PostgresQueue"]

POLL_MIN = 0.01
POLL_MAX = 0.1
"""A waiting ``dequeue``/``receive`` polls every 10 ms at first, backing off to 100 ms; the last
poll happens at its deadline, never after it."""


def _message(row: Any) -> QueueMessage:
    msg_id, queue, payload, headers, priority, enqueued_at, attempts = row[:7]
    return QueueMessage(
        id=msg_id,
        queue=queue,
        payload=bytes(payload),
        headers=MappingProxyType(json.loads(bytes(headers)) if headers else {}),
        attempts=int(attempts),
        enqueued_at=float(enqueued_at),
        priority=int(priority),
    )


class PostgresQueue(
    PostgresFacet,
    QueueBasic,
    QueueVisibility,
    QueueDeadLetter,
    QueuePriority,
    QueueDelayed,
):
    MODEL = "queue"

    def __init__(self, backend: PostgresBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._sql = statements(self.schema)

    def _settled(self, operation: str, query: str, params: tuple[Any, ...]) -> list[Any]:
        """Settle lapsed leases, then run ``query``: both in one round trip (a pipeline)."""
        with self._connection(operation) as conn:
            with conn.pipeline():
                conn.execute(self._sql["settle"])
                cur = conn.execute(query, params)
            return cur.fetchall()

    def _waiting(self, operation: str, query: str, params: tuple[Any, ...], timeout: float) -> Any:
        """The first row of ``query``, polling until ``timeout`` seconds have passed."""
        deadline = time.monotonic() + timeout
        pause = POLL_MIN
        while True:
            rows = self._settled(operation, query, params)
            if rows:
                return rows[0]
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            sleep(min(pause, left))
            pause = min(pause * 2, POLL_MAX)

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
        msg_id = uuid.uuid4().hex
        encoded = json.dumps(dict(headers)).encode() if headers else None
        self._run(
            "enqueue", self._sql["enqueue"], (msg_id, queue, payload, encoded, priority, at, wait)
        )
        return msg_id

    def dequeue(self, queue: str, *, timeout: Duration | None = None) -> QueueMessage | None:
        wait = cast("float | None", timeout) or 0.0
        row = self._waiting("dequeue", self._sql["dequeue"], (queue,), wait)
        if row is None:
            return None
        message = _message(row)
        return QueueMessage(
            id=message.id,
            queue=message.queue,
            payload=message.payload,
            headers=message.headers,
            attempts=message.attempts + 1,
            enqueued_at=message.enqueued_at,
            priority=message.priority,
        )

    def peek(self, queue: str) -> QueueMessage | None:
        rows = self._settled("peek", self._sql["peek"], (queue,))
        return _message(rows[0]) if rows else None

    def length(self, queue: str) -> int:
        rows = self._settled("length", self._sql["length"], (queue,))
        return int(rows[0][0])

    def scheduled_count(self, queue: str) -> int:
        row = self._one("scheduled_count", self._sql["scheduled"], (queue,))
        return int(row[0])

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
        receipt = uuid.uuid4().hex
        row = self._waiting("receive", self._sql["receive"], (queue, receipt, hold), wait)
        if row is None:
            return None
        return Lease(message=_message(row), receipt=receipt, deadline=float(row[7]))

    def _lost(self, lease: Lease, operation: str) -> LeaseLostError:
        """Why ``lease`` no longer holds its message, as the error to raise."""
        row = self._one(operation, self._sql["holder"], (lease.id,))
        if row is None:
            why = "the message was acknowledged or removed"
        elif row[0] is None:
            why = "it was released or lapsed"
        elif row[0] != lease.receipt:
            why = "the message was delivered again since"
        else:
            why = "its visibility timeout lapsed"
        return LeaseLostError(
            f"the lease on message {lease.id!r} is no longer held: {why}",
            backend=BACKEND,
            operation=operation,
        )

    def ack(self, lease: Lease) -> None:
        if self._run("ack", self._sql["ack"], (lease.id, lease.receipt)) == 0:
            raise self._lost(lease, "ack")

    def extend_visibility(self, lease: Lease, visibility_timeout: Duration) -> Lease:
        hold = cast("float", visibility_timeout)
        row = self._one("extend_visibility", self._sql["extend"], (hold, lease.id, lease.receipt))
        if row is None:
            raise self._lost(lease, "extend_visibility")
        return Lease(message=lease.message, receipt=lease.receipt, deadline=float(row[0]))

    def release(self, lease: Lease) -> None:
        if self._run("release", self._sql["release"], (lease.id, lease.receipt)) == 0:
            raise self._lost(lease, "release")

    # queue_dead_letter ---------------------------------------------------------------------------
    def configure_dead_letter(
        self, queue: str, *, max_attempts: int, dead_letter_queue: str
    ) -> None:
        if dead_letter_queue == queue:
            msg = f"queue {queue!r} cannot be its own dead-letter queue; name another queue"
            raise InvalidArgumentError(msg, backend=BACKEND, operation="configure_dead_letter")
        self._run(
            "configure_dead_letter",
            self._sql["configure"],
            (queue, max_attempts, dead_letter_queue),
        )

    def dead_letters(self, queue: str, *, limit: int | None = None) -> list[QueueMessage]:
        rows = self._settled("dead_letters", self._sql["dead_letters"], (queue, limit))
        return [_message(row) for row in rows]

    def redrive(self, queue: str, *, limit: int | None = None) -> int:
        with self._connection("redrive") as conn:
            with conn.pipeline():
                conn.execute(self._sql["settle"])
                cur = conn.execute(self._sql["redrive"], (queue, limit, queue))
            return cur.rowcount
