"""TimeSeries: float points at epoch-second timestamps, with labels."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping, Sequence

from prism._validate import Duration, Timestamp
from prism.interfaces._base import (
    NUMBER,
    OPT_DURATION,
    POSITIVE_DURATION,
    SERIES,
    STR_MAP,
    TIMESTAMP,
    Interface,
    checks,
)
from prism.types import InterpolationMethod, Point, SeriesFunction

__all__ = [
    "AsyncTimeSeriesAggregation",
    "AsyncTimeSeriesBasic",
    "AsyncTimeSeriesInterpolation",
    "AsyncTimeSeriesRetention",
]


def _FN(_: object, value: object) -> str:
    from prism import _validate as v

    return v.choice(value, ("count", "sum", "min", "max", "avg", "first", "last"), "fn")


def _METHOD(_: object, value: object) -> str:
    from prism import _validate as v

    return v.choice(value, ("linear", "step"), "method")


_FN.normalizes = True  # type: ignore[attr-defined]
_METHOD.normalizes = True  # type: ignore[attr-defined]


class AsyncTimeSeriesBasic(Interface, name="timeseries_basic", model="timeseries"):
    """Insert and query points.

    One point per (series, timestamp): a second insert at the same timestamp replaces the first
    (last write wins), labels included; a float and a ``datetime`` for the same instant are the
    same timestamp, and within one ``insert_many`` the later duplicate wins.  Timestamps are kept
    exactly (no rounding to milliseconds).  Queries return points in time order whatever the
    insert order; range bounds are inclusive, exactly.  Timestamps are epoch seconds or datetimes
    from 1970-01-01 (``MIN_TIMESTAMP``) to 10000-01-01 (``MAX_TIMESTAMP``); values are finite.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(series=SERIES, timestamp=TIMESTAMP, value=NUMBER, labels=STR_MAP)
    async def insert(
        self,
        series: str,
        timestamp: Timestamp,
        value: float,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> None: ...

    @abc.abstractmethod
    @checks(series=SERIES, labels=STR_MAP)
    async def insert_many(
        self,
        series: str,
        points: Iterable[Point | tuple[Timestamp, float]],
        *,
        labels: Mapping[str, str] | None = None,
    ) -> int:
        """Insert points (``Point`` or ``(timestamp, value)``; ``labels`` applies to tuples and
        to points without labels); return how many.  Validated whole before any write."""

    @abc.abstractmethod
    @checks(series=SERIES, start=TIMESTAMP, end=TIMESTAMP, labels=STR_MAP)
    async def query(
        self,
        series: str,
        start: Timestamp,
        end: Timestamp,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> list[Point]:
        """Points with ``start <= timestamp <= end`` whose labels include every ``labels``
        pair, in time order."""


class AsyncTimeSeriesAggregation(Interface, name="timeseries_aggregation", model="timeseries"):
    """Bucketed aggregation.  Buckets are aligned to multiples of ``bucket`` seconds since the
    epoch (``floor(t / bucket) * bucket``): a bucket is closed at its start and open at its end,
    so a point exactly on a boundary belongs to the bucket that starts there.  ``first`` and
    ``last`` go by timestamp, not insert order.  Each result point's timestamp is its bucket's start
    (which may precede ``start``); empty buckets are omitted; result points carry no labels.
    ``prism._series`` defines the exact semantics."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(series=SERIES, start=TIMESTAMP, end=TIMESTAMP, bucket=POSITIVE_DURATION, fn=_FN)
    async def aggregate(
        self,
        series: str,
        start: Timestamp,
        end: Timestamp,
        bucket: Duration,
        fn: SeriesFunction,
    ) -> list[Point]:
        """``fn`` (count, sum, min, max, avg, first, last) over each bucket of points in
        ``[start, end]``, in time order.  ``first`` / ``last`` are the values of the earliest /
        latest point of the bucket; ``count`` is a float like every value."""

    @abc.abstractmethod
    @checks(
        series=SERIES,
        destination=SERIES,
        start=TIMESTAMP,
        end=TIMESTAMP,
        bucket=POSITIVE_DURATION,
        fn=_FN,
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
        """Write :meth:`aggregate`'s result into ``destination`` (replacing points at the same
        timestamps); return how many points."""


class AsyncTimeSeriesRetention(Interface, name="timeseries_retention", model="timeseries"):
    """Retention: after :meth:`compact`, points older than ``max_age`` seconds (relative to the
    backend's clock: ``now - timestamp > max_age``) are gone; newer ones -- and a point exactly
    ``max_age`` old -- are never removed.
    Until a compaction, older points may still be returned.  Without a retention, compact
    removes nothing."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(series=SERIES, max_age=OPT_DURATION)
    async def set_retention(self, series: str, max_age: Duration | None) -> None:
        """Set (None: clear) the maximum age of ``series``'s points."""

    @abc.abstractmethod
    @checks(series=SERIES)
    async def get_retention(self, series: str) -> float | None: ...

    @abc.abstractmethod
    @checks(series=SERIES)
    async def compact(self, series: str) -> int:
        """Remove points beyond retention now; return how many were removed."""


class AsyncTimeSeriesInterpolation(Interface, name="timeseries_interpolation", model="timeseries"):
    """Values between stored points: ``linear`` interpolation or ``step`` (last observation
    carried forward).  At a stored timestamp the stored value is exact.  Between stored points
    ``(t0, v0)`` and ``(t1, v1)``, ``linear`` gives ``v0 + (v1 - v0) * (t - t0) / (t1 - t0)`` and
    ``step`` gives ``v0``.  Before the first point the result is None; after the last, ``step``
    carries the last value and ``linear`` gives None.  Labels are ignored; a series without
    points gives None everywhere."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(series=SERIES, method=_METHOD)
    async def interpolate(
        self,
        series: str,
        timestamps: Sequence[Timestamp],
        *,
        method: InterpolationMethod = "linear",
    ) -> list[float | None]:
        """One value per timestamp, in the order given."""
