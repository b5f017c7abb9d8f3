"""Stream: append-only logs with offsets, consumer groups, replay, retention and partitions."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Iterable, Mapping

from prism._validate import Duration, Timestamp
from prism.interfaces._base import (
    CONSUMER,
    COUNT,
    DURATION,
    GROUP,
    HEADERS,
    KEY,
    NON_NEGATIVE,
    OFFSETS,
    OPT_COUNT,
    OPT_DURATION,
    OPT_POSITIVE_DURATION,
    PARTITION,
    PARTITION_COUNT,
    PAYLOAD,
    PAYLOAD_LIST,
    START_POSITION,
    STREAM,
    TIMESTAMP,
    Interface,
    checks,
)
from prism.types import (
    GroupInfo,
    PartitionOffset,
    RetentionLimits,
    StartPosition,
    StreamRecord,
)

__all__ = [
    "AsyncStreamBasic",
    "AsyncStreamConsumerGroups",
    "AsyncStreamPartitioning",
    "AsyncStreamReplay",
    "AsyncStreamRetention",
]


class AsyncStreamBasic(Interface, name="stream_basic", model="stream"):
    """An append-only log per stream name.

    Offsets are non-negative ints that strictly increase within a stream (partition 0 of a
    partitioned stream); they need not be contiguous.  Records come back in offset order with
    payload, headers and the append time (epoch seconds).
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(stream=STREAM, payload=PAYLOAD, headers=HEADERS)
    async def append(
        self, stream: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> int:
        """Append a record; return its offset."""

    @checks(stream=STREAM, payloads=PAYLOAD_LIST, headers=HEADERS)
    async def append_many(
        self,
        stream: str,
        payloads: Iterable[bytes],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> list[int]:
        """Append records in the order given (``headers`` on each); return their offsets, in
        that order.  The batch is checked whole before anything is written: one bad payload
        anywhere appends nothing.  An empty batch appends nothing and returns ``[]``.

        It is the same as calling :meth:`append` for each payload in turn, except that a
        backend may send the batch at once (Kafka, Redis, NATS and memstore do; SQLite and
        PostgreSQL write it in one transaction).  Atomicity is not promised: when the backend fails
        part-way, some of the records may already be stored (none, on a transactional backend),
        the call raises, and calling again may store them twice — at-least-once, like any
        retried append.  At most ``MAX_BATCH`` payloads per call.

        This default appends one at a time; backends override it."""
        return [await self.append(stream, payload, headers=headers) for payload in payloads]

    @abc.abstractmethod
    @checks(stream=STREAM, from_offset=NON_NEGATIVE, max_count=COUNT)
    async def read(
        self, stream: str, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        """Up to ``max_count`` records with offset >= ``from_offset``, in offset order.
        Reading past the end (or a missing stream) returns an empty list.  Offsets and counts
        are ints below 2**63 (``MAX_INT``)."""

    @abc.abstractmethod
    @checks(stream=STREAM)
    async def latest_offset(self, stream: str) -> int | None:
        """The offset of the newest record, or None for an empty or missing stream."""


class AsyncStreamConsumerGroups(Interface, name="stream_consumer_groups", model="stream"):
    """Consumer groups with at-least-once delivery.

    Groups read partition 0 (the log ``stream_basic`` writes).  Within a group each record is
    delivered to one consumer at a time.  A record stays pending until acknowledged; ``consume``
    first reclaims records that have been pending for ``claim_timeout`` seconds or more (from
    any consumer of the group, the caller included: a consumer gets its own lapsed records
    back) and redelivers them in offset order, then reads new ones.
    A record's ``delivery_count`` counts its deliveries to the group, this one included.  Two
    groups each see every record.  Groups are never deleted; every operation on a group but
    :meth:`create_group` raises ``NotFoundError`` when the group does not exist (a missing
    stream has no groups), and changes nothing.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(stream=STREAM, group=GROUP, start=START_POSITION)
    async def create_group(
        self, stream: str, group: str, *, start: StartPosition | int = "latest"
    ) -> bool:
        """Create ``group`` positioned at ``start``: ``"earliest"`` (every retained record),
        ``"latest"`` (only records appended from now on) or an offset (records at or after it).
        The stream need not exist yet.  Returns False, changing nothing, when the group already
        exists.  Any other ``start`` raises ``InvalidArgumentError``."""

    @abc.abstractmethod
    @checks(
        stream=STREAM,
        group=GROUP,
        consumer=CONSUMER,
        max_count=COUNT,
        block=OPT_DURATION,
        claim_timeout=DURATION,
    )
    async def consume(
        self,
        stream: str,
        group: str,
        consumer: str,
        *,
        max_count: int = 10,
        block: Duration | None = None,
        claim_timeout: Duration = 30.0,
    ) -> list[StreamRecord]:
        """Deliver up to ``max_count`` records to ``consumer``.

        Waits up to ``block`` seconds for new records when there are none (None or 0: do not
        wait); returns an empty list when none came.  ``block`` and ``claim_timeout`` are at
        most ``MAX_SECONDS`` (100 years).  Raises ``NotFoundError`` when the group does not
        exist, at once (without waiting for ``block``).
        """

    @abc.abstractmethod
    @checks(stream=STREAM, group=GROUP, offsets=OFFSETS)
    async def ack(self, stream: str, group: str, offsets: int | Iterable[int]) -> int:
        """Acknowledge records; return how many were pending and are now acknowledged.

        Offsets that are not pending (never delivered, already acknowledged) count 0.  Offsets
        must be non-negative ints (``InvalidArgumentError`` otherwise).  Raises
        ``NotFoundError``, acknowledging nothing, when the group does not exist (the stream
        missing included), whatever the offsets — an empty list too: a missing group is an
        error, never "nothing was pending"."""

    @abc.abstractmethod
    @checks(stream=STREAM, group=GROUP)
    async def group_info(self, stream: str, group: str) -> GroupInfo:
        """Consumers, pending counts and lag (see :class:`~prism.types.GroupInfo`); a consumer
        that holds nothing may be listed with 0.  Raises ``NotFoundError`` for a missing group."""


class AsyncStreamReplay(Interface, name="stream_replay", model="stream"):
    """Reading history by offset or time.

    Replay reads partition 0.  Seeks return an offset to read from (None when nothing is at or
    after the position, or the stream is missing): a seek never raises for an out-of-range
    position.  Ranges are inclusive at both ends; ``start > end`` yields nothing.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(stream=STREAM, offset=NON_NEGATIVE)
    async def seek_to_offset(self, stream: str, offset: int) -> int | None:
        """The first retained offset >= ``offset``, or None."""

    @abc.abstractmethod
    @checks(stream=STREAM, timestamp=TIMESTAMP)
    async def seek_to_timestamp(self, stream: str, timestamp: Timestamp) -> int | None:
        """The offset of the first record appended at or after ``timestamp``, or None."""

    @abc.abstractmethod
    @checks(stream=STREAM, start=NON_NEGATIVE, end=NON_NEGATIVE)
    def replay_range(self, stream: str, start: int, end: int) -> AsyncIterator[StreamRecord]:
        """Yield every retained record with ``start <= offset <= end`` in order, paging."""


class AsyncStreamRetention(Interface, name="stream_retention", model="stream"):
    """Retention limits, applied to each partition.  After :meth:`trim`, records beyond the
    limit are no longer readable; records within it are never removed.  Backends may also trim
    on their own, never removing a record within the limit.  Offsets are never reused: appends
    after a trim continue past the newest offset."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(stream=STREAM, max_age=OPT_POSITIVE_DURATION, max_length=OPT_COUNT)
    async def set_retention(
        self, stream: str, *, max_age: Duration | None = None, max_length: int | None = None
    ) -> None:
        """Set (or with None, clear) the age and length limits of ``stream``.

        ``max_age`` is seconds (> 0) since a record's append: a record is beyond it only when
        strictly older, so one exactly ``max_age`` old is kept.  ``max_length`` (>= 1) keeps the
        newest records: a partition of exactly ``max_length`` records loses none.  Anything else raises ``InvalidArgumentError``."""

    @abc.abstractmethod
    @checks(stream=STREAM)
    async def get_retention(self, stream: str) -> RetentionLimits:
        """The limits in force (:class:`prism.types.RetentionLimits`); both None when none
        were set."""

    @abc.abstractmethod
    @checks(stream=STREAM)
    async def trim(self, stream: str) -> int:
        """Remove every record beyond the limits now; return how many were removed."""


class AsyncStreamPartitioning(Interface, name="stream_partitioning", model="stream"):
    """Partitioned streams: a key always maps to the same partition; order holds per partition.

    A stream has one partition until :meth:`set_partitions` gives it more; partition 0 is the one
    ``stream_basic`` reads and writes.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(stream=STREAM, count=PARTITION_COUNT)
    async def set_partitions(self, stream: str, count: int) -> None:
        """Give ``stream`` ``count`` partitions.  The count may grow, never shrink
        (``InvalidArgumentError``).  ``count`` is at most ``MAX_PARTITIONS`` (4096); a larger
        one raises ``InvalidArgumentError`` before any I/O."""

    @abc.abstractmethod
    @checks(stream=STREAM)
    async def partitions(self, stream: str) -> int:
        """The number of partitions (1 for a stream never partitioned)."""

    @abc.abstractmethod
    @checks(stream=STREAM, partition=PARTITION, payload=PAYLOAD, headers=HEADERS)
    async def append_to_partition(
        self,
        stream: str,
        partition: int,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> int:
        """Append to one partition; return the offset.  A partition outside the stream's
        count raises ``InvalidArgumentError``."""

    @abc.abstractmethod
    @checks(stream=STREAM, key=KEY, payload=PAYLOAD, headers=HEADERS)
    async def append_with_key(
        self,
        stream: str,
        key: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> PartitionOffset:
        """Append to the partition ``key`` maps to: ``prism._partition.partition_for(key,
        count)`` (CRC-32 of the UTF-8 key, modulo the count), the same in every process and
        backend.  The count is the one in force at the append: after :meth:`set_partitions`
        later appends of a key go to ``partition_for(key, new count)``, while records already
        appended stay in the partition they were appended to.  The record carries ``key``."""

    @abc.abstractmethod
    @checks(stream=STREAM, partition=PARTITION, from_offset=NON_NEGATIVE, max_count=COUNT)
    async def read_partition(
        self, stream: str, partition: int, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        """Records of one partition with offset >= ``from_offset``, in order.  A partition
        outside the stream's count raises ``InvalidArgumentError``."""
