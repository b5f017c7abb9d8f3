# Generated from src/prism/backends/clickhouse/_async/timeseries.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""clickhouse timeseries: all four interfaces, computed in ClickHouse (``_ops/timeseries.py``)
with the semantics of ``prism._series``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, cast

from prism._validate import Timestamp
from prism.backends.clickhouse._ops import timeseries as ops
from prism.backends.forwarding import ForwardingTimeSeries
from prism.types import Point

if TYPE_CHECKING:
    from prism.backends.clickhouse.backend import ClickHouseBackend


class ClickHouseTimeSeries(ForwardingTimeSeries):
    """Inserts and compaction here; the other operations forward to ``ops`` (see
    :class:`~prism.backends._async.forwarding.ForwardingTimeSeries`)."""

    def __init__(self, backend: ClickHouseBackend, namespace: str) -> None:
        super().__init__(backend, namespace, backend.core.run, ops)
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

    # timeseries_retention (set_retention and get_retention forward as the others) -------------
    def compact(self, series: str) -> int:
        return self._core.run(ops.compact, self.namespace, series)
