# Generated from src/prism/backends/clickhouse/_async/timeseries.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""clickhouse timeseries: all four interfaces, computed in ClickHouse (``_ops/timeseries.py``)
with the semantics of ``prism._series``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, cast

from prism import _series
from prism._validate import Duration, Timestamp
from prism.backends.base import Facet
from prism.backends.clickhouse._ops import timeseries as ops
from prism.interfaces.timeseries import (
    TimeSeriesAggregation,
    TimeSeriesBasic,
    TimeSeriesInterpolation,
    TimeSeriesRetention,
)
from prism.types import InterpolationMethod, Point, SeriesFunction

if TYPE_CHECKING:
    from prism.backends.clickhouse.backend import ClickHouseBackend


class ClickHouseTimeSeries(
    Facet,
    TimeSeriesBasic,
    TimeSeriesAggregation,
    TimeSeriesRetention,
    TimeSeriesInterpolation,
):
    def __init__(self, backend: ClickHouseBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._core = backend.core

    # timeseries_basic --------------------------------------------------------------------------
    def insert(
        self,
        series: str,
        timestamp: Timestamp,
        value: float,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        block: ops.Block = ([cast("float", timestamp)], [value], [dict(labels or {})])
        self._core.run(ops.insert_many, self.namespace, series, block)

    def insert_many(
        self,
        series: str,
        points: Iterable[Point | tuple[Timestamp, float]],
        *,
        labels: Mapping[str, str] | None = None,
    ) -> int:
        block = ops.columns(points, labels)
        if block[0]:
            self._core.run(ops.insert_many, self.namespace, series, block)
        return len(block[0])

    def query(
        self,
        series: str,
        start: Timestamp,
        end: Timestamp,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> list[Point]:
        return self._core.run(
            ops.query, self.namespace, series, cast("float", start), cast("float", end), labels
        )

    # timeseries_aggregation --------------------------------------------------------------------
    def aggregate(
        self,
        series: str,
        start: Timestamp,
        end: Timestamp,
        bucket: Duration,
        fn: SeriesFunction,
    ) -> list[Point]:
        return self._core.run(
            ops.aggregate,
            self.namespace,
            series,
            cast("float", start),
            cast("float", end),
            cast("float", bucket),
            fn,
        )

    def rollup(
        self,
        series: str,
        destination: str,
        start: Timestamp,
        end: Timestamp,
        bucket: Duration,
        fn: SeriesFunction,
    ) -> int:
        return self._core.run(
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
    def set_retention(self, series: str, max_age: Duration | None) -> None:
        age = cast("float | None", max_age)  # float seconds after the checks
        self._core.run(ops.set_retention, self.namespace, series, age)

    def get_retention(self, series: str) -> float | None:
        return self._core.run(ops.get_retention, self.namespace, series)

    def compact(self, series: str) -> int:
        return self._core.run(ops.compact, self.namespace, series)

    # timeseries_interpolation ------------------------------------------------------------------
    def interpolate(
        self,
        series: str,
        timestamps: Sequence[Timestamp],
        *,
        method: InterpolationMethod = "linear",
    ) -> list[float | None]:
        at = _series.timestamps(timestamps)
        return self._core.run(ops.interpolate, self.namespace, series, at, method)
