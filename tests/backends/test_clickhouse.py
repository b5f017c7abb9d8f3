"""The clickhouse backend beyond the compliance suites.

chdb transport (the engine in this process): what lands in the documented schema, read back
with a raw chdb query; one engine shared by sync and async backends; concurrent calls; quoting;
configuration errors; the schema version.

Native transport against Debian's clickhouse-server 18.16 (2018), started by the harness as its
own process: what that server can do -- connect, authentication failure, unknown database,
typed columnar insert and select, error translation, and the clear refusal of the timeseries
schema it is too old for.  With ``PRISM_TEST_CLICKHOUSE_URL`` the compliance suites run on a
current server instead (see docs/backends/clickhouse.md).
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import prism
from prism.backends.clickhouse import _testing
from prism.backends.clickhouse._config import parse_config
from prism.backends.clickhouse._core import Core, _ChdbEngine
from prism.backends.clickhouse._ops import timeseries as ops
from prism.errors import BackendUnavailableError, ConfigurationError, PrismError
from prism.types import Point

T0 = 1_699_999_200.0


def config(connection: str, **options: Any) -> dict[str, Any]:
    return {
        "backends": {"ch": {"type": "clickhouse", "connection": connection, "options": options}},
        "default_backend": "ch",
    }


@pytest.fixture(scope="module")
def chdb_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The process's chdb path: the one already open if there is one (one engine per process),
    else a new directory."""
    engine = _ChdbEngine.current
    if engine is not None:
        return f"chdb://{engine.path}"
    return f"chdb://{tmp_path_factory.mktemp('chdb') / 'db'}"


def fresh(stem: str = "ns") -> str:
    return f"{stem}_{uuid.uuid4().hex[:10]}"


def raw(sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Rows of a raw chdb query on the process's engine (prism's own lock held)."""
    engine = _ChdbEngine.current
    assert engine is not None
    with engine.call_lock:
        table = engine.session.query(sql, "ArrowTable", params=params)
    return list(zip(*(c.to_pylist() for c in table.columns), strict=True))


# ----- what prism writes, read with a raw chdb query in the documented schema --------------------


def test_raw_chdb_reads_what_prism_wrote(chdb_url: str) -> None:
    name = fresh("raw")
    with prism.open(name, config=config(chdb_url)) as ns:
        ns.timeseries.insert_many(
            "cpu", [(T0 + 2, 3.5), (T0, 1.25), (T0 + 1, 2.0)], labels={"host": "a"}
        )
        ns.timeseries.insert("cpu", T0 + 1, 9.0, labels={"host": "b"})  # replaces T0 + 1
        points, retention = ops.table_names(name)
        assert points == f"prism_ts_{name}_points"
        rows = raw(f"SELECT series, ts, value, labels FROM `{points}` FINAL ORDER BY ts")
        assert rows == [
            ("cpu", T0, 1.25, [("host", "a")]),
            ("cpu", T0 + 1, 9.0, [("host", "b")]),
            ("cpu", T0 + 2, 3.5, [("host", "a")]),
        ]
        ((engine, key, comment),) = raw(
            "SELECT engine, sorting_key, comment FROM system.tables "
            "WHERE database = currentDatabase() AND name = {t:String}",
            t=points,
        )
        assert (engine, key, comment) == ("ReplacingMergeTree", "series, ts", ops.POINTS_COMMENT)
        ns.timeseries.set_retention("cpu", 60)
        assert raw(f"SELECT series, max_age FROM `{retention}` FINAL") == [("cpu", 60.0)]


def test_aggregation_runs_in_sql_and_matches_a_raw_group_by(chdb_url: str) -> None:
    with prism.open(fresh(), config=config(chdb_url)) as ns:
        ts = ns.timeseries
        ts.insert_many("s", [(T0 + i * 7.5, float(i % 11)) for i in range(200)])
        points, _ = ops.table_names(ns.name)
        expected = raw(
            "SELECT intDiv(toInt64(ts), 60) * 60 AS b, max(value) FROM "
            f"`{points}` FINAL WHERE series = 's' GROUP BY b ORDER BY b"
        )
        assert [(p.timestamp, p.value) for p in ts.aggregate("s", 0, 4e9, 60, "max")] == [
            (float(b), v) for b, v in expected
        ]


def test_sync_and_async_backends_share_the_one_engine(chdb_url: str) -> None:
    name = fresh("shared")

    async def async_side() -> list[Point]:
        async with await prism.open_async(name, config=config(chdb_url)) as ans:
            await ans.timeseries.insert("s", T0 + 1, 2.0)
            return await ans.timeseries.query("s", 0, 4e9)

    with prism.open(name, config=config(chdb_url)) as ns:
        ns.timeseries.insert("s", T0, 1.0)
        seen = asyncio.run(async_side())
        assert [p.value for p in seen] == [1.0, 2.0]
        assert [p.value for p in ns.timeseries.query("s", 0, 4e9)] == [1.0, 2.0]


def test_another_chdb_path_is_refused_while_the_engine_is_in_use(
    chdb_url: str, tmp_path: Path
) -> None:
    with prism.open(fresh(), config=config(chdb_url)) as ns:
        ns.timeseries.insert("s", T0, 1.0)
        with pytest.raises(ConfigurationError, match="one engine per process"):
            prism.open(fresh(), config=config(f"chdb://{tmp_path / 'other'}"))


def test_concurrent_threads_are_serialized_safely(chdb_url: str) -> None:
    # chdb's session mixes up two threads' query parameters; every call holds the engine lock
    with prism.open(fresh(), config=config(chdb_url)) as ns:
        ts = ns.timeseries
        errors: list[BaseException] = []

        def work(k: int) -> None:
            try:
                for i in range(25):
                    ts.insert(f"s{k}", T0 + i, float(k))
                    assert [p.value for p in ts.query(f"s{k}", T0 + i, T0 + i)] == [float(k)]
            except BaseException as exc:  # noqa: BLE001 (collected, asserted below)
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert [len(ts.query(f"s{k}", 0, 4e9)) for k in range(4)] == [25] * 4


@pytest.mark.parametrize(
    "name", ["a`b", "t\tn\nl\\", "x'); DROP TABLE t; --", "ns with space é", "x" * 200]
)
def test_namespace_and_series_metacharacters_are_quoted(chdb_url: str, name: str) -> None:
    with prism.open(name, config=config(chdb_url)) as ns:
        ns.timeseries.insert(name, T0, 1.0, labels={"k'`\\": "v'`\\"})
        assert ns.timeseries.query(name, 0, 4e9, labels={"k'`\\": "v'`\\"}) == [
            Point(T0, 1.0, {"k'`\\": "v'`\\"})
        ]
        points, _ = ops.table_names(name)
        assert points.startswith("prism_ts_h") and len(points) == len("prism_ts_h") + 32 + 7


def test_a_label_filter_with_an_empty_value_needs_the_key(chdb_url: str) -> None:
    with prism.open(fresh(), config=config(chdb_url)) as ns:
        ns.timeseries.insert("s", T0, 1.0)
        ns.timeseries.insert("s", T0 + 1, 2.0, labels={"k": ""})
        assert [p.value for p in ns.timeseries.query("s", 0, 4e9, labels={"k": ""})] == [2.0]


def test_ttl_option_gives_the_points_table_a_ttl(chdb_url: str) -> None:
    with prism.open(fresh(), config=config(chdb_url, ttl=86400)) as ns:
        ns.timeseries.insert("s", T0, 1.0)
        points, _ = ops.table_names(ns.name)
        ((ddl,),) = raw(f"SHOW CREATE TABLE `{points}`")
        assert "TTL toDateTime(toUInt32(least(floor(ts) + 1" in ddl
        assert "toIntervalSecond(86400)" in ddl


def test_a_table_of_another_schema_version_is_refused(chdb_url: str) -> None:
    name = fresh("old")
    points, _ = ops.table_names(name)
    with prism.open(name, config=config(chdb_url)) as ns:
        raw(f"CREATE TABLE `{points}` (x UInt8) ENGINE = MergeTree ORDER BY x COMMENT 'v0'")
        with pytest.raises(ConfigurationError, match="not prism's timeseries schema v1"):
            ns.timeseries.insert("s", T0, 1.0)


@pytest.mark.parametrize(
    ("connection", "options", "match"),
    [
        ("redis://localhost", {}, "neither"),
        ("chdb://", {}, "names a path"),
        ("clickhouse://u:hunter2@:9000/db", {}, "names a host"),
        ("clickhouse://u:hunter2@h:99999/db", {}, "port"),
        ("chdb://:memory:", {"nope": 1}, "unknown clickhouse option"),
        ("chdb://:memory:", {"ttl": 0}, "'ttl'"),
        ("chdb://:memory:", {"workers": 0}, "'workers'"),
        ("chdb://:memory:", {"settings": ["x"]}, "'settings'"),
    ],
)
def test_bad_configuration_is_refused_without_quoting_secrets(
    connection: str, options: dict[str, Any], match: str
) -> None:
    with pytest.raises(ConfigurationError, match=match) as info:
        parse_config("clickhouse", connection, options)
    assert "hunter2" not in str(info.value)
    assert "hunter2" not in repr(parse_config("clickhouse", "clickhouse://u:hunter2@h/db", {}))


# ----- native transport against Debian's clickhouse-server 18.16 ----------------------------------

native = pytest.mark.skipif(
    not os.access(_testing.DEBIAN_SERVER, os.X_OK),
    reason="Debian's clickhouse-server is not installed (apt-get install clickhouse-server)",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_testing.NativeServer]:
    started = _testing.start_debian_server(tmp_path_factory.mktemp("clickhouse-server"))
    yield started
    started.stop()


@native
def test_native_connects_and_round_trips_typed_columns(server: _testing.NativeServer) -> None:
    core = Core(server.url + "?compression=lz4", {"settings": {"max_threads": 2}})
    core.open()
    try:
        t = core.t
        assert t.modern is False  # 18.16: the timeseries schema is out of reach
        table = f"`t_{uuid.uuid4().hex[:8]}`"
        t.command(f"CREATE TABLE {table} (s String, x Float64, n UInt64) ENGINE = Memory")
        odd = "it's `q` \\ ; DROP"
        t.insert(
            table, ("s", "x", "n"), ("String", "Float64", "UInt64"),
            [[odd, "b"], [T0 + 0.3000001, -1.5], [2**63, 0]],
        )  # fmt: skip
        assert t.query(f"SELECT s, x, n FROM {table} WHERE s = {{s:String}}", {"s": odd}) == [
            [odd], [T0 + 0.3000001], [2**63]
        ]  # fmt: skip
        assert t.query(f"SELECT s FROM {table} WHERE x < {{x:Float64}}", {"x": 0.0}) == [["b"]]
    finally:
        core.close()


@native
def test_native_wrong_password_and_unknown_database_are_configuration_errors(
    server: _testing.NativeServer,
) -> None:
    wrong = f"clickhouse://{server.user}:not-it@127.0.0.1:{server.port}/default"
    with pytest.raises(ConfigurationError, match="check the user") as info:
        prism.open(fresh(), config=config(wrong))
    assert "not-it" not in str(info.value)
    assert isinstance(info.value.__cause__, Exception)
    missing = server.url.rsplit("/", 1)[0] + "/no_such_db"
    with pytest.raises(ConfigurationError, match="check the user"):
        prism.open(fresh(), config=config(missing))


@native
def test_native_refused_connection_is_backend_unavailable(server: _testing.NativeServer) -> None:
    from prism.testing.servers import free_port

    url = f"clickhouse://{server.user}:{server.password}@127.0.0.1:{free_port()}/default"
    with pytest.raises(BackendUnavailableError) as info:
        prism.open(fresh(), config=config(url))
    assert server.password not in str(info.value)


@native
def test_native_server_error_is_translated_and_too_old_schema_is_refused(
    server: _testing.NativeServer,
) -> None:
    core = Core(server.url, {})
    core.open()
    try:
        with pytest.raises(PrismError, match="unexpected ClickHouse error: Code: 60") as info:
            core.run(lambda c: c.t.query("SELECT * FROM no_such_table"))
        assert "Stack trace" not in str(info.value)
        with pytest.raises(ConfigurationError, match="too old for prism's timeseries schema"):
            core.run(ops.insert_many, "n", "s", [Point(T0, 1.0)])
    finally:
        core.close()


@native
def test_native_async_flavour_runs_on_the_worker_bridge(server: _testing.NativeServer) -> None:
    async def main() -> list[list[Any]]:
        core = Core(server.url, {"workers": 2})
        await core.open_async()
        try:
            return await core.run_async(lambda c: c.t.query("SELECT 1 + {n:UInt8}", {"n": 2}))
        finally:
            await core.close_async()

    assert asyncio.run(main()) == [[3]]


# ----- insert_many's columnar validation equals the shared one ----------------------------------


class _Float(float):
    pass


def test_columnar_validation_matches_normalize_points() -> None:
    from datetime import UTC, datetime

    from prism import _series

    good: list[Any] = [
        (T0 + 0.5, 1.0), (int(T0), 2), (-0.0, -0.0), (_Float(T0 + 1), _Float(3.5)),
        (datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), 4.0), (2.5e11, 1e308),
        Point(T0, 5.0, {"own": "x"}), Point(T0 + 2, 6.0),
    ]  # fmt: skip
    expected = _series.normalize_points(good, {"k": "v"})
    times, values, tags = ops.columns(good, {"k": "v"})
    assert times == [p.timestamp for p in expected]
    assert values == [p.value for p in expected]
    assert tags == [dict(p.labels) for p in expected]
    assert [type(t) for t in times] == [float] * len(good)
    for bad in ([(T0, float("inf"))], [(T0, float("nan"))], [(-1.0, 1.0)], [(1e12, 1.0)],
                [(T0, True)], [("1", 1.0)], [(T0, 1.0, 2.0)], "xy", [Point(T0, 1.0, {"": "v"})]):  # fmt: skip
        with pytest.raises(prism.InvalidArgumentError) as shared:
            _series.normalize_points(bad, None)
        with pytest.raises(prism.InvalidArgumentError) as ours:
            ops.columns(bad, None)
        assert str(ours.value) == str(shared.value)
