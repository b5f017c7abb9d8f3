# Generated from src/prism/backends/sqlite/_async/timeseries.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""sqlite timeseries: all four interfaces, with the shared semantics of ``prism._series``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from prism import _series
from prism._validate import Timestamp
from prism.backends.forwarding import ForwardingTimeSeries
from prism.backends.sqlite._ops import timeseries as ops
from prism.types import Point

if TYPE_CHECKING:
    from prism.backends.sqlite.backend import SQLiteBackend


class SQLiteTimeSeries(ForwardingTimeSeries):
    """Inserts and compaction here; the other operations forward to ``ops`` (see
    :class:`~prism.backends._async.forwarding.ForwardingTimeSeries`)."""

    def __init__(self, backend: SQLiteBackend, namespace: str) -> None:
        super().__init__(backend, namespace, backend.db.run, ops)
        self._db = backend.db
        self._clock = backend.db.clock

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
        self._db.run(ops.insert_many, self.namespace, series, [point], operation="insert")

    def insert_many(
        self,
        series: str,
        points: Iterable[Point | tuple[Timestamp, float]],
        *,
        labels: Mapping[str, str] | None = None,
    ) -> int:
        checked = _series.normalize_points(points, labels)
        if checked:
            self._db.run(ops.insert_many, self.namespace, series, checked)
        return len(checked)

    # timeseries_retention (set_retention and get_retention forward as the others) -------------
    def compact(self, series: str) -> int:
        return self._db.run(ops.compact, self._clock, self.namespace, series)
