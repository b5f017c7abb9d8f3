"""Compliance suites for the pubsub interfaces.

"Nothing more arrives" is checked by receiving exactly the expected messages and then seeing
that ``get`` times out after :attr:`AsyncPubSubSuiteBase.quiet` seconds (short in-process, where
publish delivers at once; longer against a server).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

import pytest

import prism
from prism._compat import sleep_async
from prism.interfaces._async.pubsub import (
    AsyncPubSubBasic,
    AsyncPubSubFiltering,
    AsyncPubSubOrdering,
    AsyncPubSubPersistent,
    AsyncPubSubWildcards,
    AsyncSubscription,
)
from prism.testing._concurrency import join_async, run_concurrently_async, start_background_async
from prism.testing.target import Target
from prism.types import Message

# isort: split
from prism.testing._async.suite import AsyncSuite

S = TypeVar("S", bound=AsyncSubscription)

BAD_NAMES = [
    pytest.param("", id="empty"),
    pytest.param("x" * 1025, id="over-1024-bytes"),
    pytest.param("é" * 513, id="over-1024-utf8-bytes"),
    pytest.param("a\x00b", id="nul"),
    pytest.param(b"bytes", id="bytes"),
    pytest.param(42, id="int"),
    pytest.param(None, id="none"),
]
BINARY_VALUES = [
    pytest.param(b"", id="empty"),
    pytest.param(b"\x00\x01\x00", id="nul-bytes"),
    pytest.param(b"\xff\xfe\xc3\x28", id="invalid-utf8"),
    pytest.param(bytes(range(256)) * 4096, id="1MiB"),
]
UNICODE_TOPICS = ["café", "键值", "🙂.emoji", "x" * 1024, "é" * 512]


def _numbered(messages: Sequence[Message]) -> dict[str, list[int]]:
    """Group payloads ``b"<source>:<n>"`` by source, keeping arrival order."""
    groups: dict[str, list[int]] = defaultdict(list)
    for message in messages:
        source, number = message.payload.decode().split(":")
        groups[source].append(int(number))
    return dict(groups)


class AsyncPubSubSuiteBase(AsyncSuite):
    """Helpers shared by the pubsub suites: subscriptions are closed after each test."""

    def bind(self, target: Target) -> None:
        super().bind(target)
        self._subscriptions: list[AsyncSubscription] = []

    def track(self, subscription: S) -> S:
        """Close ``subscription`` at the end of the test."""
        self._subscriptions.append(subscription)
        return subscription

    async def close_namespaces(self) -> None:
        while self._subscriptions:
            await self._subscriptions.pop().close()
        await super().close_namespaces()

    async def pubsub(self, interface: type[Any], name: str | None = None) -> Any:
        """The pubsub facet of a fresh namespace (or of ``name``), checked to implement
        ``interface`` and pubsub_basic (every backend with pubsub has it)."""
        found = (await self.open(name)).facet("pubsub")
        for required in (interface, AsyncPubSubBasic):
            assert isinstance(found, required), f"{found!r} does not implement {required.__name__}"
        return found

    @property
    def patience(self) -> float:
        """How long expected messages may take to arrive (in-process delivery is immediate)."""
        return 1.0 if self.has_clock else 10.0

    async def until(self, check: Callable[[], bool]) -> None:
        """Poll ``check`` (which another task or thread makes true) until it holds."""
        deadline = time.monotonic() + self.patience
        while not check():
            assert time.monotonic() < deadline, f"condition not met within {self.patience} s"
            await sleep_async(0.005)

    @property
    def quiet(self) -> float:
        """How long to wait before concluding that nothing more arrives."""
        return 0.02 if self.has_clock else 0.5

    async def receive(self, sub: AsyncSubscription, count: int) -> list[Message]:
        """The next ``count`` messages, which must all arrive within :attr:`patience`."""
        deadline = time.monotonic() + self.patience
        out: list[Message] = []
        for _ in range(count):
            message = await sub.get(timeout=max(0.0, deadline - time.monotonic()))
            assert message is not None, f"only {len(out)} of {count} messages arrived"
            out.append(message)
        return out

    async def assert_quiet(self, *subs: AsyncSubscription) -> None:
        """Nothing arrives on any of ``subs`` for :attr:`quiet` seconds.  They share one window:
        each is waited on until the window ends (what arrives on one while another is waited on
        stays buffered, and is found), so N subscriptions cost one window, not N."""
        end = time.monotonic() + self.quiet
        for sub in subs:
            extra = await sub.get(timeout=max(0.0, end - time.monotonic()))
            if extra is not None:  # not an assert: pytest would repr a payload of any size
                pytest.fail(f"unexpected message on {extra.topic!r}: {extra.payload[:60]!r}")

    async def assert_receives(
        self, sub: AsyncSubscription, expected: list[tuple[str, bytes]], *, ordered: bool = True
    ) -> None:
        """Exactly ``expected`` (topic, payload) pairs arrive, then nothing more."""
        await self.assert_each_receives([sub], expected, ordered=ordered)

    async def assert_each_receives(
        self,
        subs: Sequence[AsyncSubscription],
        expected: list[tuple[str, bytes]],
        *,
        ordered: bool = True,
    ) -> None:
        """Each of ``subs`` receives exactly ``expected``, then nothing more arrives on any."""
        for sub in subs:
            got = [(m.topic, m.payload) for m in await self.receive(sub, len(expected))]
            assert got == expected if ordered else sorted(got) == sorted(expected), got
        await self.assert_quiet(*subs)


class AsyncPubSubBasicSuite(AsyncPubSubSuiteBase, interface="pubsub_basic"):
    """Fan-out, per-publisher order, headers, subscription lifetime and the conventions."""

    async def _facet(self, name: str | None = None) -> AsyncPubSubBasic:
        found: AsyncPubSubBasic = await self.pubsub(AsyncPubSubBasic, name)
        return found

    async def test_one_subscriber_receives(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe("orders"))
        await ps.publish("orders", b"hello")
        message = await sub.get(timeout=self.patience)
        assert isinstance(message, Message)
        assert (message.topic, message.payload) == ("orders", b"hello")
        assert message.delivery_count == 1
        await self.assert_quiet(sub)

    async def test_three_subscribers_all_receive(self) -> None:
        ps = await self._facet()
        subs = [self.track(await ps.subscribe("t")) for _ in range(3)]
        await ps.publish("t", b"one")
        await ps.publish("t", b"two")
        await self.assert_each_receives(subs, [("t", b"one"), ("t", b"two")])

    async def test_order_kept_for_one_publisher(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe("t"))
        for i in range(100):
            await ps.publish("t", f"p:{i}".encode())
        assert _numbered(await self.receive(sub, 100)) == {"p": list(range(100))}

    async def test_headers_round_trip(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe("t"))
        headers = {"content-type": "application/json", "trace": "ünïcødé 键", "empty": ""}
        await ps.publish("t", b"with", headers=headers)
        await ps.publish("t", b"without")
        first, second = await self.receive(sub, 2)
        assert dict(first.headers) == headers
        assert dict(second.headers) == {}

    async def test_message_published_before_subscribing_is_not_received(self) -> None:
        ps = await self._facet()
        await ps.publish("t", b"early")
        sub = self.track(await ps.subscribe("t"))
        await ps.publish("t", b"late")
        await self.assert_receives(sub, [("t", b"late")])

    async def test_only_the_subscribed_topic_is_received(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe("a.b"))
        for topic in ("a", "a.b.c", "a.bc", "A.B", "b"):
            await ps.publish(topic, b"other")
        await ps.publish("a.b", b"mine")
        await self.assert_receives(sub, [("a.b", b"mine")])

    async def test_closed_subscription_receives_nothing_more(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe("t"))
        other = self.track(await ps.subscribe("t"))
        await ps.publish("t", b"before")
        assert (await self.receive(sub, 1))[0].payload == b"before"
        assert sub.closed is False
        await sub.close()
        assert sub.closed is True
        await ps.publish("t", b"after")
        assert await sub.get(timeout=self.quiet) is None
        assert [m.payload async for m in sub] == []
        await sub.close()  # closing twice is harmless
        await self.assert_receives(other, [("t", b"before"), ("t", b"after")])

    async def test_close_ends_a_waiting_iteration(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe("t"))
        got: list[bytes] = []

        async def consume() -> int:
            async for message in sub:
                got.append(message.payload)
            return len(got)

        handle = start_background_async(consume)
        for payload in (b"1", b"2", b"3"):
            await ps.publish("t", payload)
        await self.until(lambda: len(got) >= 3)
        await sub.close()
        assert await join_async(handle) == 3
        assert got == [b"1", b"2", b"3"]

    async def test_context_manager_and_iteration(self) -> None:
        ps = await self._facet()
        async with await ps.subscribe("t") as sub:
            for payload in (b"a", b"b", b"c"):
                await ps.publish("t", payload)
            got = []
            async for message in sub:
                got.append(message.payload)
                if len(got) == 3:
                    break
            assert got == [b"a", b"b", b"c"]
        assert sub.closed

    async def test_get_times_out_with_none(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe("t"))
        assert await sub.get(timeout=0.05) is None
        assert await sub.get(timeout=timedelta(milliseconds=50)) is None
        assert await sub.get(timeout=0) is None

    @pytest.mark.parametrize("timeout", [-1, float("nan"), "1"])
    async def test_bad_get_timeout_rejected(self, timeout: Any) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe("t"))
        with pytest.raises(prism.InvalidArgumentError):
            await sub.get(timeout=timeout)

    async def test_1000_messages_arrive_complete_and_in_order(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe("bulk"))
        for i in range(1000):
            await ps.publish("bulk", f"p:{i}".encode())
        assert _numbered(await self.receive(sub, 1000)) == {"p": list(range(1000))}
        await self.assert_quiet(sub)

    async def test_slow_subscriber_does_not_block_others(self) -> None:
        ps = await self._facet()
        slow = self.track(await ps.subscribe("t"))
        fast = self.track(await ps.subscribe("t"))
        handle = start_background_async(lambda: self.receive(fast, 500))
        for i in range(500):
            await ps.publish("t", f"p:{i}".encode())
        assert _numbered(await join_async(handle)) == {"p": list(range(500))}
        # the slow one lost nothing while it was not reading (memstore buffers without bound)
        assert _numbered(await self.receive(slow, 500)) == {"p": list(range(500))}

    async def test_concurrent_publishers_reach_every_subscriber_in_their_order(self) -> None:
        ps = await self._facet()
        subs = [self.track(await ps.subscribe("t")) for _ in range(2)]

        async def publisher(p: int) -> None:
            for i in range(100):
                await ps.publish("t", f"{p}:{i}".encode())

        await run_concurrently_async([partial(publisher, p) for p in range(4)])
        for sub in subs:
            assert _numbered(await self.receive(sub, 400)) == {
                str(p): list(range(100)) for p in range(4)
            }
        await self.assert_quiet(*subs)

    @pytest.mark.parametrize("value", BINARY_VALUES)
    async def test_binary_payloads_round_trip(self, value: bytes) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe("bin"))
        limit = self.target.max_message_bytes
        if limit is not None and len(value) > limit:  # a declared message limit refuses it
            with pytest.raises(prism.ValueTooLargeError):
                await ps.publish("bin", value)
            await self.assert_quiet(sub)
            return
        await ps.publish("bin", value)
        assert (await self.receive(sub, 1))[0].payload == value

    async def test_payload_at_the_declared_limit(self) -> None:
        limit = self.target.max_message_bytes or self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        ps = await self._facet()
        sub = self.track(await ps.subscribe("big"))
        await ps.publish("big", b"\x00" * limit)
        with pytest.raises(prism.ValueTooLargeError):
            await ps.publish("big", b"\x00" * (limit + 1))
        assert len((await self.receive(sub, 1))[0].payload) == limit
        await self.assert_quiet(sub)

    @pytest.mark.parametrize("topic", UNICODE_TOPICS)
    async def test_unicode_topics(self, topic: str) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe(topic))
        await ps.publish(topic, topic.encode())
        await self.assert_receives(sub, [(topic, topic.encode())])

    @pytest.mark.parametrize("topic", BAD_NAMES)
    async def test_bad_topics_rejected(self, topic: Any) -> None:
        ps = await self._facet()
        with pytest.raises(prism.InvalidArgumentError):
            await ps.publish(topic, b"v")
        with pytest.raises(prism.InvalidArgumentError):
            await ps.subscribe(topic)

    @pytest.mark.parametrize("value", ["text", 1, None, bytearray(b"x")])
    async def test_non_bytes_payloads_rejected(self, value: Any) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe("t"))
        with pytest.raises(prism.InvalidArgumentError):
            await ps.publish("t", value)
        await self.assert_quiet(sub)

    @pytest.mark.parametrize("headers", [{"": "v"}, {"k": 1}, {1: "v"}, "k=v", [("k", "v")]])
    async def test_bad_headers_rejected(self, headers: Any) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe("t"))
        with pytest.raises(prism.InvalidArgumentError):
            await ps.publish("t", b"v", headers=headers)
        await self.assert_quiet(sub)

    async def test_namespaces_are_isolated(self) -> None:
        a = await self._facet()
        b = await self._facet()
        sub_a = self.track(await a.subscribe("shared"))
        sub_b = self.track(await b.subscribe("shared"))
        await a.publish("shared", b"from-a")
        await b.publish("shared", b"from-b")
        await self.assert_receives(sub_a, [("shared", b"from-a")])
        await self.assert_receives(sub_b, [("shared", b"from-b")])

    async def test_same_namespace_opened_twice_shares_messages(self) -> None:
        name = self.target.fresh_name()
        first = await self._facet(name)
        second = await self._facet(name)
        sub = self.track(await first.subscribe("t"))
        await second.publish("t", b"across")
        await self.assert_receives(sub, [("t", b"across")])


class AsyncPubSubWildcardsSuite(AsyncPubSubSuiteBase, interface="pubsub_wildcards"):
    """``*`` is one token, ``>`` one or more trailing tokens; malformed patterns are refused."""

    async def _facet(self, name: str | None = None) -> AsyncPubSubWildcards:
        found: AsyncPubSubWildcards = await self.pubsub(AsyncPubSubWildcards, name)
        return found

    async def _publish(self, ps: AsyncPubSubWildcards, *topics: str) -> None:
        assert isinstance(ps, AsyncPubSubBasic)
        for topic in topics:
            await ps.publish(topic, topic.encode())

    async def test_star_matches_exactly_one_token(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_pattern("a.*"))
        await self._publish(ps, "a", "a.b.c", "b.a", "ab", "a.b", "a.xyz")
        await self.assert_receives(sub, [("a.b", b"a.b"), ("a.xyz", b"a.xyz")], ordered=False)

    async def test_greater_than_matches_one_or_more_trailing_tokens(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_pattern("a.>"))
        await self._publish(ps, "a", "b.a.c", "ab.c", "a.b", "a.b.c", "a.b.c.d")
        expected = [(t, t.encode()) for t in ("a.b", "a.b.c", "a.b.c.d")]
        await self.assert_receives(sub, expected, ordered=False)

    async def test_star_in_the_middle(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_pattern("a.*.c"))
        await self._publish(ps, "a.c", "a.b.d", "a.b.c.d", "x.b.c", "a.b.c", "a.x.c")
        await self.assert_receives(sub, [("a.b.c", b"a.b.c"), ("a.x.c", b"a.x.c")], ordered=False)

    async def test_star_and_greater_than_combined(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_pattern("*.b.>"))
        await self._publish(ps, "a.b", "a.c.d", "a.b.c", "x.b.c.d")
        await self.assert_receives(
            sub, [("a.b.c", b"a.b.c"), ("x.b.c.d", b"x.b.c.d")], ordered=False
        )

    async def test_lone_wildcards(self) -> None:
        ps = await self._facet()
        one = self.track(await ps.subscribe_pattern("*"))
        every = self.track(await ps.subscribe_pattern(">"))
        await self._publish(ps, "a", "a.b", "x.y.z")
        await self.assert_receives(one, [("a", b"a")])
        await self.assert_receives(
            every, [(t, t.encode()) for t in ("a", "a.b", "x.y.z")], ordered=False
        )

    async def test_pattern_without_wildcards_matches_only_that_topic(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_pattern("a.b"))
        await self._publish(ps, "a", "a.b.c", "a.bb", "a.b")
        await self.assert_receives(sub, [("a.b", b"a.b")])

    async def test_glob_and_like_metacharacters_in_tokens_are_literal(self) -> None:
        # Only whole-token "*" and ">" are wildcards: "?", "[...]", "\\", "%" and "_" inside a
        # token match themselves (a backend translating to Redis globs or SQL LIKE must escape
        # them), so every decoy below would be received only if they were taken as patterns.
        ps = await self._facet()
        question = self.track(await ps.subscribe_pattern("q?.*"))
        brackets = self.track(await ps.subscribe_pattern("[ab].>"))
        escapes = self.track(await ps.subscribe_pattern("*.p%_\\q"))
        decoys = ["qq.x", "q.x", "a.x", "b.x.y", "x.p%_q", "x.pzzyq", "x.pab\\q"]
        literal = ["q?.x", "[ab].x", "[ab].x.y", "x.p%_\\q"]
        await self._publish(ps, *decoys[:4], *literal, *decoys[4:])
        await self.assert_receives(question, [("q?.x", b"q?.x")])
        await self.assert_receives(
            brackets, [("[ab].x", b"[ab].x"), ("[ab].x.y", b"[ab].x.y")], ordered=False
        )
        await self.assert_receives(escapes, [("x.p%_\\q", b"x.p%_\\q")])

    async def test_exact_subscription_alongside_a_pattern_both_receive_once(self) -> None:
        ps = await self._facet()
        assert isinstance(ps, AsyncPubSubBasic)
        exact = self.track(await ps.subscribe("a.b"))
        pattern = self.track(await ps.subscribe_pattern("a.*"))
        broad = self.track(await ps.subscribe_pattern("a.>"))
        await self._publish(ps, "a.b")
        await self.assert_each_receives([exact, pattern, broad], [("a.b", b"a.b")])

    async def test_messages_carry_the_concrete_topic_and_keep_order(self) -> None:
        ps = await self._facet()
        assert isinstance(ps, AsyncPubSubBasic)
        sub = self.track(await ps.subscribe_pattern("orders.*"))
        for i in range(50):
            await ps.publish(f"orders.{i % 2}", f"{i % 2}:{i // 2}".encode(), headers={"n": str(i)})
        got = await self.receive(sub, 50)
        assert {m.topic for m in got} == {"orders.0", "orders.1"}
        assert all(m.topic == f"orders.{m.payload.decode()[0]}" for m in got)
        assert _numbered(got) == {"0": list(range(25)), "1": list(range(25))}
        assert all(m.headers.get("n") is not None for m in got)

    async def test_closed_pattern_subscription_receives_nothing_more(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_pattern("a.>"))
        await sub.close()
        await self._publish(ps, "a.b")
        assert await sub.get(timeout=self.quiet) is None
        assert sub.closed

    async def test_unicode_tokens(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_pattern("café.*.🙂"))
        await self._publish(ps, "café.键.🙂", "cafe.键.🙂", "café.键.x")
        await self.assert_receives(sub, [("café.键.🙂", "café.键.🙂".encode())])

    @pytest.mark.parametrize(
        "pattern", ["a..b", ".a", "a.", "a.>.b", ">.a", "a*", "a.b>", "a.*b", "a.>>", "."]
    )
    async def test_malformed_patterns_rejected(self, pattern: str) -> None:
        ps = await self._facet()
        with pytest.raises(prism.InvalidArgumentError):
            await ps.subscribe_pattern(pattern)

    @pytest.mark.parametrize("pattern", BAD_NAMES)
    async def test_bad_pattern_names_rejected(self, pattern: Any) -> None:
        ps = await self._facet()
        with pytest.raises(prism.InvalidArgumentError):
            await ps.subscribe_pattern(pattern)

    async def test_no_cross_namespace_matches(self) -> None:
        a = await self._facet()
        b = await self._facet()
        every_a = self.track(await a.subscribe_pattern(">"))
        star_a = self.track(await a.subscribe_pattern("x.*"))
        every_b = self.track(await b.subscribe_pattern(">"))
        await self._publish(b, "x.y", "z")
        await self._publish(a, "x.a")
        await self.assert_receives(every_a, [("x.a", b"x.a")])
        await self.assert_receives(star_a, [("x.a", b"x.a")])
        await self.assert_receives(every_b, [("x.y", b"x.y"), ("z", b"z")], ordered=False)


class AsyncPubSubPersistentSuite(AsyncPubSubSuiteBase, interface="pubsub_persistent"):
    """Durable names: catch-up after being offline, at-least-once redelivery, ack, ids."""

    async def _facet(self, name: str | None = None) -> AsyncPubSubPersistent:
        found: AsyncPubSubPersistent = await self.pubsub(AsyncPubSubPersistent, name)
        return found

    async def test_offline_durable_subscriber_gets_messages_on_return(self) -> None:
        ps = await self._facet()
        await (await ps.subscribe_durable("t", "worker")).close()
        ids = [await ps.publish_persistent("t", f"p:{i}".encode()) for i in range(3)]
        sub = self.track(await ps.subscribe_durable("t", "worker"))
        got = await self.receive(sub, 3)
        assert [m.id for m in got] == ids
        assert [m.payload for m in got] == [b"p:0", b"p:1", b"p:2"]
        assert all(m.topic == "t" and m.delivery_count == 1 for m in got)
        await self.assert_quiet(sub)

    async def test_messages_published_while_attached_are_delivered(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_durable("t", "live"))
        message_id = await ps.publish_persistent("t", b"live", headers={"h": "v"})
        (message,) = await self.receive(sub, 1)
        assert (message.id, message.payload, dict(message.headers)) == (
            message_id,
            b"live",
            {"h": "v"},
        )

    async def test_unacked_message_is_redelivered_after_ack_wait(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_durable("t", "w", ack_wait=1.0))
        message_id = await ps.publish_persistent("t", b"once")
        (first,) = await self.receive(sub, 1)
        assert (first.id, first.delivery_count) == (message_id, 1)
        await self.advance(1.2)
        (again,) = await self.receive(sub, 1)
        assert (again.id, again.payload, again.delivery_count) == (message_id, b"once", 2)
        await sub.ack(again)
        await self.assert_quiet(sub)

    async def test_unacked_message_goes_to_the_next_subscriber_after_close(self) -> None:
        ps = await self._facet()
        first = self.track(await ps.subscribe_durable("t", "w"))
        ids = [await ps.publish_persistent("t", p) for p in (b"acked", b"unacked")]
        acked, _ = await self.receive(first, 2)
        await first.ack(acked)
        await first.close()
        assert await first.get(timeout=self.quiet) is None
        second = self.track(await ps.subscribe_durable("t", "w"))
        (again,) = await self.receive(second, 1)
        assert (again.id, again.payload, again.delivery_count) == (ids[1], b"unacked", 2)
        await second.ack(again)
        await self.assert_quiet(second)

    async def test_acked_message_is_not_redelivered(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_durable("t", "w", ack_wait=1.0))
        await ps.publish_persistent("t", b"done")
        (message,) = await self.receive(sub, 1)
        await sub.ack(message)
        await sub.ack(message)  # acking twice is harmless
        await self.advance(1.2)
        await self.assert_quiet(sub)
        await sub.close()
        again = self.track(await ps.subscribe_durable("t", "w"))
        await self.assert_quiet(again)

    async def test_last_message_id_advances(self) -> None:
        ps = await self._facet()
        assert await ps.last_message_id("t") is None
        first = await ps.publish_persistent("t", b"1")
        assert await ps.last_message_id("t") == first
        second = await ps.publish_persistent("t", b"2")
        assert second != first
        assert await ps.last_message_id("t") == second
        assert await ps.last_message_id("other") is None
        other = await ps.publish_persistent("other", b"x")
        assert await ps.last_message_id("other") == other
        assert await ps.last_message_id("t") == second

    async def test_two_durable_names_each_get_everything(self) -> None:
        ps = await self._facet()
        one = self.track(await ps.subscribe_durable("t", "one"))
        two = self.track(await ps.subscribe_durable("t", "two"))
        ids = [await ps.publish_persistent("t", f"p:{i}".encode()) for i in range(5)]
        for sub in (one, two):
            got = await self.receive(sub, 5)
            assert [m.id for m in got] == ids
            for message in got:
                await sub.ack(message)
        await self.assert_quiet(one, two)

    async def test_start_earliest_and_latest_on_creation(self) -> None:
        ps = await self._facet()
        old = await ps.publish_persistent("t", b"old")
        earliest = self.track(await ps.subscribe_durable("t", "e", start="earliest"))
        latest = self.track(await ps.subscribe_durable("t", "l", start="latest"))
        new = await ps.publish_persistent("t", b"new")
        assert [m.id for m in await self.receive(earliest, 2)] == [old, new]
        assert [m.id for m in await self.receive(latest, 1)] == [new]
        await self.assert_quiet(latest)

    async def test_start_applies_only_on_creation(self) -> None:
        ps = await self._facet()
        await (await ps.subscribe_durable("t", "w", start="latest")).close()
        missed = await ps.publish_persistent("t", b"while offline")
        sub = self.track(await ps.subscribe_durable("t", "w", start="latest"))
        (message,) = await self.receive(sub, 1)
        assert message.id == missed

    async def test_persistent_messages_reach_ordinary_subscribers(self) -> None:
        ps = await self._facet()
        assert isinstance(ps, AsyncPubSubBasic)
        sub = self.track(await ps.subscribe("t"))
        message_id = await ps.publish_persistent("t", b"p")
        (message,) = await self.receive(sub, 1)
        assert (message.id, message.payload) == (message_id, b"p")

    async def test_1000_persistent_messages_complete_and_in_order(self) -> None:
        ps = await self._facet()
        ids = [await ps.publish_persistent("bulk", f"p:{i}".encode()) for i in range(1000)]
        assert len(set(ids)) == 1000
        sub = self.track(await ps.subscribe_durable("bulk", "reader"))
        got = await self.receive(sub, 1000)
        assert [m.id for m in got] == ids
        assert _numbered(got) == {"p": list(range(1000))}
        for message in got:
            await sub.ack(message)
        await self.assert_quiet(sub)

    async def test_concurrent_publishers(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_durable("t", "all"))

        async def publisher(p: int) -> list[str]:
            return [await ps.publish_persistent("t", f"{p}:{i}".encode()) for i in range(50)]

        published = await run_concurrently_async([partial(publisher, p) for p in range(4)])
        ids = {i for batch in published for i in batch}
        assert len(ids) == 200
        got = await self.receive(sub, 200)
        assert {m.id for m in got} == ids
        assert _numbered(got) == {str(p): list(range(50)) for p in range(4)}
        assert await ps.last_message_id("t") == got[-1].id

    @pytest.mark.parametrize("value", BINARY_VALUES)
    async def test_binary_payloads_round_trip(self, value: bytes) -> None:
        ps = await self._facet()
        await ps.publish_persistent("bin", value, headers={"k": "v"})
        sub = self.track(await ps.subscribe_durable("bin", "reader"))
        (message,) = await self.receive(sub, 1)
        assert (message.payload, dict(message.headers)) == (value, {"k": "v"})

    async def test_unicode_topic_and_name(self) -> None:
        ps = await self._facet()
        message_id = await ps.publish_persistent("键.café", b"x")
        sub = self.track(await ps.subscribe_durable("键.café", "读者🙂"))
        (message,) = await self.receive(sub, 1)
        assert (message.topic, message.id) == ("键.café", message_id)

    @pytest.mark.parametrize("name", BAD_NAMES)
    async def test_bad_topics_and_names_rejected(self, name: Any) -> None:
        ps = await self._facet()
        for call in (
            lambda: ps.publish_persistent(name, b"v"),
            lambda: ps.subscribe_durable(name, "w"),
            lambda: ps.subscribe_durable("t", name),
            lambda: ps.last_message_id(name),
        ):
            with pytest.raises(prism.InvalidArgumentError):
                await call()
        assert await ps.last_message_id("t") is None

    @pytest.mark.parametrize(
        "options",
        [
            {"start": "newest"},
            {"start": 0},
            {"ack_wait": -1},
            {"ack_wait": "30"},
            {"ack_wait": float("inf")},
        ],
    )
    async def test_bad_durable_options_rejected(self, options: dict[str, Any]) -> None:
        ps = await self._facet()
        with pytest.raises(prism.InvalidArgumentError):
            await ps.subscribe_durable("t", "w", **options)

    async def test_ack_of_a_foreign_message_rejected(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_durable("t", "w"))
        message_id = await ps.publish_persistent("t", b"x")
        with pytest.raises(prism.InvalidArgumentError):
            await sub.ack(Message("t", b"x"))  # not persistent: no id
        with pytest.raises(prism.InvalidArgumentError):
            await sub.ack(Message("other", b"x", id=message_id))
        (message,) = await self.receive(sub, 1)
        await sub.ack(message)

    async def test_closed_durable_subscription_returns_none(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_durable("t", "w"))
        await sub.close()
        await ps.publish_persistent("t", b"x")
        assert sub.closed
        assert await sub.get(timeout=self.quiet) is None
        await sub.close()

    async def test_namespaces_are_isolated(self) -> None:
        a = await self._facet()
        b = await self._facet()
        sub_b = self.track(await b.subscribe_durable("t", "w"))
        message_id = await a.publish_persistent("t", b"from-a")
        assert await b.last_message_id("t") is None
        await self.assert_quiet(sub_b)
        sub_a = self.track(await a.subscribe_durable("t", "w"))
        (message,) = await self.receive(sub_a, 1)
        assert message.id == message_id


class AsyncPubSubFilteringSuite(AsyncPubSubSuiteBase, interface="pubsub_filtering"):
    """Attribute filters in the shared filter language."""

    async def _facet(self, name: str | None = None) -> AsyncPubSubFiltering:
        found: AsyncPubSubFiltering = await self.pubsub(AsyncPubSubFiltering, name)
        return found

    async def _check(
        self,
        filter: dict[str, Any],
        attributes: list[dict[str, Any] | None],
        expected: list[int],
    ) -> None:
        """Publish one message per entry of ``attributes``; exactly ``expected`` (indexes) pass."""
        ps = await self._facet()
        sub = self.track(await ps.subscribe_filtered("t", filter))
        for i, attrs in enumerate(attributes):
            await ps.publish("t", str(i).encode(), attributes=attrs)
        await self.assert_receives(sub, [("t", str(i).encode()) for i in expected])

    async def test_equality(self) -> None:
        await self._check(
            {"region": "eu"},
            [
                {"region": "us"},
                {"region": "eu"},
                {"region": "EU"},
                {"region": ["eu"]},
                {"region": "eu", "x": 1},
            ],
            [1, 4],
        )

    async def test_in(self) -> None:
        await self._check(
            {"region": {"$in": ["eu", "ap"]}},
            [{"region": "us"}, {"region": "ap"}, {"region": "eu"}, {}],
            [1, 2],
        )

    async def test_gt_on_a_numeric_attribute(self) -> None:
        await self._check(
            {"size": {"$gt": 10}},
            [
                {"size": 10},
                {"size": 11},
                {"size": 10.5},
                {"size": "20"},
                {"size": True},
                {"size": None},
            ],
            [1, 2],
        )

    async def test_message_without_the_attribute_is_not_delivered(self) -> None:
        await self._check({"region": "eu"}, [None, {}, {"other": "eu"}, {"region": "eu"}], [3])

    async def test_missing_attribute_matches_exists_false_and_ne(self) -> None:
        await self._check(
            {"region": {"$exists": False}}, [{"region": "eu"}, None, {"x": 1}], [1, 2]
        )
        await self._check(
            {"region": {"$ne": "eu"}}, [{"region": "eu"}, None, {"region": "us"}], [1, 2]
        )

    async def test_dotted_paths_and_boolean_combinations(self) -> None:
        await self._check(
            {"$or": [{"order.total": {"$gte": 100}}, {"vip": True}], "order.state": "paid"},
            [
                {"order": {"total": 150, "state": "paid"}},
                {"order": {"total": 50, "state": "paid"}},
                {"order": {"total": 50, "state": "paid"}, "vip": True},
                {"order": {"total": 500, "state": "open"}, "vip": True},
            ],
            [0, 2],
        )

    async def test_empty_filter_receives_everything_on_its_topic_only(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_filtered("t", {}))
        await ps.publish("other", b"x", attributes={"a": 1})
        await ps.publish("t", b"plain")
        await ps.publish("t", b"with", attributes={"a": 1})
        await self.assert_receives(sub, [("t", b"plain"), ("t", b"with")])

    async def test_topic_still_matters(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_filtered("t", {"a": 1}))
        await ps.publish("u", b"wrong topic", attributes={"a": 1})
        await ps.publish("t", b"right", attributes={"a": 1})
        await self.assert_receives(sub, [("t", b"right")])

    async def test_attributes_round_trip(self) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_filtered("t", {"kind": "full"}))
        attributes: dict[str, Any] = {
            "kind": "full",
            "n": 3,
            "f": 2.5,
            "ok": False,
            "none": None,
            "list": [1, "two", [3]],
            "nested": {"deep": {"text": "ünï 键"}},
        }
        await ps.publish("t", b"x", headers={"h": "v"}, attributes=attributes)
        sent = dict(attributes)
        attributes["kind"] = "changed after publish"
        (message,) = await self.receive(sub, 1)
        assert dict(message.attributes) == sent
        assert dict(message.headers) == {"h": "v"}

    async def test_unfiltered_subscribers_receive_attributes_too(self) -> None:
        ps = await self._facet()
        assert isinstance(ps, AsyncPubSubBasic)
        sub = self.track(await ps.subscribe("t"))
        await ps.publish("t", b"x", attributes={"a": 1})
        (message,) = await self.receive(sub, 1)
        assert dict(message.attributes) == {"a": 1}

    @pytest.mark.parametrize(
        "filter",
        [
            pytest.param({"a": {"$bogus": 1}}, id="unknown-operator"),
            pytest.param({"$or": []}, id="empty-or"),
            pytest.param({"a": {"$in": 3}}, id="in-not-a-list"),
            pytest.param({"a": {"$exists": "yes"}}, id="exists-not-bool"),
            pytest.param({"a": {"$gt": [1]}}, id="gt-on-a-list"),
            pytest.param({"a..b": 1}, id="empty-path-segment"),
            pytest.param({"a": float("nan")}, id="nan"),
            pytest.param(["a", 1], id="not-a-mapping"),
        ],
    )
    async def test_invalid_filter_rejected_at_subscribe_time(self, filter: Any) -> None:
        ps = await self._facet()
        with pytest.raises(prism.InvalidArgumentError):
            await ps.subscribe_filtered("t", filter)

    @pytest.mark.parametrize(
        "attributes",
        [
            pytest.param({"a": float("nan")}, id="nan"),
            pytest.param({1: "x"}, id="non-str-key"),
            pytest.param({"a": object()}, id="object"),
            pytest.param({"a": b"bytes"}, id="bytes"),
            pytest.param("a=1", id="not-a-mapping"),
        ],
    )
    async def test_non_json_attributes_rejected(self, attributes: Any) -> None:
        ps = await self._facet()
        sub = self.track(await ps.subscribe_filtered("t", {}))
        with pytest.raises(prism.InvalidArgumentError):
            await ps.publish("t", b"x", attributes=attributes)
        await self.assert_quiet(sub)

    @pytest.mark.parametrize("topic", BAD_NAMES)
    async def test_bad_topics_rejected(self, topic: Any) -> None:
        ps = await self._facet()
        with pytest.raises(prism.InvalidArgumentError):
            await ps.subscribe_filtered(topic, {})
        with pytest.raises(prism.InvalidArgumentError):
            await ps.publish(topic, b"x", attributes={})

    async def test_namespaces_are_isolated(self) -> None:
        a = await self._facet()
        b = await self._facet()
        sub_a = self.track(await a.subscribe_filtered("t", {"x": 1}))
        await b.publish("t", b"from-b", attributes={"x": 1})
        await a.publish("t", b"from-a", attributes={"x": 1})
        await self.assert_receives(sub_a, [("t", b"from-a")])


class AsyncPubSubOrderingSuite(AsyncPubSubSuiteBase, interface="pubsub_ordering"):
    """Per-key order under concurrent publishers of other keys."""

    async def _facet(self, name: str | None = None) -> AsyncPubSubOrdering:
        found: AsyncPubSubOrdering = await self.pubsub(AsyncPubSubOrdering, name)
        return found

    async def test_per_key_order_with_4_concurrent_publishers(self) -> None:
        ps = await self._facet()
        assert isinstance(ps, AsyncPubSubBasic)
        subs = [self.track(await ps.subscribe("t")) for _ in range(2)]

        async def publisher(key: str) -> None:
            for i in range(100):
                await ps.publish_ordered("t", f"{key}:{i}".encode(), key)

        keys = ["k0", "k1", "k2", "k3"]
        await run_concurrently_async([partial(publisher, k) for k in keys])
        for sub in subs:
            got = await self.receive(sub, 400)
            assert all(m.ordering_key == m.payload.decode().split(":")[0] for m in got)
            assert _numbered(got) == {k: list(range(100)) for k in keys}
        await self.assert_quiet(*subs)

    async def test_keys_interleaved_by_one_publisher(self) -> None:
        ps = await self._facet()
        assert isinstance(ps, AsyncPubSubBasic)
        sub = self.track(await ps.subscribe("t"))
        for i in range(60):
            key = "abc"[i % 3]
            await ps.publish_ordered("t", f"{key}:{i // 3}".encode(), key)
        got = await self.receive(sub, 60)
        assert _numbered(got) == {k: list(range(20)) for k in "abc"}

    async def test_ordering_key_and_headers_round_trip(self) -> None:
        ps = await self._facet()
        assert isinstance(ps, AsyncPubSubBasic)
        sub = self.track(await ps.subscribe("t"))
        await ps.publish_ordered("t", b"\x00\xff", "客户:42", headers={"h": "v"})
        (message,) = await self.receive(sub, 1)
        assert (message.payload, message.ordering_key, dict(message.headers)) == (
            b"\x00\xff",
            "客户:42",
            {"h": "v"},
        )

    @pytest.mark.parametrize("key", BAD_NAMES)
    async def test_bad_ordering_keys_rejected(self, key: Any) -> None:
        ps = await self._facet()
        assert isinstance(ps, AsyncPubSubBasic)
        sub = self.track(await ps.subscribe("t"))
        with pytest.raises(prism.InvalidArgumentError):
            await ps.publish_ordered("t", b"x", key)
        with pytest.raises(prism.InvalidArgumentError):
            await ps.publish_ordered(key, b"x", "k")
        await self.assert_quiet(sub)

    async def test_namespaces_are_isolated(self) -> None:
        a = await self._facet()
        b = await self._facet()
        assert isinstance(a, AsyncPubSubBasic)
        sub_a = self.track(await a.subscribe("t"))
        await b.publish_ordered("t", b"from-b", "k")
        await a.publish_ordered("t", b"from-a", "k")
        await self.assert_receives(sub_a, [("t", b"from-a")])


# ===== hostile names (issue 8, security) ====================================================
# Kept apart from the cases above: the class extends the interface's suite and takes over its
# registration, so every backend runs these too.

from prism.testing._hostile import HOSTILE_TOPICS


class AsyncPubSubBasicHostileSuite(AsyncPubSubBasicSuite, interface="pubsub_basic"):
    async def test_hostile_topics_are_kept_apart(self) -> None:
        ps = await self._facet()
        other = await self._facet()
        subs = {name: self.track(await ps.subscribe(name)) for name in HOSTILE_TOPICS}
        strangers = {name: self.track(await other.subscribe(name)) for name in HOSTILE_TOPICS[:3]}
        for name in HOSTILE_TOPICS:
            await ps.publish(name, name.encode(), headers={name: name})
        for name, sub in subs.items():
            message = await sub.get(timeout=self.patience)
            assert message is not None, name
            assert (message.topic, message.payload) == (name, name.encode())
            assert dict(message.headers) == {name: name}
        await self.assert_quiet(*subs.values(), *strangers.values())
