"""The multicast-registry pattern (async source; the sync twin is generated).

Identities register with JSON metadata and a TTL in the registry slot (keyvalue with scan, TTL
when the backend has it; or a document collection with query, the filter then pushed down to
the backend); ``enumerate(filter)`` selects them with the shared filter language and
``multicast(filter, payload)`` sends to each: live, over the messaging slot's pub/sub, to
identities that listen (:meth:`AsyncMulticastRegistry.listen`), and through the durability
slot's queue to the others.  All state is in the backends: every process sees one registry.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from prism import _validate, filters
from prism.errors import InvalidArgumentError, KeyNotFoundError, NotFoundError, UnsupportedError
from prism.interfaces import (
    AsyncDocumentQuery,
    AsyncKeyValueScan,
    AsyncKeyValueTTL,
    AsyncSubscription,
)
from prism.types import Message

__all__ = ["AsyncInbox", "AsyncMulticastRegistry", "Member", "MulticastResult"]  # noqa: RUF022, RUF100

TOPIC_PREFIX = "prism-mcast."
KEY_PREFIX = "prism-mcast/"
COLLECTION = "prism_mcast"
_IDENTITY = re.compile(r"[^.*>\s\x00-\x1f]+(?:\.[^.*>\s\x00-\x1f]+)*")


@dataclass(frozen=True, slots=True)
class Member:
    """A registered identity: its metadata, when it expires (epoch seconds) and whether it
    listens live."""

    identity: str
    metadata: Mapping[str, Any]
    expires: float
    listening: bool = False


@dataclass(frozen=True, slots=True)
class MulticastResult:
    """``targeted`` identities matched the filter; ``delivered`` of them were sent the message
    live (they listen); ``queued`` got it through the durability queue."""

    targeted: int
    delivered: int
    queued: int


def _identity(value: object) -> str:
    name = _validate.name(value, "identity")
    if not _IDENTITY.fullmatch(name):
        msg = (
            f"identity {name!r} may not contain whitespace, control characters, '*' or '>', "
            "nor empty '.'-separated parts"
        )
        raise InvalidArgumentError(msg)
    return name


def _metadata_filter(raw: Mapping[str, Any]) -> dict[str, Any]:
    """``raw`` with every field path moved under ``metadata.`` (for the document pushdown)."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("$and", "$or"):
            out[key] = [_metadata_filter(part) for part in value]
        else:
            out[f"metadata.{key}"] = value
    return out


class AsyncMulticastRegistry:
    """The multicast-registry runtime of one namespace."""

    def __init__(
        self,
        registry: Any,
        pubsub: Any,
        queue: Any | None = None,
        *,
        default_ttl: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.documents: Any = registry if isinstance(registry, AsyncDocumentQuery) else None
        self.keyvalue: Any = registry
        if self.documents is None and not isinstance(registry, AsyncKeyValueScan):
            msg = "the multicast registry slot needs keyvalue_scan or document_query"
            raise UnsupportedError(msg)
        self.pubsub = pubsub
        self.queue = queue
        self.default_ttl = float(default_ttl)
        self.clock = clock

    # ----- registration --------------------------------------------------------------------

    async def register(
        self,
        identity: str,
        metadata: Mapping[str, Any] | None = None,
        ttl: float | None = None,
        *,
        listening: bool = False,
    ) -> Member:
        """Register (or re-register) ``identity`` with JSON ``metadata`` for ``ttl`` seconds."""
        name = _identity(identity)
        data = _validate.json_object(metadata, "metadata") if metadata is not None else {}
        hold = self.default_ttl if ttl is None else _validate.seconds(ttl, "ttl")
        member = Member(name, data, self.clock() + hold, listening)
        await self._write(member, hold)
        return member

    async def _write(self, member: Member, hold: float) -> None:
        doc = {
            "metadata": dict(member.metadata),
            "expires": member.expires,
            "listening": member.listening,
        }
        if self.documents is not None:
            try:
                await self.documents.replace(COLLECTION, member.identity, doc)
            except NotFoundError:
                await self.documents.insert(COLLECTION, doc, id=member.identity)
            return
        key, value = KEY_PREFIX + member.identity, json.dumps(doc).encode()
        if isinstance(self.keyvalue, AsyncKeyValueTTL):
            await self.keyvalue.set(key, value, ttl=hold)
        else:
            await self.keyvalue.set(key, value)

    async def get(self, identity: str) -> Member:
        """The live registration of ``identity``; ``KeyNotFoundError`` when none."""
        name = _identity(identity)
        try:
            if self.documents is not None:
                doc = await self.documents.get(COLLECTION, name)
            else:
                doc = json.loads(await self.keyvalue.get(KEY_PREFIX + name))
        except NotFoundError as exc:
            msg = f"identity {name!r} is not registered"
            raise KeyNotFoundError(msg) from exc
        member = Member(name, doc["metadata"], doc["expires"], doc["listening"])
        if member.expires <= self.clock():
            msg = f"identity {name!r} is not registered (its registration expired)"
            raise KeyNotFoundError(msg)
        return member

    async def heartbeat(self, identity: str, ttl: float | None = None) -> Member:
        """Renew ``identity``'s registration for ``ttl`` (default: the namespace's) seconds."""
        member = await self.get(identity)
        hold = self.default_ttl if ttl is None else _validate.seconds(ttl, "ttl")
        renewed = Member(member.identity, member.metadata, self.clock() + hold, member.listening)
        await self._write(renewed, hold)
        return renewed

    async def deregister(self, identity: str) -> bool:
        """Remove ``identity``; whether it was registered."""
        name = _identity(identity)
        if self.documents is not None:
            return bool(await self.documents.delete(COLLECTION, name))
        return bool(await self.keyvalue.delete(KEY_PREFIX + name))

    async def enumerate(self, filter: Mapping[str, Any] | None = None) -> list[Member]:
        """Every live registration whose metadata matches ``filter`` (the shared filter
        language), sorted by identity."""
        parsed = filters.parse(filter)
        now = self.clock()
        out: list[Member] = []
        if self.documents is not None:
            pushed: dict[str, Any] = {"expires": {"$gt": now}}
            if filter:
                pushed = {"$and": [pushed, _metadata_filter(filter)]}
            for doc in await self.documents.find(COLLECTION, pushed, limit=None):
                out.append(Member(doc["_id"], doc["metadata"], doc["expires"], doc["listening"]))
        else:
            async for key, value in self.keyvalue.scan(KEY_PREFIX):
                doc = json.loads(value)
                if doc["expires"] > now and parsed.matches(doc["metadata"]):
                    member = Member(
                        key[len(KEY_PREFIX) :], doc["metadata"], doc["expires"], doc["listening"]
                    )
                    out.append(member)
        out.sort(key=lambda m: m.identity)
        return out

    # ----- messaging -----------------------------------------------------------------------

    async def multicast(
        self,
        filter: Mapping[str, Any] | None,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> MulticastResult:
        """Send ``payload`` to every identity ``filter`` selects."""
        data = _validate.payload(payload, None, "payload")
        clean = _validate.headers(headers)
        targets = await self.enumerate(filter)
        delivered = queued = 0
        for member in targets:
            if member.listening:
                await self.pubsub.publish(TOPIC_PREFIX + member.identity, data, headers=clean)
                delivered += 1
            elif self.queue is not None:
                await self.queue.enqueue(TOPIC_PREFIX + member.identity, data, headers=clean)
                queued += 1
        return MulticastResult(len(targets), delivered, queued)

    async def listen(self, identity: str) -> AsyncInbox:
        """Receive what is multicast to ``identity`` (registered already): marks it listening,
        and hands over first what the durability queue kept for it."""
        member = await self.get(identity)
        subscription = await self.pubsub.subscribe(TOPIC_PREFIX + member.identity)
        listening = Member(member.identity, member.metadata, member.expires, True)
        await self._write(listening, max(member.expires - self.clock(), 0.001))
        return AsyncInbox(self, member.identity, subscription)


class AsyncInbox:
    """Messages multicast to one identity: queued ones first, then live ones."""

    def __init__(
        self, registry: AsyncMulticastRegistry, identity: str, subscription: AsyncSubscription
    ) -> None:
        self._registry = registry
        self.identity = identity
        self._subscription = subscription

    async def get(self, timeout: float | None = None) -> Message | None:
        queue = self._registry.queue
        topic = TOPIC_PREFIX + self.identity
        if queue is not None:
            kept = await queue.dequeue(topic)
            if kept is not None:
                return Message(topic=topic, payload=kept.payload, headers=kept.headers)
        return await self._subscription.get(timeout)

    async def close(self) -> None:
        """Stop listening: later multicasts go to the durability queue."""
        await self._subscription.close()
        try:
            member = await self._registry.get(self.identity)
        except KeyNotFoundError:
            return
        quiet = Member(member.identity, member.metadata, member.expires, False)
        await self._registry._write(quiet, max(member.expires - self._registry.clock(), 0.001))
