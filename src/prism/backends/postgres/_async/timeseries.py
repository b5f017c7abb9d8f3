"""postgres timeseries: all four interfaces (the SQL is in ``_ops/timeseries.py``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from prism import _series
from prism._validate import Duration, Timestamp
from prism.backends.postgres._async._facet import AsyncPostgresFacet
from prism.backends.postgres._ops.timeseries import statements
from prism.interfaces._async.timeseries import (
    AsyncTimeSeriesAggregation,
    AsyncTimeSeriesBasic,
    AsyncTimeSeriesInterpolation,
    AsyncTimeSeriesRetention,
)
from prism.types import InterpolationMethod, Point, SeriesFunction

if TYPE_CHECKING:
    from prism.backends.postgres._async.backend import AsyncPostgresBackend

__all__ = ["AsyncPostgresTimeSeries"]


def _labels(labels: Mapping[str, str]) -> str:
    return json.dumps(dict(labels), ensure_ascii=False) if labels else "{}"


class AsyncPostgresTimeSeries(
    AsyncPostgresFacet,
    AsyncTimeSeriesBasic,
    AsyncTimeSeriesAggregation,
    AsyncTimeSeriesRetention,
    AsyncTimeSeriesInterpolation,
):
    MODEL = "timeseries"

    def __init__(self, backend: AsyncPostgresBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._sql = statements(self.schema)

    # timeseries_basic --------------------------------------------------------------------------
    async def insert(
        self,
        series: str,
        timestamp: Timestamp,
        value: float,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        point = _series.make_point(timestamp, value, labels)
        params = {
            "series": series,
            "ts": point.timestamp,
            "value": point.value,
            "labels": _labels(point.labels),
        }
        await self._run("insert", self._sql["insert"], params)

    async def insert_many(
        self,
        series: str,
        points: Iterable[Point | tuple[Timestamp, float]],
        *,
        labels: Mapping[str, str] | None = None,
    ) -> int:
        checked = _series.normalize_points(points, labels)
        if checked:
            last = {p.timestamp: p for p in checked}  # a later point at the same time wins
            params = {
                "series": series,
                "ts": list(last),
                "values": [p.value for p in last.values()],
                "labels": [_labels(p.labels) for p in last.values()],
            }
            await self._run("insert_many", self._sql["insert_many"], params)
        return len(checked)

    async def query(
        self,
        series: str,
        start: Timestamp,
        end: Timestamp,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> list[Point]:
        params: dict[str, Any] = {"series": series, "start": start, "end": end}
        if labels:
            params["labels"] = _labels(labels)
        rows = await self._all("query", self._sql["query_labels" if labels else "query"], params)
        return [Point(float(ts), float(value), MappingProxyType(tags)) for ts, value, tags in rows]

    # timeseries_aggregation --------------------------------------------------------------------
    async def aggregate(
        self,
        series: str,
        start: Timestamp,
        end: Timestamp,
        bucket: Duration,
        fn: SeriesFunction,
    ) -> list[Point]:
        params = {"series": series, "start": start, "end": end, "bucket": bucket}
        rows = await self._all("aggregate", self._sql[f"aggregate_{fn}"], params)
        return [Point(float(b), float(value)) for b, value in rows]

    async def rollup(
        self,
        series: str,
        destination: str,
        start: Timestamp,
        end: Timestamp,
        bucket: Duration,
        fn: SeriesFunction,
    ) -> int:
        params = {
            "series": series,
            "destination": destination,
            "start": start,
            "end": end,
            "bucket": bucket,
        }
        return await self._run("rollup", self._sql[f"rollup_{fn}"], params)

    # timeseries_retention ----------------------------------------------------------------------
    async def set_retention(self, series: str, max_age: Duration | None) -> None:
        if max_age is None:
            await self._run("set_retention", self._sql["clear_retention"], {"series": series})
        else:
            params = {"series": series, "age": max_age}
            await self._run("set_retention", self._sql["set_retention"], params)

    async def get_retention(self, series: str) -> float | None:
        row = await self._one("get_retention", self._sql["get_retention"], {"series": series})
        return None if row is None else float(row[0])

    async def compact(self, series: str) -> int:
        return await self._run("compact", self._sql["compact"], {"series": series})

    # timeseries_interpolation ------------------------------------------------------------------
    async def interpolate(
        self,
        series: str,
        timestamps: Sequence[Timestamp],
        *,
        method: InterpolationMethod = "linear",
    ) -> list[float | None]:
        """Only the stored points that can matter are read: for each wanted time, the last point
        at or before it and the first one after it (two index probes each, in one statement);
        the values follow the shared rules of :func:`prism._series.interpolate`."""
        at = _series.timestamps(timestamps)
        if not at:
            return []
        rows = await self._all("interpolate", self._sql["neighbours"], {"series": series, "at": at})
        times = [float(ts) for ts, _ in rows]
        values = [float(value) for _, value in rows]
        return _series.interpolate(times, values, at, method)
