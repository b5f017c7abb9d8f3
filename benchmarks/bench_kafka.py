"""kafka: prism against the raw confluent-kafka client on the same broker, in one run.

* produce throughput: 1 KiB records, 1,000 in flight at a time (prism: async ``append`` calls
  gathered, each resolved by its delivery report; raw: ``produce`` 1,000 times, then ``flush``), both
  idempotent with ``acks=all`` and ``linger.ms=1``.  A second baseline, "raw asyncio", is raw
  confluent-kafka in prism's shape, as confluent-kafka's asyncio example writes it (a
  coroutine per record awaiting a future that a poll thread's delivery callback resolves): the
  cost any asyncio API pays that gives each record its own result.  (``confluent_kafka.aio``'s
  AIOProducer was tried as that baseline: its futures resolve only on its 1 s buffer timer
  here, 750 records/s, so it measures nothing useful);
* batched produce: ``append_many`` of the same 1,000 records (sync, and async; REPEAT calls
  per sample), each resolved
  by its delivery report, against the same raw ``produce`` + ``flush`` loop, and against that
  loop with a delivery callback that keeps each record's offset and error (what a producer
  that must know its records landed does);
* produce latency: one 1 KiB record at a time, until its delivery report (prism: sync
  ``append``, which returns the record's offset or raises its error; raw: ``produce`` with a
  delivery callback that keeps the offset and error, + ``flush``, the same work; and a second
  baseline, "raw without a report", ``produce`` + ``flush`` alone, which never learns whether
  the record landed), p50 and p99;
* consume + ack: batches of 50 records through a consumer group, committing after each batch
  (prism: ``consume`` + ``ack`` — its process is a member of the Kafka group; raw: a
  ``Consumer`` subscribed with its own group id, ``group.protocol=consumer``, ``consume`` +
  synchronous ``commit``).  A second baseline, "raw reading each record", also reads each
  record's value, key, headers, offset and timestamp, the fields prism's ``StreamRecord``
  carries: the bare loop reads none of them.

Stability on a loaded machine: one warm-up round of every case, then ROUNDS rounds in which the
cases and the two sides alternate (A B, then B A), so drift hits both.  A rate is the median
round's; a ratio is the median over rounds of each round's own ratio, of wall time and of this
process's CPU time (``time.process_time``: prism's Python, librdkafka's threads; the mock broker
runs in another process).  The two sides of a round run back to back, so a slow patch of the
machine moves both and leaves that round's ratio nearly alone (until 2026-12-01 the ratio was
of the two sides' medians, taken from different rounds).  The load average is printed with the
results.

Starts its own librdkafka mock cluster (``PRISM_TEST_KAFKA_URL`` is used instead when set).
Goal: ratio <= 1.10.

Run: python -m benchmarks.bench_kafka
"""

from __future__ import annotations

import asyncio
import os
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition

import prism
from prism.backends.kafka._core import topic_name
from prism.backends.kafka._testing import start_mock
from prism.testing.servers import env_url

PAYLOAD = b"x" * 1024
IN_FLIGHT = 1000
REPEAT = 10
"""batches of IN_FLIGHT per sample of the batched cases (a single batch is ~3 ms: too short
to time steadily)"""
ROUNDS = 9
LATENCY_PER_ROUND = 200
CG_TOTAL = 4_000  # the mock keeps 5 MiB per partition and drops older records
CG_BATCH = 50

Sample = tuple[float, float]
"""(wall seconds, CPU seconds)"""


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


def _poll(producer: Producer, stop: threading.Event) -> None:
    while not stop.is_set():
        producer.poll(0.05)


def _raw_consumer(bootstrap: str, topic: str) -> Consumer:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"raw-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "fetch.wait.max.ms": 10,
            "fetch.message.max.bytes": 1024 * 1024 + 64 * 1024,
            "allow.auto.create.topics": False,
            "group.protocol": "consumer",
        }
    )
    consumer.subscribe([topic])
    return consumer


def _consume_commit(consumer: Consumer, batches: int, *, fields: bool) -> None:
    """``batches`` of CG_BATCH records consumed, each batch then committed synchronously."""
    kept: list[tuple[Any, ...]] = []
    for _ in range(batches):
        got: list[Message] = []
        while len(got) < CG_BATCH:
            more = consumer.consume(CG_BATCH - len(got), 5.0)
            if not more:
                msg = f"the raw consumer ran dry after {len(got)} records"
                raise RuntimeError(msg)
            for m in more:
                err = m.error()
                if err is None:
                    got.append(m)
                elif err.code() != KafkaError._PARTITION_EOF:
                    raise RuntimeError(str(err))
        if fields:
            kept = [(m.value(), m.key(), m.headers(), m.offset(), m.timestamp()) for m in got]
        last = got[-1]
        consumer.commit(
            offsets=[TopicPartition(last.topic() or "", 0, (last.offset() or 0) + 1)],
            asynchronous=False,
        )
    del kept


def _timed(fn: Callable[[], object]) -> Sample:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


class Bench:
    def __init__(self, ns: Any, ans: Any, loop: asyncio.AbstractEventLoop, raw: Producer) -> None:
        self.ns, self.ans, self.loop, self.raw = ns, ans, loop, raw
        self.topic: dict[str, str] = {}
        self.samples: dict[str, list[Sample]] = {}
        self.latency: dict[str, list[float]] = {"prism": [], "raw": [], "raw bare": []}
        self.asyncio_producer: Producer
        self.batch = [PAYLOAD] * IN_FLIGHT

    def add(self, case: str, sample: Sample) -> None:
        self.samples.setdefault(case, []).append(sample)

    # ---- produce throughput ----------------------------------------------------------------

    def prism_batch(self) -> None:
        async def run() -> None:
            await asyncio.gather(*(self.ans.stream.append("tp", PAYLOAD) for _ in range(IN_FLIGHT)))

        self.loop.run_until_complete(run())

    def prism_many(self) -> None:
        for _ in range(REPEAT):
            self.ns.stream.append_many("tp", self.batch)

    def prism_many_async(self) -> None:
        async def run() -> None:
            for _ in range(REPEAT):
                await self.ans.stream.append_many("tp", self.batch)

        self.loop.run_until_complete(run())

    def raw_batches(self) -> None:
        for _ in range(REPEAT):
            self.raw_batch()

    def raw_batches_reported(self) -> None:
        for _ in range(REPEAT):
            self.raw_batch_reported()

    def raw_batch_reported(self) -> None:
        """Raw ``produce`` + ``flush`` with a delivery callback keeping each record's offset
        and error: what a producer that must know its records landed (and where) does."""
        topic = self.topic["raw-tp"]
        offsets: list[int] = []
        failed: list[Any] = []

        def report(err: Any, message: Message) -> None:
            if err is not None:
                failed.append(err)
            offsets.append(message.offset() or 0)

        for _ in range(IN_FLIGHT):
            self.raw.produce(topic, PAYLOAD, partition=0, on_delivery=report)
        self.raw.flush(30)
        if failed or len(offsets) != IN_FLIGHT:
            msg = f"raw delivery failed: {failed[:1]}, {len(offsets)} reports"
            raise RuntimeError(msg)

    def raw_batch(self) -> None:
        topic = self.topic["raw-tp"]
        for _ in range(IN_FLIGHT):
            self.raw.produce(topic, PAYLOAD, partition=0)
        self.raw.flush(30)

    def raw_asyncio_batch(self) -> None:
        """Raw confluent-kafka the way its asyncio example does it: a poll thread whose
        delivery callbacks resolve one future per record (``call_soon_threadsafe``)."""
        topic, producer = self.topic["raw-tp"], self.asyncio_producer

        async def run() -> None:
            loop = asyncio.get_running_loop()

            async def one() -> int:
                future: asyncio.Future[int] = loop.create_future()

                def report(_err: Any, message: Message) -> None:
                    loop.call_soon_threadsafe(future.set_result, message.offset() or 0)

                producer.produce(topic, PAYLOAD, partition=0, on_delivery=report)
                return await future

            await asyncio.gather(*(one() for _ in range(IN_FLIGHT)))

        self.loop.run_until_complete(run())

    # ---- produce latency -------------------------------------------------------------------

    def latency_round(self, flip: bool) -> None:
        """LATENCY_PER_ROUND appends from each side, the sides taking turns (reversed when
        ``flip``)."""
        topic = self.topic["raw-lat"]
        raw = self.raw
        got: list[tuple[Any, int]] = []

        def report(err: Any, message: Message) -> None:
            got.append((err, message.offset() or 0))

        def raw_reported() -> None:
            got.clear()
            raw.produce(topic, PAYLOAD, partition=0, on_delivery=report)
            raw.flush(30)
            if not got or got[0][0] is not None:
                msg = f"the raw produce failed: {got}"
                raise RuntimeError(msg)

        def raw_bare() -> None:
            raw.produce(topic, PAYLOAD, partition=0)
            raw.flush(30)

        def prism_append() -> None:
            self.ns.stream.append("lat", PAYLOAD)

        sides = [("prism", prism_append), ("raw", raw_reported), ("raw bare", raw_bare)]
        if flip:
            sides.reverse()
        for _ in range(LATENCY_PER_ROUND):
            for side, fn in sides:
                start = time.perf_counter()
                fn()
                self.latency[side].append((time.perf_counter() - start) * 1000)

    # ---- consume + ack ---------------------------------------------------------------------

    def setup_groups(self, bootstrap: str) -> None:
        async def fill() -> None:
            for name in ("cg", "raw-cg", "raw-cgf"):  # all filled alike by prism's producer
                for _ in range(CG_TOTAL // IN_FLIGHT):
                    await asyncio.gather(
                        *(self.ans.stream.append(name, PAYLOAD) for _ in range(IN_FLIGHT))
                    )

        self.loop.run_until_complete(fill())
        self.ns.stream.create_group("cg", "g", start="earliest")
        self.consumer = _raw_consumer(bootstrap, self.topic["raw-cg"])
        self.fields_consumer = _raw_consumer(bootstrap, self.topic["raw-cgf"])
        self.acked = 0
        self.per_round = CG_TOTAL // CG_BATCH // (ROUNDS + 1)

    def prism_cg(self) -> None:
        for _ in range(self.per_round):
            got = self.ns.stream.consume("cg", "g", "c", max_count=CG_BATCH)
            self.acked += self.ns.stream.ack("cg", "g", [r.offset for r in got])

    def raw_cg(self) -> None:
        _consume_commit(self.consumer, self.per_round, fields=False)

    def raw_cg_fields(self) -> None:
        """The raw loop reading what a consumer passes on of each record: the value, key,
        headers, offset and timestamp (what prism's ``StreamRecord`` carries)."""
        _consume_commit(self.fields_consumer, self.per_round, fields=True)

    # ---- rounds ----------------------------------------------------------------------------

    def round(self, index: int) -> None:
        """One round of every case, the two sides in alternating order."""
        flip = index % 2 == 1
        pairs: list[tuple[str, Callable[[], None], str, Callable[[], None]]] = [
            ("tp prism", self.prism_batch, "tp raw", self.raw_batch),
            ("tpm prism", self.prism_many, "tpm raw", self.raw_batches),
            ("tpma prism", self.prism_many_async, "tpr raw", self.raw_batches_reported),
            ("cg prism", self.prism_cg, "cg raw", self.raw_cg),
        ]
        for a_name, a, b_name, b in pairs:
            order = [(b_name, b), (a_name, a)] if flip else [(a_name, a), (b_name, b)]
            for name, fn in order:
                self.add(name, _timed(fn))
        self.add("tp raw asyncio", _timed(self.raw_asyncio_batch))
        self.add("cgf raw", _timed(self.raw_cg_fields))
        self.latency_round(flip)

    def rows(self, case: str) -> list[Sample]:
        return self.samples[case][1:]  # the first round is the warm-up


def _paired(prism: list[Sample], raw: list[Sample], which: int) -> float:
    """The median over rounds of each round's own ratio (wall: ``which`` 0, CPU: 1): the two
    sides of a round ran back to back, so a slow patch of the machine moves both."""
    return statistics.median(p[which] / r[which] for p, r in zip(prism, raw, strict=True))


def _line(name: str, prism: list[Sample], raw: list[Sample], per: int) -> str:
    prism_wall = statistics.median(p[0] for p in prism)
    raw_wall = statistics.median(r[0] for r in raw)
    return (
        f"{name:<36} prism {per / prism_wall:>10,.0f}/s   raw {per / raw_wall:>10,.0f}/s   "
        f"wall {_paired(prism, raw, 0):5.2f}x   cpu {_paired(prism, raw, 1):5.2f}x"
    )


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
            for name in ("raw-tp", "raw-lat", "raw-cg", "raw-cgf"):
                ns.stream.append(name, b"warm-up")
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            ans = loop.run_until_complete(prism.open_async(namespace, config=cfg))
            bench = Bench(ns, ans, loop, raw)
            bench.asyncio_producer = _raw_producer(bootstrap)
            stop = threading.Event()
            poller = threading.Thread(target=_poll, args=(bench.asyncio_producer, stop))
            poller.start()
            bench.topic = {
                n: topic_name("prism", namespace, "s", n)
                for n in ("raw-tp", "raw-lat", "raw-cg", "raw-cgf")
            }
            bench.setup_groups(bootstrap)
            for index in range(ROUNDS + 1):
                bench.round(index)
            expected = (ROUNDS + 1) * bench.per_round * CG_BATCH
            if bench.acked != expected:
                msg = f"prism acknowledged {bench.acked} records, not {expected}"
                raise RuntimeError(msg)
            bench.consumer.close()
            bench.fields_consumer.close()
            stop.set()
            poller.join()
            loop.run_until_complete(ans.close())
            loop.close()
        where = "PRISM_TEST_KAFKA_URL" if cluster is None else "librdkafka mock cluster"
        print(
            f"== kafka ({where}); {ROUNDS} rounds after a warm-up; rates: median rounds; "
            "ratios: median of the rounds' own ratios"
        )
        tp = bench.rows("tp prism")
        print(_line(f"produce 1 KiB, {IN_FLIGHT} in flight", tp, bench.rows("tp raw"), IN_FLIGHT))
        print(
            _line(
                "  … against raw asyncio",
                tp,
                bench.rows("tp raw asyncio"),
                IN_FLIGHT,
            )
        )
        many = bench.rows("tpm prism")
        many_async = bench.rows("tpma prism")
        raw_tp = bench.rows("tpm raw")
        reported = bench.rows("tpr raw")
        per = IN_FLIGHT * REPEAT
        print(_line(f"append_many of {IN_FLIGHT} 1 KiB (sync)", many, raw_tp, per))
        print(_line(f"append_many of {IN_FLIGHT} 1 KiB (async)", many_async, raw_tp, per))
        print(_line("  sync, against raw with delivery reports", many, reported, per))
        print(_line("  async, against raw with delivery reports", many_async, reported, per))
        print(
            _line(
                f"consume+ack, batches of {CG_BATCH}",
                bench.rows("cg prism"),
                bench.rows("cg raw"),
                bench.per_round * CG_BATCH,
            )
        )
        print(
            _line(
                "  … against raw reading each record",
                bench.rows("cg prism"),
                bench.rows("cgf raw"),
                bench.per_round * CG_BATCH,
            )
        )
        for label, q in (("p50", 50), ("p99", 99)):
            p = statistics.quantiles(bench.latency["prism"], n=100)[q - 1]
            for name, against in (
                ("raw", "produce latency " + label),
                ("raw bare", f"  {label}, against raw without a report"),
            ):
                r = statistics.quantiles(bench.latency[name], n=100)[q - 1]
                print(f"{against:<36} prism {p:>8.3f} ms   raw {r:>8.3f} ms   ratio {p / r:5.2f}x")
        print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        # the raw producers go before the brokers do, or librdkafka logs their disconnects
        del bench, raw
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
