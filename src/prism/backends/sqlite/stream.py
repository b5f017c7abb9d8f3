# Generated from src/prism/backends/sqlite/_async/stream.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""sqlite stream: all five interfaces (the SQL is in ``_ops/stream.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, cast

from prism import types
from prism._validate import Duration, Timestamp
from prism.backends.base import Facet
from prism.backends.sqlite._ops import stream as ops
from prism.interfaces.stream import (
    StreamBasic,
    StreamConsumerGroups,
    StreamPartitioning,
    StreamReplay,
    StreamRetention,
)
from prism.types import GroupInfo, PartitionOffset, StartPosition, StreamRecord

if TYPE_CHECKING:
    from prism.backends.sqlite.backend import SQLiteBackend

PAGE = 100
"""Records per round trip of :meth:`replay_range`."""


class SQLiteStream(
    Facet,
    StreamBasic,
    StreamConsumerGroups,
    StreamReplay,
    StreamRetention,
    StreamPartitioning,
):
    def __init__(self, backend: SQLiteBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._db = backend.db
        self._clock = backend.db.clock

    def _append(
        self,
        stream: str,
        partition: int,
        payload: bytes,
        headers: Mapping[str, str] | None,
        operation: str,
    ) -> int:
        offset = self._db.run(
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
    def append(
        self, stream: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> int:
        return self._append(stream, 0, payload, headers, "append")

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
        offsets = self._db.run(ops.append_many, self._clock, self.namespace, stream, batch, headers)
        self._db.signal.notify()
        return offsets

    def read(
        self, stream: str, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        return self._db.run(ops.read, self.namespace, stream, 0, from_offset, max_count)

    def latest_offset(self, stream: str) -> int | None:
        return self._db.run(ops.latest_offset, self.namespace, stream)

    # stream_consumer_groups --------------------------------------------------------------------
    def create_group(
        self, stream: str, group: str, *, start: StartPosition | int = "latest"
    ) -> bool:
        return self._db.run(ops.create_group, self.namespace, stream, group, start)

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
        claim = cast("float", claim_timeout)  # float seconds after the checks
        wait = cast("float | None", block) or 0.0
        return self._db.poll(
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

    def ack(self, stream: str, group: str, offsets: int | Iterable[int]) -> int:
        items = [offsets] if isinstance(offsets, int) else list(offsets)
        return self._db.run(ops.ack, self.namespace, stream, group, items)

    def group_info(self, stream: str, group: str) -> GroupInfo:
        return self._db.run(ops.group_info, self.namespace, stream, group)

    # stream_replay -----------------------------------------------------------------------------
    def seek_to_offset(self, stream: str, offset: int) -> int | None:
        return self._db.run(ops.seek_to_offset, self.namespace, stream, offset)

    def seek_to_timestamp(self, stream: str, timestamp: Timestamp) -> int | None:
        at = cast("float", timestamp)  # epoch seconds after the checks
        return self._db.run(ops.seek_to_timestamp, self.namespace, stream, at)

    def replay_range(self, stream: str, start: int, end: int) -> Iterator[StreamRecord]:
        position = start
        while position <= end:
            page = self._db.run(
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
    def set_retention(
        self, stream: str, *, max_age: Duration | None = None, max_length: int | None = None
    ) -> None:
        age = cast("float | None", max_age)  # float seconds after the checks
        length = max_length
        self._db.run(ops.set_retention, self.namespace, stream, age, length)

    def get_retention(self, stream: str) -> types.RetentionLimits:
        return self._db.run(ops.get_retention, self.namespace, stream)

    def trim(self, stream: str) -> int:
        return self._db.run(ops.trim, self._clock, self.namespace, stream)

    # stream_partitioning -----------------------------------------------------------------------
    def set_partitions(self, stream: str, count: int) -> None:
        self._db.run(ops.set_partitions, self.namespace, stream, count)

    def partitions(self, stream: str) -> int:
        return self._db.run(ops.partitions, self.namespace, stream)

    def append_to_partition(
        self,
        stream: str,
        partition: int,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> int:
        return self._append(stream, partition, payload, headers, "append_to_partition")

    def append_with_key(
        self,
        stream: str,
        key: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> PartitionOffset:
        partition, offset = self._db.run(
            ops.append_with_key, self._clock, self.namespace, stream, key, payload, headers
        )
        self._db.signal.notify()
        return PartitionOffset(partition=partition, offset=offset)

    def read_partition(
        self, stream: str, partition: int, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        return self._db.run(
            ops.read,
            self.namespace,
            stream,
            partition,
            from_offset,
            max_count,
            operation="read_partition",
        )
