"""Bad input is refused with InvalidArgumentError before any I/O, sync and async alike."""

from __future__ import annotations

import asyncio
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


def test_one_shot_iterables_of_keys_are_not_consumed_by_validation(ns: Any) -> None:
    ns.keyvalue.set_many({"a": b"1", "b": b"2"})
    assert ns.keyvalue.get_many(k for k in ["a", "b", "c"]) == {"a": b"1", "b": b"2"}
    assert ns.keyvalue.delete_many(iter(["a", "b"])) == 2
