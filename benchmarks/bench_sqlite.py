"""sqlite keyvalue get/set and queue enqueue / receive+ack, sync and async, against raw
``sqlite3`` doing the same work on the same kind of file.

Both sides use a file in WAL mode with ``synchronous=NORMAL``, autocommit plus ``BEGIN
IMMEDIATE`` for multi-statement writes, and prism's own table layout (the baseline file is
created by prism, then driven with hand-written SQL).  The raw async baseline hops the same
``sqlite3`` call to one worker thread, as prism's async flavour does, in two ways: first
``loop.run_in_executor`` on a single-thread executor (what asyncio code usually writes), then
the hop prism itself uses (the shared bridge, ``prism.backends.WorkerPool`` of one thread),
which leaves only prism's own work in the ratio.  The async rows run on one CPU
(``one_cpu``).  A last pair measures four threads reading at once: prism's sync flavour (one
connection behind a lock) against raw ``sqlite3`` with one connection per thread.

Run: python -m benchmarks.bench_sqlite [DIR]    (the files go to a temporary folder in DIR,
default the system's temporary directory; a tmpfs such as /dev/shm takes fsync out of the
figures, leaving what prism's layers cost)
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import prism
from benchmarks._harness import Result, compare, compare_async, one_cpu, report
from prism.backends import WorkerPool

VALUE = b"v" * 100
N_SYNC = 15_000
N_ASYNC = 3_000
N_QUEUE = 3_000
ROUNDS = 5
SAME_HOP = "  … against raw on prism's own hop"
NS = "bench"


def config(path: Path) -> dict[str, Any]:
    return {
        "backends": {"s": {"type": "sqlite", "connection": str(path)}},
        "default_backend": "s",
    }


def raw_connect(path: Path) -> sqlite3.Connection:
    """A connection configured as prism configures its own."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def prepare_baseline_file(path: Path) -> None:
    """Let prism create its tables in the baseline's file, then leave it to raw sqlite3."""
    with prism.open(NS, config=config(path)):
        pass


class Raw:
    """Hand-written SQL doing what prism's keyvalue and queue operations do."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def set(self, key: str, value: bytes) -> None:
        self.conn.execute(
            "INSERT INTO prism_kv (ns, key, value, expires, version) "
            "VALUES (?, ?, ?, NULL, random()) ON CONFLICT (ns, key) DO UPDATE SET "
            "value = excluded.value, expires = NULL, version = excluded.version",
            (NS, key, value),
        )

    def get(self, key: str) -> bytes:
        row = self.conn.execute(
            "SELECT value FROM prism_kv WHERE ns = ? AND key = ? "
            "AND (expires IS NULL OR expires > ?)",
            (NS, key, time.time()),
        ).fetchone()
        return row[0]  # type: ignore[no-any-return]

    def enqueue(self, payload: bytes) -> str:
        msg_id = uuid.uuid4().hex
        now = time.time()
        self.conn.execute(
            "INSERT INTO prism_queue (ns, id, queue, payload, headers, priority, enqueued_at, "
            "due, attempts) VALUES (?, ?, 'q', ?, NULL, 0, ?, ?, 0)",
            (NS, msg_id, payload, now, now),
        )
        return msg_id

    def receive(self) -> tuple[int, str]:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        now = time.time()
        # the message itself is read, as a receive must (until 2026-12-01 this read only
        # ``seq``, leaving the payload and the other columns prism returns unread); prism also
        # hands lapsed leases back first (one indexed SELECT), which this baseline does not
        row = conn.execute(
            "SELECT seq, id, queue, payload, headers, priority, enqueued_at, attempts "
            "FROM prism_queue WHERE ns = ? AND queue = 'q' AND receipt IS NULL "
            "AND due <= ? ORDER BY priority DESC, seq LIMIT 1",
            (NS, now),
        ).fetchone()
        receipt = uuid.uuid4().hex
        conn.execute(
            "UPDATE prism_queue SET receipt = ?, deadline = ?, attempts = attempts + 1 "
            "WHERE seq = ?",
            (receipt, now + 30, row[0]),
        )
        conn.execute("COMMIT")
        return row[0], receipt

    def ack(self, seq: int, receipt: str) -> None:
        deleted = self.conn.execute(
            "DELETE FROM prism_queue WHERE seq = ? AND receipt = ? AND deadline > ?",
            (seq, receipt, time.time()),
        ).rowcount
        assert deleted == 1

    def receive_ack(self) -> None:
        self.ack(*self.receive())


def run_sync(tmp: Path) -> list[Result]:
    base_path = tmp / "raw-sync.db"
    prepare_baseline_file(base_path)
    raw = Raw(raw_connect(base_path))
    with prism.open(NS, config=config(tmp / "prism-sync.db")) as ns:
        kv, q = ns.keyvalue, ns.queue
        assert isinstance(q, prism.QueueVisibility)
        kv.set("k", VALUE)
        raw.set("k", VALUE)
        results = [
            compare(
                "sqlite keyvalue.set (sync)",
                lambda: kv.set("k", VALUE),
                lambda: raw.set("k", VALUE),
                n=N_SYNC,
                rounds=ROUNDS,
            ),
            compare(
                "sqlite keyvalue.get (sync)",
                lambda: kv.get("k"),
                lambda: raw.get("k"),
                n=N_SYNC,
                rounds=ROUNDS,
            ),
            compare(
                "sqlite queue.enqueue (sync)",
                lambda: q.enqueue("q", VALUE),
                lambda: raw.enqueue(VALUE),
                n=N_QUEUE,
                rounds=ROUNDS,
            ),
        ]

        def prism_receive_ack() -> None:
            lease = q.receive("q")
            assert lease is not None
            q.ack(lease)

        results.append(
            compare(
                "sqlite queue.receive+ack (sync)",
                prism_receive_ack,
                raw.receive_ack,
                n=N_QUEUE,
                rounds=ROUNDS,
            )
        )
    raw.conn.close()
    return results


async def run_async(tmp: Path) -> list[Result]:
    base_path = tmp / "raw-async.db"
    prepare_baseline_file(base_path)
    loop = asyncio.get_running_loop()
    worker = ThreadPoolExecutor(max_workers=1)
    pool = WorkerPool("bench-raw", max_workers=1)
    raw = Raw(await loop.run_in_executor(worker, raw_connect, base_path))
    Hop = Callable[..., Awaitable[Any]]

    def executor_hop(fn: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        return loop.run_in_executor(worker, fn, *args)

    async def case(
        name: str, mine: Callable[[], Awaitable[Any]], theirs: Callable[[Hop], Any]
    ) -> list[Result]:
        """Two rows: raw over ``run_in_executor`` (what asyncio users write), then raw over the
        hop prism uses (the shared bridge), which leaves only prism's own work in the ratio."""
        return [
            await compare_async(
                name,
                mine,
                lambda: theirs(executor_hop),
                n=N_ASYNC,
                rounds=ROUNDS,
            ),
            await compare_async(
                SAME_HOP,
                mine,
                lambda: theirs(pool.run),
                n=N_ASYNC,
                rounds=ROUNDS,
            ),
        ]

    async with await prism.open_async(NS, config=config(tmp / "prism-async.db")) as ns:
        kv, q = ns.keyvalue, ns.queue
        assert isinstance(q, prism.AsyncQueueVisibility)
        await kv.set("k", VALUE)
        await executor_hop(raw.set, "k", VALUE)

        async def prism_receive_ack() -> None:
            lease = await q.receive("q")
            assert lease is not None
            await q.ack(lease)

        async def raw_receive_ack(hop: Hop) -> None:  # two hops, like prism's receive and ack
            seq, receipt = await hop(raw.receive)
            await hop(raw.ack, seq, receipt)

        results = [
            *await case(
                "sqlite keyvalue.set (async)",
                lambda: kv.set("k", VALUE),
                lambda hop: hop(raw.set, "k", VALUE),
            ),
            *await case(
                "sqlite keyvalue.get (async)", lambda: kv.get("k"), lambda hop: hop(raw.get, "k")
            ),
            *await case(
                "sqlite queue.enqueue (async)",
                lambda: q.enqueue("q", VALUE),
                lambda hop: hop(raw.enqueue, VALUE),
            ),
            *await case("sqlite queue.receive+ack (async)", prism_receive_ack, raw_receive_ack),
        ]
    await executor_hop(raw.conn.close)
    worker.shutdown()
    pool.close()
    return results


def _threads_rate(
    threads: int, per_thread: int, setup: Callable[[], Callable[[], object]]
) -> float:
    """ops/s of ``threads`` threads each calling the function ``setup()`` gives them."""
    ready = threading.Barrier(threads + 1)
    done = threading.Barrier(threads + 1)

    def work() -> None:
        fn = setup()
        ready.wait()
        for _ in range(per_thread):
            fn()
        done.wait()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    ready.wait()
    start = time.perf_counter()
    done.wait()
    elapsed = time.perf_counter() - start
    for t in pool:
        t.join()
    return threads * per_thread / elapsed


def run_threads(tmp: Path, threads: int = 4, per_thread: int = 10_000) -> Result:
    prism_path, raw_path = tmp / "prism-threads.db", tmp / "raw-threads.db"
    prepare_baseline_file(raw_path)
    Raw(raw_connect(raw_path)).set("k", VALUE)
    with prism.open(NS, config=config(prism_path)) as ns:
        kv = ns.keyvalue
        kv.set("k", VALUE)

        def prism_setup() -> Callable[[], object]:
            return lambda: kv.get("k")

        def raw_setup() -> Callable[[], object]:
            raw = Raw(raw_connect(raw_path))  # one connection per thread
            return lambda: raw.get("k")

        a = [_threads_rate(threads, per_thread, prism_setup) for _ in range(3)]
        b = [_threads_rate(threads, per_thread, raw_setup) for _ in range(3)]
    name = f"sqlite keyvalue.get, {threads} threads (sync)"
    return Result(name, sorted(a)[1], sorted(b)[1])


def main() -> None:
    started = time.perf_counter()
    where = sys.argv[1] if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory(prefix="prism-bench-sqlite-", dir=where) as tmp:
        results = run_sync(Path(tmp))
        with one_cpu():  # the async rows hop between threads: see one_cpu
            results += asyncio.run(run_async(Path(tmp)))
        results.append(run_threads(Path(tmp)))
    report(
        f"sqlite vs raw sqlite3 on the same kind of file in {where or tempfile.gettempdir()} "
        "(ratio = prism time / baseline time)",
        results,
    )
    print(f"(took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
