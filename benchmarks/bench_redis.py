"""redis: prism against the raw redis-py client on the same server, same operations.

keyvalue get, set, set_many / get_many (batches of 100), pubsub publish, stream append, stream
consume + ack (10 records a round), queue enqueue and queue receive + ack, and a replay of
1,000 stream records (XRANGE pages of 100; raw reads each payload), sync and async.
The raw client uses the very Redis keys and channel prism uses, and for streams and queues runs
the very Lua scripts prism runs (EVALSHA with the same text, keys and arguments), so the
difference is prism's own work (argument checks, key prefixing, building the records and
leases, error translation).  get_many has a second baseline: raw MGET turned into the dict
prism returns (the caller's keys to the values present).  Starts its own redis-server (``PRISM_TEST_REDIS_URL`` is used
instead when set).  Goal: ratio <= 1.10.

Run: python -m benchmarks.bench_redis
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

import redis
import redis.asyncio

import prism
from benchmarks._harness import Result, compare, compare_async, pin_apart, report
from prism.backends.redis._async import queue as queue_impl
from prism.backends.redis._async import stream as stream_impl
from prism.backends.redis._keys import model_prefix, namespace_tag
from prism.backends.redis._testing import start_redis
from prism.testing.servers import env_url

NAMESPACE = "bench"
VALUE = b"v" * 100
BATCH = 100


def _as_dict(values: list[Any]) -> dict[str, bytes]:
    """What ``get_many`` returns, built from MGET's reply: the caller's keys to the values
    present.  The second get_many baseline, a raw caller wanting that shape (the headline row
    keeps the bare MGET list)."""
    return {k: v for k, v in zip(KEYS, values, strict=True) if v is not None}


async def _as_dict_async(reply: Any) -> dict[str, bytes]:
    return _as_dict(await reply)


def _config(url: str) -> dict[str, Any]:
    return {"backends": {"r": {"type": "redis", "connection": url}}, "default_backend": "r"}


def _raw_key(model: str, key: str) -> bytes:
    return model_prefix("prism", NAMESPACE, model) + key.encode()


KEYS = [f"batch:{i:03d}" for i in range(BATCH)]
ITEMS = dict.fromkeys(KEYS, VALUE)
RAW_KEYS = [_raw_key("keyvalue", k) for k in KEYS]
RAW_ITEMS = dict.fromkeys(RAW_KEYS, VALUE)
RAW_K = _raw_key("keyvalue", "k")
RAW_CHANNEL = _raw_key("pubsub", "bench.topic")

# streams and queues get a namespace of their own per run (records and messages pile up)
SQ_NAMESPACE = f"bench-sq-{uuid.uuid4().hex[:8]}"
RAW_STREAM = model_prefix("prism", SQ_NAMESPACE, "stream") + b"log"
RAW_QUEUE_KEYS = [model_prefix("prism", SQ_NAMESPACE, "queue") + part for part in queue_impl._PARTS]
RAW_WAKE = namespace_tag("prism", SQ_NAMESPACE) + b":queue.wake:"
APPEND = stream_impl._APPEND
CONSUME = stream_impl._CONSUME
ENQUEUE = queue_impl._ENQUEUE
TAKE = queue_impl._TAKE
SETTLE = queue_impl._SETTLE
CONSUME_BATCH = 10
ROUNDS = 28
"""Paired rounds per row: 28 short ones (each a quarter of the calls a round had until
2026-12-01, when a row ran 7 rounds), so that a slow patch of the shared machine falls
inside one pair of a round more often than across the two sides: three runs of the same
code then gave, for instance, get_many x100 1.08, 1.09, 1.09 against 1.11, 1.09, 1.17."""
REPLAY = 1000
"""Records a replay row reads: the first REPLAY records of the stream, in pages of 100."""


def _raw_replay(raw: Any) -> int:
    """Raw XRANGE pages of 100 from the start of the stream until REPLAY records, reading each
    record's payload (what a reader does at the least); returns the bytes read."""
    seen, size, start = 0, 0, b"-"
    while seen < REPLAY:
        page = raw.xrange(RAW_STREAM, min=start, max=b"+", count=100)
        for _entry_id, fields in page:
            size += len(fields[b"p"])
        seen += len(page)
        start = b"(" + page[-1][0]
    return size


async def _raw_replay_async(raw: Any) -> int:
    seen, size, start = 0, 0, b"-"
    while seen < REPLAY:
        page = await raw.xrange(RAW_STREAM, min=start, max=b"+", count=100)
        for _entry_id, fields in page:
            size += len(fields[b"p"])
        seen += len(page)
        start = b"(" + page[-1][0]
    return size


HOLD_US = 30_000_000  # a 30 s lease


def _prefill(url: str, records: int, messages: int) -> None:
    """Append ``records`` records to each of two streams' worth of work and enqueue
    ``messages`` messages (through the same scripts), so consume and receive never run dry."""
    raw = redis.Redis.from_url(url)
    try:
        pipe = raw.pipeline(transaction=False)
        for i in range(records):
            pipe.evalsha(APPEND.sha, 1, RAW_STREAM, VALUE, "")
            if i % 1000 == 999:
                pipe.execute()
        for i in range(messages):
            pipe.evalsha(ENQUEUE.sha, 8, *RAW_QUEUE_KEYS, RAW_WAKE, b"work", VALUE, "", 0, "", "")
            if i % 1000 == 999:
                pipe.execute()
        pipe.execute()
        raw.xgroup_create(RAW_STREAM, "g", id="0")
    finally:
        raw.close()


def _load_scripts(url: str) -> None:
    raw = redis.Redis.from_url(url)
    try:
        for script in (APPEND, CONSUME, ENQUEUE, TAKE, SETTLE):
            raw.script_load(script.text)
    finally:
        raw.close()


def run_sync(url: str) -> list[Result]:
    raw = redis.Redis.from_url(url)
    with prism.open(NAMESPACE, config=_config(url)) as ns:
        kv: Any = ns.keyvalue
        ps = ns.pubsub
        kv.set("k", VALUE)
        try:
            return [
                compare(
                    "redis keyvalue.get (sync)",
                    lambda: kv.get("k"),
                    lambda: raw.get(RAW_K),
                    n=750,
                    rounds=ROUNDS,
                ),
                compare(
                    "redis keyvalue.set (sync)",
                    lambda: kv.set("k", VALUE),
                    lambda: raw.set(RAW_K, VALUE),
                    n=750,
                    rounds=ROUNDS,
                ),
                compare(
                    "redis keyvalue.set_many x100 (sync)",
                    lambda: kv.set_many(ITEMS),
                    lambda: raw.mset(RAW_ITEMS),
                    n=150,
                    rounds=ROUNDS,
                ),
                compare(
                    "redis keyvalue.get_many x100 (sync)",
                    lambda: kv.get_many(KEYS),
                    lambda: raw.mget(RAW_KEYS),
                    n=150,
                    rounds=ROUNDS,
                ),
                compare(
                    "  … against raw building the same dict",
                    lambda: kv.get_many(KEYS),
                    lambda: _as_dict(raw.mget(RAW_KEYS)),
                    n=150,
                    rounds=ROUNDS,
                ),
                compare(
                    "redis pubsub.publish (sync)",
                    lambda: ps.publish("bench.topic", VALUE),
                    lambda: raw.publish(RAW_CHANNEL, VALUE),
                    n=750,
                    rounds=ROUNDS,
                ),
                *_stream_queue_sync(url, raw),
            ]
        finally:
            raw.close()


def _stream_queue_sync(url: str, raw: Any) -> list[Result]:
    with prism.open(SQ_NAMESPACE, config=_config(url)) as ns:
        s: Any = ns.stream
        q: Any = ns.queue

        def consume_ack() -> None:
            got = s.consume("log", "g", "prism", max_count=CONSUME_BATCH)
            s.ack("log", "g", [r.offset for r in got])

        def raw_consume_ack() -> None:
            got, _ = raw.evalsha(CONSUME.sha, 1, RAW_STREAM, b"g", b"raw", CONSUME_BATCH, 30_000)
            raw.xack(RAW_STREAM, b"g", *[entry[0] for entry in got])

        def receive_ack() -> None:
            q.ack(q.receive("work", visibility_timeout=30))

        last = s.read("log", max_count=REPLAY)[-1].offset

        def replay() -> int:  # the same loop as the raw side's
            size = 0
            for record in s.replay_range("log", 0, last):
                size += len(record.payload)
            return size

        def raw_receive_ack() -> None:
            receipt = os.urandom(8).hex()
            row = raw.evalsha(
                TAKE.sha, 8, *RAW_QUEUE_KEYS, RAW_WAKE, b"work", b"r", HOLD_US, receipt
            )
            raw.evalsha(SETTLE.sha, 8, *RAW_QUEUE_KEYS, RAW_WAKE, b"a", row[0], row[7], 0)

        return [
            compare(
                "redis stream.append (sync)",
                lambda: s.append("log", VALUE),
                lambda: raw.evalsha(APPEND.sha, 1, RAW_STREAM, VALUE, ""),
                n=500,
                rounds=ROUNDS,
            ),
            compare(
                f"redis stream.consume+ack x{CONSUME_BATCH} (sync)",
                consume_ack,
                raw_consume_ack,
                n=125,
                rounds=ROUNDS,
            ),
            compare(
                "redis queue.enqueue (sync)",
                lambda: q.enqueue("jobs", VALUE),
                lambda: raw.evalsha(
                    ENQUEUE.sha, 8, *RAW_QUEUE_KEYS, RAW_WAKE, b"jobs", VALUE, "", 0, "", ""
                ),
                n=500,
                rounds=ROUNDS,
            ),
            compare(
                "redis queue.receive+ack (sync)", receive_ack, raw_receive_ack, n=250, rounds=ROUNDS
            ),
            compare(
                f"redis stream.replay_range x{REPLAY} (sync)",
                replay,
                lambda: _raw_replay(raw),
                n=10,
                rounds=ROUNDS,
            ),
        ]


async def run_async(url: str) -> list[Result]:
    raw = redis.asyncio.Redis.from_url(url)
    async with await prism.open_async(NAMESPACE, config=_config(url)) as ns:
        kv: Any = ns.keyvalue
        ps = ns.pubsub
        await kv.set("k", VALUE)
        try:
            return [
                await compare_async(
                    "redis keyvalue.get (async)",
                    lambda: kv.get("k"),
                    lambda: raw.get(RAW_K),
                    n=500,
                    rounds=ROUNDS,
                ),
                await compare_async(
                    "redis keyvalue.set (async)",
                    lambda: kv.set("k", VALUE),
                    lambda: raw.set(RAW_K, VALUE),
                    n=500,
                    rounds=ROUNDS,
                ),
                await compare_async(
                    "redis keyvalue.set_many x100 (async)",
                    lambda: kv.set_many(ITEMS),
                    lambda: raw.mset(RAW_ITEMS),
                    n=125,
                    rounds=ROUNDS,
                ),
                await compare_async(
                    "redis keyvalue.get_many x100 (async)",
                    lambda: kv.get_many(KEYS),
                    lambda: raw.mget(RAW_KEYS),
                    n=125,
                    rounds=ROUNDS,
                ),
                await compare_async(
                    "  … against raw building the same dict",
                    lambda: kv.get_many(KEYS),
                    lambda: _as_dict_async(raw.mget(RAW_KEYS)),
                    n=125,
                    rounds=ROUNDS,
                ),
                await compare_async(
                    "redis pubsub.publish (async)",
                    lambda: ps.publish("bench.topic", VALUE),
                    lambda: raw.publish(RAW_CHANNEL, VALUE),
                    n=500,
                    rounds=ROUNDS,
                ),
                *await _stream_queue_async(url, raw),
            ]
        finally:
            await raw.aclose()


async def _stream_queue_async(url: str, raw: Any) -> list[Result]:
    async with await prism.open_async(SQ_NAMESPACE, config=_config(url)) as ns:
        s: Any = ns.stream
        q: Any = ns.queue

        async def consume_ack() -> None:
            got = await s.consume("log", "g", "prism-async", max_count=CONSUME_BATCH)
            await s.ack("log", "g", [r.offset for r in got])

        async def raw_consume_ack() -> None:
            got, _ = await raw.evalsha(
                CONSUME.sha, 1, RAW_STREAM, b"g", b"raw-async", CONSUME_BATCH, 30_000
            )
            await raw.xack(RAW_STREAM, b"g", *[entry[0] for entry in got])

        async def receive_ack() -> None:
            await q.ack(await q.receive("work", visibility_timeout=30))

        last = (await s.read("log", max_count=REPLAY))[-1].offset

        async def replay() -> int:
            size = 0
            async for record in s.replay_range("log", 0, last):
                size += len(record.payload)
            return size

        async def raw_receive_ack() -> None:
            receipt = os.urandom(8).hex()
            row = await raw.evalsha(
                TAKE.sha, 8, *RAW_QUEUE_KEYS, RAW_WAKE, b"work", b"r", HOLD_US, receipt
            )
            await raw.evalsha(SETTLE.sha, 8, *RAW_QUEUE_KEYS, RAW_WAKE, b"a", row[0], row[7], 0)

        return [
            await compare_async(
                "redis stream.append (async)",
                lambda: s.append("log", VALUE),
                lambda: raw.evalsha(APPEND.sha, 1, RAW_STREAM, VALUE, ""),
                n=375,
                rounds=ROUNDS,
            ),
            await compare_async(
                f"redis stream.consume+ack x{CONSUME_BATCH} (async)",
                consume_ack,
                raw_consume_ack,
                n=100,
                rounds=ROUNDS,
            ),
            await compare_async(
                "redis queue.enqueue (async)",
                lambda: q.enqueue("jobs", VALUE),
                lambda: raw.evalsha(
                    ENQUEUE.sha, 8, *RAW_QUEUE_KEYS, RAW_WAKE, b"jobs", VALUE, "", 0, "", ""
                ),
                n=375,
                rounds=ROUNDS,
            ),
            await compare_async(
                "redis queue.receive+ack (async)",
                receive_ack,
                raw_receive_ack,
                n=200,
                rounds=ROUNDS,
            ),
            await compare_async(
                f"redis stream.replay_range x{REPLAY} (async)",
                replay,
                lambda: _raw_replay_async(raw),
                n=7,
                rounds=ROUNDS,
            ),
        ]


def main() -> None:
    url = env_url("redis")
    server = None
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as workdir:
        if url is None:
            server = start_redis(Path(workdir))
            url = server.url
        try:
            _load_scripts(url)
            # consume+ack: (n/10 warm-up + 7 rounds of n) x 10 records, per side and flavour
            records = 2 * CONSUME_BATCH * (550 * 7 + 450 * 7)
            # receive+ack: the same count of messages
            _prefill(url, records, 2 * (1100 * 7 + 880 * 7))
            pinned = pin_apart(server.process.process.pid if server and server.process else None)
            results = run_sync(url) + asyncio.run(run_async(url))
        finally:
            if server is not None:
                server.stop()
    report(f"redis vs raw redis-py (ratio = prism time / raw time; {pinned})", results)


if __name__ == "__main__":
    main()
