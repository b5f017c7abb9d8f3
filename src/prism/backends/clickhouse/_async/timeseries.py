"""clickhouse timeseries: all four interfaces, computed in ClickHouse (``_ops/timeseries.py``)
with the semantics of ``prism._series``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, cast

from prism._validate import Timestamp
from prism.backends._async.forwarding import AsyncForwardingTimeSeries
from prism.backends.clickhouse._ops import timeseries as ops
from prism.types import Point

if TYPE_CHECKING:
    from prism.backends.clickhouse._async.backend import AsyncClickHouseBackend


class AsyncClickHouseTimeSeries(AsyncForwardingTimeSeries):
    """Inserts and compaction here; the other operations forward to ``ops`` (see
    :class:`~prism.backends._async.forwarding.AsyncForwardingTimeSeries`)."""

    def __init__(self, backend: AsyncClickHouseBackend, namespace: str) -> None:
        super().__init__(backend, namespace, backend.core.run_async, ops)
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

    # timeseries_retention (set_retention and get_retention forward as the others) -------------
    async def compact(self, series: str) -> int:
        return await self._core.run_async(ops.compact, self.namespace, series)
