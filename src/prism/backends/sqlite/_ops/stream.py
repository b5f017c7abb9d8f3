"""stream SQL (tables ``prism_stream*``).

Each partition's next offset lives in ``prism_stream_partition`` (so offsets never repeat after
a trim) together with the last append time (timestamps never decrease within a partition: a
clock that steps back repeats the last one, so time seeks and age trims are range scans).
A stream without a ``prism_stream`` row has one partition and no retention.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from prism._partition import partition_for
from prism.backends.sqlite._core import Clock, reads, write
from prism.errors import InvalidArgumentError, NotFoundError
from prism.types import GroupInfo, RetentionLimits, StreamRecord

_RECORD = 'SELECT "offset", payload, headers, ts, key FROM prism_stream_record'


def _record(stream: str, partition: int, row: Any, delivery_count: int = 1) -> StreamRecord:
    offset, payload, headers, ts, key = row
    return StreamRecord(
        stream=stream,
        offset=offset,
        payload=payload,
        headers=MappingProxyType(json.loads(headers) if headers else {}),
        timestamp=ts,
        partition=partition,
        key=key,
        delivery_count=delivery_count,
    )


def _partitions(conn: sqlite3.Connection, ns: str, stream: str) -> int:
    row = conn.execute(
        "SELECT partitions FROM prism_stream WHERE ns = ? AND stream = ?", (ns, stream)
    ).fetchone()
    return 1 if row is None else int(row[0])


def _check_partition(conn: sqlite3.Connection, ns: str, stream: str, partition: int) -> None:
    count = _partitions(conn, ns, stream)
    if partition >= count:
        msg = f"stream {stream!r} has {count} partition(s); partition must be < {count}"
        raise InvalidArgumentError(msg, backend="sqlite")


def _append(
    conn: sqlite3.Connection,
    now: float,
    ns: str,
    stream: str,
    partition: int,
    payload: bytes,
    headers: Mapping[str, str] | None,
    key: str | None,
) -> int:
    offset, ts = conn.execute(
        "INSERT INTO prism_stream_partition (ns, stream, partition, next_offset, last_ts) "
        "VALUES (?, ?, ?, 1, ?) ON CONFLICT (ns, stream, partition) DO UPDATE SET "
        "next_offset = next_offset + 1, last_ts = max(last_ts, excluded.last_ts) "
        "RETURNING next_offset - 1, last_ts",
        (ns, stream, partition, now),
    ).fetchone()
    conn.execute(
        'INSERT INTO prism_stream_record (ns, stream, partition, "offset", payload, headers, ts, '
        "key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            ns,
            stream,
            partition,
            offset,
            payload,
            json.dumps(dict(headers), ensure_ascii=False) if headers else None,
            ts,
            key,
        ),
    )
    return int(offset)


# -- stream_basic / stream_partitioning ------------------------------------------------------


def append(
    conn: sqlite3.Connection,
    clock: Clock,
    ns: str,
    stream: str,
    partition: int,
    payload: bytes,
    headers: Mapping[str, str] | None,
) -> int:
    with write(conn):
        if partition:
            _check_partition(conn, ns, stream, partition)
        return _append(conn, clock(), ns, stream, partition, payload, headers, None)


def append_many(
    conn: sqlite3.Connection,
    clock: Clock,
    ns: str,
    stream: str,
    payloads: list[bytes],
    headers: Mapping[str, str] | None,
) -> list[int]:
    """The records of one ``append_many``, in one transaction (so all or none of them)."""
    with write(conn):
        now = clock()
        return [_append(conn, now, ns, stream, 0, p, headers, None) for p in payloads]


def append_with_key(
    conn: sqlite3.Connection,
    clock: Clock,
    ns: str,
    stream: str,
    key: str,
    payload: bytes,
    headers: Mapping[str, str] | None,
) -> tuple[int, int]:
    with write(conn):
        partition = partition_for(key, _partitions(conn, ns, stream))
        return partition, _append(conn, clock(), ns, stream, partition, payload, headers, key)


@reads
def read(
    conn: sqlite3.Connection, ns: str, stream: str, partition: int, from_offset: int, max_count: int
) -> list[StreamRecord]:
    if partition:
        _check_partition(conn, ns, stream, partition)
    rows = conn.execute(
        f'{_RECORD} WHERE ns = ? AND stream = ? AND partition = ? AND "offset" >= ? '
        'ORDER BY "offset" LIMIT ?',
        (ns, stream, partition, from_offset, max_count),
    ).fetchall()
    return [_record(stream, partition, row) for row in rows]


@reads
def latest_offset(conn: sqlite3.Connection, ns: str, stream: str) -> int | None:
    row = conn.execute(
        'SELECT max("offset") FROM prism_stream_record WHERE ns = ? AND stream = ? '
        "AND partition = 0",
        (ns, stream),
    ).fetchone()
    return None if row[0] is None else int(row[0])


def set_partitions(conn: sqlite3.Connection, ns: str, stream: str, count: int) -> None:
    with write(conn):
        have = _partitions(conn, ns, stream)
        if count < have:
            msg = (
                f"stream {stream!r} has {have} partitions; the count may grow but never "
                f"shrink (asked for {count})"
            )
            raise InvalidArgumentError(msg, backend="sqlite", operation="set_partitions")
        conn.execute(
            "INSERT INTO prism_stream (ns, stream, partitions) VALUES (?, ?, ?) "
            "ON CONFLICT (ns, stream) DO UPDATE SET partitions = excluded.partitions",
            (ns, stream, count),
        )


@reads
def partitions(conn: sqlite3.Connection, ns: str, stream: str) -> int:
    return _partitions(conn, ns, stream)


# -- stream_consumer_groups ------------------------------------------------------------------


def _group(
    conn: sqlite3.Connection, ns: str, stream: str, group: str, operation: str
) -> tuple[int, int | None]:
    row = conn.execute(
        "SELECT next_offset, last_delivered FROM prism_stream_group "
        "WHERE ns = ? AND stream = ? AND grp = ?",
        (ns, stream, group),
    ).fetchone()
    if row is None:
        msg = f"stream {stream!r} has no consumer group {group!r}"
        raise NotFoundError(msg, backend="sqlite", operation=operation)
    return int(row[0]), row[1]


def create_group(
    conn: sqlite3.Connection, ns: str, stream: str, group: str, start: str | int
) -> bool:
    with write(conn):
        if conn.execute(
            "SELECT 1 FROM prism_stream_group WHERE ns = ? AND stream = ? AND grp = ?",
            (ns, stream, group),
        ).fetchone():
            return False
        if start == "earliest":
            position = 0
        elif start == "latest":
            row = conn.execute(
                "SELECT next_offset FROM prism_stream_partition "
                "WHERE ns = ? AND stream = ? AND partition = 0",
                (ns, stream),
            ).fetchone()
            position = 0 if row is None else int(row[0])
        else:
            position = int(start)
        conn.execute(
            "INSERT INTO prism_stream_group (ns, stream, grp, next_offset) VALUES (?, ?, ?, ?)",
            (ns, stream, group, position),
        )
        return True


def consume(
    conn: sqlite3.Connection,
    clock: Clock,
    ns: str,
    stream: str,
    group: str,
    consumer: str,
    max_count: int,
    claim_timeout: float,
) -> list[StreamRecord]:
    """Reclaim records pending for ``claim_timeout`` or more, then deliver new ones."""
    with write(conn):
        next_offset, _ = _group(conn, ns, stream, group, "consume")
        now = clock()
        conn.execute(
            "INSERT OR IGNORE INTO prism_stream_consumer (ns, stream, grp, consumer) "
            "VALUES (?, ?, ?, ?)",
            (ns, stream, group, consumer),
        )
        out: list[StreamRecord] = []
        stale = conn.execute(
            'SELECT "offset", count FROM prism_stream_pending WHERE ns = ? AND stream = ? '
            'AND grp = ? AND ? - delivered_at >= ? ORDER BY "offset"',
            (ns, stream, group, now, claim_timeout),
        ).fetchall()
        for offset, delivered in stale:
            if len(out) == max_count:
                break
            row = conn.execute(
                f'{_RECORD} WHERE ns = ? AND stream = ? AND partition = 0 AND "offset" = ?',
                (ns, stream, offset),
            ).fetchone()
            if row is None:  # trimmed away meanwhile
                conn.execute(
                    "DELETE FROM prism_stream_pending WHERE ns = ? AND stream = ? AND grp = ? "
                    'AND "offset" = ?',
                    (ns, stream, group, offset),
                )
                continue
            conn.execute(
                "UPDATE prism_stream_pending SET consumer = ?, delivered_at = ?, "
                'count = count + 1 WHERE ns = ? AND stream = ? AND grp = ? AND "offset" = ?',
                (consumer, now, ns, stream, group, offset),
            )
            out.append(_record(stream, 0, row, delivered + 1))
        if len(out) < max_count:
            rows = conn.execute(
                f'{_RECORD} WHERE ns = ? AND stream = ? AND partition = 0 AND "offset" >= ? '
                'ORDER BY "offset" LIMIT ?',
                (ns, stream, next_offset, max_count - len(out)),
            ).fetchall()
            if rows:
                conn.executemany(
                    'INSERT INTO prism_stream_pending (ns, stream, grp, "offset", consumer, '
                    "delivered_at, count) VALUES (?, ?, ?, ?, ?, ?, 1)",
                    [(ns, stream, group, row[0], consumer, now) for row in rows],
                )
                last = rows[-1][0]
                conn.execute(
                    "UPDATE prism_stream_group SET next_offset = ?, last_delivered = ? "
                    "WHERE ns = ? AND stream = ? AND grp = ?",
                    (last + 1, last, ns, stream, group),
                )
                out.extend(_record(stream, 0, row) for row in rows)
        return out


def ack(conn: sqlite3.Connection, ns: str, stream: str, group: str, offsets: list[int]) -> int:
    with write(conn):
        _group(conn, ns, stream, group, "ack")
        cur = conn.execute(
            'DELETE FROM prism_stream_pending WHERE ns = ? AND stream = ? AND grp = ? AND "offset" '
            "IN (SELECT value FROM json_each(?))",
            (ns, stream, group, json.dumps(offsets)),
        )
        return cur.rowcount


@reads
def group_info(conn: sqlite3.Connection, ns: str, stream: str, group: str) -> GroupInfo:
    next_offset, last_delivered = _group(conn, ns, stream, group, "group_info")
    consumers = dict.fromkeys(
        name
        for (name,) in conn.execute(
            "SELECT consumer FROM prism_stream_consumer WHERE ns = ? AND stream = ? AND grp = ? "
            "ORDER BY rowid",
            (ns, stream, group),
        )
    )
    counts = dict.fromkeys(consumers, 0)
    for name, pending in conn.execute(
        "SELECT consumer, count(*) FROM prism_stream_pending WHERE ns = ? AND stream = ? "
        "AND grp = ? GROUP BY consumer",
        (ns, stream, group),
    ):
        counts[name] = int(pending)
    lag = conn.execute(
        "SELECT count(*) FROM prism_stream_record WHERE ns = ? AND stream = ? AND partition = 0 "
        'AND "offset" >= ?',
        (ns, stream, next_offset),
    ).fetchone()[0]
    return GroupInfo(
        stream=stream,
        group=group,
        consumers=counts,
        pending=sum(counts.values()),
        lag=int(lag),
        last_delivered=last_delivered,
    )


# -- stream_replay ---------------------------------------------------------------------------


@reads
def seek_to_offset(conn: sqlite3.Connection, ns: str, stream: str, offset: int) -> int | None:
    row = conn.execute(
        'SELECT min("offset") FROM prism_stream_record WHERE ns = ? AND stream = ? '
        'AND partition = 0 AND "offset" >= ?',
        (ns, stream, offset),
    ).fetchone()
    return None if row[0] is None else int(row[0])


@reads
def seek_to_timestamp(
    conn: sqlite3.Connection, ns: str, stream: str, timestamp: float
) -> int | None:
    row = conn.execute(
        'SELECT "offset" FROM prism_stream_record WHERE ns = ? AND stream = ? AND partition = 0 '
        'AND ts >= ? ORDER BY ts, "offset" LIMIT 1',
        (ns, stream, timestamp),
    ).fetchone()
    return None if row is None else int(row[0])


@reads
def read_range(
    conn: sqlite3.Connection, ns: str, stream: str, start: int, end: int, max_count: int
) -> list[StreamRecord]:
    rows = conn.execute(
        f'{_RECORD} WHERE ns = ? AND stream = ? AND partition = 0 AND "offset" >= ? '
        'AND "offset" <= ? ORDER BY "offset" LIMIT ?',
        (ns, stream, start, end, max_count),
    ).fetchall()
    return [_record(stream, 0, row) for row in rows]


# -- stream_retention ------------------------------------------------------------------------


def set_retention(
    conn: sqlite3.Connection, ns: str, stream: str, max_age: float | None, max_length: int | None
) -> None:
    conn.execute(
        "INSERT INTO prism_stream (ns, stream, max_age, max_length) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (ns, stream) DO UPDATE SET max_age = excluded.max_age, "
        "max_length = excluded.max_length",
        (ns, stream, max_age, max_length),
    )


@reads
def get_retention(conn: sqlite3.Connection, ns: str, stream: str) -> RetentionLimits:
    row = conn.execute(
        "SELECT max_age, max_length FROM prism_stream WHERE ns = ? AND stream = ?", (ns, stream)
    ).fetchone()
    return RetentionLimits() if row is None else RetentionLimits(row[0], row[1])


def trim(conn: sqlite3.Connection, clock: Clock, ns: str, stream: str) -> int:
    """Remove the records older than ``max_age`` or beyond the newest ``max_length`` of each
    partition, and the pending entries of records that are gone."""
    with write(conn):
        row = conn.execute(
            "SELECT partitions, max_age, max_length FROM prism_stream WHERE ns = ? AND stream = ?",
            (ns, stream),
        ).fetchone()
        if row is None:
            return 0
        count, max_age, max_length = row
        now = clock()
        removed = 0
        for partition in range(count):
            key = (ns, stream, partition)
            if max_length is not None:
                removed += conn.execute(
                    "DELETE FROM prism_stream_record WHERE ns = ? AND stream = ? AND partition = ? "
                    'AND "offset" < (SELECT "offset" FROM prism_stream_record WHERE ns = ? '
                    'AND stream = ? AND partition = ? ORDER BY "offset" DESC LIMIT 1 OFFSET ?)',
                    (*key, *key, max_length - 1),
                ).rowcount
            if max_age is not None:
                removed += conn.execute(
                    "DELETE FROM prism_stream_record WHERE ns = ? AND stream = ? AND partition = ? "
                    "AND ts < ?",
                    (*key, now - max_age),
                ).rowcount
        first = conn.execute(
            'SELECT coalesce(min("offset"), (SELECT next_offset FROM prism_stream_partition '
            "WHERE ns = ? AND stream = ? AND partition = 0), 0) FROM prism_stream_record "
            "WHERE ns = ? AND stream = ? AND partition = 0",
            (ns, stream, ns, stream),
        ).fetchone()[0]
        conn.execute(
            'DELETE FROM prism_stream_pending WHERE ns = ? AND stream = ? AND "offset" < ?',
            (ns, stream, first),
        )
        return removed
