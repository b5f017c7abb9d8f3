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
from prism.patterns._predicate import compile_filter
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


def _first(pair: tuple[str, Any]) -> str:
    return pair[0]


def _decode_all(keys: list[str], raws: list[bytes]) -> list[Any]:
    """The registrations stored as ``raws`` under ``keys``, decoded by one ``json.loads`` of
    their JSON array; when a value is not one JSON object of the registration format (written
    by something else than this module), each is decoded on its own, so the bad one is named."""
    if not raws:
        return []
    try:
        docs = json.loads(b"[" + b",".join(raws) + b"]")
    except ValueError:
        docs = None
    if docs is not None and len(docs) == len(raws) and all(map(_is_registration, docs)):
        return docs  # type: ignore[no-any-return]
    out = []
    for key, raw in zip(keys, raws, strict=True):
        try:
            doc = json.loads(raw)
        except ValueError:
            doc = None
        if not _is_registration(doc):
            msg = f"the registry value of {key!r} is not a multicast registration (a JSON object)"
            raise InvalidArgumentError(msg)
        out.append(doc)
    return out


def _is_registration(doc: object) -> bool:
    return type(doc) is dict and doc.keys() >= _FIELDS and type(doc["metadata"]) is dict


_FIELDS = frozenset({"metadata", "expires", "listening"})


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
        return [
            Member(identity, doc["metadata"], doc["expires"], doc["listening"])
            for identity, doc in await self._select(filter)
        ]

    async def _select(self, filter: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
        """``(identity, stored document)`` of every live match, sorted by identity.

        A keyvalue registry is read with one scan (the backend fetches values in bulk), the
        values decoded with one ``json.loads`` of their JSON array and the filter evaluated by
        a compiled predicate; a document registry gets the filter pushed down."""
        parsed = filters.parse(filter)
        now = self.clock()
        if self.documents is not None:
            pushed: dict[str, Any] = {"expires": {"$gt": now}}
            if filter:
                pushed = {"$and": [pushed, _metadata_filter(filter)]}
            found = await self.documents.find(COLLECTION, pushed, limit=None)
            out = [(doc["_id"], doc) for doc in found]
        else:
            keys: list[str] = []
            raws: list[bytes] = []
            async for key, value in self.keyvalue.scan(KEY_PREFIX):
                keys.append(key)
                raws.append(value)
            docs = _decode_all(keys, raws)
            test = compile_filter(parsed)
            cut = len(KEY_PREFIX)
            out = [
                (key[cut:], doc)
                for key, doc in zip(keys, docs, strict=True)
                if doc["expires"] > now and test(doc["metadata"])
            ]
        out.sort(key=_first)
        return out

    # ----- messaging -----------------------------------------------------------------------

    async def multicast(
        self,
        filter: Mapping[str, Any] | None,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> MulticastResult:
        """Send ``payload`` to every identity ``filter`` selects.

        Live messages go out in one batch when the messaging backend offers the internal
        ``_publish_batch`` hook (redis: one pipeline; memstore: one lock acquisition), else
        one ``publish`` each."""
        data = _validate.payload(payload, None, "payload")
        clean = _validate.headers(headers)
        targets = await self._select(filter)
        live = [TOPIC_PREFIX + identity for identity, doc in targets if doc["listening"]]
        batch = getattr(self.pubsub, "_publish_batch", None)
        if batch is not None and live:
            await batch(live, data, clean)
        else:
            for topic in live:
                await self.pubsub.publish(topic, data, headers=clean)
        queued = 0
        if self.queue is not None:
            for identity, doc in targets:
                if not doc["listening"]:
                    await self.queue.enqueue(TOPIC_PREFIX + identity, data, headers=clean)
                    queued += 1
        return MulticastResult(len(targets), len(live), queued)

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
