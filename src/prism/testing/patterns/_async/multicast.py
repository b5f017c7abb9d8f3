"""The multicast-registry pattern suite (async source; the sync twin is generated)."""

from __future__ import annotations

from typing import Any

import pytest

from prism.errors import InvalidArgumentError, KeyNotFoundError
from prism.testing.patterns._async.base import AsyncPatternSuite

__all__ = ["AsyncMulticastSuite"]


class AsyncMulticastSuite(AsyncPatternSuite, pattern="multicast-registry"):
    """Registration, filtered enumeration and multicast; state shared by every opener."""

    async def _fleet(self, ns: Any) -> None:
        for i in (7, 3, 11, 0, 5):  # unsorted on purpose
            await ns.register(
                f"dev.{i}",
                {"kind": "sensor" if i % 2 else "camera", "floor": i, "tags": {"zone": "a.b"}},
            )

    async def test_enumerate_filters_and_sorts_by_identity(self) -> None:
        ns = await self.open()
        await self._fleet(ns)
        got = await ns.enumerate({"kind": "sensor", "floor": {"$gte": 5}})
        assert [m.identity for m in got] == ["dev.11", "dev.5", "dev.7"]
        assert [m.identity for m in await ns.enumerate()] == [
            "dev.0",
            "dev.11",
            "dev.3",
            "dev.5",
            "dev.7",
        ]
        assert len(await ns.enumerate({"$or": [{"floor": 0}, {"tags.zone": "a.b"}]})) == 5
        assert await ns.enumerate({"floor": {"$in": [3, 4]}, "kind": {"$ne": "camera"}}) == [
            await ns.get("dev.3")
        ]
        with pytest.raises(InvalidArgumentError):
            await ns.enumerate({"floor": {"$regex": "x"}})

    async def test_a_second_opener_sees_the_same_registry(self) -> None:
        first = await self.open()
        second = await self.open(first.name)
        await first.register("gw-1", {"site": "berlin"})
        assert [m.identity for m in await second.enumerate({"site": "berlin"})] == ["gw-1"]
        assert await second.deregister("gw-1") is True
        assert await first.enumerate() == []
        assert await first.deregister("gw-1") is False

    async def test_registrations_expire_unless_renewed(self) -> None:
        ns = await self.open()
        now = [1_000_000.0]
        ns.runtime.clock = lambda: now[0]
        await ns.register("a", {"n": 1}, ttl=10)
        await ns.register("b", {"n": 2}, ttl=10)
        now[0] += 8
        await ns.heartbeat("a", ttl=10)
        now[0] += 5
        assert [m.identity for m in await ns.enumerate()] == ["a"]
        with pytest.raises(KeyNotFoundError):
            await ns.get("b")
        with pytest.raises(KeyNotFoundError):
            await ns.heartbeat("b")

    async def test_multicast_delivers_live_and_queues_for_the_others(self) -> None:
        ns = await self.open()
        await self._fleet(ns)
        inbox = await ns.listen("dev.3")
        result = await ns.multicast({"kind": "sensor"}, b"reboot", headers={"by": "ops"})
        assert result.targeted == 4
        assert result.delivered == 1
        durable = "durability" in ns.slots
        assert result.queued == (3 if durable else 0)
        got = await inbox.get(timeout=10)
        assert got is not None
        assert got.payload == b"reboot"
        assert dict(got.headers) == {"by": "ops"}
        await inbox.close()
        if durable:  # a late listener gets what was kept for it
            late = await ns.listen("dev.7")
            kept = await late.get(timeout=1)
            assert kept is not None
            assert kept.payload == b"reboot"
            await late.close()

    async def test_multicast_to_nobody_counts_zero(self) -> None:
        ns = await self.open()
        await self._fleet(ns)
        result = await ns.multicast({"kind": "drone"}, b"x")
        assert (result.targeted, result.delivered, result.queued) == (0, 0, 0)

    async def test_bad_identities_and_metadata_are_refused(self) -> None:
        ns = await self.open()
        for bad in ("", "a b", "a.*", "a..b", "x>"):
            with pytest.raises(InvalidArgumentError):
                await ns.register(bad, {})
        with pytest.raises(InvalidArgumentError):
            await ns.register("ok", {"x": object()})
        with pytest.raises(InvalidArgumentError):
            await ns.multicast({}, "not bytes")
        assert await ns.enumerate() == []
