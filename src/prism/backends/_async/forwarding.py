"""Facets whose operations are each one function of the backend's ``ops`` module, run on the
backend's worker: the forwarding written once per data model (sqlite and clickhouse
timeseries), so a backend states only what differs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any, cast

from prism import _series
from prism._validate import Duration, Timestamp
from prism.backends._async.base import AsyncBackend, AsyncFacet
from prism.interfaces._async.timeseries import (
    AsyncTimeSeriesAggregation,
    AsyncTimeSeriesBasic,
    AsyncTimeSeriesInterpolation,
    AsyncTimeSeriesRetention,
)
from prism.types import InterpolationMethod, Point, SeriesFunction

__all__ = ["AsyncForwardingTimeSeries"]


class AsyncForwardingTimeSeries(
    AsyncFacet,
    AsyncTimeSeriesBasic,
    AsyncTimeSeriesAggregation,
    AsyncTimeSeriesRetention,
    AsyncTimeSeriesInterpolation,
):
    """All four timeseries interfaces over an ``ops`` module whose ``query``, ``aggregate``,
    ``rollup``, ``set_retention``, ``get_retention`` and ``interpolate`` take the namespace and
    the checked arguments.  A subclass passes its backend's runner (``fn, *args`` →
    ``fn(<connection>, *args)`` on the worker) and that module, and writes ``insert``,
    ``insert_many`` and ``compact``, whose forms differ between stores."""

    def __init__(
        self,
        backend: AsyncBackend,
        namespace: str,
        run_async: Callable[..., Any],
        ops: ModuleType,
    ) -> None:
        super().__init__(backend, namespace)
        self._run_async = run_async
        self.ops = ops

    async def query(
        self,
        series: str,
        start: Timestamp,
        end: Timestamp,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> list[Point]:
        return cast(
            "list[Point]",
            await self._run_async(
                self.ops.query, self.namespace, series, cast("float", start),
                cast("float", end), labels,
            ),
        )  # fmt: skip

    async def aggregate(
        self,
        series: str,
        start: Timestamp,
        end: Timestamp,
        bucket: Duration,
        fn: SeriesFunction,
    ) -> list[Point]:
        return cast(
            "list[Point]",
            await self._run_async(
                self.ops.aggregate, self.namespace, series, cast("float", start),
                cast("float", end), cast("float", bucket), fn,
            ),
        )  # fmt: skip

    async def rollup(
        self,
        series: str,
        destination: str,
        start: Timestamp,
        end: Timestamp,
        bucket: Duration,
        fn: SeriesFunction,
    ) -> int:
        return cast(
            "int",
            await self._run_async(
                self.ops.rollup, self.namespace, series, destination, cast("float", start),
                cast("float", end), cast("float", bucket), fn,
            ),
        )  # fmt: skip

    async def set_retention(self, series: str, max_age: Duration | None) -> None:
        age = cast("float | None", max_age)  # float seconds after the checks
        await self._run_async(self.ops.set_retention, self.namespace, series, age)

    async def get_retention(self, series: str) -> float | None:
        return cast(
            "float | None",
            await self._run_async(self.ops.get_retention, self.namespace, series),
        )

    async def interpolate(
        self,
        series: str,
        timestamps: Sequence[Timestamp],
        *,
        method: InterpolationMethod = "linear",
    ) -> list[float | None]:
        at = _series.timestamps(timestamps)
        return cast(
            "list[float | None]",
            await self._run_async(self.ops.interpolate, self.namespace, series, at, method),
        )
