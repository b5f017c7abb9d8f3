"""Broken stream variants."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from prism._partition import partition_for
from prism._validate import Duration, Timestamp, seconds
from prism._validate import timestamp as to_epoch
from prism.backends.memstore._async.stream import AsyncMemStream
from prism.types import PartitionOffset, StreamRecord
from tests.broken import Variant


class AsyncLatestIsNextMemStream(AsyncMemStream):
    """latest_offset is off by one: it reports the offset the next append will get."""

    async def latest_offset(self, stream: str) -> int | None:
        latest = await super().latest_offset(stream)
        return None if latest is None else latest + 1


class AsyncNoRedeliveryMemStream(AsyncMemStream):
    """Pending records are never reclaimed: a record held by a dead consumer is stuck."""

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


class AsyncDoubleDeliveryMemStream(AsyncMemStream):
    """Every pending record is up for grabs at once: one record reaches two consumers."""

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


class AsyncNoWakeupMemStream(AsyncMemStream):
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


def _group_missing(facet: AsyncMemStream, stream: str, group: str) -> bool:
    with facet._lock:
        log = facet._state.find(stream)
        return log is None or group not in log.groups


class AsyncZeroAckMemStream(AsyncMemStream):
    """ack on a missing group counts 0, as XACK answers, instead of raising NotFoundError."""

    async def ack(self, stream: str, group: str, offsets: int | Iterable[int]) -> int:
        if _group_missing(self, stream, group):
            return 0
        return await super().ack(stream, group, offsets)


class AsyncSeekAfterMemStream(AsyncMemStream):
    """seek_to_timestamp skips a record appended exactly at the timestamp."""

    async def seek_to_timestamp(self, stream: str, timestamp: Timestamp) -> int | None:
        return await super().seek_to_timestamp(stream, to_epoch(timestamp) + 1e-6)


def _drop_oldest(facet: AsyncMemStream, stream: str) -> int:
    with facet._lock:
        log = facet._state.find(stream)
        if log is None or not log.partitions[0].records:
            return 0
        del log.partitions[0].records[0]
        return 1


class AsyncOverTrimMemStream(AsyncMemStream):
    """trim removes one record too many: the oldest record within the limits is lost."""

    async def trim(self, stream: str) -> int:
        return await super().trim(stream) + _drop_oldest(self, stream)


class AsyncRoundRobinKeysMemStream(AsyncMemStream):
    """Keys are ignored: keyed appends rotate over the partitions."""

    _turn = itertools.count()

    async def append_with_key(
        self, stream: str, key: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> PartitionOffset:
        partition = next(self._turn) % await self.partitions(stream)
        offset = await self.append_to_partition(stream, partition, payload, headers=headers)
        return PartitionOffset(partition, offset)


# Inconvenient inputs (issue 8) ------------------------------------------------------------------


def _refresh_own(facet: AsyncMemStream, stream: str, group: str, consumer: str) -> None:
    """Restart the claim clock of every record pending on ``consumer`` (as a backend that
    treats a consumer's own poll as a heartbeat would): it can never reclaim its own."""
    with facet._lock:
        log = facet._state.find(stream)
        found = None if log is None else log.groups.get(group)
        if found is not None:
            now = facet._store.clock()
            for delivery in found.pending.values():
                if delivery.consumer == consumer:
                    delivery.delivered_at = now


class AsyncNoSelfReclaimMemStream(AsyncMemStream):
    """A consumer never reclaims its own lapsed records: only another consumer can."""

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
        _refresh_own(self, stream, group, consumer)
        return await super().consume(
            stream, group, consumer, max_count=max_count, block=block, claim_timeout=claim_timeout
        )


class AsyncLateClaimMemStream(AsyncMemStream):
    """A record becomes reclaimable only strictly after ``claim_timeout``, not at it."""

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
        late = seconds(claim_timeout, "claim_timeout", allow_zero=True) + 1e-6
        return await super().consume(
            stream, group, consumer, max_count=max_count, block=block, claim_timeout=late
        )


def _trim_inclusive(facet: AsyncMemStream, stream: str) -> int:
    with facet._lock:
        log = facet._state.find(stream)
        return 0 if log is None else log.trim(facet._store.clock() + 1e-6)


class AsyncAgeInclusiveTrimMemStream(AsyncMemStream):
    """trim also drops a record exactly ``max_age`` old."""

    async def trim(self, stream: str) -> int:
        return _trim_inclusive(self, stream)


_STICKY: dict[tuple[str, str, str], int] = {}


class AsyncStickyKeysMemStream(AsyncMemStream):
    """A key keeps the partition it first mapped to, even after ``set_partitions``."""

    async def append_with_key(
        self, stream: str, key: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> PartitionOffset:
        where = (self.namespace, stream, key)
        if where not in _STICKY:
            _STICKY[where] = partition_for(key, await self.partitions(stream))
        offset = self._append(stream, _STICKY[where], payload, headers, key)
        return PartitionOffset(_STICKY[where], offset)


def _hide_others(facet: AsyncMemStream, stream: str, group: str) -> dict[int, float]:
    """Make only the records of one consumer (the holder of the oldest pending record) look
    lapsed, as a backend reclaiming one dead consumer at a time would; returns what to undo."""
    with facet._lock:
        log = facet._state.find(stream)
        found = None if log is None else log.groups.get(group)
        if found is None or not found.pending:
            return {}
        first = found.pending[min(found.pending)].consumer
        now = facet._store.clock()
        hidden = {}
        for offset, delivery in found.pending.items():
            if delivery.consumer != first:
                hidden[offset] = delivery.delivered_at
                delivery.delivered_at = now
        return hidden


def _restore(facet: AsyncMemStream, stream: str, group: str, hidden: dict[int, float]) -> None:
    with facet._lock:
        log = facet._state.find(stream)
        found = None if log is None else log.groups.get(group)
        for offset, delivered_at in hidden.items():
            if found is not None and offset in found.pending:
                found.pending[offset].delivered_at = delivered_at


class AsyncByConsumerReclaimMemStream(AsyncMemStream):
    """A reclaim takes the lapsed records of one consumer at a time, not all in offset order."""

    async def consume(self, stream: str, group: str, consumer: str, **options: Any) -> Any:
        hidden = _hide_others(self, stream, group)
        try:
            return await super().consume(stream, group, consumer, **options)
        finally:
            _restore(self, stream, group, hidden)


class AsyncManyReversedMemStream(AsyncMemStream):
    """append_many stores the batch back to front (returning the offsets in the order given)."""

    async def append_many(
        self,
        stream: str,
        payloads: Iterable[bytes],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> list[int]:
        return sorted(await super().append_many(stream, list(payloads)[::-1], headers=headers))


class AsyncManyNoHeadersMemStream(AsyncMemStream):
    """append_many drops the headers it was given."""

    async def append_many(
        self,
        stream: str,
        payloads: Iterable[bytes],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> list[int]:
        return await super().append_many(stream, payloads)


VARIANTS = [
    Variant(
        "stream",
        "latest-is-next",
        AsyncLatestIsNextMemStream,
        "stream_basic",
    ),
    Variant(
        "stream",
        "no-redelivery",
        AsyncNoRedeliveryMemStream,
        "stream_consumer_groups",
    ),
    Variant(
        "stream",
        "double-delivery",
        AsyncDoubleDeliveryMemStream,
        "stream_consumer_groups",
    ),
    Variant("stream", "no-wakeup", AsyncNoWakeupMemStream, "stream_consumer_groups"),
    Variant("stream", "zero-ack", AsyncZeroAckMemStream, "stream_consumer_groups"),
    Variant("stream", "seek-after", AsyncSeekAfterMemStream, "stream_replay"),
    Variant("stream", "over-trim", AsyncOverTrimMemStream, "stream_retention"),
    Variant(
        "stream",
        "round-robin-keys",
        AsyncRoundRobinKeysMemStream,
        "stream_partitioning",
    ),
    Variant(
        "stream",
        "no-self-reclaim",
        AsyncNoSelfReclaimMemStream,
        "stream_consumer_groups",
    ),
    Variant(
        "stream",
        "late-claim",
        AsyncLateClaimMemStream,
        "stream_consumer_groups",
    ),
    Variant(
        "stream",
        "age-inclusive-trim",
        AsyncAgeInclusiveTrimMemStream,
        "stream_retention",
    ),
    Variant(
        "stream",
        "sticky-keys",
        AsyncStickyKeysMemStream,
        "stream_partitioning",
    ),
    Variant(
        "stream",
        "by-consumer-reclaim",
        AsyncByConsumerReclaimMemStream,
        "stream_consumer_groups",
    ),
    Variant("stream", "many-reversed", AsyncManyReversedMemStream, "stream_basic"),
    Variant("stream", "many-no-headers", AsyncManyNoHeadersMemStream, "stream_basic"),
]
