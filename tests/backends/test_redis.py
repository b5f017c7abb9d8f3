"""The redis backend against real servers started by the tests themselves.

A session-scoped standalone server and a session-scoped three-master cluster come from
``prism.backends.redis._testing`` (``PRISM_TEST_REDIS_URL`` / ``PRISM_TEST_REDIS_CLUSTER_URL``
are used instead when set); tests that kill and restart a server, or need a password, start
their own.  Skipped only when there is neither a redis-server binary nor a URL.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis
from redis.crc import key_slot

import prism
from prism._partition import partition_for
from prism.backends.redis._config import parse_config
from prism.backends.redis._keys import glob_escape, model_prefix
from prism.backends.redis._testing import redis_binary, start_cluster, start_redis
from prism.backends.redis.stream import SEQ_BITS, id_of, offset_of
from prism.testing.servers import env_url
from prism.types import StreamRecord

T = TypeVar("T")

HAVE_BINARY = redis_binary() is not None
pytestmark = pytest.mark.skipif(
    not HAVE_BINARY and not env_url("redis"),
    reason="no redis-server binary and no PRISM_TEST_REDIS_URL",
)
needs_binary = pytest.mark.skipif(not HAVE_BINARY, reason="needs a redis-server binary")


def config(url: str, backend: str = "redis", **options: Any) -> dict[str, Any]:
    return {
        "backends": {"r": {"type": backend, "connection": url, "options": options}},
        "default_backend": "r",
    }


def fresh(stem: str = "ns") -> str:
    return f"{stem}-{uuid.uuid4().hex[:10]}"


def eventually(call: Callable[[], T], *, timeout: float = 20.0) -> T:
    """Retry ``call`` until it stops raising BackendUnavailableError (a deadline, not a sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except prism.BackendUnavailableError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = env_url("redis")
    if url:
        yield url
        return
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = env_url("redis-cluster")
    if url:
        yield url
        return
    if not HAVE_BINARY or redis_binary("redis-cli") is None:
        pytest.skip("a cluster needs redis-server and redis-cli")
    cluster = start_cluster(tmp_path_factory.mktemp("redis-cluster"))
    yield cluster.url
    cluster.stop()


@pytest.fixture
def raw(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


# ----- (1) what prism writes, read back with a raw client ----------------------------------------


def test_raw_client_finds_every_key_under_the_namespace_prefix(
    redis_url: str, raw: redis.Redis
) -> None:
    name = fresh()
    with prism.open(name, config=config(redis_url)) as ns:
        ns.keyvalue.set("user:1", b"alice")
        ns.list.push_right("queue", b"a", b"b")
        ns.set.add("tags", b"x")
        ns.sortedset.add("board", {b"p": 2.5})
        assert raw.get(f"prism:{{{name}}}:kv:user:1".encode()) == b"alice"
        assert raw.lrange(f"prism:{{{name}}}:list:queue".encode(), 0, -1) == [b"a", b"b"]
        assert raw.smembers(f"prism:{{{name}}}:set:tags".encode()) == {b"x"}
        assert raw.zscore(f"prism:{{{name}}}:zset:board".encode(), b"p") == 2.5
        found = sorted(raw.scan_iter(match=glob_escape(f"prism:{{{name}}}:".encode()) + b"*"))
        assert found == sorted(
            f"prism:{{{name}}}:{m}".encode()
            for m in ("kv:user:1", "list:queue", "set:tags", "zset:board")
        )
        # written raw under prism's prefix: prism reads it
        raw.set(model_prefix("prism", name, "keyvalue") + b"from-raw", b"hi")
        assert ns.keyvalue.get("from-raw") == b"hi"


def test_braces_and_percent_in_a_namespace_are_encoded(redis_url: str, raw: redis.Redis) -> None:
    name = f"a{{b}}%c-{uuid.uuid4().hex[:6]}"
    with prism.open(name, config=config(redis_url)) as ns:
        ns.keyvalue.set("k", b"v")
        encoded = name.replace("%", "%25").replace("{", "%7B").replace("}", "%7D")
        assert raw.get(f"prism:{{{encoded}}}:kv:k".encode()) == b"v"


def test_key_prefix_option(redis_url: str, raw: redis.Redis) -> None:
    name = fresh()
    with prism.open(name, config=config(redis_url, key_prefix="app1")) as ns:
        ns.keyvalue.set("k", b"v")
        assert raw.get(f"app1:{{{name}}}:kv:k".encode()) == b"v"


def test_wrongtype_is_a_conflict_chained_to_the_redis_error(
    redis_url: str, raw: redis.Redis
) -> None:
    name = fresh()
    with prism.open(name, config=config(redis_url)) as ns:
        raw.rpush(model_prefix("prism", name, "keyvalue") + b"k", b"x")
        with pytest.raises(prism.ConflictError, match="WRONGTYPE") as info:
            ns.keyvalue.get("k")
        assert isinstance(info.value.__cause__, redis.ResponseError)
        assert info.value.backend == "redis"
        assert info.value.operation == "get"


def test_ttl_has_sub_second_precision(redis_url: str) -> None:
    with prism.open(fresh(), config=config(redis_url)) as ns:
        kv: Any = ns.keyvalue
        kv.set("k", b"v", ttl=0.25)
        left = kv.get_ttl("k")
        assert left is not None
        assert 0.0 < left <= 0.25
        kv.set("k", b"v")  # a plain set clears the TTL
        assert kv.get_ttl("k") is None


# ----- (2) a server that dies and comes back --------------------------------------------------


@needs_binary
def test_restart_sync_and_async(tmp_path: Path) -> None:
    server = start_redis(tmp_path / "restart")
    try:
        cfg = config(server.url)
        ns = prism.open(fresh(), config=cfg)
        kv = ns.keyvalue
        kv.set("before", b"1")

        async def async_write() -> Any:
            ans = await prism.open_async(fresh(), config=cfg)
            await ans.keyvalue.set("before", b"1")
            return ans

        async def async_get(ans: Any) -> bytes:
            return await ans.keyvalue.get("before")  # type: ignore[no-any-return]

        async def down_then_up() -> None:
            ans = await async_write()
            server.kill()
            assert not server.alive()
            with pytest.raises(prism.BackendUnavailableError) as info:
                await ans.keyvalue.get("before")
            assert info.value.__cause__ is not None
            with pytest.raises(prism.BackendUnavailableError):
                kv.get("before")
            with pytest.raises(prism.BackendUnavailableError):
                ns.list.push_left("l", b"x")
            server.start()  # same port, empty (no persistence)
            deadline = time.monotonic() + 20
            while True:
                try:
                    await ans.keyvalue.set("after", b"2")
                    break
                except prism.BackendUnavailableError:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.05)
            assert await ans.keyvalue.get("after") == b"2"
            with pytest.raises(prism.KeyNotFoundError):
                await async_get(ans)
            await ans.close()

        asyncio.run(down_then_up())
        eventually(lambda: kv.set("after", b"3"))
        assert kv.get("after") == b"3"
        assert ns.list.push_left("l", b"x") == 1
        ns.close()
    finally:
        server.stop()


@needs_binary
def test_subscription_survives_a_restart(tmp_path: Path) -> None:
    server = start_redis(tmp_path / "restart-ps")
    try:
        with prism.open(fresh(), config=config(server.url)) as ns:
            ps: Any = ns.pubsub
            sub = ps.subscribe("t")
            server.kill()
            with pytest.raises(prism.BackendUnavailableError):
                sub.get(timeout=1)
            server.start()

            def round_trip() -> Any:
                eventually(lambda: ps.publish("t", b"again"))
                return sub.get(timeout=0.5)

            deadline = time.monotonic() + 20
            got = None
            while got is None and time.monotonic() < deadline:
                try:
                    got = round_trip()
                except prism.BackendUnavailableError:
                    time.sleep(0.05)
            assert got is not None
            assert got.payload == b"again"
            sub.close()
    finally:
        server.stop()


# ----- (3) Redis Cluster ---------------------------------------------------------------------


def _slot_of(name: str) -> int:
    return key_slot(model_prefix("prism", name, "keyvalue") + b"x")


def test_cluster_multi_key_operations_of_one_namespace(cluster_url: str) -> None:
    name = fresh("c")
    with prism.open(name, config=config(cluster_url, "redis-cluster")) as ns:
        kv: Any = ns.keyvalue
        kv.set_many({f"k{i}": str(i).encode() for i in range(50)})
        assert kv.get_many([f"k{i}" for i in range(50)] + ["missing"]) == {
            f"k{i}": str(i).encode() for i in range(50)
        }
        assert kv.count("k") == 50
        assert kv.delete_many(["k0", "k1", "nope"]) == 2
        with kv.begin() as tx:
            tx.set("a", b"1")
            tx.set("b", b"2")
            tx.delete("k2")
        assert kv.get_many(["a", "b", "k2"]) == {"a": b"1", "b": b"2"}
        assert kv.compare_and_swap("a", b"1", b"10") is True
        s: Any = ns.set
        s.add("x", b"1", b"2")
        s.add("y", b"2", b"3")
        assert s.union("x", "y") == {b"1", b"2", b"3"}
        assert s.intersection_store("z", "x", "y") == 1
        z: Any = ns.sortedset
        z.add("p", {b"a": 1.0})
        z.add("q", {b"a": 2.0, b"b": 1.0})
        assert z.union_store("r", ["p", "q"], aggregate="max") == 2
        assert z.range("r") == [(b"b", 1.0), (b"a", 2.0)]
        lists: Any = ns.list
        lists.push_right("second", b"v")
        assert lists.blocking_pop_left(["first", "second"], timeout=1) == ("second", b"v")


def test_cluster_namespaces_live_in_their_own_slots(cluster_url: str) -> None:
    a = fresh("a")
    b = next(n for n in (fresh("b") for _ in range(100)) if _slot_of(n) != _slot_of(a))
    cfg = config(cluster_url, "redis-cluster")
    with prism.open(a, config=cfg) as na, prism.open(b, config=cfg) as nb:
        for i in range(20):
            na.keyvalue.set(f"p:{i}", b"a")
            nb.keyvalue.set(f"p:{i}", b"b")
        client = redis.RedisCluster.from_url(cluster_url.replace("redis+cluster", "redis"))
        try:
            slots = {key_slot(k) for k in client.scan_iter(match=f"prism:{{{a}}}:*".encode())}
            assert slots == {_slot_of(a)}
        finally:
            client.close()
        assert sorted(na.keyvalue.scan_keys("p:")) == sorted(f"p:{i}" for i in range(20))  # type: ignore[attr-defined]
        assert set(dict(na.keyvalue.scan()).values()) == {b"a"}  # type: ignore[attr-defined]
        assert set(dict(nb.keyvalue.scan()).values()) == {b"b"}  # type: ignore[attr-defined]


def test_cluster_async_transaction_conflict(cluster_url: str) -> None:
    async def main() -> None:
        ns = await prism.open_async(fresh("c"), config=config(cluster_url, "redis-cluster"))
        kv: Any = ns.keyvalue
        await kv.set("hot", b"0")
        tx1, tx2 = kv.begin(), kv.begin()
        assert await tx1.get("hot") == b"0"
        assert await tx2.get("hot") == b"0"
        await tx1.set("hot", b"1")
        await tx2.set("hot", b"2")
        await tx1.commit()
        with pytest.raises(prism.ConflictError):
            await tx2.commit()
        assert await kv.get("hot") == b"1"
        await ns.close()

    asyncio.run(main())


def test_cluster_streams_and_queues_keep_a_namespace_in_one_slot(cluster_url: str) -> None:
    name = fresh("c")
    client = redis.RedisCluster.from_url(cluster_url.replace("redis+cluster", "redis"))
    try:
        with prism.open(name, config=config(cluster_url, "redis-cluster")) as ns:
            q: Any = ns.queue
            q.configure_dead_letter("jobs", max_attempts=1, dead_letter_queue="jobs.dlq")
            q.enqueue("jobs", b"x")
            q.release(q.receive("jobs"))  # dead-letters it: the script wakes jobs.dlq's waiters
            wake = f"prism:{{{name}}}:queue.wake:jobs.dlq".encode()
            assert client.lrange(wake, 0, -1) == [b"1"]
            assert [m.payload for m in q.dead_letters("jobs")] == [b"x"]
            s: Any = ns.stream
            s.set_partitions("log", 3)
            for i in range(6):
                s.append_to_partition("log", i % 3, b"v")
            s.set_retention("log", max_length=1)
            assert s.trim("log") == 3
            slots = {key_slot(k) for k in client.scan_iter(match=f"prism:{{{name}}}:*".encode())}
            assert slots == {key_slot(f"prism:{{{name}}}:x".encode())}
    finally:
        client.close()


# ----- (4) secrets ---------------------------------------------------------------------------

SECRET = "s3cr3t-Pa55word"


@needs_binary
def test_password_never_shown(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = start_redis(tmp_path / "auth", password=SECRET)
    try:
        url = f"redis://:{SECRET}@127.0.0.1:{server.port}/0"
        texts: list[str] = []
        with prism.open(fresh(), config=config(url)) as ns:
            kv: Any = ns.keyvalue
            kv.set("k", b"v")
            backend = kv._b
            texts += [
                repr(ns),
                repr(kv),
                repr(backend),
                str(backend.settings),
                repr(backend.config),
            ]
            server.kill()
            with pytest.raises(prism.BackendUnavailableError) as down:
                kv.get("k")
            texts += [str(down.value), repr(down.value), str(down.value.__cause__)]
        bad = f"redis://:wrong-{SECRET}@127.0.0.1:{server.port}/0"
        server.start()
        with pytest.raises(prism.ConfigurationError) as refused:
            prism.open(fresh(), config=config(bad))
        texts += [str(refused.value), repr(refused.value), str(refused.value.__cause__)]
        with pytest.raises(prism.ConfigurationError) as typo:
            prism.open(fresh(), config=config(url, bogus_option=1))
        texts += [str(typo.value)]
        texts += [record.getMessage() for record in caplog.records]
        for text in texts:
            assert SECRET not in text
        assert "***" in repr(backend)
    finally:
        server.stop()


# ----- (5) glob metacharacters ------------------------------------------------------------------

META_NAMES = ["m*", "m?", "m[ab]", "m\\", "ma", "mb", "m[", "m]"]


def test_glob_metacharacters_in_namespaces_never_leak(redis_url: str) -> None:
    tag = uuid.uuid4().hex[:6]
    names = [f"{n}-{tag}" if n.endswith(("a", "b")) else f"{tag}-{n}" for n in META_NAMES]
    names += [f"{tag}-ma", f"{tag}-mb", f"{tag}-m"]
    opened = [prism.open(n, config=config(redis_url)) for n in names]
    try:
        for ns in opened:
            ns.keyvalue.set("k", ns.name.encode())
            ns.keyvalue.set("k2", ns.name.encode())
        for ns in opened:
            kv: Any = ns.keyvalue
            assert dict(kv.scan()) == {"k": ns.name.encode(), "k2": ns.name.encode()}
            assert kv.count() == 2
    finally:
        for ns in opened:
            ns.close()


def test_glob_metacharacters_in_prefixes_are_literal(redis_url: str) -> None:
    with prism.open(fresh(), config=config(redis_url)) as ns:
        kv: Any = ns.keyvalue
        keys = ["x*1", "x?1", "x[1]", "x\\1", "xa1", "x]1", "x1", "x*"]
        kv.set_many(dict.fromkeys(keys, b"v"))
        for prefix in ["x*", "x?", "x[", "x\\", "x]", "x[1]"]:
            want = sorted(k for k in keys if k.startswith(prefix))
            assert sorted(kv.scan_keys(prefix)) == want, prefix
            assert kv.count(prefix) == len(want)


def test_pattern_subscriptions_never_cross_namespaces(redis_url: str) -> None:
    tag = uuid.uuid4().hex[:6]
    cfg = config(redis_url)
    with (
        prism.open(f"n*{tag}", config=cfg) as star,
        prism.open(f"nX{tag}", config=cfg) as other,
        prism.open(f"n?{tag}", config=cfg) as quest,
    ):
        sub = star.pubsub.subscribe_pattern("a.*")  # type: ignore[attr-defined]
        sub2 = quest.pubsub.subscribe_pattern("a.>")  # type: ignore[attr-defined]
        other.pubsub.publish("a.b", b"other")
        star.pubsub.publish("a.b.c", b"too deep")
        star.pubsub.publish("a.b", b"mine")
        got = sub.get(timeout=2)
        assert got is not None
        assert (got.topic, got.payload) == ("a.b", b"mine")
        assert sub.get(timeout=0.2) is None
        assert sub2.get(timeout=0.2) is None
        sub.close()
        sub2.close()


# ----- (6) streams and queues ------------------------------------------------------------------


def test_stream_offsets_map_ids_exactly_and_in_order() -> None:
    ids = [b"0-0", b"0-1", b"1-0", b"1795309815370-0", b"1795309815370-1048575", b"1795309815371-0"]
    offsets = [offset_of(i) for i in ids]
    assert offsets == sorted(set(offsets))
    assert [id_of(o) for o in offsets] == ids
    assert offset_of(b"7-3") == 7 * 2**SEQ_BITS + 3
    assert id_of(2**64 << SEQ_BITS) is None  # past every possible id
    with pytest.raises(prism.PrismError, match="sequence"):
        offset_of(b"5-1048576")  # an id prism never writes


def test_stream_keys_and_fields_seen_raw(redis_url: str, raw: Any) -> None:
    name = fresh()
    with prism.open(name, config=config(redis_url)) as ns:
        s: Any = ns.stream
        offset = s.append("log", b"p", headers={"h": "v"})
        s.set_retention("log", max_length=5)
        s.set_partitions("log", 2)
        user = next(k for k in (f"user:{i}" for i in range(100)) if partition_for(k, 2) == 1)
        assert s.append_with_key("log", user, b"k").partition == 1
        key = f"prism:{{{name}}}:stream:log".encode()
        [(entry_id, fields)] = raw.xrange(key)
        assert offset_of(entry_id) == offset
        assert fields == {b"p": b"p", b"h": b'{"h":"v"}'}
        meta = raw.hgetall(f"prism:{{{name}}}:stream.meta:log".encode())
        assert meta == {b"max_length": b"5", b"partitions": b"2"}
        [(_, keyed)] = raw.xrange(f"prism:{{{name}}}:stream.1:log".encode())
        assert keyed == {b"p": b"k", b"k": user.encode()}
        [record] = s.read("log")
        assert record.timestamp == int(entry_id.split(b"-")[0]) / 1000


@pytest.mark.parametrize("server", ["standalone", "cluster"])
def test_every_read_path_builds_whole_records_from_any_entry(
    server: str, request: pytest.FixtureRequest
) -> None:
    """read, replay_range, read_partition and consume build the usual entry (a payload only)
    in their reading loop and hand every other shape to the general builder: each gives the
    same whole records, whatever fields an entry has, on a standalone server (XRANGE replies
    reach the builder as the server sent them, fields a flat list) and on a cluster (redis-py
    has made each entry's fields a dict).  The ids cross milliseconds in both directions of
    the builder's per-millisecond reuse: runs of one millisecond, single ones, a wide gap."""
    name = fresh()
    if server == "standalone":
        url = request.getfixturevalue("redis_url")
        cfg = config(url)
        client: Any = redis.Redis.from_url(url)
    else:
        url = request.getfixturevalue("cluster_url")
        cfg = config(url, "redis-cluster")
        client = redis.RedisCluster.from_url(url.replace("redis+cluster", "redis"))
    try:
        with prism.open(name, config=cfg) as ns:
            s: Any = ns.stream
            key = f"prism:{{{name}}}:stream:log".encode()
            shapes: list[dict[bytes, bytes]] = [
                {b"p": b"plain"},
                {b"p": b""},
                {b"h": '{"a":"1","b":"\u00e9"}'.encode(), b"p": b"headers first"},
                {b"p": b"keyed", b"k": b"user:1"},
                {b"p": b"an unknown field too", b"x": b"ignored"},
                {b"p": b"plain again"},
                {b"p": b"alone in its millisecond"},
                {b"p": b"much later"},
            ]
            t = int(time.time() * 1000) - 60_000
            ids = [
                f"{ms}-{seq}".encode()
                for ms, seq in [(t, 0), (t, 1), (t, 2), (t + 1, 0), (t + 1, 7), (t + 1, 8),
                                (t + 2, 0), (t + 90_000_000, 3)]
            ]  # fmt: skip
            for entry_id, fields in zip(ids, shapes, strict=True):
                client.xadd(key, fields, id=entry_id)
            expected = [
                StreamRecord(
                    stream="log",
                    offset=int(entry_id.split(b"-")[0]) << SEQ_BITS | int(entry_id.split(b"-")[1]),
                    payload=fields[b"p"],
                    headers={"a": "1", "b": "\u00e9"} if b"h" in fields else {},
                    timestamp=int(entry_id.split(b"-")[0]) / 1000,
                    partition=0,
                    key="user:1" if b"k" in fields else None,
                    delivery_count=1,
                )
                for entry_id, fields in zip(ids, shapes, strict=True)
            ]
            assert s.read("log") == expected
            assert s.read("log", expected[3].offset, max_count=3) == expected[3:6]
            assert list(s.replay_range("log", 0, expected[-1].offset)) == expected
            assert (
                list(s.replay_range("log", expected[1].offset, expected[6].offset))
                == (expected[1:7])
            )
            assert s.read_partition("log", 0) == expected
            s.create_group("log", "g", start="earliest")
            assert s.consume("log", "g", "c", max_count=10) == expected
            assert all(type(r) is StreamRecord for r in s.read("log"))
            assert s.latest_offset("log") == expected[-1].offset
    finally:
        client.close()


def _xranges_on(raw: redis.Redis, key: bytes, work: Callable[[], object]) -> list[list[bytes]]:
    """The XRANGE commands on ``key`` that the server ran during ``work`` (its MONITOR
    feed, read up to a marker sent after ``work``: other clients' commands on other keys are
    left out)."""
    marker = uuid.uuid4().hex
    with raw.monitor() as feed:  # type: ignore[no-untyped-call]
        work()
        raw.echo(marker)
        seen: list[list[bytes]] = []
        while True:
            command = feed.next_command()["command"]
            if marker in command:
                return seen
            words = command.encode().split()
            if words[0].upper() == b"XRANGE" and key in command.encode():
                seen.append(words)


def test_a_replay_to_a_known_end_asks_the_server_no_more_than_it_must(
    redis_url: str, raw: redis.Redis
) -> None:
    """``replay_range`` reads pages of PAGE (100) entries.  A page that ends at ``end`` is the
    last: it asks for no page beyond it, at exact page boundaries too.  With an end past the
    newest record, a full last page needs one more, empty, page to be sure."""
    name = fresh()
    with prism.open(name, config=config(redis_url)) as ns:
        s: Any = ns.stream
        key = f"prism:{{{name}}}:stream:log".encode()
        offsets = s.append_many("log", [b"%d" % i for i in range(250)])

        def replay(start: int, end: int, count: int, pages: int) -> None:
            got: list[StreamRecord] = []
            asked = _xranges_on(raw, key, lambda: got.extend(s.replay_range("log", start, end)))
            assert [r.offset for r in got] == [o for o in offsets if start <= o <= end]
            assert len(got) == count
            assert len(asked) == pages, asked

        replay(0, offsets[99], 100, 1)  # exactly one page, ending at ``end``
        replay(0, offsets[199], 200, 2)
        replay(offsets[100], offsets[199], 100, 1)
        replay(0, offsets[249], 250, 3)  # a short last page
        replay(0, offsets[98], 99, 1)
        replay(0, offsets[100], 101, 2)
        offsets += s.append_many("log", [b"more"] * 50)  # 300 in all
        replay(0, offsets[249], 250, 3)  # records after ``end`` exist: still three pages
        replay(offsets[200], 2**62, 100, 2)  # a full page, the end not reached: one more


def test_stream_append_never_writes_a_sequence_that_overflows_an_offset(
    redis_url: str, raw: Any
) -> None:
    name = fresh()
    with prism.open(name, config=config(redis_url)) as ns:
        s: Any = ns.stream
        key = f"prism:{{{name}}}:stream:log".encode()
        future = int(time.time() * 1000) + 3_600_000  # the server's clock will not reach it
        raw.xadd(key, {b"p": b"last"}, id=f"{future}-{2**SEQ_BITS - 1}".encode())
        offset = s.append("log", b"next")  # Redis would give it <future>-1048576
        assert offset == (future + 1) << SEQ_BITS
        assert [i for i, _ in raw.xrange(key)] == [
            f"{future}-{2**SEQ_BITS - 1}".encode(),
            f"{future + 1}-0".encode(),
        ]
        assert [r.payload for r in s.read("log")] == [b"last", b"next"]
        assert s.append("log", b"after") == ((future + 1) << SEQ_BITS) + 1


def test_stream_lag_and_pending_stay_honest_across_trims(redis_url: str) -> None:
    with prism.open(fresh(), config=config(redis_url)) as ns:
        s: Any = ns.stream
        offsets = [s.append("log", b"%d" % i) for i in range(10)]
        s.create_group("log", "early", start="earliest")
        s.create_group("log", "mid", start="earliest")
        assert len(s.consume("log", "mid", "c", max_count=5)) == 5
        s.set_retention("log", max_length=3)
        assert s.trim("log") == 7
        # Redis's own lag for "early" would be 10: it counts records trimmed before delivery
        early = s.group_info("log", "early")
        assert (early.lag, early.pending, early.last_delivered) == (3, 0, None)
        mid = s.group_info("log", "mid")
        assert (mid.lag, mid.pending, mid.last_delivered) == (3, 0, offsets[4])
        assert [r.offset for r in s.consume("log", "early", "c", max_count=10)] == offsets[7:]
        assert s.group_info("log", "early").lag == 0


def test_stream_group_created_at_latest_has_delivered_nothing(redis_url: str) -> None:
    with prism.open(fresh(), config=config(redis_url)) as ns:
        s: Any = ns.stream
        first = s.append("log", b"old")
        s.create_group("log", "g", start="latest")
        s.create_group("log", "at", start=first)
        assert s.group_info("log", "g").last_delivered is None
        assert s.group_info("log", "at").last_delivered is None
        new = s.append("log", b"new")
        assert [r.offset for r in s.consume("log", "g", "c")] == [new]
        assert s.group_info("log", "g").last_delivered == new


def test_queue_keys_seen_raw(redis_url: str, raw: Any) -> None:
    name = fresh()
    with prism.open(name, config=config(redis_url)) as ns:
        q: Any = ns.queue
        first = q.enqueue("jobs", b"a", priority=2)
        q.enqueue("jobs", b"b", delay=60)
        q.configure_dead_letter("jobs", max_attempts=3, dead_letter_queue="jobs.dlq")
        lease = q.receive("jobs", visibility_timeout=30)
        assert lease.id == first
        root = f"prism:{{{name}}}:queue"
        found = sorted(raw.scan_iter(match=glob_escape(f"prism:{{{name}}}:".encode()) + b"*"))
        # "a" is leased and "b" delayed, so the ready zset is empty, i.e. gone
        parts = [":delayed", ":leased", ":msg", ":rules", ":scheduled", ":seq", ".wake:jobs"]
        assert found == sorted(f"{root}{part}".encode() for part in parts)
        assert raw.hget(f"{root}:rules".encode(), b"jobs") == b"3:jobs.dlq"
        assert raw.zrange(f"{root}:leased".encode(), 0, -1) == [first.encode()]
        assert raw.hget(f"{root}:msg".encode(), f"b{first}".encode()) == b"a"
        assert raw.hget(f"{root}:scheduled".encode(), b"jobs") == b"1"
        q.release(lease)
        [member] = raw.zrange(f"{root}:ready".encode(), 0, -1)
        assert member.startswith(b"jobs\x00" + b"%08x" % (2**31 - 1 - 2))
        assert member.endswith(first.encode())


_QUEUE_CONSUMER = """
import sys, prism
url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
cfg = {"backends": {"r": {"type": "redis", "connection": url}}, "default_backend": "r"}
q = prism.open(name, config=cfg).queue
leases = [q.receive("jobs", visibility_timeout=1.0) for _ in range(count)]
for lease in leases[: count // 2]:
    q.ack(lease)
print(" ".join(lease.id for lease in leases[count // 2 :]), flush=True)
sys.stdin.read()  # hold the other leases until killed
"""

_STREAM_CONSUMER = """
import asyncio, sys, prism
url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
cfg = {"backends": {"r": {"type": "redis", "connection": url}}, "default_backend": "r"}

async def main():
    s = (await prism.open_async(name, config=cfg)).stream
    got = await s.consume("log", "g", "doomed", max_count=count)
    await s.ack("log", "g", [r.offset for r in got[: count // 2]])
    print(" ".join(str(r.offset) for r in got[count // 2 :]), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
"""


def _run_and_kill(code: str, url: str, name: str, count: int) -> list[str]:
    """Start a consumer process, read the line it prints once it holds its deliveries, then
    SIGKILL it (no chance to clean up) and return what it printed."""
    child = subprocess.Popen(
        [sys.executable, "-c", code, url, name, str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line, child.stderr.read() if child.stderr else "the consumer died"
        return line.split()
    finally:
        child.kill()
        child.wait(timeout=10)
        for pipe in (child.stdin, child.stdout, child.stderr):
            if pipe is not None:
                pipe.close()


def test_queue_messages_held_by_a_killed_consumer_are_delivered_again(redis_url: str) -> None:
    name = fresh("crash")
    with prism.open(name, config=config(redis_url)) as ns:
        q: Any = ns.queue
        sent = [q.enqueue("jobs", b"%d" % i) for i in range(20)]
        held = _run_and_kill(_QUEUE_CONSUMER, redis_url, name, 20)
        assert len(held) == 10
        assert set(held) < set(sent)
        again: dict[str, Any] = {}
        while len(again) < len(held):
            lease = q.receive("jobs", visibility_timeout=30, timeout=10)
            assert lease is not None, f"only {sorted(again)} of {held} came back"
            assert lease.id in held
            assert lease.id not in again
            assert lease.message.attempts == 2
            again[lease.id] = lease
        for lease in again.values():
            q.ack(lease)
        assert q.receive("jobs") is None
        assert q.length("jobs") == 0


def test_stream_records_held_by_a_killed_consumer_are_reclaimed(redis_url: str) -> None:
    name = fresh("crash")
    with prism.open(name, config=config(redis_url)) as ns:
        s: Any = ns.stream
        offsets = [s.append("log", b"%d" % i) for i in range(20)]
        s.create_group("log", "g", start="earliest")
        held = [int(o) for o in _run_and_kill(_STREAM_CONSUMER, redis_url, name, 20)]
        assert held == offsets[10:]
        assert dict(s.group_info("log", "g").consumers) == {"doomed": 10}
        reclaimed: list[int] = []
        deadline = time.monotonic() + 20
        while len(reclaimed) < len(held):  # poll until the claim timeout passed
            got = s.consume("log", "g", "rescuer", max_count=20, claim_timeout=1.0)
            assert all(r.delivery_count == 2 for r in got)
            reclaimed += [r.offset for r in got]
            assert time.monotonic() < deadline, f"reclaimed only {reclaimed}"
            if not got:
                time.sleep(0.05)
        assert reclaimed == held
        assert s.ack("log", "g", reclaimed) == 10
        info = s.group_info("log", "g")
        assert (info.pending, info.lag) == (0, 0)


@needs_binary
def test_queue_leases_survive_a_server_restart_with_appendonly(tmp_path: Path) -> None:
    server = start_redis(tmp_path / "aof", extra=["--appendonly", "yes", "--appendfsync", "always"])
    try:
        with prism.open(fresh(), config=config(server.url)) as ns:
            q: Any = ns.queue
            msg_id = q.enqueue("jobs", b"x")
            later = q.enqueue("jobs", b"later", delay=0.5)
            lease = q.receive("jobs", visibility_timeout=1.0)
            assert lease.id == msg_id
            server.kill()
            server.start()  # same port and directory: replays the append-only file
            again = eventually(lambda: q.receive("jobs", visibility_timeout=30, timeout=10))
            got = {again.id: again}
            while len(got) < 2:
                more = q.receive("jobs", visibility_timeout=30, timeout=10)
                assert more is not None
                got[more.id] = more
            assert set(got) == {msg_id, later}
            assert got[msg_id].message.attempts == 2
            assert got[later].message.attempts == 1
            with pytest.raises(prism.LeaseLostError):
                q.ack(lease)
            for held in got.values():
                q.ack(held)
            assert q.length("jobs") == q.scheduled_count("jobs") == 0
    finally:
        server.stop()


# ----- configuration ---------------------------------------------------------------------------


def test_options_reach_the_client() -> None:
    cfg = parse_config(
        "redis",
        "rediss://user:pw@example.com:6380/2?socket_timeout=1.5",
        {
            "max_connections": 7,
            "ssl_ca_certs": "/ca.pem",
            "ssl_cert_reqs": "none",
            "password": "override",
            "health_check_interval": 10,
        },
    )
    assert (cfg.host, cfg.port, cfg.db, cfg.ssl, cfg.cluster) == (
        "example.com",
        6380,
        2,
        True,
        False,
    )
    kw = cfg.client_kwargs
    assert kw["socket_timeout"] == 1.5
    assert kw["max_connections"] == 7
    assert kw["ssl_cert_reqs"] == "none"
    assert kw["username"] == "user"
    assert kw["password"] == "override"
    assert "override" not in repr(cfg)
    assert "pw" not in repr(cfg).replace("rediss", "")


@pytest.mark.parametrize(
    ("url", "options"),
    [
        ("http://h", {}),
        ("redis://h", {"nope": 1}),
        ("redis://h", {"socket_timeout": "soon"}),
        ("redis+cluster://h/3", {}),
        ("redis+cluster://h", {"cluster": False}),
        ("redis://h", {"ssl_ca_certs": "/ca.pem"}),
        ("redis://h", {"key_prefix": "a{b"}),
    ],
)
def test_bad_configuration(url: str, options: dict[str, Any]) -> None:
    with pytest.raises(prism.ConfigurationError):
        parse_config("redis", url, options)


def test_cluster_selected_by_scheme_option_or_backend_name() -> None:
    assert parse_config("redis", "redis+cluster://h:7000", {}).cluster
    assert parse_config("redis", "redis://h:7000", {"cluster": True}).cluster
    assert parse_config("redis-cluster", "redis://h:7000", {}).cluster
    assert not parse_config("redis", "redis://h:7000", {}).cluster


def test_missing_driver_is_a_configuration_error() -> None:
    code = (
        "import sys; sys.modules['redis'] = None\n"
        "import prism\n"
        "try:\n"
        "    prism.open('x', config={'backends': {'r': {'type': 'redis', "
        "'connection': 'redis://127.0.0.1:1'}}, 'default_backend': 'r'})\n"
        "except prism.ConfigurationError as exc:\n"
        "    print('OK', exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert out.stdout.startswith("OK"), out.stderr
    assert 'pip install "prism[redis]"' in out.stdout
