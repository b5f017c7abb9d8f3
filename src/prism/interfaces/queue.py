# Generated from src/prism/interfaces/_async/queue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Queue: work queues with leases, dead letters, priorities and delays."""

from __future__ import annotations

import abc
from collections.abc import Mapping

from prism._validate import Duration, Timestamp
from prism.interfaces._base import (
    COUNT,
    HEADERS,
    OPT_DURATION,
    OPT_LIMIT,
    OPT_TIMESTAMP,
    PAYLOAD,
    POSITIVE_DURATION,
    QUEUE,
    Interface,
    checks,
)
from prism.types import Lease, QueueMessage

__all__ = [
    "QueueBasic",
    "QueueDeadLetter",
    "QueueDelayed",
    "QueuePriority",
    "QueueVisibility",
]


class QueueBasic(Interface, name="queue_basic", model="queue"):
    """A FIFO work queue: each message is handed to exactly one caller.

    ``dequeue`` removes the message as it returns it (at-most-once); use ``queue_visibility``'s
    ``receive``/``ack`` for at-least-once.  FIFO holds for a single producer.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(queue=QUEUE, payload=PAYLOAD, headers=HEADERS)
    def enqueue(
        self, queue: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> str:
        """Add a message; return its id."""

    @abc.abstractmethod
    @checks(queue=QUEUE, timeout=OPT_DURATION)
    def dequeue(self, queue: str, *, timeout: Duration | None = None) -> QueueMessage | None:
        """Remove and return the next message, waiting up to ``timeout`` seconds for one
        (None or 0: do not wait).  Returns None when none arrived."""

    @abc.abstractmethod
    @checks(queue=QUEUE)
    def peek(self, queue: str) -> QueueMessage | None:
        """The message ``dequeue`` would return next, without removing it; None when empty."""

    @abc.abstractmethod
    @checks(queue=QUEUE)
    def length(self, queue: str) -> int:
        """How many messages are ready for delivery now (not leased, not delayed)."""


class QueueVisibility(Interface, name="queue_visibility", model="queue"):
    """Leases: at-least-once delivery.

    A received message is invisible to other receivers until it is acknowledged, released or its
    visibility timeout lapses; then it is delivered again with ``attempts`` one higher.  Settling
    a lease that lapsed (or was settled already) raises ``LeaseLostError``: never a silent double
    delete.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(queue=QUEUE, visibility_timeout=POSITIVE_DURATION, timeout=OPT_DURATION)
    def receive(
        self,
        queue: str,
        *,
        visibility_timeout: Duration = 30.0,
        timeout: Duration | None = None,
    ) -> Lease | None:
        """Lease the next message for ``visibility_timeout`` seconds, waiting up to ``timeout``
        seconds for one (None or 0: do not wait)."""

    @abc.abstractmethod
    def ack(self, lease: Lease) -> None:
        """Delete the leased message.  ``LeaseLostError`` when the lease is no longer held."""

    @abc.abstractmethod
    @checks(visibility_timeout=POSITIVE_DURATION)
    def extend_visibility(self, lease: Lease, visibility_timeout: Duration) -> Lease:
        """Keep the message invisible for ``visibility_timeout`` seconds from now; returns the
        renewed lease.  ``LeaseLostError`` when the lease is no longer held."""

    @abc.abstractmethod
    def release(self, lease: Lease) -> None:
        """Give the message back at once (it counts as a failed delivery).
        ``LeaseLostError`` when the lease is no longer held."""


class QueueDeadLetter(Interface, name="queue_dead_letter", model="queue"):
    """Dead-letter queues.

    Once a message has been delivered ``max_attempts`` times and its last lease lapses or is
    released without an ack, it moves to the dead-letter queue with its attempt count, and leaves
    the main queue.  Nothing is lost or duplicated by the move or by :meth:`redrive`.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(queue=QUEUE, max_attempts=COUNT, dead_letter_queue=QUEUE)
    def configure_dead_letter(
        self, queue: str, *, max_attempts: int, dead_letter_queue: str
    ) -> None:
        """Route ``queue``'s exhausted messages to ``dead_letter_queue``."""

    @abc.abstractmethod
    @checks(queue=QUEUE, limit=OPT_LIMIT)
    def dead_letters(self, queue: str, *, limit: int | None = None) -> list[QueueMessage]:
        """The messages dead-lettered from ``queue`` (oldest first), without removing them."""

    @abc.abstractmethod
    @checks(queue=QUEUE, limit=OPT_LIMIT)
    def redrive(self, queue: str, *, limit: int | None = None) -> int:
        """Move dead letters of ``queue`` back into it with attempts reset; return how many."""


class QueuePriority(Interface, name="queue_priority", model="queue"):
    """Priorities: a higher ``priority`` is delivered first; FIFO within one priority.
    A plain enqueue has priority 0."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(queue=QUEUE, payload=PAYLOAD, headers=HEADERS)
    def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
    ) -> str:
        """Add a message with ``priority`` (an int; larger is more urgent)."""


class QueueDelayed(Interface, name="queue_delayed", model="queue"):
    """Delayed delivery: a message is not delivered before its time, and soon after it."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(queue=QUEUE, payload=PAYLOAD, headers=HEADERS, delay=OPT_DURATION,
            not_before=OPT_TIMESTAMP)
    def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        delay: Duration | None = None,
        not_before: Timestamp | None = None,
    ) -> str:
        """Add a message deliverable ``delay`` seconds from now or at ``not_before``
        (not both: ``InvalidArgumentError``).  A delay of 0 is immediate."""

    @abc.abstractmethod
    @checks(queue=QUEUE)
    def scheduled_count(self, queue: str) -> int:
        """How many messages of ``queue`` are waiting for their time."""
