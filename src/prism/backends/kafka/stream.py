# Generated from src/prism/backends/kafka/_async/stream.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""kafka stream: basic, consumer groups, replay, retention and partitioning.

(the sync twin, generated from the async source)

A stream is a Kafka topic with one partition until ``set_partitions``; offsets are Kafka's.
Groups read partition 0 through real Kafka group membership: each process is one member of
the group (subscribed with the group id), so processes share the group's partitions and a
member that dies has its uncommitted records redelivered to the others after the rebalance.
The consumer names within one process share that member; pending records, claim timeouts and
delivery counts among them are kept by the process.  The group's committed offset in Kafka is
its durable position (every offset below it acknowledged), advanced through the member only
after acknowledgement (see ``docs/backends/kafka.md``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from prism._partition import partition_for
from prism._validate import Duration, Timestamp
from prism.backends.base import Facet
from prism.backends.kafka._core import BACKEND, GroupState, group_id, topic_name
from prism.errors import InvalidArgumentError, NotFoundError
from prism.interfaces.stream import (
    StreamBasic,
    StreamConsumerGroups,
    StreamPartitioning,
    StreamReplay,
    StreamRetention,
)
from prism.types import GroupInfo, PartitionOffset, RetentionLimits, StartPosition, StreamRecord

if TYPE_CHECKING:
    from prism.backends.kafka.backend import KafkaBackend

__all__ = ["KafkaStream"]

PAGE = 100
INLINE_BATCH = 2000
"""Most records an async ``append_many`` produces in the event loop's thread (about 4 µs
each, so a few milliseconds); a larger batch is produced by a worker thread, which waits for
its delivery reports there, so the loop is never held up for long."""


class KafkaStream(
    Facet,
    StreamBasic,
    StreamConsumerGroups,
    StreamReplay,
    StreamRetention,
    StreamPartitioning,
):
    def __init__(self, backend: KafkaBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._k = backend.clients
        self._prefix = backend.config.topic_prefix
        self._group_prefix = backend.config.group_prefix
        self._topics: dict[str, str] = {}
        self._gids: dict[tuple[str, str], str] = {}

    def _topic(self, stream: str) -> str:
        found = self._topics.get(stream)
        if found is None:
            found = self._topics[stream] = topic_name(self._prefix, self.namespace, "s", stream)
        return found

    def _gid(self, topic: str, group: str) -> str:
        found = self._gids.get((topic, group))
        if found is None:  # escaping costs about 50 ns a character: once per group
            found = self._gids[topic, group] = group_id(self._group_prefix, topic, group)
        return found

    # ---- basic -----------------------------------------------------------------------------

    def append(
        self, stream: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> int:
        topic = self._topic(stream)
        if topic not in self._k.counts:
            self._k.call(self._k.ensure, topic, 1, "append")
        _, offset = self._k.append(topic, 0, payload, None, headers)
        return offset

    def append_many(
        self,
        stream: str,
        payloads: Iterable[bytes],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> list[int]:
        batch = cast("list[bytes]", payloads)  # the check hands over a fresh list
        if not batch:
            return []
        topic = self._topic(stream)
        if topic not in self._k.counts:
            self._k.call(self._k.ensure, topic, 1, "append_many")
        if len(batch) > INLINE_BATCH:  # producing them all would hold the loop up: a worker does
            return self._k.call(self._k.append_batch, topic, batch, headers)
        return self._k.append_batch(topic, batch, headers)

    def read(
        self, stream: str, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        return self._k.call(
            self._k.read, self._topic(stream), 0, from_offset, max_count, 0.0, stream
        )

    def latest_offset(self, stream: str) -> int | None:
        topic = self._topic(stream)
        if not self._k.call(self._k.count, topic):
            return None
        low, high = self._k.call(self._k.watermarks, topic, 0)
        return None if high <= low else high - 1

    # ---- consumer groups -------------------------------------------------------------------

    def _group(self, stream: str, group: str, operation: str) -> GroupState:
        topic = self._topic(stream)
        gid = self._gid(topic, group)
        state = self._k.known_group(gid) or self._k.call(self._k.group, gid, topic)
        if state is None:
            msg = f"stream {stream!r} has no consumer group {group!r}"
            raise NotFoundError(msg, backend=BACKEND, operation=operation)
        return state

    def create_group(
        self, stream: str, group: str, *, start: StartPosition | int = "latest"
    ) -> bool:
        topic = self._topic(stream)
        return self._k.call(self._k.create_group, self._gid(topic, group), topic, start)

    def consume(
        self,
        stream: str,
        group: str,
        consumer: str,
        *,
        max_count: int = 10,
        block: Duration | None = None,
        claim_timeout: Duration = 30.0,
    ) -> list[StreamRecord]:
        state = self._group(stream, group, "consume")
        return self._k.call(
            self._k.deliver,
            state,
            consumer,
            max_count,
            cast("float", block or 0.0),
            cast("float", claim_timeout),
            stream,
        )

    def ack(self, stream: str, group: str, offsets: int | Iterable[int]) -> int:
        state = self._group(stream, group, "ack")
        # the check hands over a fresh list of ints (or one int)
        items = [offsets] if isinstance(offsets, int) else offsets
        return self._k.call(self._k.ack, state, items)

    def group_info(self, stream: str, group: str) -> GroupInfo:
        state = self._group(stream, group, "group_info")
        consumers, pending, lag, last = self._k.call(self._k.group_snapshot, state)
        return GroupInfo(
            stream=stream,
            group=group,
            consumers=consumers,
            pending=pending,
            lag=lag,
            last_delivered=last,
        )

    # ---- replay ----------------------------------------------------------------------------

    def seek_to_offset(self, stream: str, offset: int) -> int | None:
        topic = self._topic(stream)
        if not self._k.call(self._k.count, topic):
            return None
        low, high = self._k.call(self._k.watermarks, topic, 0)
        return None if offset >= high else max(offset, low)

    def seek_to_timestamp(self, stream: str, timestamp: Timestamp) -> int | None:
        seconds = timestamp.timestamp() if isinstance(timestamp, datetime) else float(timestamp)
        millis = max(0, int(seconds * 1000 + 0.999999))
        return self._k.call(self._k.offset_for_time, self._topic(stream), 0, millis)

    def replay_range(self, stream: str, start: int, end: int) -> Iterator[StreamRecord]:
        topic = self._topic(stream)
        position = start
        while position <= end:
            page = self._k.call(self._k.read, topic, 0, position, PAGE, 0.0, stream)
            if not page:
                return
            for record in page:
                if record.offset > end:
                    return
                yield record
            position = page[-1].offset + 1

    # ---- retention -------------------------------------------------------------------------

    def set_retention(
        self, stream: str, *, max_age: Duration | None = None, max_length: int | None = None
    ) -> None:
        if max_age is None:
            age = None
        elif isinstance(max_age, timedelta):
            age = max_age.total_seconds()
        else:
            age = float(max_age)
        self._k.call(self._k.set_retention, self._topic(stream), age, max_length)

    def get_retention(self, stream: str) -> RetentionLimits:
        age, length = self._k.call(self._k.get_retention, self._topic(stream))
        return RetentionLimits(max_age=age, max_length=length)

    def trim(self, stream: str) -> int:
        return self._k.call(self._k.trim, self._topic(stream), time.time())

    # ---- partitioning ----------------------------------------------------------------------

    def _count(self, topic: str) -> int:
        return self._k.call(self._k.count, topic) or 1

    def set_partitions(self, stream: str, count: int) -> None:
        topic = self._topic(stream)
        current = self._k.call(self._k.count, topic, fresh=True)
        if not current:
            current = self._k.call(self._k.ensure, topic, count, "set_partitions")
        if count < current:
            msg = f"stream {stream!r} has {current} partitions; the count may grow, never shrink"
            raise InvalidArgumentError(msg, backend=BACKEND, operation="set_partitions")
        if count > current:
            self._k.call(self._k.grow, topic, count)

    def partitions(self, stream: str) -> int:
        return self._count(self._topic(stream))

    def _checked(self, stream: str, topic: str, partition: int) -> int:
        count = self._count(topic)
        if partition >= count:
            msg = f"stream {stream!r} has {count} partition(s); partition must be < {count}"
            raise InvalidArgumentError(msg, backend=BACKEND)
        return count

    def append_to_partition(
        self,
        stream: str,
        partition: int,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> int:
        topic = self._topic(stream)
        self._checked(stream, topic, partition)
        if topic not in self._k.counts:
            self._k.call(self._k.ensure, topic, 1, "append_to_partition")
        _, offset = self._k.append(topic, partition, payload, None, headers)
        return offset

    def append_with_key(
        self,
        stream: str,
        key: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> PartitionOffset:
        topic = self._topic(stream)
        if topic not in self._k.counts:
            self._k.call(self._k.ensure, topic, 1, "append_with_key")
        count = self._count(topic)
        partition = partition_for(key, count)
        placed, offset = self._k.append(topic, partition, payload, key, headers)
        return PartitionOffset(partition=placed, offset=offset)

    def read_partition(
        self, stream: str, partition: int, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        topic = self._topic(stream)
        self._checked(stream, topic, partition)
        return self._k.call(self._k.read, topic, partition, from_offset, max_count, 0.0, stream)
