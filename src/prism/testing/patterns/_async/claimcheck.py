"""The claim-check pattern suite (async source; the sync twin is generated)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from prism.errors import InvalidArgumentError
from prism.interfaces import (
    AsyncKeyValueScan,
    AsyncKeyValueTTL,
    AsyncQueueVisibility,
    AsyncStreamConsumerGroups,
)
from prism.patterns import CLAIM_HEADER, ClaimIntegrityError, ClaimMissingError
from prism.testing.patterns._async.base import AsyncPatternSuite

__all__ = ["AsyncClaimCheckSuite"]

THRESHOLD = 64
MESSAGING = ("queue", "stream", "pubsub")


def _interfaces(facet: Any) -> set[str]:
    return {
        getattr(b, "registry_name", "")
        for b in type(facet).__mro__
        if b.__dict__.get("__prism_interface__")
    }


class AsyncClaimCheckSuite(AsyncPatternSuite, pattern="claim-check"):
    """Large payloads through the storage slot, small ones inline, on every messaging model the
    messaging slot offers."""

    async def _open(self, **options: Any) -> Any:
        options.setdefault("threshold_bytes", THRESHOLD)
        return await self.open(**options)

    async def _send(self, ns: Any, model: str, payload: bytes, headers: dict[str, str]) -> Any:
        if model == "queue":
            return await ns.queue.enqueue("jobs", payload, headers=headers)
        if model == "stream":
            return await ns.stream.append("events", payload, headers=headers)
        return await ns.pubsub.publish("news", payload, headers=headers)

    async def _roundtrip(
        self, ns: Any, model: str, payload: bytes, headers: dict[str, str]
    ) -> tuple[bytes, dict[str, str]]:
        if model == "queue":
            await self._send(ns, model, payload, headers)
            if isinstance(ns.queue, AsyncQueueVisibility):
                lease = await ns.queue.receive("jobs", timeout=5)
                assert lease is not None
                await ns.queue.ack(lease)
                return lease.payload, dict(lease.message.headers)
            message = await ns.queue.dequeue("jobs", timeout=5)
            assert message is not None
            return message.payload, dict(message.headers)
        if model == "stream":
            offset = await self._send(ns, model, payload, headers)
            records = await ns.stream.read("events", offset, max_count=1)
            return records[0].payload, dict(records[0].headers)
        async with await ns.pubsub.subscribe("news") as sub:
            await self._send(ns, model, payload, headers)
            got = await sub.get(timeout=10)
            assert got is not None
            return got.payload, dict(got.headers)

    async def _keys(self, storage: Any) -> list[str]:
        keys: list[str] = []
        if isinstance(storage, AsyncKeyValueScan):
            async for key in storage.scan_keys("claim/"):
                keys.append(key)  # noqa: PERF401, PERF402, RUF100 (the sync twin is a plain loop)
        return keys

    async def _stored(self, ns: Any) -> int:
        storage = ns.runtime.storage
        if not isinstance(storage, AsyncKeyValueScan):
            pytest.skip("counting stored payloads needs keyvalue_scan on the storage slot")
        return await storage.count("claim/")

    async def test_offers_the_messaging_slots_interfaces(self) -> None:
        ns = await self._open()
        raw = ns.slots["messaging"]
        assert ns.models == raw.models & set(MESSAGING)
        for model in ns.models:
            assert _interfaces(ns.facet(model)) == _interfaces(raw.facet(model)), model

    async def test_payloads_come_back_exactly_at_and_around_the_threshold(self) -> None:
        ns = await self._open()
        for model in sorted(ns.models):
            for size in (0, THRESHOLD - 1, THRESHOLD, THRESHOLD + 1, 70_000):
                payload = bytes((i * 7 + size) % 256 for i in range(size))
                headers = {"trace": "t-1", "x.y": "ä ünïcode"}
                got, got_headers = await self._roundtrip(ns, model, payload, headers)
                assert got == payload, (model, size)
                assert got_headers == headers, (model, size)

    async def test_only_payloads_above_the_threshold_are_stored(self) -> None:
        ns = await self._open()
        model = "queue" if "queue" in ns.models else min(ns.models)
        before = await self._stored(ns)
        await self._send(ns, model, b"x" * THRESHOLD, {})
        assert await self._stored(ns) == before
        await self._send(ns, model, b"x" * (THRESHOLD + 1), {})
        assert await self._stored(ns) == before + 1

    async def test_claim_is_documented_json_a_plain_consumer_can_resolve(self) -> None:
        ns = await self._open()
        if "queue" not in ns.models and "stream" not in ns.models:
            pytest.skip("reading the raw message needs a queue or stream messaging slot")
        payload = b"\x00\xff" * 5000
        raw_messaging = await self.open_slot(ns.name, "messaging")
        raw_storage = await self.open_slot(ns.name, "storage")
        if "queue" in ns.models:
            await ns.queue.enqueue("jobs", payload, headers={"h": "1"})
            raw = await raw_messaging.queue.peek("jobs")
            assert raw is not None
            body, headers = raw.payload, raw.headers
        else:
            offset = await ns.stream.append("events", payload, headers={"h": "1"})
            record = (await raw_messaging.stream.read("events", offset, max_count=1))[0]
            body, headers = record.payload, record.headers
        assert headers[CLAIM_HEADER] == "v1"
        assert headers["h"] == "1"
        assert len(body) < 400
        claim = json.loads(body)
        assert claim["v"] == 1
        assert claim["size"] == len(payload)
        assert claim["sha256"] == hashlib.sha256(payload).hexdigest()
        assert claim["compression"] == "none"
        stored = await raw_storage.keyvalue.get(claim["key"])
        assert stored == payload
        assert claim["stored_size"] == len(stored)

    async def test_gzip_compresses_what_is_stored_and_restores_it(self) -> None:
        ns = await self._open(compression="gzip")
        model = "queue" if "queue" in ns.models else min(ns.models)
        payload = b"compressible " * 10_000
        got, _ = await self._roundtrip(ns, model, payload, {})
        assert got == payload
        if "stream" in ns.models:
            raw = await self.open_slot(ns.name, "messaging")
            offset = await ns.stream.append("events", payload)
            record = (await raw.stream.read("events", offset, max_count=1))[0]
            claim = json.loads(record.payload)
            assert claim["compression"] == "gzip"
            assert claim["stored_size"] < len(payload) // 10

    async def test_tampered_payload_raises_integrity_error(self) -> None:
        ns = await self._open()
        raw_storage = await self.open_slot(ns.name, "storage")
        model = "stream" if "stream" in ns.models else min(ns.models)
        payload = b"a" * 1000
        if model == "pubsub":
            sub = await ns.pubsub.subscribe("news")
        storage = ns.runtime.storage
        await self._send(ns, model, payload, {})
        keys = await self._keys(storage)
        if not keys:
            pytest.skip("finding the stored payload needs keyvalue_scan on the storage slot")
        await raw_storage.keyvalue.set(keys[-1], b"b" + payload[1:])  # same size, other bytes
        with pytest.raises(ClaimIntegrityError, match="SHA-256"):
            await self._receive_one(ns, model, sub if model == "pubsub" else None)

    async def _receive_one(self, ns: Any, model: str, sub: Any) -> Any:
        if model == "queue":
            return await ns.queue.peek("jobs")
        if model == "stream":
            return await ns.stream.read("events", 0, max_count=100)
        return await sub.get(timeout=10)

    async def test_truncated_and_missing_payloads_raise(self) -> None:
        ns = await self._open()
        model = "stream" if "stream" in ns.models else min(ns.models)
        if model == "pubsub":
            pytest.skip("needs a queue or stream messaging slot to read one message twice")
        storage: Any = ns.runtime.storage
        await self._send(ns, model, b"z" * 500, {})
        keys = await self._keys(storage)
        if not keys:
            pytest.skip("finding the stored payload needs keyvalue_scan on the storage slot")
        key = keys[-1]
        await storage.set(key, b"z" * 499)
        with pytest.raises(ClaimIntegrityError, match="499 bytes"):
            await self._receive_one(ns, model, None)
        await storage.delete(key)
        with pytest.raises(ClaimMissingError):
            await self._receive_one(ns, model, None)

    async def test_acknowledged_queue_messages_leave_no_stored_objects(self) -> None:
        ns = await self._open()
        if "queue" not in ns.models:
            pytest.skip("delete-after-ack applies to a queue messaging slot")
        await self._stored(ns)
        for i in range(50):
            await ns.queue.enqueue("jobs", bytes([i]) * 200)
        assert await self._stored(ns) == 50
        for _ in range(50):
            if isinstance(ns.queue, AsyncQueueVisibility):
                lease = await ns.queue.receive("jobs")
                assert lease is not None
                await ns.queue.ack(lease)
            else:
                assert await ns.queue.dequeue("jobs") is not None
        assert await self._stored(ns) == 0

    async def test_stream_objects_go_once_every_declared_group_acknowledged(self) -> None:
        ns = await self._open(stream_groups="billing,audit")
        if not isinstance(
            ns.facet("stream") if "stream" in ns.models else None, AsyncStreamConsumerGroups
        ):
            pytest.skip("delete-after-ack on a stream needs stream_consumer_groups")
        await self._stored(ns)
        for group in ("billing", "audit"):
            await ns.stream.create_group("clips", group, start="earliest")
        sent = [bytes([i]) * 200 for i in range(50)]
        for payload in sent:
            await ns.stream.append("clips", payload)
        assert await self._stored(ns) == 50
        for group, left in (("billing", 100), ("audit", 0)):  # objects, then billing's marks
            got: list[bytes] = []
            while records := await ns.stream.consume("clips", group, "c", max_count=20):
                got += [r.payload for r in records]
                await ns.stream.ack("clips", group, [r.offset for r in records])
            assert got == sent
            assert await self._stored(ns) == left

    async def test_released_lease_keeps_the_object_for_the_next_delivery(self) -> None:
        ns = await self._open()
        if not isinstance(
            ns.facet("queue") if "queue" in ns.models else None, AsyncQueueVisibility
        ):
            pytest.skip("needs queue_visibility")
        await ns.queue.enqueue("jobs", b"r" * 300)
        first = await ns.queue.receive("jobs")
        assert first is not None
        await ns.queue.release(first)
        second = await ns.queue.receive("jobs")
        assert second is not None
        assert second.payload == b"r" * 300
        assert second.message.attempts == 2
        await ns.queue.ack(second)
        assert await self._stored(ns) == 0

    async def test_pubsub_and_stream_objects_expire_queue_objects_wait_for_the_ack(self) -> None:
        ns = await self._open(payload_ttl=120)
        model = "stream" if "stream" in ns.models else min(ns.models)
        storage = ns.runtime.storage
        await self._send(ns, model, b"e" * 500, {})
        if isinstance(storage, AsyncKeyValueTTL) and isinstance(storage, AsyncKeyValueScan):
            key = (await self._keys(storage))[-1]
            ttl = await storage.get_ttl(key)
            if model == "queue":  # deleted with the ack, however long the message waits
                assert ttl is None
            else:
                assert ttl is not None
                assert 0 < ttl <= 120
        assert await ns.runtime.collect_orphans(older_than=3600) == 0
        assert await ns.runtime.collect_orphans(older_than=0) == 1
        assert await self._stored(ns) == 0

    async def test_reserved_header_is_refused_before_anything_is_stored(self) -> None:
        ns = await self._open()
        model = min(ns.models)
        before = await self._stored(ns)
        with pytest.raises(InvalidArgumentError, match=CLAIM_HEADER):
            await self._send(ns, model, b"q" * 500, {CLAIM_HEADER: "v1"})
        with pytest.raises(InvalidArgumentError):
            await self._send(ns, model, "not bytes" * 100, {})  # type: ignore[arg-type]
        assert await self._stored(ns) == before
