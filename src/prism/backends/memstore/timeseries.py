# Generated from src/prism/backends/memstore/_async/timeseries.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""memstore timeseries: all four interfaces, with the shared semantics of ``prism._series``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, cast

from prism import _series
from prism._validate import Duration, Timestamp
from prism.backends.base import Facet
from prism.backends.memstore._ops.timeseries import Series, TimeSeriesState
from prism.interfaces.timeseries import (
    TimeSeriesAggregation,
    TimeSeriesBasic,
    TimeSeriesInterpolation,
    TimeSeriesRetention,
)
from prism.types import InterpolationMethod, Point, SeriesFunction

if TYPE_CHECKING:
    from prism.backends.memstore.backend import MemstoreBackend


class MemTimeSeries(
    Facet,
    TimeSeriesBasic,
    TimeSeriesAggregation,
    TimeSeriesRetention,
    TimeSeriesInterpolation,
):
    def __init__(self, backend: MemstoreBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._store = backend.store
        self._lock = backend.store.lock
        self._state = backend.store.namespace_state("timeseries", namespace, TimeSeriesState)

    def _series(self, name: str) -> Series:
        series = self._state.series.get(name)
        if series is None:
            series = self._state.series[name] = Series()
        return series

    def _between(self, name: str, start: Timestamp, end: Timestamp) -> list[Point]:
        series = self._state.series.get(name)
        return [] if series is None else series.between(cast("float", start), cast("float", end))

    # timeseries_basic --------------------------------------------------------------------------
    def insert(
        self,
        series: str,
        timestamp: Timestamp,
        value: float,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        point = _series.make_point(timestamp, value, labels)
        with self._lock:
            self._series(series).put(point)

    def insert_many(
        self,
        series: str,
        points: Iterable[Point | tuple[Timestamp, float]],
        *,
        labels: Mapping[str, str] | None = None,
    ) -> int:
        checked = _series.normalize_points(points, labels)
        with self._lock:
            target = self._series(series)
            for point in checked:
                target.put(point)
        return len(checked)

    def query(
        self,
        series: str,
        start: Timestamp,
        end: Timestamp,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> list[Point]:
        with self._lock:
            points = self._between(series, start, end)
        return [p for p in points if _series.labels_match(p.labels, labels)]

    # timeseries_aggregation --------------------------------------------------------------------
    def aggregate(
        self,
        series: str,
        start: Timestamp,
        end: Timestamp,
        bucket: Duration,
        fn: SeriesFunction,
    ) -> list[Point]:
        with self._lock:
            points = self._between(series, start, end)
        return _series.aggregate(points, cast("float", bucket), fn)

    def rollup(
        self,
        series: str,
        destination: str,
        start: Timestamp,
        end: Timestamp,
        bucket: Duration,
        fn: SeriesFunction,
    ) -> int:
        with self._lock:  # one critical section: the rollup sees and writes one state
            points = _series.aggregate(self._between(series, start, end), cast("float", bucket), fn)
            target = self._series(destination)
            for point in points:
                target.put(point)
        return len(points)

    # timeseries_retention ----------------------------------------------------------------------
    def set_retention(self, series: str, max_age: Duration | None) -> None:
        age = cast("float | None", max_age)  # float seconds after the checks
        with self._lock:
            if age is None:
                self._state.retention.pop(series, None)
            else:
                self._state.retention[series] = age

    def get_retention(self, series: str) -> float | None:
        with self._lock:
            return self._state.retention.get(series)

    def compact(self, series: str) -> int:
        with self._lock:
            age = self._state.retention.get(series)
            target = self._state.series.get(series)
            if age is None or target is None:
                return 0
            return target.drop_before(self._store.clock() - age)

    # timeseries_interpolation ------------------------------------------------------------------
    def interpolate(
        self,
        series: str,
        timestamps: Sequence[Timestamp],
        *,
        method: InterpolationMethod = "linear",
    ) -> list[float | None]:
        at = _series.timestamps(timestamps)
        with self._lock:
            target = self._state.series.get(series)
            times = [] if target is None else list(target.times)
            values = [] if target is None else [target.points[t].value for t in times]
        return _series.interpolate(times, values, at, method)
