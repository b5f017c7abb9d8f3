"""sqlite timeseries: all four interfaces, with the shared semantics of ``prism._series``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from prism import _series
from prism._validate import Timestamp
from prism.backends._async.forwarding import AsyncForwardingTimeSeries
from prism.backends.sqlite._ops import timeseries as ops
from prism.types import Point

if TYPE_CHECKING:
    from prism.backends.sqlite._async.backend import AsyncSQLiteBackend


class AsyncSQLiteTimeSeries(AsyncForwardingTimeSeries):
    """Inserts and compaction here; the other operations forward to ``ops`` (see
    :class:`~prism.backends._async.forwarding.AsyncForwardingTimeSeries`)."""

    def __init__(self, backend: AsyncSQLiteBackend, namespace: str) -> None:
        super().__init__(backend, namespace, backend.db.run_async, ops)
        self._db = backend.db
        self._clock = backend.db.clock

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
        await self._db.run_async(
            ops.insert_many, self.namespace, series, [point], operation="insert"
        )

    async def insert_many(
        self,
        series: str,
        points: Iterable[Point | tuple[Timestamp, float]],
        *,
        labels: Mapping[str, str] | None = None,
    ) -> int:
        checked = _series.normalize_points(points, labels)
        if checked:
            await self._db.run_async(ops.insert_many, self.namespace, series, checked)
        return len(checked)

    # timeseries_retention (set_retention and get_retention forward as the others) -------------
    async def compact(self, series: str) -> int:
        return await self._db.run_async(ops.compact, self._clock, self.namespace, series)
