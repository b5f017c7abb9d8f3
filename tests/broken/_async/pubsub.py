"""Broken pubsub variants."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from prism._topics import parse_pattern
from prism._validate import json_object
from prism.backends.memstore._async.pubsub import AsyncMemDurableSubscription, AsyncMemPubSub
from prism.backends.memstore._ops.pubsub import Durable, freeze_attributes
from prism.interfaces._async.pubsub import AsyncDurableSubscription, AsyncSubscription
from prism.types import Message
from tests.broken import Variant


def _first_only(
    facet: AsyncMemPubSub,
    topic: str,
    payload: bytes,
    headers: Mapping[str, str] | None,
    attributes: Mapping[str, Any] | None,
) -> None:
    if attributes is not None:
        json_object(attributes, "attributes")
    with facet._lock:
        message = facet._message(topic, payload, headers, attributes=freeze_attributes(attributes))
        for inbox in facet._state.inboxes:
            if inbox.accepts(message):
                inbox.buffer.append(message)
                inbox.signal.notify_all()
                return


class AsyncLostFanOutMemPubSub(AsyncMemPubSub):
    """publish reaches only the first matching subscriber."""

    async def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        _first_only(self, topic, payload, headers, attributes)


def _glob(pattern: str) -> Any:
    """The naive Redis-glob translation: ``*`` (and ``>``) match across ``.``."""
    parse_pattern(pattern)
    glob = pattern.replace(">", "*")
    return lambda m: fnmatch.fnmatchcase(m.topic, glob)


class AsyncGreedyStarMemPubSub(AsyncMemPubSub):
    """``*`` matches several tokens (``a.*`` receives ``a.b.c``)."""

    async def subscribe_pattern(self, pattern: str) -> AsyncSubscription:
        return self._subscribe(_glob(pattern))


def _take_new_only(durable: Durable) -> tuple[Message | None] | None:
    if durable.cursor < len(durable.log):
        durable.cursor += 1
        return (durable.log[durable.cursor - 1],)
    return None


class AsyncForgetfulDurableSubscription(AsyncMemDurableSubscription):
    """Delivers each message once only: no redelivery after ack_wait or close."""

    def _take(self) -> tuple[Message | None] | None:
        return (None,) if self._closed else _take_new_only(self._durable)


class AsyncNoRedeliveryMemPubSub(AsyncMemPubSub):
    async def subscribe_durable(
        self, topic: str, name: str, *, start: Any = "earliest", ack_wait: Any = 30.0
    ) -> AsyncDurableSubscription:
        sub = await super().subscribe_durable(topic, name, start=start, ack_wait=ack_wait)
        assert isinstance(sub, AsyncMemDurableSubscription)
        return AsyncForgetfulDurableSubscription(
            sub._store, sub._durable, sub._topic, sub._ack_wait
        )


class AsyncFilterIgnoringMemPubSub(AsyncMemPubSub):
    """subscribe_filtered validates the filter, then delivers everything on the topic."""

    async def subscribe_filtered(self, topic: str, filter: Mapping[str, Any]) -> AsyncSubscription:
        await (await super().subscribe_filtered(topic, filter)).close()
        return await self.subscribe(topic)


def _lifo(
    facet: AsyncMemPubSub,
    topic: str,
    payload: bytes,
    key: str,
    headers: Mapping[str, str] | None,
) -> None:
    with facet._lock:
        message = facet._message(topic, payload, headers, ordering_key=key)
        for inbox in facet._state.inboxes:
            if inbox.accepts(message):
                inbox.buffer.appendleft(message)
                inbox.signal.notify_all()


class AsyncUnorderedMemPubSub(AsyncMemPubSub):
    """Ordered messages jump the queue: a backlog comes out newest first."""

    async def publish_ordered(
        self,
        topic: str,
        payload: bytes,
        ordering_key: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        _lifo(self, topic, payload, ordering_key, headers)


def _glob_tokens(pattern: str) -> Any:
    """Whole-token wildcards handled right, but each literal token compared as a glob (an
    unescaped Redis PSUBSCRIBE translation): ``?`` and ``[...]`` in a token are wild."""
    tokens = parse_pattern(pattern).tokens

    def matches(m: Any) -> bool:
        parts = m.topic.split(".")
        head = tokens[:-1] if tokens[-1] == ">" else tokens
        if len(parts) < len(head) + (tokens[-1] == ">") or (
            tokens[-1] != ">" and len(parts) != len(head)
        ):
            return False
        return all(t == "*" or fnmatch.fnmatchcase(p, t) for t, p in zip(head, parts, strict=False))

    return matches


class AsyncGlobTokensMemPubSub(AsyncMemPubSub):
    """Literal pattern tokens are matched as globs: ``q?.*`` receives ``qq.x``."""

    async def subscribe_pattern(self, pattern: str) -> AsyncSubscription:
        return self._subscribe(_glob_tokens(pattern))


class AsyncOversizedMemPubSub(AsyncMemPubSub):
    """Declares a pubsub payload limit (``limits.max_message_bytes``, see ``VARIANTS``) but
    publishes larger payloads anyway instead of raising ValueTooLargeError."""


VARIANTS = [
    Variant("pubsub", "lost-fan-out", AsyncLostFanOutMemPubSub, "pubsub_basic"),
    Variant("pubsub", "greedy-star", AsyncGreedyStarMemPubSub, "pubsub_wildcards"),
    Variant(
        "pubsub",
        "no-redelivery",
        AsyncNoRedeliveryMemPubSub,
        "pubsub_persistent",
    ),
    Variant(
        "pubsub",
        "filter-ignored",
        AsyncFilterIgnoringMemPubSub,
        "pubsub_filtering",
    ),
    Variant("pubsub", "unordered-keys", AsyncUnorderedMemPubSub, "pubsub_ordering"),
    Variant("pubsub", "glob-tokens", AsyncGlobTokensMemPubSub, "pubsub_wildcards"),
    Variant(
        "pubsub",
        "limit-ignored",
        AsyncOversizedMemPubSub,
        "pubsub_basic",
        max_message_bytes=5226,
    ),
]
