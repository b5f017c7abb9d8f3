"""Broken timeseries variants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prism import _series
from prism._validate import seconds, timestamp
from prism.backends.memstore._async.timeseries import AsyncMemTimeSeries
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


class AsyncFirstWriteWinsMemTimeSeries(AsyncMemTimeSeries):
    async def insert(
        self, series: str, timestamp: Any, value: float, *, labels: Mapping[str, str] | None = None
    ) -> None:
        if not await self.query(series, timestamp, timestamp):
            await super().insert(series, timestamp, value, labels=labels)


def _anchored(points: list[Point], start: Any, bucket: Any, fn: Any) -> list[Point]:
    origin = timestamp(start)
    shifted = [Point(p.timestamp - origin, p.value) for p in points]
    found = _series.aggregate(shifted, seconds(bucket), fn)
    return [Point(p.timestamp + origin, p.value) for p in found]


class StartAnchoredBucketsMemTimeSeries(MemTimeSeries):
    """Buckets start at the query's start instead of at multiples of the bucket."""

    def aggregate(self, series: str, start: Any, end: Any, bucket: Any, fn: Any) -> list[Point]:
        return _anchored(self.query(series, start, end), start, bucket, fn)


class AsyncStartAnchoredBucketsMemTimeSeries(AsyncMemTimeSeries):
    async def aggregate(
        self, series: str, start: Any, end: Any, bucket: Any, fn: Any
    ) -> list[Point]:
        return _anchored(await self.query(series, start, end), start, bucket, fn)


class AlwaysStepMemTimeSeries(MemTimeSeries):
    """``step`` is used whatever the method asked for."""

    def interpolate(self, series: str, timestamps: Any, *, method: Any = "linear") -> Any:
        return super().interpolate(series, timestamps, method="step")


class AsyncAlwaysStepMemTimeSeries(AsyncMemTimeSeries):
    async def interpolate(self, series: str, timestamps: Any, *, method: Any = "linear") -> Any:
        return await super().interpolate(series, timestamps, method="step")


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


class AsyncEagerCompactMemTimeSeries(AsyncMemTimeSeries):
    async def compact(self, series: str) -> int:
        age = await self.get_retention(series)
        if age is None:
            return 0
        await self.set_retention(series, max(age - 2.0, 0.0))
        try:
            return await super().compact(series)
        finally:
            await self.set_retention(series, age)


VARIANTS = [
    Variant(
        "timeseries",
        "first-write-wins",
        FirstWriteWinsMemTimeSeries,
        AsyncFirstWriteWinsMemTimeSeries,
        "timeseries_basic",
    ),
    Variant(
        "timeseries",
        "start-anchored-buckets",
        StartAnchoredBucketsMemTimeSeries,
        AsyncStartAnchoredBucketsMemTimeSeries,
        "timeseries_aggregation",
    ),
    Variant(
        "timeseries",
        "always-step",
        AlwaysStepMemTimeSeries,
        AsyncAlwaysStepMemTimeSeries,
        "timeseries_interpolation",
    ),
    Variant(
        "timeseries",
        "eager-compact",
        EagerCompactMemTimeSeries,
        AsyncEagerCompactMemTimeSeries,
        "timeseries_retention",
    ),
]
