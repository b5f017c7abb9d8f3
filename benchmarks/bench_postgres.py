"""postgres keyvalue get/set, get_many/set_many x100, queue enqueue and receive+ack, and a
document find by an indexed field, sync and async, against raw psycopg running the same
statements on the same server.

Both sides use a psycopg_pool pool of the same size in autocommit mode with psycopg's default
``prepare_threshold`` (statements become server-side prepared statements after 5 runs), and the
very SQL text prism sends (rendered for the baseline's own namespace schema, which prism creates
and then leaves to the baseline); the queue baseline sends the lapsed-lease sweep and the pick in
one pipeline, as prism does.  What the ratio measures is prism's own cost: argument checks,
the facet, error translation.

Run: python -m benchmarks.bench_postgres      (PRISM_TEST_POSTGRES_URL, or a private server
started from /usr/lib/postgresql/*/bin)
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg_pool

import prism
from benchmarks._harness import Result, compare, compare_async, report
from prism.backends.postgres._core import schema_name
from prism.backends.postgres._ops import document as doc_ops
from prism.backends.postgres._ops import keyvalue as kv_ops
from prism.backends.postgres._ops import queue as queue_ops
from prism.backends.postgres._ops.document import PostgresJSONCompiler
from prism.backends.postgres._testing import start_postgres
from prism.filters import parse
from prism.testing.servers import env_url

VALUE = b"v" * 100
N = 2_000
N_BATCH = 500
ROUNDS = 5
BATCH = {f"key:{i:03d}": VALUE for i in range(100)}
KEYS = list(BATCH)
DOCS = 1_000


def config(url: str) -> dict[str, Any]:
    return {
        "backends": {"pg": {"type": "postgres", "connection": url, "options": {"max_size": 4}}},
        "default_backend": "pg",
    }


class Statements:
    """The SQL prism runs, rendered for the baseline's schema."""

    def __init__(self, namespace: str) -> None:
        schema = schema_name(namespace)
        self.kv = kv_ops.statements(schema).sql
        self.q = queue_ops.statements(schema)
        compiled, self.find_params = PostgresJSONCompiler().compile(parse({"email": "u7@x"}))
        table = doc_ops.table_sql(schema, "people")
        self.find = f"SELECT raw FROM {table} WHERE NOT lossy AND {compiled} ORDER BY seq LIMIT %s OFFSET %s"
        self.lossy = f"SELECT raw FROM {table} WHERE lossy ORDER BY seq"


def setup_namespace(url: str, namespace: str) -> None:
    """Let prism create the tables (and the document index) of ``namespace``."""
    with prism.open(namespace, config=config(url)) as ns:
        ns.keyvalue.set("k", VALUE)
        ns.queue.enqueue("warm", b"")
        for i in range(DOCS):
            ns.document.insert("people", {"email": f"u{i}@x", "n": i}, id=f"d{i}")
        docs = ns.document
        assert isinstance(docs, prism.DocumentIndexing)
        docs.create_index("people", ["email"])


class Raw:
    def __init__(self, pool: psycopg_pool.ConnectionPool[Any], st: Statements) -> None:
        self.pool, self.st = pool, st

    def set(self) -> None:
        with self.pool.connection() as conn:
            conn.execute(self.st.kv["set"], ("k", VALUE, None))

    def get(self) -> bytes:
        with self.pool.connection() as conn:
            row = conn.execute(self.st.kv["get"], ("k",)).fetchone()
        assert row is not None
        return bytes(row[0])

    def set_many(self) -> None:
        with self.pool.connection() as conn:
            conn.execute(self.st.kv["set_many"], (list(BATCH), list(BATCH.values())))

    def get_many(self) -> dict[str, bytes]:
        with self.pool.connection() as conn:
            rows = conn.execute(self.st.kv["get_many"], (KEYS,)).fetchall()
        return {k: bytes(v) for k, v in rows}

    def enqueue(self) -> None:
        with self.pool.connection() as conn:
            conn.execute(self.st.q["enqueue"], (uuid.uuid4().hex, "q", VALUE, None, 0, None, None))

    def receive_ack(self) -> None:
        receipt = uuid.uuid4().hex
        with self.pool.connection() as conn:
            with conn.pipeline():
                conn.execute(self.st.q["settle"])
                cur = conn.execute(self.st.q["receive"], ("q", receipt, 30.0))
            row = cur.fetchall()[0]
        with self.pool.connection() as conn:
            assert conn.execute(self.st.q["ack"], (row[0], receipt)).rowcount == 1

    def find(self) -> list[Any]:
        with self.pool.connection() as conn:
            with conn.pipeline():
                lossy = conn.execute(self.st.lossy)
                main = conn.execute(self.st.find, [*self.st.find_params, None, 0])
            assert not lossy.fetchall()
            return [json.loads(r) for (r,) in main.fetchall()]


class AsyncRaw:
    def __init__(self, pool: psycopg_pool.AsyncConnectionPool[Any], st: Statements) -> None:
        self.pool, self.st = pool, st

    async def set(self) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(self.st.kv["set"], ("k", VALUE, None))

    async def get(self) -> bytes:
        async with self.pool.connection() as conn:
            row = await (await conn.execute(self.st.kv["get"], ("k",))).fetchone()
        assert row is not None
        return bytes(row[0])

    async def set_many(self) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(self.st.kv["set_many"], (list(BATCH), list(BATCH.values())))

    async def get_many(self) -> dict[str, bytes]:
        async with self.pool.connection() as conn:
            cur = await conn.execute(self.st.kv["get_many"], (KEYS,))
            rows = await cur.fetchall()
        return {k: bytes(v) for k, v in rows}

    async def enqueue(self) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                self.st.q["enqueue"], (uuid.uuid4().hex, "q", VALUE, None, 0, None, None)
            )

    async def receive_ack(self) -> None:
        receipt = uuid.uuid4().hex
        async with self.pool.connection() as conn:
            async with conn.pipeline():
                await conn.execute(self.st.q["settle"])
                cur = await conn.execute(self.st.q["receive"], ("q", receipt, 30.0))
            row = (await cur.fetchall())[0]
        async with self.pool.connection() as conn:
            cur = await conn.execute(self.st.q["ack"], (row[0], receipt))
            assert cur.rowcount == 1

    async def find(self) -> list[Any]:
        async with self.pool.connection() as conn:
            async with conn.pipeline():
                lossy = await conn.execute(self.st.lossy)
                main = await conn.execute(self.st.find, [*self.st.find_params, None, 0])
            assert not await lossy.fetchall()
            return [json.loads(r) for (r,) in await main.fetchall()]


def _pool_kwargs() -> dict[str, Any]:
    return {"kwargs": {"autocommit": True}, "min_size": 1, "max_size": 4, "open": False}


def run_sync(url: str) -> list[Result]:
    setup_namespace(url, "bench-raw-sync")
    pool: psycopg_pool.ConnectionPool[Any] = psycopg_pool.ConnectionPool(url, **_pool_kwargs())
    pool.open(wait=True)
    raw = Raw(pool, Statements("bench-raw-sync"))
    setup_namespace(url, "bench-prism-sync")
    results = []
    with prism.open("bench-prism-sync", config=config(url)) as ns:
        kv, q, docs = ns.keyvalue, ns.queue, ns.document
        assert isinstance(q, prism.QueueVisibility)
        assert isinstance(kv, prism.KeyValueBatch)
        assert isinstance(docs, prism.DocumentQuery)

        def receive_ack() -> None:
            lease = q.receive("q")
            assert lease is not None
            q.ack(lease)

        cases = [
            ("keyvalue.set", lambda: kv.set("k", VALUE), raw.set, N),
            ("keyvalue.get", lambda: kv.get("k"), raw.get, N),
            ("keyvalue.set_many x100", lambda: kv.set_many(BATCH), raw.set_many, N_BATCH),
            ("keyvalue.get_many x100", lambda: kv.get_many(KEYS), raw.get_many, N_BATCH),
            ("queue.enqueue", lambda: q.enqueue("q", VALUE), raw.enqueue, N),
            ("queue.receive+ack", receive_ack, raw.receive_ack, N),
            ("document.find by indexed field", lambda: docs.find("people", {"email": "u7@x"}),
             raw.find, N),
        ]  # fmt: skip
        for name, mine, theirs, n in cases:
            if name == "queue.receive+ack":  # both queues hold enough messages
                for _ in range(n * (ROUNDS + 1)):
                    q.enqueue("q", VALUE)
                    raw.enqueue()
            results.append(compare(f"postgres {name} (sync)", mine, theirs, n=n, rounds=ROUNDS))
        client_cpu({"keyvalue.get": (lambda: kv.get("k"), raw.get),
                    "keyvalue.set": (lambda: kv.set("k", VALUE), raw.set)})  # fmt: skip
    pool.close()
    return results


def client_cpu(cases: dict[str, tuple[Callable[[], object], Callable[[], object]]]) -> None:
    """Print the client CPU time per call (``time.process_time``) of each side: prism's own
    cost without the server's round trip and the scheduling noise of a shared machine."""
    for name, (mine, theirs) in cases.items():
        spent: tuple[list[float], list[float]] = ([], [])
        for _ in range(ROUNDS):
            for fn, out in ((mine, spent[0]), (theirs, spent[1])):
                started = time.process_time()
                for _ in range(N):
                    fn()
                out.append((time.process_time() - started) / N * 1e6)
        a, b = statistics.median(spent[0]), statistics.median(spent[1])
        print(f"postgres {name} (sync) client CPU per call: prism {a:.1f} us, raw {b:.1f} us")


async def run_async(url: str) -> list[Result]:
    setup_namespace(url, "bench-raw-async")
    pool: psycopg_pool.AsyncConnectionPool[Any] = psycopg_pool.AsyncConnectionPool(
        url, **_pool_kwargs()
    )
    await pool.open(wait=True)
    raw = AsyncRaw(pool, Statements("bench-raw-async"))
    setup_namespace(url, "bench-prism-async")
    results = []
    async with await prism.open_async("bench-prism-async", config=config(url)) as ns:
        kv, q, docs = ns.keyvalue, ns.queue, ns.document
        assert isinstance(q, prism.AsyncQueueVisibility)
        assert isinstance(kv, prism.AsyncKeyValueBatch)
        assert isinstance(docs, prism.AsyncDocumentQuery)

        async def receive_ack() -> None:
            lease = await q.receive("q")
            assert lease is not None
            await q.ack(lease)

        cases = [
            ("keyvalue.set", lambda: kv.set("k", VALUE), raw.set, N),
            ("keyvalue.get", lambda: kv.get("k"), raw.get, N),
            ("keyvalue.set_many x100", lambda: kv.set_many(BATCH), raw.set_many, N_BATCH),
            ("keyvalue.get_many x100", lambda: kv.get_many(KEYS), raw.get_many, N_BATCH),
            ("queue.enqueue", lambda: q.enqueue("q", VALUE), raw.enqueue, N),
            ("queue.receive+ack", receive_ack, raw.receive_ack, N),
            ("document.find by indexed field", lambda: docs.find("people", {"email": "u7@x"}),
             raw.find, N),
        ]  # fmt: skip
        for name, mine, theirs, n in cases:
            if name == "queue.receive+ack":
                for _ in range(n * (ROUNDS + 1)):
                    await q.enqueue("q", VALUE)
                    await raw.enqueue()
            results.append(
                await compare_async(f"postgres {name} (async)", mine, theirs, n=n, rounds=ROUNDS)
            )
    await pool.close()
    return results


def main() -> None:
    started = time.perf_counter()
    url = env_url("postgres")
    server = None
    if url is None:
        server = start_postgres()
        url = server.url
    try:
        results = run_sync(url)
        results += asyncio.run(run_async(url))
    finally:
        if server is not None:
            server.stop()
    report("postgres vs raw psycopg, same statements (ratio = prism time / baseline time)", results)
    print(f"(took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
