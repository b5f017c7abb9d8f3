"""The outbox pattern suite (async source; the sync twin is generated)."""

from __future__ import annotations

from typing import Any

import pytest

from prism.errors import InvalidArgumentError, UnsupportedError
from prism.patterns._async.outbox import MESSAGE_ID_HEADER
from prism.testing.patterns._async.base import AsyncPatternSuite

__all__ = ["AsyncOutboxSuite"]


class AsyncOutboxSuite(AsyncPatternSuite, pattern="outbox"):
    """Business writes and messages commit together; the relay publishes them at least once,
    in commit order per key, with a stable message id."""

    def _model(self, ns: Any) -> str:
        for model in ("queue", "stream", "pubsub"):
            if model in ns.models:
                return model
        pytest.fail(f"the messaging slot offers none of queue, stream, pubsub: {ns.models}")
        return ""

    async def _stage(
        self, tx: Any, model: str, payload: bytes, key: str | None = None, **kw: Any
    ) -> str:
        if model == "queue":
            return await tx.enqueue("jobs", payload, **kw)  # type: ignore[no-any-return]
        if model == "stream":
            return await tx.append("events", payload, key=key, **kw)  # type: ignore[no-any-return]
        return await tx.publish("news", payload, ordering_key=key, **kw)  # type: ignore[no-any-return]

    async def _subscribe(self, ns: Any, model: str) -> Any:
        return await ns.pubsub.subscribe("news") if model == "pubsub" else None

    async def _received(self, ns: Any, model: str, sub: Any, count: int) -> list[Any]:
        """``count`` messages published by the relay, as (payload, headers) pairs."""
        out: list[Any] = []
        if model == "queue":
            for _ in range(count):
                message = await ns.queue.dequeue("jobs", timeout=5)
                assert message is not None
                out.append((message.payload, dict(message.headers)))
            assert await ns.queue.dequeue("jobs") is None
        elif model == "stream":
            records = await ns.stream.read("events", 0, max_count=count + 10)
            out = [(r.payload, dict(r.headers)) for r in records]
        else:
            for _ in range(count):
                message = await sub.get(timeout=10)
                assert message is not None
                out.append((message.payload, dict(message.headers)))
        assert len(out) == count
        return out

    async def _relay_all(self, ns: Any) -> int:
        total = 0
        while done := await ns.run_once():
            total += done
        return total

    async def test_commit_writes_data_and_rows_together_and_the_relay_publishes(self) -> None:
        ns = await self.open()
        model = self._model(ns)
        sub = await self._subscribe(ns, model)
        kv = ns.slots["database"].keyvalue
        async with ns.transaction() as tx:
            await tx.set("order/1", b"paid")
            ident = await self._stage(tx, model, b"receipt 1", headers={"to": "ana"})
            assert await ns.pending() == 0  # nothing visible before the commit
        assert await kv.get("order/1") == b"paid"
        assert await ns.pending() == 1
        assert await self._relay_all(ns) == 1
        assert await ns.pending() == 0
        [(payload, headers)] = await self._received(ns, model, sub, 1)
        assert payload == b"receipt 1"
        assert headers == {"to": "ana", MESSAGE_ID_HEADER: ident}

    async def test_a_block_that_raises_writes_neither_data_nor_messages(self) -> None:
        ns = await self.open()
        model = self._model(ns)
        kv = ns.slots["database"].keyvalue
        tx = ns.transaction()
        with pytest.raises(RuntimeError):
            await self._fail_inside(tx, model)
        assert not await kv.exists("order/2")
        assert await ns.pending() == 0
        assert await self._relay_all(ns) == 0

    async def _fail_inside(self, tx: Any, model: str) -> None:
        async with tx:
            await tx.set("order/2", b"x")
            await self._stage(tx, model, b"never")
            raise RuntimeError

    async def test_commit_order_is_kept_per_key_across_transactions(self) -> None:
        ns = await self.open(relay_batch=3)
        model = self._model(ns)
        sub = await self._subscribe(ns, model)
        sent = []
        for i in range(7):
            async with ns.transaction() as tx:
                for part in range(2):
                    body = f"k{i % 2}-{i}-{part}".encode()
                    await self._stage(tx, model, body, key=f"k{i % 2}")
                    sent.append(body)
        assert await self._relay_all(ns) == 14
        got = [p for p, _ in await self._received(ns, model, sub, 14)]
        for key in (b"k0", b"k1"):
            assert [p for p in got if p.startswith(key)] == [p for p in sent if p.startswith(key)]

    async def test_message_ids_are_unique_and_stable(self) -> None:
        ns = await self.open()
        model = self._model(ns)
        sub = await self._subscribe(ns, model)
        async with ns.transaction() as tx:
            ids = [await self._stage(tx, model, bytes([i])) for i in range(5)]
        assert len(set(ids)) == 5
        await self._relay_all(ns)
        got = await self._received(ns, model, sub, 5)
        assert sorted(h[MESSAGE_ID_HEADER] for _, h in got) == sorted(ids)

    async def test_a_second_relay_waits_while_the_first_holds_the_lease(self) -> None:
        first = await self.open(relay_lease=3600)
        second = await self.open(first.name, relay_lease=3600)
        model = self._model(first)
        async with first.transaction() as tx:
            await self._stage(tx, model, b"once")
        assert await first.run_once() == 1
        async with second.transaction() as tx:
            await self._stage(tx, model, b"twice")
        assert await second.run_once() == 0  # the first relay's lease is still valid
        assert await second.pending() == 1
        assert await first.run_once() == 1
        assert await second.pending() == 0

    async def test_the_background_relay_publishes_without_run_once(self) -> None:
        ns = await self.open(relay=True, relay_interval=0.02)
        model = self._model(ns)
        async with ns.transaction() as tx:
            await self._stage(tx, model, b"bg")

        async def drained() -> bool:
            return bool(await ns.pending() == 0)

        await self._eventually(drained)

    async def _eventually(self, check: Any, timeout: float = 10.0) -> None:
        import time

        from prism._compat import sleep_async

        deadline = time.monotonic() + timeout
        while not await check():
            assert time.monotonic() < deadline, "condition not met in time"
            await sleep_async(0.02)

    async def test_bad_input_is_refused_before_anything_is_written(self) -> None:
        ns = await self.open()
        model = self._model(ns)
        async with ns.transaction() as tx:
            with pytest.raises(InvalidArgumentError, match="reserved"):
                await tx.set("prism-outbox/row/x", b"forged")
            with pytest.raises(InvalidArgumentError):
                await self._stage(tx, model, "text, not bytes")  # type: ignore[arg-type]
            with pytest.raises(InvalidArgumentError, match=MESSAGE_ID_HEADER):
                await self._stage(tx, model, b"x", headers={MESSAGE_ID_HEADER: "mine"})
            missing = next((m for m in ("pubsub", "queue", "stream") if m not in ns.models), None)
            if missing:
                with pytest.raises(UnsupportedError, match=missing):
                    await self._stage(tx, missing, b"x")
        assert await ns.pending() == 0
