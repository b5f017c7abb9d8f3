"""Broken stream variants."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

from prism._validate import Duration, Timestamp
from prism._validate import timestamp as to_epoch
from prism.backends.memstore._async.stream import AsyncMemStream
from prism.backends.memstore.stream import MemStream
from prism.types import PartitionOffset, StreamRecord
from tests.broken import Variant


class LatestIsNextMemStream(MemStream):
    """latest_offset is off by one: it reports the offset the next append will get."""

    def latest_offset(self, stream: str) -> int | None:
        latest = super().latest_offset(stream)
        return None if latest is None else latest + 1


class AsyncLatestIsNextMemStream(AsyncMemStream):
    async def latest_offset(self, stream: str) -> int | None:
        latest = await super().latest_offset(stream)
        return None if latest is None else latest + 1


class NoRedeliveryMemStream(MemStream):
    """Pending records are never reclaimed: a record held by a dead consumer is stuck."""

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
        return super().consume(
            stream, group, consumer, max_count=max_count, block=block, claim_timeout=10**9
        )


class AsyncNoRedeliveryMemStream(AsyncMemStream):
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
        return await super().consume(
            stream, group, consumer, max_count=max_count, block=block, claim_timeout=10**9
        )


class DoubleDeliveryMemStream(MemStream):
    """Every pending record is up for grabs at once: one record reaches two consumers."""

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
        return super().consume(
            stream, group, consumer, max_count=max_count, block=block, claim_timeout=0
        )


class AsyncDoubleDeliveryMemStream(AsyncMemStream):
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
        return await super().consume(
            stream, group, consumer, max_count=max_count, block=block, claim_timeout=0
        )


class NoWakeupMemStream(MemStream):
    """Appends never signal: a blocked consume sleeps through new records until it times out."""

    def _append(
        self,
        stream: str,
        partition: int,
        payload: bytes,
        headers: Mapping[str, str] | None,
        key: str | None = None,
    ) -> int:
        with self._lock:
            self._partition(stream, partition)
            log = self._state.log(stream)
            record = log.partitions[partition].append(
                stream, partition, payload, headers, self._store.clock(), key
            )
            return record.offset


class AsyncNoWakeupMemStream(AsyncMemStream):
    _append = NoWakeupMemStream._append


def _group_missing(facet: MemStream | AsyncMemStream, stream: str, group: str) -> bool:
    with facet._lock:
        log = facet._state.find(stream)
        return log is None or group not in log.groups


class ZeroAckMemStream(MemStream):
    """ack on a missing group counts 0, as XACK answers, instead of raising NotFoundError."""

    def ack(self, stream: str, group: str, offsets: int | Iterable[int]) -> int:
        if _group_missing(self, stream, group):
            return 0
        return super().ack(stream, group, offsets)


class AsyncZeroAckMemStream(AsyncMemStream):
    async def ack(self, stream: str, group: str, offsets: int | Iterable[int]) -> int:
        if _group_missing(self, stream, group):
            return 0
        return await super().ack(stream, group, offsets)


class SeekAfterMemStream(MemStream):
    """seek_to_timestamp skips a record appended exactly at the timestamp."""

    def seek_to_timestamp(self, stream: str, timestamp: Timestamp) -> int | None:
        return super().seek_to_timestamp(stream, to_epoch(timestamp) + 1e-6)


class AsyncSeekAfterMemStream(AsyncMemStream):
    async def seek_to_timestamp(self, stream: str, timestamp: Timestamp) -> int | None:
        return await super().seek_to_timestamp(stream, to_epoch(timestamp) + 1e-6)


def _drop_oldest(facet: MemStream | AsyncMemStream, stream: str) -> int:
    with facet._lock:
        log = facet._state.find(stream)
        if log is None or not log.partitions[0].records:
            return 0
        del log.partitions[0].records[0]
        return 1


class OverTrimMemStream(MemStream):
    """trim removes one record too many: the oldest record within the limits is lost."""

    def trim(self, stream: str) -> int:
        return super().trim(stream) + _drop_oldest(self, stream)


class AsyncOverTrimMemStream(AsyncMemStream):
    async def trim(self, stream: str) -> int:
        return await super().trim(stream) + _drop_oldest(self, stream)


class RoundRobinKeysMemStream(MemStream):
    """Keys are ignored: keyed appends rotate over the partitions."""

    _turn = itertools.count()

    def append_with_key(
        self, stream: str, key: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> PartitionOffset:
        partition = next(self._turn) % self.partitions(stream)
        offset = self.append_to_partition(stream, partition, payload, headers=headers)
        return PartitionOffset(partition, offset)


class AsyncRoundRobinKeysMemStream(AsyncMemStream):
    _turn = itertools.count()

    async def append_with_key(
        self, stream: str, key: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> PartitionOffset:
        partition = next(self._turn) % await self.partitions(stream)
        offset = await self.append_to_partition(stream, partition, payload, headers=headers)
        return PartitionOffset(partition, offset)


VARIANTS = [
    Variant(
        "stream",
        "latest-is-next",
        LatestIsNextMemStream,
        AsyncLatestIsNextMemStream,
        "stream_basic",
    ),
    Variant(
        "stream",
        "no-redelivery",
        NoRedeliveryMemStream,
        AsyncNoRedeliveryMemStream,
        "stream_consumer_groups",
    ),
    Variant(
        "stream",
        "double-delivery",
        DoubleDeliveryMemStream,
        AsyncDoubleDeliveryMemStream,
        "stream_consumer_groups",
    ),
    Variant(
        "stream", "no-wakeup", NoWakeupMemStream, AsyncNoWakeupMemStream, "stream_consumer_groups"
    ),
    Variant(
        "stream", "zero-ack", ZeroAckMemStream, AsyncZeroAckMemStream, "stream_consumer_groups"
    ),
    Variant("stream", "seek-after", SeekAfterMemStream, AsyncSeekAfterMemStream, "stream_replay"),
    Variant("stream", "over-trim", OverTrimMemStream, AsyncOverTrimMemStream, "stream_retention"),
    Variant(
        "stream",
        "round-robin-keys",
        RoundRobinKeysMemStream,
        AsyncRoundRobinKeysMemStream,
        "stream_partitioning",
    ),
]
