"""Compliance suites for the keyvalue interfaces."""

from __future__ import annotations

import pytest

import prism
from prism.interfaces._async.keyvalue import AsyncKeyValueBasic, AsyncKeyValueBatch, AsyncKeyValueScan
from prism.testing._async.suite import AsyncSuite
from prism.testing._concurrency import run_concurrently_async

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


class AsyncKeyValueBasicSuite(AsyncSuite, interface="keyvalue_basic"):
    """RFC-015's ten keyvalue_basic cases, plus the shared conventions."""

    async def test_set_then_get(self) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        await kv.set("user:1", b"alice")
        assert await kv.get("user:1") == b"alice"

    async def test_get_missing_raises_key_not_found(self) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        with pytest.raises(prism.KeyNotFoundError) as info:
            await kv.get("missing")
        assert isinstance(info.value, KeyError)
        assert isinstance(info.value, prism.NotFoundError)

    async def test_delete_existing_returns_true(self) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        await kv.set("k", b"v")
        assert await kv.delete("k") is True
        assert await kv.exists("k") is False

    async def test_delete_missing_returns_false(self) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        assert await kv.delete("never-set") is False

    async def test_exists(self) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        await kv.set("k", b"v")
        assert await kv.exists("k") is True

    async def test_exists_missing_is_false(self) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        assert await kv.exists("missing") is False

    async def test_lifecycle(self) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        await kv.set("k", b"1")
        assert await kv.get("k") == b"1"
        assert await kv.delete("k") is True
        with pytest.raises(prism.KeyNotFoundError):
            await kv.get("k")
        await kv.set("k", b"2")
        assert await kv.get("k") == b"2"

    async def test_overwrite(self) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        await kv.set("k", b"first")
        await kv.set("k", b"second")
        assert await kv.get("k") == b"second"

    async def test_100_concurrent_sets_all_land(self) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        await run_concurrently_async(
            [lambda i=i: kv.set(f"key:{i}", str(i).encode()) for i in range(100)]
        )
        for i in range(100):
            assert await kv.get(f"key:{i}") == str(i).encode()

    async def test_concurrent_writers_to_one_key_leave_one_of_their_values(self) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        values = {f"v{i}".encode() for i in range(50)}
        await run_concurrently_async([lambda v=v: kv.set("hot", v) for v in values])
        assert await kv.get("hot") in values

    @pytest.mark.parametrize("value", BINARY_VALUES)
    async def test_binary_values_round_trip(self, value: bytes) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        await kv.set("bin", value)
        assert await kv.get("bin") == value

    async def test_value_at_the_declared_limit(self) -> None:
        limit = self.max_value_bytes
        if limit is None or limit > 64 * 1024 * 1024:
            pytest.skip("no declared limit at or under 64 MiB to probe")
        kv = await self.facet(AsyncKeyValueBasic)
        await kv.set("big", b"\x00" * limit)
        assert len(await kv.get("big")) == limit
        with pytest.raises(prism.ValueTooLargeError):
            await kv.set("big", b"\x00" * (limit + 1))
        assert len(await kv.get("big")) == limit

    @pytest.mark.parametrize("key", UNICODE_KEYS)
    async def test_unicode_keys(self, key: str) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        await kv.set(key, key.encode())
        assert await kv.get(key) == key.encode()
        assert await kv.exists(key)

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_bad_keys_rejected_before_io(self, key: object) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        for call in (
            lambda: kv.set(key, b"v"),  # type: ignore[arg-type]
            lambda: kv.get(key),  # type: ignore[arg-type]
            lambda: kv.delete(key),  # type: ignore[arg-type]
            lambda: kv.exists(key),  # type: ignore[arg-type]
        ):
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    @pytest.mark.parametrize("value", ["text", 1, None, bytearray(b"x")])
    async def test_non_bytes_values_rejected(self, value: object) -> None:
        kv = await self.facet(AsyncKeyValueBasic)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.set("k", value)  # type: ignore[arg-type]
        assert await kv.exists("k") is False

    async def test_namespaces_are_isolated(self) -> None:
        a = await self.facet(AsyncKeyValueBasic)
        b = await self.facet(AsyncKeyValueBasic)
        await a.set("shared", b"from-a")
        assert await b.exists("shared") is False
        await b.set("shared", b"from-b")
        assert await a.get("shared") == b"from-a"
        assert await a.delete("shared") is True
        assert await b.get("shared") == b"from-b"

    async def test_same_namespace_opened_twice_shares_data(self) -> None:
        name = self.target.fresh_name()
        first = await self.facet(AsyncKeyValueBasic, name)
        second = await self.facet(AsyncKeyValueBasic, name)
        await first.set("k", b"v")
        assert await second.get("k") == b"v"


class AsyncKeyValueScanSuite(AsyncSuite, interface="keyvalue_scan"):
    """RFC-015's six keyvalue_scan cases, plus completeness and exact prefixes."""

    async def _seed(self, kv: AsyncKeyValueScan, keys: list[str]) -> None:
        for key in keys:
            assert isinstance(kv, AsyncKeyValueBasic)
            await kv.set(key, key.encode())

    async def test_scan_all(self) -> None:
        kv = await self.facet(AsyncKeyValueScan)
        keys = [f"k{i}" for i in range(25)]
        await self._seed(kv, keys)
        found = {k: v async for k, v in kv.scan()}
        assert found == {k: k.encode() for k in keys}

    async def test_scan_prefix_is_exact(self) -> None:
        kv = await self.facet(AsyncKeyValueScan)
        await self._seed(kv, ["user:1", "user:2", "user2:1", "use", "admin:1"])
        found = sorted([k async for k, _ in kv.scan("user:")])
        assert found == ["user:1", "user:2"]

    async def test_scan_limit(self) -> None:
        kv = await self.facet(AsyncKeyValueScan)
        await self._seed(kv, [f"k{i}" for i in range(20)])
        found = [k async for k, _ in kv.scan(limit=7)]
        assert len(found) == 7
        assert len(set(found)) == 7

    async def test_scan_keys_only(self) -> None:
        kv = await self.facet(AsyncKeyValueScan)
        await self._seed(kv, ["a:1", "a:2", "b:1"])
        found = sorted([k async for k in kv.scan_keys("a:")])
        assert found == ["a:1", "a:2"]

    async def test_count(self) -> None:
        kv = await self.facet(AsyncKeyValueScan)
        await self._seed(kv, [f"k{i}" for i in range(12)])
        assert await kv.count() == 12

    async def test_count_with_prefix(self) -> None:
        kv = await self.facet(AsyncKeyValueScan)
        await self._seed(kv, ["x:1", "x:2", "x:3", "y:1", "x"])
        assert await kv.count("x:") == 3
        assert await kv.count("nothing:") == 0

    async def test_10000_keys_scanned_completely_without_duplicates(self) -> None:
        kv = await self.facet(AsyncKeyValueScan)
        keys = [f"bulk:{i:05d}" for i in range(10_000)]
        if isinstance(kv, AsyncKeyValueBatch):
            for start in range(0, len(keys), 1000):
                await kv.set_many({k: b"v" for k in keys[start:start + 1000]})
        else:
            assert isinstance(kv, AsyncKeyValueBasic)
            await run_concurrently_async([lambda k=k: kv.set(k, b"v") for k in keys])
        found = [k async for k in kv.scan_keys("bulk:")]
        assert len(found) == len(keys)
        assert set(found) == set(keys)

    async def test_deleted_keys_never_appear(self) -> None:
        kv = await self.facet(AsyncKeyValueScan)
        await self._seed(kv, ["d:1", "d:2", "d:3"])
        assert isinstance(kv, AsyncKeyValueBasic)
        await kv.delete("d:2")
        found = sorted([k async for k, _ in kv.scan("d:")])
        assert found == ["d:1", "d:3"]
        assert await kv.count("d:") == 2

    async def test_prefix_matching_nothing_is_empty(self) -> None:
        kv = await self.facet(AsyncKeyValueScan)
        await self._seed(kv, ["a"])
        assert [k async for k in kv.scan_keys("zzz")] == []

    async def test_unicode_prefix(self) -> None:
        kv = await self.facet(AsyncKeyValueScan)
        await self._seed(kv, ["café:1", "café:2", "cafe:1", "键:1"])
        found = sorted([k async for k in kv.scan_keys("café:")])
        assert found == ["café:1", "café:2"]

    async def test_scan_never_crosses_namespaces(self) -> None:
        a = await self.facet(AsyncKeyValueScan)
        b = await self.facet(AsyncKeyValueScan)
        await self._seed(a, ["p:1", "p:2"])
        await self._seed(b, ["p:3"])
        assert sorted([k async for k in a.scan_keys("p:")]) == ["p:1", "p:2"]
        assert await b.count("p:") == 1

    @pytest.mark.parametrize("prefix", ["a\x00", b"a", 3])
    async def test_bad_prefix_rejected(self, prefix: object) -> None:
        kv = await self.facet(AsyncKeyValueScan)
        with pytest.raises(prism.InvalidArgumentError):
            await kv.count(prefix)
        with pytest.raises(prism.InvalidArgumentError):
            kv.scan_keys(prefix)
