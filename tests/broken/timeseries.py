# Generated from tests/broken/_async/timeseries.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Broken timeseries variants."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

from prism import _series
from prism._validate import seconds, timestamp
from prism.backends.memstore.timeseries import MemTimeSeries
from prism.types import Point
from tests.broken import Variant


class FirstWriteWinsMemTimeSeries(MemTimeSeries):
    """A second insert at an existing timestamp is silently dropped."""

    def insert(
        self, series: str, timestamp: Any, value: float, *, labels: Mapping[str, str] | None = None
    ) -> None:
        if not self.query(series, timestamp, timestamp):
            super().insert(series, timestamp, value, labels=labels)


def _anchored(points: list[Point], start: Any, bucket: Any, fn: Any) -> list[Point]:
    origin = timestamp(start)
    shifted = [Point(p.timestamp - origin, p.value) for p in points]
    found = _series.aggregate(shifted, seconds(bucket), fn)
    return [Point(p.timestamp + origin, p.value) for p in found]


class StartAnchoredBucketsMemTimeSeries(MemTimeSeries):
    """Buckets start at the query's start instead of at multiples of the bucket."""

    def aggregate(self, series: str, start: Any, end: Any, bucket: Any, fn: Any) -> list[Point]:
        return _anchored(self.query(series, start, end), start, bucket, fn)


class AlwaysStepMemTimeSeries(MemTimeSeries):
    """``step`` is used whatever the method asked for."""

    def interpolate(self, series: str, timestamps: Any, *, method: Any = "linear") -> Any:
        return super().interpolate(series, timestamps, method="step")


class EagerCompactMemTimeSeries(MemTimeSeries):
    """compact acts as if the retention were two seconds shorter than set."""

    def compact(self, series: str) -> int:
        age = self.get_retention(series)
        if age is None:
            return 0
        self.set_retention(series, max(age - 2.0, 0.0))
        try:
            return super().compact(series)
        finally:
            self.set_retention(series, age)


# Exact bounds, boundaries and orders (issue 8) --------------------------------------------------


def _ms_bounds(start: Any, end: Any) -> tuple[float, float]:
    """The bounds widened to whole milliseconds, as a backend storing ms would query."""
    return math.floor(timestamp(start) * 1000) / 1000, math.ceil(timestamp(end) * 1000) / 1000


class MillisecondBoundsMemTimeSeries(MemTimeSeries):
    """query rounds its bounds outward to whole milliseconds."""

    def query(
        self, series: str, start: Any, end: Any, *, labels: Mapping[str, str] | None = None
    ) -> list[Point]:
        return super().query(series, *_ms_bounds(start, end), labels=labels)


def _right_closed(points: list[Point], bucket: Any, fn: Any) -> list[Point]:
    """Buckets (start, end]: a point on a boundary falls in the bucket that ends there."""
    width = seconds(bucket)
    merged: dict[float, list[float]] = {}
    for point in points:
        merged.setdefault((math.ceil(point.timestamp / width) - 1) * width, []).append(point.value)
    return [Point(start, _series.FUNCTIONS[fn](values)) for start, values in sorted(merged.items())]


class RightClosedBucketsMemTimeSeries(MemTimeSeries):
    """A point exactly on a bucket boundary is counted in the bucket that ends there."""

    def aggregate(self, series: str, start: Any, end: Any, bucket: Any, fn: Any) -> list[Point]:
        return _right_closed(self.query(series, start, end), bucket, fn)


_ARRIVALS: dict[tuple[str, str], dict[float, int]] = {}
_TICKS = itertools.count()


def _arrived(namespace: str, series: str, times: list[float]) -> None:
    order = _ARRIVALS.setdefault((namespace, series), {})
    for t in times:
        order[t] = next(_TICKS)


def _by_arrival(
    facet: Any, series: str, points: list[Point], bucket: Any, fn: Any
) -> list[Point] | None:
    if fn not in ("first", "last"):
        return None
    order = _ARRIVALS.get((facet.namespace, series), {})
    width = seconds(bucket)
    buckets: dict[float, list[Point]] = {}
    for point in points:
        buckets.setdefault(_series.bucket_start(point.timestamp, width), []).append(point)
    pick = min if fn == "first" else max
    return [
        Point(start, pick(members, key=lambda p: order.get(p.timestamp, 0)).value)
        for start, members in sorted(buckets.items())
    ]


class ArrivalOrderMemTimeSeries(MemTimeSeries):
    """``first`` / ``last`` are the first / last points inserted in a bucket, not the earliest /
    latest in time."""

    def insert(
        self, series: str, timestamp: Any, value: float, *, labels: Mapping[str, str] | None = None
    ) -> None:
        super().insert(series, timestamp, value, labels=labels)
        _arrived(self.namespace, series, [_series.make_point(timestamp, value, labels).timestamp])

    def insert_many(self, series: str, points: Any, *, labels: Any = None) -> int:
        checked = _series.normalize_points(points, labels)
        _arrived(self.namespace, series, [p.timestamp for p in checked])
        return super().insert_many(series, checked, labels=labels)

    def aggregate(self, series: str, start: Any, end: Any, bucket: Any, fn: Any) -> list[Point]:
        found = _by_arrival(self, series, self.query(series, start, end), bucket, fn)
        if found is None:
            return super().aggregate(series, start, end, bucket, fn)
        return found


class AgeInclusiveCompactMemTimeSeries(MemTimeSeries):
    """compact also removes a point exactly ``max_age`` old."""

    def compact(self, series: str) -> int:
        with self._lock:
            age = self._state.retention.get(series)
            target = self._state.series.get(series)
            if age is None or target is None:
                return 0
            return target.drop_before(math.nextafter(self._store.clock() - age, math.inf))


VARIANTS = [
    Variant(
        "timeseries",
        "first-write-wins",
        FirstWriteWinsMemTimeSeries,
        "timeseries_basic",
    ),
    Variant(
        "timeseries",
        "start-anchored-buckets",
        StartAnchoredBucketsMemTimeSeries,
        "timeseries_aggregation",
    ),
    Variant(
        "timeseries",
        "always-step",
        AlwaysStepMemTimeSeries,
        "timeseries_interpolation",
    ),
    Variant(
        "timeseries",
        "eager-compact",
        EagerCompactMemTimeSeries,
        "timeseries_retention",
    ),
    Variant(
        "timeseries",
        "millisecond-bounds",
        MillisecondBoundsMemTimeSeries,
        "timeseries_basic",
    ),
    Variant(
        "timeseries",
        "right-closed-buckets",
        RightClosedBucketsMemTimeSeries,
        "timeseries_aggregation",
    ),
    Variant(
        "timeseries",
        "first-last-by-arrival",
        ArrivalOrderMemTimeSeries,
        "timeseries_aggregation",
    ),
    Variant(
        "timeseries",
        "age-inclusive-compact",
        AgeInclusiveCompactMemTimeSeries,
        "timeseries_retention",
    ),
]
