"""kafka: prism against the raw confluent-kafka client on the same broker, in one run.

* produce throughput: 1 KiB records, 1,000 in flight at a time (prism: async ``append`` calls
  gathered, each resolved by its delivery report; raw: ``produce`` 1,000 times, then ``flush``), both
  idempotent with ``acks=all`` and ``linger.ms=1``;
* produce latency: one 1 KiB record at a time, until its delivery report (prism: sync
  ``append``; raw: ``produce`` + ``flush``), p50 and p99;
* consume + ack: batches of 100 records through a consumer group, committing after each batch
  (prism: ``consume`` + ``ack``; raw: a ``Consumer`` assigned at the batch's offset, ``consume``
  + synchronous ``commit``).

Starts its own librdkafka mock cluster (``PRISM_TEST_KAFKA_URL`` is used instead when set).
Goal: ratio <= 1.10.

Run: python -m benchmarks.bench_kafka
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from typing import Any

from confluent_kafka import Consumer, Producer, TopicPartition

import prism
from benchmarks._harness import Result, report
from prism.backends.kafka._core import topic_name
from prism.backends.kafka._testing import start_mock
from prism.testing.servers import env_url

PAYLOAD = b"x" * 1024
IN_FLIGHT = 1000
ROUNDS = 7


def _config(url: str, options: dict[str, Any]) -> dict[str, Any]:
    return {
        "backends": {"k": {"type": "kafka", "connection": url, "options": options}},
        "default_backend": "k",
    }


def _raw_producer(bootstrap: str) -> Producer:
    return Producer(
        {
            "bootstrap.servers": bootstrap,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 1,
            "partitioner": "consistent",
        }
    )


def _median_rate(samples: list[float], per: int) -> float:
    return per / statistics.median(samples)


def produce_throughput(ns: Any, raw: Producer, raw_topic: str) -> Result:
    async def prism_batch() -> float:
        start = time.perf_counter()
        await asyncio.gather(*(ns.stream.append("tp", PAYLOAD) for _ in range(IN_FLIGHT)))
        return time.perf_counter() - start

    def raw_batch() -> float:
        start = time.perf_counter()
        for _ in range(IN_FLIGHT):
            raw.produce(raw_topic, PAYLOAD, partition=0)
        raw.flush(30)
        return time.perf_counter() - start

    a: list[float] = []
    b: list[float] = []

    async def run() -> None:
        await prism_batch()
        raw_batch()
        for _ in range(ROUNDS):
            a.append(await prism_batch())
            b.append(raw_batch())

    asyncio.get_event_loop().run_until_complete(run())
    return Result(
        f"produce 1 KiB, {IN_FLIGHT} in flight (records/s)",
        _median_rate(a, IN_FLIGHT),
        _median_rate(b, IN_FLIGHT),
    )


def produce_latency(ns: Any, raw: Producer, raw_topic: str, n: int = 2000) -> list[str]:
    prism_ms: list[float] = []
    raw_ms: list[float] = []
    for _ in range(n):
        start = time.perf_counter()
        ns.stream.append("lat", PAYLOAD)
        prism_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        raw.produce(raw_topic, PAYLOAD, partition=0)
        raw.flush(30)
        raw_ms.append((time.perf_counter() - start) * 1000)
    lines = []
    for label, q in (("p50", 50), ("p99", 99)):
        p = statistics.quantiles(prism_ms, n=100)[q - 1]
        r = statistics.quantiles(raw_ms, n=100)[q - 1]
        lines.append(
            f"{'produce latency ' + label + ' (ms)':<44} prism {p:>12.3f}        "
            f"baseline {r:>12.3f}        ratio {p / r:5.2f}x"
        )
    return lines


def consume_ack(ans: Any, ns: Any, bootstrap: str, raw_topic: str) -> Result:
    total = 4_000  # the mock keeps 5 MiB per partition and drops older records
    batch = 50

    async def fill() -> None:
        # both topics filled the same way (prism's producer), so both sides read alike batches
        for name in ("cg", "raw-cg"):
            for _ in range(total // IN_FLIGHT):
                await asyncio.gather(*(ans.stream.append(name, PAYLOAD) for _ in range(IN_FLIGHT)))

    asyncio.get_event_loop().run_until_complete(fill())
    ns.stream.create_group("cg", "g", start="earliest")
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"raw-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "fetch.wait.max.ms": 10,
            "fetch.message.max.bytes": 1024 * 1024 + 64 * 1024,
            "allow.auto.create.topics": False,
        }
    )

    seen = [0]

    def prism_round(rounds: int) -> float:
        start = time.perf_counter()
        for _ in range(rounds):
            got = ns.stream.consume("cg", "g", "c", max_count=batch)
            seen[0] += ns.stream.ack("cg", "g", [r.offset for r in got])
        return time.perf_counter() - start

    position = [0]

    def raw_round(rounds: int) -> float:
        start = time.perf_counter()
        for _ in range(rounds):
            # re-assigned for each batch, as prism's reader is: a long-lived assigned consumer
            # stalls on the librdkafka mock cluster after a few batches
            consumer.assign([TopicPartition(raw_topic, 0, position[0])])
            got: list[Any] = []
            while len(got) < batch:
                more = consumer.consume(batch - len(got), 5.0)
                if not more:
                    msg = f"the raw consumer ran dry after {len(got)} records"
                    raise RuntimeError(msg)
                got.extend(m for m in more if m.error() is None)
            last = got[-1]
            position[0] = last.offset() + 1
            consumer.commit(
                offsets=[TopicPartition(raw_topic, 0, last.offset() + 1)], asynchronous=False
            )
        return time.perf_counter() - start

    per = total // batch // (ROUNDS + 1)
    prism_round(per)
    a: list[float] = [prism_round(per) for _ in range(ROUNDS)]
    prism_rate = _median_rate(a, per * batch)
    if seen[0] != (ROUNDS + 1) * per * batch:
        msg = f"prism acknowledged {seen[0]} records, not {(ROUNDS + 1) * per * batch}"
        raise RuntimeError(msg)
    try:
        raw_round(per)
        b: list[float] = [raw_round(per) for _ in range(ROUNDS)]
        raw_rate = _median_rate(b, per * batch)
    except RuntimeError as exc:  # seen on the librdkafka mock cluster: its fetches stall
        print(f"consume+ack raw baseline did not finish: {exc}", flush=True)
        raw_rate = float("nan")
    finally:
        consumer.close()
    return Result(f"consume+ack, batches of {batch} (records/s)", prism_rate, raw_rate)


def main() -> None:
    url = env_url("kafka")
    cluster = None
    options: dict[str, Any] = {}
    if not url:
        cluster = start_mock()
        url, options = cluster.url, cluster.options
    bootstrap = url.removeprefix("kafka://")
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        cfg = _config(url, options)
        raw = _raw_producer(bootstrap)
        with prism.open(namespace, config=cfg) as ns:
            # the raw side writes to topics prism created (same partitions, same broker)
            for name in ("raw-tp", "raw-lat", "raw-cg"):
                ns.stream.append(name, b"warm-up")
            topic = {
                n: topic_name("prism", namespace, "s", n) for n in ("raw-tp", "raw-lat", "raw-cg")
            }
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            ans = loop.run_until_complete(prism.open_async(namespace, config=cfg))
            results = [produce_throughput(ans, raw, topic["raw-tp"])]
            print(results[-1].line(), flush=True)
            latency = produce_latency(ns, raw, topic["raw-lat"])
            print(*latency, sep="\n", flush=True)
            results.append(consume_ack(ans, ns, bootstrap, topic["raw-cg"]))
            loop.run_until_complete(ans.close())
            loop.close()
        report(
            f"kafka ({'PRISM_TEST_KAFKA_URL' if cluster is None else 'librdkafka mock cluster'})",
            results,
        )
        for line in latency:
            print(line)
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
