"""The claim-check pattern (async source; the sync twin is generated).

Payloads larger than ``threshold_bytes`` are written to the storage slot and the message carries
a claim instead (see :mod:`prism.patterns._claim` for the format); every receive path resolves
claims back to the original bytes, verifying size and SHA-256.  Cleanup: a queue message's
object is deleted once the message is acknowledged (``ack``, or ``dequeue`` which removes it);
a stream's object is deleted once every consumer group named by the ``stream_groups`` option
acknowledged its record, and expires otherwise; pub/sub objects carry an expiry (a storage TTL
when the slot has keyvalue_ttl) since any number of subscribers or replays may still read them;
a failed send deletes what it stored; :meth:`AsyncClaimCheck.collect_orphans` sweeps the rest.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from prism import _validate
from prism._validate import Duration
from prism.errors import InvalidArgumentError, KeyNotFoundError, UnsupportedError
from prism.interfaces import (
    AsyncDurableSubscription,
    AsyncKeyValueBasic,
    AsyncKeyValueScan,
    AsyncKeyValueTTL,
    AsyncSubscription,
)
from prism.patterns._async._wrap import AsyncFacetDecorator, decorate
from prism.patterns._claim import (
    ACK_MARK,
    CLAIM_HEADER,
    CLAIM_VERSION,
    KEY_PREFIX,
    Claim,
    check_compression,
    compress,
    parse_claim,
    sha256_later,
    verify,
)
from prism.patterns._errors import ClaimMissingError
from prism.types import Lease, Message, QueueMessage, StreamRecord

__all__ = ["AsyncClaimCheck"]

T = TypeVar("T")


class AsyncClaimCheck:
    """The claim-check runtime of one namespace: stores, resolves and deletes payloads."""

    def __init__(
        self,
        storage: AsyncKeyValueBasic,
        *,
        threshold_bytes: int = 262_144,
        payload_ttl: float = 86_400.0,
        compression: str = "none",
        stream_groups: str | Sequence[str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if type(threshold_bytes) is not int or threshold_bytes < 0:
            msg = f"claim-check option threshold_bytes must be an int >= 0, not {threshold_bytes!r}"
            raise InvalidArgumentError(msg)
        self.storage = storage
        self.threshold_bytes = threshold_bytes
        self.payload_ttl = float(payload_ttl)
        self.compression = check_compression(compression)
        self.stream_groups = _groups(stream_groups)
        self.clock = clock

    # ----- sending -------------------------------------------------------------------------

    async def store(
        self, payload: bytes, headers: Mapping[str, str] | None, *, expires: bool
    ) -> tuple[bytes, dict[str, str] | None, str | None]:
        """``(payload, headers, stored key)`` to send: the claim when ``payload`` is large."""
        if headers and CLAIM_HEADER in headers:
            msg = f"headers: {CLAIM_HEADER!r} is reserved for claim-check claims"
            raise InvalidArgumentError(msg)
        if len(payload) <= self.threshold_bytes:
            return payload, None if headers is None else dict(headers), None
        data = bytes(payload)
        now = self.clock()
        key = f"{KEY_PREFIX}{int(now * 1000):013d}/{uuid.uuid4().hex}"
        digest = sha256_later(data)
        stored = compress(data, self.compression)
        if expires and isinstance(self.storage, AsyncKeyValueTTL):
            await self.storage.set(key, stored, ttl=self.payload_ttl)
        else:
            await self.storage.set(key, stored)
        claim = Claim(
            key=key,
            size=len(data),
            sha256=digest(),
            compression=self.compression,
            stored_size=len(stored),
            expires=now + self.payload_ttl if expires else None,
        )
        out = dict(headers or {})
        out[CLAIM_HEADER] = CLAIM_VERSION
        return claim.encode(), out, key

    async def acked(self, key: str, group: str) -> bool:
        """Record that ``group`` (one of :attr:`stream_groups`) acknowledged the record holding
        the claim ``key``; once every declared group has, delete the object and the marks.
        Whether it was deleted.

        Each group's acknowledgement is a mark ``<key>/acked/<group>`` in the storage slot, so
        consumers in any process count; a group acknowledging twice marks once.  Every caller
        writes its mark before it looks at the others', so with concurrent acknowledgements at
        least the last one sees every mark (deleting twice is harmless)."""
        mark = f"{key}{ACK_MARK}"
        await self.storage.set(mark + group, b"")
        for other in self.stream_groups:
            if other != group and not await self.storage.exists(mark + other):
                return False
        await self.storage.delete(key)
        for other in self.stream_groups:
            await self.storage.delete(mark + other)
        return True

    async def discard(self, key: str | None) -> None:
        """Delete a stored object (after an acknowledgement or a failed send)."""
        if key is not None:
            await self.storage.delete(key)

    # ----- receiving -----------------------------------------------------------------------

    async def resolve(
        self, payload: bytes, headers: Mapping[str, str]
    ) -> tuple[bytes, Mapping[str, str], str | None]:
        """``(original payload, headers without the marker, stored key or None)``."""
        if headers.get(CLAIM_HEADER) is None:
            return payload, headers, None
        claim = parse_claim(payload)
        try:
            stored = await self.storage.get(claim.key)
        except KeyNotFoundError as exc:
            msg = (
                f"the stored payload of claim {claim.key!r} is missing (expired, collected or "
                "deleted)"
            )
            raise ClaimMissingError(msg) from exc
        data = verify(stored, claim)
        rest = {k: v for k, v in headers.items() if k != CLAIM_HEADER}
        return data, rest, claim.key

    async def message(self, message: Message | None) -> Message | None:
        if message is None:
            return None
        payload, headers, _ = await self.resolve(message.payload, message.headers)
        if headers is message.headers:
            return message
        return _replace(message, payload=payload, headers=headers)

    async def record(self, record: StreamRecord) -> StreamRecord:
        payload, headers, _ = await self.resolve(record.payload, record.headers)
        if headers is record.headers:
            return record
        return _replace(record, payload=payload, headers=headers)

    async def records(self, records: list[StreamRecord]) -> list[StreamRecord]:
        return [await self.record(r) for r in records]

    async def queue_message(
        self, message: QueueMessage | None
    ) -> tuple[QueueMessage | None, str | None]:
        if message is None:
            return None, None
        payload, headers, key = await self.resolve(message.payload, message.headers)
        if key is None:
            return message, None
        return _replace(message, payload=payload, headers=headers), key

    # ----- housekeeping --------------------------------------------------------------------

    async def collect_orphans(self, older_than: float | None = None) -> int:
        """Delete stored payloads written more than ``older_than`` seconds ago (default: the
        ``payload_ttl``); return how many were deleted.  Needs keyvalue_scan on the storage
        slot.  Messages still holding a claim to a collected object raise
        ``ClaimMissingError`` when received."""
        if not isinstance(self.storage, AsyncKeyValueScan):
            msg = "collect_orphans needs keyvalue_scan on the claim-check storage slot"
            raise UnsupportedError(msg)
        age = self.payload_ttl if older_than is None else float(older_than)
        cutoff = int((self.clock() - age) * 1000)
        doomed = []
        async for key in self.storage.scan_keys(KEY_PREFIX):
            stamp = key[len(KEY_PREFIX) :].split("/", 1)[0]
            if stamp.isdigit() and int(stamp) <= cutoff:
                doomed.append(key)
        removed = 0
        for key in doomed:
            removed += bool(await self.storage.delete(key))
        return removed


def _groups(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """The declared consumer groups: a comma-separated string (``prism.yaml``) or a sequence."""
    if value is None:
        return ()
    names = value.split(",") if isinstance(value, str) else list(value)
    out = tuple(
        dict.fromkeys(_validate.name(n.strip(), "stream_groups") for n in names if n.strip())
    )
    if not out and value:
        msg = "claim-check option stream_groups names no group"
        raise InvalidArgumentError(msg)
    return out


def _replace(obj: T, **changes: Any) -> T:
    return dataclasses.replace(obj, **changes)  # type: ignore[type-var]


async def _send(cc: AsyncClaimCheck, expires: bool, payload: bytes, headers: Any, send: Any) -> Any:
    body, out, key = await cc.store(payload, headers, expires=expires)
    try:
        return await send(body, out)
    except BaseException:
        await cc.discard(key)
        raise


class AsyncClaimPubSub(AsyncFacetDecorator):
    """pub/sub through claim-check: publish paths store large payloads, subscriptions resolve."""

    def __init__(self, inner: Any, cc: AsyncClaimCheck) -> None:
        super().__init__(inner)
        self._cc = cc

    async def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        extra = {} if attributes is None else {"attributes": attributes}

        async def send(body: bytes, out: Any) -> Any:
            return await self._inner.publish(topic, body, headers=out, **extra)

        await _send(self._cc, True, payload, headers, send)

    async def publish_persistent(
        self, topic: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> str:
        async def send(body: bytes, out: Any) -> Any:
            return await self._inner.publish_persistent(topic, body, headers=out)

        return await _send(self._cc, True, payload, headers, send)  # type: ignore[no-any-return]

    async def publish_ordered(
        self,
        topic: str,
        payload: bytes,
        ordering_key: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        async def send(body: bytes, out: Any) -> Any:
            return await self._inner.publish_ordered(topic, body, ordering_key, headers=out)

        await _send(self._cc, True, payload, headers, send)

    async def subscribe(self, topic: str) -> AsyncSubscription:
        return AsyncClaimSubscription(await self._inner.subscribe(topic), self._cc)

    async def subscribe_pattern(self, pattern: str) -> AsyncSubscription:
        return AsyncClaimSubscription(await self._inner.subscribe_pattern(pattern), self._cc)

    async def subscribe_filtered(self, topic: str, filter: Mapping[str, Any]) -> AsyncSubscription:
        inner = await self._inner.subscribe_filtered(topic, filter)
        return AsyncClaimSubscription(inner, self._cc)

    async def subscribe_durable(
        self, topic: str, name: str, *, start: Any = "earliest", ack_wait: Any = 30.0
    ) -> AsyncDurableSubscription:
        inner = await self._inner.subscribe_durable(topic, name, start=start, ack_wait=ack_wait)
        return AsyncClaimDurableSubscription(inner, self._cc)


class AsyncClaimSubscription(AsyncSubscription):
    """A subscription whose messages carry their original payloads."""

    __slots__ = ("_cc", "_inner")

    def __init__(self, inner: AsyncSubscription, cc: AsyncClaimCheck) -> None:
        self._inner = inner
        self._cc = cc

    async def get(self, timeout: Duration | None = None) -> Message | None:
        return await self._cc.message(await self._inner.get(timeout))

    async def close(self) -> None:
        await self._inner.close()

    @property
    def closed(self) -> bool:
        return self._inner.closed


class AsyncClaimDurableSubscription(AsyncDurableSubscription):
    """A durable subscription whose messages carry their original payloads."""

    __slots__ = ("_cc", "_inner", "_pending")

    def __init__(self, inner: AsyncDurableSubscription, cc: AsyncClaimCheck) -> None:
        self._inner = inner
        self._cc = cc
        self._pending: dict[str | None, Message] = {}

    async def get(self, timeout: Duration | None = None) -> Message | None:
        raw = await self._inner.get(timeout)
        if raw is None:
            return None
        message = await self._cc.message(raw)
        if message is not raw:
            self._pending[raw.id] = raw
        return message

    async def ack(self, message: Message) -> None:
        raw = self._pending.pop(message.id, None) if message.id is not None else None
        await self._inner.ack(raw if raw is not None and raw.topic == message.topic else message)

    async def close(self) -> None:
        self._pending.clear()
        await self._inner.close()

    @property
    def closed(self) -> bool:
        return self._inner.closed


class AsyncClaimQueue(AsyncFacetDecorator):
    """A queue through claim-check: objects are deleted once their message is acknowledged."""

    def __init__(self, inner: Any, cc: AsyncClaimCheck) -> None:
        super().__init__(inner)
        self._cc = cc
        self._leases: dict[tuple[str, str], tuple[Lease, str]] = {}

    async def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
        delay: float | None = None,
        not_before: float | None = None,
    ) -> str:
        options: dict[str, Any] = {}
        if priority:
            options["priority"] = priority
        if delay is not None:
            options["delay"] = delay
        if not_before is not None:
            options["not_before"] = not_before

        async def send(body: bytes, out: Any) -> Any:
            return await self._inner.enqueue(queue, body, headers=out, **options)

        return await _send(self._cc, False, payload, headers, send)  # type: ignore[no-any-return]

    async def dequeue(self, queue: str, *, timeout: float | None = None) -> QueueMessage | None:
        message, key = await self._cc.queue_message(
            await self._inner.dequeue(queue, timeout=timeout)
        )
        await self._cc.discard(key)
        return message

    async def peek(self, queue: str) -> QueueMessage | None:
        message, _ = await self._cc.queue_message(await self._inner.peek(queue))
        return message

    async def receive(
        self, queue: str, *, visibility_timeout: float = 30.0, timeout: float | None = None
    ) -> Lease | None:
        lease = await self._inner.receive(
            queue, visibility_timeout=visibility_timeout, timeout=timeout
        )
        if lease is None:
            return None
        message, key = await self._cc.queue_message(lease.message)
        if key is None or message is None:
            return lease  # type: ignore[no-any-return]
        self._remember(message.id, lease, key)
        return Lease(message=message, receipt=lease.receipt, deadline=lease.deadline)

    def _remember(self, ident: str, lease: Lease, key: str) -> None:
        """Keep the wrapped lease until it is settled; leases that lapsed long ago (never
        settled here) are forgotten once many accumulate."""
        if len(self._leases) >= 10_000:
            cutoff = self._cc.clock() - 3600
            for k in [k for k, (raw, _) in self._leases.items() if raw.deadline < cutoff]:
                del self._leases[k]
        self._leases[(ident, lease.receipt)] = (lease, key)

    def _settle(self, lease: Lease, *, pop: bool) -> tuple[Lease, str | None]:
        ident = (lease.message.id, lease.receipt)
        found = self._leases.pop(ident, None) if pop else self._leases.get(ident)
        if found is None:
            return lease, None
        return found

    async def ack(self, lease: Lease) -> None:
        raw, key = self._settle(lease, pop=False)
        await self._inner.ack(raw)
        self._leases.pop((lease.message.id, lease.receipt), None)
        await self._cc.discard(key)

    async def release(self, lease: Lease) -> None:
        raw, _ = self._settle(lease, pop=True)
        await self._inner.release(raw)

    async def extend_visibility(self, lease: Lease, visibility_timeout: float) -> Lease:
        raw, key = self._settle(lease, pop=False)
        renewed = await self._inner.extend_visibility(raw, visibility_timeout)
        if key is None:
            return renewed  # type: ignore[no-any-return]
        self._remember(lease.message.id, renewed, key)
        return Lease(message=lease.message, receipt=renewed.receipt, deadline=renewed.deadline)

    async def dead_letters(self, queue: str, *, limit: int | None = None) -> list[QueueMessage]:
        out = []
        for raw in await self._inner.dead_letters(queue, limit=limit):
            message, _ = await self._cc.queue_message(raw)
            out.append(raw if message is None else message)
        return out


class AsyncClaimStream(AsyncFacetDecorator):
    """A stream through claim-check: appends store large payloads, every read resolves; with
    ``stream_groups`` declared, an object is deleted once every declared group acknowledged its
    record (see :meth:`AsyncClaimCheck.acked`)."""

    def __init__(self, inner: Any, cc: AsyncClaimCheck) -> None:
        super().__init__(inner)
        self._cc = cc
        self._claims: dict[tuple[str, str, int], bytes | None] = {}

    async def append(
        self, stream: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> int:
        async def send(body: bytes, out: Any) -> Any:
            return await self._inner.append(stream, body, headers=out)

        return await _send(self._cc, not self._cc.stream_groups, payload, headers, send)  # type: ignore[no-any-return]

    async def append_to_partition(
        self,
        stream: str,
        partition: int,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> int:
        async def send(body: bytes, out: Any) -> Any:
            return await self._inner.append_to_partition(stream, partition, body, headers=out)

        # groups read partition 0 only: other partitions keep the TTL
        expires = partition != 0 or not self._cc.stream_groups
        return await _send(self._cc, expires, payload, headers, send)  # type: ignore[no-any-return]

    async def append_with_key(
        self, stream: str, key: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> Any:
        async def send(body: bytes, out: Any) -> Any:
            return await self._inner.append_with_key(stream, key, body, headers=out)

        return await _send(self._cc, True, payload, headers, send)

    async def read(
        self, stream: str, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        return await self._cc.records(
            await self._inner.read(stream, from_offset, max_count=max_count)
        )

    async def read_partition(
        self, stream: str, partition: int, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        records = await self._inner.read_partition(
            stream, partition, from_offset, max_count=max_count
        )
        return await self._cc.records(records)

    async def consume(
        self, stream: str, group: str, consumer: str, **options: Any
    ) -> list[StreamRecord]:
        raw = await self._inner.consume(stream, group, consumer, **options)
        if group in self._cc.stream_groups:
            for record in raw:
                claim = record.payload if record.headers.get(CLAIM_HEADER) is not None else None
                self._remember((stream, group, record.offset), claim)
        return await self._cc.records(raw)

    def _remember(self, ident: tuple[str, str, int], claim: bytes | None) -> None:
        """Keep the claim (None: not a claim) of a consumed record until its group acknowledges
        it (bounded: the oldest are forgotten first, and ``ack`` then reads the record again)."""
        if len(self._claims) >= 100_000:
            for old in list(self._claims)[:10_000]:
                del self._claims[old]
        self._claims[ident] = claim

    async def ack(self, stream: str, group: str, offsets: int | Iterable[int]) -> int:
        """Acknowledge, then (when ``group`` is one of the declared ``stream_groups``) mark the
        acknowledged records' stored objects, deleting each once every declared group has."""
        if group not in self._cc.stream_groups:
            return await self._inner.ack(stream, group, offsets)  # type: ignore[no-any-return]
        wanted = list(dict.fromkeys([offsets] if isinstance(offsets, int) else offsets))
        known = {
            o: self._claims.pop((stream, group, o))
            for o in wanted
            if (stream, group, o) in self._claims
        }
        count = 0
        if known or not wanted:  # delivered through this handle, so pending: one call
            count = await self._inner.ack(stream, group, list(known))
        for claim in known.values():
            if claim is not None:
                await self._cc.acked(parse_claim(claim).key, group)
        for offset in wanted:  # consumed elsewhere (another process) or never delivered
            if offset in known:
                continue
            acked = await self._inner.ack(stream, group, [offset])
            count += acked
            if not acked:  # not pending: never delivered, or its acknowledger marked it
                continue
            found = await self._inner.read(stream, offset, max_count=1)
            if found and found[0].offset == offset and found[0].headers.get(CLAIM_HEADER):
                await self._cc.acked(parse_claim(found[0].payload).key, group)
        return count

    def replay_range(self, stream: str, start: int, end: int) -> AsyncIterator[StreamRecord]:
        return self._replay(stream, start, end)

    async def _replay(self, stream: str, start: int, end: int) -> AsyncIterator[StreamRecord]:
        async for record in self._inner.replay_range(stream, start, end):
            yield await self._cc.record(record)


FACETS: dict[str, type[AsyncFacetDecorator]] = {
    "pubsub": AsyncClaimPubSub,
    "queue": AsyncClaimQueue,
    "stream": AsyncClaimStream,
}


def wrap_messaging(facets: Mapping[str, Any], cc: AsyncClaimCheck) -> dict[str, Any]:
    """The claim-check facets over a messaging slot's pubsub, queue and stream facets."""
    return {model: decorate(FACETS[model], f, cc) for model, f in facets.items() if model in FACETS}
