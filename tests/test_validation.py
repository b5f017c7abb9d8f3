"""Bad input is refused with InvalidArgumentError before any I/O, sync and async alike."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import pytest

import prism
from prism.backends.memstore import get_store

BAD_KEYS: list[Any] = ["", "x" * 1025, "é" * 513, "a\x00b", b"bytes", 42, None, "\ud800"]


@pytest.fixture
def ns() -> Any:
    with prism.open(
        "validation",
        config={
            "backends": {"m": {"type": "memstore", "connection": "memory://validation"}},
            "default_backend": "m",
        },
    ) as namespace:
        yield namespace


@pytest.mark.parametrize("key", BAD_KEYS)
def test_bad_keys_sync(ns: Any, key: Any) -> None:
    kv = ns.keyvalue
    for call in (
        lambda: kv.set(key, b"v"),
        lambda: kv.get(key),
        lambda: kv.delete(key),
        lambda: kv.exists(key),
        lambda: kv.set_many({key: b"v"}),
    ):
        with pytest.raises(prism.InvalidArgumentError):
            call()
    assert get_store("validation").section("keyvalue")["validation"].values == {}


@pytest.mark.parametrize("key", BAD_KEYS)
def test_bad_keys_async(key: Any) -> None:
    async def run() -> None:
        async with await prism.open_async("validation-async", config={}) as ns:
            kv = ns.keyvalue
            for call in (
                lambda: kv.set(key, b"v"),
                lambda: kv.get(key),
                lambda: kv.delete(key),
                lambda: kv.exists(key),
            ):
                with pytest.raises(prism.InvalidArgumentError):
                    await call()

    asyncio.run(run())


def test_key_of_exactly_1024_bytes_is_fine(ns: Any) -> None:
    ns.keyvalue.set("é" * 512, b"v")
    assert ns.keyvalue.get("é" * 512) == b"v"


@pytest.mark.parametrize("value", ["text", 1, None, bytearray(b"x"), memoryview(b"x")])
def test_str_where_bytes_required(ns: Any, value: Any) -> None:
    with pytest.raises(prism.InvalidArgumentError, match="must be bytes"):
        ns.keyvalue.set("k", value)
    assert not ns.keyvalue.exists("k")


def test_batch_with_one_bad_item_writes_nothing(ns: Any) -> None:
    with pytest.raises(prism.InvalidArgumentError):
        ns.keyvalue.set_many({"a": b"1", "b": "two", "c": b"3"})
    assert ns.keyvalue.get_many(["a", "b", "c"]) == {}


def test_value_over_the_declared_limit(ns: Any) -> None:
    limit = ns.keyvalue.max_value_bytes
    assert limit is not None
    with pytest.raises(prism.ValueTooLargeError, match=str(limit)):
        ns.keyvalue.set("k", b"\0" * (limit + 1))


@pytest.mark.parametrize("ttl", [0, -1, float("nan"), float("inf"), "5", True])
def test_bad_ttl(ns: Any, ttl: Any) -> None:
    with pytest.raises(prism.InvalidArgumentError):
        ns.keyvalue.set("k", b"v", ttl=ttl)
    assert not ns.keyvalue.exists("k")


def test_validation_message_says_what_is_allowed() -> None:
    from prism import _validate

    with pytest.raises(prism.InvalidArgumentError, match="at most 1024"):
        _validate.name("x" * 2000)


@pytest.mark.parametrize(
    ("batch", "bad"),
    [
        (["x" * 1024], None),  # the longest name, alone: exactly the whole-batch bound
        (["x" * 1025], 0),
        (["a", "x" * 1024], None),  # together over the bound, each within it
        (["b" * 255] * 5, None),
        (["c" * 256, "d" * 800], None),
        ([*(f"k{i:04d}" for i in range(400)), "x" * 1025], 400),  # long batch, last too long
        (["a", "", "b"], 1),  # an empty name amid short ones
        ([*(f"k{i:04d}" for i in range(400)), ""], 400),
        (["ok", "nul\x00inside"], 1),
        (["é" * 512], None),  # 1024 UTF-8 bytes
        (["é" * 513], 0),
    ],
)
def test_batches_of_names_keep_every_name_rule_at_its_bounds(
    batch: list[str], bad: int | None
) -> None:
    """A batch of names follows the rules of one name, item by item, wherever its fast check
    hands over to the slow one: 1024 UTF-8 bytes each, never empty, no NUL."""
    from prism import _validate

    if bad is None:
        assert _validate.names(batch) == batch
        return
    with pytest.raises(prism.InvalidArgumentError, match="each of keys"):
        _validate.names(batch)
    assert _validate.names(batch[:bad] + batch[bad + 1 :]) == batch[:bad] + batch[bad + 1 :]


def test_one_shot_iterables_of_keys_are_not_consumed_by_validation(ns: Any) -> None:
    ns.keyvalue.set_many({"a": b"1", "b": b"2"})
    assert ns.keyvalue.get_many(k for k in ["a", "b", "c"]) == {"a": b"1", "b": b"2"}
    assert ns.keyvalue.delete_many(iter(["a", "b"])) == 2


# ----- issue 8: bounds, exact types, one conversion, parameter names ----------------------------


class SneakyStr(str):
    """A str subclass whose ``__str__`` lies: validation must use the plain value."""

    def __str__(self) -> str:
        return "../../etc/passwd"


class SneakyInt(int):
    def __index__(self) -> int:
        return 2**70

    def __int__(self) -> int:
        return 2**70


class SneakyFloat(float):
    def __float__(self) -> float:
        return float("nan")


def _sqlite_ns(tmp_path: Any, name: str = "validation") -> Any:
    url = f"sqlite:///{tmp_path / 'v.db'}"
    config = {"backends": {"s": {"type": "sqlite", "connection": url}}, "default_backend": "s"}
    return prism.open(name, config=config)


@pytest.fixture(params=["memstore", "sqlite"])
def any_ns(request: Any, tmp_path: Any) -> Any:
    if request.param == "memstore":
        store = f"memory://validation-{uuid.uuid4().hex}"
        config = {
            "backends": {"m": {"type": "memstore", "connection": store}},
            "default_backend": "m",
        }
        with prism.open("validation-any", config=config) as namespace:
            yield namespace
    else:
        with _sqlite_ns(tmp_path) as namespace:
            yield namespace


def test_set_partitions_is_bounded_before_any_io(any_ns: Any) -> None:
    from prism._validate import MAX_PARTITIONS

    s = any_ns.stream
    with pytest.raises(prism.InvalidArgumentError, match=r"count must be an int from 1 to 4096"):
        s.set_partitions("s", 2**31)
    with pytest.raises(prism.InvalidArgumentError, match=str(2**31)):
        s.set_partitions("s", 2**31)
    assert s.partitions("s") == 1
    s.set_partitions("s", MAX_PARTITIONS)
    assert s.partitions("s") == MAX_PARTITIONS
    with pytest.raises(prism.InvalidArgumentError, match="partition must be an int from 0 to 4095"):
        s.append_to_partition("s", MAX_PARTITIONS, b"x")


@pytest.mark.parametrize("huge", [2**63, 2**64 + 1, 10**400])
def test_ints_of_2_pow_63_and_more_are_refused(any_ns: Any, huge: int) -> None:
    s = any_ns.stream
    s.append("s", b"x")
    for call, param in (
        (lambda: s.read("s", huge), "from_offset"),
        (lambda: s.read("s", 0, max_count=huge), "max_count"),
        (lambda: s.seek_to_offset("s", huge), "offset"),
        (lambda: s.replay_range("s", 0, huge), "end"),
        (lambda: any_ns.queue.dead_letters("q", limit=huge), "limit"),
        (lambda: any_ns.stream.set_retention("s", max_length=huge), "max_length"),
    ):
        with pytest.raises(prism.InvalidArgumentError, match=rf"^{param} must be an int from"):
            call()  # replay_range is a generator method: its checks run at the call
    # the largest allowed value is accepted and behaves
    assert s.read("s", 2**63 - 1) == []
    assert s.seek_to_offset("s", 2**63 - 1) is None


class _Offset(int):
    def __index__(self) -> int:  # never consulted: an int subclass counts by its int value
        return 999


@pytest.mark.parametrize(
    "offsets",
    [[3, -1], [2**63], [0, 2**63 - 1, 2**64], [1, True], [1, 2.0], [1, "2"], [None], [1, b"1"]],
    ids=["negative", "2**63", "2**64 last", "bool", "float", "str", "None", "bytes"],
)
def test_a_list_of_offsets_with_one_bad_item_is_refused_naming_it(
    any_ns: Any, offsets: list[Any]
) -> None:
    """Lists of exact ints are checked whole in C loops; anything else falls back to the
    item-by-item check, so one bad item anywhere is still refused, with its message."""
    s = any_ns.stream
    s.create_group("s", "g", start="earliest")
    s.append("s", b"x")
    with pytest.raises(prism.InvalidArgumentError, match=r"^each of offsets must be an int from"):
        s.ack("s", "g", offsets)
    assert len(s.consume("s", "g", "c", max_count=5)) == 1  # nothing was acknowledged


def test_a_list_of_offsets_is_taken_as_plain_ints_and_copied(any_ns: Any) -> None:
    s = any_ns.stream
    s.create_group("s", "g", start="earliest")
    for i in range(3):
        s.append("s", b"%d" % i)
    got = [r.offset for r in s.consume("s", "g", "c", max_count=3)]
    assert got == [0, 1, 2]
    mixed = [2, _Offset(0), 2**63 - 1]  # unsorted, an int subclass, the largest offset
    assert s.ack("s", "g", mixed) == 2
    assert s.group_info("s", "g").pending == 1
    assert s.ack("s", "g", []) == 0


def test_int_message_does_not_print_giant_ints(any_ns: Any) -> None:
    with pytest.raises(prism.InvalidArgumentError, match="an int of 1329 bits"):
        any_ns.stream.read("s", 10**400)


@pytest.mark.parametrize("duration", [1e16, 1e10, 2**63, float(10**300), 10**400])
def test_huge_durations_and_timeouts_are_refused(any_ns: Any, duration: Any) -> None:
    calls = [
        (lambda: any_ns.keyvalue.set("k", b"v", ttl=duration), "ttl"),
        (lambda: any_ns.keyvalue.expire("k", duration), "ttl"),
        (lambda: any_ns.queue.dequeue("q", timeout=duration), "timeout"),
        (lambda: any_ns.queue.receive("q", visibility_timeout=duration), "visibility_timeout"),
        (lambda: any_ns.queue.receive("q", timeout=duration), "timeout"),
        (lambda: any_ns.queue.enqueue("q", b"x", delay=duration), "delay"),
        (lambda: any_ns.stream.consume("s", "g", "c", block=duration), "block"),
        (lambda: any_ns.stream.consume("s", "g", "c", claim_timeout=duration), "claim_timeout"),
        (lambda: any_ns.stream.set_retention("s", max_age=duration), "max_age"),
        (lambda: any_ns.timeseries.set_retention("t", duration), "max_age"),
        (lambda: any_ns.timeseries.aggregate("t", 0, 10, duration, "sum"), "bucket"),
    ]
    for call, param in calls:
        with pytest.raises(prism.InvalidArgumentError, match=rf"^{param} must be seconds from"):
            call()
    assert not any_ns.keyvalue.exists("k")
    assert any_ns.queue.length("q") == 0


def test_duration_bound_is_exact() -> None:
    from prism._validate import MAX_SECONDS, seconds

    assert seconds(MAX_SECONDS) == float(MAX_SECONDS)
    assert seconds(timedelta(days=365 * 100)) == float(MAX_SECONDS)
    with pytest.raises(prism.InvalidArgumentError, match="3153600000"):
        seconds(MAX_SECONDS + 1)
    with pytest.raises(prism.InvalidArgumentError):
        seconds(timedelta.max)


@pytest.mark.parametrize(
    "moment",
    [
        -1,
        -1e-9,
        253_402_300_801,
        1e16,
        float("inf"),
        datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
    ],
)
def test_timestamps_outside_1970_to_9999_are_refused(any_ns: Any, moment: Any) -> None:
    for call, param in (
        (lambda: any_ns.timeseries.insert("t", moment, 1.0), "timestamp"),
        (lambda: any_ns.timeseries.query("t", moment, 10), "start"),
        (lambda: any_ns.stream.seek_to_timestamp("s", moment), "timestamp"),
        (lambda: any_ns.queue.enqueue("q", b"x", not_before=moment), "not_before"),
    ):
        with pytest.raises(prism.InvalidArgumentError, match=rf"^{param} must be"):
            call()
    assert any_ns.timeseries.query("t", 0, 253_402_300_800) == []


def test_timestamp_bounds_are_usable(any_ns: Any) -> None:
    ts = any_ns.timeseries
    ts.insert("t", 0, 1.0)
    ts.insert("t", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), 2.0)
    points = ts.query("t", 0, datetime.max)
    assert [p.value for p in points] == [1.0, 2.0]


@pytest.mark.parametrize(
    "bad",
    [
        {"h": "\ud800"},
        {"\udfff": "v"},
        {"h": "a\x00b"},
        {"a\x00b": "v"},
        {"": "v"},
        {"h": b"v"},
        {b"h": "v"},
        {1: "v"},
    ],
)
def test_bad_header_names_and_values_are_refused(any_ns: Any, bad: Any) -> None:
    for call in (
        lambda: any_ns.queue.enqueue("q", b"x", headers=bad),
        lambda: any_ns.stream.append("s", b"x", headers=bad),
        lambda: any_ns.timeseries.insert("t", 1, 1.0, labels=bad),
    ):
        with pytest.raises(prism.InvalidArgumentError, match=r"headers|labels"):
            call()
    assert any_ns.queue.length("q") == 0
    assert any_ns.stream.latest_offset("s") is None


def test_surrogates_in_headers_name_the_parameter(any_ns: Any) -> None:
    with pytest.raises(prism.InvalidArgumentError, match=r"headers\['h'\].*lone surrogates"):
        any_ns.queue.enqueue("q", b"x", headers={"h": "\ud800"})


def test_str_subclass_with_custom_str_is_stored_by_its_plain_value(any_ns: Any) -> None:
    kv = any_ns.keyvalue
    kv.set(SneakyStr("plain"), b"v")
    assert kv.get("plain") == b"v"
    assert list(kv.scan_keys()) == ["plain"]
    assert type(next(iter(kv.scan_keys()))) is str
    kv.set_many({SneakyStr("other"): b"w"})
    assert kv.get_many(["other", SneakyStr("plain")]) == {"other": b"w", "plain": b"v"}
    msg_id = any_ns.queue.enqueue(SneakyStr("q"), b"x", headers={SneakyStr("h"): SneakyStr("v")})
    message = any_ns.queue.dequeue("q")
    assert message is not None and message.id == msg_id
    assert dict(message.headers) == {"h": "v"}
    assert all(type(k) is str and type(v) is str for k, v in message.headers.items())


def test_int_and_float_subclasses_are_used_by_their_plain_value(any_ns: Any) -> None:
    s = any_ns.stream
    for i in range(3):
        s.append("s", str(i).encode())
    records = s.read("s", SneakyInt(1), max_count=SneakyInt(1))
    assert len(records) == 1
    assert records[0].payload == b"1"
    any_ns.timeseries.insert("t", SneakyFloat(5.0), SneakyFloat(2.5))
    (point,) = any_ns.timeseries.query("t", 0, 10)
    assert (point.timestamp, point.value) == (5.0, 2.5)


def test_backends_receive_exact_builtin_types() -> None:
    from prism.interfaces._async.keyvalue import AsyncKeyValueTTL
    from prism.interfaces._async.queue import AsyncQueueDelayed

    seen: list[Any] = []

    class SpyTTL(AsyncKeyValueTTL):
        async def set(self, key: str, value: bytes, *, ttl: Any = None) -> None:
            seen.append((key, ttl))

        async def expire(self, key: str, ttl: Any) -> bool:
            seen.append((key, ttl))
            return True

        async def get_ttl(self, key: str) -> float | None:
            return None

        async def persist(self, key: str) -> bool:
            return False

    class SpyDelayed(AsyncQueueDelayed):
        async def enqueue(
            self,
            queue: str,
            payload: bytes,
            *,
            headers: Any = None,
            delay: Any = None,
            not_before: Any = None,
        ) -> str:
            seen.append((queue, headers, delay, not_before))
            return "id"

        async def scheduled_count(self, queue: str) -> int:
            return 0

    async def run() -> None:
        kv = SpyTTL()
        await kv.set(SneakyStr("k"), b"v", ttl=timedelta(minutes=1))
        await kv.expire("k", 7)
        q = SpyDelayed()
        headers = MappingProxyType({SneakyStr("h"): SneakyStr("v")})
        await q.enqueue("q", b"x", headers=headers, not_before=datetime(2030, 1, 1))
        await q.enqueue("q", b"x", delay=SneakyInt(3))

    asyncio.run(run())
    assert seen[0] == ("k", 60.0) and type(seen[0][0]) is str and type(seen[0][1]) is float
    assert seen[1] == ("k", 7.0) and type(seen[1][1]) is float
    _, headers, delay, not_before = seen[2]
    assert type(headers) is dict and headers == {"h": "v"}
    assert all(type(k) is str and type(v) is str for k, v in headers.items())
    assert delay is None
    assert not_before == datetime(2030, 1, 1, tzinfo=UTC).timestamp()
    assert type(not_before) is float
    assert seen[3][2] == 3.0 and type(seen[3][2]) is float


@pytest.mark.parametrize("topic", ["a.*", "a.>", "*", ">", "a*", "news.>.x"])
def test_subscribe_with_a_pattern_points_to_subscribe_pattern(ns: Any, topic: str) -> None:
    ps = ns.pubsub
    with pytest.raises(prism.InvalidArgumentError, match=r"^topic .*subscribe_pattern\(\)"):
        ps.subscribe(topic)


def test_subscribe_pattern_still_takes_the_pattern() -> None:
    config = {
        "backends": {"m": {"type": "memstore", "connection": "memory://validation-ps"}},
        "default_backend": "m",
    }
    with prism.open("validation-ps", config=config) as ns:
        with ns.pubsub.subscribe_pattern("a.*") as sub:
            ns.pubsub.publish("a.b", b"x")
            message = sub.get(timeout=5)
            assert message is not None and message.topic == "a.b"
        with pytest.raises(prism.InvalidArgumentError, match="subscribe_pattern"):
            ns.pubsub.subscribe_durable("a.*", "name")
        with ns.pubsub.subscribe("a.b") as sub:
            with pytest.raises(prism.InvalidArgumentError, match=r"^timeout must be seconds"):
                sub.get(timeout=1e10)
            with pytest.raises(prism.InvalidArgumentError, match=r"^timeout must be seconds"):
                sub.get(timeout=-1)


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (lambda ns: ns.queue.receive("q", visibility_timeout=0), "visibility_timeout"),
        (lambda ns: ns.queue.receive("q", timeout=-1), "timeout"),
        (
            lambda ns: ns.queue.configure_dead_letter("q", max_attempts=0, dead_letter_queue="d"),
            "max_attempts",
        ),
        (
            lambda ns: ns.queue.configure_dead_letter("q", max_attempts=1, dead_letter_queue=""),
            "dead_letter_queue",
        ),
        (lambda ns: ns.queue.enqueue("q", b"x", priority=2**31), "priority"),
        (lambda ns: ns.stream.consume("s", "g", "", max_count=1), "consumer"),
        (lambda ns: ns.stream.consume("s", "g", "c", max_count=0), "max_count"),
        (lambda ns: ns.stream.create_group("s", "g", start="middle"), "start"),
        (lambda ns: ns.stream.ack("s", "g", [1, -1]), "each of offsets"),
        (lambda ns: ns.stream.read_partition("s", -1), "partition"),
        (lambda ns: ns.stream.set_retention("s", max_age=0), "max_age"),
        (lambda ns: ns.stream.set_retention("s", max_length=0), "max_length"),
        (lambda ns: ns.keyvalue.get_many(["a", ""]), "each of keys"),
        (lambda ns: ns.keyvalue.compare_and_swap("k", "x", b"v"), "expected"),
        (lambda ns: ns.keyvalue.compare_and_swap("k", None, "v"), "new"),
        (lambda ns: list(ns.keyvalue.scan(limit=-1)), "limit"),
        (lambda ns: ns.timeseries.query("t", 0, "x"), "end"),
        (lambda ns: ns.timeseries.rollup("t", "", 0, 1, 1, "sum"), "destination"),
        (lambda ns: ns.timeseries.aggregate("t", 0, 1, 0, "sum"), "bucket"),
        (lambda ns: ns.timeseries.insert("t", 0, float("nan")), "value"),
        (lambda ns: ns.document.find("c", skip=-1), "skip"),
        (lambda ns: ns.document.get("c", ""), "id"),
        (lambda ns: ns.document.aggregate("c", "a", {"n": ("count", None)}), "group_by"),
        (lambda ns: ns.document.create_index("c", ["a"], name=""), "name"),
        (lambda ns: ns.document.drop_index("c", "a\x00"), "name"),
        (lambda ns: ns.graph.pagerank(damping=1.5), "damping"),
        (lambda ns: ns.graph.pagerank(max_iterations=2**63), "max_iterations"),
        (lambda ns: ns.graph.pagerank(tolerance=0), "tolerance"),
        (lambda ns: ns.graph.traverse("n", edge_labels="ab"), "edge_labels"),
        (lambda ns: ns.graph.shortest_path("a", "b", weight=""), "weight"),
        (lambda ns: ns.set.random_members("k", 0), "count"),
    ],
)
def test_messages_name_the_parameter(any_ns: Any, call: Any, param: str) -> None:
    with pytest.raises(prism.InvalidArgumentError) as info:
        call(any_ns)
    assert str(info.value).startswith(param), str(info.value)


CONVERTERS = {
    "seconds",
    "optional_seconds",
    "timestamp",
    "optional_count",
    "choice",
    "headers",
    "json_object",
    "json_value",
    "payload",
    "payload_map",
}


def test_backend_facets_leave_argument_conversion_to_the_checks() -> None:
    """Durations, timestamps, headers and JSON arrive converted; facets never re-convert."""
    import ast
    from pathlib import Path

    root = Path(prism.__file__).parent / "backends"
    sources = [*root.glob("*/_async/*.py"), *root.glob("sqlite/_ops/*.py")]
    assert len(sources) > 20
    offenders = []
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "prism._validate":
                offenders += [
                    f"{path.name}: imports {a.name}" for a in node.names if a.name in CONVERTERS
                ]
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "v"
                and node.attr in CONVERTERS
            ):
                offenders.append(f"{path.name}:{node.lineno}: v.{node.attr}")
    assert offenders == []


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (lambda ns: ns.sortedset.range_by_lex("k", min="a"), "min"),
        (lambda ns: ns.sortedset.range_by_lex("k", max="z"), "max"),
        (lambda ns: ns.sortedset.add("k", {b"m": float("nan")}), "members[b'm']"),
        (lambda ns: ns.sortedset.union(["a"], weights=["x"]), "weights[0]"),
        (lambda ns: ns.sortedset.range_by_score("k", 0, 1, offset=-1), "offset"),
        (lambda ns: ns.list.get("k", 2**63), "index"),
        (lambda ns: ns.list.remove("k", b"v", -(2**63) - 1), "count"),
        (lambda ns: ns.list.blocking_pop_left(["a", ""], timeout=0), "each of keys"),
        (lambda ns: ns.list.blocking_pop_left("a", timeout=1e10), "timeout"),
        (lambda ns: ns.pubsub.publish("t", b"x", attributes={"a": 2**63}), "attributes.a"),
        (lambda ns: ns.pubsub.subscribe_durable("t", "n", start="middle"), "start"),
        (lambda ns: ns.pubsub.subscribe_durable("t", "n", ack_wait=1e16), "ack_wait"),
    ],
)
def test_messages_name_the_parameter_on_memstore_only_models(
    ns: Any, call: Any, param: str
) -> None:
    with pytest.raises(prism.InvalidArgumentError) as info:
        call(ns)
    assert str(info.value).startswith(param), str(info.value)


def test_batches_are_bounded_before_any_io(any_ns: Any) -> None:
    """Every batch call takes at most MAX_BATCH items; one more is refused and nothing is
    written, at exactly the bound it runs."""
    from prism._validate import MAX_BATCH

    kv, ts = any_ns.keyvalue, any_ns.timeseries
    over = [f"k{i}" for i in range(MAX_BATCH + 1)]
    with pytest.raises(prism.InvalidArgumentError, match=r"keys has 100001 items; .*100,000"):
        kv.get_many(over)
    with pytest.raises(prism.InvalidArgumentError, match=r"items has 100001 items"):
        kv.set_many(dict.fromkeys(over, b"v"))
    assert kv.get_many(over[:3]) == {}
    with pytest.raises(prism.InvalidArgumentError, match=r"points has 100001 items"):
        ts.insert_many("s", [(float(i), 1.0) for i in range(MAX_BATCH + 1)])
    assert list(ts.query("s", 0, MAX_BATCH + 1)) == []
    kv.set_many(dict.fromkeys(over[:MAX_BATCH], b"v"))
    assert kv.get_many(over[MAX_BATCH - 1 :]) == {over[MAX_BATCH - 1]: b"v"}


def test_list_pushes_are_bounded_before_any_io() -> None:
    from prism._validate import MAX_BATCH

    with prism.open("validation-list") as ns:
        with pytest.raises(prism.InvalidArgumentError, match=r"values has 100001 items"):
            ns.list.push_right("l", *([b"x"] * (MAX_BATCH + 1)))
        assert ns.list.length("l") == 0
