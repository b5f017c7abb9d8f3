"""clickhouse timeseries on the chdb transport against raw chdb on the same engine, same run.

Three workloads, each timed for prism (sync flavour) and for raw chdb doing the same work on a
table of the same schema (created by prism, so both sides pay ReplacingMergeTree and ``FINAL``):

* insert 1,000,000 points in batches of 100,000 (prism: ``insert_many`` of ``(timestamp,
  value)`` tuples with labels; raw: the same values as Python lists, sent as one Arrow stream
  per batch, which is how prism sends them);
* aggregate all of them into 1-minute buckets (``avg``);
* a range query of 10,000 points with a label filter.

Run: python -m benchmarks.bench_clickhouse [N]    (N points, default 1,000,000)
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import prism
from prism.backends.clickhouse._core import _ChdbEngine, quote
from prism.backends.clickhouse._ops import timeseries as ops

T0 = 1_699_999_200.0
BATCH = 100_000
ROUNDS = 5


def best(a: Callable[[], Any], b: Callable[[], Any]) -> tuple[float, float]:
    """The best of ``ROUNDS`` timings (seconds) of ``a`` and of ``b``, taken alternately so
    that a change in the machine's load hits both sides alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(ROUNDS):
        for fn, out in ((a, times[0]), (b, times[1])):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    folder = tempfile.mkdtemp(prefix="bench-ch-")
    cfg = {"backends": {"ch": {"type": "clickhouse", "connection": f"chdb://{folder}/db"}},
           "default_backend": "ch"}  # fmt: skip
    labels = {"host": "web-1", "region": "eu"}
    with prism.open("bench_prism", config=cfg) as ns, prism.open("bench_raw", config=cfg) as rns:
        ts: Any = ns.timeseries
        rns.timeseries.insert("warm", T0, 0.0)  # creates the raw side's tables
        engine = _ChdbEngine.current
        assert engine is not None
        raw_table = quote(ops.table_names("bench_raw")[0])

        def prism_insert() -> None:
            for lo in range(0, n, BATCH):
                ts.insert_many(
                    "cpu",
                    [(T0 + i * 0.5, float(i % 1000)) for i in range(lo, min(n, lo + BATCH))],
                    labels=labels,
                )

        def raw_insert() -> None:
            for lo in range(0, n, BATCH):
                idx = range(lo, min(n, lo + BATCH))
                engine_transport.insert(
                    raw_table,
                    ops.POINT_COLUMNS,
                    ops.POINT_TYPES,
                    [
                        ["cpu"] * len(idx),
                        [T0 + i * 0.5 for i in idx],
                        [float(i % 1000) for i in idx],
                        [labels] * len(idx),
                        [1] * len(idx),
                    ],
                )

        from prism.backends.clickhouse._config import parse_config
        from prism.backends.clickhouse._core import ChdbTransport

        engine_transport = ChdbTransport(parse_config("clickhouse", f"chdb://{folder}/db", {}))
        session = engine.session

        def raw_query(sql: str, **params: Any) -> list[Any]:
            with engine.call_lock:
                table = session.query(sql, "ArrowTable", params=params)
            return [c.to_pylist() for c in table.columns]

        points_table = quote(ops.table_names("bench_prism")[0])

        def optimize() -> None:
            # merge both tables fully, so FINAL reads the same number of parts on each side
            with engine.call_lock:
                for table in (points_table, raw_table):
                    session.query(f"OPTIMIZE TABLE {table} FINAL")

        end = T0 + (n - 1) * 0.5
        agg_sql = (
            f"SELECT bucket, avg(value) FROM (SELECT ts, value, floor(ts / 60) * 60 AS lower, "
            f"if(lower > ts, lower - 60, lower) AS bucket FROM {raw_table} FINAL "
            "WHERE series = {s:String} AND ts >= {a:Float64} AND ts <= {b:Float64}) "
            "GROUP BY bucket ORDER BY bucket"
        )
        lo_q, hi_q = T0 + n * 0.25, T0 + n * 0.25 + 4999.5
        range_sql = (
            f"SELECT ts, value, labels FROM {raw_table} FINAL WHERE series = {{s:String}} AND "
            "ts >= {a:Float64} AND ts <= {b:Float64} AND mapContains(labels, {k:String}) "
            "AND labels[{k:String}] = {v:String} ORDER BY ts"
        )
        rows: list[tuple[str, float, float, str]] = []
        p, r = best(prism_insert, raw_insert)
        rows.append(("insert (points/s)", n / p, n / r, f"{p / r:.2f}"))
        optimize()
        buckets = len(ts.aggregate("cpu", T0, end, 60, "avg"))
        assert buckets == len(raw_query(agg_sql, s="cpu", a=T0, b=end)[0])
        p, r = best(
            lambda: ts.aggregate("cpu", T0, end, 60, "avg"),
            lambda: raw_query(agg_sql, s="cpu", a=T0, b=end),
        )
        rows.append(("aggregate 1-min (points/s)", n / p, n / r, f"{p / r:.2f}"))
        got = ts.query("cpu", lo_q, hi_q, labels={"region": "eu"})
        assert len(got) == len(raw_query(range_sql, s="cpu", a=lo_q, b=hi_q, k="region", v="eu")[0])
        p, r = best(
            lambda: ts.query("cpu", lo_q, hi_q, labels={"region": "eu"}),
            lambda: raw_query(range_sql, s="cpu", a=lo_q, b=hi_q, k="region", v="eu"),
        )
        rows.append((f"range query {len(got)} points (points/s)", len(got) / p, len(got) / r,
                     f"{p / r:.2f}"))  # fmt: skip
        engine_transport.close()
    print(f"chdb {n:,} points, best of {ROUNDS}; ratio = prism time / raw time")
    print(f"{'workload':40} {'prism':>14} {'raw chdb':>14} {'ratio':>6}")
    for name, prism_rate, raw_rate, ratio in rows:
        print(f"{name:40} {prism_rate:14,.0f} {raw_rate:14,.0f} {ratio:>6}")


if __name__ == "__main__":
    main()
