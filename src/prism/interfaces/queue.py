# Generated from src/prism/interfaces/_async/queue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Queue: work queues with leases, dead letters, priorities and delays.

Rules shared by the five interfaces:

* Queues need no creation: a queue exists while it holds messages.  Message ids are unique
  strings within the namespace; a message keeps its id through redelivery, dead-lettering and
  redrive.
* Delivery order: the messages ready now are delivered highest ``priority`` first, then in
  enqueue order.  A message handed back (released, or its lease lapsed) keeps its place in that
  order; a delayed message whose time came takes the place its enqueue gave it.
* ``attempts`` counts deliveries: 0 for a message never delivered, 1 on the first
  ``dequeue``/``receive``, one more on each redelivery.  ``peek`` and ``dead_letters`` never
  change it.
* Time (lease deadlines, delays, ``enqueued_at``) is the backend's clock, in epoch seconds.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

from prism._validate import Duration, Timestamp, integer
from prism.errors import InvalidArgumentError
from prism.interfaces._base import (
    COUNT,
    HEADERS,
    ONE_SCHEDULE,
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

MIN_PRIORITY = -(2**31)
MAX_PRIORITY = 2**31 - 1


def PRIORITY(_: Any, value: Any) -> int:
    if type(value) is int and MIN_PRIORITY <= value <= MAX_PRIORITY:
        return value
    return integer(value, "priority", MIN_PRIORITY, MAX_PRIORITY)


PRIORITY.normalizes = True  # type: ignore[attr-defined]


def LEASE(_: Any, value: Any) -> None:
    if not isinstance(value, Lease):
        msg = f"lease must be a Lease returned by receive, got {type(value).__name__}"
        raise InvalidArgumentError(msg)


class QueueBasic(Interface, name="queue_basic", model="queue"):
    """A FIFO work queue: each message is handed to exactly one caller.

    ``dequeue`` removes the message as it returns it (at-most-once); use ``queue_visibility``'s
    ``receive``/``ack`` for at-least-once.  FIFO holds for a single producer.  A message's place
    in line is fixed when it is enqueued (by priority, then enqueue order): a lease that lapses
    or is released puts the message back in that place, and a delayed message, once due, takes
    it too -- ahead of messages enqueued after it.  Messages that are
    leased (``queue_visibility``) or waiting for their time (``queue_delayed``) are invisible to
    ``dequeue``, ``peek`` and ``length``.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(queue=QUEUE, payload=PAYLOAD, headers=HEADERS)
    def enqueue(
        self, queue: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> str:
        """Add a message; return its id (a string unique within the namespace)."""

    @abc.abstractmethod
    @checks(queue=QUEUE, timeout=OPT_DURATION)
    def dequeue(self, queue: str, *, timeout: Duration | None = None) -> QueueMessage | None:
        """Remove and return the next message, waiting up to ``timeout`` seconds for one
        (None or 0: do not wait).  Returns None when none arrived.  The message returned
        counts this delivery in ``attempts``."""

    @abc.abstractmethod
    @checks(queue=QUEUE)
    def peek(self, queue: str) -> QueueMessage | None:
        """The message ``dequeue`` would return next, without removing it or counting a
        delivery; None when none is ready."""

    @abc.abstractmethod
    @checks(queue=QUEUE)
    def length(self, queue: str) -> int:
        """How many messages are ready for delivery now (not leased, not delayed)."""


class QueueVisibility(Interface, name="queue_visibility", model="queue"):
    """Leases: at-least-once delivery.

    A received message is invisible to other receivers until it is acknowledged, released or its
    visibility timeout lapses; then it is delivered again with ``attempts`` one higher, from its
    old place in line.  A lease lapses at the instant its deadline is reached.  Every
    delivery has a new ``receipt``: a lease from an earlier delivery can no longer settle the
    message.  Settling a lease that lapsed (its deadline passed, even if the message was not
    delivered again yet), that was settled already, or that belongs to an earlier delivery raises
    ``LeaseLostError``: never a silent double delete.  Competing receivers never hold one message
    at the same time.
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
        seconds for one (None or 0: do not wait).  None when none arrived.  Both are at most
        ``MAX_SECONDS`` (100 years)."""

    @abc.abstractmethod
    @checks(lease=LEASE)
    def ack(self, lease: Lease) -> None:
        """Delete the leased message.  ``LeaseLostError`` when the lease is no longer held."""

    @abc.abstractmethod
    @checks(lease=LEASE, visibility_timeout=POSITIVE_DURATION)
    def extend_visibility(self, lease: Lease, visibility_timeout: Duration) -> Lease:
        """Keep the message invisible for ``visibility_timeout`` seconds from now; returns the
        renewed lease (same receipt, new deadline).  ``LeaseLostError`` when the lease is no
        longer held."""

    @abc.abstractmethod
    @checks(lease=LEASE)
    def release(self, lease: Lease) -> None:
        """Give the message back at once, in its old place (it counts as a failed delivery).
        ``LeaseLostError`` when the lease is no longer held."""


class QueueDeadLetter(Interface, name="queue_dead_letter", model="queue"):
    """Dead-letter queues.

    Once a message has been delivered ``max_attempts`` times and its last lease lapses or is
    released without an ack, it moves to the dead-letter queue with its attempt count, and leaves
    the main queue.  The dead-letter queue is an ordinary queue (its messages can be dequeued or
    received like any other).  Nothing is lost or duplicated by the move or by :meth:`redrive`.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(queue=QUEUE, max_attempts=COUNT, dead_letter_queue=QUEUE)
    def configure_dead_letter(
        self, queue: str, *, max_attempts: int, dead_letter_queue: str
    ) -> None:
        """Route ``queue``'s exhausted messages to ``dead_letter_queue`` (replacing any earlier
        configuration of ``queue``; it applies to every later lapse or release).
        ``InvalidArgumentError`` when ``dead_letter_queue`` is ``queue`` itself."""

    @abc.abstractmethod
    @checks(queue=QUEUE, limit=OPT_LIMIT)
    def dead_letters(self, queue: str, *, limit: int | None = None) -> list[QueueMessage]:
        """The messages dead-lettered from ``queue`` that wait in a dead-letter queue (oldest
        dead letter first), without removing them.  Each keeps its id, payload, headers,
        priority and attempt count; its ``queue`` is the dead-letter queue.  A dead letter that
        someone currently holds a lease on is left out.  Empty when ``queue`` has none."""

    @abc.abstractmethod
    @checks(queue=QUEUE, limit=OPT_LIMIT)
    def redrive(self, queue: str, *, limit: int | None = None) -> int:
        """Move the messages :meth:`dead_letters` lists (oldest first, at most ``limit``) back
        into ``queue``, at its tail, with ``attempts`` reset to 0; return how many moved."""


class QueuePriority(Interface, name="queue_priority", model="queue"):
    """Priorities: a higher ``priority`` is delivered first; FIFO within one priority.
    A plain enqueue has priority 0."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(queue=QUEUE, payload=PAYLOAD, headers=HEADERS, priority=PRIORITY)
    def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
    ) -> str:
        """Add a message with ``priority`` (an int from ``MIN_PRIORITY`` = -2**31 to
        ``MAX_PRIORITY`` = 2**31 - 1; larger is more urgent; anything else:
        ``InvalidArgumentError``)."""


class QueueDelayed(Interface, name="queue_delayed", model="queue"):
    """Delayed delivery: a message is not delivered before its time, and soon after it.

    Until its time a delayed message is invisible to ``dequeue``, ``receive``, ``peek`` and
    ``length``, and counted by :meth:`scheduled_count`; at the instant its time is reached it is
    due, and it takes its place in line by enqueue order (see :class:`QueueBasic`).
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(
        ONE_SCHEDULE,
        queue=QUEUE,
        payload=PAYLOAD,
        headers=HEADERS,
        delay=OPT_DURATION,
        not_before=OPT_TIMESTAMP,
    )
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
        (not both: ``InvalidArgumentError``).  A delay of 0, or a ``not_before`` that is not
        in the future, is immediate.  ``delay`` is at most ``MAX_SECONDS`` (100 years);
        ``not_before`` lies from 1970-01-01 to 10000-01-01."""

    @abc.abstractmethod
    @checks(queue=QUEUE)
    def scheduled_count(self, queue: str) -> int:
        """How many messages of ``queue`` are waiting for their time."""
