# Generated from src/prism/testing/suites/_async/pubsub.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Compliance suites for the pubsub interfaces.

"Nothing more arrives" is checked by receiving exactly the expected messages and then seeing
that ``get`` times out after :attr:`PubSubSuiteBase.quiet` seconds (short in-process, where
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
from prism._compat import sleep
from prism.interfaces.pubsub import (
    PubSubBasic,
    PubSubFiltering,
    PubSubOrdering,
    PubSubPersistent,
    PubSubWildcards,
    Subscription,
)
from prism.testing._concurrency import join, run_concurrently, start_background
from prism.testing.target import Target
from prism.types import Message

# isort: split
from prism.testing.suite import Suite

S = TypeVar("S", bound=Subscription)

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


class PubSubSuiteBase(Suite):
    """Helpers shared by the pubsub suites: subscriptions are closed after each test."""

    def bind(self, target: Target) -> None:
        super().bind(target)
        self._subscriptions: list[Subscription] = []

    def track(self, subscription: S) -> S:
        """Close ``subscription`` at the end of the test."""
        self._subscriptions.append(subscription)
        return subscription

    def close_namespaces(self) -> None:
        while self._subscriptions:
            self._subscriptions.pop().close()
        super().close_namespaces()

    def pubsub(self, interface: type[Any], name: str | None = None) -> Any:
        """The pubsub facet of a fresh namespace (or of ``name``), checked to implement
        ``interface`` and pubsub_basic (every backend with pubsub has it)."""
        found = (self.open(name)).facet("pubsub")
        for required in (interface, PubSubBasic):
            assert isinstance(found, required), f"{found!r} does not implement {required.__name__}"
        return found

    @property
    def patience(self) -> float:
        """How long expected messages may take to arrive (in-process delivery is immediate)."""
        return 1.0 if self.has_clock else 10.0

    def until(self, check: Callable[[], bool]) -> None:
        """Poll ``check`` (which another thread makes true) until it holds."""
        deadline = time.monotonic() + self.patience
        while not check():
            assert time.monotonic() < deadline, f"condition not met within {self.patience} s"
            sleep(0.005)

    @property
    def quiet(self) -> float:
        """How long to wait before concluding that nothing more arrives."""
        return 0.02 if self.has_clock else 0.5

    def receive(self, sub: Subscription, count: int) -> list[Message]:
        """The next ``count`` messages, which must all arrive within :attr:`patience`."""
        deadline = time.monotonic() + self.patience
        out: list[Message] = []
        for _ in range(count):
            message = sub.get(timeout=max(0.0, deadline - time.monotonic()))
            assert message is not None, f"only {len(out)} of {count} messages arrived"
            out.append(message)
        return out

    def assert_quiet(self, *subs: Subscription) -> None:
        """Nothing arrives on any of ``subs`` for :attr:`quiet` seconds.  They share one window:
        each is waited on until the window ends (what arrives on one while another is waited on
        stays buffered, and is found), so N subscriptions cost one window, not N."""
        end = time.monotonic() + self.quiet
        for sub in subs:
            extra = sub.get(timeout=max(0.0, end - time.monotonic()))
            if extra is not None:  # not an assert: pytest would repr a payload of any size
                pytest.fail(f"unexpected message on {extra.topic!r}: {extra.payload[:60]!r}")

    def assert_receives(
        self, sub: Subscription, expected: list[tuple[str, bytes]], *, ordered: bool = True
    ) -> None:
        """Exactly ``expected`` (topic, payload) pairs arrive, then nothing more."""
        self.assert_each_receives([sub], expected, ordered=ordered)

    def assert_each_receives(
        self,
        subs: Sequence[Subscription],
        expected: list[tuple[str, bytes]],
        *,
        ordered: bool = True,
    ) -> None:
        """Each of ``subs`` receives exactly ``expected``, then nothing more arrives on any."""
        for sub in subs:
            got = [(m.topic, m.payload) for m in self.receive(sub, len(expected))]
            assert got == expected if ordered else sorted(got) == sorted(expected), got
        self.assert_quiet(*subs)


class PubSubBasicSuite(PubSubSuiteBase, interface="pubsub_basic"):
    """Fan-out, per-publisher order, headers, subscription lifetime and the conventions."""

    def _facet(self, name: str | None = None) -> PubSubBasic:
        found: PubSubBasic = self.pubsub(PubSubBasic, name)
        return found

    def test_one_subscriber_receives(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe("orders"))
        ps.publish("orders", b"hello")
        message = sub.get(timeout=self.patience)
        assert isinstance(message, Message)
        assert (message.topic, message.payload) == ("orders", b"hello")
        assert message.delivery_count == 1
        self.assert_quiet(sub)

    def test_three_subscribers_all_receive(self) -> None:
        ps = self._facet()
        subs = [self.track(ps.subscribe("t")) for _ in range(3)]
        ps.publish("t", b"one")
        ps.publish("t", b"two")
        self.assert_each_receives(subs, [("t", b"one"), ("t", b"two")])

    def test_order_kept_for_one_publisher(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe("t"))
        for i in range(100):
            ps.publish("t", f"p:{i}".encode())
        assert _numbered(self.receive(sub, 100)) == {"p": list(range(100))}

    def test_headers_round_trip(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe("t"))
        headers = {"content-type": "application/json", "trace": "ünïcødé 键", "empty": ""}
        ps.publish("t", b"with", headers=headers)
        ps.publish("t", b"without")
        first, second = self.receive(sub, 2)
        assert dict(first.headers) == headers
        assert dict(second.headers) == {}

    def test_message_published_before_subscribing_is_not_received(self) -> None:
        ps = self._facet()
        ps.publish("t", b"early")
        sub = self.track(ps.subscribe("t"))
        ps.publish("t", b"late")
        self.assert_receives(sub, [("t", b"late")])

    def test_only_the_subscribed_topic_is_received(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe("a.b"))
        for topic in ("a", "a.b.c", "a.bc", "A.B", "b"):
            ps.publish(topic, b"other")
        ps.publish("a.b", b"mine")
        self.assert_receives(sub, [("a.b", b"mine")])

    def test_closed_subscription_receives_nothing_more(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe("t"))
        other = self.track(ps.subscribe("t"))
        ps.publish("t", b"before")
        assert (self.receive(sub, 1))[0].payload == b"before"
        assert sub.closed is False
        sub.close()
        assert sub.closed is True
        ps.publish("t", b"after")
        assert sub.get(timeout=self.quiet) is None
        assert [m.payload for m in sub] == []
        sub.close()  # closing twice is harmless
        self.assert_receives(other, [("t", b"before"), ("t", b"after")])

    def test_close_ends_a_waiting_iteration(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe("t"))
        got: list[bytes] = []

        def consume() -> int:
            for message in sub:
                got.append(message.payload)
            return len(got)

        handle = start_background(consume)
        for payload in (b"1", b"2", b"3"):
            ps.publish("t", payload)
        self.until(lambda: len(got) >= 3)
        sub.close()
        assert join(handle) == 3
        assert got == [b"1", b"2", b"3"]

    def test_context_manager_and_iteration(self) -> None:
        ps = self._facet()
        with ps.subscribe("t") as sub:
            for payload in (b"a", b"b", b"c"):
                ps.publish("t", payload)
            got = []
            for message in sub:
                got.append(message.payload)
                if len(got) == 3:
                    break
            assert got == [b"a", b"b", b"c"]
        assert sub.closed

    def test_get_times_out_with_none(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe("t"))
        assert sub.get(timeout=0.05) is None
        assert sub.get(timeout=timedelta(milliseconds=50)) is None
        assert sub.get(timeout=0) is None

    @pytest.mark.parametrize("timeout", [-1, float("nan"), "1"])
    def test_bad_get_timeout_rejected(self, timeout: Any) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe("t"))
        with pytest.raises(prism.InvalidArgumentError):
            sub.get(timeout=timeout)

    def test_1000_messages_arrive_complete_and_in_order(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe("bulk"))
        for i in range(1000):
            ps.publish("bulk", f"p:{i}".encode())
        assert _numbered(self.receive(sub, 1000)) == {"p": list(range(1000))}
        self.assert_quiet(sub)

    def test_slow_subscriber_does_not_block_others(self) -> None:
        ps = self._facet()
        slow = self.track(ps.subscribe("t"))
        fast = self.track(ps.subscribe("t"))
        handle = start_background(lambda: self.receive(fast, 500))
        for i in range(500):
            ps.publish("t", f"p:{i}".encode())
        assert _numbered(join(handle)) == {"p": list(range(500))}
        # the slow one lost nothing while it was not reading (memstore buffers without bound)
        assert _numbered(self.receive(slow, 500)) == {"p": list(range(500))}

    def test_concurrent_publishers_reach_every_subscriber_in_their_order(self) -> None:
        ps = self._facet()
        subs = [self.track(ps.subscribe("t")) for _ in range(2)]

        def publisher(p: int) -> None:
            for i in range(100):
                ps.publish("t", f"{p}:{i}".encode())

        run_concurrently([partial(publisher, p) for p in range(4)])
        for sub in subs:
            assert _numbered(self.receive(sub, 400)) == {str(p): list(range(100)) for p in range(4)}
        self.assert_quiet(*subs)

    @pytest.mark.parametrize("value", BINARY_VALUES)
    def test_binary_payloads_round_trip(self, value: bytes) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe("bin"))
        limit = self.target.max_message_bytes
        if limit is not None and len(value) > limit:  # a declared message limit refuses it
            with pytest.raises(prism.ValueTooLargeError):
                ps.publish("bin", value)
            self.assert_quiet(sub)
            return
        ps.publish("bin", value)
        assert (self.receive(sub, 1))[0].payload == value

    def test_payload_at_the_declared_limit(self) -> None:
        limit = self.target.max_message_bytes or self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        ps = self._facet()
        sub = self.track(ps.subscribe("big"))
        ps.publish("big", b"\x00" * limit)
        with pytest.raises(prism.ValueTooLargeError):
            ps.publish("big", b"\x00" * (limit + 1))
        assert len((self.receive(sub, 1))[0].payload) == limit
        self.assert_quiet(sub)

    @pytest.mark.parametrize("topic", UNICODE_TOPICS)
    def test_unicode_topics(self, topic: str) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe(topic))
        ps.publish(topic, topic.encode())
        self.assert_receives(sub, [(topic, topic.encode())])

    @pytest.mark.parametrize("topic", BAD_NAMES)
    def test_bad_topics_rejected(self, topic: Any) -> None:
        ps = self._facet()
        with pytest.raises(prism.InvalidArgumentError):
            ps.publish(topic, b"v")
        with pytest.raises(prism.InvalidArgumentError):
            ps.subscribe(topic)

    @pytest.mark.parametrize("value", ["text", 1, None, bytearray(b"x")])
    def test_non_bytes_payloads_rejected(self, value: Any) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe("t"))
        with pytest.raises(prism.InvalidArgumentError):
            ps.publish("t", value)
        self.assert_quiet(sub)

    @pytest.mark.parametrize("headers", [{"": "v"}, {"k": 1}, {1: "v"}, "k=v", [("k", "v")]])
    def test_bad_headers_rejected(self, headers: Any) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe("t"))
        with pytest.raises(prism.InvalidArgumentError):
            ps.publish("t", b"v", headers=headers)
        self.assert_quiet(sub)

    def test_namespaces_are_isolated(self) -> None:
        a = self._facet()
        b = self._facet()
        sub_a = self.track(a.subscribe("shared"))
        sub_b = self.track(b.subscribe("shared"))
        a.publish("shared", b"from-a")
        b.publish("shared", b"from-b")
        self.assert_receives(sub_a, [("shared", b"from-a")])
        self.assert_receives(sub_b, [("shared", b"from-b")])

    def test_same_namespace_opened_twice_shares_messages(self) -> None:
        name = self.target.fresh_name()
        first = self._facet(name)
        second = self._facet(name)
        sub = self.track(first.subscribe("t"))
        second.publish("t", b"across")
        self.assert_receives(sub, [("t", b"across")])


class PubSubWildcardsSuite(PubSubSuiteBase, interface="pubsub_wildcards"):
    """``*`` is one token, ``>`` one or more trailing tokens; malformed patterns are refused."""

    def _facet(self, name: str | None = None) -> PubSubWildcards:
        found: PubSubWildcards = self.pubsub(PubSubWildcards, name)
        return found

    def _publish(self, ps: PubSubWildcards, *topics: str) -> None:
        assert isinstance(ps, PubSubBasic)
        for topic in topics:
            ps.publish(topic, topic.encode())

    def test_star_matches_exactly_one_token(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_pattern("a.*"))
        self._publish(ps, "a", "a.b.c", "b.a", "ab", "a.b", "a.xyz")
        self.assert_receives(sub, [("a.b", b"a.b"), ("a.xyz", b"a.xyz")], ordered=False)

    def test_greater_than_matches_one_or_more_trailing_tokens(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_pattern("a.>"))
        self._publish(ps, "a", "b.a.c", "ab.c", "a.b", "a.b.c", "a.b.c.d")
        expected = [(t, t.encode()) for t in ("a.b", "a.b.c", "a.b.c.d")]
        self.assert_receives(sub, expected, ordered=False)

    def test_star_in_the_middle(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_pattern("a.*.c"))
        self._publish(ps, "a.c", "a.b.d", "a.b.c.d", "x.b.c", "a.b.c", "a.x.c")
        self.assert_receives(sub, [("a.b.c", b"a.b.c"), ("a.x.c", b"a.x.c")], ordered=False)

    def test_star_and_greater_than_combined(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_pattern("*.b.>"))
        self._publish(ps, "a.b", "a.c.d", "a.b.c", "x.b.c.d")
        self.assert_receives(sub, [("a.b.c", b"a.b.c"), ("x.b.c.d", b"x.b.c.d")], ordered=False)

    def test_lone_wildcards(self) -> None:
        ps = self._facet()
        one = self.track(ps.subscribe_pattern("*"))
        every = self.track(ps.subscribe_pattern(">"))
        self._publish(ps, "a", "a.b", "x.y.z")
        self.assert_receives(one, [("a", b"a")])
        self.assert_receives(every, [(t, t.encode()) for t in ("a", "a.b", "x.y.z")], ordered=False)

    def test_pattern_without_wildcards_matches_only_that_topic(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_pattern("a.b"))
        self._publish(ps, "a", "a.b.c", "a.bb", "a.b")
        self.assert_receives(sub, [("a.b", b"a.b")])

    def test_glob_and_like_metacharacters_in_tokens_are_literal(self) -> None:
        # Only whole-token "*" and ">" are wildcards: "?", "[...]", "\\", "%" and "_" inside a
        # token match themselves (a backend translating to Redis globs or SQL LIKE must escape
        # them), so every decoy below would be received only if they were taken as patterns.
        ps = self._facet()
        question = self.track(ps.subscribe_pattern("q?.*"))
        brackets = self.track(ps.subscribe_pattern("[ab].>"))
        escapes = self.track(ps.subscribe_pattern("*.p%_\\q"))
        decoys = ["qq.x", "q.x", "a.x", "b.x.y", "x.p%_q", "x.pzzyq", "x.pab\\q"]
        literal = ["q?.x", "[ab].x", "[ab].x.y", "x.p%_\\q"]
        self._publish(ps, *decoys[:4], *literal, *decoys[4:])
        self.assert_receives(question, [("q?.x", b"q?.x")])
        self.assert_receives(
            brackets, [("[ab].x", b"[ab].x"), ("[ab].x.y", b"[ab].x.y")], ordered=False
        )
        self.assert_receives(escapes, [("x.p%_\\q", b"x.p%_\\q")])

    def test_exact_subscription_alongside_a_pattern_both_receive_once(self) -> None:
        ps = self._facet()
        assert isinstance(ps, PubSubBasic)
        exact = self.track(ps.subscribe("a.b"))
        pattern = self.track(ps.subscribe_pattern("a.*"))
        broad = self.track(ps.subscribe_pattern("a.>"))
        self._publish(ps, "a.b")
        self.assert_each_receives([exact, pattern, broad], [("a.b", b"a.b")])

    def test_messages_carry_the_concrete_topic_and_keep_order(self) -> None:
        ps = self._facet()
        assert isinstance(ps, PubSubBasic)
        sub = self.track(ps.subscribe_pattern("orders.*"))
        for i in range(50):
            ps.publish(f"orders.{i % 2}", f"{i % 2}:{i // 2}".encode(), headers={"n": str(i)})
        got = self.receive(sub, 50)
        assert {m.topic for m in got} == {"orders.0", "orders.1"}
        assert all(m.topic == f"orders.{m.payload.decode()[0]}" for m in got)
        assert _numbered(got) == {"0": list(range(25)), "1": list(range(25))}
        assert all(m.headers.get("n") is not None for m in got)

    def test_closed_pattern_subscription_receives_nothing_more(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_pattern("a.>"))
        sub.close()
        self._publish(ps, "a.b")
        assert sub.get(timeout=self.quiet) is None
        assert sub.closed

    def test_unicode_tokens(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_pattern("café.*.🙂"))
        self._publish(ps, "café.键.🙂", "cafe.键.🙂", "café.键.x")
        self.assert_receives(sub, [("café.键.🙂", "café.键.🙂".encode())])

    @pytest.mark.parametrize(
        "pattern", ["a..b", ".a", "a.", "a.>.b", ">.a", "a*", "a.b>", "a.*b", "a.>>", "."]
    )
    def test_malformed_patterns_rejected(self, pattern: str) -> None:
        ps = self._facet()
        with pytest.raises(prism.InvalidArgumentError):
            ps.subscribe_pattern(pattern)

    @pytest.mark.parametrize("pattern", BAD_NAMES)
    def test_bad_pattern_names_rejected(self, pattern: Any) -> None:
        ps = self._facet()
        with pytest.raises(prism.InvalidArgumentError):
            ps.subscribe_pattern(pattern)

    def test_no_cross_namespace_matches(self) -> None:
        a = self._facet()
        b = self._facet()
        every_a = self.track(a.subscribe_pattern(">"))
        star_a = self.track(a.subscribe_pattern("x.*"))
        every_b = self.track(b.subscribe_pattern(">"))
        self._publish(b, "x.y", "z")
        self._publish(a, "x.a")
        self.assert_receives(every_a, [("x.a", b"x.a")])
        self.assert_receives(star_a, [("x.a", b"x.a")])
        self.assert_receives(every_b, [("x.y", b"x.y"), ("z", b"z")], ordered=False)


class PubSubPersistentSuite(PubSubSuiteBase, interface="pubsub_persistent"):
    """Durable names: catch-up after being offline, at-least-once redelivery, ack, ids."""

    def _facet(self, name: str | None = None) -> PubSubPersistent:
        found: PubSubPersistent = self.pubsub(PubSubPersistent, name)
        return found

    def test_offline_durable_subscriber_gets_messages_on_return(self) -> None:
        ps = self._facet()
        (ps.subscribe_durable("t", "worker")).close()
        ids = [ps.publish_persistent("t", f"p:{i}".encode()) for i in range(3)]
        sub = self.track(ps.subscribe_durable("t", "worker"))
        got = self.receive(sub, 3)
        assert [m.id for m in got] == ids
        assert [m.payload for m in got] == [b"p:0", b"p:1", b"p:2"]
        assert all(m.topic == "t" and m.delivery_count == 1 for m in got)
        self.assert_quiet(sub)

    def test_messages_published_while_attached_are_delivered(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_durable("t", "live"))
        message_id = ps.publish_persistent("t", b"live", headers={"h": "v"})
        (message,) = self.receive(sub, 1)
        assert (message.id, message.payload, dict(message.headers)) == (
            message_id,
            b"live",
            {"h": "v"},
        )

    def test_unacked_message_is_redelivered_after_ack_wait(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_durable("t", "w", ack_wait=1.0))
        message_id = ps.publish_persistent("t", b"once")
        (first,) = self.receive(sub, 1)
        assert (first.id, first.delivery_count) == (message_id, 1)
        self.advance(1.2)
        (again,) = self.receive(sub, 1)
        assert (again.id, again.payload, again.delivery_count) == (message_id, b"once", 2)
        sub.ack(again)
        self.assert_quiet(sub)

    def test_unacked_message_goes_to_the_next_subscriber_after_close(self) -> None:
        ps = self._facet()
        first = self.track(ps.subscribe_durable("t", "w"))
        ids = [ps.publish_persistent("t", p) for p in (b"acked", b"unacked")]
        acked, _ = self.receive(first, 2)
        first.ack(acked)
        first.close()
        assert first.get(timeout=self.quiet) is None
        second = self.track(ps.subscribe_durable("t", "w"))
        (again,) = self.receive(second, 1)
        assert (again.id, again.payload, again.delivery_count) == (ids[1], b"unacked", 2)
        second.ack(again)
        self.assert_quiet(second)

    def test_acked_message_is_not_redelivered(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_durable("t", "w", ack_wait=1.0))
        ps.publish_persistent("t", b"done")
        (message,) = self.receive(sub, 1)
        sub.ack(message)
        sub.ack(message)  # acking twice is harmless
        self.advance(1.2)
        self.assert_quiet(sub)
        sub.close()
        again = self.track(ps.subscribe_durable("t", "w"))
        self.assert_quiet(again)

    def test_last_message_id_advances(self) -> None:
        ps = self._facet()
        assert ps.last_message_id("t") is None
        first = ps.publish_persistent("t", b"1")
        assert ps.last_message_id("t") == first
        second = ps.publish_persistent("t", b"2")
        assert second != first
        assert ps.last_message_id("t") == second
        assert ps.last_message_id("other") is None
        other = ps.publish_persistent("other", b"x")
        assert ps.last_message_id("other") == other
        assert ps.last_message_id("t") == second

    def test_two_durable_names_each_get_everything(self) -> None:
        ps = self._facet()
        one = self.track(ps.subscribe_durable("t", "one"))
        two = self.track(ps.subscribe_durable("t", "two"))
        ids = [ps.publish_persistent("t", f"p:{i}".encode()) for i in range(5)]
        for sub in (one, two):
            got = self.receive(sub, 5)
            assert [m.id for m in got] == ids
            for message in got:
                sub.ack(message)
        self.assert_quiet(one, two)

    def test_start_earliest_and_latest_on_creation(self) -> None:
        ps = self._facet()
        old = ps.publish_persistent("t", b"old")
        earliest = self.track(ps.subscribe_durable("t", "e", start="earliest"))
        latest = self.track(ps.subscribe_durable("t", "l", start="latest"))
        new = ps.publish_persistent("t", b"new")
        assert [m.id for m in self.receive(earliest, 2)] == [old, new]
        assert [m.id for m in self.receive(latest, 1)] == [new]
        self.assert_quiet(latest)

    def test_start_applies_only_on_creation(self) -> None:
        ps = self._facet()
        (ps.subscribe_durable("t", "w", start="latest")).close()
        missed = ps.publish_persistent("t", b"while offline")
        sub = self.track(ps.subscribe_durable("t", "w", start="latest"))
        (message,) = self.receive(sub, 1)
        assert message.id == missed

    def test_persistent_messages_reach_ordinary_subscribers(self) -> None:
        ps = self._facet()
        assert isinstance(ps, PubSubBasic)
        sub = self.track(ps.subscribe("t"))
        message_id = ps.publish_persistent("t", b"p")
        (message,) = self.receive(sub, 1)
        assert (message.id, message.payload) == (message_id, b"p")

    def test_1000_persistent_messages_complete_and_in_order(self) -> None:
        ps = self._facet()
        ids = [ps.publish_persistent("bulk", f"p:{i}".encode()) for i in range(1000)]
        assert len(set(ids)) == 1000
        sub = self.track(ps.subscribe_durable("bulk", "reader"))
        got = self.receive(sub, 1000)
        assert [m.id for m in got] == ids
        assert _numbered(got) == {"p": list(range(1000))}
        for message in got:
            sub.ack(message)
        self.assert_quiet(sub)

    def test_concurrent_publishers(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_durable("t", "all"))

        def publisher(p: int) -> list[str]:
            return [ps.publish_persistent("t", f"{p}:{i}".encode()) for i in range(50)]

        published = run_concurrently([partial(publisher, p) for p in range(4)])
        ids = {i for batch in published for i in batch}
        assert len(ids) == 200
        got = self.receive(sub, 200)
        assert {m.id for m in got} == ids
        assert _numbered(got) == {str(p): list(range(50)) for p in range(4)}
        assert ps.last_message_id("t") == got[-1].id

    @pytest.mark.parametrize("value", BINARY_VALUES)
    def test_binary_payloads_round_trip(self, value: bytes) -> None:
        ps = self._facet()
        ps.publish_persistent("bin", value, headers={"k": "v"})
        sub = self.track(ps.subscribe_durable("bin", "reader"))
        (message,) = self.receive(sub, 1)
        assert (message.payload, dict(message.headers)) == (value, {"k": "v"})

    def test_unicode_topic_and_name(self) -> None:
        ps = self._facet()
        message_id = ps.publish_persistent("键.café", b"x")
        sub = self.track(ps.subscribe_durable("键.café", "读者🙂"))
        (message,) = self.receive(sub, 1)
        assert (message.topic, message.id) == ("键.café", message_id)

    @pytest.mark.parametrize("name", BAD_NAMES)
    def test_bad_topics_and_names_rejected(self, name: Any) -> None:
        ps = self._facet()
        for call in (
            lambda: ps.publish_persistent(name, b"v"),
            lambda: ps.subscribe_durable(name, "w"),
            lambda: ps.subscribe_durable("t", name),
            lambda: ps.last_message_id(name),
        ):
            with pytest.raises(prism.InvalidArgumentError):
                call()
        assert ps.last_message_id("t") is None

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
    def test_bad_durable_options_rejected(self, options: dict[str, Any]) -> None:
        ps = self._facet()
        with pytest.raises(prism.InvalidArgumentError):
            ps.subscribe_durable("t", "w", **options)

    def test_ack_of_a_foreign_message_rejected(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_durable("t", "w"))
        message_id = ps.publish_persistent("t", b"x")
        with pytest.raises(prism.InvalidArgumentError):
            sub.ack(Message("t", b"x"))  # not persistent: no id
        with pytest.raises(prism.InvalidArgumentError):
            sub.ack(Message("other", b"x", id=message_id))
        (message,) = self.receive(sub, 1)
        sub.ack(message)

    def test_closed_durable_subscription_returns_none(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_durable("t", "w"))
        sub.close()
        ps.publish_persistent("t", b"x")
        assert sub.closed
        assert sub.get(timeout=self.quiet) is None
        sub.close()

    def test_namespaces_are_isolated(self) -> None:
        a = self._facet()
        b = self._facet()
        sub_b = self.track(b.subscribe_durable("t", "w"))
        message_id = a.publish_persistent("t", b"from-a")
        assert b.last_message_id("t") is None
        self.assert_quiet(sub_b)
        sub_a = self.track(a.subscribe_durable("t", "w"))
        (message,) = self.receive(sub_a, 1)
        assert message.id == message_id


class PubSubFilteringSuite(PubSubSuiteBase, interface="pubsub_filtering"):
    """Attribute filters in the shared filter language."""

    def _facet(self, name: str | None = None) -> PubSubFiltering:
        found: PubSubFiltering = self.pubsub(PubSubFiltering, name)
        return found

    def _check(
        self,
        filter: dict[str, Any],
        attributes: list[dict[str, Any] | None],
        expected: list[int],
    ) -> None:
        """Publish one message per entry of ``attributes``; exactly ``expected`` (indexes) pass."""
        ps = self._facet()
        sub = self.track(ps.subscribe_filtered("t", filter))
        for i, attrs in enumerate(attributes):
            ps.publish("t", str(i).encode(), attributes=attrs)
        self.assert_receives(sub, [("t", str(i).encode()) for i in expected])

    def test_equality(self) -> None:
        self._check(
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

    def test_in(self) -> None:
        self._check(
            {"region": {"$in": ["eu", "ap"]}},
            [{"region": "us"}, {"region": "ap"}, {"region": "eu"}, {}],
            [1, 2],
        )

    def test_gt_on_a_numeric_attribute(self) -> None:
        self._check(
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

    def test_message_without_the_attribute_is_not_delivered(self) -> None:
        self._check({"region": "eu"}, [None, {}, {"other": "eu"}, {"region": "eu"}], [3])

    def test_missing_attribute_matches_exists_false_and_ne(self) -> None:
        self._check({"region": {"$exists": False}}, [{"region": "eu"}, None, {"x": 1}], [1, 2])
        self._check({"region": {"$ne": "eu"}}, [{"region": "eu"}, None, {"region": "us"}], [1, 2])

    def test_dotted_paths_and_boolean_combinations(self) -> None:
        self._check(
            {"$or": [{"order.total": {"$gte": 100}}, {"vip": True}], "order.state": "paid"},
            [
                {"order": {"total": 150, "state": "paid"}},
                {"order": {"total": 50, "state": "paid"}},
                {"order": {"total": 50, "state": "paid"}, "vip": True},
                {"order": {"total": 500, "state": "open"}, "vip": True},
            ],
            [0, 2],
        )

    def test_empty_filter_receives_everything_on_its_topic_only(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_filtered("t", {}))
        ps.publish("other", b"x", attributes={"a": 1})
        ps.publish("t", b"plain")
        ps.publish("t", b"with", attributes={"a": 1})
        self.assert_receives(sub, [("t", b"plain"), ("t", b"with")])

    def test_topic_still_matters(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_filtered("t", {"a": 1}))
        ps.publish("u", b"wrong topic", attributes={"a": 1})
        ps.publish("t", b"right", attributes={"a": 1})
        self.assert_receives(sub, [("t", b"right")])

    def test_attributes_round_trip(self) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_filtered("t", {"kind": "full"}))
        attributes: dict[str, Any] = {
            "kind": "full",
            "n": 3,
            "f": 2.5,
            "ok": False,
            "none": None,
            "list": [1, "two", [3]],
            "nested": {"deep": {"text": "ünï 键"}},
        }
        ps.publish("t", b"x", headers={"h": "v"}, attributes=attributes)
        sent = dict(attributes)
        attributes["kind"] = "changed after publish"
        (message,) = self.receive(sub, 1)
        assert dict(message.attributes) == sent
        assert dict(message.headers) == {"h": "v"}

    def test_unfiltered_subscribers_receive_attributes_too(self) -> None:
        ps = self._facet()
        assert isinstance(ps, PubSubBasic)
        sub = self.track(ps.subscribe("t"))
        ps.publish("t", b"x", attributes={"a": 1})
        (message,) = self.receive(sub, 1)
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
    def test_invalid_filter_rejected_at_subscribe_time(self, filter: Any) -> None:
        ps = self._facet()
        with pytest.raises(prism.InvalidArgumentError):
            ps.subscribe_filtered("t", filter)

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
    def test_non_json_attributes_rejected(self, attributes: Any) -> None:
        ps = self._facet()
        sub = self.track(ps.subscribe_filtered("t", {}))
        with pytest.raises(prism.InvalidArgumentError):
            ps.publish("t", b"x", attributes=attributes)
        self.assert_quiet(sub)

    @pytest.mark.parametrize("topic", BAD_NAMES)
    def test_bad_topics_rejected(self, topic: Any) -> None:
        ps = self._facet()
        with pytest.raises(prism.InvalidArgumentError):
            ps.subscribe_filtered(topic, {})
        with pytest.raises(prism.InvalidArgumentError):
            ps.publish(topic, b"x", attributes={})

    def test_namespaces_are_isolated(self) -> None:
        a = self._facet()
        b = self._facet()
        sub_a = self.track(a.subscribe_filtered("t", {"x": 1}))
        b.publish("t", b"from-b", attributes={"x": 1})
        a.publish("t", b"from-a", attributes={"x": 1})
        self.assert_receives(sub_a, [("t", b"from-a")])


class PubSubOrderingSuite(PubSubSuiteBase, interface="pubsub_ordering"):
    """Per-key order under concurrent publishers of other keys."""

    def _facet(self, name: str | None = None) -> PubSubOrdering:
        found: PubSubOrdering = self.pubsub(PubSubOrdering, name)
        return found

    def test_per_key_order_with_4_concurrent_publishers(self) -> None:
        ps = self._facet()
        assert isinstance(ps, PubSubBasic)
        subs = [self.track(ps.subscribe("t")) for _ in range(2)]

        def publisher(key: str) -> None:
            for i in range(100):
                ps.publish_ordered("t", f"{key}:{i}".encode(), key)

        keys = ["k0", "k1", "k2", "k3"]
        run_concurrently([partial(publisher, k) for k in keys])
        for sub in subs:
            got = self.receive(sub, 400)
            assert all(m.ordering_key == m.payload.decode().split(":")[0] for m in got)
            assert _numbered(got) == {k: list(range(100)) for k in keys}
        self.assert_quiet(*subs)

    def test_keys_interleaved_by_one_publisher(self) -> None:
        ps = self._facet()
        assert isinstance(ps, PubSubBasic)
        sub = self.track(ps.subscribe("t"))
        for i in range(60):
            key = "abc"[i % 3]
            ps.publish_ordered("t", f"{key}:{i // 3}".encode(), key)
        got = self.receive(sub, 60)
        assert _numbered(got) == {k: list(range(20)) for k in "abc"}

    def test_ordering_key_and_headers_round_trip(self) -> None:
        ps = self._facet()
        assert isinstance(ps, PubSubBasic)
        sub = self.track(ps.subscribe("t"))
        ps.publish_ordered("t", b"\x00\xff", "客户:42", headers={"h": "v"})
        (message,) = self.receive(sub, 1)
        assert (message.payload, message.ordering_key, dict(message.headers)) == (
            b"\x00\xff",
            "客户:42",
            {"h": "v"},
        )

    @pytest.mark.parametrize("key", BAD_NAMES)
    def test_bad_ordering_keys_rejected(self, key: Any) -> None:
        ps = self._facet()
        assert isinstance(ps, PubSubBasic)
        sub = self.track(ps.subscribe("t"))
        with pytest.raises(prism.InvalidArgumentError):
            ps.publish_ordered("t", b"x", key)
        with pytest.raises(prism.InvalidArgumentError):
            ps.publish_ordered(key, b"x", "k")
        self.assert_quiet(sub)

    def test_namespaces_are_isolated(self) -> None:
        a = self._facet()
        b = self._facet()
        assert isinstance(a, PubSubBasic)
        sub_a = self.track(a.subscribe("t"))
        b.publish_ordered("t", b"from-b", "k")
        a.publish_ordered("t", b"from-a", "k")
        self.assert_receives(sub_a, [("t", b"from-a")])


# ===== hostile names (issue 8, security) ====================================================
# Kept apart from the cases above: the class extends the interface's suite and takes over its
# registration, so every backend runs these too.

from prism.testing._hostile import HOSTILE_TOPICS


class PubSubBasicHostileSuite(PubSubBasicSuite, interface="pubsub_basic"):
    def test_hostile_topics_are_kept_apart(self) -> None:
        ps = self._facet()
        other = self._facet()
        subs = {name: self.track(ps.subscribe(name)) for name in HOSTILE_TOPICS}
        strangers = {name: self.track(other.subscribe(name)) for name in HOSTILE_TOPICS[:3]}
        for name in HOSTILE_TOPICS:
            ps.publish(name, name.encode(), headers={name: name})
        for name, sub in subs.items():
            message = sub.get(timeout=self.patience)
            assert message is not None, name
            assert (message.topic, message.payload) == (name, name.encode())
            assert dict(message.headers) == {name: name}
        self.assert_quiet(*subs.values(), *strangers.values())
