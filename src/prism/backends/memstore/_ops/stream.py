"""Per-namespace state of memstore streams (plain data, guarded by the store lock)."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from prism.types import StreamRecord


def _timestamp(record: StreamRecord) -> float:
    return record.timestamp


@dataclass
class Partition:
    """One append-only log.

    Offsets are contiguous from 0 and trimming removes from the front only, so
    ``records[i].offset == first + i``.  Timestamps never decrease (a clock that steps back
    repeats the last timestamp), so time seeks and age trims can bisect.
    """

    records: list[StreamRecord] = field(default_factory=list)
    next_offset: int = 0
    last_timestamp: float = float("-inf")

    @property
    def first(self) -> int:
        """The offset of the oldest retained record (``next_offset`` when none is)."""
        return self.next_offset - len(self.records)

    def append(
        self,
        stream: str,
        number: int,
        payload: bytes,
        headers: Mapping[str, str] | None,
        now: float,
        key: str | None = None,
    ) -> StreamRecord:
        self.last_timestamp = max(now, self.last_timestamp)
        record = StreamRecord(
            stream=stream,
            offset=self.next_offset,
            payload=payload,
            headers=MappingProxyType(dict(headers or {})),
            timestamp=self.last_timestamp,
            partition=number,
            key=key,
        )
        self.records.append(record)
        self.next_offset += 1
        return record

    def position(self, offset: int) -> int:
        """The index in ``records`` of the first record with an offset >= ``offset``."""
        return min(max(offset - self.first, 0), len(self.records))

    def read(self, from_offset: int, max_count: int) -> list[StreamRecord]:
        start = self.position(from_offset)
        return self.records[start : start + max_count]

    def get(self, offset: int) -> StreamRecord | None:
        index = offset - self.first
        return self.records[index] if 0 <= index < len(self.records) else None

    def seek_time(self, timestamp: float) -> int | None:
        index = bisect.bisect_left(self.records, timestamp, key=_timestamp)
        return self.records[index].offset if index < len(self.records) else None

    def trim(self, now: float, max_age: float | None, max_length: int | None) -> int:
        """Drop the records older than ``max_age`` or beyond the newest ``max_length``."""
        drop = 0
        if max_length is not None:
            drop = max(drop, len(self.records) - max_length)
        if max_age is not None:
            drop = max(drop, bisect.bisect_left(self.records, now - max_age, key=_timestamp))
        del self.records[:drop]
        return drop


@dataclass
class Delivery:
    """A pending (delivered, unacknowledged) record of a group."""

    consumer: str
    delivered_at: float
    count: int = 1


@dataclass
class Group:
    """A consumer group over partition 0: a cursor plus the pending records."""

    next_offset: int
    last_delivered: int | None = None
    pending: dict[int, Delivery] = field(default_factory=dict)
    consumers: dict[str, None] = field(default_factory=dict)  # every consumer seen, in order

    def take(
        self, log: Partition, consumer: str, now: float, max_count: int, claim_timeout: float
    ) -> list[StreamRecord]:
        """Reclaim records pending for ``claim_timeout`` or more, then deliver new ones."""
        self.consumers.setdefault(consumer, None)
        out: list[StreamRecord] = []
        for offset in sorted(self.pending):
            if len(out) == max_count:
                break
            delivery = self.pending[offset]
            if now - delivery.delivered_at < claim_timeout:
                continue
            record = log.get(offset)
            if record is None:  # trimmed away meanwhile
                del self.pending[offset]
                continue
            delivery.consumer, delivery.delivered_at = consumer, now
            delivery.count += 1
            out.append(dataclasses.replace(record, delivery_count=delivery.count))
        for record in log.read(self.next_offset, max_count - len(out)):
            self.pending[record.offset] = Delivery(consumer, now)
            self.next_offset = record.offset + 1
            self.last_delivered = record.offset
            out.append(record)
        return out

    def pending_by_consumer(self) -> dict[str, int]:
        counts = dict.fromkeys(self.consumers, 0)
        for delivery in self.pending.values():
            counts[delivery.consumer] += 1
        return counts


@dataclass
class StreamLog:
    """One stream: its partitions, consumer groups and retention limits."""

    partitions: list[Partition] = field(default_factory=lambda: [Partition()])
    groups: dict[str, Group] = field(default_factory=dict)
    max_age: float | None = None
    max_length: int | None = None

    def trim(self, now: float) -> int:
        removed = sum(p.trim(now, self.max_age, self.max_length) for p in self.partitions)
        first = self.partitions[0].first
        for group in self.groups.values():
            for offset in [o for o in group.pending if o < first]:
                del group.pending[offset]
        return removed


@dataclass
class StreamState:
    streams: dict[str, StreamLog] = field(default_factory=dict)

    def find(self, stream: str) -> StreamLog | None:
        return self.streams.get(stream)

    def log(self, stream: str) -> StreamLog:
        """The stream's log, created empty on first use."""
        log = self.streams.get(stream)
        if log is None:
            log = self.streams[stream] = StreamLog()
        return log
