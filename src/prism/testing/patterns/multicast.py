# Generated from src/prism/testing/patterns/_async/multicast.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The multicast-registry pattern suite (the sync twin, generated from the async source)."""

from __future__ import annotations

from typing import Any

import pytest

from prism.errors import InvalidArgumentError, KeyNotFoundError
from prism.testing.patterns.base import PatternSuite

__all__ = ["MulticastSuite"]


class MulticastSuite(PatternSuite, pattern="multicast-registry"):
    """Registration, filtered enumeration and multicast; state shared by every opener."""

    def _fleet(self, ns: Any) -> None:
        for i in (7, 3, 11, 0, 5):  # unsorted on purpose
            ns.register(
                f"dev.{i}",
                {"kind": "sensor" if i % 2 else "camera", "floor": i, "tags": {"zone": "a.b"}},
            )

    def test_enumerate_filters_and_sorts_by_identity(self) -> None:
        ns = self.open()
        self._fleet(ns)
        got = ns.enumerate({"kind": "sensor", "floor": {"$gte": 5}})
        assert [m.identity for m in got] == ["dev.11", "dev.5", "dev.7"]
        assert [m.identity for m in ns.enumerate()] == [
            "dev.0",
            "dev.11",
            "dev.3",
            "dev.5",
            "dev.7",
        ]
        assert len(ns.enumerate({"$or": [{"floor": 0}, {"tags.zone": "a.b"}]})) == 5
        assert ns.enumerate({"floor": {"$in": [3, 4]}, "kind": {"$ne": "camera"}}) == [
            ns.get("dev.3")
        ]
        with pytest.raises(InvalidArgumentError):
            ns.enumerate({"floor": {"$regex": "x"}})

    def test_a_second_opener_sees_the_same_registry(self) -> None:
        first = self.open()
        second = self.open(first.name)
        first.register("gw-1", {"site": "berlin"})
        assert [m.identity for m in second.enumerate({"site": "berlin"})] == ["gw-1"]
        assert second.deregister("gw-1") is True
        assert first.enumerate() == []
        assert first.deregister("gw-1") is False

    def test_registrations_expire_unless_renewed(self) -> None:
        ns = self.open()
        now = [1_000_000.0]
        ns.runtime.clock = lambda: now[0]
        ns.register("a", {"n": 1}, ttl=10)
        ns.register("b", {"n": 2}, ttl=10)
        now[0] += 8
        ns.heartbeat("a", ttl=10)
        now[0] += 5
        assert [m.identity for m in ns.enumerate()] == ["a"]
        with pytest.raises(KeyNotFoundError):
            ns.get("b")
        with pytest.raises(KeyNotFoundError):
            ns.heartbeat("b")

    def test_multicast_delivers_live_and_queues_for_the_others(self) -> None:
        ns = self.open()
        self._fleet(ns)
        inbox = ns.listen("dev.3")
        result = ns.multicast({"kind": "sensor"}, b"reboot", headers={"by": "ops"})
        assert result.targeted == 4
        assert result.delivered == 1
        durable = "durability" in ns.slots
        assert result.queued == (3 if durable else 0)
        got = inbox.get(timeout=10)
        assert got is not None
        assert got.payload == b"reboot"
        assert dict(got.headers) == {"by": "ops"}
        inbox.close()
        if durable:  # a late listener gets what was kept for it
            late = ns.listen("dev.7")
            kept = late.get(timeout=1)
            assert kept is not None
            assert kept.payload == b"reboot"
            late.close()

    def test_multicast_to_nobody_counts_zero(self) -> None:
        ns = self.open()
        self._fleet(ns)
        result = ns.multicast({"kind": "drone"}, b"x")
        assert (result.targeted, result.delivered, result.queued) == (0, 0, 0)

    def test_bad_identities_and_metadata_are_refused(self) -> None:
        ns = self.open()
        for bad in ("", "a b", "a.*", "a..b", "x>"):
            with pytest.raises(InvalidArgumentError):
                ns.register(bad, {})
        with pytest.raises(InvalidArgumentError):
            ns.register("ok", {"x": object()})
        with pytest.raises(InvalidArgumentError):
            ns.multicast({}, "not bytes")
        assert ns.enumerate() == []
