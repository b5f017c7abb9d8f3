"""postgres stream: all five interfaces (the SQL is in ``_ops/stream.py``)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

from prism import types
from prism._compat import sleep_async
from prism._partition import partition_for
from prism._validate import Duration, Timestamp
from prism.backends.postgres._async._facet import AsyncPostgresFacet
from prism.backends.postgres._core import BACKEND
from prism.backends.postgres._ops.stream import statements
from prism.errors import InvalidArgumentError, NotFoundError
from prism.interfaces._async.stream import (
    AsyncStreamBasic,
    AsyncStreamConsumerGroups,
    AsyncStreamPartitioning,
    AsyncStreamReplay,
    AsyncStreamRetention,
)
from prism.types import GroupInfo, PartitionOffset, StartPosition, StreamRecord

if TYPE_CHECKING:
    from psycopg import AsyncConnection

    from prism.backends.postgres._async.backend import AsyncPostgresBackend

__all__ = ["AsyncPostgresStream"]

PAGE = 100
"""Records per round trip of :meth:`replay_range`."""
POLL_MIN = 0.01
POLL_MAX = 0.1
"""A blocking ``consume`` polls every 10 ms at first, backing off to 100 ms; the last poll
happens at its deadline, never after it."""


def _record(stream: str, partition: int, row: Any, delivery_count: int = 1) -> StreamRecord:
    offset, payload, headers, ts, key = row[:5]
    return StreamRecord(
        stream=stream,
        offset=int(offset),
        payload=bytes(payload),
        headers=MappingProxyType(json.loads(headers) if headers else {}),
        timestamp=float(ts),
        partition=partition,
        key=key,
        delivery_count=delivery_count,
    )


def _missing_group(stream: str, group: str, operation: str) -> NotFoundError:
    msg = f"stream {stream!r} has no consumer group {group!r}"
    return NotFoundError(msg, backend=BACKEND, operation=operation)


class AsyncPostgresStream(
    AsyncPostgresFacet,
    AsyncStreamBasic,
    AsyncStreamConsumerGroups,
    AsyncStreamReplay,
    AsyncStreamRetention,
    AsyncStreamPartitioning,
):
    MODEL = "stream"

    def __init__(self, backend: AsyncPostgresBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._sql = statements(self.schema)

    async def _count(self, conn: AsyncConnection[Any], stream: str) -> int:
        cur = await conn.execute(self._sql["partitions"], {"stream": stream})
        row = await cur.fetchone()
        return 1 if row is None else int(row[0])

    async def _check_partition(
        self, conn: AsyncConnection[Any], stream: str, partition: int, operation: str
    ) -> None:
        count = await self._count(conn, stream)
        if partition >= count:
            msg = f"stream {stream!r} has {count} partition(s); partition must be < {count}"
            raise InvalidArgumentError(msg, backend=BACKEND, operation=operation)

    async def _append(
        self,
        conn: AsyncConnection[Any],
        stream: str,
        partition: int,
        payload: bytes,
        headers: Mapping[str, str] | None,
        key: str | None,
    ) -> int:
        encoded = json.dumps(dict(headers), ensure_ascii=False) if headers else None
        params = {
            "stream": stream,
            "partition": partition,
            "payload": payload,
            "headers": encoded,
            "key": key,
        }
        cur = await conn.execute(self._sql["append"], params)
        row = await cur.fetchone()
        assert row is not None  # INSERT ... RETURNING returns its row
        return int(row[0])

    # stream_basic ------------------------------------------------------------------------------
    async def append(
        self, stream: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> int:
        async with self._connection("append") as conn:
            return await self._append(conn, stream, 0, payload, headers, None)

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
        # one connection and one transaction: all of the batch or none of it, one commit
        async with self._connection("append_many") as conn, conn.transaction():
            return [await self._append(conn, stream, 0, p, headers, None) for p in batch]

    async def _read(
        self, operation: str, stream: str, partition: int, from_offset: int, max_count: int
    ) -> list[StreamRecord]:
        async with self._connection(operation) as conn:
            if partition:
                await self._check_partition(conn, stream, partition, operation)
            params = {
                "stream": stream,
                "partition": partition,
                "start": from_offset,
                "count": max_count,
            }
            cur = await conn.execute(self._sql["read"], params)
            rows = await cur.fetchall()
        return [_record(stream, partition, row) for row in rows]

    async def read(
        self, stream: str, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        return await self._read("read", stream, 0, from_offset, max_count)

    async def latest_offset(self, stream: str) -> int | None:
        row = await self._one("latest_offset", self._sql["latest"], {"stream": stream})
        return None if row is None or row[0] is None else int(row[0])

    # stream_consumer_groups --------------------------------------------------------------------
    async def create_group(
        self, stream: str, group: str, *, start: StartPosition | int = "latest"
    ) -> bool:
        if start == "earliest":
            position: int | None = 0
        elif start == "latest":
            position = None
        else:
            position = int(start)
        params = {"stream": stream, "group": group, "start": position}
        return await self._run("create_group", self._sql["create_group"], params) == 1

    async def _consume_once(
        self, stream: str, group: str, consumer: str, max_count: int, claim: float
    ) -> list[StreamRecord]:
        """Reclaim records pending for ``claim`` seconds or more, then deliver new ones: one
        transaction holding the group's row."""
        async with self._connection("consume") as conn, conn.transaction():
            params: dict[str, Any] = {"stream": stream, "group": group}
            cur = await conn.execute(self._sql["lock_group"], params)
            row = await cur.fetchone()
            if row is None:
                raise _missing_group(stream, group, "consume")
            next_offset, now = int(row[0]), float(row[1])
            params.update(consumer=consumer, now=now, claim=claim, count=max_count)
            await conn.execute(self._sql["join"], params)
            await conn.execute(self._sql["drop_gone"], params)
            cur = await conn.execute(self._sql["reclaim"], params)
            out = [_record(stream, 0, r, int(r[5])) for r in await cur.fetchall()]
            if len(out) < max_count:
                params.update(start=next_offset, count=max_count - len(out))
                cur = await conn.execute(self._sql["deliver"], params)
                out.extend(_record(stream, 0, r) for r in await cur.fetchall())
            return out

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
        deadline = time.monotonic() + wait
        pause = POLL_MIN
        while True:
            records = await self._consume_once(stream, group, consumer, max_count, claim)
            left = deadline - time.monotonic()
            if records or left <= 0:
                return records
            await sleep_async(min(pause, left))
            pause = min(pause * 2, POLL_MAX)

    async def ack(self, stream: str, group: str, offsets: int | Iterable[int]) -> int:
        items = [offsets] if isinstance(offsets, int) else list(offsets)
        params = {"stream": stream, "group": group, "offsets": items}
        row = await self._one("ack", self._sql["ack"], params)
        if not row[0]:
            raise _missing_group(stream, group, "ack")
        return int(row[1])

    async def group_info(self, stream: str, group: str) -> GroupInfo:
        params: dict[str, Any] = {"stream": stream, "group": group}
        async with self._connection("group_info") as conn, conn.transaction():
            await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cur = await conn.execute(self._sql["group_row"], params)
            row = await cur.fetchone()
            if row is None:
                raise _missing_group(stream, group, "group_info")
            next_offset, last_delivered = int(row[0]), row[1]
            cur = await conn.execute(self._sql["consumers"], params)
            counts = {name: int(pending) for name, pending in await cur.fetchall()}
            cur = await conn.execute(self._sql["lag"], {**params, "start": next_offset})
            lag_row = await cur.fetchone()
        return GroupInfo(
            stream=stream,
            group=group,
            consumers=counts,
            pending=sum(counts.values()),
            lag=int(lag_row[0]) if lag_row else 0,
            last_delivered=None if last_delivered is None else int(last_delivered),
        )

    # stream_replay -----------------------------------------------------------------------------
    async def seek_to_offset(self, stream: str, offset: int) -> int | None:
        params = {"stream": stream, "start": offset}
        row = await self._one("seek_to_offset", self._sql["seek_offset"], params)
        return None if row is None or row[0] is None else int(row[0])

    async def seek_to_timestamp(self, stream: str, timestamp: Timestamp) -> int | None:
        at = cast("float", timestamp)  # epoch seconds after the checks
        params = {"stream": stream, "at": at}
        row = await self._one("seek_to_timestamp", self._sql["seek_time"], params)
        return None if row is None else int(row[0])

    async def replay_range(self, stream: str, start: int, end: int) -> AsyncIterator[StreamRecord]:
        position = start
        while position <= end:
            params = {"stream": stream, "start": position, "end": end, "count": PAGE}
            rows = await self._all("replay_range", self._sql["range"], params)
            for row in rows:
                yield _record(stream, 0, row)
            if len(rows) < PAGE:
                return
            position = int(rows[-1][0]) + 1

    # stream_retention --------------------------------------------------------------------------
    async def set_retention(
        self, stream: str, *, max_age: Duration | None = None, max_length: int | None = None
    ) -> None:
        age = cast("float | None", max_age)  # float seconds after the checks
        params = {"stream": stream, "age": age, "length": max_length}
        await self._run("set_retention", self._sql["set_retention"], params)

    async def get_retention(self, stream: str) -> types.RetentionLimits:
        row = await self._one("get_retention", self._sql["get_retention"], {"stream": stream})
        if row is None:
            return types.RetentionLimits()
        age = None if row[0] is None else float(row[0])
        length = None if row[1] is None else int(row[1])
        return types.RetentionLimits(age, length)

    async def trim(self, stream: str) -> int:
        """Remove the records older than ``max_age`` or beyond the newest ``max_length`` of each
        partition, and the pending entries of records that are gone (one transaction)."""
        params: dict[str, Any] = {"stream": stream}
        async with self._connection("trim") as conn, conn.transaction():
            cur = await conn.execute(self._sql["lock_meta"], params)
            row = await cur.fetchone()
            if row is None:
                return 0
            cur = await conn.execute(self._sql["get_retention"], params)
            limits = await cur.fetchone()
            assert limits is not None  # the row is locked
            max_age, max_length = limits
            removed = 0
            for partition in range(int(row[0])):
                params["partition"] = partition
                if max_length is not None:
                    params["skip"] = int(max_length) - 1
                    cur = await conn.execute(self._sql["trim_length"], params)
                    removed += cur.rowcount
                if max_age is not None:
                    params["age"] = float(max_age)
                    cur = await conn.execute(self._sql["trim_age"], params)
                    removed += cur.rowcount
            await conn.execute(self._sql["trim_pending"], {"stream": stream})
            return removed

    # stream_partitioning -----------------------------------------------------------------------
    async def set_partitions(self, stream: str, count: int) -> None:
        params = {"stream": stream, "count": count}
        async with self._connection("set_partitions") as conn, conn.transaction():
            cur = await conn.execute(self._sql["lock_meta"], params)
            row = await cur.fetchone()
            have = 1 if row is None else int(row[0])
            if count < have:
                msg = (
                    f"stream {stream!r} has {have} partitions; the count may grow but never "
                    f"shrink (asked for {count})"
                )
                raise InvalidArgumentError(msg, backend=BACKEND, operation="set_partitions")
            await conn.execute(self._sql["set_partitions"], params)

    async def partitions(self, stream: str) -> int:
        async with self._connection("partitions") as conn:
            return await self._count(conn, stream)

    async def append_to_partition(
        self,
        stream: str,
        partition: int,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> int:
        async with self._connection("append_to_partition") as conn:
            if partition:
                await self._check_partition(conn, stream, partition, "append_to_partition")
            return await self._append(conn, stream, partition, payload, headers, None)

    async def append_with_key(
        self,
        stream: str,
        key: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> PartitionOffset:
        async with self._connection("append_with_key") as conn:
            partition = partition_for(key, await self._count(conn, stream))
            offset = await self._append(conn, stream, partition, payload, headers, key)
        return PartitionOffset(partition=partition, offset=offset)

    async def read_partition(
        self, stream: str, partition: int, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        return await self._read("read_partition", stream, partition, from_offset, max_count)
