"""The sqlite backend beyond the compliance suites: durability across a SIGKILL, two processes
on one queue, what lands in the file, error translation, the schema version."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import prism
from prism.backends.sqlite import _schema
from prism.errors import BackendUnavailableError, ConfigurationError, PrismError


def config(connection: str, **options: Any) -> dict[str, Any]:
    return {
        "backends": {"db": {"type": "sqlite", "connection": connection, "options": options}},
        "default_backend": "db",
    }


def spawn(script: str, *args: str) -> subprocess.Popen[str]:
    """A Python child running ``script`` with ``args`` (stdout piped, line-buffered text)."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )


# -- (1) durability: every write reported committed survives a SIGKILL ---------------------------

WRITER = """
    import sys
    import prism

    cfg = {"backends": {"db": {"type": "sqlite", "connection": sys.argv[1]}},
           "default_backend": "db"}
    with prism.open("durable", config=cfg) as ns:
        for i in range(1_000_000):
            ns.keyvalue.set(f"k{i}", f"v{i}".encode())
            print(f"kv {i}", flush=True)
            msg_id = ns.queue.enqueue("jobs", f"m{i}".encode())
            print(f"queue {i} {msg_id}", flush=True)
"""


def test_writes_reported_committed_survive_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "durable.db"
    child = spawn(WRITER, str(db))
    assert child.stdout is not None
    lines: list[str] = []
    try:
        while len(lines) < 400:  # stop it mid-run, well after it got going
            line = child.stdout.readline()
            assert line, "the writer exited early"
            lines.append(line)
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    # a last line cut off by the kill was never reported complete
    lines += [line + "\n" for line in rest.split("\n")[:-1]]
    keys = [int(line.split()[1]) for line in lines if line.startswith("kv ")]
    ids = {line.split()[2]: int(line.split()[1]) for line in lines if line.startswith("queue ")}
    assert len(keys) >= 200

    with prism.open("durable", config=config(str(db))) as ns:
        found = ns.keyvalue.get_many([f"k{i}" for i in keys])  # type: ignore[attr-defined]
        assert found == {f"k{i}": f"v{i}".encode() for i in keys}
        stored = {}
        while (msg := ns.queue.dequeue("jobs")) is not None:
            stored[msg.id] = msg.payload
    for msg_id, i in ids.items():
        assert stored.get(msg_id) == f"m{i}".encode()


# -- (2) two processes consuming one queue ------------------------------------------------------

CONSUMER = """
    import sys
    import prism

    cfg = {"backends": {"db": {"type": "sqlite", "connection": sys.argv[1]}},
           "default_backend": "db"}
    with prism.open("shared", config=cfg) as ns:
        q = ns.queue
        print("ready", flush=True)
        sys.stdin.readline()  # "start"
        first = q.receive("work", visibility_timeout=60, timeout=30)
        assert first is not None
        print(f"got {first.id} {first.message.attempts}", flush=True)
        print("holding", flush=True)  # both processes hold a lease at once before going on
        sys.stdin.readline()  # "go"
        q.ack(first)
        while (lease := q.receive("work", visibility_timeout=60, timeout=0.5)) is not None:
            print(f"got {lease.id} {lease.message.attempts}", flush=True)
            q.ack(lease)
        print("done", flush=True)
"""


def test_two_processes_share_one_queue(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    with prism.open("shared", config=config(str(db))) as ns:
        sent = {ns.queue.enqueue("work", str(i).encode()) for i in range(600)}
    children = [spawn(CONSUMER, str(db)) for _ in range(2)]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline() == "ready\n"
        for child in children:
            assert child.stdin is not None
            child.stdin.write("start\n")
            child.stdin.flush()
        firsts = []
        for child in children:
            assert child.stdout is not None
            firsts.append(child.stdout.readline())
            assert child.stdout.readline() == "holding\n"
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        outputs = [
            [first.rstrip("\n"), *child.communicate(timeout=60)[0].splitlines()]
            for first, child in zip(firsts, children, strict=True)
        ]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    assert all(child.returncode == 0 for child in children)
    got = [[line.split() for line in out if line.startswith("got ")] for out in outputs]
    ids = [words[1] for per_child in got for words in per_child]
    assert sorted(ids) == sorted(sent)  # every message handled, none twice
    assert {words[2] for per_child in got for words in per_child} == {"1"}
    assert all(per_child for per_child in got), "both processes took part"
    with prism.open("shared", config=config(str(db))) as ns:
        assert ns.queue.length("work") == 0


# -- (3) the data is really in the file ---------------------------------------------------------


def test_data_is_in_the_file(tmp_path: Path) -> None:
    db = tmp_path / "plain.db"
    with prism.open("app", config=config(f"sqlite:///{db}")) as ns:
        ns.keyvalue.set("greeting", b"hello\x00world")
        msg_id = ns.queue.enqueue("q", b"job", headers={"h": "1"})
        ns.stream.append("s", b"event")
        ns.document.insert("people", {"name": "Ada", "age": 36}, id="ada")
        ns.timeseries.insert("temp", 1000.0, 21.5)
        ns.graph.add_node("n1", "person", {"name": "Ada"})
    with prism.open("other", config=config(f"sqlite:///{db}")) as ns:
        ns.keyvalue.set("greeting", b"other namespace")

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = conn.execute(
            "SELECT ns, value FROM prism_kv WHERE key = 'greeting' ORDER BY ns"
        ).fetchall()
        assert rows == [("app", b"hello\x00world"), ("other", b"other namespace")]
        assert conn.execute(
            "SELECT queue, payload, headers FROM prism_queue WHERE ns = 'app' AND id = ?", (msg_id,)
        ).fetchone() == ("q", b"job", '{"h": "1"}')
        assert conn.execute(
            'SELECT "offset", payload FROM prism_stream_record WHERE ns = ? AND stream = ?',
            ("app", "s"),
        ).fetchall() == [(0, b"event")]
        body = conn.execute(
            "SELECT body FROM prism_doc WHERE ns = 'app' AND coll = 'people' AND id = 'ada'"
        ).fetchone()[0]
        assert json.loads(body) == {"name": "Ada", "age": 36, "_id": "ada"}
        assert conn.execute(
            "SELECT json_extract(body, '$.age') FROM prism_doc WHERE id = 'ada'"
        ).fetchone() == (36,)
        assert conn.execute("SELECT ts, value FROM prism_ts_point").fetchall() == [(1000.0, 21.5)]
        assert conn.execute("SELECT id, label FROM prism_graph_node").fetchall() == [
            ("n1", "person")
        ]
    finally:
        conn.close()


def test_document_index_is_an_expression_index_the_query_uses(tmp_path: Path) -> None:
    db = tmp_path / "ix.db"
    with prism.open("app", config=config(str(db))) as ns:
        docs = ns.document
        for i in range(50):
            docs.insert("c", {"n": i, "tag": f"t{i % 5}"})
        assert docs.create_index("c", ["n"], unique=True) == "n"  # type: ignore[attr-defined]
        with pytest.raises(prism.ConflictError):
            docs.insert("c", {"n": 7.0})  # 7 == 7.0 in JSON
        docs.insert("c", {"n": True})  # but true is not 1
        conn = sqlite3.connect(db)
        try:
            (sql,) = conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'prism_doc_ix_%'"
            ).fetchone()
            assert "json_extract" in sql
            assert "WHERE ns = 'app' AND coll = 'c'" in sql
            plan = conn.execute(
                "EXPLAIN QUERY PLAN SELECT body FROM prism_doc WHERE ns = ? AND coll = ? AND "
                "(json_type(\"body\", '$.\"n\"') IN ('integer', 'real') AND "
                'json_extract("body", \'$."n"\') = ?)',
                ("app", "c", 7),
            ).fetchall()
            assert "USING INDEX prism_doc_ix_" in str(plan)
        finally:
            conn.close()


CRAFTED_FIELDS = [
    "o'clock",
    "x'), abs(-9223372036854775808)) --",  # closed the JSON path, added a column that overflows
    "x'||abs(-9223372036854775808)||'",
    "a') WHERE 1 --",  # dropped the partial index's WHERE: every namespace evaluated it
    "z'; DROP TABLE prism_kv; --",
]


@pytest.mark.parametrize("field", CRAFTED_FIELDS)
def test_a_crafted_index_field_breaks_nothing(tmp_path: Path, field: str) -> None:
    """Regression (issue 8): a quote in a create_index field was spliced into CREATE INDEX, so
    o'clock was a syntax error and a crafted name installed an index whose expression failed on
    every later document write in every namespace on the file."""
    db = tmp_path / "crafted.db"
    with (
        prism.open("attacker", config=config(str(db))) as attacker,
        prism.open("victim", config=config(str(db))) as victim,
    ):
        victim.document.insert("c", {"_id": "before", field: 1})
        name = attacker.document.create_index("c", [field], unique=True)  # type: ignore[attr-defined]
        assert name == field
        attacker.document.insert("c", {"_id": "a", field: "v"})
        with pytest.raises(prism.ConflictError):
            attacker.document.insert("c", {"_id": "b", field: "v"})
        assert [d["_id"] for d in attacker.document.find("c", {field: "v"})] == ["a"]
        for ns in (victim, attacker):  # every namespace's writes on the file still work
            ns.document.insert("other", {"_id": "x", field: 2, "k": 1})
            ns.document.update("other", "x", {"k": 2})
            assert ns.document.find("c", {field: {"$in": [1, "v"]}}, sort=[(field, 1)])
            assert ns.document.delete("other", "x")
        victim.keyvalue.set("k", b"v")
        assert victim.keyvalue.get("k") == b"v"
        assert attacker.document.drop_index("c", name)  # type: ignore[attr-defined]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def test_filters_sqlite_cannot_parse_whole_still_run(tmp_path: Path) -> None:
    """Regression (issue 8): a 997-element $in, 81 nested $and/$or and a 28-deep document
    under a unique index were refused by SQLite (parser stack / expression depth) although
    validation accepted them."""
    with prism.open("limits", config=config(str(tmp_path / "l.db"))) as ns:
        docs = ns.document
        for k in range(-3, 4):
            docs.insert("c", {"_id": str(k), "k": k, "s": str(k)})
        assert len(docs.find("c", {"k": {"$in": list(range(997))}})) == 4
        assert len(docs.find("c", {"s": {"$nin": [str(i) for i in range(997)]}})) == 3
        objects = [{"o": i} for i in range(997)]
        assert docs.count("c", {"k": {"$in": [*objects, -3]}}) == 1
        nested: dict[str, Any] = {"k": {"$gte": 0}}
        for i in range(81):
            nested = {"$and" if i % 2 else "$or": [nested, {"k": -1 - i}]}
        want = sorted(str(k) for k in range(-3, 4) if prism.filters.matches(nested, {"k": k}))
        assert sorted(d["_id"] for d in docs.find("c", nested, sort=[("k", -1)], limit=10)) == want
        assert docs.count("c", nested) == len(want)
        docs.create_index("u", ["d"], unique=True)  # type: ignore[attr-defined]
        deep: Any = 1
        for _ in range(28):
            deep = {"x": deep}
        docs.insert("u", {"_id": "a", "d": deep})
        with pytest.raises(prism.ConflictError):
            docs.insert("u", {"_id": "b", "d": deep})


# -- (4) errors: clear PrismErrors, never raw sqlite3 errors -----------------------------------


@pytest.mark.parametrize(
    "connection",
    [None, "", "sqlite://relative.db", "postgres://h/db", "sqlite:///", "a\x00b"],
)
def test_bad_connection_strings(connection: str | None) -> None:
    cfg = config("x.db")
    cfg["backends"]["db"]["connection"] = connection
    with pytest.raises(ConfigurationError, match="sqlite"):
        prism.open("ns", config=cfg)


@pytest.mark.parametrize(
    "options",
    [
        {"synchronous": "SOMETIMES"},
        {"busy_timeout": -1},
        {"poll_interval": 0},
        {"clock": 5},
        {"journal": "delete"},
    ],
)
def test_bad_options(tmp_path: Path, options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="sqlite option"):
        prism.open("ns", config=config(str(tmp_path / "x.db"), **options))


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("this is not a database, just some text that is long enough\n" * 20)
    with pytest.raises(ConfigurationError) as info:
        prism.open("ns", config=config(str(bogus)))
    assert str(bogus) in str(info.value)
    assert "not a usable SQLite database" in str(info.value)
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)


def test_a_directory_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        prism.open("ns", config=config(str(tmp_path)))
    assert str(tmp_path) in str(info.value)
    assert isinstance(info.value.__cause__, sqlite3.Error)


def test_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        prism.open("ns", config=config(str(tmp_path / "nope" / "x.db")))


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads anything")
def test_an_unreadable_file(tmp_path: Path) -> None:
    db = tmp_path / "locked-away.db"
    with prism.open("ns", config=config(str(db))) as ns:
        ns.keyvalue.set("k", b"v")
    db.chmod(0)
    try:
        with pytest.raises(ConfigurationError, match="cannot open or write"):
            prism.open("ns", config=config(str(db)))
    finally:
        db.chmod(0o600)


def test_a_locked_database_is_unavailable_not_a_raw_error(tmp_path: Path) -> None:
    db = tmp_path / "busy.db"
    cfg = config(str(db), busy_timeout=0.05)
    with prism.open("ns", config=cfg) as ns:
        ns.keyvalue.set("k", b"v")
        holder = sqlite3.connect(db, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")  # the write lock, held
            with pytest.raises(BackendUnavailableError) as info:
                ns.keyvalue.set("k", b"w")
            assert "locked" in str(info.value)
            assert str(db) in str(info.value)
            assert info.value.backend == "sqlite"
            assert isinstance(info.value.__cause__, sqlite3.OperationalError)
            with pytest.raises(BackendUnavailableError):
                ns.queue.enqueue("q", b"x")
            assert ns.keyvalue.get("k") == b"v"  # WAL: readers are not blocked
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        ns.keyvalue.set("k", b"w")
        assert ns.keyvalue.get("k") == b"w"


def test_a_locked_database_async(tmp_path: Path) -> None:
    db = tmp_path / "busy-async.db"
    holder = sqlite3.connect(db, isolation_level=None)

    async def main() -> None:
        async with await prism.open_async("ns", config=config(str(db), busy_timeout=0.05)) as ns:
            holder.execute("BEGIN IMMEDIATE")
            try:
                with pytest.raises(BackendUnavailableError):
                    await ns.keyvalue.set("k", b"v")
            finally:
                holder.execute("ROLLBACK")
            await ns.keyvalue.set("k", b"v")

    try:
        asyncio.run(main())
    finally:
        holder.close()


def test_a_failed_point_read_is_translated_naming_get(tmp_path: Path) -> None:
    """keyvalue ``get`` runs its SELECT itself on the sync hot path (``Database.first``) and
    through the operation on the async worker: either way a driver error comes out translated,
    chained and naming the operation."""
    files = iter([tmp_path / "gone.db", tmp_path / "gone-async.db"])
    db = next(files)

    def drop_the_table() -> None:
        other = sqlite3.connect(db, isolation_level=None)
        try:
            other.execute("DROP TABLE prism_kv")
        finally:
            other.close()

    def check(error: PrismError) -> None:
        assert error.backend == "sqlite"
        assert error.operation == "get"
        assert isinstance(error.__cause__, sqlite3.OperationalError)
        assert "prism_kv" in str(error.__cause__)

    with prism.open("ns", config=config(str(db))) as ns:
        ns.keyvalue.set("k", b"v")
        assert ns.keyvalue.get("k") == b"v"
        drop_the_table()
        with pytest.raises(PrismError) as info:
            ns.keyvalue.get("k")
        check(info.value)

    db = next(files)

    async def main() -> None:
        async with await prism.open_async("ns", config=config(str(db))) as ns:
            await ns.keyvalue.set("k", b"v")
            assert await ns.keyvalue.get("k") == b"v"
            drop_the_table()
            with pytest.raises(PrismError) as info:
                await ns.keyvalue.get("k")
            check(info.value)

    asyncio.run(main())


# a call whose SQL runs in a function of another name (or one serving several calls) still
# names the call in its error: (the call, a table to drop first, the call itself)
_NAMED_CALLS: list[tuple[str, str, Any]] = [
    ("set", "prism_kv", lambda ns: ns.keyvalue.set("k", b"v")),
    ("scan", "prism_kv", lambda ns: ns.keyvalue.scan("")),
    ("scan_keys", "prism_kv", lambda ns: ns.keyvalue.scan_keys("")),
    ("get", "prism_kv", lambda ns: ns.keyvalue.begin().get("k")),  # a transaction's read
    ("union", "prism_set", lambda ns: ns.set.union("a", "b")),
    ("intersection", "prism_set", lambda ns: ns.set.intersection("a", "b")),
    ("difference", "prism_set", lambda ns: ns.set.difference("a", "b")),
    ("union_store", "prism_set", lambda ns: ns.set.union_store("d", "a", "b")),
    ("intersection_store", "prism_set", lambda ns: ns.set.intersection_store("d", "a", "b")),
    ("difference_store", "prism_set", lambda ns: ns.set.difference_store("d", "a", "b")),
    ("is_member", "prism_set", lambda ns: ns.set.is_member("a", b"x")),
    (
        "append_to_partition",
        "prism_stream_record",
        lambda ns: ns.stream.append_to_partition("s", 0, b"x"),
    ),
    ("replay_range", "prism_stream_record", lambda ns: ns.stream.replay_range("s", 0, 10)),
    ("read_partition", "prism_stream_record", lambda ns: ns.stream.read_partition("s", 0)),
    ("insert", "prism_ts_point", lambda ns: ns.timeseries.insert("m", 1.0, 2.0)),
    ("shortest_path", "prism_graph_edge", lambda ns: ns.graph.shortest_path("a", "b")),
    ("pagerank", "prism_graph_edge", lambda ns: ns.graph.pagerank()),
    ("connected_components", "prism_graph_edge", lambda ns: ns.graph.connected_components()),
]


def _through(result: Any) -> None:
    """Finish a sync call: an iterator (``scan``) is read to its end."""
    if hasattr(result, "__next__"):
        list(result)


async def _through_async(result: Any) -> None:
    """Finish an async call: await it, or read an async iterator to its end."""
    if hasattr(result, "__anext__"):
        [item async for item in result]
    else:
        await result


@pytest.mark.parametrize(
    ("operation", "table", "call"), _NAMED_CALLS, ids=[c[0] for c in _NAMED_CALLS]
)
def test_a_driver_error_names_the_call_the_user_made(
    tmp_path: Path, operation: str, table: str, call: Any
) -> None:
    """``set`` runs ``set_value``, ``union`` runs ``combine`` …: a driver error names the
    public call all the same, sync and async, translated and chained."""

    def check(error: PrismError) -> None:
        assert error.backend == "sqlite"
        assert error.operation == operation
        assert isinstance(error.__cause__, sqlite3.OperationalError)
        assert table in str(error.__cause__)

    def drop(db: Path) -> None:
        other = sqlite3.connect(db, isolation_level=None)
        try:
            other.execute(f"DROP TABLE {table}")
        finally:
            other.close()

    db = tmp_path / "sync.db"
    with prism.open("ns", config=config(str(db))) as ns:
        ns.stream.append("s", b"first")  # the stream exists, with its partition
        ns.graph.add_node("a", "n")
        ns.graph.add_node("b", "n")
        drop(db)
        with pytest.raises(PrismError) as info:
            _through(call(ns))
        check(info.value)

    db = tmp_path / "async.db"

    async def main() -> None:
        async with await prism.open_async("ns", config=config(str(db))) as ns:
            await ns.stream.append("s", b"first")
            await ns.graph.add_node("a", "n")
            await ns.graph.add_node("b", "n")
            drop(db)
            with pytest.raises(PrismError) as info:
                await _through_async(call(ns))
            check(info.value)

    asyncio.run(main())


def test_closed_backend_raises_a_prism_error(tmp_path: Path) -> None:
    ns = prism.open("ns", config=config(str(tmp_path / "c.db")))
    kv = ns.keyvalue
    ns.close()
    with pytest.raises(PrismError, match="closed"):
        kv.get("k")


# -- (5) the schema version ---------------------------------------------------------------------


def test_schema_version_is_recorded(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    with prism.open("ns", config=config(str(db))):
        pass
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT version FROM prism_schema").fetchall() == [
            (_schema.SCHEMA_VERSION,)
        ]
    finally:
        conn.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    with prism.open("ns", config=config(str(db))):
        pass
    conn = sqlite3.connect(db)
    conn.execute("UPDATE prism_schema SET version = ?", (_schema.SCHEMA_VERSION + 1,))
    conn.commit()
    conn.close()
    with pytest.raises(ConfigurationError, match="newer"):
        prism.open("ns", config=config(str(db)))


def test_the_migration_hook_runs_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "old.db"
    with prism.open("ns", config=config(str(db))) as ns:
        ns.keyvalue.set("kept", b"1")
    calls: list[int] = []

    def step(conn: sqlite3.Connection) -> None:
        calls.append(1)
        conn.execute("CREATE TABLE prism_added_in_v2 (x)")

    current = _schema.SCHEMA_VERSION
    monkeypatch.setattr(_schema, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(_schema.MIGRATIONS, current, step)
    for _ in range(2):
        with prism.open("ns", config=config(str(db))) as ns:
            assert ns.keyvalue.get("kept") == b"1"
    assert calls == [1]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT version FROM prism_schema").fetchone() == (current + 1,)
        assert conn.execute("SELECT count(*) FROM prism_added_in_v2").fetchone() == (0,)
    finally:
        conn.close()


# -- connection strings and options -------------------------------------------------------------


def test_private_memory_databases_are_private_named_ones_shared() -> None:
    with prism.open("ns", config=config(":memory:")) as a:
        a.keyvalue.set("k", b"a")
        with prism.open("ns", config=config("sqlite://:memory:")) as b:
            assert not b.keyvalue.exists("k")
    with prism.open("ns", config=config(":memory:shared-test")) as a:
        a.keyvalue.set("k", b"a")

        async def other_flavour() -> bytes:
            cfg = config("sqlite://:memory:shared-test")
            async with await prism.open_async("ns", config=cfg) as b:
                return await b.keyvalue.get("k")

        assert asyncio.run(other_flavour()) == b"a"


def test_relative_and_absolute_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with prism.open("ns", config=config("sqlite:///rel.db")) as ns:
        ns.keyvalue.set("k", b"1")
    assert (tmp_path / "rel.db").is_file()
    with prism.open("ns", config=config(f"sqlite:///{tmp_path / 'rel.db'}")) as ns:
        assert ns.keyvalue.get("k") == b"1"


def test_synchronous_option_is_applied(tmp_path: Path) -> None:
    with prism.open("ns", config=config(str(tmp_path / "s.db"), synchronous="full")) as ns:
        level = ns.keyvalue._db.run(  # type: ignore[attr-defined]
            lambda conn: conn.execute("PRAGMA synchronous").fetchone()[0]
        )
    assert level == 2  # FULL
