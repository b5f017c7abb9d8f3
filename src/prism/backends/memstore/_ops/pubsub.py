"""memstore pubsub state (plain data and logic, guarded by the store lock; shared by both flavours).

Per namespace, :class:`PubSubState` holds the active subscriptions, the per-topic logs of
persistent messages and the durable subscriptions.  Every method runs with the store lock held.

* An ordinary subscription (:class:`Inbox`) has an unbounded buffer: publishing appends to
  the buffer of each matching subscription, so a slow subscriber never blocks anyone.  Because
  every publish fans out under one lock, all subscribers see one total order.
* Persistent messages are kept for the life of the store (memstore has no retention) with ids
  that are 20-digit zero-padded decimals, so they increase both as numbers and as strings.
* A durable subscription name (:class:`Durable`) has a cursor into its topic's log and the
  messages delivered but not yet acknowledged, each with a redelivery deadline on the store's
  clock.  Several subscriptions attached to one name share its messages.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from prism.backends.memstore._core import Signal, Waiters
from prism.types import Message

ID_DIGITS = 20


@dataclass(eq=False)
class Inbox:
    """The buffer of one ordinary (exact, pattern or filtered) subscription."""

    signal: Signal
    accepts: Callable[[Message], bool]
    buffer: deque[Message] = field(default_factory=deque)
    closed: bool = False

    def take(self) -> tuple[Message | None] | None:
        """The next message as ``(message,)``, ``(None,)`` once closed, None to keep waiting."""
        if self.closed:
            return (None,)
        if self.buffer:
            return (self.buffer.popleft(),)
        return None


@dataclass
class Pending:
    """A delivered, unacknowledged message of a durable name."""

    message: Message
    owner: object
    due: float


@dataclass(eq=False)
class Durable:
    """The state of one durable subscription name on one topic."""

    signal: Signal
    log: list[Message]
    cursor: int
    pending: dict[str, Pending] = field(default_factory=dict)

    def take(self, owner: object, now: float, ack_wait: float) -> Message | None:
        """Deliver the oldest message due for redelivery, else the next new one, else None."""
        due = [p for p in self.pending.values() if p.due <= now]
        if due:
            entry = min(due, key=lambda p: p.message.id or "")
            message = dataclasses.replace(
                entry.message, delivery_count=entry.message.delivery_count + 1
            )
        elif self.cursor < len(self.log):
            message = self.log[self.cursor]
            self.cursor += 1
        else:
            return None
        assert message.id is not None
        self.pending[message.id] = Pending(message, owner, now + ack_wait)
        return message

    def next_due(self) -> float | None:
        """The earliest redelivery deadline, or None without pending messages."""
        return min((p.due for p in self.pending.values()), default=None)

    def release(self, owner: object, now: float) -> None:
        """Make every message ``owner`` holds deliverable again at once (it closed)."""
        for entry in self.pending.values():
            if entry.owner is owner:
                entry.due = now
                entry.owner = None
        self.signal.notify_all()


@dataclass
class PubSubState:
    inboxes: list[Inbox] = field(default_factory=list)
    logs: dict[str, list[Message]] = field(default_factory=dict)
    durables: dict[str, dict[str, Durable]] = field(default_factory=dict)
    """topic → subscription name → durable state."""

    def fan_out(self, message: Message) -> None:
        """Buffer ``message`` for every active ordinary subscription that accepts it."""
        for inbox in self.inboxes:
            if inbox.accepts(message):
                inbox.buffer.append(message)
                inbox.signal.notify_all()

    def append(self, topic: str, make: Callable[[str], Message]) -> Message:
        """Add a persistent message (built by ``make`` from its new id) to ``topic``'s log."""
        log = self.logs.setdefault(topic, [])
        message = make(f"{len(log) + 1:0{ID_DIGITS}d}")
        log.append(message)
        for durable in self.durables.get(topic, {}).values():
            durable.signal.notify_all()
        return message

    def durable(self, topic: str, name: str, waiters: Waiters, earliest: bool) -> Durable:
        """The durable state of ``name`` on ``topic``, created at the start given if new."""
        names = self.durables.setdefault(topic, {})
        found = names.get(name)
        if found is None:
            log = self.logs.setdefault(topic, [])
            found = names[name] = Durable(Signal(waiters), log, 0 if earliest else len(log))
        return found


def freeze_attributes(attributes: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A private, read-only copy of JSON-compatible attributes."""
    return MappingProxyType(_copy(attributes or {}))


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    return value
