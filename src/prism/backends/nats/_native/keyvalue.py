"""nats keyvalue: keyvalue_basic, _scan, _ttl, _cas and _batch on one JetStream
key-value bucket per namespace (``<prefix>-<namespace>-kv``, history 1, direct get).

* A key is stored under its escaped form (``_names.escape``): one subject token
  ``$KV.<bucket>.<escaped key>``; scans filter decoded keys by prefix on the client.
* Writes are publishes to the bucket's subject (nats-py's ``kv.put`` takes no TTL); every
  read-modify-write (``delete``, ``expire``, ``persist``, compare-and-swap) sends
  ``Nats-Expected-Last-Subject-Sequence`` with the revision it read and retries when another
  writer came first, so each is atomic per key.
* TTL: the exact deadline (epoch seconds, the client's clock) travels in the ``Prism-Expires``
  header, and every read treats a key past it as absent at once; the server reclaims the
  message through its per-message TTL (``Nats-TTL``), which NATS keeps in whole seconds: the
  TTL is rounded **up** to the next second, so the server never drops a key before its time.
* A delete is a ``KV-Operation: PURGE`` marker with ``Nats-Rollup: sub`` (older revisions go),
  itself removed by the server a minute later.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import nats.js.errors  # noqa: TID253 (backend-internal module)
from nats.js import api  # noqa: TID253

from prism._validate import Duration
from prism.backends._errors import translated, translating
from prism.backends.nats._errors import translate
from prism.backends.nats._names import escape, unescape
from prism.backends.nats._native._facet import AsyncNatsFacet
from prism.errors import KeyNotFoundError
from prism.interfaces._async.keyvalue import (
    AsyncKeyValueBasic,
    AsyncKeyValueBatch,
    AsyncKeyValueCAS,
    AsyncKeyValueScan,
    AsyncKeyValueTTL,
)

__all__ = ["AsyncNatsKeyValue"]

BACKEND = "nats"
EXPIRES = "Prism-Expires"
_OP = "KV-Operation"
_MARKER = "Nats-Marker-Reason"
_EXPECT = "Nats-Expected-Last-Subject-Sequence"
_TOMBSTONE_TTL = 60
_SCAN_WAIT = 5.0


@dataclass(frozen=True, slots=True)
class _Entry:
    revision: int
    """The key's last revision (0: never written); what a conditional write expects."""
    value: bytes | None
    """None when absent (deleted, expired, never written)."""
    expires: float | None


def _wrong_last(exc: BaseException) -> bool:
    return isinstance(exc, nats.js.errors.APIError) and exc.err_code in (10071, 10164)


class AsyncNatsKeyValue(
    AsyncNatsFacet,
    AsyncKeyValueBasic,
    AsyncKeyValueScan,
    AsyncKeyValueTTL,
    AsyncKeyValueCAS,
    AsyncKeyValueBatch,
):
    def __init__(self, backend: Any, namespace: str) -> None:
        super().__init__(backend, namespace)
        self.bucket = f"{self._name_root}-kv"
        self.stream = f"KV_{self.bucket}"
        self._pre = f"$KV.{self.bucket}."

    async def _ensure(self) -> None:
        if self.bucket in self._b.ready:
            return
        async with self._b.setup_lock:
            if self.bucket not in self._b.ready:
                await self._create()

    async def _create(self) -> None:
        config = api.KeyValueConfig(bucket=self.bucket, history=1, direct=True)
        try:
            await self.js.key_value(self.bucket)
        except nats.js.errors.BucketNotFoundError:
            await self.js.create_key_value(config=config)
        self._b.ready.add(self.bucket)

    async def _read(self, key: str) -> _Entry:
        subject = self._pre + escape(key)
        try:
            msg = await self.js.get_msg(self.stream, subject=subject, direct=True)
        except nats.js.errors.NotFoundError:
            return _Entry(0, None, None)
        headers = msg.headers or {}
        if _OP in headers or _MARKER in headers:
            return _Entry(msg.seq or 0, None, None)
        raw = headers.get(EXPIRES)
        expires = float(raw) if raw is not None else None
        if expires is not None and time.time() >= expires:
            return _Entry(msg.seq or 0, None, None)
        return _Entry(msg.seq or 0, msg.data or b"", expires)

    async def _write(
        self,
        key: str,
        value: bytes,
        *,
        expires: float | None = None,
        last: int | None = None,
    ) -> bool:
        """Publish ``value``; with ``last``, only if the key's revision is still ``last``
        (False when it is not)."""
        headers: dict[str, str] = {}
        ttl: float | None = None
        if expires is not None:
            headers[EXPIRES] = repr(expires)
            ttl = max(1, math.ceil(expires - time.time()))
        if last is not None:
            headers[_EXPECT] = str(last)
        try:
            async with self._b.inflight:
                await self.js.publish(
                    self._pre + escape(key), value, headers=headers or None, msg_ttl=ttl
                )
        except nats.js.errors.APIError as exc:
            if last is not None and _wrong_last(exc):
                return False
            raise
        return True

    async def _remove(self, key: str, last: int) -> bool:
        headers = {_OP: "PURGE", "Nats-Rollup": "sub", _EXPECT: str(last)}
        try:
            async with self._b.inflight:
                await self.js.publish(
                    self._pre + escape(key), b"", headers=headers, msg_ttl=_TOMBSTONE_TTL
                )
        except nats.js.errors.APIError as exc:
            if _wrong_last(exc):
                return False
            raise
        return True

    # keyvalue_basic / keyvalue_ttl ---------------------------------------------------------------

    async def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        b = self._b
        try:
            if self.bucket not in b.ready:
                await self._ensure()
            if ttl is None:  # the hot path: one publish, no header
                async with b.inflight:
                    await b.js.publish(self._pre + escape(key), value)
                return
            expires = time.time() + float(ttl)  # type: ignore[arg-type]
            await self._write(key, value, expires=expires)
        except Exception as exc:
            raise translated(exc, BACKEND, "set", translate) from exc

    async def get(self, key: str) -> bytes:
        with translating(BACKEND, "get", translate):
            await self._ensure()
            entry = await self._read(key)
        if entry.value is None:
            raise KeyNotFoundError(key)
        return entry.value

    async def _read_bounded(self, key: str) -> _Entry:
        """:meth:`_read` holding an in-flight slot: batches send thousands of reads at once,
        and unbounded they wait past the request timeout on a loaded server."""
        async with self._b.inflight:
            return await self._read(key)

    async def _delete(self, key: str) -> bool:
        while True:
            entry = await self._read_bounded(key)
            if entry.value is None:
                return False
            if await self._remove(key, entry.revision):
                return True

    async def delete(self, key: str) -> bool:
        with translating(BACKEND, "delete", translate):
            await self._ensure()
            return await self._delete(key)

    async def exists(self, key: str) -> bool:
        with translating(BACKEND, "exists", translate):
            await self._ensure()
            return (await self._read(key)).value is not None

    async def expire(self, key: str, ttl: Duration) -> bool:
        with translating(BACKEND, "expire", translate):
            await self._ensure()
            while True:
                entry = await self._read(key)
                if entry.value is None:
                    return False
                expires = time.time() + float(ttl)  # type: ignore[arg-type]
                if await self._write(key, entry.value, expires=expires, last=entry.revision):
                    return True

    async def get_ttl(self, key: str) -> float | None:
        with translating(BACKEND, "get_ttl", translate):
            await self._ensure()
            entry = await self._read(key)
        if entry.value is None:
            raise KeyNotFoundError(key)
        if entry.expires is None:
            return None
        return max(entry.expires - time.time(), 0.0)

    async def persist(self, key: str) -> bool:
        with translating(BACKEND, "persist", translate):
            await self._ensure()
            while True:
                entry = await self._read(key)
                if entry.value is None or entry.expires is None:
                    return False
                if await self._write(key, entry.value, last=entry.revision):
                    return True

    # keyvalue_batch -------------------------------------------------------------------------------
    # Each key is its own subject: a batch is that many requests sent concurrently (pipelined on
    # the one connection, at most ``inflight`` JetStream publishes awaiting their ack).  Not
    # atomic: JetStream has no multi-subject commit that nats-py 2.16 can send.

    async def set_many(self, items: Mapping[str, bytes]) -> None:
        if not items:
            return
        with translating(BACKEND, "set_many", translate):
            await self._ensure()
            await asyncio.gather(*(self._write(key, value) for key, value in items.items()))

    async def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        unique = list(dict.fromkeys(keys))
        if not unique:
            return {}
        with translating(BACKEND, "get_many", translate):
            await self._ensure()
            entries = await asyncio.gather(*(self._read_bounded(key) for key in unique))
        return {k: e.value for k, e in zip(unique, entries, strict=True) if e.value is not None}

    async def delete_many(self, keys: Iterable[str]) -> int:
        unique = list(dict.fromkeys(keys))
        if not unique:
            return 0
        with translating(BACKEND, "delete_many", translate):
            await self._ensure()
            done = await asyncio.gather(*(self._delete(key) for key in unique))
        return sum(done)

    # keyvalue_cas ---------------------------------------------------------------------------------

    async def compare_and_swap(self, key: str, expected: bytes | None, new: bytes) -> bool:
        with translating(BACKEND, "compare_and_swap", translate):
            await self._ensure()
            while True:
                entry = await self._read(key)
                if entry.value != expected:
                    return False
                if await self._write(key, new, last=entry.revision):
                    return True

    async def compare_and_delete(self, key: str, expected: bytes) -> bool:
        with translating(BACKEND, "compare_and_delete", translate):
            await self._ensure()
            while True:
                entry = await self._read(key)
                if entry.value != expected:
                    return False
                if await self._remove(key, entry.revision):
                    return True

    # keyvalue_scan --------------------------------------------------------------------------------

    async def _entries(self, prefix: str, values: bool) -> AsyncGenerator[tuple[str, bytes], None]:
        """Every live ``(key, value)`` whose key starts with ``prefix`` (value b"" when
        ``values`` is False), through an ordered consumer delivering the last message per
        subject (headers only when values are not wanted); nats-py's flow control pages it."""
        with translating(BACKEND, "scan", translate):
            await self._ensure()
            sub = await self.js.subscribe(
                self._pre + ">",
                stream=self.stream,
                ordered_consumer=True,
                deliver_policy=api.DeliverPolicy.LAST_PER_SUBJECT,
                headers_only=not values,
                inactive_threshold=30.0,
            )
        try:
            with translating(BACKEND, "scan", translate):
                info = await sub.consumer_info()
            delivered = info.delivered.consumer_seq if info.delivered else 0
            if info.num_pending == 0 and delivered == 0:
                return  # nothing was or will be delivered
            while True:
                with translating(BACKEND, "scan", translate):
                    msg = await sub.next_msg(timeout=_SCAN_WAIT)
                key = unescape(msg.subject[len(self._pre) :])
                headers = msg.headers or {}
                live = _OP not in headers and _MARKER not in headers
                raw = headers.get(EXPIRES)
                if live and raw is not None and time.time() >= float(raw):
                    live = False
                if live and key.startswith(prefix):
                    yield key, (msg.data if values else b"")
                if msg.metadata.num_pending == 0:
                    return
        finally:
            with translating(BACKEND, "scan", translate):
                await sub.unsubscribe()

    async def scan(
        self, prefix: str = "", *, limit: int | None = None
    ) -> AsyncIterator[tuple[str, bytes]]:
        if limit == 0:
            return
        seen = 0
        async with contextlib.aclosing(self._entries(prefix, values=True)) as entries:
            async for item in entries:
                yield item
                seen += 1
                if limit is not None and seen >= limit:
                    return

    async def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[str]:
        if limit == 0:
            return
        seen = 0
        async with contextlib.aclosing(self._entries(prefix, values=False)) as entries:
            async for key, _ in entries:
                yield key
                seen += 1
                if limit is not None and seen >= limit:
                    return

    async def count(self, prefix: str = "") -> int:
        total = 0
        async for _ in self._entries(prefix, values=False):
            total += 1
        return total
