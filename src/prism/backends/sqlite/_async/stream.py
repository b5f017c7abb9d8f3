"""sqlite stream: all five interfaces (the SQL is in ``_ops/stream.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from typing import TYPE_CHECKING, cast

from prism import types
from prism._validate import Duration, Timestamp
from prism.backends._async.base import AsyncFacet
from prism.backends.sqlite._ops import stream as ops
from prism.interfaces._async.stream import (
    AsyncStreamBasic,
    AsyncStreamConsumerGroups,
    AsyncStreamPartitioning,
    AsyncStreamReplay,
    AsyncStreamRetention,
)
from prism.types import GroupInfo, PartitionOffset, StartPosition, StreamRecord

if TYPE_CHECKING:
    from prism.backends.sqlite._async.backend import AsyncSQLiteBackend

PAGE = 100
"""Records per round trip of :meth:`replay_range`."""


class AsyncSQLiteStream(
    AsyncFacet,
    AsyncStreamBasic,
    AsyncStreamConsumerGroups,
    AsyncStreamReplay,
    AsyncStreamRetention,
    AsyncStreamPartitioning,
):
    def __init__(self, backend: AsyncSQLiteBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._db = backend.db
        self._clock = backend.db.clock

    async def _append(
        self,
        stream: str,
        partition: int,
        payload: bytes,
        headers: Mapping[str, str] | None,
        operation: str,
    ) -> int:
        offset = await self._db.run_async(
            ops.append,
            self._clock,
            self.namespace,
            stream,
            partition,
            payload,
            headers,
            operation=operation,
        )
        self._db.signal.notify()
        return offset

    # stream_basic ------------------------------------------------------------------------------
    async def append(
        self, stream: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> int:
        return await self._append(stream, 0, payload, headers, "append")

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
        offsets = await self._db.run_async(
            ops.append_many, self._clock, self.namespace, stream, batch, headers
        )
        self._db.signal.notify()
        return offsets

    async def read(
        self, stream: str, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        return await self._db.run_async(ops.read, self.namespace, stream, 0, from_offset, max_count)

    async def latest_offset(self, stream: str) -> int | None:
        return await self._db.run_async(ops.latest_offset, self.namespace, stream)

    # stream_consumer_groups --------------------------------------------------------------------
    async def create_group(
        self, stream: str, group: str, *, start: StartPosition | int = "latest"
    ) -> bool:
        return await self._db.run_async(ops.create_group, self.namespace, stream, group, start)

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
        claim = cast("float", claim_timeout)  # float seconds after the checks
        wait = cast("float | None", block) or 0.0
        return await self._db.poll_async(
            wait,
            ops.consume,
            self._clock,
            self.namespace,
            stream,
            group,
            consumer,
            max_count,
            claim,
        )

    async def ack(self, stream: str, group: str, offsets: int | Iterable[int]) -> int:
        items = [offsets] if isinstance(offsets, int) else list(offsets)
        return await self._db.run_async(ops.ack, self.namespace, stream, group, items)

    async def group_info(self, stream: str, group: str) -> GroupInfo:
        return await self._db.run_async(ops.group_info, self.namespace, stream, group)

    # stream_replay -----------------------------------------------------------------------------
    async def seek_to_offset(self, stream: str, offset: int) -> int | None:
        return await self._db.run_async(ops.seek_to_offset, self.namespace, stream, offset)

    async def seek_to_timestamp(self, stream: str, timestamp: Timestamp) -> int | None:
        at = cast("float", timestamp)  # epoch seconds after the checks
        return await self._db.run_async(ops.seek_to_timestamp, self.namespace, stream, at)

    async def replay_range(self, stream: str, start: int, end: int) -> AsyncIterator[StreamRecord]:
        position = start
        while position <= end:
            page = await self._db.run_async(
                ops.read_range,
                self.namespace,
                stream,
                position,
                end,
                PAGE,
                operation="replay_range",
            )
            for record in page:  # noqa: UP028, RUF100 (the async source cannot "yield from")
                yield record
            if len(page) < PAGE:
                return
            position = page[-1].offset + 1

    # stream_retention --------------------------------------------------------------------------
    async def set_retention(
        self, stream: str, *, max_age: Duration | None = None, max_length: int | None = None
    ) -> None:
        age = cast("float | None", max_age)  # float seconds after the checks
        length = max_length
        await self._db.run_async(ops.set_retention, self.namespace, stream, age, length)

    async def get_retention(self, stream: str) -> types.RetentionLimits:
        return await self._db.run_async(ops.get_retention, self.namespace, stream)

    async def trim(self, stream: str) -> int:
        return await self._db.run_async(ops.trim, self._clock, self.namespace, stream)

    # stream_partitioning -----------------------------------------------------------------------
    async def set_partitions(self, stream: str, count: int) -> None:
        await self._db.run_async(ops.set_partitions, self.namespace, stream, count)

    async def partitions(self, stream: str) -> int:
        return await self._db.run_async(ops.partitions, self.namespace, stream)

    async def append_to_partition(
        self,
        stream: str,
        partition: int,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> int:
        return await self._append(stream, partition, payload, headers, "append_to_partition")

    async def append_with_key(
        self,
        stream: str,
        key: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> PartitionOffset:
        partition, offset = await self._db.run_async(
            ops.append_with_key, self._clock, self.namespace, stream, key, payload, headers
        )
        self._db.signal.notify()
        return PartitionOffset(partition=partition, offset=offset)

    async def read_partition(
        self, stream: str, partition: int, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        return await self._db.run_async(
            ops.read,
            self.namespace,
            stream,
            partition,
            from_offset,
            max_count,
            operation="read_partition",
        )
