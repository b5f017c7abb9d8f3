"""Time-series semantics shared by every backend: point normalisation, bucket alignment, the
aggregate functions and interpolation.

Backends that compute in Python call these directly; backends that push work down (SQL, a
server's own aggregation) must produce the same results.  Pure functions, no I/O.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from prism import _validate as v
from prism.errors import InvalidArgumentError
from prism.types import InterpolationMethod, Point, SeriesFunction

__all__ = [
    "FUNCTIONS",
    "aggregate",
    "bucket_start",
    "interpolate",
    "labels_match",
    "make_point",
    "normalize_points",
    "timestamps",
]


def make_point(timestamp: object, value: object, labels: Mapping[str, str] | None) -> Point:
    """A validated :class:`Point` (timestamp as epoch seconds, value as float, labels copied
    into a read-only mapping)."""
    return Point(v.timestamp(timestamp), v.number(value), MappingProxyType(dict(labels or {})))


def normalize_points(
    points: Iterable[Point | tuple[Any, Any]], labels: Mapping[str, str] | None
) -> list[Point]:
    """Validate every item of ``insert_many``'s ``points`` before any is written.

    Items are :class:`Point` or ``(timestamp, value)`` pairs; ``labels`` applies to pairs and to
    points without labels.
    """
    if isinstance(points, str | bytes | Mapping):
        msg = f"points must be an iterable of Point or (timestamp, value), not {type(points).__name__}"
        raise InvalidArgumentError(msg)
    try:
        items = list(points)
    except TypeError as exc:
        msg = f"points must be an iterable of Point or (timestamp, value), not {type(points).__name__}"
        raise InvalidArgumentError(msg) from exc
    v.batch(len(items), "points")
    out: list[Point] = []
    for i, item in enumerate(items):
        if isinstance(item, Point):
            own = v.headers(item.labels, f"labels of point {i}")
            out.append(make_point(item.timestamp, item.value, own or labels))
        elif isinstance(item, tuple) and len(item) == 2:
            out.append(make_point(item[0], item[1], labels))
        else:
            msg = f"point {i} must be a Point or a (timestamp, value) tuple, got {item!r}"
            raise InvalidArgumentError(msg)
    return out


def timestamps(values: Sequence[object]) -> list[float]:
    """Validate a sequence of timestamps; return them as epoch seconds."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        msg = f"timestamps must be a sequence of timestamps, got {type(values).__name__}"
        raise InvalidArgumentError(msg)
    return [v.timestamp(t) for t in values]


def labels_match(labels: Mapping[str, str], wanted: Mapping[str, str] | None) -> bool:
    """Whether ``labels`` include every pair of ``wanted``."""
    return not wanted or all(labels.get(k) == val for k, val in wanted.items())


def bucket_start(timestamp: float, bucket: float) -> float:
    """The start of the bucket holding ``timestamp``: the largest multiple of ``bucket`` seconds
    since the epoch that is <= ``timestamp``."""
    start = math.floor(timestamp / bucket) * bucket
    if start > timestamp:  # the division rounded up to the next multiple
        start -= bucket
    return start


def _avg(values: list[float]) -> float:
    return _sum(values) / len(values)


def _sum(values: list[float]) -> float:
    total = 0.0
    for value in values:  # left to right in time order, like a SQL SUM over a sorted scan
        total += value
    return total


FUNCTIONS: dict[str, Callable[[list[float]], float]] = {
    "count": lambda values: float(len(values)),
    "sum": _sum,
    "min": min,
    "max": max,
    "avg": _avg,
    "first": lambda values: values[0],
    "last": lambda values: values[-1],
}
"""Each aggregate function over the values of one non-empty bucket, in time order."""


def aggregate(points: Iterable[Point], bucket: float, fn: SeriesFunction) -> list[Point]:
    """``fn`` over each bucket of ``points`` (already in time order); one unlabelled point per
    non-empty bucket, stamped with the bucket's start."""
    apply = FUNCTIONS[fn]
    out: list[Point] = []
    current: float | None = None
    values: list[float] = []
    for point in points:
        start = bucket_start(point.timestamp, bucket)
        if start != current:
            if values:
                out.append(Point(current, apply(values)))  # type: ignore[arg-type]
            current, values = start, []
        values.append(point.value)
    if values:
        out.append(Point(current, apply(values)))  # type: ignore[arg-type]
    return out


def interpolate(
    times: Sequence[float],
    values: Sequence[float],
    at: Iterable[float],
    method: InterpolationMethod,
) -> list[float | None]:
    """Values of the series (``times`` ascending, ``values`` aligned) at each of ``at``.

    At a stored timestamp the stored value; before the first point None; between two points
    ``linear`` gives ``v0 + (v1 - v0) * (t - t0) / (t1 - t0)`` and ``step`` gives ``v0``; after
    the last point ``step`` gives the last value and ``linear`` None.
    """
    out: list[float | None] = []
    for t in at:
        i = bisect.bisect_right(times, t)  # times[i - 1] <= t < times[i]
        if i == 0:
            out.append(None)
        elif times[i - 1] == t or method == "step":
            out.append(values[i - 1])
        elif i == len(times):
            out.append(None)
        else:
            t0, t1, v0, v1 = times[i - 1], times[i], values[i - 1], values[i]
            out.append(v0 + (v1 - v0) * (t - t0) / (t1 - t0))
    return out
