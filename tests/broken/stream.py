# Generated from tests/broken/_async/stream.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Broken stream variants."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from prism._partition import partition_for
from prism._validate import Duration, Timestamp, seconds
from prism._validate import timestamp as to_epoch
from prism.backends.memstore.stream import MemStream
from prism.types import PartitionOffset, StreamRecord
from tests.broken import Variant


class LatestIsNextMemStream(MemStream):
    """latest_offset is off by one: it reports the offset the next append will get."""

    def latest_offset(self, stream: str) -> int | None:
        latest = super().latest_offset(stream)
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


def _group_missing(facet: MemStream, stream: str, group: str) -> bool:
    with facet._lock:
        log = facet._state.find(stream)
        return log is None or group not in log.groups


class ZeroAckMemStream(MemStream):
    """ack on a missing group counts 0, as XACK answers, instead of raising NotFoundError."""

    def ack(self, stream: str, group: str, offsets: int | Iterable[int]) -> int:
        if _group_missing(self, stream, group):
            return 0
        return super().ack(stream, group, offsets)


class SeekAfterMemStream(MemStream):
    """seek_to_timestamp skips a record appended exactly at the timestamp."""

    def seek_to_timestamp(self, stream: str, timestamp: Timestamp) -> int | None:
        return super().seek_to_timestamp(stream, to_epoch(timestamp) + 1e-6)


def _drop_oldest(facet: MemStream, stream: str) -> int:
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


class RoundRobinKeysMemStream(MemStream):
    """Keys are ignored: keyed appends rotate over the partitions."""

    _turn = itertools.count()

    def append_with_key(
        self, stream: str, key: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> PartitionOffset:
        partition = next(self._turn) % self.partitions(stream)
        offset = self.append_to_partition(stream, partition, payload, headers=headers)
        return PartitionOffset(partition, offset)


# Inconvenient inputs (issue 8) ------------------------------------------------------------------


def _refresh_own(facet: MemStream, stream: str, group: str, consumer: str) -> None:
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


class NoSelfReclaimMemStream(MemStream):
    """A consumer never reclaims its own lapsed records: only another consumer can."""

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
        _refresh_own(self, stream, group, consumer)
        return super().consume(
            stream, group, consumer, max_count=max_count, block=block, claim_timeout=claim_timeout
        )


class LateClaimMemStream(MemStream):
    """A record becomes reclaimable only strictly after ``claim_timeout``, not at it."""

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
        late = seconds(claim_timeout, "claim_timeout", allow_zero=True) + 1e-6
        return super().consume(
            stream, group, consumer, max_count=max_count, block=block, claim_timeout=late
        )


def _trim_inclusive(facet: MemStream, stream: str) -> int:
    with facet._lock:
        log = facet._state.find(stream)
        return 0 if log is None else log.trim(facet._store.clock() + 1e-6)


class AgeInclusiveTrimMemStream(MemStream):
    """trim also drops a record exactly ``max_age`` old."""

    def trim(self, stream: str) -> int:
        return _trim_inclusive(self, stream)


_STICKY: dict[tuple[str, str, str], int] = {}


class StickyKeysMemStream(MemStream):
    """A key keeps the partition it first mapped to, even after ``set_partitions``."""

    def append_with_key(
        self, stream: str, key: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> PartitionOffset:
        where = (self.namespace, stream, key)
        if where not in _STICKY:
            _STICKY[where] = partition_for(key, self.partitions(stream))
        offset = self._append(stream, _STICKY[where], payload, headers, key)
        return PartitionOffset(_STICKY[where], offset)


def _hide_others(facet: MemStream, stream: str, group: str) -> dict[int, float]:
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


def _restore(facet: MemStream, stream: str, group: str, hidden: dict[int, float]) -> None:
    with facet._lock:
        log = facet._state.find(stream)
        found = None if log is None else log.groups.get(group)
        for offset, delivered_at in hidden.items():
            if found is not None and offset in found.pending:
                found.pending[offset].delivered_at = delivered_at


class ByConsumerReclaimMemStream(MemStream):
    """A reclaim takes the lapsed records of one consumer at a time, not all in offset order."""

    def consume(self, stream: str, group: str, consumer: str, **options: Any) -> Any:
        hidden = _hide_others(self, stream, group)
        try:
            return super().consume(stream, group, consumer, **options)
        finally:
            _restore(self, stream, group, hidden)


class ManyReversedMemStream(MemStream):
    """append_many stores the batch back to front (returning the offsets in the order given)."""

    def append_many(
        self,
        stream: str,
        payloads: Iterable[bytes],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> list[int]:
        return sorted(super().append_many(stream, list(payloads)[::-1], headers=headers))


class ManyNoHeadersMemStream(MemStream):
    """append_many drops the headers it was given."""

    def append_many(
        self,
        stream: str,
        payloads: Iterable[bytes],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> list[int]:
        return super().append_many(stream, payloads)


VARIANTS = [
    Variant(
        "stream",
        "latest-is-next",
        LatestIsNextMemStream,
        "stream_basic",
    ),
    Variant(
        "stream",
        "no-redelivery",
        NoRedeliveryMemStream,
        "stream_consumer_groups",
    ),
    Variant(
        "stream",
        "double-delivery",
        DoubleDeliveryMemStream,
        "stream_consumer_groups",
    ),
    Variant("stream", "no-wakeup", NoWakeupMemStream, "stream_consumer_groups"),
    Variant("stream", "zero-ack", ZeroAckMemStream, "stream_consumer_groups"),
    Variant("stream", "seek-after", SeekAfterMemStream, "stream_replay"),
    Variant("stream", "over-trim", OverTrimMemStream, "stream_retention"),
    Variant(
        "stream",
        "round-robin-keys",
        RoundRobinKeysMemStream,
        "stream_partitioning",
    ),
    Variant(
        "stream",
        "no-self-reclaim",
        NoSelfReclaimMemStream,
        "stream_consumer_groups",
    ),
    Variant(
        "stream",
        "late-claim",
        LateClaimMemStream,
        "stream_consumer_groups",
    ),
    Variant(
        "stream",
        "age-inclusive-trim",
        AgeInclusiveTrimMemStream,
        "stream_retention",
    ),
    Variant(
        "stream",
        "sticky-keys",
        StickyKeysMemStream,
        "stream_partitioning",
    ),
    Variant(
        "stream",
        "by-consumer-reclaim",
        ByConsumerReclaimMemStream,
        "stream_consumer_groups",
    ),
    Variant("stream", "many-reversed", ManyReversedMemStream, "stream_basic"),
    Variant("stream", "many-no-headers", ManyNoHeadersMemStream, "stream_basic"),
]
