"""memstore timeseries state: per series, points by timestamp plus the sorted timestamps."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from prism.types import Point


@dataclass
class Series:
    times: list[float] = field(default_factory=list)
    """Every stored timestamp, ascending."""
    points: dict[float, Point] = field(default_factory=dict)

    def put(self, point: Point) -> None:
        """Store ``point``, replacing any point at the same timestamp (last write wins)."""
        t = point.timestamp
        if t not in self.points:
            if not self.times or t > self.times[-1]:
                self.times.append(t)
            else:
                bisect.insort(self.times, t)
        self.points[t] = point

    def between(self, start: float, end: float) -> list[Point]:
        lo = bisect.bisect_left(self.times, start)
        hi = bisect.bisect_right(self.times, end)
        return [self.points[t] for t in self.times[lo:hi]]

    def drop_before(self, cutoff: float) -> int:
        """Remove the points with ``timestamp < cutoff``; return how many."""
        n = bisect.bisect_left(self.times, cutoff)
        for t in self.times[:n]:
            del self.points[t]
        del self.times[:n]
        return n


@dataclass
class TimeSeriesState:
    series: dict[str, Series] = field(default_factory=dict)
    retention: dict[str, float] = field(default_factory=dict)
