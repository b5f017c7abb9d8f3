"""memstore stream: all five interfaces."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from typing import TYPE_CHECKING, cast

from prism._partition import partition_for
from prism._validate import Duration, Timestamp
from prism.backends._async.base import AsyncFacet
from prism.backends.memstore._ops.stream import Group, Partition, StreamLog, StreamState
from prism.errors import InvalidArgumentError, NotFoundError
from prism.interfaces._async.stream import (
    AsyncStreamBasic,
    AsyncStreamConsumerGroups,
    AsyncStreamPartitioning,
    AsyncStreamReplay,
    AsyncStreamRetention,
)
from prism.types import (
    GroupInfo,
    PartitionOffset,
    RetentionLimits,
    StartPosition,
    StreamRecord,
)

if TYPE_CHECKING:
    from prism.backends.memstore._async.backend import AsyncMemstoreBackend

PAGE = 100
_NO_RECORDS = Partition()  # what a missing stream reads as; never written


class AsyncMemStream(
    AsyncFacet,
    AsyncStreamBasic,
    AsyncStreamConsumerGroups,
    AsyncStreamReplay,
    AsyncStreamRetention,
    AsyncStreamPartitioning,
):
    def __init__(self, backend: AsyncMemstoreBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._store = backend.store
        self._lock = backend.store.lock
        self._state = backend.store.namespace_state("stream", namespace, StreamState)

    def _partition(self, stream: str, partition: int = 0) -> Partition:
        """An existing partition, or an empty one for a missing stream (call under the lock)."""
        log = self._state.find(stream)
        count = 1 if log is None else len(log.partitions)
        if partition >= count:
            msg = f"stream {stream!r} has {count} partition(s); partition must be < {count}"
            raise InvalidArgumentError(msg, backend="memstore")
        return _NO_RECORDS if log is None else log.partitions[partition]

    def _group(self, stream: str, group: str, operation: str) -> tuple[StreamLog, Group]:
        log = self._state.find(stream)
        found = None if log is None else log.groups.get(group)
        if log is None or found is None:
            msg = f"stream {stream!r} has no consumer group {group!r}"
            raise NotFoundError(msg, backend="memstore", operation=operation)
        return log, found

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
            now = self._store.clock()
            record = log.partitions[partition].append(stream, partition, payload, headers, now, key)
            if partition == 0:  # what groups read
                self._store.waiters.notify(("stream", self.namespace, stream))
            return record.offset

    # stream_basic ------------------------------------------------------------------------------
    async def append(
        self, stream: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> int:
        return self._append(stream, 0, payload, headers)

    async def append_many(
        self,
        stream: str,
        payloads: Iterable[bytes],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> list[int]:
        batch = cast("list[bytes]", payloads)  # the check hands over a fresh list
        if not batch:
            return []
        with self._lock:
            self._partition(stream, 0)
            append = self._state.log(stream).partitions[0].append
            now = self._store.clock()
            offsets = [append(stream, 0, payload, headers, now, None).offset for payload in batch]
            self._store.waiters.notify(("stream", self.namespace, stream))
            return offsets

    async def read(
        self, stream: str, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        with self._lock:
            return self._partition(stream).read(from_offset, max_count)

    async def latest_offset(self, stream: str) -> int | None:
        with self._lock:
            records = self._partition(stream).records
            return records[-1].offset if records else None

    # stream_consumer_groups --------------------------------------------------------------------
    async def create_group(
        self, stream: str, group: str, *, start: StartPosition | int = "latest"
    ) -> bool:
        with self._lock:
            log = self._state.log(stream)
            if group in log.groups:
                return False
            if start == "earliest":
                position = 0
            elif start == "latest":
                position = log.partitions[0].next_offset
            else:
                position = int(start)
            log.groups[group] = Group(next_offset=position)
            return True

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
        timeout = cast("float", claim_timeout)  # float seconds after the checks

        def take() -> list[StreamRecord] | None:
            log, found = self._group(stream, group, "consume")
            now = self._store.clock()
            return found.take(log.partitions[0], consumer, now, max_count, timeout) or None

        wait = cast("float | None", block)
        if not wait:
            with self._lock:
                return take() or []
        waits_for = (("stream", self.namespace, stream),)
        return await self._store.waiters.wait_async(waits_for, take, wait) or []

    async def ack(self, stream: str, group: str, offsets: int | Iterable[int]) -> int:
        items = [offsets] if isinstance(offsets, int) else list(offsets)
        with self._lock:
            _, found = self._group(stream, group, "ack")
            return sum(found.pending.pop(offset, None) is not None for offset in items)

    async def group_info(self, stream: str, group: str) -> GroupInfo:
        with self._lock:
            log, found = self._group(stream, group, "group_info")
            head = log.partitions[0]
            return GroupInfo(
                stream=stream,
                group=group,
                consumers=found.pending_by_consumer(),
                pending=len(found.pending),
                lag=len(head.records) - head.position(found.next_offset),
                last_delivered=found.last_delivered,
            )

    # stream_replay -----------------------------------------------------------------------------
    async def seek_to_offset(self, stream: str, offset: int) -> int | None:
        with self._lock:
            found = self._partition(stream).read(offset, 1)
            return found[0].offset if found else None

    async def seek_to_timestamp(self, stream: str, timestamp: Timestamp) -> int | None:
        with self._lock:
            return self._partition(stream).seek_time(cast("float", timestamp))

    async def replay_range(self, stream: str, start: int, end: int) -> AsyncIterator[StreamRecord]:
        position = start
        while position <= end:
            with self._lock:
                page = self._partition(stream).read(position, min(PAGE, end - position + 1))
            for record in page:
                if record.offset > end:
                    return
                yield record
            if not page:
                return
            position = page[-1].offset + 1

    # stream_retention --------------------------------------------------------------------------
    async def set_retention(
        self, stream: str, *, max_age: Duration | None = None, max_length: int | None = None
    ) -> None:
        age = cast("float | None", max_age)  # float seconds after the checks
        length = max_length
        with self._lock:
            log = self._state.log(stream)
            log.max_age, log.max_length = age, length

    async def get_retention(self, stream: str) -> RetentionLimits:
        with self._lock:
            log = self._state.find(stream)
            if log is None:
                return RetentionLimits()
            return RetentionLimits(max_age=log.max_age, max_length=log.max_length)

    async def trim(self, stream: str) -> int:
        with self._lock:
            log = self._state.find(stream)
            return 0 if log is None else log.trim(self._store.clock())

    # stream_partitioning -----------------------------------------------------------------------
    async def set_partitions(self, stream: str, count: int) -> None:
        with self._lock:
            log = self._state.log(stream)
            have = len(log.partitions)
            if count < have:
                msg = (
                    f"stream {stream!r} has {have} partitions; the count may grow but never "
                    f"shrink (asked for {count})"
                )
                raise InvalidArgumentError(msg, backend="memstore", operation="set_partitions")
            log.partitions.extend(Partition() for _ in range(count - have))

    async def partitions(self, stream: str) -> int:
        with self._lock:
            log = self._state.find(stream)
            return 1 if log is None else len(log.partitions)

    async def append_to_partition(
        self,
        stream: str,
        partition: int,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> int:
        return self._append(stream, partition, payload, headers)

    async def append_with_key(
        self,
        stream: str,
        key: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> PartitionOffset:
        with self._lock:
            log = self._state.find(stream)
            partition = partition_for(key, 1 if log is None else len(log.partitions))
            offset = self._append(stream, partition, payload, headers, key)
        return PartitionOffset(partition=partition, offset=offset)

    async def read_partition(
        self, stream: str, partition: int, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        with self._lock:
            return self._partition(stream, partition).read(from_offset, max_count)
