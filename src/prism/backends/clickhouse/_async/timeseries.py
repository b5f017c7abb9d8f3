"""clickhouse timeseries: all four interfaces, computed in ClickHouse (``_ops/timeseries.py``)
with the semantics of ``prism._series``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, cast

from prism import _series
from prism._validate import Duration, Timestamp
from prism.backends._async.base import AsyncFacet
from prism.backends.clickhouse._ops import timeseries as ops
from prism.interfaces._async.timeseries import (
    AsyncTimeSeriesAggregation,
    AsyncTimeSeriesBasic,
    AsyncTimeSeriesInterpolation,
    AsyncTimeSeriesRetention,
)
from prism.types import InterpolationMethod, Point, SeriesFunction

if TYPE_CHECKING:
    from prism.backends.clickhouse._async.backend import AsyncClickHouseBackend


class AsyncClickHouseTimeSeries(
    AsyncFacet,
    AsyncTimeSeriesBasic,
    AsyncTimeSeriesAggregation,
    AsyncTimeSeriesRetention,
    AsyncTimeSeriesInterpolation,
):
    def __init__(self, backend: AsyncClickHouseBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._core = backend.core

    # timeseries_basic --------------------------------------------------------------------------
    async def insert(
        self,
        series: str,
        timestamp: Timestamp,
        value: float,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        block: ops.Block = ([cast("float", timestamp)], [value], [dict(labels or {})])
        await self._core.run_async(ops.insert_many, self.namespace, series, block)

    async def insert_many(
        self,
        series: str,
        points: Iterable[Point | tuple[Timestamp, float]],
        *,
        labels: Mapping[str, str] | None = None,
    ) -> int:
        block = ops.columns(points, labels)
        if block[0]:
            await self._core.run_async(ops.insert_many, self.namespace, series, block)
        return len(block[0])

    async def query(
        self,
        series: str,
        start: Timestamp,
        end: Timestamp,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> list[Point]:
        return await self._core.run_async(
            ops.query, self.namespace, series, cast("float", start), cast("float", end), labels
        )

    # timeseries_aggregation --------------------------------------------------------------------
    async def aggregate(
        self,
        series: str,
        start: Timestamp,
        end: Timestamp,
        bucket: Duration,
        fn: SeriesFunction,
    ) -> list[Point]:
        return await self._core.run_async(
            ops.aggregate,
            self.namespace,
            series,
            cast("float", start),
            cast("float", end),
            cast("float", bucket),
            fn,
        )

    async def rollup(
        self,
        series: str,
        destination: str,
        start: Timestamp,
        end: Timestamp,
        bucket: Duration,
        fn: SeriesFunction,
    ) -> int:
        return await self._core.run_async(
            ops.rollup,
            self.namespace,
            series,
            destination,
            cast("float", start),
            cast("float", end),
            cast("float", bucket),
            fn,
        )

    # timeseries_retention ----------------------------------------------------------------------
    async def set_retention(self, series: str, max_age: Duration | None) -> None:
        age = cast("float | None", max_age)  # float seconds after the checks
        await self._core.run_async(ops.set_retention, self.namespace, series, age)

    async def get_retention(self, series: str) -> float | None:
        return await self._core.run_async(ops.get_retention, self.namespace, series)

    async def compact(self, series: str) -> int:
        return await self._core.run_async(ops.compact, self.namespace, series)

    # timeseries_interpolation ------------------------------------------------------------------
    async def interpolate(
        self,
        series: str,
        timestamps: Sequence[Timestamp],
        *,
        method: InterpolationMethod = "linear",
    ) -> list[float | None]:
        at = _series.timestamps(timestamps)
        return await self._core.run_async(ops.interpolate, self.namespace, series, at, method)
