"""kafka pubsub: basic, persistent (durable subscriptions are consumer groups) and ordering
(async source; the sync twin is generated).

A topic is a Kafka topic with ``partitions`` partitions (option, default 1).  ``publish`` and
``publish_persistent`` write partition 0; ``publish_ordered`` writes the partition its ordering
key maps to (``partition_for``), with the key as the Kafka key, so one key's messages keep their
order.  Every message is stored, so every message carries an id: ``<partition>-<offset>`` with
the offset zero-padded to 20 digits (ids of one partition compare in publish order as strings).
An ordinary subscription is a consumer assigned to every partition at the end of the log when
it subscribes.  A durable one is a Kafka consumer group per name, read through real group
membership as streams' groups are: each process is one member of the group, subscribed to the
topic and reading every partition Kafka assigns it (all of them when it is the only member),
so processes on one name share the topic's partitions, never both get a message, and a
process that dies has its unacknowledged messages redelivered to the others after the
rebalance.  Acknowledgements commit through the member; the subscriptions of one process share
its member, and pending messages, ``ack_wait`` and delivery counts among them are the
process's (see ``docs/backends/kafka.md``).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition  # noqa: TID253

from prism._partition import partition_for
from prism._validate import Duration
from prism.backends._async.base import AsyncFacet
from prism.backends._errors import translated
from prism.backends.kafka._core import (
    BACKEND,
    GroupState,
    KafkaClients,
    group_id,
    record_of,
    topic_name,
)
from prism.backends.kafka._errors import error_of, translate
from prism.errors import InvalidArgumentError
from prism.interfaces._async.pubsub import (
    AsyncDurableSubscription,
    AsyncPubSubBasic,
    AsyncPubSubOrdering,
    AsyncPubSubPersistent,
    AsyncSubscription,
)
from prism.types import Message, StartPosition, StreamRecord

if TYPE_CHECKING:
    from prism.backends.kafka._async.backend import AsyncKafkaBackend

__all__ = ["AsyncKafkaPubSub"]

_SLICE = 0.05
"""Seconds a waiting ``get`` polls at a time, so that ``close`` wakes it soon."""
_SUBSCRIBERS = itertools.count(1)


def message_id(partition: int, offset: int) -> str:
    return f"{partition}-{offset:020d}"


def _parse_id(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    partition, _, offset = value.partition("-")
    if not (partition.isdigit() and offset.isdigit()):
        return None
    return int(partition), int(offset)


def _message(topic: str, record: StreamRecord) -> Message:
    return Message(
        topic=topic,
        payload=record.payload,
        headers=record.headers,
        id=message_id(record.partition, record.offset),
        ordering_key=record.key,
        timestamp=record.timestamp,
        delivery_count=record.delivery_count,
    )


class AsyncKafkaPubSub(AsyncFacet, AsyncPubSubBasic, AsyncPubSubPersistent, AsyncPubSubOrdering):
    def __init__(self, backend: AsyncKafkaBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._k = backend.clients
        self._prefix = backend.config.topic_prefix
        self._group_prefix = backend.config.group_prefix
        self._topics: dict[str, str] = {}
        self._partitions = backend.config.partitions

    def _topic(self, topic: str) -> str:
        found = self._topics.get(topic)
        if found is None:
            found = self._topics[topic] = topic_name(self._prefix, self.namespace, "p", topic)
        return found

    async def _ensure(self, kafka_topic: str, operation: str) -> int:
        count = self._k.counts.get(kafka_topic)
        if count is None:
            count = await self._k.call_async(
                self._k.ensure, kafka_topic, self._partitions, operation
            )
        return count

    async def _send(
        self,
        topic: str,
        payload: bytes,
        key: str | None,
        headers: Mapping[str, str] | None,
        operation: str,
    ) -> str:
        kafka_topic = self._topic(topic)
        count = await self._ensure(kafka_topic, operation)
        partition = 0 if key is None else partition_for(key, count)
        placed, offset = await self._k.append_async(kafka_topic, partition, payload, key, headers)
        return message_id(placed, offset)

    async def publish(
        self, topic: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> None:
        await self._send(topic, payload, None, headers, "publish")

    async def publish_ordered(
        self,
        topic: str,
        payload: bytes,
        ordering_key: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        await self._send(topic, payload, ordering_key, headers, "publish_ordered")

    async def publish_persistent(
        self, topic: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> str:
        return await self._send(topic, payload, None, headers, "publish_persistent")

    async def last_message_id(self, topic: str) -> str | None:
        kafka_topic = self._topic(topic)
        if not await self._k.call_async(self._k.count, kafka_topic):
            return None
        low, high = await self._k.call_async(self._k.watermarks, kafka_topic, 0)
        return None if high <= low else message_id(0, high - 1)

    async def subscribe(self, topic: str) -> AsyncSubscription:
        kafka_topic = self._topic(topic)
        count = await self._ensure(kafka_topic, "subscribe")
        return await self._k.call_async(AsyncKafkaSubscription, self._k, topic, kafka_topic, count)

    async def subscribe_durable(
        self,
        topic: str,
        name: str,
        *,
        start: StartPosition = "earliest",
        ack_wait: Duration = 30.0,
    ) -> AsyncDurableSubscription:
        kafka_topic = self._topic(topic)
        count = await self._ensure(kafka_topic, "subscribe_durable")
        gid = group_id(self._group_prefix, kafka_topic, name)
        states: list[GroupState] = []
        for partition in range(count):
            await self._k.call_async(self._k.create_group, gid, kafka_topic, start, partition)
            state = await self._k.call_async(self._k.group, gid, kafka_topic, partition)
            if state is not None:
                states.append(state)
        return AsyncKafkaDurableSubscription(self._k, topic, states, cast("float", ack_wait))


class AsyncKafkaSubscription(AsyncSubscription):
    """A consumer assigned to every partition of the topic, from the end of the log."""

    def __init__(self, clients: KafkaClients, topic: str, kafka_topic: str, count: int) -> None:
        self._topic = topic
        self._k = clients
        self._closed = False
        self._lock = threading.Lock()
        config: dict[str, Any] = {**clients.reader_config, "fetch.wait.max.ms": 5}
        try:
            consumer = clients.sasl.make(Consumer, config)
            assignment = []
            for partition in range(count):
                _, high = consumer.get_watermark_offsets(
                    TopicPartition(kafka_topic, partition), timeout=clients.timeout, cached=False
                )
                assignment.append(TopicPartition(kafka_topic, partition, high))
            consumer.assign(assignment)
        except KafkaException as exc:
            raise translated(exc, BACKEND, "subscribe", translate) from exc
        self._consumer: Consumer | None = consumer

    def _poll(self, timeout: float | None) -> Message | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                consumer = self._consumer
                if consumer is None:
                    return None
                left = _SLICE if deadline is None else min(_SLICE, deadline - time.monotonic())
                try:
                    found = consumer.poll(max(left, 0.0))
                except KafkaException as exc:
                    raise translated(exc, BACKEND, "get", translate) from exc
            if found is not None:
                err = found.error()
                if err is None:
                    return _message(self._topic, record_of(found, self._topic))
                if err.code() != KafkaError._PARTITION_EOF:
                    raise error_of(err)
            if deadline is not None and time.monotonic() >= deadline:
                return None

    def _close(self) -> None:
        self._closed = True
        with self._lock:
            consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.close()

    async def get(self, timeout: Duration | None = None) -> Message | None:
        if self._closed:
            return None
        return await self._k.call_async(self._poll, cast("float | None", timeout))

    async def close(self) -> None:
        self._closed = True
        await self._k.call_async(self._close)

    @property
    def closed(self) -> bool:
        return self._closed


class AsyncKafkaDurableSubscription(AsyncDurableSubscription):
    """A subscriber of a durable name's consumer group: one group state per partition of the
    topic, all read through the process's one Kafka member of the group."""

    def __init__(
        self, clients: KafkaClients, topic: str, states: list[GroupState], ack_wait: float
    ) -> None:
        self._k = clients
        self._topic = topic
        self._states = states
        self._ack_wait = ack_wait
        self._me = f"subscriber-{next(_SUBSCRIBERS)}"
        self._closed = False

    def _take(self, timeout: float | None) -> Message | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        last = len(self._states) - 1
        while not self._closed:
            wait = _SLICE if deadline is None else min(_SLICE, deadline - time.monotonic())
            for i, state in enumerate(self._states):
                # the group's member fetches every partition it holds: one wait (on the last
                # state) serves them all, and what it fetched for the others is buffered there
                got = self._k.deliver(
                    state, self._me, 1, max(wait, 0.0) if i == last else 0.0, self._ack_wait
                )
                if got:
                    return _message(self._topic, got[0])
            if deadline is not None and time.monotonic() >= deadline:
                return None
        return None

    def _ack(self, partition: int, offset: int) -> None:
        for state in self._states:
            if state.partition == partition:
                self._k.ack(state, [offset])

    def _release(self) -> None:
        for state in self._states:
            self._k.release(state, self._me)

    async def get(self, timeout: Duration | None = None) -> Message | None:
        if self._closed:
            return None
        return await self._k.call_async(self._take, cast("float | None", timeout))

    async def ack(self, message: Message) -> None:
        where = _parse_id(message.id) if isinstance(message, Message) else None
        if where is None or message.topic != self._topic:
            msg = (
                f"message must be one this subscription to {self._topic!r} delivered (with its "
                f"id), got topic {getattr(message, 'topic', None)!r} id {getattr(message, 'id', None)!r}"
            )
            raise InvalidArgumentError(msg, backend=BACKEND, operation="ack")
        await self._k.call_async(self._ack, *where)

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._k.call_async(self._release)

    @property
    def closed(self) -> bool:
        return self._closed
