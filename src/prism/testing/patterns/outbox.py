# Generated from src/prism/testing/patterns/_async/outbox.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The outbox pattern suite (the sync twin, generated from the async source)."""

from __future__ import annotations

from typing import Any

import pytest

from prism.errors import InvalidArgumentError, UnsupportedError
from prism.patterns.outbox import MESSAGE_ID_HEADER
from prism.testing.patterns.base import PatternSuite

__all__ = ["OutboxSuite"]


class OutboxSuite(PatternSuite, pattern="outbox"):
    """Business writes and messages commit together; the relay publishes them at least once,
    in commit order per key, with a stable message id."""

    def _model(self, ns: Any) -> str:
        for model in ("queue", "stream", "pubsub"):
            if model in ns.models:
                return model
        pytest.fail(f"the messaging slot offers none of queue, stream, pubsub: {ns.models}")
        return ""

    def _stage(self, tx: Any, model: str, payload: bytes, key: str | None = None, **kw: Any) -> str:
        if model == "queue":
            return tx.enqueue("jobs", payload, **kw)  # type: ignore[no-any-return]
        if model == "stream":
            return tx.append("events", payload, key=key, **kw)  # type: ignore[no-any-return]
        return tx.publish("news", payload, ordering_key=key, **kw)  # type: ignore[no-any-return]

    def _subscribe(self, ns: Any, model: str) -> Any:
        return ns.pubsub.subscribe("news") if model == "pubsub" else None

    def _received(self, ns: Any, model: str, sub: Any, count: int) -> list[Any]:
        """``count`` messages published by the relay, as (payload, headers) pairs."""
        out: list[Any] = []
        if model == "queue":
            for _ in range(count):
                message = ns.queue.dequeue("jobs", timeout=5)
                assert message is not None
                out.append((message.payload, dict(message.headers)))
            assert ns.queue.dequeue("jobs") is None
        elif model == "stream":
            records = ns.stream.read("events", 0, max_count=count + 10)
            out = [(r.payload, dict(r.headers)) for r in records]
        else:
            for _ in range(count):
                message = sub.get(timeout=10)
                assert message is not None
                out.append((message.payload, dict(message.headers)))
        assert len(out) == count
        return out

    def _relay_all(self, ns: Any) -> int:
        total = 0
        while done := ns.run_once():
            total += done
        return total

    def test_commit_writes_data_and_rows_together_and_the_relay_publishes(self) -> None:
        ns = self.open()
        model = self._model(ns)
        sub = self._subscribe(ns, model)
        kv = ns.slots["database"].keyvalue
        with ns.transaction() as tx:
            tx.set("order/1", b"paid")
            ident = self._stage(tx, model, b"receipt 1", headers={"to": "ana"})
            assert ns.pending() == 0  # nothing visible before the commit
        assert kv.get("order/1") == b"paid"
        assert ns.pending() == 1
        assert self._relay_all(ns) == 1
        assert ns.pending() == 0
        [(payload, headers)] = self._received(ns, model, sub, 1)
        assert payload == b"receipt 1"
        assert headers == {"to": "ana", MESSAGE_ID_HEADER: ident}

    def test_a_block_that_raises_writes_neither_data_nor_messages(self) -> None:
        ns = self.open()
        model = self._model(ns)
        kv = ns.slots["database"].keyvalue
        tx = ns.transaction()
        with pytest.raises(RuntimeError):
            self._fail_inside(tx, model)
        assert not kv.exists("order/2")
        assert ns.pending() == 0
        assert self._relay_all(ns) == 0

    def _fail_inside(self, tx: Any, model: str) -> None:
        with tx:
            tx.set("order/2", b"x")
            self._stage(tx, model, b"never")
            raise RuntimeError

    def test_commit_order_is_kept_per_key_across_transactions(self) -> None:
        ns = self.open(relay_batch=3)
        model = self._model(ns)
        sub = self._subscribe(ns, model)
        sent = []
        for i in range(7):
            with ns.transaction() as tx:
                for part in range(2):
                    body = f"k{i % 2}-{i}-{part}".encode()
                    self._stage(tx, model, body, key=f"k{i % 2}")
                    sent.append(body)
        assert self._relay_all(ns) == 14
        got = [p for p, _ in self._received(ns, model, sub, 14)]
        for key in (b"k0", b"k1"):
            assert [p for p in got if p.startswith(key)] == [p for p in sent if p.startswith(key)]

    def test_message_ids_are_unique_and_stable(self) -> None:
        ns = self.open()
        model = self._model(ns)
        sub = self._subscribe(ns, model)
        with ns.transaction() as tx:
            ids = [self._stage(tx, model, bytes([i])) for i in range(5)]
        assert len(set(ids)) == 5
        self._relay_all(ns)
        got = self._received(ns, model, sub, 5)
        assert sorted(h[MESSAGE_ID_HEADER] for _, h in got) == sorted(ids)

    def test_a_second_relay_waits_while_the_first_holds_the_lease(self) -> None:
        first = self.open(relay_lease=3600)
        second = self.open(first.name, relay_lease=3600)
        model = self._model(first)
        with first.transaction() as tx:
            self._stage(tx, model, b"once")
        assert first.run_once() == 1
        with second.transaction() as tx:
            self._stage(tx, model, b"twice")
        assert second.run_once() == 0  # the first relay's lease is still valid
        assert second.pending() == 1
        assert first.run_once() == 1
        assert second.pending() == 0

    def test_the_background_relay_publishes_without_run_once(self) -> None:
        ns = self.open(relay=True, relay_interval=0.02)
        model = self._model(ns)
        with ns.transaction() as tx:
            self._stage(tx, model, b"bg")

        def drained() -> bool:
            return bool(ns.pending() == 0)

        self._eventually(drained)

    def _eventually(self, check: Any, timeout: float = 10.0) -> None:
        import time

        from prism._compat import sleep

        deadline = time.monotonic() + timeout
        while not check():
            assert time.monotonic() < deadline, "condition not met in time"
            sleep(0.02)

    def test_bad_input_is_refused_before_anything_is_written(self) -> None:
        ns = self.open()
        model = self._model(ns)
        with ns.transaction() as tx:
            with pytest.raises(InvalidArgumentError, match="reserved"):
                tx.set("prism-outbox/row/x", b"forged")
            with pytest.raises(InvalidArgumentError):
                self._stage(tx, model, "text, not bytes")  # type: ignore[arg-type]
            with pytest.raises(InvalidArgumentError, match=MESSAGE_ID_HEADER):
                self._stage(tx, model, b"x", headers={MESSAGE_ID_HEADER: "mine"})
            missing = next((m for m in ("pubsub", "queue", "stream") if m not in ns.models), None)
            if missing:
                with pytest.raises(UnsupportedError, match=missing):
                    self._stage(tx, missing, b"x")
        assert ns.pending() == 0
