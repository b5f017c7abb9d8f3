"""nats pubsub: all five pubsub interfaces on NATS core subjects and one JetStream stream per
namespace.

* A topic ``a.b`` of namespace ``ns`` is the subject ``<prefix>.<ns>.ps.a.b`` with every token
  escaped (``_names``): a topic token can never be a NATS wildcard or separator, and a pattern's
  ``*`` / ``>`` become NATS's own ``*`` / ``>`` after the namespace's tokens, so a subscriber of
  one namespace never receives another's messages.  The server does the matching.
* Headers, filter attributes and the ordering key travel as NATS headers ``Prism-Headers`` /
  ``Prism-Attributes`` (JSON objects) and ``Prism-Ordering-Key``; user headers never become NATS
  headers of their own, so they cannot steer JetStream (``Nats-*``).
* Each subscription's messages are pushed by nats-py into a queue of its own; nats-py bounds a
  subscription's pending messages (512 Ki messages or 64 MiB by default) and drops beyond that
  (a slow consumer; at-most-once delivery).  ``subscribe`` returns after a flush, when the
  server has the subscription.
* Persistent messages go to ``<prefix>.<ns>.pp.<topic>``, captured by the stream
  ``<prefix>-<ns>-ps``, which republishes each stored message to the core subject with its
  sequence (``Nats-Sequence``): ordinary subscribers receive it with its ``id`` (the stream
  sequence, decimal; ids increase in publish order across the namespace).
* A durable subscription is a durable pull consumer (``AckWait`` = ``ack_wait``, ``MaxDeliver``
  = the ``max_deliver`` option, -1 by default: redelivered until acknowledged; explicit acks)
  named after the subscription and its topic; unacknowledged messages are nak'ed at close, so
  they come again at once on the next attach.
* Ordering: every publish of a backend goes through its one connection, which keeps order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any, cast

import nats.errors  # noqa: TID253 (backend-internal module)
import nats.js.errors  # noqa: TID253
from nats.aio.msg import Msg  # noqa: TID253
from nats.js import api  # noqa: TID253

from prism import filters
from prism._topics import parse_pattern
from prism._validate import Duration
from prism.backends._errors import translated, translating
from prism.backends.nats._errors import translate
from prism.backends.nats._names import escape, escape_topic, short, unescape_topic
from prism.backends.nats._native._facet import AsyncNatsFacet
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

__all__ = ["AsyncNatsPubSub"]

BACKEND = "nats"
H_HEADERS = "Prism-Headers"
H_ATTRIBUTES = "Prism-Attributes"
H_ORDERING = "Prism-Ordering-Key"
_SEQUENCE = "Nats-Sequence"
_SUBJECT_CACHE = 4096
_POLL = 0.25
"""How long one pull of a durable subscription waits at most (a close is seen this soon)."""


def encode_headers(
    headers: Mapping[str, str] | None,
    attributes: Mapping[str, Any] | None = None,
    ordering_key: str | None = None,
) -> dict[str, str] | None:
    out: dict[str, str] = {}
    if headers:
        out[H_HEADERS] = json.dumps(dict(headers), separators=(",", ":"))
    if attributes:
        out[H_ATTRIBUTES] = json.dumps(dict(attributes), separators=(",", ":"))
    if ordering_key is not None:
        out[H_ORDERING] = json.dumps(ordering_key)
    return out or None


def decode(topic: str, msg: Msg, *, id: str | None = None, delivery_count: int = 1) -> Message:
    raw = msg.headers or {}
    headers = json.loads(raw[H_HEADERS]) if H_HEADERS in raw else {}
    attributes = json.loads(raw[H_ATTRIBUTES]) if H_ATTRIBUTES in raw else {}
    ordering = json.loads(raw[H_ORDERING]) if H_ORDERING in raw else None
    if id is None and _SEQUENCE in raw:
        id = raw[_SEQUENCE]
    return Message(
        topic,
        msg.data,
        headers=headers,
        id=id,
        attributes=attributes,
        ordering_key=ordering,
        delivery_count=delivery_count,
    )


class AsyncNatsPubSub(
    AsyncNatsFacet,
    AsyncPubSubBasic,
    AsyncPubSubWildcards,
    AsyncPubSubPersistent,
    AsyncPubSubFiltering,
    AsyncPubSubOrdering,
):
    def __init__(self, backend: Any, namespace: str) -> None:
        super().__init__(backend, namespace)
        self.core = f"{self._subject_root}.ps."
        self.stored = f"{self._subject_root}.pp."
        self.stream = f"{self._name_root}-ps"
        self._subjects: dict[str, str] = {}
        self._stored_subjects: dict[str, str] = {}

    def _stored_subject(self, topic: str) -> str:
        """The stored subject of ``topic``, remembered like :meth:`_subject`'s."""
        subject = self.stored + escape_topic(topic)
        if len(self._stored_subjects) >= _SUBJECT_CACHE:
            self._stored_subjects.clear()
        self._stored_subjects[topic] = subject
        return subject

    def _subject(self, topic: str) -> str:
        """The core subject of ``topic``, remembered (a bounded cache: the hot path of publish)."""
        subject = self.core + escape_topic(topic)
        if len(self._subjects) >= _SUBJECT_CACHE:
            self._subjects.clear()
        self._subjects[topic] = subject
        return subject

    # publishing -----------------------------------------------------------------------------------

    async def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        subject = self._subjects.get(topic)
        if subject is None:
            subject = self._subject(topic)
        try:
            await self._b.nc.publish(
                subject,
                payload,
                headers=encode_headers(headers, attributes) if headers or attributes else None,
            )
        except Exception as exc:
            raise translated(exc, BACKEND, "publish", translate) from exc

    async def _publish_batch(
        self, topics: Sequence[str], payload: bytes, headers: Mapping[str, str] | None
    ) -> None:
        """Internal batch hook (the multicast registry): ``payload`` published to each of
        ``topics`` in order.  nats-py only buffers a core publish, so the gain is one call (one
        hop over the bridge for the sync facade) instead of one per topic.  The caller has
        validated the topics, payload and headers already."""
        encoded = encode_headers(headers, None) if headers else None
        subjects = self._subjects
        publish = self._b.nc.publish
        try:
            for topic in topics:
                subject = subjects.get(topic)
                if subject is None:
                    subject = self._subject(topic)
                await publish(subject, payload, headers=encoded)
        except Exception as exc:
            raise translated(exc, BACKEND, "publish", translate) from exc

    async def publish_ordered(
        self,
        topic: str,
        payload: bytes,
        ordering_key: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        with translating(BACKEND, "publish_ordered", translate):
            await self.nc.publish(
                self.core + escape_topic(topic),
                payload,
                headers=encode_headers(headers, None, ordering_key),
            )

    async def _ensure_stream(self) -> None:
        if self.stream in self._b.ready:
            return
        async with self._b.setup_lock:
            if self.stream not in self._b.ready:
                await self._create_stream()

    async def _create_stream(self) -> None:
        config = api.StreamConfig(
            name=self.stream,
            subjects=[self.stored + ">"],
            storage=api.StorageType.FILE,
            republish=api.RePublish(src=self.stored + ">", dest=self.core + ">"),
        )
        try:
            await self.js.stream_info(self.stream)
        except nats.js.errors.NotFoundError:
            with contextlib.suppress(nats.js.errors.BadRequestError):  # made meanwhile
                await self.js.add_stream(config)
        self._b.ready.add(self.stream)

    async def publish_persistent(
        self, topic: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> str:
        # the hot path: no context manager, the stored subject remembered per topic
        b = self._b
        try:
            if self.stream not in b.ready:
                await self._ensure_stream()
            subject = self._stored_subjects.get(topic)
            if subject is None:
                subject = self._stored_subject(topic)
            async with b.inflight:
                ack = await b.js.publish(
                    subject, payload, headers=encode_headers(headers) if headers else None
                )
        except Exception as exc:
            raise translated(exc, BACKEND, "publish_persistent", translate) from exc
        return str(ack.seq)

    async def last_message_id(self, topic: str) -> str | None:
        with translating(BACKEND, "last_message_id", translate):
            await self._ensure_stream()
            try:
                msg = await self.js.get_msg(self.stream, subject=self.stored + escape_topic(topic))
            except nats.js.errors.NotFoundError:
                return None
        return None if msg.seq is None else str(msg.seq)

    # subscribing ----------------------------------------------------------------------------------

    async def _subscribe(
        self, subject: str, operation: str, keep: filters.Filter | None = None
    ) -> AsyncNatsSubscription:
        subscription = AsyncNatsSubscription(self.core, keep)
        with translating(BACKEND, operation, translate):
            subscription.sub = await self.nc.subscribe(subject, cb=subscription.deliver)
            await self.nc.flush()
        return subscription

    async def subscribe(self, topic: str) -> AsyncNatsSubscription:
        return await self._subscribe(self.core + escape_topic(topic), "subscribe")

    async def subscribe_pattern(self, pattern: str) -> AsyncNatsSubscription:
        parsed = parse_pattern(pattern)
        subject = ".".join(t if t in ("*", ">") else escape_topic(t) for t in parsed.tokens)
        return await self._subscribe(self.core + subject, "subscribe_pattern")

    async def subscribe_filtered(
        self, topic: str, filter: Mapping[str, Any]
    ) -> AsyncNatsSubscription:
        parsed = filters.parse(filter)
        return await self._subscribe(self.core + escape_topic(topic), "subscribe_filtered", parsed)

    async def subscribe_durable(
        self,
        topic: str,
        name: str,
        *,
        start: StartPosition = "earliest",
        ack_wait: Duration = 30.0,
    ) -> AsyncNatsDurableSubscription:
        wait = cast("float", ack_wait)
        durable = short(f"{escape(name)}-{escape(topic)}")
        config = api.ConsumerConfig(
            durable_name=durable,
            filter_subject=self.stored + escape_topic(topic),
            ack_policy=api.AckPolicy.EXPLICIT,
            ack_wait=wait,
            max_deliver=self._b.config.max_deliver,
            deliver_policy=api.DeliverPolicy.ALL if start == "earliest" else api.DeliverPolicy.NEW,
            max_ack_pending=-1,
        )
        with translating(BACKEND, "subscribe_durable", translate):
            await self._ensure_stream()
            try:
                info = await self.js.consumer_info(self.stream, durable)
            except nats.js.errors.NotFoundError:
                await self.js.add_consumer(self.stream, config)
            else:
                wanted = self._b.config.max_deliver
                if info.config.ack_wait != wait or (info.config.max_deliver or -1) != wanted:
                    update = api.ConsumerConfig.from_response(info.config.as_dict())
                    update.ack_wait = wait
                    update.max_deliver = wanted
                    await self.js.add_consumer(self.stream, update)
            sub = await self.js.pull_subscribe_bind(durable, stream=self.stream)
        return AsyncNatsDurableSubscription(topic, sub)


class AsyncNatsSubscription(AsyncSubscription):
    """A core NATS subscription whose messages nats-py pushes into a queue of its own."""

    def __init__(self, core: str, keep: filters.Filter | None) -> None:
        self._core = core
        self._keep = keep
        self._queue: asyncio.Queue[Message | None] = asyncio.Queue()
        self._closed = False
        self.sub: Any = None

    async def deliver(self, msg: Msg) -> None:
        message = decode(unescape_topic(msg.subject[len(self._core) :]), msg)
        if self._keep is None or self._keep.matches(message.attributes):
            self._queue.put_nowait(message)

    @property
    def closed(self) -> bool:
        return self._closed

    async def get(self, timeout: Duration | None = None) -> Message | None:
        wait = cast("float | None", timeout)
        if self._closed:
            return None
        try:
            if wait is None:
                message = await self._queue.get()
            elif wait <= 0:
                message = self._queue.get_nowait()
            else:
                message = await asyncio.wait_for(self._queue.get(), wait)
        except (asyncio.QueueEmpty, TimeoutError):
            return None
        if message is None or self._closed:
            self._queue.put_nowait(None)  # wake every other waiter too
            return None
        return message

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put_nowait(None)
        if self.sub is not None:
            with contextlib.suppress(Exception), translating(BACKEND, "close", translate):
                await self.sub.unsubscribe()


class AsyncNatsDurableSubscription(AsyncDurableSubscription):
    """A bound pull subscription on a durable consumer."""

    def __init__(self, topic: str, sub: Any) -> None:
        self._topic = topic
        self._sub = sub
        self._closed = False
        self._held: dict[str, Msg] = {}
        self._lock = asyncio.Lock()

    @property
    def closed(self) -> bool:
        return self._closed

    async def get(self, timeout: Duration | None = None) -> Message | None:
        wait = cast("float | None", timeout)
        deadline = None if wait is None else time.monotonic() + wait
        async with self._lock:
            while not self._closed:
                left = _POLL if deadline is None else min(_POLL, deadline - time.monotonic())
                try:
                    with translating(BACKEND, "get", translate):
                        try:
                            msgs = await self._sub.fetch(1, timeout=max(left, 0.01))
                        except (nats.errors.TimeoutError, TimeoutError):
                            msgs = []
                except Exception:
                    if self._closed:
                        return None
                    raise
                if msgs:
                    msg = msgs[0]
                    if self._closed:  # closed while fetching: give it back
                        with contextlib.suppress(Exception):
                            await msg.nak()
                        return None
                    meta = msg.metadata
                    id = str(meta.sequence.stream)
                    self._held[id] = msg
                    return decode(self._topic, msg, id=id, delivery_count=meta.num_delivered or 1)
                if deadline is not None and time.monotonic() >= deadline:
                    return None
        return None

    async def ack(self, message: Message) -> None:
        if message.id is None:
            msg = "message has no id: only messages of a durable subscription can be acknowledged"
            raise InvalidArgumentError(msg)
        if message.topic != self._topic:
            msg = (
                f"message of topic {message.topic!r} was not delivered by this subscription "
                f"(topic {self._topic!r})"
            )
            raise InvalidArgumentError(msg)
        held = self._held.pop(message.id, None)
        if held is None:
            return  # acknowledged already (or delivered to an earlier attach)
        with translating(BACKEND, "ack", translate):
            await held.ack_sync()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        held, self._held = list(self._held.values()), {}
        for msg in held:
            with contextlib.suppress(Exception):
                await msg.nak()
        async with self._lock:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
