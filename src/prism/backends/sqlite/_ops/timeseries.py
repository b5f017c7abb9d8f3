"""timeseries SQL (tables ``prism_ts_point``, ``prism_ts_retention``).

Range scans happen in SQL; bucketing, the aggregate functions and interpolation are the shared
pure functions of :mod:`prism._series`, so results equal every other backend's to the bit.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence

from prism import _series
from prism.backends.sqlite._core import Clock, reads, write
from prism.types import InterpolationMethod, Point, SeriesFunction

_UPSERT = (
    "INSERT INTO prism_ts_point (ns, series, ts, value, labels) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (ns, series, ts) DO UPDATE SET value = excluded.value, labels = excluded.labels"
)


def _labels(labels: Mapping[str, str]) -> str | None:
    return json.dumps(dict(labels), ensure_ascii=False) if labels else None


def _rows(points: Sequence[Point], ns: str, series: str) -> list[tuple[object, ...]]:
    return [(ns, series, p.timestamp, p.value, _labels(p.labels)) for p in points]


def insert_many(conn: sqlite3.Connection, ns: str, series: str, points: Sequence[Point]) -> None:
    if len(points) == 1:
        conn.execute(_UPSERT, _rows(points, ns, series)[0])
        return
    with write(conn):
        conn.executemany(_UPSERT, _rows(points, ns, series))


def _between(
    conn: sqlite3.Connection, ns: str, series: str, start: float, end: float, labels: bool
) -> list[Point]:
    column = "labels" if labels else "NULL"
    rows = conn.execute(
        f"SELECT ts, value, {column} FROM prism_ts_point WHERE ns = ? AND series = ? "
        "AND ts >= ? AND ts <= ? ORDER BY ts",
        (ns, series, start, end),
    )
    return [Point(ts, value, json.loads(text) if text else {}) for ts, value, text in rows]


@reads
def query(
    conn: sqlite3.Connection,
    ns: str,
    series: str,
    start: float,
    end: float,
    labels: Mapping[str, str] | None,
) -> list[Point]:
    return [
        p
        for p in _between(conn, ns, series, start, end, True)
        if _series.labels_match(p.labels, labels)
    ]


@reads
def aggregate(
    conn: sqlite3.Connection,
    ns: str,
    series: str,
    start: float,
    end: float,
    bucket: float,
    fn: SeriesFunction,
) -> list[Point]:
    return _series.aggregate(_between(conn, ns, series, start, end, False), bucket, fn)


def rollup(
    conn: sqlite3.Connection,
    ns: str,
    series: str,
    destination: str,
    start: float,
    end: float,
    bucket: float,
    fn: SeriesFunction,
) -> int:
    with write(conn):  # reads and writes one snapshot
        points = aggregate(conn, ns, series, start, end, bucket, fn)
        conn.executemany(_UPSERT, _rows(points, ns, destination))
        return len(points)


def set_retention(conn: sqlite3.Connection, ns: str, series: str, max_age: float | None) -> None:
    if max_age is None:
        conn.execute("DELETE FROM prism_ts_retention WHERE ns = ? AND series = ?", (ns, series))
    else:
        conn.execute(
            "INSERT INTO prism_ts_retention (ns, series, max_age) VALUES (?, ?, ?) "
            "ON CONFLICT (ns, series) DO UPDATE SET max_age = excluded.max_age",
            (ns, series, max_age),
        )


@reads
def get_retention(conn: sqlite3.Connection, ns: str, series: str) -> float | None:
    row = conn.execute(
        "SELECT max_age FROM prism_ts_retention WHERE ns = ? AND series = ?", (ns, series)
    ).fetchone()
    return None if row is None else float(row[0])


def compact(conn: sqlite3.Connection, clock: Clock, ns: str, series: str) -> int:
    """Delete the points with ``now - timestamp > max_age``; return how many."""
    with write(conn):
        max_age = get_retention(conn, ns, series)
        if max_age is None:
            return 0
        cur = conn.execute(
            "DELETE FROM prism_ts_point WHERE ns = ? AND series = ? AND ts < ?",
            (ns, series, clock() - max_age),
        )
        return cur.rowcount


@reads
def interpolate(
    conn: sqlite3.Connection, ns: str, series: str, at: Sequence[float], method: InterpolationMethod
) -> list[float | None]:
    """Fetch only the stored points that can matter: from the last one at or before the
    earliest wanted time to the first one at or after the latest."""
    if not at:
        return []
    low = conn.execute(
        "SELECT max(ts) FROM prism_ts_point WHERE ns = ? AND series = ? AND ts <= ?",
        (ns, series, min(at)),
    ).fetchone()[0]
    high = conn.execute(
        "SELECT min(ts) FROM prism_ts_point WHERE ns = ? AND series = ? AND ts >= ?",
        (ns, series, max(at)),
    ).fetchone()[0]
    points = _between(
        conn,
        ns,
        series,
        float("-inf") if low is None else low,
        float("inf") if high is None else high,
        False,
    )
    return _series.interpolate([p.timestamp for p in points], [p.value for p in points], at, method)
