"""Patterns: the multicast registry, claim-check and the outbox, against their goals.

* enumerate 1,000 registered identities with a filter (goal < 5 ms) and multicast to 1,000
  listening identities (goal < 20 ms), on memstore (document and keyvalue registry) and redis;
* claim-check of a 100 MB payload (queue on memstore, storage on redis) against writing the
  same payload to the same store directly (goal <= 1.10x);
* outbox: transactions that write a key and stage a message, plus the relay publishing them,
  against transactions that only write the key (sqlite database and queue).

Starts its own redis-server (``PRISM_TEST_REDIS_URL`` is used instead when set) and
nats-server.  Run: python -m benchmarks.bench_patterns [multicast] [claim-check] [outbox]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import prism
from prism.backends.nats._testing import start_nats
from prism.backends.redis._testing import start_redis
from prism.testing.servers import env_url

IDENTITIES = 1000
BIG = 100 * 1024 * 1024


def _median_ms(fn: Callable[[], object], rounds: int) -> float:
    return _timed(fn, rounds)[0]


def _timed(fn: Callable[[], object], rounds: int) -> tuple[float, float]:
    """(median wall ms, minimum CPU ms of this process) over ``rounds`` calls after a warm-up."""
    fn()  # warm-up
    times, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - start_cpu)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, min(cpu) * 1000


def _mcast_config(
    registry: dict[str, Any], messaging: dict[str, Any], store: str
) -> dict[str, Any]:
    return {
        "backends": {"reg": registry, "msg": messaging},
        "namespaces": {
            "fleet": {
                "pattern": "multicast-registry",
                "slots": {"registry": {"backend": "reg"}, "messaging": {"backend": "msg"}},
                "options": {"store": store},
            }
        },
    }


def bench_multicast(label: str, config: dict[str, Any]) -> list[str]:
    with prism.open("fleet", config=config) as opened:
        ns: Any = opened
        for i in range(IDENTITIES):
            kind = "sensor" if i % 2 else "camera"
            ns.register(f"dev-{i}", {"kind": kind, "floor": i % 10}, listening=True)
        where = {"kind": "sensor", "floor": {"$gte": 5}}
        assert len(ns.enumerate(where)) == 300
        everyone = {"floor": {"$gte": 0}}
        assert ns.multicast(everyone, b"ping").delivered == IDENTITIES
        enum_ms, enum_cpu = _timed(lambda: ns.enumerate(where), 15)
        all_ms = _median_ms(ns.enumerate, 15)
        mcast_ms, mcast_cpu = _timed(lambda: ns.multicast(everyone, b"ping"), 9)
        for i in range(IDENTITIES):
            ns.deregister(f"dev-{i}")
    return [
        (
            f"{label:<34} enumerate 1,000 (filter, 300 match) {enum_ms:7.2f} ms "
            f"(cpu min {enum_cpu:5.2f})   (no filter {all_ms:6.2f} ms)   "
            f"multicast to 1,000 {mcast_ms:7.2f} ms (cpu min {mcast_cpu:5.2f})"
        )
    ]


def bench_claim_check(redis_url: str) -> list[str]:
    storage = {"type": "redis", "connection": redis_url}
    config = {
        "backends": {"mem": {"type": "memstore", "connection": "memory://bench-cc"}, "r": storage},
        "namespaces": {
            "videos": {
                "pattern": "claim-check",
                "slots": {"messaging": {"backend": "mem"}, "storage": {"backend": "r"}},
            },
            "direct": {"backend": "r"},
        },
    }
    payload = os.urandom(1024) * (BIG // 1024)
    with prism.open("videos", config=config) as opened, prism.open("direct", config=config) as kv:
        ns: Any = opened

        def claim() -> None:
            ns.queue.enqueue("big", payload)
            message = ns.queue.dequeue("big")  # receive too, and delete the object
            assert message is not None

        def claim_send_only() -> None:
            ns.queue.enqueue("big", payload)

        def direct() -> None:
            kv.keyvalue.set("direct-" + uuid.uuid4().hex[:8], payload)

        def direct_get() -> None:
            key = "direct-" + uuid.uuid4().hex[:8]
            kv.keyvalue.set(key, payload)
            assert kv.keyvalue.get(key) == payload
            kv.keyvalue.delete(key)

        rounds = 5
        a, b, c, d = [], [], [], []
        for _ in range(rounds):  # interleaved, so drift hits both sides
            a.append(_median_ms(claim_send_only, 1))
            b.append(_median_ms(direct, 1))
            c.append(_median_ms(claim, 1))
            d.append(_median_ms(direct_get, 1))
        while ns.queue.dequeue("big") is not None:
            pass
        send, plain = statistics.median(a), statistics.median(b)
        trip, plain_trip = statistics.median(c), statistics.median(d)
        ns.runtime.collect_orphans(older_than=0)
    return [
        (
            f"claim-check 100 MB send (memstore queue, redis store) {send:8.1f} ms   "
            f"direct set {plain:8.1f} ms   ratio {send / plain:5.2f}x"
        ),
        (
            f"claim-check 100 MB send+receive                       {trip:8.1f} ms   "
            f"direct set+get+delete {plain_trip:8.1f} ms   ratio {trip / plain_trip:5.2f}x"
        ),
    ]


def bench_outbox(workdir: Path) -> list[str]:
    db = {"type": "sqlite", "connection": f"sqlite:///{workdir / 'outbox.db'}"}
    config = {
        "backends": {"db": db},
        "namespaces": {
            "orders": {
                "pattern": "outbox",
                "slots": {"database": {"backend": "db"}, "messaging": {"backend": "db"}},
                "options": {"relay_batch": 500},
            },
            "plain": {"backend": "db"},
        },
    }
    n = 500
    with prism.open("orders", config=config) as opened, prism.open("plain", config=config) as other:
        ns: Any = opened
        plain: Any = other

        def outbox_round() -> None:
            for i in range(n):
                with ns.transaction() as tx:
                    tx.set(f"order/{i}", b"paid")
                    tx.enqueue("emails", b"receipt")
            while ns.run_once():
                pass

        def plain_round() -> None:
            for i in range(n):
                with plain.keyvalue.begin() as tx:
                    tx.set(f"order/{i}", b"paid")

        def commit_only() -> None:
            for i in range(n):
                with ns.transaction() as tx:
                    tx.set(f"order/{i}", b"paid")
                    tx.enqueue("emails", b"receipt")

        o = _median_ms(outbox_round, 3)
        p = _median_ms(plain_round, 3)
        c = _median_ms(commit_only, 3)
        while ns.run_once():
            pass
    return [
        (
            f"outbox commit+relay (sqlite)  {n / o * 1000:8.0f} msg/s   commit only "
            f"{n / c * 1000:8.0f} tx/s   plain commit {n / p * 1000:8.0f} tx/s   "
            f"ratio {o / p:5.2f}x (commit only {c / p:5.2f}x)"
        )
    ]


def main() -> None:
    cases = set(sys.argv[1:]) or {"multicast", "claim-check", "outbox"}
    lines: list[str] = []
    mem = {"type": "memstore", "connection": "memory://bench-mcast"}
    if "multicast" in cases:
        lines += bench_multicast(
            "memstore (document registry)", _mcast_config(mem, mem, "document")
        )
        lines += bench_multicast(
            "memstore (keyvalue registry)", _mcast_config(mem, mem, "keyvalue")
        )
    url = env_url("redis")
    with tempfile.TemporaryDirectory(prefix="bench-patterns-") as workdir:
        server = None
        if url is None and cases & {"multicast", "claim-check"}:
            server = start_redis(Path(workdir))
            url = server.url
        try:
            redis = {"type": "redis", "connection": url}
            if "multicast" in cases:
                lines += bench_multicast(
                    "redis (keyvalue registry, pubsub)", _mcast_config(redis, redis, "keyvalue")
                )
                nats_server = start_nats()
                try:
                    nats = {"type": "nats", "connection": nats_server.url}
                    lines += bench_multicast(
                        "redis registry, nats pubsub", _mcast_config(redis, nats, "keyvalue")
                    )
                finally:
                    nats_server.stop()
            if "claim-check" in cases:
                lines += bench_claim_check(str(url))
        finally:
            if server is not None:
                server.stop()
        if "outbox" in cases:
            lines += bench_outbox(Path(workdir))
    for line in lines:
        print(line)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
