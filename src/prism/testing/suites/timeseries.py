# Generated from src/prism/testing/suites/_async/timeseries.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Compliance suites for the timeseries interfaces."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest

import prism
from prism.interfaces.timeseries import (
    TimeSeriesAggregation,
    TimeSeriesBasic,
    TimeSeriesInterpolation,
    TimeSeriesRetention,
)
from prism.testing._concurrency import run_concurrently
from prism.testing.suite import Suite
from prism.types import Point

T0 = 1_699_999_200.0
"""A fixed epoch second, a multiple of 3600, for tests that do not depend on the clock."""
FAR = 4_000_000_000.0
BAD_NAMES: list[Any] = ["", "x" * 1025, "é" * 513, "a\x00b", b"bytes", 42, None]
UNICODE_NAMES = ["café", "键值", "🙂:emoji", "x" * 1024, "é" * 512]
INTERFACES: dict[str, type] = {
    "timeseries_basic": TimeSeriesBasic,
    "timeseries_aggregation": TimeSeriesAggregation,
    "timeseries_retention": TimeSeriesRetention,
    "timeseries_interpolation": TimeSeriesInterpolation,
}
FUNCTIONS = ("count", "sum", "min", "max", "avg", "first", "last")


def _reference(
    points: list[tuple[float, float]], bucket: float, fn: str
) -> list[tuple[float, float]]:
    """Bucketed aggregation written independently of ``prism._series``."""
    buckets: dict[float, list[tuple[float, float]]] = {}
    for t, value in points:
        buckets.setdefault(math.floor(t / bucket) * bucket, []).append((t, value))
    reducers: dict[str, Callable[[list[float]], float]] = {
        "count": lambda vs: float(len(vs)),
        "sum": math.fsum,
        "min": min,
        "max": max,
        "avg": lambda vs: math.fsum(vs) / len(vs),
        "first": lambda vs: vs[0],
        "last": lambda vs: vs[-1],
    }
    return [
        (start, reducers[fn]([value for _, value in sorted(members)]))
        for start, members in sorted(buckets.items())
    ]


def _pairs(points: list[Point]) -> list[tuple[float, float]]:
    return [(p.timestamp, p.value) for p in points]


class _TimeSeriesSuite(Suite):
    def series(self) -> Any:
        """A fresh namespace's timeseries facet, checked to implement this suite's interface
        and timeseries_basic (to write the points under test)."""
        ts = (self.open()).facet("timeseries")
        assert isinstance(ts, TimeSeriesBasic), f"{ts!r} lacks timeseries_basic"
        assert isinstance(ts, INTERFACES[self.interface]), f"{ts!r} lacks {self.interface}"
        return ts

    def now(self) -> float:
        """The backend's current time: its injected clock, or the real time."""
        clock = self.target.clock
        return time.time() if clock is None else float(clock())


class TimeSeriesBasicSuite(_TimeSeriesSuite, interface="timeseries_basic"):
    def test_insert_then_query_in_time_order(self) -> None:
        ts = self.series()
        ts.insert("cpu", T0, 1.5)
        ts.insert("cpu", T0 + 10, 2)
        ts.insert("cpu", T0 + 20, -3.25)
        points = ts.query("cpu", T0, T0 + 20)
        assert points == [Point(T0, 1.5), Point(T0 + 10, 2.0), Point(T0 + 20, -3.25)]
        assert all(type(p.value) is float and type(p.timestamp) is float for p in points)

    def test_range_bounds_are_inclusive(self) -> None:
        ts = self.series()
        for i in range(6):
            ts.insert("s", T0 + 10 * i, float(i))
        assert _pairs(ts.query("s", T0 + 10, T0 + 30)) == [
            (T0 + 10, 1.0),
            (T0 + 20, 2.0),
            (T0 + 30, 3.0),
        ]
        assert _pairs(ts.query("s", T0 + 11, T0 + 29)) == [(T0 + 20, 2.0)]
        assert _pairs(ts.query("s", T0 + 20, T0 + 20)) == [(T0 + 20, 2.0)]
        assert ts.query("s", T0 + 31, T0 + 39) == []
        assert ts.query("s", T0 + 30, T0 + 10) == []

    def test_range_ends_are_exact_to_the_float(self) -> None:
        # Timestamps that are not whole milliseconds, and bounds one float step inside them: a
        # backend that rounds timestamps or bounds (to ms, µs) gets the ends wrong.
        ts = self.series()
        times = [T0 + 0.1, T0 + 0.2, T0 + 0.3000001]
        ts.insert_many("s", [(times[2], 3.0), (times[0], 1.0), (times[1], 2.0)])
        assert _pairs(ts.query("s", times[0], times[2])) == [
            (times[0], 1.0),
            (times[1], 2.0),
            (times[2], 3.0),
        ]
        inside = (math.nextafter(times[0], math.inf), math.nextafter(times[2], -math.inf))
        assert _pairs(ts.query("s", *inside)) == [(times[1], 2.0)]
        assert ts.query("s", times[1] + 1e-6, inside[1]) == []

    def test_label_filter(self) -> None:
        ts = self.series()
        ts.insert("cpu", T0, 1.0, labels={"host": "a", "dc": "eu"})
        ts.insert("cpu", T0 + 1, 2.0, labels={"host": "b", "dc": "eu"})
        ts.insert("cpu", T0 + 2, 3.0, labels={"host": "a", "dc": "us"})
        ts.insert("cpu", T0 + 3, 4.0)
        everything = ts.query("cpu", T0, T0 + 3)
        assert [dict(p.labels) for p in everything] == [
            {"host": "a", "dc": "eu"},
            {"host": "b", "dc": "eu"},
            {"host": "a", "dc": "us"},
            {},
        ]
        assert _pairs(ts.query("cpu", T0, T0 + 3, labels={"host": "a"})) == [
            (T0, 1.0),
            (T0 + 2, 3.0),
        ]
        assert _pairs(ts.query("cpu", T0, T0 + 3, labels={"host": "a", "dc": "eu"})) == [(T0, 1.0)]
        assert _pairs(ts.query("cpu", T0, T0 + 3, labels={"dc": "eu"})) == [
            (T0, 1.0),
            (T0 + 1, 2.0),
        ]
        assert ts.query("cpu", T0, T0 + 3, labels={"host": "c"}) == []
        assert len(ts.query("cpu", T0, T0 + 3, labels={})) == 4

    @pytest.mark.prism_stress
    def test_insert_many_10000_points(self) -> None:
        ts = self.series()
        points = [(T0 + i * 0.5, float(i % 97) - 48.0) for i in range(10_000)]
        assert ts.insert_many("bulk", points) == 10_000
        found = ts.query("bulk", T0, T0 + 10_000)
        assert _pairs(found) == points

    def test_insert_many_mixes_points_and_tuples_with_labels(self) -> None:
        ts = self.series()
        items: list[Any] = [
            (T0, 1.0),
            Point(T0 + 1, 2.0),
            Point(T0 + 2, 3.0, {"own": "yes"}),
            (datetime.fromtimestamp(T0 + 3, UTC), 4),
        ]
        assert ts.insert_many("s", items, labels={"src": "batch"}) == 4
        found = ts.query("s", T0, T0 + 3)
        assert found == [
            Point(T0, 1.0, {"src": "batch"}),
            Point(T0 + 1, 2.0, {"src": "batch"}),
            Point(T0 + 2, 3.0, {"own": "yes"}),
            Point(T0 + 3, 4.0, {"src": "batch"}),
        ]
        assert ts.insert_many("s", []) == 0

    def test_duplicate_timestamp_last_write_wins(self) -> None:
        ts = self.series()
        ts.insert("s", T0, 1.0, labels={"v": "first"})
        ts.insert("s", T0, 2.0, labels={"v": "second"})
        assert ts.query("s", T0 - 1, T0 + 1) == [Point(T0, 2.0, {"v": "second"})]
        assert ts.query("s", T0, T0, labels={"v": "first"}) == []
        ts.insert_many("s", [(T0 + 5, 1.0), (T0 + 5, 7.0), (T0, 3.0)])
        assert _pairs(ts.query("s", T0, T0 + 5)) == [(T0, 3.0), (T0 + 5, 7.0)]

    def test_duplicates_at_one_instant_in_any_form_keep_the_last(self) -> None:
        # The same instant as a float and as a datetime is one timestamp; within one
        # insert_many the later duplicate wins, whatever the order of the other points.
        ts = self.series()
        instant = datetime.fromtimestamp(T0 + 7, UTC)
        ts.insert_many(
            "s",
            [(T0 + 9, 9.0), (T0 + 7, 1.0), (T0 + 3, 3.0), (instant, 2.0), (T0 + 9, 8.0)],
        )
        ts.insert("s", T0 + 3, 4.0, labels={"v": "late"})
        assert ts.query("s", T0, T0 + 10) == [
            Point(T0 + 3, 4.0, {"v": "late"}),
            Point(T0 + 7, 2.0),
            Point(T0 + 9, 8.0),
        ]

    def test_out_of_order_inserts_are_returned_sorted(self) -> None:
        ts = self.series()
        offsets = list(range(200))
        random.Random(7).shuffle(offsets)
        for i in offsets:
            ts.insert("s", T0 + i, float(i))
        ts.insert_many("s", [(T0 - 1.5, -1.5), (T0 + 99.5, 99.5), (T0 - 3, -3.0)])
        found = _pairs(ts.query("s", T0 - 10, T0 + 300))
        expected = sorted(
            [(T0 + i, float(i)) for i in offsets]
            + [(T0 - 1.5, -1.5), (T0 + 99.5, 99.5), (T0 - 3, -3.0)]
        )
        assert found == expected

    def test_datetime_timestamps(self) -> None:
        ts = self.series()
        aware = datetime.fromtimestamp(T0, UTC)
        naive_utc = datetime(2023, 11, 14, 22, 0, 10)  # T0 + 10, taken as UTC
        ts.insert("s", aware, 1.0)
        ts.insert("s", naive_utc, 2.0)
        assert _pairs(ts.query("s", aware, aware + timedelta(seconds=10))) == [
            (T0, 1.0),
            (T0 + 10, 2.0),
        ]

    def test_fractional_and_negative_values_round_trip(self) -> None:
        ts = self.series()
        values = [0.1, -0.0, 1e-300, -1e300, 123456789.123456789, 2**53 + 0.0]
        for i, value in enumerate(values):
            ts.insert("s", T0 + i + 0.125, value)
        assert [p.value for p in ts.query("s", T0, T0 + 10)] == values

    def test_missing_series_is_empty(self) -> None:
        ts = self.series()
        assert ts.query("never-written", 0, FAR) == []

    def test_series_are_separate(self) -> None:
        ts = self.series()
        ts.insert("a", T0, 1.0)
        ts.insert("b", T0, 2.0)
        assert _pairs(ts.query("a", 0, FAR)) == [(T0, 1.0)]
        assert _pairs(ts.query("b", 0, FAR)) == [(T0, 2.0)]

    def test_bad_names_rejected_before_io(self) -> None:
        ts = self.series()
        for name in BAD_NAMES:
            for call in (
                partial(ts.insert, name, T0, 1.0),
                partial(ts.insert_many, name, [(T0, 1.0)]),
                partial(ts.query, name, 0, FAR),
            ):
                with pytest.raises(prism.InvalidArgumentError):
                    call()

    @pytest.mark.parametrize(
        ("timestamp", "value", "labels"),
        [
            pytest.param("2024-01-01", 1.0, None, id="str-timestamp"),
            pytest.param(float("nan"), 1.0, None, id="nan-timestamp"),
            pytest.param(None, 1.0, None, id="none-timestamp"),
            pytest.param(T0, float("nan"), None, id="nan-value"),
            pytest.param(T0, float("inf"), None, id="inf-value"),
            pytest.param(T0, "1.0", None, id="str-value"),
            pytest.param(T0, True, None, id="bool-value"),
            pytest.param(T0, 1.0, {"host": 1}, id="non-str-label"),
            pytest.param(T0, 1.0, {"": "x"}, id="empty-label-name"),
        ],
    )
    def test_bad_points_rejected(self, timestamp: Any, value: Any, labels: Any) -> None:
        ts = self.series()
        with pytest.raises(prism.InvalidArgumentError):
            ts.insert("s", timestamp, value, labels=labels)
        point: Any = Point(timestamp, value, labels or {})
        with pytest.raises(prism.InvalidArgumentError):
            ts.insert_many("s", [(T0 - 1, 0.0), point])
        assert ts.query("s", 0, FAR) == []

    def test_insert_many_is_validated_whole_before_any_write(self) -> None:
        ts = self.series()
        for bad in ([(T0, 1.0), (T0 + 1, "x")], [(T0, 1.0), (T0 + 1,)], [(T0, 1.0), 5.0]):
            with pytest.raises(prism.InvalidArgumentError):
                ts.insert_many("s", bad)
        with pytest.raises(prism.InvalidArgumentError):
            ts.insert_many("s", [(T0, 1.0)], labels={"k": 2})
        assert ts.query("s", 0, FAR) == []

    @pytest.mark.parametrize("name", UNICODE_NAMES)
    def test_unicode_series_and_labels(self, name: str) -> None:
        ts = self.series()
        ts.insert(name, T0, 1.0, labels={"städt": "東京 🙂"})
        assert ts.query(name, T0, T0, labels={"städt": "東京 🙂"}) == [
            Point(T0, 1.0, {"städt": "東京 🙂"})
        ]

    def test_namespaces_are_isolated(self) -> None:
        a = self.series()
        b = self.series()
        a.insert("shared", T0, 1.0)
        assert b.query("shared", 0, FAR) == []
        b.insert("shared", T0, 2.0)
        assert _pairs(a.query("shared", 0, FAR)) == [(T0, 1.0)]

    def test_100_concurrent_inserts_all_land(self) -> None:
        ts = self.series()
        run_concurrently([partial(ts.insert, "hot", T0 + i, float(i)) for i in range(100)])
        assert _pairs(ts.query("hot", 0, FAR)) == [(T0 + i, float(i)) for i in range(100)]


class TimeSeriesAggregationSuite(_TimeSeriesSuite, interface="timeseries_aggregation"):
    def _random_series(self, ts: Any, name: str = "s") -> list[tuple[float, float]]:
        """~400 points at irregular times over two hours, with gaps of empty buckets."""
        rng = random.Random(2024)
        points: list[tuple[float, float]] = []
        t = T0 + 7.25
        while len(points) < 400:
            t += rng.choice([0.5, 1.0, 3.75, 12.0, 30.0, 600.0])
            points.append((t, round(rng.uniform(-1000, 1000), 3)))
        ts.insert_many(name, points)
        return points

    @pytest.mark.parametrize("fn", FUNCTIONS)
    def test_each_function_against_a_python_reference(self, fn: str) -> None:
        ts = self.series()
        points = self._random_series(ts)
        for bucket in (60.0, 300.0, 7.0):
            found = ts.aggregate("s", T0, FAR, bucket, fn)
            expected = _reference(points, bucket, fn)
            assert [p.timestamp for p in found] == [t for t, _ in expected], (fn, bucket)
            values = [p.value for p in found]
            if fn in ("sum", "avg"):
                assert values == pytest.approx([v for _, v in expected], rel=1e-12, abs=1e-9)
            else:
                assert values == [v for _, v in expected], (fn, bucket)

    def test_range_is_inclusive_and_limits_the_points(self) -> None:
        ts = self.series()
        points = self._random_series(ts)
        start, end = points[50][0], points[300][0]
        inside = [(t, v) for t, v in points if start <= t <= end]
        for fn in ("count", "sum", "first", "last"):
            found = ts.aggregate("s", start, end, 300, fn)
            expected = _reference(inside, 300, fn)
            assert [p.timestamp for p in found] == [t for t, _ in expected]
            assert [p.value for p in found] == pytest.approx([v for _, v in expected], rel=1e-12)

    def test_empty_buckets_are_omitted_and_buckets_align_to_the_epoch(self) -> None:
        ts = self.series()
        base = T0 + 3  # not a multiple of the bucket
        ts.insert_many("s", [(base, 1.0), (base + 5, 2.0), (base + 125, 4.0)])
        found = ts.aggregate("s", base, base + 200, 60, "sum")
        assert found == [Point(T0, 3.0), Point(T0 + 120, 4.0)]
        assert all(not p.labels for p in found)

    def test_points_on_bucket_boundaries(self) -> None:
        # Buckets are [k * bucket, (k + 1) * bucket): a point exactly on a boundary opens the
        # next bucket; one float step before it closes the previous one.  Inserted unsorted.
        ts = self.series()
        base = math.floor(T0 / 60) * 60 + 600
        edge = base + 60
        points = [
            (edge, 2.0),
            (base + 30, 1.0),
            (edge + 60, 4.0),
            (math.nextafter(edge, -math.inf), 1.5),
            (base, 0.5),
            (edge + 59.5, 3.0),
        ]
        ts.insert_many("s", points)
        assert _pairs(ts.aggregate("s", base, edge + 60, 60, "count")) == [
            (base, 3.0),
            (edge, 2.0),
            (edge + 60, 1.0),
        ]
        assert _pairs(ts.aggregate("s", base, edge + 60, 60, "first")) == [
            (base, 0.5),
            (edge, 2.0),
            (edge + 60, 4.0),
        ]
        assert _pairs(ts.aggregate("s", base, edge + 60, 60, "last")) == [
            (base, 1.5),
            (edge, 3.0),
            (edge + 60, 4.0),
        ]
        # Range ends are inclusive, exactly: [edge, edge + 60] holds the boundary points.
        assert _pairs(ts.aggregate("s", edge, edge + 60, 60, "sum")) == [
            (edge, 5.0),
            (edge + 60, 4.0),
        ]

    def test_first_and_last_follow_time_not_insert_order(self) -> None:
        ts = self.series()
        base = math.floor(T0 / 300) * 300
        ts.insert("s", base + 200, 2.0)
        ts.insert("s", base + 10, 1.0)
        ts.insert("s", base + 299, 3.0)
        ts.insert("s", base + 100, 9.0)
        ts.insert_many("s", [(base + 250, 5.0), (base + 5, 0.0), (base + 150, 6.0)])
        assert _pairs(ts.aggregate("s", base, base + 299, 300, "first")) == [(base, 0.0)]
        assert _pairs(ts.aggregate("s", base, base + 299, 300, "last")) == [(base, 3.0)]

    def test_bucket_as_timedelta_and_count_is_float(self) -> None:
        ts = self.series()
        ts.insert_many("s", [(T0 + i, float(i)) for i in range(10)])
        found = ts.aggregate("s", T0, T0 + 9, timedelta(seconds=5), "count")
        assert found == [Point(T0, 5.0), Point(T0 + 5, 5.0)]
        assert all(type(p.value) is float for p in found)

    def test_missing_series_or_empty_range_gives_nothing(self) -> None:
        ts = self.series()
        ts.insert("s", T0, 1.0)
        assert ts.aggregate("nothing", 0, FAR, 60, "sum") == []
        assert ts.aggregate("s", T0 + 1, T0 + 100, 60, "count") == []

    def test_rollup_then_query_the_destination(self) -> None:
        ts = self.series()
        points = self._random_series(ts)
        written = ts.rollup("s", "s:5m", T0, FAR, 300, "avg")
        expected = _reference(points, 300, "avg")
        assert written == len(expected)
        found = ts.query("s:5m", 0, FAR)
        assert [p.timestamp for p in found] == [t for t, _ in expected]
        assert [p.value for p in found] == pytest.approx([v for _, v in expected], rel=1e-12)
        assert _pairs(ts.query("s", 0, FAR)) == points  # the source is untouched
        assert ts.rollup("s", "s:5m", T0, FAR, 300, "avg") == written  # replaces
        assert len(ts.query("s:5m", 0, FAR)) == written

    def test_bad_arguments_rejected(self) -> None:
        ts = self.series()
        for fn in ("median", "", None, "SUM"):
            with pytest.raises(prism.InvalidArgumentError):
                ts.aggregate("s", T0, FAR, 60, fn)
        for bucket in (0, -60, float("nan"), "60", None):
            with pytest.raises(prism.InvalidArgumentError):
                ts.aggregate("s", T0, FAR, bucket, "sum")
            with pytest.raises(prism.InvalidArgumentError):
                ts.rollup("s", "d", T0, FAR, bucket, "sum")
        for name in BAD_NAMES:
            with pytest.raises(prism.InvalidArgumentError):
                ts.aggregate(name, T0, FAR, 60, "sum")
            with pytest.raises(prism.InvalidArgumentError):
                ts.rollup("s", name, T0, FAR, 60, "sum")

    def test_unicode_series(self) -> None:
        ts = self.series()
        ts.insert_many("温度", [(T0, 1.0), (T0 + 1, 3.0)])
        assert ts.rollup("温度", "温度:🙂", T0, T0 + 1, 60, "avg") == 1
        assert ts.query("温度:🙂", 0, FAR) == [Point(T0, 2.0)]

    def test_namespaces_are_isolated(self) -> None:
        a = self.series()
        b = self.series()
        a.insert("s", T0, 1.0)
        assert b.aggregate("s", 0, FAR, 60, "count") == []
        a.rollup("s", "d", 0, FAR, 60, "sum")
        assert b.query("d", 0, FAR) == []

    def test_concurrent_inserts_are_all_aggregated(self) -> None:
        ts = self.series()
        run_concurrently([partial(ts.insert, "s", T0 + i, 1.0) for i in range(100)])
        assert ts.aggregate("s", T0, FAR, 3600, "sum") == [Point(T0, 100.0)]


class TimeSeriesRetentionSuite(_TimeSeriesSuite, interface="timeseries_retention"):
    def test_set_and_get_retention(self) -> None:
        ts = self.series()
        assert ts.get_retention("s") is None
        ts.set_retention("s", 3600)
        assert ts.get_retention("s") == 3600.0
        ts.set_retention("s", timedelta(minutes=1, seconds=30))
        assert ts.get_retention("s") == 90.0
        assert ts.get_retention("other") is None
        ts.set_retention("s", None)
        assert ts.get_retention("s") is None

    def test_compact_removes_older_points_and_keeps_newer(self) -> None:
        ts = self.series()
        now = self.now()
        ages = [5000.0, 1000.0, 400.0, 200.0, 50.0, 5.0]
        ts.insert_many("s", [(now - age, age) for age in ages])
        ts.set_retention("s", 300)
        assert ts.compact("s") == 3
        assert [p.value for p in ts.query("s", 0, FAR)] == [200.0, 50.0, 5.0]
        assert ts.compact("s") == 0
        assert [p.value for p in ts.query("s", 0, FAR)] == [200.0, 50.0, 5.0]

    def test_points_age_out_as_time_passes(self) -> None:
        ts = self.series()
        now = self.now()
        ts.insert_many("s", [(now - 59.0, 1.0), (now - 20.0, 2.0), (now + 3600.0, 3.0)])
        ts.set_retention("s", 60)
        assert ts.compact("s") == 0
        self.advance(1.5)
        assert ts.compact("s") == 1
        assert [p.value for p in ts.query("s", 0, FAR)] == [2.0, 3.0]

    def test_a_point_exactly_max_age_old_is_kept(self) -> None:
        # ``now - timestamp > max_age`` is gone; equal is kept.
        if not self.has_clock:
            pytest.skip("the exact instant needs the injected clock (real time cannot stop on it)")
        ts = self.series()
        now = self.now()
        ts.insert_many(
            "s",
            [(now - 300 + 2**-10, 3.0), (now - 300, 2.0), (now - 300 - 2**-10, 1.0)],
        )
        ts.set_retention("s", 300)
        assert ts.compact("s") == 1
        assert [p.value for p in ts.query("s", 0, FAR)] == [2.0, 3.0]
        self.advance(2**-10)
        assert ts.compact("s") == 1
        assert [p.value for p in ts.query("s", 0, FAR)] == [3.0]

    def test_compact_without_retention_removes_nothing(self) -> None:
        ts = self.series()
        now = self.now()
        ts.insert_many("s", [(now - 10**6, 1.0), (now, 2.0)])
        assert ts.compact("s") == 0
        ts.set_retention("s", 10)
        ts.set_retention("s", None)
        assert ts.compact("s") == 0
        assert len(ts.query("s", 0, FAR)) == 2
        assert ts.compact("never-written") == 0

    def test_retention_is_per_series(self) -> None:
        ts = self.series()
        now = self.now()
        for name in ("short", "long"):
            ts.insert_many(name, [(now - 1000, 1.0), (now - 1, 2.0)])
        ts.set_retention("short", 100)
        ts.set_retention("long", 10_000)
        assert ts.compact("short") == 1
        assert ts.compact("long") == 0
        assert len(ts.query("long", 0, FAR)) == 2

    def test_bad_arguments_rejected(self) -> None:
        ts = self.series()
        for max_age in (-1, float("nan"), float("inf"), "60", True):
            with pytest.raises(prism.InvalidArgumentError):
                ts.set_retention("s", max_age)
        assert ts.get_retention("s") is None
        for name in BAD_NAMES:
            for call in (
                partial(ts.set_retention, name, 60),
                partial(ts.get_retention, name),
                partial(ts.compact, name),
            ):
                with pytest.raises(prism.InvalidArgumentError):
                    call()

    def test_unicode_series(self) -> None:
        ts = self.series()
        ts.set_retention("指标🙂", 60)
        assert ts.get_retention("指标🙂") == 60.0

    def test_namespaces_are_isolated(self) -> None:
        a = self.series()
        b = self.series()
        now = self.now()
        a.set_retention("s", 60)
        assert b.get_retention("s") is None
        b.insert_many("s", [(now - 1000, 1.0)])
        assert a.compact("s") == 0
        assert len(b.query("s", 0, FAR)) == 1

    def test_compact_concurrent_with_inserts_loses_no_new_point(self) -> None:
        ts = self.series()
        now = self.now()
        ts.insert_many("s", [(now - 1000 - i, 0.0) for i in range(50)])
        ts.set_retention("s", 300)
        calls: list[Any] = [partial(ts.insert, "s", now - i * 0.01, 1.0) for i in range(50)]
        calls += [partial(ts.compact, "s") for _ in range(5)]
        run_concurrently(calls)
        ts.compact("s")
        assert [p.value for p in ts.query("s", 0, FAR)] == [1.0] * 50


class TimeSeriesInterpolationSuite(_TimeSeriesSuite, interface="timeseries_interpolation"):
    def test_linear_between_two_points_is_exact(self) -> None:
        ts = self.series()
        ts.insert_many("s", [(T0, 10.0), (T0 + 10, 20.0)])
        found = ts.interpolate("s", [T0 + 2.5, T0 + 5, T0 + 7.5, T0 + 1])
        assert found == [12.5, 15.0, 17.5, 11.0]

    def test_stored_timestamps_give_the_stored_value_exactly(self) -> None:
        ts = self.series()
        points = [(T0, 0.1), (T0 + 3, 0.7), (T0 + 4, 1 / 3), (T0 + 9, -2.2)]
        ts.insert_many("s", points)
        for method in ("linear", "step"):
            found = ts.interpolate("s", [t for t, _ in points], method=method)
            assert found == [v for _, v in points]

    def test_step_carries_the_last_value(self) -> None:
        ts = self.series()
        ts.insert_many("s", [(T0, 1.0), (T0 + 10, 2.0), (T0 + 20, 3.0)])
        found = ts.interpolate(
            "s", [T0 + 0.001, T0 + 9.999, T0 + 10, T0 + 15, T0 + 25, T0 + 10_000], method="step"
        )
        assert found == [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]

    def test_before_the_first_point_is_none_and_after_the_last_linear_is_none(self) -> None:
        ts = self.series()
        ts.insert_many("s", [(T0, 1.0), (T0 + 10, 2.0)])
        assert ts.interpolate("s", [T0 - 0.001, T0 + 10.5], method="linear") == [None, None]
        assert ts.interpolate("s", [T0 - 100], method="step") == [None]

    def test_irregular_spacing(self) -> None:
        ts = self.series()
        ts.insert_many("s", [(T0, 0.0), (T0 + 1, 10.0), (T0 + 4, 40.0), (T0 + 10, -20.0)])
        at = [T0 + 0.5, T0 + 2, T0 + 3, T0 + 7, T0 + 8.5]
        assert ts.interpolate("s", at) == [5.0, 20.0, 30.0, 10.0, -5.0]
        assert ts.interpolate("s", at, method="step") == [0.0, 10.0, 10.0, 40.0, 40.0]

    def test_random_series_against_the_formula(self) -> None:
        ts = self.series()
        rng = random.Random(11)
        times = sorted(rng.sample(range(100_000), 200))
        points = [(T0 + t / 8, rng.uniform(-50, 50)) for t in times]
        ts.insert_many("s", points)
        at = [T0 + rng.uniform(-10, 12_600) for _ in range(300)]
        found = ts.interpolate("s", at)
        for t, value in zip(at, found, strict=True):
            before = [p for p in points if p[0] <= t]
            after = [p for p in points if p[0] >= t]
            if not before or not after:
                assert value is None, t
                continue
            (t0, v0), (t1, v1) = before[-1], after[0]
            expected = v0 if t0 == t1 else v0 + (v1 - v0) * (t - t0) / (t1 - t0)
            assert value == pytest.approx(expected, rel=1e-9, abs=1e-9), t

    def test_results_follow_the_order_given(self) -> None:
        ts = self.series()
        ts.insert_many("s", [(T0, 0.0), (T0 + 10, 100.0)])
        at: list[Any] = [T0 + 9, T0 + 1, T0 - 1, T0 + 9, datetime.fromtimestamp(T0 + 5, UTC)]
        assert ts.interpolate("s", at) == [90.0, 10.0, None, 90.0, 50.0]
        assert ts.interpolate("s", []) == []

    def test_overwritten_point_is_used(self) -> None:
        ts = self.series()
        ts.insert_many("s", [(T0, 0.0), (T0 + 10, 100.0)])
        ts.insert("s", T0 + 10, 200.0)
        assert ts.interpolate("s", [T0 + 5]) == [100.0]

    def test_missing_series_gives_none(self) -> None:
        ts = self.series()
        assert ts.interpolate("nothing", [T0, T0 + 1], method="step") == [None, None]

    def test_bad_arguments_rejected(self) -> None:
        ts = self.series()
        ts.insert("s", T0, 1.0)
        for method in ("cubic", "", None, "LINEAR"):
            with pytest.raises(prism.InvalidArgumentError):
                ts.interpolate("s", [T0], method=method)
        for at in (["now"], [T0, None], [float("nan")], "abc", T0):
            with pytest.raises(prism.InvalidArgumentError):
                ts.interpolate("s", at)
        for name in BAD_NAMES:
            with pytest.raises(prism.InvalidArgumentError):
                ts.interpolate(name, [T0])

    def test_unicode_series(self) -> None:
        ts = self.series()
        ts.insert_many("🙂 séries", [(T0, 0.0), (T0 + 4, 1.0)])
        assert ts.interpolate("🙂 séries", [T0 + 1]) == [0.25]

    def test_namespaces_are_isolated(self) -> None:
        a = self.series()
        b = self.series()
        a.insert_many("s", [(T0, 0.0), (T0 + 4, 1.0)])
        assert b.interpolate("s", [T0 + 1]) == [None]

    def test_concurrent_inserts_then_interpolate(self) -> None:
        ts = self.series()
        run_concurrently([partial(ts.insert, "s", T0 + 2 * i, float(2 * i)) for i in range(100)])
        assert ts.interpolate("s", [T0 + 2 * i + 1 for i in range(99)]) == [
            float(2 * i + 1) for i in range(99)
        ]
