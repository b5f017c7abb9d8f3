"""memstore pubsub: all five interfaces.

Each ordinary subscription buffers without bound (nothing is ever dropped); persistent messages
are kept for the life of the store, with ids that are 20-digit zero-padded decimals (they sort
in publish order as strings and as numbers).  See ``_ops/pubsub.py`` for the data layout.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

from prism import filters
from prism._topics import parse_pattern
from prism._validate import Duration
from prism.backends._async.base import AsyncFacet
from prism.backends.memstore._core import Signal, Store
from prism.backends.memstore._ops.pubsub import Durable, Inbox, PubSubState, freeze_attributes
from prism.errors import InvalidArgumentError
from prism.interfaces._async.pubsub import (
    AsyncDurableSubscription,
    AsyncPubSubBasic,
    AsyncPubSubFiltering,
    AsyncPubSubOrdering,
    AsyncPubSubPersistent,
    AsyncPubSubWildcards,
    AsyncSubscription,
)
from prism.types import Message, StartPosition

if TYPE_CHECKING:
    from prism.backends.memstore._async.backend import AsyncMemstoreBackend


class AsyncMemPubSub(
    AsyncFacet,
    AsyncPubSubBasic,
    AsyncPubSubWildcards,
    AsyncPubSubPersistent,
    AsyncPubSubFiltering,
    AsyncPubSubOrdering,
):
    def __init__(self, backend: AsyncMemstoreBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._store = backend.store
        self._lock = backend.store.lock
        self._state = backend.store.namespace_state("pubsub", namespace, PubSubState)

    def _message(
        self, topic: str, payload: bytes, headers: Mapping[str, str] | None, **extra: Any
    ) -> Message:
        return Message(
            topic,
            payload,
            MappingProxyType(dict(headers or {})),
            timestamp=self._store.clock(),
            **extra,
        )

    # pubsub_basic / pubsub_filtering / pubsub_ordering -----------------------------------------
    async def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        with self._lock:
            self._state.fan_out(
                self._message(topic, payload, headers, attributes=freeze_attributes(attributes))
            )

    async def _publish_batch(
        self, topics: Sequence[str], payload: bytes, headers: Mapping[str, str] | None
    ) -> None:
        """Internal batch hook (the multicast registry): ``payload`` published to each of
        ``topics`` in order under one lock acquisition.  The caller has validated the topics,
        payload and headers already."""
        frozen = MappingProxyType(dict(headers or {}))
        with self._lock:
            now = self._store.clock()
            state = self._state
            for topic in topics:
                state.fan_out(Message(topic, payload, frozen, timestamp=now))

    async def publish_ordered(
        self,
        topic: str,
        payload: bytes,
        ordering_key: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        with self._lock:
            self._state.fan_out(self._message(topic, payload, headers, ordering_key=ordering_key))

    def _subscribe(self, accepts: Callable[[Message], bool]) -> AsyncMemSubscription:
        inbox = Inbox(Signal(self._store.waiters), accepts)
        with self._lock:
            self._state.inboxes.append(inbox)
        return AsyncMemSubscription(self._lock, self._state, inbox)

    async def subscribe(self, topic: str) -> AsyncSubscription:
        return self._subscribe(lambda m: m.topic == topic)

    async def subscribe_pattern(self, pattern: str) -> AsyncSubscription:
        compiled = parse_pattern(pattern)
        return self._subscribe(lambda m: compiled.matches(m.topic))

    async def subscribe_filtered(self, topic: str, filter: Mapping[str, Any]) -> AsyncSubscription:
        parsed = filters.parse(filter)
        return self._subscribe(lambda m: m.topic == topic and parsed.matches(m.attributes))

    # pubsub_persistent -------------------------------------------------------------------------
    async def publish_persistent(
        self, topic: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> str:
        with self._lock:
            message = self._state.append(
                topic, lambda id_: self._message(topic, payload, headers, id=id_)
            )
            self._state.fan_out(message)
        assert message.id is not None
        return message.id

    async def subscribe_durable(
        self,
        topic: str,
        name: str,
        *,
        start: StartPosition = "earliest",
        ack_wait: Duration = 30.0,
    ) -> AsyncDurableSubscription:
        wait = cast("float", ack_wait)  # the interface's checks made it float seconds
        with self._lock:
            durable = self._state.durable(topic, name, self._store.waiters, start == "earliest")
        return AsyncMemDurableSubscription(self._store, durable, topic, wait)

    async def last_message_id(self, topic: str) -> str | None:
        with self._lock:
            log = self._state.logs.get(topic)
            return log[-1].id if log else None


class AsyncMemSubscription(AsyncSubscription):
    """An ordinary subscription: takes messages from its own unbounded buffer."""

    def __init__(self, lock: Any, state: PubSubState, inbox: Inbox) -> None:
        self._lock = lock
        self._state = state
        self._inbox = inbox

    async def get(self, timeout: Duration | None = None) -> Message | None:
        limit = cast("float | None", timeout)  # float seconds after the checks
        result = await self._inbox.signal.wait_async(self._inbox.take, limit)
        return None if result is None else result[0]

    async def close(self) -> None:
        with self._lock:
            if self._inbox.closed:
                return
            self._inbox.closed = True
            self._inbox.buffer.clear()
            self._state.inboxes.remove(self._inbox)
            self._inbox.signal.notify_all()

    @property
    def closed(self) -> bool:
        return self._inbox.closed


class AsyncMemDurableSubscription(AsyncDurableSubscription):
    """One attachment to a durable name; attachments of one name share its messages."""

    def __init__(self, store: Store, durable: Durable, topic: str, ack_wait: float) -> None:
        self._store = store
        self._durable = durable
        self._topic = topic
        self._ack_wait = ack_wait
        self._closed = False

    def _take(self) -> tuple[Message | None] | None:
        if self._closed:
            return (None,)
        message = self._durable.take(self, self._store.clock(), self._ack_wait)
        return None if message is None else (message,)

    async def get(self, timeout: Duration | None = None) -> Message | None:
        limit = cast("float | None", timeout)  # float seconds after the checks
        deadline = None if limit is None else time.monotonic() + limit
        while True:
            # Wake up by the next redelivery deadline too: nobody notifies when it passes.
            with self._store.lock:
                due = self._durable.next_due()
                wait = None if due is None else max(0.0, due - self._store.clock())
            if deadline is not None:
                remaining = max(0.0, deadline - time.monotonic())
                wait = remaining if wait is None else min(wait, remaining)
            result = await self._durable.signal.wait_async(self._take, wait)
            if result is not None:
                return result[0]
            if deadline is not None and time.monotonic() >= deadline:
                return None

    async def ack(self, message: Message) -> None:
        if not isinstance(message, Message) or message.id is None or message.topic != self._topic:
            msg = (
                f"ack takes a persistent Message of topic {self._topic!r} that this durable "
                f"subscription delivered, got {message!r:.200}"
            )
            raise InvalidArgumentError(msg)
        with self._store.lock:
            self._durable.pending.pop(message.id, None)

    async def close(self) -> None:
        with self._store.lock:
            if not self._closed:
                self._closed = True
                self._durable.release(self, self._store.clock())

    @property
    def closed(self) -> bool:
        return self._closed
