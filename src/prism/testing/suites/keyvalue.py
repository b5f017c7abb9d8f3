# Generated from src/prism/testing/suites/_async/keyvalue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Compliance suites for the keyvalue interfaces."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, TypeVar

import pytest

import prism
from prism._compat import sleep
from prism.interfaces.keyvalue import (
    KeyValueBasic,
    KeyValueBatch,
    KeyValueCAS,
    KeyValueScan,
    KeyValueTransactional,
    KeyValueTTL,
    Transaction,
)
from prism.testing._concurrency import run_concurrently
from prism.testing.suite import Suite

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


def _let_others_run() -> None:
    """A scheduling point, not a wait: lets concurrent threads interleave here, so the
    race the test is about really happens even on a backend whose calls never suspend."""
    sleep(0)


def _drain(items: Iterator[T], most: int = 100_000) -> list[T]:
    """Everything a scan yields; fails once it passes ``most`` items (a scan that never ends)."""
    found: list[T] = []
    for item in items:
        found.append(item)
        if len(found) > most:
            pytest.fail(f"the scan yielded more than {most} items")
    return found


class _KeyValueSuite(Suite):
    """What the keyvalue suites share; names no interface, so it is not a suite itself."""

    def kv(self, name: str | None = None) -> KeyValueBasic:
        """The keyvalue facet of a fresh namespace (or of namespace ``name``), checked to
        implement keyvalue_basic and this suite's interface."""
        namespace = self.open(name)
        facet = namespace.facet("keyvalue")
        assert isinstance(facet, KeyValueBasic), f"{facet!r} lacks keyvalue_basic"
        implemented = type(facet).implemented_interfaces()
        assert self.interface in implemented, f"{facet!r} does not implement {self.interface}"
        return facet


class KeyValueBasicSuite(_KeyValueSuite, interface="keyvalue_basic"):
    """RFC-015's ten keyvalue_basic cases, plus the shared conventions."""

    def test_set_then_get(self) -> None:
        kv = self.kv()
        kv.set("user:1", b"alice")
        assert kv.get("user:1") == b"alice"

    def test_get_missing_raises_key_not_found(self) -> None:
        kv = self.kv()
        with pytest.raises(prism.KeyNotFoundError) as info:
            kv.get("missing")
        assert isinstance(info.value, KeyError)
        assert isinstance(info.value, prism.NotFoundError)

    def test_delete_existing_returns_true(self) -> None:
        kv = self.kv()
        kv.set("k", b"v")
        assert kv.delete("k") is True
        assert kv.exists("k") is False

    def test_delete_missing_returns_false(self) -> None:
        kv = self.kv()
        assert kv.delete("never-set") is False

    def test_exists(self) -> None:
        kv = self.kv()
        kv.set("k", b"v")
        assert kv.exists("k") is True

    def test_exists_missing_is_false(self) -> None:
        kv = self.kv()
        assert kv.exists("missing") is False

    def test_lifecycle(self) -> None:
        kv = self.kv()
        kv.set("k", b"1")
        assert kv.get("k") == b"1"
        assert kv.delete("k") is True
        with pytest.raises(prism.KeyNotFoundError):
            kv.get("k")
        kv.set("k", b"2")
        assert kv.get("k") == b"2"

    def test_overwrite(self) -> None:
        kv = self.kv()
        kv.set("k", b"first")
        kv.set("k", b"second")
        assert kv.get("k") == b"second"

    def test_100_concurrent_sets_all_land(self) -> None:
        kv = self.kv()
        run_concurrently(
            [functools.partial(kv.set, f"key:{i}", str(i).encode()) for i in range(100)]
        )
        for i in range(100):
            assert kv.get(f"key:{i}") == str(i).encode()

    def test_concurrent_writers_to_one_key_leave_one_of_their_values(self) -> None:
        kv = self.kv()
        values = {f"v{i}".encode() for i in range(50)}
        run_concurrently([functools.partial(kv.set, "hot", v) for v in values])
        assert kv.get("hot") in values

    @pytest.mark.parametrize("value", BINARY_VALUES)
    def test_binary_values_round_trip(self, value: bytes) -> None:
        kv = self.kv()
        kv.set("bin", value)
        assert kv.get("bin") == value

    def test_value_at_the_declared_limit(self) -> None:
        limit = self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        kv = self.kv()
        kv.set("big", b"\x00" * limit)
        assert len(kv.get("big")) == limit
        with pytest.raises(prism.ValueTooLargeError):
            kv.set("big", b"\x00" * (limit + 1))
        assert len(kv.get("big")) == limit

    @pytest.mark.parametrize("key", UNICODE_KEYS)
    def test_unicode_keys(self, key: str) -> None:
        kv = self.kv()
        kv.set(key, key.encode())
        assert kv.get(key) == key.encode()
        assert kv.exists(key)

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_bad_keys_rejected_before_io(self, key: Any) -> None:
        kv = self.kv()
        with pytest.raises(prism.InvalidArgumentError):
            kv.set(key, b"v")
        with pytest.raises(prism.InvalidArgumentError):
            kv.get(key)
        with pytest.raises(prism.InvalidArgumentError):
            kv.delete(key)
        with pytest.raises(prism.InvalidArgumentError):
            kv.exists(key)

    @pytest.mark.parametrize("value", BAD_VALUES)
    def test_non_bytes_values_rejected(self, value: Any) -> None:
        kv = self.kv()
        with pytest.raises(prism.InvalidArgumentError):
            kv.set("k", value)
        assert kv.exists("k") is False

    def test_namespaces_are_isolated(self) -> None:
        a = self.kv()
        b = self.kv()
        a.set("shared", b"from-a")
        assert b.exists("shared") is False
        b.set("shared", b"from-b")
        assert a.get("shared") == b"from-a"
        assert a.delete("shared") is True
        assert b.get("shared") == b"from-b"

    def test_same_namespace_opened_twice_shares_data(self) -> None:
        name = self.target.fresh_name()
        first = self.kv(name)
        second = self.kv(name)
        first.set("k", b"v")
        assert second.get("k") == b"v"


class KeyValueScanSuite(_KeyValueSuite, interface="keyvalue_scan"):
    """RFC-015's six keyvalue_scan cases, plus completeness and exact prefixes."""

    def _seed(self, kv: KeyValueBasic, keys: list[str]) -> None:
        for key in keys:
            kv.set(key, key.encode())

    def test_scan_all(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueScan)
        keys = [f"k{i}" for i in range(25)]
        self._seed(kv, keys)
        found = dict(_drain(kv.scan()))
        assert found == {k: k.encode() for k in keys}

    def test_scan_prefix_is_exact(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueScan)
        self._seed(kv, ["user:1", "user:2", "user2:1", "use", "admin:1"])
        found = sorted([k for k, _ in _drain(kv.scan("user:"))])
        assert found == ["user:1", "user:2"]

    def test_scan_limit(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueScan)
        self._seed(kv, [f"k{i}" for i in range(20)])
        found = [k for k, _ in _drain(kv.scan(limit=7))]
        assert len(found) == 7
        assert len(set(found)) == 7
        assert len(_drain(kv.scan_keys(limit=7))) == 7

    def test_scan_keys_only(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueScan)
        self._seed(kv, ["a:1", "a:2", "b:1"])
        found = sorted(_drain(kv.scan_keys("a:")))
        assert found == ["a:1", "a:2"]

    def test_count(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueScan)
        self._seed(kv, [f"k{i}" for i in range(12)])
        assert kv.count() == 12

    def test_count_with_prefix(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueScan)
        self._seed(kv, ["x:1", "x:2", "x:3", "y:1", "x"])
        assert kv.count("x:") == 3
        assert kv.count("nothing:") == 0

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
    def test_prefix_metacharacters_match_literally(
        self, prefix: str, literal: list[str], decoys: list[str]
    ) -> None:
        # Every decoy would match if a glob (``*``, ``?``, ``[...]``, ``\\``) or LIKE (``%``,
        # ``_``, ``\\``) metacharacter in the prefix were taken as a pattern.
        kv = self.kv()
        assert isinstance(kv, KeyValueScan)
        self._seed(kv, [*decoys, *literal])
        assert sorted(_drain(kv.scan_keys(prefix))) == sorted(literal)
        assert dict(_drain(kv.scan(prefix))) == {k: k.encode() for k in literal}
        assert kv.count(prefix) == len(literal)

    @pytest.mark.prism_stress
    def test_10000_keys_scanned_completely_without_duplicates(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueScan)
        keys = [f"bulk:{i:05d}" for i in range(10_000)]
        if isinstance(kv, KeyValueBatch):
            for start in range(0, len(keys), 1000):
                kv.set_many(dict.fromkeys(keys[start : start + 1000], b"v"))
        else:
            run_concurrently([functools.partial(kv.set, k, b"v") for k in keys])
        found = _drain(kv.scan_keys("bulk:"))
        assert len(found) == len(keys)
        assert set(found) == set(keys)

    def test_deleted_keys_never_appear(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueScan)
        self._seed(kv, ["d:1", "d:2", "d:3"])
        kv.delete("d:2")
        found = sorted([k for k, _ in _drain(kv.scan("d:"))])
        assert found == ["d:1", "d:3"]
        assert kv.count("d:") == 2

    def test_prefix_matching_nothing_is_empty(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueScan)
        self._seed(kv, ["a"])
        assert _drain(kv.scan_keys("zzz")) == []
        assert _drain(kv.scan("zzz")) == []

    def test_unicode_prefix(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueScan)
        self._seed(kv, ["café:1", "café:2", "cafe:1", "键:1"])
        found = sorted(_drain(kv.scan_keys("café:")))
        assert found == ["café:1", "café:2"]

    def test_scan_never_crosses_namespaces(self) -> None:
        a = self.kv()
        b = self.kv()
        assert isinstance(a, KeyValueScan)
        assert isinstance(b, KeyValueScan)
        self._seed(a, ["p:1", "p:2"])
        self._seed(b, ["p:3"])
        assert sorted(_drain(a.scan_keys("p:"))) == ["p:1", "p:2"]
        assert b.count("p:") == 1

    @pytest.mark.parametrize("prefix", ["a\x00", b"a", 3])
    def test_bad_prefix_rejected(self, prefix: Any) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueScan)
        with pytest.raises(prism.InvalidArgumentError):
            kv.count(prefix)
        with pytest.raises(prism.InvalidArgumentError):
            kv.scan_keys(prefix)
        with pytest.raises(prism.InvalidArgumentError):
            kv.scan(prefix)


class KeyValueTTLSuite(_KeyValueSuite, interface="keyvalue_ttl"):
    """Expiring keys: visible until the TTL passes, invisible to every read at once after it.

    The rule for overwrites, as in Redis ``SET``: a plain ``set`` (no ``ttl``) clears any expiry
    of the key; a ``set`` with ``ttl`` replaces it.
    """

    def test_visible_before_expiry(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        kv.set("k", b"v", ttl=1.0)
        assert kv.get("k") == b"v"
        self.advance(0.5)
        assert kv.get("k") == b"v"
        assert kv.exists("k") is True
        remaining = kv.get_ttl("k")
        assert remaining is not None
        assert 0 < remaining <= 0.5 + SLACK
        if isinstance(kv, KeyValueScan):
            assert _drain(kv.scan_keys()) == ["k"]
            assert kv.count() == 1

    def test_expired_key_invisible_to_point_reads_at_once(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
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
            kv.set(op, b"old", ttl=TTL)
        kv.set("kept", b"kept")
        self.advance(PAST_TTL)

        with pytest.raises(prism.KeyNotFoundError):
            kv.get("get")
        assert kv.exists("exists") is False
        with pytest.raises(prism.KeyNotFoundError):
            kv.get_ttl("get_ttl")
        assert kv.delete("delete") is False
        assert kv.expire("expire", 10) is False
        assert kv.persist("persist") is False
        if isinstance(kv, KeyValueBatch):
            assert kv.get_many(["get_many", "kept"]) == {"kept": b"kept"}
        if isinstance(kv, KeyValueCAS):
            assert kv.compare_and_delete("cas-delete", b"old") is False
            assert kv.compare_and_swap("cas", b"old", b"new") is False
            assert kv.compare_and_swap("cas", None, b"new") is True
            assert kv.get("cas") == b"new"
            assert kv.get_ttl("cas") is None
            ops.remove("cas")
        if isinstance(kv, KeyValueTransactional):
            with kv.begin() as tx:
                with pytest.raises(prism.KeyNotFoundError):
                    tx.get("transaction")
                assert tx.delete("transaction") is False
        for op in ops:
            assert kv.exists(op) is False, f"{op!r} came back"
        assert kv.get("kept") == b"kept"

    def test_expired_key_invisible_to_scan_and_count_at_once(self) -> None:
        if not self.declares("keyvalue_scan"):
            pytest.skip("the backend does not declare keyvalue_scan")
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        assert isinstance(kv, KeyValueScan)
        # One prefix per reader, as above: each reader is the first to meet its expired key.
        for prefix in ("scan:", "keys:", "count:"):
            kv.set(f"{prefix}gone", b"1", ttl=TTL)
            kv.set(f"{prefix}long", b"2", ttl=60)
            kv.set(f"{prefix}kept", b"3")
        self.advance(PAST_TTL)
        assert dict(_drain(kv.scan("scan:"))) == {"scan:long": b"2", "scan:kept": b"3"}
        assert sorted(_drain(kv.scan_keys("keys:"))) == ["keys:kept", "keys:long"]
        assert kv.count("count:") == 2
        assert kv.count() == 6

    def test_key_expires_exactly_at_its_ttl(self) -> None:
        # The rule: a key set with ``ttl`` lives for less than ``ttl`` seconds; at the instant
        # ``ttl`` has passed it is gone, to every read.
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        # "j" first: in real time it then expires no later than "k", so once "k" is gone "j" is
        kv.set("j", b"v", ttl=TTL)
        kv.set("k", b"v", ttl=TTL)
        if not self.has_clock:
            # Real time cannot stop on the instant: poll until the key is gone, soon after it.

            def gone() -> bool:
                return not kv.exists("k")

            self.advance(TTL)
            self.eventually(gone, timeout=2.0)
            with pytest.raises(prism.KeyNotFoundError):
                kv.get("j")
            return
        # Steps of 2**-10 s add exactly to the injected clock's float time.
        self.advance(TTL - 2**-10)
        assert kv.get("k") == b"v"
        self.advance(2**-10)
        assert kv.exists("k") is False
        with pytest.raises(prism.KeyNotFoundError):
            kv.get("j")

    def test_get_ttl_without_expiry_is_none(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        kv.set("k", b"v")
        assert kv.get_ttl("k") is None

    def test_get_ttl_of_missing_key_raises_key_not_found(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        with pytest.raises(prism.KeyNotFoundError):
            kv.get_ttl("missing")

    def test_get_ttl_counts_down(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        kv.set("k", b"v", ttl=1.0)
        first = kv.get_ttl("k")
        assert first is not None
        assert 0.8 < first <= 1.0 + SLACK
        self.advance(0.3)
        second = kv.get_ttl("k")
        assert second is not None
        assert 0 < second <= 0.7 + SLACK
        assert second < first

    def test_ttl_as_timedelta(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        kv.set("k", b"v", ttl=timedelta(seconds=TTL))
        remaining = kv.get_ttl("k")
        assert remaining is not None
        assert 0 < remaining <= TTL + SLACK
        self.advance(PAST_TTL)
        assert kv.exists("k") is False
        kv.set("e", b"v")
        assert kv.expire("e", timedelta(minutes=1)) is True
        remaining = kv.get_ttl("e")
        assert remaining is not None
        assert 50 < remaining <= 60 + SLACK

    def test_expire_existing_key(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        kv.set("k", b"v")
        assert kv.expire("k", TTL) is True
        remaining = kv.get_ttl("k")
        assert remaining is not None
        assert 0 < remaining <= TTL + SLACK
        assert kv.get("k") == b"v"
        self.advance(PAST_TTL)
        assert kv.exists("k") is False

    def test_expire_replaces_an_existing_ttl(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        kv.set("longer", b"v", ttl=TTL)
        kv.set("shorter", b"v", ttl=60)
        assert kv.expire("longer", 60) is True
        assert kv.expire("shorter", TTL) is True
        self.advance(PAST_TTL)
        assert kv.get("longer") == b"v"
        assert kv.exists("shorter") is False

    def test_expire_missing_key_returns_false_and_creates_nothing(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        assert kv.expire("missing", 10) is False
        assert kv.exists("missing") is False

    def test_persist_removes_expiry(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        kv.set("k", b"v", ttl=TTL)
        assert kv.persist("k") is True
        assert kv.get_ttl("k") is None
        self.advance(PAST_TTL)
        assert kv.get("k") == b"v"
        assert kv.persist("k") is False

    def test_persist_without_expiry_or_key_returns_false(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        kv.set("k", b"v")
        assert kv.persist("k") is False
        assert kv.persist("missing") is False
        assert kv.exists("missing") is False

    def test_plain_set_clears_the_ttl(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        kv.set("k", b"first", ttl=TTL)
        kv.set("k", b"second")
        assert kv.get_ttl("k") is None
        self.advance(PAST_TTL)
        assert kv.get("k") == b"second"

    def test_set_with_ttl_replaces_the_ttl(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        kv.set("gains", b"1")
        kv.set("gains", b"2", ttl=TTL)
        kv.set("extended", b"1", ttl=TTL)
        kv.set("extended", b"2", ttl=60)
        self.advance(PAST_TTL)
        assert kv.exists("gains") is False
        assert kv.get("extended") == b"2"

    def test_key_set_again_after_expiry_has_no_old_expiry(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        kv.set("k", b"1", ttl=TTL)
        self.advance(PAST_TTL)
        kv.set("k", b"2")
        assert kv.get_ttl("k") is None
        self.advance(PAST_TTL)
        assert kv.get("k") == b"2"

    def test_concurrent_expiring_and_lasting_sets(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        run_concurrently(
            [
                functools.partial(kv.set, f"k{i}", b"v", ttl=TTL if i % 2 else None)
                for i in range(50)
            ]
        )
        self.advance(PAST_TTL)
        for i in range(50):
            assert kv.exists(f"k{i}") is (i % 2 == 0), f"k{i}"

    @pytest.mark.parametrize("ttl", BAD_TTLS)
    def test_bad_ttl_rejected_before_any_write(self, ttl: Any) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        with pytest.raises(prism.InvalidArgumentError):
            kv.set("new", b"v", ttl=ttl)
        assert kv.exists("new") is False
        kv.set("old", b"old")
        with pytest.raises(prism.InvalidArgumentError):
            kv.set("old", b"new", ttl=ttl)
        with pytest.raises(prism.InvalidArgumentError):
            kv.expire("old", ttl)
        with pytest.raises(prism.InvalidArgumentError):
            kv.expire("missing", ttl)
        assert kv.get("old") == b"old"
        assert kv.get_ttl("old") is None

    def test_expire_requires_a_ttl(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        kv.set("k", b"v", ttl=60)
        with pytest.raises(prism.InvalidArgumentError):
            kv.expire("k", None)  # type: ignore[arg-type]
        remaining = kv.get_ttl("k")
        assert remaining is not None
        assert remaining > 50

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_bad_keys_rejected_before_io(self, key: Any) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTTL)
        with pytest.raises(prism.InvalidArgumentError):
            kv.set(key, b"v", ttl=10)
        with pytest.raises(prism.InvalidArgumentError):
            kv.expire(key, 10)
        with pytest.raises(prism.InvalidArgumentError):
            kv.get_ttl(key)
        with pytest.raises(prism.InvalidArgumentError):
            kv.persist(key)


class _Boom(Exception):
    """Raised inside a transaction's with-block by the tests."""


def _raise_inside(tx: Transaction, exc: Exception) -> None:
    with tx:
        raise exc


class KeyValueTransactionalSuite(_KeyValueSuite, interface="keyvalue_transactional"):
    """All-or-nothing multi-key transactions, isolated until commit, never losing an update."""

    def test_commit_applies_every_write(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        kv.set("doomed", b"x")
        kv.set("replaced", b"old")
        tx = kv.begin()
        tx.set("a", b"1")
        tx.set("b", b"2")
        tx.set("replaced", b"new")
        assert tx.delete("doomed") is True
        tx.commit()
        assert kv.get("a") == b"1"
        assert kv.get("b") == b"2"
        assert kv.get("replaced") == b"new"
        assert kv.exists("doomed") is False

    def test_with_block_commits_on_normal_exit(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        kv.set("doomed", b"x")
        with kv.begin() as tx:
            tx.set("a", b"1")
            tx.set("b", b"2")
            tx.delete("doomed")
        assert kv.get("a") == b"1"
        assert kv.get("b") == b"2"
        assert kv.exists("doomed") is False

    def test_rollback_applies_nothing(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        kv.set("kept", b"old")
        kv.set("survivor", b"here")
        tx = kv.begin()
        tx.set("a", b"1")
        tx.set("kept", b"new")
        tx.delete("survivor")
        tx.rollback()
        assert kv.exists("a") is False
        assert kv.get("kept") == b"old"
        assert kv.get("survivor") == b"here"

    def test_exception_in_with_block_applies_nothing(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        kv.set("kept", b"old")
        kv.set("survivor", b"here")
        boom = _Boom("boom")

        def fail_halfway() -> None:
            with kv.begin() as tx:
                tx.set("a", b"1")
                tx.set("kept", b"new")
                tx.delete("survivor")
                raise boom

        with pytest.raises(_Boom) as info:
            fail_halfway()
        assert info.value is boom
        assert kv.exists("a") is False
        assert kv.get("kept") == b"old"
        assert kv.get("survivor") == b"here"

    def test_reads_see_own_writes(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        kv.set("outside", b"committed")
        kv.set("doomed", b"x")
        with kv.begin() as tx:
            assert tx.get("outside") == b"committed"
            tx.set("outside", b"mine")
            assert tx.get("outside") == b"mine"
            tx.set("fresh", b"1")
            assert tx.get("fresh") == b"1"
            tx.set("fresh", b"2")
            assert tx.get("fresh") == b"2"
            assert tx.delete("doomed") is True
            with pytest.raises(prism.KeyNotFoundError):
                tx.get("doomed")
            assert tx.delete("doomed") is False
            tx.set("doomed", b"back")
            assert tx.get("doomed") == b"back"
        assert kv.get("outside") == b"mine"
        assert kv.get("fresh") == b"2"
        assert kv.get("doomed") == b"back"

    def test_delete_inside_transaction(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        kv.set("present", b"x")
        with kv.begin() as tx:
            assert tx.delete("present") is True
            assert tx.delete("missing") is False
            tx.set("created", b"y")
            assert tx.delete("created") is True
        assert kv.exists("present") is False
        assert kv.exists("missing") is False
        assert kv.exists("created") is False

    def test_conflict_on_a_key_only_read(self) -> None:
        # The transaction reads "a" and writes only "b"; another client changes "a" before the
        # commit, so "b" was computed from a stale read.
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        kv.set("a", b"1")
        tx = kv.begin()
        doubled = int(tx.get("a")) * 2
        tx.set("b", str(doubled).encode())
        kv.set("a", b"5")
        with pytest.raises(prism.ConflictError):
            tx.commit()
        assert kv.exists("b") is False
        assert kv.get("a") == b"5"

    def test_conflict_on_a_key_only_written(self) -> None:
        # The transaction writes "a" without reading it; another client writes "a" (and only
        # "a") after the transaction first touched it: the commit must not silently overwrite.
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        tx = kv.begin()
        tx.set("a", b"mine")
        tx.set("c", b"mine")
        kv.set("a", b"theirs")
        with pytest.raises(prism.ConflictError):
            tx.commit()
        assert kv.get("a") == b"theirs"
        assert kv.exists("c") is False

    def test_conflict_on_a_key_deleted_by_the_other_party(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        kv.set("a", b"1")
        kv.set("b", b"1")
        tx = kv.begin()
        assert tx.get("a") == b"1"
        tx.set("b", b"2")
        kv.delete("a")
        with pytest.raises(prism.ConflictError):
            tx.commit()
        assert kv.get("b") == b"1"

    def test_get_missing_inside_transaction_raises_key_not_found(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        with kv.begin() as tx:
            with pytest.raises(prism.KeyNotFoundError):
                tx.get("missing")
            assert tx.delete("missing") is False
        assert kv.exists("missing") is False

    def test_other_clients_do_not_see_uncommitted_writes(self) -> None:
        name = self.target.fresh_name()
        kv = self.kv(name)
        other = self.kv(name)
        assert isinstance(kv, KeyValueTransactional)
        kv.set("changed", b"old")
        kv.set("deleted", b"here")
        tx = kv.begin()
        tx.set("changed", b"new")
        tx.set("created", b"new")
        tx.delete("deleted")
        for client in (kv, other):
            assert client.get("changed") == b"old"
            assert client.exists("created") is False
            assert client.get("deleted") == b"here"
        tx.commit()
        for client in (kv, other):
            assert client.get("changed") == b"new"
            assert client.get("created") == b"new"
            assert client.exists("deleted") is False

    def test_two_racing_transactions_never_lose_an_update(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        kv.set("counter", b"0")

        def increment_once() -> bool:
            try:
                with kv.begin() as tx:
                    value = int(tx.get("counter"))
                    _let_others_run()
                    tx.set("counter", str(value + 1).encode())
            except prism.ConflictError:
                return False
            return True

        committed = run_concurrently([increment_once, increment_once])
        assert any(committed), "neither transaction committed"
        # Both commit only if the backend serialised them; then both increments count.
        assert kv.get("counter") == str(sum(committed)).encode()

    def test_concurrent_increment_transactions_count_exactly(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        workers = 20
        kv.set("a", b"0")
        kv.set("b", b"0")

        def increment() -> int:
            for attempt in range(1000):
                try:
                    with kv.begin() as tx:
                        a = int(tx.get("a"))
                        b = int(tx.get("b"))
                        _let_others_run()
                        tx.set("a", str(a + 1).encode())
                        tx.set("b", str(b + 1).encode())
                except prism.ConflictError:
                    _let_others_run()
                    continue
                return attempt
            pytest.fail("a transaction kept conflicting for 1000 attempts")

        run_concurrently([increment] * workers)
        assert kv.get("a") == str(workers).encode()
        assert kv.get("b") == str(workers).encode()

    @pytest.mark.parametrize("ending", ["commit", "rollback", "with-block", "exception"])
    def test_finished_transaction_refuses_reuse(self, ending: str) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        tx = kv.begin()
        tx.set("k", b"v")
        if ending == "commit":
            tx.commit()
        elif ending == "rollback":
            tx.rollback()
        elif ending == "with-block":
            with tx:
                pass
        else:
            with pytest.raises(_Boom):
                _raise_inside(tx, _Boom())
        committed = ending in ("commit", "with-block")
        with pytest.raises(prism.InvalidArgumentError):
            tx.get("k")
        with pytest.raises(prism.InvalidArgumentError):
            tx.set("k", b"again")
        with pytest.raises(prism.InvalidArgumentError):
            tx.delete("k")
        with pytest.raises(prism.InvalidArgumentError):
            tx.commit()
        assert kv.exists("k") is committed
        if committed:
            assert kv.get("k") == b"v"

    def test_empty_transaction_commits_nothing(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        kv.set("k", b"v")
        with kv.begin():
            pass
        with kv.begin() as tx:
            assert tx.get("k") == b"v"
        assert kv.get("k") == b"v"

    @pytest.mark.parametrize("value", BINARY_VALUES)
    def test_binary_values_round_trip(self, value: bytes) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        with kv.begin() as tx:
            tx.set("bin", value)
            assert tx.get("bin") == value
        assert kv.get("bin") == value

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_bad_key_rejected_and_nothing_buffered(self, key: Any) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        with kv.begin() as tx:
            tx.set("good", b"1")
            with pytest.raises(prism.InvalidArgumentError):
                tx.set(key, b"v")
            with pytest.raises(prism.InvalidArgumentError):
                tx.get(key)
            with pytest.raises(prism.InvalidArgumentError):
                tx.delete(key)
        assert kv.get("good") == b"1"

    @pytest.mark.parametrize("value", BAD_VALUES)
    def test_bad_value_rejected_and_nothing_buffered(self, value: Any) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueTransactional)
        kv.set("k", b"old")
        with kv.begin() as tx:
            with pytest.raises(prism.InvalidArgumentError):
                tx.set("k", value)
            assert tx.get("k") == b"old"
        assert kv.get("k") == b"old"

    def test_transactions_stay_in_their_namespace(self) -> None:
        a = self.kv()
        b = self.kv()
        assert isinstance(a, KeyValueTransactional)
        b.set("k", b"b's")
        with a.begin() as tx:
            tx.set("k", b"a's")
            tx.set("only-a", b"1")
        assert b.get("k") == b"b's"
        assert b.exists("only-a") is False
        assert a.get("k") == b"a's"


class KeyValueBatchSuite(_KeyValueSuite, interface="keyvalue_batch"):
    """Many keys per call; a bad key or value anywhere rejects the whole batch."""

    def test_set_many_then_get_many(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        items = {f"k{i}": f"v{i}".encode() for i in range(20)}
        kv.set_many(items)
        assert kv.get_many(list(items)) == items
        assert kv.get("k7") == b"v7"

    def test_set_many_overwrites(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        kv.set("a", b"old")
        kv.set_many({"a": b"new", "b": b"2"})
        assert kv.get_many(["a", "b"]) == {"a": b"new", "b": b"2"}

    def test_get_many_omits_missing_keys(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        kv.set_many({"a": b"1", "c": b"3"})
        assert kv.get_many(["a", "b", "c", "d"]) == {"a": b"1", "c": b"3"}
        assert kv.get_many(["nothing", "here"]) == {}
        kv.delete("c")
        assert kv.get_many(["a", "c"]) == {"a": b"1"}

    def test_delete_many_returns_how_many_existed(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        kv.set_many({"a": b"1", "b": b"2", "c": b"3", "keep": b"4"})
        assert kv.delete_many(["a", "b", "missing", "c"]) == 3
        assert kv.get_many(["a", "b", "c", "keep"]) == {"keep": b"4"}
        assert kv.delete_many(["a", "b", "missing"]) == 0
        assert kv.delete_many(["keep", "keep"]) == 1
        assert kv.exists("keep") is False

    def test_unsorted_and_repeated_keys(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        kv.set_many({"m": b"13", "b": b"2", "z": b"26", "a": b"1"})
        wanted = ["z", "missing", "b", "z", "a", "b", "0"]
        assert kv.get_many(wanted) == {"z": b"26", "b": b"2", "a": b"1"}
        assert kv.get_many(["b", "a"]) == {"b": b"2", "a": b"1"}
        assert kv.delete_many(["z", "b", "nope", "z", "b", "b"]) == 2
        assert kv.get_many(["z", "m", "b", "a"]) == {"m": b"13", "a": b"1"}

    def test_set_many_clears_an_existing_expiry(self) -> None:
        # Like Redis SET (and MSET): a plain write replaces the key, expiry included.
        if not self.declares("keyvalue_ttl"):
            pytest.skip("the backend does not declare keyvalue_ttl")
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        assert isinstance(kv, KeyValueTTL)
        kv.set("expiring", b"old", ttl=TTL)
        kv.set("other", b"old", ttl=TTL)
        kv.set_many({"expiring": b"new", "fresh": b"new"})
        assert kv.get_ttl("expiring") is None
        assert kv.get_ttl("fresh") is None
        self.advance(PAST_TTL)
        assert kv.get_many(["other", "fresh", "expiring"]) == {
            "expiring": b"new",
            "fresh": b"new",
        }

    @pytest.mark.prism_stress
    def test_10000_key_batch(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        items = {f"bulk:{i:05d}": f"value-{i}".encode() for i in range(10_000)}
        kv.set_many(items)
        assert kv.get_many(list(items)) == items
        if isinstance(kv, KeyValueScan):
            assert kv.count("bulk:") == 10_000
        assert kv.delete_many(list(items)) == 10_000
        assert kv.get_many(list(items)) == {}

    def test_empty_batch_is_a_noop(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        kv.set("keep", b"v")
        kv.set_many({})
        assert kv.get_many([]) == {}
        assert kv.delete_many([]) == 0
        assert kv.get("keep") == b"v"

    def test_keys_may_be_any_iterable(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        kv.set_many({"a": b"1", "b": b"2", "c": b"3"})
        want = {"a": b"1", "b": b"2"}
        assert kv.get_many(("a", "b", "zz")) == want
        assert kv.get_many({"a", "b", "zz"}) == want
        assert kv.get_many(dict.fromkeys(["a", "b", "zz"]).keys()) == want
        assert kv.get_many(k for k in ["a", "b", "zz"]) == want
        assert kv.delete_many(k for k in ["a", "zz"]) == 1
        assert kv.delete_many(iter(["b"])) == 1
        assert kv.get_many(["a", "b", "c"]) == {"c": b"3"}

    @pytest.mark.parametrize("value", BINARY_VALUES)
    def test_binary_values_round_trip(self, value: bytes) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        kv.set_many({"bin": value, "other": b"x"})
        assert kv.get_many(["bin"]) == {"bin": value}

    def test_unicode_keys(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        items = {key: key.encode() for key in UNICODE_KEYS}
        kv.set_many(items)
        assert kv.get_many(UNICODE_KEYS) == items
        assert kv.delete_many(UNICODE_KEYS) == len(UNICODE_KEYS)

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_bad_key_anywhere_rejects_the_whole_batch(self, key: Any) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        for items in ({key: b"x", "good:1": b"1"}, {"good:1": b"1", "good:2": b"2", key: b"x"}):
            with pytest.raises(prism.InvalidArgumentError):
                kv.set_many(items)
        assert kv.get_many(["good:1", "good:2"]) == {}
        kv.set_many({"good:1": b"1", "good:2": b"2"})
        with pytest.raises(prism.InvalidArgumentError):
            kv.get_many(["good:1", key])
        with pytest.raises(prism.InvalidArgumentError):
            kv.delete_many(["good:1", "good:2", key])
        with pytest.raises(prism.InvalidArgumentError):
            kv.delete_many([key, "good:1"])
        assert kv.get_many(["good:1", "good:2"]) == {"good:1": b"1", "good:2": b"2"}

    @pytest.mark.parametrize("value", BAD_VALUES)
    def test_bad_value_anywhere_rejects_the_whole_batch(self, value: Any) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        kv.set("good:1", b"old")
        for items in (
            {"bad": value, "good:1": b"1"},
            {"good:1": b"1", "good:2": b"2", "bad": value},
        ):
            with pytest.raises(prism.InvalidArgumentError):
                kv.set_many(items)
        assert kv.get_many(["good:1", "good:2", "bad"]) == {"good:1": b"old"}

    def test_value_over_the_declared_limit_rejects_the_whole_batch(self) -> None:
        limit = self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        with pytest.raises(prism.ValueTooLargeError):
            kv.set_many({"small": b"1", "big": b"\x00" * (limit + 1)})
        assert kv.get_many(["small", "big"]) == {}

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
    def test_wrong_container_rejected(self, method: str, argument: Any) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        kv.set("b", b"kept")
        call = getattr(kv, method)
        with pytest.raises(prism.InvalidArgumentError):
            call(argument)
        assert kv.exists("a") is False
        assert kv.get("b") == b"kept"

    def test_concurrent_batches_all_land_and_deletes_count_each_key_once(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueBatch)
        batches = [{f"k{b}:{i}": f"{b}:{i}".encode() for i in range(50)} for b in range(20)]
        run_concurrently([functools.partial(kv.set_many, batch) for batch in batches])
        everything = {k: v for batch in batches for k, v in batch.items()}
        assert kv.get_many(list(everything)) == everything
        counts = run_concurrently(
            [functools.partial(kv.delete_many, list(everything)) for _ in range(10)]
        )
        assert sum(counts) == len(everything)
        assert kv.get_many(list(everything)) == {}

    def test_batches_stay_in_their_namespace(self) -> None:
        a = self.kv()
        b = self.kv()
        assert isinstance(a, KeyValueBatch)
        assert isinstance(b, KeyValueBatch)
        a.set_many({"k": b"a", "only-a": b"1"})
        b.set_many({"k": b"b"})
        assert b.get_many(["k", "only-a"]) == {"k": b"b"}
        assert b.delete_many(["k", "only-a"]) == 1
        assert a.get_many(["k", "only-a"]) == {"k": b"a", "only-a": b"1"}


class KeyValueCASSuite(_KeyValueSuite, interface="keyvalue_cas"):
    """Compare-and-swap and compare-and-delete, linearizable per key."""

    def test_swap_when_expected_matches(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        kv.set("k", b"old")
        assert kv.compare_and_swap("k", b"old", b"new") is True
        assert kv.get("k") == b"new"

    def test_refuse_when_expected_differs_and_leave_the_value(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        kv.set("k", b"current")
        assert kv.compare_and_swap("k", b"stale", b"new") is False
        assert kv.compare_and_swap("k", b"curren", b"new") is False
        assert kv.compare_and_swap("k", None, b"new") is False
        assert kv.get("k") == b"current"

    def test_expected_none_creates_only_if_absent(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        assert kv.compare_and_swap("k", None, b"first") is True
        assert kv.get("k") == b"first"
        assert kv.compare_and_swap("k", None, b"second") is False
        assert kv.get("k") == b"first"
        kv.delete("k")
        assert kv.compare_and_swap("k", None, b"third") is True
        assert kv.get("k") == b"third"

    def test_expected_value_on_a_missing_key_is_refused(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        assert kv.compare_and_swap("missing", b"anything", b"new") is False
        assert kv.compare_and_swap("missing", b"", b"new") is False
        assert kv.exists("missing") is False

    def test_empty_value_is_present_not_absent(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        kv.set("k", b"")
        assert kv.compare_and_swap("k", None, b"x") is False
        assert kv.get("k") == b""
        assert kv.compare_and_swap("k", b"", b"x") is True
        assert kv.get("k") == b"x"
        kv.set("e", b"")
        assert kv.compare_and_delete("e", b"") is True
        assert kv.exists("e") is False

    def test_swap_after_delete_and_recreate_compares_values(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        kv.set("k", b"a")
        kv.delete("k")
        assert kv.compare_and_swap("k", b"a", b"b") is False
        assert kv.exists("k") is False

    def test_compare_and_delete_when_matching(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        kv.set("k", b"v")
        assert kv.compare_and_delete("k", b"v") is True
        assert kv.exists("k") is False
        assert kv.compare_and_delete("k", b"v") is False

    def test_compare_and_delete_refused_when_differs(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        kv.set("k", b"v")
        assert kv.compare_and_delete("k", b"other") is False
        assert kv.compare_and_delete("k", b"") is False
        assert kv.get("k") == b"v"
        assert kv.compare_and_delete("missing", b"v") is False

    @pytest.mark.prism_stress
    def test_20_concurrent_increment_loops_of_50_make_exactly_1000(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        loops, increments = 20, 50
        kv.set("counter", b"0")

        def increment_loop() -> int:
            refused = 0
            for _ in range(increments):
                while True:
                    current = kv.get("counter")
                    _let_others_run()
                    new = str(int(current) + 1).encode()
                    if kv.compare_and_swap("counter", current, new):
                        break
                    refused += 1
                    if refused > 100 * loops * increments:
                        pytest.fail("compare_and_swap kept refusing")
            return refused

        run_concurrently([increment_loop] * loops)
        assert kv.get("counter") == str(loops * increments).encode()

    def test_concurrent_create_if_absent_has_one_winner(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        values = [f"v{i}".encode() for i in range(20)]
        won = run_concurrently(
            [functools.partial(kv.compare_and_swap, "k", None, v) for v in values]
        )
        assert sum(won) == 1
        assert kv.get("k") == values[won.index(True)]

    def test_concurrent_compare_and_delete_has_one_winner(self) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        kv.set("k", b"v")
        won = run_concurrently(
            [functools.partial(kv.compare_and_delete, "k", b"v") for _ in range(20)]
        )
        assert sum(won) == 1
        assert kv.exists("k") is False

    def test_swap_clears_expiry(self) -> None:
        if not self.declares("keyvalue_ttl"):
            pytest.skip("the backend does not declare keyvalue_ttl")
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        assert isinstance(kv, KeyValueTTL)
        kv.set("k", b"old", ttl=TTL)
        assert kv.compare_and_swap("k", b"old", b"new") is True
        assert kv.get_ttl("k") is None
        self.advance(PAST_TTL)
        assert kv.get("k") == b"new"

    @pytest.mark.parametrize("value", BINARY_VALUES)
    def test_binary_values(self, value: bytes) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        other = value[1:] + b"!"  # differs from value, and is no longer (size limits)
        assert kv.compare_and_swap("bin", None, value) is True
        assert kv.compare_and_swap("bin", other, b"x") is False
        assert kv.compare_and_swap("bin", value, other) is True
        assert kv.get("bin") == other
        assert kv.compare_and_delete("bin", value) is False
        assert kv.compare_and_delete("bin", other) is True

    @pytest.mark.parametrize("value", BAD_VALUES)
    def test_bad_values_rejected_before_io(self, value: Any) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        kv.set("k", b"v")
        with pytest.raises(prism.InvalidArgumentError):
            kv.compare_and_swap("k", b"v", value)
        with pytest.raises(prism.InvalidArgumentError):
            kv.compare_and_swap("fresh", None, value)
        with pytest.raises(prism.InvalidArgumentError):
            kv.compare_and_delete("k", value)
        if value is not None:
            with pytest.raises(prism.InvalidArgumentError):
                kv.compare_and_swap("k", value, b"new")
        assert kv.get("k") == b"v"
        assert kv.exists("fresh") is False

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_bad_keys_rejected_before_io(self, key: Any) -> None:
        kv = self.kv()
        assert isinstance(kv, KeyValueCAS)
        with pytest.raises(prism.InvalidArgumentError):
            kv.compare_and_swap(key, None, b"v")
        with pytest.raises(prism.InvalidArgumentError):
            kv.compare_and_delete(key, b"v")


# ===== hostile names (issue 8, security) ====================================================
# Kept apart from the cases above: each class extends its interface's suite and takes over its
# registration, so every backend runs these too.

from prism.testing._hostile import HOSTILE_NAMES


class KeyValueBasicHostileSuite(KeyValueBasicSuite, interface="keyvalue_basic"):
    def test_hostile_keys_are_stored_apart(self) -> None:
        kv = self.facet(KeyValueBasic)
        other = self.facet(KeyValueBasic)
        for key in HOSTILE_NAMES:
            kv.set(key, key.encode())
        for key in HOSTILE_NAMES:
            assert kv.get(key) == key.encode()
            assert kv.exists(key)
            assert not other.exists(key)
        for key in HOSTILE_NAMES[::2]:
            assert kv.delete(key)
        for i, key in enumerate(HOSTILE_NAMES):
            assert kv.exists(key) is (i % 2 == 1)


class KeyValueScanHostileSuite(KeyValueScanSuite, interface="keyvalue_scan"):
    def test_hostile_prefixes_match_literally(self) -> None:
        kv = self.facet(KeyValueScan)
        assert isinstance(kv, KeyValueBasic)
        keys = [f"{name}{suffix}" for name in HOSTILE_NAMES for suffix in ("", "/x")]
        keys += ["plain", "a", "x", "ab", "%%", "__"]
        for key in keys:
            kv.set(key, b"v")
        for prefix in [*HOSTILE_NAMES, "%", "_", "*", "?", "[", "\\", "'"]:
            want = sorted(k for k in keys if k.startswith(prefix))
            assert sorted(_drain(kv.scan_keys(prefix))) == want, prefix
            assert sorted(k for k, _ in _drain(kv.scan(prefix))) == want, prefix
            assert kv.count(prefix) == len(want), prefix
