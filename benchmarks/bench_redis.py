"""redis: prism against the raw redis-py client on the same server, same operations.

keyvalue get, set, set_many / get_many (batches of 100) and pubsub publish, sync and async.
The raw client uses the very Redis keys and channel prism uses, so the difference is prism's
own work (argument checks, key prefixing, error translation).  Starts its own redis-server
(``PRISM_TEST_REDIS_URL`` is used instead when set).  Goal: ratio <= 1.10.

Run: python -m benchmarks.bench_redis
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import redis
import redis.asyncio

import prism
from benchmarks._harness import Result, compare, compare_async, report
from prism.backends.redis._keys import model_prefix
from prism.backends.redis._testing import start_redis
from prism.testing.servers import env_url

NAMESPACE = "bench"
VALUE = b"v" * 100
BATCH = 100


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


def run_sync(url: str) -> list[Result]:
    raw = redis.Redis.from_url(url)
    with prism.open(NAMESPACE, config=_config(url)) as ns:
        kv: Any = ns.keyvalue
        ps = ns.pubsub
        kv.set("k", VALUE)
        try:
            return [
                compare(
                    "redis keyvalue.get (sync)", lambda: kv.get("k"), lambda: raw.get(RAW_K), n=3000
                ),
                compare(
                    "redis keyvalue.set (sync)",
                    lambda: kv.set("k", VALUE),
                    lambda: raw.set(RAW_K, VALUE),
                    n=3000,
                ),
                compare(
                    "redis keyvalue.set_many x100 (sync)",
                    lambda: kv.set_many(ITEMS),
                    lambda: raw.mset(RAW_ITEMS),
                    n=600,
                ),
                compare(
                    "redis keyvalue.get_many x100 (sync)",
                    lambda: kv.get_many(KEYS),
                    lambda: raw.mget(RAW_KEYS),
                    n=600,
                ),
                compare(
                    "redis pubsub.publish (sync)",
                    lambda: ps.publish("bench.topic", VALUE),
                    lambda: raw.publish(RAW_CHANNEL, VALUE),
                    n=3000,
                ),
            ]
        finally:
            raw.close()


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
                    n=2000,
                ),
                await compare_async(
                    "redis keyvalue.set (async)",
                    lambda: kv.set("k", VALUE),
                    lambda: raw.set(RAW_K, VALUE),
                    n=2000,
                ),
                await compare_async(
                    "redis keyvalue.set_many x100 (async)",
                    lambda: kv.set_many(ITEMS),
                    lambda: raw.mset(RAW_ITEMS),
                    n=500,
                ),
                await compare_async(
                    "redis keyvalue.get_many x100 (async)",
                    lambda: kv.get_many(KEYS),
                    lambda: raw.mget(RAW_KEYS),
                    n=500,
                ),
                await compare_async(
                    "redis pubsub.publish (async)",
                    lambda: ps.publish("bench.topic", VALUE),
                    lambda: raw.publish(RAW_CHANNEL, VALUE),
                    n=2000,
                ),
            ]
        finally:
            await raw.aclose()


def main() -> None:
    url = env_url("redis")
    server = None
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as workdir:
        if url is None:
            server = start_redis(Path(workdir))
            url = server.url
        try:
            results = run_sync(url) + asyncio.run(run_async(url))
        finally:
            if server is not None:
                server.stop()
    report("redis vs raw redis-py (ratio = prism time / raw time)", results)


if __name__ == "__main__":
    main()
