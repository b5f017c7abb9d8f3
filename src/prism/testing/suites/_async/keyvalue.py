"""Compliance suites for the keyvalue interfaces."""

from __future__ import annotations

import functools
import math
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, TypeVar

import pytest

import prism
from prism._compat import sleep_async
from prism.interfaces._async.keyvalue import (
    AsyncKeyValueBasic,
    AsyncKeyValueBatch,
    AsyncKeyValueCAS,
    AsyncKeyValueScan,
    AsyncKeyValueTransactional,
    AsyncKeyValueTTL,
    AsyncTransaction,
)
from prism.testing._async.suite import AsyncSuite
from prism.testing._concurrency import run_concurrently_async

T = TypeVar("T")

BAD_KEYS = [
    pytest.param("", id="empty"),
    pytest.param("x" * 1025, id="over-1024-bytes"),
    pytest.param("é" * 513, id="over-1024-utf8-bytes"),
    pytest.param("a\x00b", id="nul"),
    pytest.param(b"bytes", id="bytes"),
    pytest.param(42, id="int"),
    pytest.param(None, id="none"),
]
BAD_VALUES = [
    pytest.param("text", id="str"),
    pytest.param(1, id="int"),
    pytest.param(None, id="none"),
    pytest.param(bytearray(b"x"), id="bytearray"),
]
BINARY_VALUES = [
    pytest.param(b"", id="empty"),
    pytest.param(b"\x00\x01\x00", id="nul-bytes"),
    pytest.param(b"\xff\xfe\xc3\x28", id="invalid-utf8"),
    pytest.param(bytes(range(256)) * 4096, id="1MiB"),
]
UNICODE_KEYS = ["café", "键值", "🙂:emoji", "x" * 1024, "é" * 512]

TTL = 0.5
"""A short expiry, in seconds: on a real server ``advance`` really waits for it."""
PAST_TTL = TTL + 0.1
"""Advancing this far takes a key set with ``TTL`` just past its expiry."""
SLACK = 0.01
"""Rounding allowed in a ``get_ttl`` reading (float clocks, millisecond server clocks)."""
BAD_TTLS = [
    pytest.param(0, id="zero"),
    pytest.param(0.0, id="zero-float"),
    pytest.param(-1, id="negative"),
    pytest.param(-0.5, id="negative-float"),
    pytest.param(math.nan, id="nan"),
    pytest.param(math.inf, id="inf"),
    pytest.param(-math.inf, id="minus-inf"),
    pytest.param(timedelta(0), id="zero-timedelta"),
    pytest.param(timedelta(seconds=-1), id="negative-timedelta"),
    pytest.param("1", id="str"),
    pytest.param(b"1", id="bytes"),
    pytest.param([1], id="list"),
]


async def _let_others_run() -> None:
    """A scheduling point, not a wait: lets concurrent tasks (threads) interleave here, so the
    race the test is about really happens even on a backend whose calls never suspend."""
    await sleep_async(0)


async def _drain(items: AsyncIterator[T], most: int = 100_000) -> list[T]:
    """Everything a scan yields; fails once it passes ``most`` items (a scan that never ends)."""
    found: list[T] = []
    async for item in items:
        found.append(item)
        if len(found) > most:
            pytest.fail(f"the scan yielded more than {most} items")
    return found


class _KeyValueSuite(AsyncSuite):
    """What the keyvalue suites share; names no interface, so it is not a suite itself."""

    async def kv(self, name: str | None = None) -> AsyncKeyValueBasic:
        """The keyvalue facet of a fresh namespace (or of namespace ``name``), checked to
        implement keyvalue_basic and this suite's interface."""
        namespace = await self.open(name)
        facet = namespace.facet("keyvalue")
        assert isinstance(facet, AsyncKeyValueBasic), f"{facet!r} lacks keyvalue_basic"
        implemented = type(facet).implemented_interfaces()
        assert self.interface in implemented, f"{facet!r} does not implement {self.interface}"
        return facet


class AsyncKeyValueBasicSuite(_KeyValueSuite, interface="keyvalue_basic"):
    """RFC-015's ten keyvalue_basic cases, plus the shared conventions."""

    async def test_set_then_get(self) -> None:
        kv = await self.kv()
        await kv.set("user:1", b"alice")
        assert await kv.get("user:1") == b"alice"

    async def test_get_missing_raises_key_not_found(self) -> None:
        kv = await self.kv()
        with pytest.raises(prism.KeyNotFoundError) as info:
            await kv.get("missing")
        assert isinstance(info.value, KeyError)
        assert isinstance(info.value, prism.NotFoundError)

    async def test_delete_existing_returns_true(self) -> None:
        kv = await self.kv()
        await kv.set("k", b"v")
        assert await kv.delete("k") is True
        assert await kv.exists("k") is False

    async def test_delete_missing_returns_false(self) -> None:
        kv = await self.kv()
        assert await kv.delete("never-set") is False

    async def test_exists(self) -> None:
        kv = await self.kv()
        await kv.set("k", b"v")
        assert await kv.exists("k") is True

    async def test_exists_missing_is_false(self) -> None:
        kv = await self.kv()
        assert await kv.exists("missing") is False

    async def test_lifecycle(self) -> None:
        kv = await self.kv()
        await kv.set("k", b"1")
        assert await kv.get("k") == b"1"
        assert await kv.delete("k") is True
        with pytest.raises(prism.KeyNotFoundError):
            await kv.get("k")
        await kv.set("k", b"2")
        assert await kv.get("k") == b"2"

    async def test_overwrite(self) -> None:
        kv = await self.kv()
        await kv.set("k", b"first")
        await kv.set("k", b"second")
        assert await kv.get("k") == b"second"

    async def test_100_concurrent_sets_all_land(self) -> None:
        kv = await self.kv()
        await run_concurrently_async(
            [functools.partial(kv.set, f"key:{i}", str(i).encode()) for i in range(100)]
        )
        for i in range(100):
            assert await kv.get(f"key:{i}") == str(i).encode()

    async def test_concurrent_writers_to_one_key_leave_one_of_their_values(self) -> None:
        kv = await self.kv()
        values = {f"v{i}".encode() for i in range(50)}
        await run_concurrently_async([functools.partial(kv.set, "hot", v) for v in values])
        assert await kv.get("hot") in values

    @pytest.mark.parametrize("value", BINARY_VALUES)
    async def test_binary_values_round_trip(self, value: bytes) -> None:
        kv = await self.kv()
        await kv.set("bin", value)
        assert await kv.get("bin") == value

    async def test_value_at_the_declared_limit(self) -> None:
        limit = self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        kv = await self.kv()
        await kv.set("big", b"\x00" * limit)
        assert len(await kv.get("big")) == limit
        with pytest.raises(prism.ValueTooLargeError):
            await kv.set("big", b"\x00" * (limit + 1))
        assert len(await kv.get("big")) == limit

    @pytest.mark.parametrize("key", UNICODE_KEYS)
    async def test_unicode_keys(self, key: str) -> None:
        kv = await self.kv()
        await kv.set(key, key.encode())
        assert await kv.get(key) == key.encode()
        assert await kv.exists(key)

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: Any) -> None:
        kv = await self.kv()
        with pytest.raises(prism.InvalidArgumentError):
            await kv.set(key, b"v")
        with pytest.raises(prism.InvalidArgumentError):
            await kv.get(key)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.delete(key)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.exists(key)

    @pytest.mark.parametrize("value", BAD_VALUES)
    async def test_non_bytes_values_rejected(self, value: Any) -> None:
        kv = await self.kv()
        with pytest.raises(prism.InvalidArgumentError):
            await kv.set("k", value)
        assert await kv.exists("k") is False

    async def test_namespaces_are_isolated(self) -> None:
        a = await self.kv()
        b = await self.kv()
        await a.set("shared", b"from-a")
        assert await b.exists("shared") is False
        await b.set("shared", b"from-b")
        assert await a.get("shared") == b"from-a"
        assert await a.delete("shared") is True
        assert await b.get("shared") == b"from-b"

    async def test_same_namespace_opened_twice_shares_data(self) -> None:
        name = self.target.fresh_name()
        first = await self.kv(name)
        second = await self.kv(name)
        await first.set("k", b"v")
        assert await second.get("k") == b"v"


class AsyncKeyValueScanSuite(_KeyValueSuite, interface="keyvalue_scan"):
    """RFC-015's six keyvalue_scan cases, plus completeness and exact prefixes."""

    async def _seed(self, kv: AsyncKeyValueBasic, keys: list[str]) -> None:
        for key in keys:
            await kv.set(key, key.encode())

    async def test_scan_all(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueScan)
        keys = [f"k{i}" for i in range(25)]
        await self._seed(kv, keys)
        found = dict(await _drain(kv.scan()))
        assert found == {k: k.encode() for k in keys}

    async def test_scan_prefix_is_exact(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueScan)
        await self._seed(kv, ["user:1", "user:2", "user2:1", "use", "admin:1"])
        found = sorted([k for k, _ in await _drain(kv.scan("user:"))])
        assert found == ["user:1", "user:2"]

    async def test_scan_limit(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueScan)
        await self._seed(kv, [f"k{i}" for i in range(20)])
        found = [k for k, _ in await _drain(kv.scan(limit=7))]
        assert len(found) == 7
        assert len(set(found)) == 7
        assert len(await _drain(kv.scan_keys(limit=7))) == 7

    async def test_scan_keys_only(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueScan)
        await self._seed(kv, ["a:1", "a:2", "b:1"])
        found = sorted(await _drain(kv.scan_keys("a:")))
        assert found == ["a:1", "a:2"]

    async def test_count(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueScan)
        await self._seed(kv, [f"k{i}" for i in range(12)])
        assert await kv.count() == 12

    async def test_count_with_prefix(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueScan)
        await self._seed(kv, ["x:1", "x:2", "x:3", "y:1", "x"])
        assert await kv.count("x:") == 3
        assert await kv.count("nothing:") == 0

    @pytest.mark.parametrize(
        ("prefix", "literal", "decoys"),
        [
            pytest.param("a*", ["a*", "a*b"], ["a", "ab", "a-b"], id="star"),
            pytest.param("a?", ["a?", "a?b"], ["ab", "a-", "a"], id="question-mark"),
            pytest.param("[ab]", ["[ab]", "[ab]c"], ["a", "b", "ac", "[a"], id="brackets"),
            pytest.param("]a", ["]a", "]ab"], ["a", "]"], id="close-bracket"),
            pytest.param("a%", ["a%", "a%b"], ["a", "ab", "a-b"], id="percent"),
            pytest.param("a_", ["a_", "a_b"], ["ab", "a-", "a"], id="underscore"),
            pytest.param("a\\", ["a\\", "a\\b"], ["a", "ab", "a/"], id="backslash"),
            pytest.param(
                "a\\*", ["a\\*", "a\\*b"], ["a*", "a*b", "a\\", "a\\b"], id="escaped-star"
            ),
            pytest.param(
                "a\\%", ["a\\%", "a\\%b"], ["a%", "a%b", "a\\", "a\\b"], id="escaped-percent"
            ),
            pytest.param(
                "%_*?[", ["%_*?[", "%_*?[x"], ["ab*?[", "%x*?[", "%_y?[", "%_*z["], id="all"
            ),
        ],
    )
    async def test_prefix_metacharacters_match_literally(
        self, prefix: str, literal: list[str], decoys: list[str]
    ) -> None:
        # Every decoy would match if a glob (``*``, ``?``, ``[...]``, ``\\``) or LIKE (``%``,
        # ``_``, ``\\``) metacharacter in the prefix were taken as a pattern.
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueScan)
        await self._seed(kv, [*decoys, *literal])
        assert sorted(await _drain(kv.scan_keys(prefix))) == sorted(literal)
        assert dict(await _drain(kv.scan(prefix))) == {k: k.encode() for k in literal}
        assert await kv.count(prefix) == len(literal)

    @pytest.mark.prism_stress
    async def test_10000_keys_scanned_completely_without_duplicates(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueScan)
        keys = [f"bulk:{i:05d}" for i in range(10_000)]
        if isinstance(kv, AsyncKeyValueBatch):
            for start in range(0, len(keys), 1000):
                await kv.set_many(dict.fromkeys(keys[start : start + 1000], b"v"))
        else:
            await run_concurrently_async([functools.partial(kv.set, k, b"v") for k in keys])
        found = await _drain(kv.scan_keys("bulk:"))
        assert len(found) == len(keys)
        assert set(found) == set(keys)

    async def test_deleted_keys_never_appear(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueScan)
        await self._seed(kv, ["d:1", "d:2", "d:3"])
        await kv.delete("d:2")
        found = sorted([k for k, _ in await _drain(kv.scan("d:"))])
        assert found == ["d:1", "d:3"]
        assert await kv.count("d:") == 2

    async def test_prefix_matching_nothing_is_empty(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueScan)
        await self._seed(kv, ["a"])
        assert await _drain(kv.scan_keys("zzz")) == []
        assert await _drain(kv.scan("zzz")) == []

    async def test_unicode_prefix(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueScan)
        await self._seed(kv, ["café:1", "café:2", "cafe:1", "键:1"])
        found = sorted(await _drain(kv.scan_keys("café:")))
        assert found == ["café:1", "café:2"]

    async def test_scan_never_crosses_namespaces(self) -> None:
        a = await self.kv()
        b = await self.kv()
        assert isinstance(a, AsyncKeyValueScan)
        assert isinstance(b, AsyncKeyValueScan)
        await self._seed(a, ["p:1", "p:2"])
        await self._seed(b, ["p:3"])
        assert sorted(await _drain(a.scan_keys("p:"))) == ["p:1", "p:2"]
        assert await b.count("p:") == 1

    @pytest.mark.parametrize("prefix", ["a\x00", b"a", 3])
    async def test_bad_prefix_rejected(self, prefix: Any) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueScan)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.count(prefix)
        with pytest.raises(prism.InvalidArgumentError):
            kv.scan_keys(prefix)
        with pytest.raises(prism.InvalidArgumentError):
            kv.scan(prefix)


class AsyncKeyValueTTLSuite(_KeyValueSuite, interface="keyvalue_ttl"):
    """Expiring keys: visible until the TTL passes, invisible to every read at once after it.

    The rule for overwrites, as in Redis ``SET``: a plain ``set`` (no ``ttl``) clears any expiry
    of the key; a ``set`` with ``ttl`` replaces it.
    """

    async def test_visible_before_expiry(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        await kv.set("k", b"v", ttl=1.0)
        assert await kv.get("k") == b"v"
        await self.advance(0.5)
        assert await kv.get("k") == b"v"
        assert await kv.exists("k") is True
        remaining = await kv.get_ttl("k")
        assert remaining is not None
        assert 0 < remaining <= 0.5 + SLACK
        if isinstance(kv, AsyncKeyValueScan):
            assert await _drain(kv.scan_keys()) == ["k"]
            assert await kv.count() == 1

    async def test_expired_key_invisible_to_point_reads_at_once(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        # One key per operation: a backend that drops expired keys when it first meets them
        # must still hide every one of them.
        ops = [
            "get",
            "exists",
            "get_ttl",
            "delete",
            "expire",
            "persist",
            "get_many",
            "cas",
            "cas-delete",
            "transaction",
        ]
        for op in ops:
            await kv.set(op, b"old", ttl=TTL)
        await kv.set("kept", b"kept")
        await self.advance(PAST_TTL)

        with pytest.raises(prism.KeyNotFoundError):
            await kv.get("get")
        assert await kv.exists("exists") is False
        with pytest.raises(prism.KeyNotFoundError):
            await kv.get_ttl("get_ttl")
        assert await kv.delete("delete") is False
        assert await kv.expire("expire", 10) is False
        assert await kv.persist("persist") is False
        if isinstance(kv, AsyncKeyValueBatch):
            assert await kv.get_many(["get_many", "kept"]) == {"kept": b"kept"}
        if isinstance(kv, AsyncKeyValueCAS):
            assert await kv.compare_and_delete("cas-delete", b"old") is False
            assert await kv.compare_and_swap("cas", b"old", b"new") is False
            assert await kv.compare_and_swap("cas", None, b"new") is True
            assert await kv.get("cas") == b"new"
            assert await kv.get_ttl("cas") is None
            ops.remove("cas")
        if isinstance(kv, AsyncKeyValueTransactional):
            async with kv.begin() as tx:
                with pytest.raises(prism.KeyNotFoundError):
                    await tx.get("transaction")
                assert await tx.delete("transaction") is False
        for op in ops:
            assert await kv.exists(op) is False, f"{op!r} came back"
        assert await kv.get("kept") == b"kept"

    async def test_expired_key_invisible_to_scan_and_count_at_once(self) -> None:
        if not self.declares("keyvalue_scan"):
            pytest.skip("the backend does not declare keyvalue_scan")
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        assert isinstance(kv, AsyncKeyValueScan)
        # One prefix per reader, as above: each reader is the first to meet its expired key.
        for prefix in ("scan:", "keys:", "count:"):
            await kv.set(f"{prefix}gone", b"1", ttl=TTL)
            await kv.set(f"{prefix}long", b"2", ttl=60)
            await kv.set(f"{prefix}kept", b"3")
        await self.advance(PAST_TTL)
        assert dict(await _drain(kv.scan("scan:"))) == {"scan:long": b"2", "scan:kept": b"3"}
        assert sorted(await _drain(kv.scan_keys("keys:"))) == ["keys:kept", "keys:long"]
        assert await kv.count("count:") == 2
        assert await kv.count() == 6

    async def test_key_expires_exactly_at_its_ttl(self) -> None:
        # The rule: a key set with ``ttl`` lives for less than ``ttl`` seconds; at the instant
        # ``ttl`` has passed it is gone, to every read.
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        # "j" first: in real time it then expires no later than "k", so once "k" is gone "j" is
        await kv.set("j", b"v", ttl=TTL)
        await kv.set("k", b"v", ttl=TTL)
        if not self.has_clock:
            # Real time cannot stop on the instant: poll until the key is gone, soon after it.

            async def gone() -> bool:
                return not await kv.exists("k")

            await self.advance(TTL)
            await self.eventually(gone, timeout=2.0)
            with pytest.raises(prism.KeyNotFoundError):
                await kv.get("j")
            return
        # Steps of 2**-10 s add exactly to the injected clock's float time.
        await self.advance(TTL - 2**-10)
        assert await kv.get("k") == b"v"
        await self.advance(2**-10)
        assert await kv.exists("k") is False
        with pytest.raises(prism.KeyNotFoundError):
            await kv.get("j")

    async def test_get_ttl_without_expiry_is_none(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        await kv.set("k", b"v")
        assert await kv.get_ttl("k") is None

    async def test_get_ttl_of_missing_key_raises_key_not_found(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        with pytest.raises(prism.KeyNotFoundError):
            await kv.get_ttl("missing")

    async def test_get_ttl_counts_down(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        await kv.set("k", b"v", ttl=1.0)
        first = await kv.get_ttl("k")
        assert first is not None
        assert 0.8 < first <= 1.0 + SLACK
        await self.advance(0.3)
        second = await kv.get_ttl("k")
        assert second is not None
        assert 0 < second <= 0.7 + SLACK
        assert second < first

    async def test_ttl_as_timedelta(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        await kv.set("k", b"v", ttl=timedelta(seconds=TTL))
        remaining = await kv.get_ttl("k")
        assert remaining is not None
        assert 0 < remaining <= TTL + SLACK
        await self.advance(PAST_TTL)
        assert await kv.exists("k") is False
        await kv.set("e", b"v")
        assert await kv.expire("e", timedelta(minutes=1)) is True
        remaining = await kv.get_ttl("e")
        assert remaining is not None
        assert 50 < remaining <= 60 + SLACK

    async def test_expire_existing_key(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        await kv.set("k", b"v")
        assert await kv.expire("k", TTL) is True
        remaining = await kv.get_ttl("k")
        assert remaining is not None
        assert 0 < remaining <= TTL + SLACK
        assert await kv.get("k") == b"v"
        await self.advance(PAST_TTL)
        assert await kv.exists("k") is False

    async def test_expire_replaces_an_existing_ttl(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        await kv.set("longer", b"v", ttl=TTL)
        await kv.set("shorter", b"v", ttl=60)
        assert await kv.expire("longer", 60) is True
        assert await kv.expire("shorter", TTL) is True
        await self.advance(PAST_TTL)
        assert await kv.get("longer") == b"v"
        assert await kv.exists("shorter") is False

    async def test_expire_missing_key_returns_false_and_creates_nothing(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        assert await kv.expire("missing", 10) is False
        assert await kv.exists("missing") is False

    async def test_persist_removes_expiry(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        await kv.set("k", b"v", ttl=TTL)
        assert await kv.persist("k") is True
        assert await kv.get_ttl("k") is None
        await self.advance(PAST_TTL)
        assert await kv.get("k") == b"v"
        assert await kv.persist("k") is False

    async def test_persist_without_expiry_or_key_returns_false(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        await kv.set("k", b"v")
        assert await kv.persist("k") is False
        assert await kv.persist("missing") is False
        assert await kv.exists("missing") is False

    async def test_plain_set_clears_the_ttl(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        await kv.set("k", b"first", ttl=TTL)
        await kv.set("k", b"second")
        assert await kv.get_ttl("k") is None
        await self.advance(PAST_TTL)
        assert await kv.get("k") == b"second"

    async def test_set_with_ttl_replaces_the_ttl(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        await kv.set("gains", b"1")
        await kv.set("gains", b"2", ttl=TTL)
        await kv.set("extended", b"1", ttl=TTL)
        await kv.set("extended", b"2", ttl=60)
        await self.advance(PAST_TTL)
        assert await kv.exists("gains") is False
        assert await kv.get("extended") == b"2"

    async def test_key_set_again_after_expiry_has_no_old_expiry(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        await kv.set("k", b"1", ttl=TTL)
        await self.advance(PAST_TTL)
        await kv.set("k", b"2")
        assert await kv.get_ttl("k") is None
        await self.advance(PAST_TTL)
        assert await kv.get("k") == b"2"

    async def test_concurrent_expiring_and_lasting_sets(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        await run_concurrently_async(
            [
                functools.partial(kv.set, f"k{i}", b"v", ttl=TTL if i % 2 else None)
                for i in range(50)
            ]
        )
        await self.advance(PAST_TTL)
        for i in range(50):
            assert await kv.exists(f"k{i}") is (i % 2 == 0), f"k{i}"

    @pytest.mark.parametrize("ttl", BAD_TTLS)
    async def test_bad_ttl_rejected_before_any_write(self, ttl: Any) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.set("new", b"v", ttl=ttl)
        assert await kv.exists("new") is False
        await kv.set("old", b"old")
        with pytest.raises(prism.InvalidArgumentError):
            await kv.set("old", b"new", ttl=ttl)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.expire("old", ttl)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.expire("missing", ttl)
        assert await kv.get("old") == b"old"
        assert await kv.get_ttl("old") is None

    async def test_expire_requires_a_ttl(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        await kv.set("k", b"v", ttl=60)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.expire("k", None)  # type: ignore[arg-type]
        remaining = await kv.get_ttl("k")
        assert remaining is not None
        assert remaining > 50

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: Any) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTTL)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.set(key, b"v", ttl=10)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.expire(key, 10)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.get_ttl(key)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.persist(key)


class _Boom(Exception):
    """Raised inside a transaction's with-block by the tests."""


async def _raise_inside(tx: AsyncTransaction, exc: Exception) -> None:
    async with tx:
        raise exc


class AsyncKeyValueTransactionalSuite(_KeyValueSuite, interface="keyvalue_transactional"):
    """All-or-nothing multi-key transactions, isolated until commit, never losing an update."""

    async def test_commit_applies_every_write(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        await kv.set("doomed", b"x")
        await kv.set("replaced", b"old")
        tx = kv.begin()
        await tx.set("a", b"1")
        await tx.set("b", b"2")
        await tx.set("replaced", b"new")
        assert await tx.delete("doomed") is True
        await tx.commit()
        assert await kv.get("a") == b"1"
        assert await kv.get("b") == b"2"
        assert await kv.get("replaced") == b"new"
        assert await kv.exists("doomed") is False

    async def test_with_block_commits_on_normal_exit(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        await kv.set("doomed", b"x")
        async with kv.begin() as tx:
            await tx.set("a", b"1")
            await tx.set("b", b"2")
            await tx.delete("doomed")
        assert await kv.get("a") == b"1"
        assert await kv.get("b") == b"2"
        assert await kv.exists("doomed") is False

    async def test_rollback_applies_nothing(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        await kv.set("kept", b"old")
        await kv.set("survivor", b"here")
        tx = kv.begin()
        await tx.set("a", b"1")
        await tx.set("kept", b"new")
        await tx.delete("survivor")
        await tx.rollback()
        assert await kv.exists("a") is False
        assert await kv.get("kept") == b"old"
        assert await kv.get("survivor") == b"here"

    async def test_exception_in_with_block_applies_nothing(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        await kv.set("kept", b"old")
        await kv.set("survivor", b"here")
        boom = _Boom("boom")

        async def fail_halfway() -> None:
            async with kv.begin() as tx:
                await tx.set("a", b"1")
                await tx.set("kept", b"new")
                await tx.delete("survivor")
                raise boom

        with pytest.raises(_Boom) as info:
            await fail_halfway()
        assert info.value is boom
        assert await kv.exists("a") is False
        assert await kv.get("kept") == b"old"
        assert await kv.get("survivor") == b"here"

    async def test_reads_see_own_writes(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        await kv.set("outside", b"committed")
        await kv.set("doomed", b"x")
        async with kv.begin() as tx:
            assert await tx.get("outside") == b"committed"
            await tx.set("outside", b"mine")
            assert await tx.get("outside") == b"mine"
            await tx.set("fresh", b"1")
            assert await tx.get("fresh") == b"1"
            await tx.set("fresh", b"2")
            assert await tx.get("fresh") == b"2"
            assert await tx.delete("doomed") is True
            with pytest.raises(prism.KeyNotFoundError):
                await tx.get("doomed")
            assert await tx.delete("doomed") is False
            await tx.set("doomed", b"back")
            assert await tx.get("doomed") == b"back"
        assert await kv.get("outside") == b"mine"
        assert await kv.get("fresh") == b"2"
        assert await kv.get("doomed") == b"back"

    async def test_delete_inside_transaction(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        await kv.set("present", b"x")
        async with kv.begin() as tx:
            assert await tx.delete("present") is True
            assert await tx.delete("missing") is False
            await tx.set("created", b"y")
            assert await tx.delete("created") is True
        assert await kv.exists("present") is False
        assert await kv.exists("missing") is False
        assert await kv.exists("created") is False

    async def test_conflict_on_a_key_only_read(self) -> None:
        # The transaction reads "a" and writes only "b"; another client changes "a" before the
        # commit, so "b" was computed from a stale read.
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        await kv.set("a", b"1")
        tx = kv.begin()
        doubled = int(await tx.get("a")) * 2
        await tx.set("b", str(doubled).encode())
        await kv.set("a", b"5")
        with pytest.raises(prism.ConflictError):
            await tx.commit()
        assert await kv.exists("b") is False
        assert await kv.get("a") == b"5"

    async def test_conflict_on_a_key_only_written(self) -> None:
        # The transaction writes "a" without reading it; another client writes "a" (and only
        # "a") after the transaction first touched it: the commit must not silently overwrite.
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        tx = kv.begin()
        await tx.set("a", b"mine")
        await tx.set("c", b"mine")
        await kv.set("a", b"theirs")
        with pytest.raises(prism.ConflictError):
            await tx.commit()
        assert await kv.get("a") == b"theirs"
        assert await kv.exists("c") is False

    async def test_conflict_on_a_key_deleted_by_the_other_party(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        await kv.set("a", b"1")
        await kv.set("b", b"1")
        tx = kv.begin()
        assert await tx.get("a") == b"1"
        await tx.set("b", b"2")
        await kv.delete("a")
        with pytest.raises(prism.ConflictError):
            await tx.commit()
        assert await kv.get("b") == b"1"

    async def test_get_missing_inside_transaction_raises_key_not_found(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        async with kv.begin() as tx:
            with pytest.raises(prism.KeyNotFoundError):
                await tx.get("missing")
            assert await tx.delete("missing") is False
        assert await kv.exists("missing") is False

    async def test_other_clients_do_not_see_uncommitted_writes(self) -> None:
        name = self.target.fresh_name()
        kv = await self.kv(name)
        other = await self.kv(name)
        assert isinstance(kv, AsyncKeyValueTransactional)
        await kv.set("changed", b"old")
        await kv.set("deleted", b"here")
        tx = kv.begin()
        await tx.set("changed", b"new")
        await tx.set("created", b"new")
        await tx.delete("deleted")
        for client in (kv, other):
            assert await client.get("changed") == b"old"
            assert await client.exists("created") is False
            assert await client.get("deleted") == b"here"
        await tx.commit()
        for client in (kv, other):
            assert await client.get("changed") == b"new"
            assert await client.get("created") == b"new"
            assert await client.exists("deleted") is False

    async def test_two_racing_transactions_never_lose_an_update(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        await kv.set("counter", b"0")

        async def increment_once() -> bool:
            try:
                async with kv.begin() as tx:
                    value = int(await tx.get("counter"))
                    await _let_others_run()
                    await tx.set("counter", str(value + 1).encode())
            except prism.ConflictError:
                return False
            return True

        committed = await run_concurrently_async([increment_once, increment_once])
        assert any(committed), "neither transaction committed"
        # Both commit only if the backend serialised them; then both increments count.
        assert await kv.get("counter") == str(sum(committed)).encode()

    async def test_concurrent_increment_transactions_count_exactly(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        workers = 20
        await kv.set("a", b"0")
        await kv.set("b", b"0")

        async def increment() -> int:
            for attempt in range(1000):
                try:
                    async with kv.begin() as tx:
                        a = int(await tx.get("a"))
                        b = int(await tx.get("b"))
                        await _let_others_run()
                        await tx.set("a", str(a + 1).encode())
                        await tx.set("b", str(b + 1).encode())
                except prism.ConflictError:
                    await _let_others_run()
                    continue
                return attempt
            pytest.fail("a transaction kept conflicting for 1000 attempts")

        await run_concurrently_async([increment] * workers)
        assert await kv.get("a") == str(workers).encode()
        assert await kv.get("b") == str(workers).encode()

    @pytest.mark.parametrize("ending", ["commit", "rollback", "with-block", "exception"])
    async def test_finished_transaction_refuses_reuse(self, ending: str) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        tx = kv.begin()
        await tx.set("k", b"v")
        if ending == "commit":
            await tx.commit()
        elif ending == "rollback":
            await tx.rollback()
        elif ending == "with-block":
            async with tx:
                pass
        else:
            with pytest.raises(_Boom):
                await _raise_inside(tx, _Boom())
        committed = ending in ("commit", "with-block")
        with pytest.raises(prism.InvalidArgumentError):
            await tx.get("k")
        with pytest.raises(prism.InvalidArgumentError):
            await tx.set("k", b"again")
        with pytest.raises(prism.InvalidArgumentError):
            await tx.delete("k")
        with pytest.raises(prism.InvalidArgumentError):
            await tx.commit()
        assert await kv.exists("k") is committed
        if committed:
            assert await kv.get("k") == b"v"

    async def test_empty_transaction_commits_nothing(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        await kv.set("k", b"v")
        async with kv.begin():
            pass
        async with kv.begin() as tx:
            assert await tx.get("k") == b"v"
        assert await kv.get("k") == b"v"

    @pytest.mark.parametrize("value", BINARY_VALUES)
    async def test_binary_values_round_trip(self, value: bytes) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        async with kv.begin() as tx:
            await tx.set("bin", value)
            assert await tx.get("bin") == value
        assert await kv.get("bin") == value

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_key_rejected_and_nothing_buffered(self, key: Any) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        async with kv.begin() as tx:
            await tx.set("good", b"1")
            with pytest.raises(prism.InvalidArgumentError):
                await tx.set(key, b"v")
            with pytest.raises(prism.InvalidArgumentError):
                await tx.get(key)
            with pytest.raises(prism.InvalidArgumentError):
                await tx.delete(key)
        assert await kv.get("good") == b"1"

    @pytest.mark.parametrize("value", BAD_VALUES)
    async def test_bad_value_rejected_and_nothing_buffered(self, value: Any) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueTransactional)
        await kv.set("k", b"old")
        async with kv.begin() as tx:
            with pytest.raises(prism.InvalidArgumentError):
                await tx.set("k", value)
            assert await tx.get("k") == b"old"
        assert await kv.get("k") == b"old"

    async def test_transactions_stay_in_their_namespace(self) -> None:
        a = await self.kv()
        b = await self.kv()
        assert isinstance(a, AsyncKeyValueTransactional)
        await b.set("k", b"b's")
        async with a.begin() as tx:
            await tx.set("k", b"a's")
            await tx.set("only-a", b"1")
        assert await b.get("k") == b"b's"
        assert await b.exists("only-a") is False
        assert await a.get("k") == b"a's"


class AsyncKeyValueBatchSuite(_KeyValueSuite, interface="keyvalue_batch"):
    """Many keys per call; a bad key or value anywhere rejects the whole batch."""

    async def test_set_many_then_get_many(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        items = {f"k{i}": f"v{i}".encode() for i in range(20)}
        await kv.set_many(items)
        assert await kv.get_many(list(items)) == items
        assert await kv.get("k7") == b"v7"

    async def test_set_many_overwrites(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        await kv.set("a", b"old")
        await kv.set_many({"a": b"new", "b": b"2"})
        assert await kv.get_many(["a", "b"]) == {"a": b"new", "b": b"2"}

    async def test_get_many_omits_missing_keys(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        await kv.set_many({"a": b"1", "c": b"3"})
        assert await kv.get_many(["a", "b", "c", "d"]) == {"a": b"1", "c": b"3"}
        assert await kv.get_many(["nothing", "here"]) == {}
        await kv.delete("c")
        assert await kv.get_many(["a", "c"]) == {"a": b"1"}

    async def test_delete_many_returns_how_many_existed(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        await kv.set_many({"a": b"1", "b": b"2", "c": b"3", "keep": b"4"})
        assert await kv.delete_many(["a", "b", "missing", "c"]) == 3
        assert await kv.get_many(["a", "b", "c", "keep"]) == {"keep": b"4"}
        assert await kv.delete_many(["a", "b", "missing"]) == 0
        assert await kv.delete_many(["keep", "keep"]) == 1
        assert await kv.exists("keep") is False

    async def test_unsorted_and_repeated_keys(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        await kv.set_many({"m": b"13", "b": b"2", "z": b"26", "a": b"1"})
        wanted = ["z", "missing", "b", "z", "a", "b", "0"]
        assert await kv.get_many(wanted) == {"z": b"26", "b": b"2", "a": b"1"}
        assert await kv.get_many(["b", "a"]) == {"b": b"2", "a": b"1"}
        assert await kv.delete_many(["z", "b", "nope", "z", "b", "b"]) == 2
        assert await kv.get_many(["z", "m", "b", "a"]) == {"m": b"13", "a": b"1"}

    async def test_set_many_clears_an_existing_expiry(self) -> None:
        # Like Redis SET (and MSET): a plain write replaces the key, expiry included.
        if not self.declares("keyvalue_ttl"):
            pytest.skip("the backend does not declare keyvalue_ttl")
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        assert isinstance(kv, AsyncKeyValueTTL)
        await kv.set("expiring", b"old", ttl=TTL)
        await kv.set("other", b"old", ttl=TTL)
        await kv.set_many({"expiring": b"new", "fresh": b"new"})
        assert await kv.get_ttl("expiring") is None
        assert await kv.get_ttl("fresh") is None
        await self.advance(PAST_TTL)
        assert await kv.get_many(["other", "fresh", "expiring"]) == {
            "expiring": b"new",
            "fresh": b"new",
        }

    @pytest.mark.prism_stress
    async def test_10000_key_batch(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        items = {f"bulk:{i:05d}": f"value-{i}".encode() for i in range(10_000)}
        await kv.set_many(items)
        assert await kv.get_many(list(items)) == items
        if isinstance(kv, AsyncKeyValueScan):
            assert await kv.count("bulk:") == 10_000
        assert await kv.delete_many(list(items)) == 10_000
        assert await kv.get_many(list(items)) == {}

    async def test_empty_batch_is_a_noop(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        await kv.set("keep", b"v")
        await kv.set_many({})
        assert await kv.get_many([]) == {}
        assert await kv.delete_many([]) == 0
        assert await kv.get("keep") == b"v"

    async def test_keys_may_be_any_iterable(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        await kv.set_many({"a": b"1", "b": b"2", "c": b"3"})
        want = {"a": b"1", "b": b"2"}
        assert await kv.get_many(("a", "b", "zz")) == want
        assert await kv.get_many({"a", "b", "zz"}) == want
        assert await kv.get_many(dict.fromkeys(["a", "b", "zz"]).keys()) == want
        assert await kv.get_many(k for k in ["a", "b", "zz"]) == want
        assert await kv.delete_many(k for k in ["a", "zz"]) == 1
        assert await kv.delete_many(iter(["b"])) == 1
        assert await kv.get_many(["a", "b", "c"]) == {"c": b"3"}

    @pytest.mark.parametrize("value", BINARY_VALUES)
    async def test_binary_values_round_trip(self, value: bytes) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        await kv.set_many({"bin": value, "other": b"x"})
        assert await kv.get_many(["bin"]) == {"bin": value}

    async def test_unicode_keys(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        items = {key: key.encode() for key in UNICODE_KEYS}
        await kv.set_many(items)
        assert await kv.get_many(UNICODE_KEYS) == items
        assert await kv.delete_many(UNICODE_KEYS) == len(UNICODE_KEYS)

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_key_anywhere_rejects_the_whole_batch(self, key: Any) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        for items in ({key: b"x", "good:1": b"1"}, {"good:1": b"1", "good:2": b"2", key: b"x"}):
            with pytest.raises(prism.InvalidArgumentError):
                await kv.set_many(items)
        assert await kv.get_many(["good:1", "good:2"]) == {}
        await kv.set_many({"good:1": b"1", "good:2": b"2"})
        with pytest.raises(prism.InvalidArgumentError):
            await kv.get_many(["good:1", key])
        with pytest.raises(prism.InvalidArgumentError):
            await kv.delete_many(["good:1", "good:2", key])
        with pytest.raises(prism.InvalidArgumentError):
            await kv.delete_many([key, "good:1"])
        assert await kv.get_many(["good:1", "good:2"]) == {"good:1": b"1", "good:2": b"2"}

    @pytest.mark.parametrize("value", BAD_VALUES)
    async def test_bad_value_anywhere_rejects_the_whole_batch(self, value: Any) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        await kv.set("good:1", b"old")
        for items in (
            {"bad": value, "good:1": b"1"},
            {"good:1": b"1", "good:2": b"2", "bad": value},
        ):
            with pytest.raises(prism.InvalidArgumentError):
                await kv.set_many(items)
        assert await kv.get_many(["good:1", "good:2", "bad"]) == {"good:1": b"old"}

    async def test_value_over_the_declared_limit_rejects_the_whole_batch(self) -> None:
        limit = self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        with pytest.raises(prism.ValueTooLargeError):
            await kv.set_many({"small": b"1", "big": b"\x00" * (limit + 1)})
        assert await kv.get_many(["small", "big"]) == {}

    @pytest.mark.parametrize(
        ("method", "argument"),
        [
            pytest.param("set_many", [("a", b"1")], id="set_many-pairs"),
            pytest.param("set_many", None, id="set_many-none"),
            pytest.param("get_many", "ab", id="get_many-str"),
            pytest.param("get_many", 3, id="get_many-int"),
            pytest.param("delete_many", "ab", id="delete_many-str"),
            pytest.param("delete_many", None, id="delete_many-none"),
        ],
    )
    async def test_wrong_container_rejected(self, method: str, argument: Any) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        await kv.set("b", b"kept")
        call = getattr(kv, method)
        with pytest.raises(prism.InvalidArgumentError):
            await call(argument)
        assert await kv.exists("a") is False
        assert await kv.get("b") == b"kept"

    async def test_concurrent_batches_all_land_and_deletes_count_each_key_once(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueBatch)
        batches = [{f"k{b}:{i}": f"{b}:{i}".encode() for i in range(50)} for b in range(20)]
        await run_concurrently_async([functools.partial(kv.set_many, batch) for batch in batches])
        everything = {k: v for batch in batches for k, v in batch.items()}
        assert await kv.get_many(list(everything)) == everything
        counts = await run_concurrently_async(
            [functools.partial(kv.delete_many, list(everything)) for _ in range(10)]
        )
        assert sum(counts) == len(everything)
        assert await kv.get_many(list(everything)) == {}

    async def test_batches_stay_in_their_namespace(self) -> None:
        a = await self.kv()
        b = await self.kv()
        assert isinstance(a, AsyncKeyValueBatch)
        assert isinstance(b, AsyncKeyValueBatch)
        await a.set_many({"k": b"a", "only-a": b"1"})
        await b.set_many({"k": b"b"})
        assert await b.get_many(["k", "only-a"]) == {"k": b"b"}
        assert await b.delete_many(["k", "only-a"]) == 1
        assert await a.get_many(["k", "only-a"]) == {"k": b"a", "only-a": b"1"}


class AsyncKeyValueCASSuite(_KeyValueSuite, interface="keyvalue_cas"):
    """Compare-and-swap and compare-and-delete, linearizable per key."""

    async def test_swap_when_expected_matches(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        await kv.set("k", b"old")
        assert await kv.compare_and_swap("k", b"old", b"new") is True
        assert await kv.get("k") == b"new"

    async def test_refuse_when_expected_differs_and_leave_the_value(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        await kv.set("k", b"current")
        assert await kv.compare_and_swap("k", b"stale", b"new") is False
        assert await kv.compare_and_swap("k", b"curren", b"new") is False
        assert await kv.compare_and_swap("k", None, b"new") is False
        assert await kv.get("k") == b"current"

    async def test_expected_none_creates_only_if_absent(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        assert await kv.compare_and_swap("k", None, b"first") is True
        assert await kv.get("k") == b"first"
        assert await kv.compare_and_swap("k", None, b"second") is False
        assert await kv.get("k") == b"first"
        await kv.delete("k")
        assert await kv.compare_and_swap("k", None, b"third") is True
        assert await kv.get("k") == b"third"

    async def test_expected_value_on_a_missing_key_is_refused(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        assert await kv.compare_and_swap("missing", b"anything", b"new") is False
        assert await kv.compare_and_swap("missing", b"", b"new") is False
        assert await kv.exists("missing") is False

    async def test_empty_value_is_present_not_absent(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        await kv.set("k", b"")
        assert await kv.compare_and_swap("k", None, b"x") is False
        assert await kv.get("k") == b""
        assert await kv.compare_and_swap("k", b"", b"x") is True
        assert await kv.get("k") == b"x"
        await kv.set("e", b"")
        assert await kv.compare_and_delete("e", b"") is True
        assert await kv.exists("e") is False

    async def test_swap_after_delete_and_recreate_compares_values(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        await kv.set("k", b"a")
        await kv.delete("k")
        assert await kv.compare_and_swap("k", b"a", b"b") is False
        assert await kv.exists("k") is False

    async def test_compare_and_delete_when_matching(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        await kv.set("k", b"v")
        assert await kv.compare_and_delete("k", b"v") is True
        assert await kv.exists("k") is False
        assert await kv.compare_and_delete("k", b"v") is False

    async def test_compare_and_delete_refused_when_differs(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        await kv.set("k", b"v")
        assert await kv.compare_and_delete("k", b"other") is False
        assert await kv.compare_and_delete("k", b"") is False
        assert await kv.get("k") == b"v"
        assert await kv.compare_and_delete("missing", b"v") is False

    @pytest.mark.prism_stress
    async def test_20_concurrent_increment_loops_of_50_make_exactly_1000(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        loops, increments = 20, 50
        await kv.set("counter", b"0")

        async def increment_loop() -> int:
            refused = 0
            for _ in range(increments):
                while True:
                    current = await kv.get("counter")
                    await _let_others_run()
                    new = str(int(current) + 1).encode()
                    if await kv.compare_and_swap("counter", current, new):
                        break
                    refused += 1
                    if refused > 100 * loops * increments:
                        pytest.fail("compare_and_swap kept refusing")
            return refused

        await run_concurrently_async([increment_loop] * loops)
        assert await kv.get("counter") == str(loops * increments).encode()

    async def test_concurrent_create_if_absent_has_one_winner(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        values = [f"v{i}".encode() for i in range(20)]
        won = await run_concurrently_async(
            [functools.partial(kv.compare_and_swap, "k", None, v) for v in values]
        )
        assert sum(won) == 1
        assert await kv.get("k") == values[won.index(True)]

    async def test_concurrent_compare_and_delete_has_one_winner(self) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        await kv.set("k", b"v")
        won = await run_concurrently_async(
            [functools.partial(kv.compare_and_delete, "k", b"v") for _ in range(20)]
        )
        assert sum(won) == 1
        assert await kv.exists("k") is False

    async def test_swap_clears_expiry(self) -> None:
        if not self.declares("keyvalue_ttl"):
            pytest.skip("the backend does not declare keyvalue_ttl")
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        assert isinstance(kv, AsyncKeyValueTTL)
        await kv.set("k", b"old", ttl=TTL)
        assert await kv.compare_and_swap("k", b"old", b"new") is True
        assert await kv.get_ttl("k") is None
        await self.advance(PAST_TTL)
        assert await kv.get("k") == b"new"

    @pytest.mark.parametrize("value", BINARY_VALUES)
    async def test_binary_values(self, value: bytes) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        other = value[1:] + b"!"  # differs from value, and is no longer (size limits)
        assert await kv.compare_and_swap("bin", None, value) is True
        assert await kv.compare_and_swap("bin", other, b"x") is False
        assert await kv.compare_and_swap("bin", value, other) is True
        assert await kv.get("bin") == other
        assert await kv.compare_and_delete("bin", value) is False
        assert await kv.compare_and_delete("bin", other) is True

    @pytest.mark.parametrize("value", BAD_VALUES)
    async def test_bad_values_rejected_before_io(self, value: Any) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        await kv.set("k", b"v")
        with pytest.raises(prism.InvalidArgumentError):
            await kv.compare_and_swap("k", b"v", value)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.compare_and_swap("fresh", None, value)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.compare_and_delete("k", value)
        if value is not None:
            with pytest.raises(prism.InvalidArgumentError):
                await kv.compare_and_swap("k", value, b"new")
        assert await kv.get("k") == b"v"
        assert await kv.exists("fresh") is False

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: Any) -> None:
        kv = await self.kv()
        assert isinstance(kv, AsyncKeyValueCAS)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.compare_and_swap(key, None, b"v")
        with pytest.raises(prism.InvalidArgumentError):
            await kv.compare_and_delete(key, b"v")


# ===== hostile names (issue 8, security) ====================================================
# Kept apart from the cases above: each class extends its interface's suite and takes over its
# registration, so every backend runs these too.

from prism.testing._hostile import HOSTILE_NAMES


class AsyncKeyValueBasicHostileSuite(AsyncKeyValueBasicSuite, interface="keyvalue_basic"):
    async def test_hostile_keys_are_stored_apart(self) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        other = await self.facet(AsyncKeyValueBasic)
        for key in HOSTILE_NAMES:
            await kv.set(key, key.encode())
        for key in HOSTILE_NAMES:
            assert await kv.get(key) == key.encode()
            assert await kv.exists(key)
            assert not await other.exists(key)
        for key in HOSTILE_NAMES[::2]:
            assert await kv.delete(key)
        for i, key in enumerate(HOSTILE_NAMES):
            assert await kv.exists(key) is (i % 2 == 1)


class AsyncKeyValueScanHostileSuite(AsyncKeyValueScanSuite, interface="keyvalue_scan"):
    async def test_hostile_prefixes_match_literally(self) -> None:
        kv = await self.facet(AsyncKeyValueScan)
        assert isinstance(kv, AsyncKeyValueBasic)
        keys = [f"{name}{suffix}" for name in HOSTILE_NAMES for suffix in ("", "/x")]
        keys += ["plain", "a", "x", "ab", "%%", "__"]
        for key in keys:
            await kv.set(key, b"v")
        for prefix in [*HOSTILE_NAMES, "%", "_", "*", "?", "[", "\\", "'"]:
            want = sorted(k for k in keys if k.startswith(prefix))
            assert sorted(await _drain(kv.scan_keys(prefix))) == want, prefix
            assert sorted(k for k, _ in await _drain(kv.scan(prefix))) == want, prefix
            assert await kv.count(prefix) == len(want), prefix
