# Generated from src/prism/testing/suites/_async/keyvalue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Compliance suites for the keyvalue interfaces."""

from __future__ import annotations

import pytest

import prism
from prism.interfaces.keyvalue import KeyValueBasic, KeyValueBatch, KeyValueScan
from prism.testing._concurrency import run_concurrently
from prism.testing.suite import Suite

BAD_KEYS = [
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
UNICODE_KEYS = ["café", "键值", "🙂:emoji", "x" * 1024, "é" * 512]


class KeyValueBasicSuite(Suite, interface="keyvalue_basic"):
    """RFC-015's ten keyvalue_basic cases, plus the shared conventions."""

    def test_set_then_get(self) -> None:
        kv = self.facet(KeyValueBasic)
        kv.set("user:1", b"alice")
        assert kv.get("user:1") == b"alice"

    def test_get_missing_raises_key_not_found(self) -> None:
        kv = self.facet(KeyValueBasic)
        with pytest.raises(prism.KeyNotFoundError) as info:
            kv.get("missing")
        assert isinstance(info.value, KeyError)
        assert isinstance(info.value, prism.NotFoundError)

    def test_delete_existing_returns_true(self) -> None:
        kv = self.facet(KeyValueBasic)
        kv.set("k", b"v")
        assert kv.delete("k") is True
        assert kv.exists("k") is False

    def test_delete_missing_returns_false(self) -> None:
        kv = self.facet(KeyValueBasic)
        assert kv.delete("never-set") is False

    def test_exists(self) -> None:
        kv = self.facet(KeyValueBasic)
        kv.set("k", b"v")
        assert kv.exists("k") is True

    def test_exists_missing_is_false(self) -> None:
        kv = self.facet(KeyValueBasic)
        assert kv.exists("missing") is False

    def test_lifecycle(self) -> None:
        kv = self.facet(KeyValueBasic)
        kv.set("k", b"1")
        assert kv.get("k") == b"1"
        assert kv.delete("k") is True
        with pytest.raises(prism.KeyNotFoundError):
            kv.get("k")
        kv.set("k", b"2")
        assert kv.get("k") == b"2"

    def test_overwrite(self) -> None:
        kv = self.facet(KeyValueBasic)
        kv.set("k", b"first")
        kv.set("k", b"second")
        assert kv.get("k") == b"second"

    def test_100_concurrent_sets_all_land(self) -> None:
        kv = self.facet(KeyValueBasic)
        run_concurrently([lambda i=i: kv.set(f"key:{i}", str(i).encode()) for i in range(100)])
        for i in range(100):
            assert kv.get(f"key:{i}") == str(i).encode()

    def test_concurrent_writers_to_one_key_leave_one_of_their_values(self) -> None:
        kv = self.facet(KeyValueBasic)
        values = {f"v{i}".encode() for i in range(50)}
        run_concurrently([lambda v=v: kv.set("hot", v) for v in values])
        assert kv.get("hot") in values

    @pytest.mark.parametrize("value", BINARY_VALUES)
    def test_binary_values_round_trip(self, value: bytes) -> None:
        kv = self.facet(KeyValueBasic)
        kv.set("bin", value)
        assert kv.get("bin") == value

    def test_value_at_the_declared_limit(self) -> None:
        limit = self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        kv = self.facet(KeyValueBasic)
        kv.set("big", b"\x00" * limit)
        assert len(kv.get("big")) == limit
        with pytest.raises(prism.ValueTooLargeError):
            kv.set("big", b"\x00" * (limit + 1))
        assert len(kv.get("big")) == limit

    @pytest.mark.parametrize("key", UNICODE_KEYS)
    def test_unicode_keys(self, key: str) -> None:
        kv = self.facet(KeyValueBasic)
        kv.set(key, key.encode())
        assert kv.get(key) == key.encode()
        assert kv.exists(key)

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_bad_keys_rejected_before_io(self, key: object) -> None:
        kv = self.facet(KeyValueBasic)
        for call in (
            lambda: kv.set(key, b"v"),  # type: ignore[arg-type]
            lambda: kv.get(key),  # type: ignore[arg-type]
            lambda: kv.delete(key),  # type: ignore[arg-type]
            lambda: kv.exists(key),  # type: ignore[arg-type]
        ):
            with pytest.raises(prism.InvalidArgumentError):
                call()

    @pytest.mark.parametrize("value", ["text", 1, None, bytearray(b"x")])
    def test_non_bytes_values_rejected(self, value: object) -> None:
        kv = self.facet(KeyValueBasic)
        with pytest.raises(prism.InvalidArgumentError):
            kv.set("k", value)  # type: ignore[arg-type]
        assert kv.exists("k") is False

    def test_namespaces_are_isolated(self) -> None:
        a = self.facet(KeyValueBasic)
        b = self.facet(KeyValueBasic)
        a.set("shared", b"from-a")
        assert b.exists("shared") is False
        b.set("shared", b"from-b")
        assert a.get("shared") == b"from-a"
        assert a.delete("shared") is True
        assert b.get("shared") == b"from-b"

    def test_same_namespace_opened_twice_shares_data(self) -> None:
        name = self.target.fresh_name()
        first = self.facet(KeyValueBasic, name)
        second = self.facet(KeyValueBasic, name)
        first.set("k", b"v")
        assert second.get("k") == b"v"


class KeyValueScanSuite(Suite, interface="keyvalue_scan"):
    """RFC-015's six keyvalue_scan cases, plus completeness and exact prefixes."""

    def _seed(self, kv: KeyValueScan, keys: list[str]) -> None:
        for key in keys:
            assert isinstance(kv, KeyValueBasic)
            kv.set(key, key.encode())

    def test_scan_all(self) -> None:
        kv = self.facet(KeyValueScan)
        keys = [f"k{i}" for i in range(25)]
        self._seed(kv, keys)
        found = {k: v for k, v in kv.scan()}
        assert found == {k: k.encode() for k in keys}

    def test_scan_prefix_is_exact(self) -> None:
        kv = self.facet(KeyValueScan)
        self._seed(kv, ["user:1", "user:2", "user2:1", "use", "admin:1"])
        found = sorted([k for k, _ in kv.scan("user:")])
        assert found == ["user:1", "user:2"]

    def test_scan_limit(self) -> None:
        kv = self.facet(KeyValueScan)
        self._seed(kv, [f"k{i}" for i in range(20)])
        found = [k for k, _ in kv.scan(limit=7)]
        assert len(found) == 7
        assert len(set(found)) == 7

    def test_scan_keys_only(self) -> None:
        kv = self.facet(KeyValueScan)
        self._seed(kv, ["a:1", "a:2", "b:1"])
        found = sorted([k for k in kv.scan_keys("a:")])
        assert found == ["a:1", "a:2"]

    def test_count(self) -> None:
        kv = self.facet(KeyValueScan)
        self._seed(kv, [f"k{i}" for i in range(12)])
        assert kv.count() == 12

    def test_count_with_prefix(self) -> None:
        kv = self.facet(KeyValueScan)
        self._seed(kv, ["x:1", "x:2", "x:3", "y:1", "x"])
        assert kv.count("x:") == 3
        assert kv.count("nothing:") == 0

    def test_10000_keys_scanned_completely_without_duplicates(self) -> None:
        kv = self.facet(KeyValueScan)
        keys = [f"bulk:{i:05d}" for i in range(10_000)]
        if isinstance(kv, KeyValueBatch):
            for start in range(0, len(keys), 1000):
                kv.set_many({k: b"v" for k in keys[start : start + 1000]})
        else:
            assert isinstance(kv, KeyValueBasic)
            run_concurrently([lambda k=k: kv.set(k, b"v") for k in keys])
        found = [k for k in kv.scan_keys("bulk:")]
        assert len(found) == len(keys)
        assert set(found) == set(keys)

    def test_deleted_keys_never_appear(self) -> None:
        kv = self.facet(KeyValueScan)
        self._seed(kv, ["d:1", "d:2", "d:3"])
        assert isinstance(kv, KeyValueBasic)
        kv.delete("d:2")
        found = sorted([k for k, _ in kv.scan("d:")])
        assert found == ["d:1", "d:3"]
        assert kv.count("d:") == 2

    def test_prefix_matching_nothing_is_empty(self) -> None:
        kv = self.facet(KeyValueScan)
        self._seed(kv, ["a"])
        assert [k for k in kv.scan_keys("zzz")] == []

    def test_unicode_prefix(self) -> None:
        kv = self.facet(KeyValueScan)
        self._seed(kv, ["café:1", "café:2", "cafe:1", "键:1"])
        found = sorted([k for k in kv.scan_keys("café:")])
        assert found == ["café:1", "café:2"]

    def test_scan_never_crosses_namespaces(self) -> None:
        a = self.facet(KeyValueScan)
        b = self.facet(KeyValueScan)
        self._seed(a, ["p:1", "p:2"])
        self._seed(b, ["p:3"])
        assert sorted([k for k in a.scan_keys("p:")]) == ["p:1", "p:2"]
        assert b.count("p:") == 1

    @pytest.mark.parametrize("prefix", ["a\x00", b"a", 3])
    def test_bad_prefix_rejected(self, prefix: object) -> None:
        kv = self.facet(KeyValueScan)
        with pytest.raises(prism.InvalidArgumentError):
            kv.count(prefix)
        with pytest.raises(prism.InvalidArgumentError):
            kv.scan_keys(prefix)
