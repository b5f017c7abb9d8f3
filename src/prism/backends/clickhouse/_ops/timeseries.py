"""timeseries SQL: one points table and one retention table per namespace.

Schema version 1 (the table comment records it; a table with another comment is refused):

``prism_ts_<key>_points``
    ``series String, ts Float64, value Float64, labels Map(LowCardinality(String), String),
    ver UInt64`` — ``ENGINE = ReplacingMergeTree(ver)``, ``ORDER BY (series, ts)``,
    ``PARTITION BY intDiv(toInt64(ts), 31536000)`` (365-day periods since the epoch), and with
    the ``ttl`` option ``TTL`` that many seconds after ``ts``.  One row per point; a rewrite of
    the same (series, ts) is a row with a higher ``ver``, and every read uses ``FINAL`` so only
    the newest counts (last write wins).  ``ts`` is epoch seconds as a double, exactly as
    given (a ``DateTime64`` would round it).
``prism_ts_<key>_retention``
    ``series String, max_age Nullable(Float64), ver UInt64`` —
    ``ReplacingMergeTree(ver) ORDER BY series``; a NULL ``max_age`` clears the retention.

``<key>`` is the namespace when it is 1 to 64 ASCII letters, digits or underscores, else ``h``
and 32 hex digits of its SHA-256.  Identifiers are always back-quoted; every value is a typed
query parameter or a column of an insert block.

Aggregation runs in SQL: the bucket start is ``floor(ts / b) * b`` (one bucket less when the
division rounded up), the same double arithmetic as :func:`prism._series.bucket_start`, then
``GROUP BY`` with ``count()``, ``sum``, ``min``, ``max``, ``avg``, ``argMin(value, ts)``
(first) and ``argMax(value, ts)`` (last).  ``toStartOfInterval`` works on ``DateTime``
values, whose rounding would move points between buckets.  Interpolation fetches, in SQL, only
the neighbours that matter (the last point at or before the earliest wanted time through the
first at or after the latest) and applies :func:`prism._series.interpolate`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from prism import _series
from prism import _validate as v
from prism.backends.clickhouse._core import BACKEND, Core, quote
from prism.errors import ConfigurationError, InvalidArgumentError
from prism.types import InterpolationMethod, Point, SeriesFunction

__all__ = ["SCHEMA_VERSION", "table_names"]

SCHEMA_VERSION = 1
POINTS_COMMENT = f"prism timeseries points v{SCHEMA_VERSION}"
RETENTION_COMMENT = f"prism timeseries retention v{SCHEMA_VERSION}"
POINT_COLUMNS = ("series", "ts", "value", "labels", "ver")
POINT_TYPES = ("String", "Float64", "Float64", "Map(LowCardinality(String), String)", "UInt64")
_PLAIN = re.compile(r"[A-Za-z0-9_]{1,64}")
_MAX_UINT32 = 4294967295

_AGGREGATES: dict[str, str] = {
    "count": "toFloat64(count())",
    "sum": "sum(value)",
    "min": "min(value)",
    "max": "max(value)",
    "avg": "avg(value)",
    "first": "argMin(value, ts)",
    "last": "argMax(value, ts)",
}


def table_names(namespace: str) -> tuple[str, str]:
    """The (points, retention) table names of ``namespace`` (unquoted)."""
    key = (
        namespace
        if _PLAIN.fullmatch(namespace)
        else "h" + hashlib.sha256(namespace.encode()).hexdigest()[:32]
    )
    return f"prism_ts_{key}_points", f"prism_ts_{key}_retention"


def _ensure(core: Core, namespace: str) -> tuple[str, str]:
    """The quoted (points, retention) tables of ``namespace``, created on first use."""
    points, retention = table_names(namespace)
    if points in core.ready:
        return quote(points), quote(retention)
    t = core.t
    if not t.modern:
        msg = (
            "this ClickHouse server is too old for prism's timeseries schema (it needs Map "
            "columns and lightweight DELETE: ClickHouse 22.8 or newer)"
        )
        raise ConfigurationError(msg, backend=BACKEND, operation="open")
    found = t.query(
        "SELECT name, comment FROM system.tables WHERE database = currentDatabase() "
        "AND name IN ({p:String}, {r:String})",
        {"p": points, "r": retention},
    )
    existing = dict(zip(found[0], found[1], strict=True)) if found else {}
    for name, comment in ((points, POINTS_COMMENT), (retention, RETENTION_COMMENT)):
        if name in existing and existing[name] != comment:
            msg = (
                f"table {name!r} exists but is not prism's timeseries schema v{SCHEMA_VERSION} "
                f"(its comment is {existing[name]!r}); migrate or drop it"
            )
            raise ConfigurationError(msg, backend=BACKEND, operation="open")
    ttl = ""
    if core.config.ttl is not None:
        seconds = math.ceil(core.config.ttl)  # a validated number from the configuration
        ttl = (
            f" TTL toDateTime(toUInt32(least(floor(ts) + 1, {_MAX_UINT32}))) "
            f"+ toIntervalSecond({seconds})"
        )
    t.command(
        f"CREATE TABLE IF NOT EXISTS {quote(points)} (series String, ts Float64, "
        "value Float64, labels Map(LowCardinality(String), String), ver UInt64) "
        "ENGINE = ReplacingMergeTree(ver) PARTITION BY intDiv(toInt64(ts), 31536000) "
        f"ORDER BY (series, ts){ttl} COMMENT '{POINTS_COMMENT}'"
    )
    t.command(
        f"CREATE TABLE IF NOT EXISTS {quote(retention)} (series String, "
        "max_age Nullable(Float64), ver UInt64) ENGINE = ReplacingMergeTree(ver) "
        f"ORDER BY series COMMENT '{RETENTION_COMMENT}'"
    )
    core.ready.add(points)
    return quote(points), quote(retention)


# ----------------------------------------------------------------------------- basic

Block = tuple[list[float], list[float], list[dict[str, str]]]
"""Points as columns: timestamps, values, labels (one dict object shared by equal rows)."""


def columns(points: Iterable[Point | tuple[Any, Any]], labels: Mapping[str, str] | None) -> Block:
    """``insert_many``'s points validated whole, as :func:`prism._series.normalize_points`
    does (the same checks and messages), but straight into columns: no ``Point`` and no
    labels copy per row, which is most of the cost of a large batch."""
    if isinstance(points, str | bytes | Mapping):
        msg = f"points must be an iterable of Point or (timestamp, value), not {type(points).__name__}"
        raise InvalidArgumentError(msg)
    try:
        items = list(points)
    except TypeError as exc:
        msg = f"points must be an iterable of Point or (timestamp, value), not {type(points).__name__}"
        raise InvalidArgumentError(msg) from exc
    v.batch(len(items), "points")
    shared = dict(labels or {})
    times: list[float] = []
    values: list[float] = []
    tags: list[dict[str, str]] = []
    timestamp, number = v.timestamp, v.number
    low, high = v.MIN_TIMESTAMP, v.MAX_TIMESTAMP
    for i, item in enumerate(items):
        if type(item) is tuple and len(item) == 2:
            t, x = item
            # the common case checked inline (floats in range, finite value: x - x is NaN for
            # inf and NaN); anything else goes through the shared checks and their messages
            if type(t) is not float or not low <= t <= high:
                t = timestamp(t)
            if type(x) is not float or x - x != 0.0:
                x = number(x)
            times.append(t)
            values.append(x)
            tags.append(shared)
        elif isinstance(item, Point):
            own = v.headers(item.labels, f"labels of point {i}")
            times.append(timestamp(item.timestamp))
            values.append(number(item.value))
            tags.append(own or shared)
        elif isinstance(item, tuple) and len(item) == 2:
            times.append(timestamp(item[0]))
            values.append(number(item[1]))
            tags.append(shared)
        else:
            msg = f"point {i} must be a Point or a (timestamp, value) tuple, got {item!r}"
            raise InvalidArgumentError(msg)
    return times, values, tags


def _write(core: Core, table: str, series: str, block: Block) -> None:
    times, values, tags = block
    if len(set(times)) != len(times):  # within one batch the later duplicate wins
        last = {t: i for i, t in enumerate(times)}
        keep = sorted(last.values())
        times = [times[i] for i in keep]
        values = [values[i] for i in keep]
        tags = [tags[i] for i in keep]
    version = core.next_version()
    core.t.insert(
        table,
        POINT_COLUMNS,
        POINT_TYPES,
        [[series] * len(times), times, values, tags, [version] * len(times)],
    )


def insert_many(core: Core, ns: str, series: str, block: Block) -> None:
    points_table, _ = _ensure(core, ns)
    _write(core, points_table, series, block)


def _range(
    core: Core,
    table: str,
    series: str,
    start: float,
    end: float,
    labels: Mapping[str, str] | None,
    with_labels: bool,
) -> list[Point]:
    params: dict[str, Any] = {"s": series, "a": start, "b": end}
    where = ""
    for i, (key, value) in enumerate(sorted((labels or {}).items())):
        params[f"k{i}"], params[f"v{i}"] = key, value
        where += f" AND mapContains(labels, {{k{i}:String}}) AND labels[{{k{i}:String}}] = {{v{i}:String}}"
    column = "if(empty(labels), '', toJSONString(labels))" if with_labels else "''"
    cols = core.t.query(
        f"SELECT ts, value, {column} FROM {table} FINAL WHERE series = {{s:String}} "
        f"AND ts >= {{a:Float64}} AND ts <= {{b:Float64}}{where} ORDER BY ts",
        params,
    )
    if not cols:
        return []
    seen: dict[str, Mapping[str, str]] = {"": MappingProxyType({})}
    out: list[Point] = []
    for ts, value, text in zip(cols[0], cols[1], cols[2], strict=True):
        tags = seen.get(text)
        if tags is None:  # each distinct label set is parsed once per query
            tags = seen[text] = MappingProxyType(json.loads(text))
        out.append(Point(ts, value, tags))
    return out


def query(
    core: Core,
    ns: str,
    series: str,
    start: float,
    end: float,
    labels: Mapping[str, str] | None,
) -> list[Point]:
    points_table, _ = _ensure(core, ns)
    return _range(core, points_table, series, start, end, labels, True)


# ----------------------------------------------------------------------------- aggregation


def _aggregate(
    core: Core, table: str, series: str, start: float, end: float, bucket: float, fn: str
) -> list[Point]:
    cols = core.t.query(
        f"SELECT bucket, {_AGGREGATES[fn]} FROM ("
        "SELECT ts, value, floor(ts / {w:Float64}) * {w:Float64} AS lower, "
        "if(lower > ts, lower - {w:Float64}, lower) AS bucket "
        f"FROM {table} FINAL WHERE series = {{s:String}} AND ts >= {{a:Float64}} "
        "AND ts <= {b:Float64}) GROUP BY bucket ORDER BY bucket",
        {"s": series, "a": start, "b": end, "w": bucket},
    )
    if not cols:
        return []
    return [Point(float(b), float(v)) for b, v in zip(cols[0], cols[1], strict=True)]


def aggregate(
    core: Core, ns: str, series: str, start: float, end: float, bucket: float, fn: SeriesFunction
) -> list[Point]:
    points_table, _ = _ensure(core, ns)
    return _aggregate(core, points_table, series, start, end, bucket, fn)


def rollup(
    core: Core,
    ns: str,
    series: str,
    destination: str,
    start: float,
    end: float,
    bucket: float,
    fn: SeriesFunction,
) -> int:
    points_table, _ = _ensure(core, ns)
    points = _aggregate(core, points_table, series, start, end, bucket, fn)
    if points:
        block: Block = (
            [p.timestamp for p in points],
            [p.value for p in points],
            [{}] * len(points),
        )
        _write(core, points_table, destination, block)
    return len(points)


# ----------------------------------------------------------------------------- retention


def set_retention(core: Core, ns: str, series: str, max_age: float | None) -> None:
    _, retention = _ensure(core, ns)
    core.t.insert(
        retention,
        ("series", "max_age", "ver"),
        ("String", "Nullable(Float64)", "UInt64"),
        [[series], [max_age], [core.next_version()]],
    )


def get_retention(core: Core, ns: str, series: str) -> float | None:
    _, retention = _ensure(core, ns)
    cols = core.t.query(
        f"SELECT max_age FROM {retention} FINAL WHERE series = {{s:String}}", {"s": series}
    )
    if not cols or not cols[0] or cols[0][0] is None:
        return None
    return float(cols[0][0])


def compact(core: Core, ns: str, series: str) -> int:
    """Delete the points with ``now - timestamp > max_age``; return how many."""
    max_age = get_retention(core, ns, series)
    if max_age is None:
        return 0
    points_table, _ = _ensure(core, ns)
    params = {"s": series, "c": core.clock() - max_age}
    where = "series = {s:String} AND ts < {c:Float64}"
    cols = core.t.query(f"SELECT count() FROM {points_table} FINAL WHERE {where}", params)
    removed = int(cols[0][0]) if cols and cols[0] else 0
    if removed:
        core.t.command(f"DELETE FROM {points_table} WHERE {where}", params)
    return removed


# ----------------------------------------------------------------------------- interpolation


def interpolate(
    core: Core, ns: str, series: str, at: Sequence[float], method: InterpolationMethod
) -> list[float | None]:
    if not at:
        return []
    points_table, _ = _ensure(core, ns)
    cols = core.t.query(
        f"SELECT (SELECT maxOrNull(ts) FROM {points_table} FINAL WHERE series = {{s:String}} "
        "AND ts <= {a:Float64}), "
        f"(SELECT minOrNull(ts) FROM {points_table} FINAL WHERE series = {{s:String}} "
        "AND ts >= {b:Float64}), "
        f"(SELECT count() FROM {points_table} FINAL WHERE series = {{s:String}})",
        {"s": series, "a": min(at), "b": max(at)},
    )
    low, high, count = cols[0][0], cols[1][0], cols[2][0]
    if not count:
        return [None] * len(at)
    points = _range(
        core,
        points_table,
        series,
        -1.0 if low is None else low,  # timestamps are >= 0
        math.ldexp(1.0, 60) if high is None else high,  # beyond MAX_TIMESTAMP
        None,
        False,
    )
    return _series.interpolate([p.timestamp for p in points], [p.value for p in points], at, method)
