"""The postgres backend against a real PostgreSQL started by the tests themselves.

A session-scoped server comes from ``prism.backends.postgres._testing`` (or
``PRISM_TEST_POSTGRES_URL`` when set); the restart test starts its own.  Skipped only when
there are neither server binaries nor a URL.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

import prism
from prism.backends.postgres._config import parse_config
from prism.backends.postgres._core import schema_name
from prism.backends.postgres._ops.document import table_name
from prism.backends.postgres._testing import postgres_bindir, start_postgres
from prism.testing.servers import env_url

pytestmark = pytest.mark.skipif(
    postgres_bindir() is None and not env_url("postgres"),
    reason="no PostgreSQL binaries and no PRISM_TEST_POSTGRES_URL",
)


def config(url: str, **options: Any) -> dict[str, Any]:
    return {
        "backends": {"pg": {"type": "postgres", "connection": url, "options": options}},
        "default_backend": "pg",
    }


def fresh(stem: str = "ns") -> str:
    return f"{stem}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    url = env_url("postgres")
    if url:
        yield url
        return
    server = start_postgres()
    yield server.url
    server.stop()


@pytest.fixture
def raw(pg_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        yield conn


def _rows(conn: psycopg.Connection[Any], query: sql.Composable, *params: Any) -> list[Any]:
    return conn.execute(query, params).fetchall()


# ----- what prism writes, read back with raw psycopg in the namespace's schema -------------------


def test_raw_psycopg_reads_what_prism_wrote(pg_url: str, raw: psycopg.Connection[Any]) -> None:
    name = fresh("raw")
    schema = schema_name(name)
    with prism.open(name, config=config(pg_url)) as ns:
        ns.keyvalue.set("k%_1", b"\x00\xffvalue")
        ns.keyvalue.set("ttl", b"t", ttl=60)
        msg_id = ns.queue.enqueue("jobs", b"payload", headers={"h": "v"}, priority=3)
        doc_id = ns.document.insert("people", {"name": "Ada", "age": 36})
    kv = dict(_rows(raw, sql.SQL("SELECT key, value FROM {}").format(sql.Identifier(schema, "kv"))))
    assert kv == {"k%_1": b"\x00\xffvalue", "ttl": b"t"}
    (ttl_left,) = raw.execute(
        sql.SQL("SELECT extract(epoch FROM expires_at - now()) FROM {} WHERE key = 'ttl'").format(
            sql.Identifier(schema, "kv")
        )
    ).fetchone() or (None,)
    assert ttl_left is not None and 55 < float(ttl_left) <= 60
    (row,) = _rows(
        raw,
        sql.SQL("SELECT id, queue, payload, headers, priority, receipt FROM {}").format(
            sql.Identifier(schema, "queue")
        ),
    )
    assert row[0] == msg_id and row[1] == "jobs" and bytes(row[2]) == b"payload"
    assert json.loads(bytes(row[3])) == {"h": "v"} and row[4] == 3 and row[5] is None
    (doc,) = _rows(
        raw,
        sql.SQL("SELECT id, body, raw FROM {}").format(
            sql.Identifier(schema, table_name("people"))
        ),
    )
    assert doc[0] == doc_id
    assert doc[1] == {"name": "Ada", "age": 36, "_id": doc_id}
    assert json.loads(doc[2]) == doc[1]
    versions = dict(
        _rows(
            raw,
            sql.SQL("SELECT model, version FROM {}").format(
                sql.Identifier(schema, "prism_migrations")
            ),
        )
    )
    assert versions == {"keyvalue": 1, "queue": 1, "document": 1}
    (comment,) = raw.execute(
        "SELECT obj_description(%s::regnamespace, 'pg_namespace')", [schema]
    ).fetchone() or (None,)
    assert comment == f"prism namespace {name}"


@pytest.mark.parametrize(
    "name",
    [
        'quote"; DROP SCHEMA public; --',
        "x" * 200,
        "ünïcødé/名前 with spaces",
        "Case-Sensitive",
        "case-sensitive",
    ],
)
def test_hostile_namespace_names_get_their_own_short_schema(
    pg_url: str, raw: psycopg.Connection[Any], name: str
) -> None:
    schema = schema_name(name)
    assert len(schema.encode()) <= 63 and schema.isascii()
    with prism.open(name, config=config(pg_url)) as ns:
        ns.keyvalue.set("k", name.encode())
        assert ns.keyvalue.get("k") == name.encode()
    (value,) = raw.execute(
        sql.SQL("SELECT value FROM {} WHERE key = 'k'").format(sql.Identifier(schema, "kv"))
    ).fetchone() or (None,)
    assert bytes(value) == name.encode()
    assert raw.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'public'").fetchone()


def test_namespace_a_cannot_see_b_through_any_facet(pg_url: str) -> None:
    cfg = config(pg_url)
    a, b = fresh("a"), fresh("b")
    with prism.open(a, config=cfg) as na, prism.open(b, config=cfg) as nb:
        na.keyvalue.set("shared", b"A")
        na.queue.enqueue("q", b"A")
        na.document.insert("c", {"who": "A"}, id="d1")
        na.document.create_index("c", ["who"], unique=True)
        assert not nb.keyvalue.exists("shared")
        assert nb.keyvalue.count() == 0
        assert list(nb.keyvalue.scan()) == []
        assert nb.queue.length("q") == 0
        assert nb.queue.receive("q") is None
        assert nb.document.find("c") == []
        assert nb.document.list_indexes("c") == []
        with pytest.raises(prism.NotFoundError):
            nb.document.get("c", "d1")
        nb.document.insert("c", {"who": "A"}, id="d1")  # no clash with A's id or unique index
        nb.keyvalue.set("shared", b"B")
        assert na.keyvalue.get("shared") == b"A"
        assert na.queue.dequeue("q") is not None
        assert na.document.count("c") == 1


# ----- documents: JSONB details ------------------------------------------------------------------


def test_documents_with_text_jsonb_cannot_hold_still_round_trip_and_match(pg_url: str) -> None:
    with prism.open(fresh("lossy"), config=config(pg_url)) as ns:
        docs = ns.document
        docs.insert("c", {"s": "a\x00b", "n": 1}, id="nul")
        docs.insert("c", {"s": "ab", "n": 2}, id="plain")
        docs.insert("c", {"k\x00": 1.0, "n": 3}, id="key")
        assert docs.get("c", "nul") == {"s": "a\x00b", "n": 1, "_id": "nul"}
        assert docs.get("c", "key") == {"k\x00": 1.0, "n": 3, "_id": "key"}
        assert isinstance(docs.get("c", "key")["k\x00"], float)
        assert [d["_id"] for d in docs.find("c", {"s": "a\x00b"})] == ["nul"]
        assert [d["_id"] for d in docs.find("c", {"s": {"$ne": "a\x00b"}}, sort=[("n", 1)])] == [
            "plain",
            "key",
        ]
        assert docs.count("c", {"n": {"$gte": 1}}) == 3
        assert [d["_id"] for d in docs.find("c", sort=[("n", -1)], limit=2)] == ["key", "plain"]


def test_numbers_keep_their_json_form(pg_url: str) -> None:
    with prism.open(fresh("num"), config=config(pg_url)) as ns:
        value = {"big": 2**63 - 1, "f": 1e300, "one": 1.0, "neg": -0.5}
        ns.document.insert("c", value, id="x")
        got = ns.document.get("c", "x")
        assert got == {**value, "_id": "x"}
        assert isinstance(got["f"], float) and isinstance(got["one"], float)
        assert isinstance(got["big"], int)


def test_find_by_an_indexed_field_uses_the_expression_index(
    pg_url: str, raw: psycopg.Connection[Any]
) -> None:
    name = fresh("ix")
    with prism.open(name, config=config(pg_url)) as ns:
        for i in range(2000):
            ns.document.insert("c", {"user": {"email": f"u{i}@x"}, "n": i}, id=f"d{i}")
        ns.document.create_index("c", ["user.email"], name="by_email")
        assert [d["_id"] for d in ns.document.find("c", {"user.email": "u7@x"})] == ["d7"]
    table = sql.Identifier(schema_name(name), table_name("c"))
    raw.execute(sql.SQL("ANALYZE {}").format(table))
    raw.execute("SET enable_seqscan = off")  # a plan that can use the index, and no other
    plan = "\n".join(
        r[0]
        for r in raw.execute(
            sql.SQL("EXPLAIN SELECT raw FROM {} WHERE ((body -> 'user') -> 'email') = %s").format(
                table
            ),
            [json.dumps("u7@x")],
        )
    )
    (index_name,) = raw.execute(
        "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND indexdef LIKE %s",
        [schema_name(name), "%email%"],
    ).fetchone() or (None,)
    assert index_name is not None and index_name in plan


# ----- configuration and secrets -------------------------------------------------------------------


def test_password_is_never_shown(pg_url: str) -> None:
    secret = "s3cr3t-pw-" + uuid.uuid4().hex[:6]
    url = f"postgresql://nobody:{secret}@127.0.0.1:1/nodb"
    cfg = parse_config("postgres", url, {"sslpassword": secret, "application_name": "app"})
    assert secret not in repr(cfg)
    assert cfg.libpq["application_name"] == "app"
    with pytest.raises(prism.BackendUnavailableError) as info:
        prism.open(fresh(), config=config(url, timeout=1.0, connect_timeout=1))
    text = f"{info.value} {info.value!r} {info.value.__cause__}"
    assert secret not in text
    with pytest.raises(prism.ConfigurationError) as bad:
        parse_config("postgres", f"mysql://u:{secret}@h/db", {})
    assert secret not in str(bad.value)


@pytest.mark.parametrize(
    "options",
    [{"max_size": 0}, {"min_size": 5, "max_size": 2}, {"timeout": -1}, {"bogus": 1},
     {"sslmode": ["require"]}, {"prepare_threshold": "x"}],
)  # fmt: skip
def test_bad_options_are_configuration_errors(options: dict[str, Any]) -> None:
    with pytest.raises(prism.ConfigurationError):
        parse_config("postgres", "postgresql://h/db", options)


def test_libpq_options_reach_the_server(pg_url: str, raw: psycopg.Connection[Any]) -> None:
    app = "prism-" + uuid.uuid4().hex[:8]
    cfg = config(pg_url, application_name=app, options="-c statement_timeout=12345")
    with prism.open(fresh(), config=cfg) as ns:
        ns.keyvalue.set("k", b"v")
        names = [r[0] for r in raw.execute("SELECT application_name FROM pg_stat_activity")]
        assert app in names
        backend = ns.keyvalue.backend  # type: ignore[attr-defined]
        with backend.pool.connection() as conn:
            assert conn.execute("SHOW statement_timeout").fetchone()[0] == "12345ms"


# ----- crash and restart ---------------------------------------------------------------------------


def test_restart_gives_unavailable_then_recovers_sync_and_async() -> None:
    server = start_postgres(durable=True)
    try:
        cfg = config(server.url, timeout=2.0, connect_timeout=2)
        ns = prism.open(fresh(), config=cfg)
        ns.keyvalue.set("before", b"1")

        async def scenario() -> None:
            ans = await prism.open_async(fresh(), config=cfg)
            await ans.keyvalue.set("before", b"1")
            server.kill()
            with pytest.raises(prism.BackendUnavailableError) as info:
                await ans.keyvalue.get("before")
            assert info.value.__cause__ is not None
            with pytest.raises(prism.BackendUnavailableError):
                ns.keyvalue.get("before")
            with pytest.raises(prism.BackendUnavailableError):
                ns.queue.enqueue("q", b"x")
            server.start()  # same port and data directory: crash recovery
            deadline = time.monotonic() + 30
            while True:
                try:
                    assert await ans.keyvalue.get("before") == b"1"
                    break
                except prism.BackendUnavailableError:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.05)
            await ans.close()

        asyncio.run(scenario())
        deadline = time.monotonic() + 30
        while True:
            try:
                assert ns.keyvalue.get("before") == b"1"
                break
            except prism.BackendUnavailableError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        ns.queue.enqueue("q", b"after")
        assert ns.queue.dequeue("q") is not None
        ns.close()
    finally:
        server.stop()


def test_a_namespace_whose_schema_vanished_is_recreated(
    pg_url: str, raw: psycopg.Connection[Any]
) -> None:
    name = fresh("gone")
    with prism.open(name, config=config(pg_url)) as ns:
        ns.keyvalue.set("k", b"v")
        raw.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema_name(name))))
        with pytest.raises(prism.BackendUnavailableError, match="recreated"):
            ns.keyvalue.get("k")
        assert not ns.keyvalue.exists("k")
        ns.keyvalue.set("k", b"again")
        assert ns.keyvalue.get("k") == b"again"


def test_percent_signs_and_quotes_in_field_names_are_plain_keys(pg_url: str) -> None:
    with prism.open(fresh("pct"), config=config(pg_url)) as ns:
        docs = ns.document
        field = "100%s'b\\"
        docs.insert("c", {field: 1, "x": "%s"}, id="a")
        docs.insert("c", {field: 2, "x": "%%"}, id="b")
        docs.create_index("c", [field], unique=True)
        assert [d["_id"] for d in docs.find("c", {field: {"$gte": 2}})] == ["b"]
        assert [d["_id"] for d in docs.find("c", sort=[(field, -1)])] == ["b", "a"]
        assert docs.find("c", {"x": "%s"}, projection=[field]) == [{"_id": "a", field: 1}]
        with pytest.raises(prism.ConflictError):
            docs.insert("c", {field: 1.0}, id="c")


CONSUMER = r"""
import sys, prism
url, namespace, log, victim = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
cfg = {"backends": {"pg": {"type": "postgres", "connection": url}}, "default_backend": "pg"}
with prism.open(namespace, config=cfg) as ns, open(log, "a", buffering=1) as out:
    q = ns.queue
    idle = 0
    done = 0
    while idle < 3:
        lease = q.receive("jobs", visibility_timeout=3.0, timeout=1.0)
        if lease is None:
            idle += 1
            continue
        idle = 0
        if victim and done == 200:
            out.write(f"HOLDING {lease.id}\n")
            while True:  # hold the lease until SIGKILLed
                pass
        try:
            q.ack(lease)
        except prism.LeaseLostError:
            out.write(f"LOST {lease.id}\n")
            continue
        done += 1
        out.write(f"ACK {lease.id}\n")
"""


def test_competing_consumer_processes_one_killed_mid_lease_lose_nothing(
    pg_url: str, tmp_path: Any
) -> None:
    import collections
    import signal
    import subprocess
    import sys

    namespace = fresh("consumers")
    total = 10_000
    with prism.open(namespace, config=config(pg_url)) as ns:
        q = ns.queue
        ids = {q.enqueue("jobs", str(i).encode()) for i in range(total)}
        assert len(ids) == total
        script = tmp_path / "consumer.py"
        script.write_text(CONSUMER)
        logs = [tmp_path / f"c{i}.log" for i in range(4)]
        procs = [
            subprocess.Popen(
                [sys.executable, str(script), pg_url, namespace, str(log), "1" if i == 0 else "0"]
            )
            for i, log in enumerate(logs)
        ]
        try:
            deadline = time.monotonic() + 60
            while "HOLDING" not in (logs[0].read_text() if logs[0].exists() else ""):
                assert time.monotonic() < deadline, "the victim never took its lease"
                assert procs[0].poll() is None
                time.sleep(0.01)
            procs[0].send_signal(signal.SIGKILL)
            procs[0].wait(10)
            for proc in procs[1:]:
                assert proc.wait(120) == 0
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(10)
        acked: collections.Counter[str] = collections.Counter()
        held = ""
        for log in logs:
            for line in log.read_text().splitlines():
                kind, msg_id = line.split()
                if kind == "ACK":
                    acked[msg_id] += 1
                elif kind == "HOLDING":
                    held = msg_id
        assert held in ids and acked[held] == 1  # redelivered after its lease lapsed
        assert set(acked) == ids  # none lost
        assert max(acked.values()) == 1  # a settled message is never settled again
        assert q.length("jobs") == 0
        assert q.receive("jobs") is None


# ----- joining prism's writes to the application's own transaction ------------------------------


def test_keyvalue_writes_join_the_applications_transaction(pg_url: str) -> None:
    name = fresh("join")
    with prism.open(name, config=config(pg_url)) as ns, psycopg.connect(pg_url) as app:
        kv = ns.keyvalue
        assert isinstance(kv, prism.KeyValueTransactional)
        kv.set("seen", b"old")
        app.execute("CREATE TEMP TABLE orders (id int)")
        app.commit()
        with app.transaction():
            app.execute("INSERT INTO orders VALUES (1)")
            with kv.begin(conn=app) as tx:  # type: ignore[call-arg]
                assert tx.get("seen") == b"old"
                tx.set("order:1", b"pending")
                tx.set("seen", b"new")
                assert tx.get("order:1") == b"pending"  # reads see the transaction's writes
            assert not kv.exists("order:1")  # not visible before the application commits
            assert kv.get("seen") == b"old"
        assert kv.get("order:1") == b"pending" and kv.get("seen") == b"new"
        with app.transaction(force_rollback=True):  # the application rolls back
            app.execute("INSERT INTO orders VALUES (2)")
            with kv.begin(conn=app) as tx:  # type: ignore[call-arg]
                tx.set("order:2", b"pending")
        assert not kv.exists("order:2")
        with app.transaction():  # prism's part rolls back alone
            app.execute("INSERT INTO orders VALUES (3)")
            tx = kv.begin(conn=app)  # type: ignore[call-arg]
            assert tx.delete("seen")
            tx.rollback()
        assert kv.get("seen") == b"new"
        assert [r[0] for r in app.execute("SELECT id FROM orders ORDER BY id")] == [1, 3]
        with (
            psycopg.connect(pg_url, autocommit=True) as auto,
            pytest.raises(prism.InvalidArgumentError, match="autocommit"),
        ):
            kv.begin(conn=auto).set("x", b"y")  # type: ignore[call-arg]


def test_async_keyvalue_writes_join_the_applications_transaction(pg_url: str) -> None:
    async def scenario() -> None:
        ns = await prism.open_async(fresh("ajoin"), config=config(pg_url))
        kv = ns.keyvalue
        assert isinstance(kv, prism.AsyncKeyValueTransactional)
        async with await psycopg.AsyncConnection.connect(pg_url) as app:
            async with app.transaction():
                async with kv.begin(conn=app) as tx:  # type: ignore[call-arg]
                    await tx.set("k", b"v")
                assert not await kv.exists("k")
            assert await kv.get("k") == b"v"
        await ns.close()

    asyncio.run(scenario())


# ----- stage 2: stream, timeseries, graph, set, pubsub -------------------------------------------


def test_raw_psycopg_reads_the_stage_two_tables(pg_url: str, raw: psycopg.Connection[Any]) -> None:
    name = fresh("raw2")
    schema = schema_name(name)

    def table(name: str) -> sql.Composable:
        return sql.Identifier(schema, name)

    with prism.open(name, config=config(pg_url)) as ns:
        first = ns.stream.append("log", b"\x00one", headers={"h": "v"})
        ns.stream.append("log", b"two")
        ns.stream.create_group("log", "g", start="earliest")
        ns.stream.consume("log", "g", "c1", max_count=1)
        ns.timeseries.insert_many("cpu", [(20.0, 2.5), (10.0, 1.5)], labels={"host": "a"})
        ns.graph.add_node("a", "person", {"n": 1.0})
        ns.graph.add_node("b", "person")
        ns.graph.add_edge("ab", "a", "b", "knows")
        ns.set.add("s", b"\x00x", b"y")
    records = _rows(
        raw,
        sql.SQL('SELECT "offset", payload, headers FROM {} ORDER BY "offset"').format(
            table("stream_record")
        ),
    )
    assert [(r[0], bytes(r[1])) for r in records] == [(first, b"\x00one"), (first + 1, b"two")]
    assert json.loads(records[0][2]) == {"h": "v"}
    pending = _rows(
        raw, sql.SQL('SELECT grp, "offset", consumer FROM {}').format(table("stream_pending"))
    )
    assert pending == [("g", first, "c1")]
    points = _rows(
        raw, sql.SQL("SELECT ts, value, labels FROM {} ORDER BY ts").format(table("ts_point"))
    )
    assert points == [(10.0, 1.5, {"host": "a"}), (20.0, 2.5, {"host": "a"})]
    nodes = _rows(
        raw, sql.SQL("SELECT id, label, properties FROM {} ORDER BY id").format(table("graph_node"))
    )
    assert [(n[0], n[1], json.loads(n[2])) for n in nodes] == [
        ("a", "person", {"n": 1.0}),
        ("b", "person", {}),
    ]
    assert _rows(raw, sql.SQL("SELECT id, source, target FROM {}").format(table("graph_edge"))) == [
        ("ab", "a", "b")
    ]
    members = _rows(
        raw, sql.SQL("SELECT member, digest = sha256(member) FROM {}").format(table("set_member"))
    )
    assert sorted((bytes(m), ok) for m, ok in members) == [(b"\x00x", True), (b"y", True)]
    versions = dict(
        _rows(raw, sql.SQL("SELECT model, version FROM {}").format(table("prism_migrations")))
    )
    assert versions == {"stream": 1, "timeseries": 1, "graph": 1, "set": 1}


def test_namespace_a_cannot_see_b_through_the_stage_two_facets(pg_url: str) -> None:
    cfg = config(pg_url)
    a, b = fresh("a2"), fresh("b2")
    with prism.open(a, config=cfg) as na, prism.open(b, config=cfg) as nb:
        heard = nb.pubsub.subscribe_pattern(">")
        na.stream.append("s", b"A")
        na.stream.create_group("s", "g", start="earliest")
        na.timeseries.insert("t", 1.0, 1.0)
        na.graph.add_node("n", "x")
        na.set.add("k", b"A")
        na.pubsub.publish("t", b"A")
        assert nb.stream.latest_offset("s") is None
        assert nb.stream.read("s") == []
        with pytest.raises(prism.NotFoundError):
            nb.stream.group_info("s", "g")
        assert nb.timeseries.query("t", 0, 10) == []
        with pytest.raises(prism.NotFoundError):
            nb.graph.get_node("n")
        assert nb.graph.connected_components() == []
        assert nb.set.members("k") == set()
        assert heard.get(timeout=0.3) is None
        heard.close()
        nb.graph.add_node("n", "y")  # no clash with A's node
        assert na.graph.get_node("n").label == "x"


def test_pubsub_limit_is_declared_and_enforced_before_any_io(pg_url: str) -> None:
    from prism.backends.postgres._ops.pubsub import MAX_PAYLOAD
    from prism.registry.registry import get_registry

    limits = get_registry().backend("postgres").declaration.limits
    assert limits.max_message_bytes == MAX_PAYLOAD
    topic = "t" * 1024  # the longest topic: the declared payload still fits
    with prism.open(fresh("notify"), config=config(pg_url)) as ns:
        sub = ns.pubsub.subscribe(topic)
        ns.pubsub.publish(topic, b"\x00" * MAX_PAYLOAD)
        with pytest.raises(prism.ValueTooLargeError):
            ns.pubsub.publish(topic, b"\x00" * (MAX_PAYLOAD + 1))
        with pytest.raises(prism.ValueTooLargeError, match="NOTIFY"):  # headers count too
            ns.pubsub.publish(topic, b"\x00" * MAX_PAYLOAD, headers={"h": "v" * 100})
        message = sub.get(timeout=5)
        assert message is not None and message.payload == b"\x00" * MAX_PAYLOAD
        assert sub.get(timeout=0.2) is None  # nothing of the refused ones was sent
        sub.close()
