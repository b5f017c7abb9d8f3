"""PubSub: fire-and-forget fan-out, wildcards, durable subscriptions, filtering and ordering."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

from prism._validate import Duration
from prism.interfaces._base import (
    DURATION,
    EARLIEST_OR_LATEST,
    EXACT_TOPIC,
    HEADERS,
    OPT_DURATION,
    OPT_JSON_OBJECT,
    ORDERING_KEY,
    PATTERN,
    PAYLOAD,
    SUBSCRIPTION_NAME,
    TOPIC,
    Checked,
    Interface,
    checks,
)
from prism.types import Message, StartPosition

__all__ = [
    "AsyncDurableSubscription",
    "AsyncPubSubBasic",
    "AsyncPubSubFiltering",
    "AsyncPubSubOrdering",
    "AsyncPubSubPersistent",
    "AsyncPubSubWildcards",
    "AsyncSubscription",
]


class AsyncSubscription(Checked):
    """An active subscription: an async iterator of :class:`~prism.types.Message`.

    Messages published after the subscription became active (``subscribe`` returned) are
    delivered in publish order per publisher and topic.  Iteration ends once the subscription is
    closed.  A closed subscription receives nothing more; closing twice is harmless.  Each
    subscription buffers what it has not yet consumed, so a slow subscriber never blocks
    publishers or other subscribers; a backend that bounds the buffer documents what it drops.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(timeout=OPT_DURATION)
    async def get(self, timeout: Duration | None = None) -> Message | None:
        """Wait up to ``timeout`` seconds (None: forever) for the next message; None on timeout
        or once the subscription is closed (a ``close`` from another thread or task wakes a
        waiting ``get``).  A negative or non-numeric ``timeout``, or one above ``MAX_SECONDS``
        (100 years), raises ``InvalidArgumentError``."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Stop receiving; release the server-side subscription."""

    @property
    @abc.abstractmethod
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""

    def __aiter__(self) -> AsyncSubscription:
        return self

    async def __anext__(self) -> Message:
        message = await self.get()
        if message is None:
            raise StopAsyncIteration
        return message

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class AsyncDurableSubscription(AsyncSubscription):
    """A named, durable subscription (pubsub_persistent).

    Delivery is at-least-once: a message not acknowledged within ``ack_wait`` seconds of its
    delivery, or before the subscription is closed, is delivered again (its ``delivery_count``
    grows).  An acknowledged message is never delivered again to this name.  Messages carry
    their ``id``.
    """

    __slots__ = ()

    @abc.abstractmethod
    async def ack(self, message: Message) -> None:
        """Acknowledge ``message`` (one this subscription delivered).

        Acknowledging twice is harmless.  A message without an ``id`` or of another topic raises
        ``InvalidArgumentError``.
        """


class AsyncPubSubBasic(Interface, name="pubsub_basic", model="pubsub"):
    """At-most-once publish/subscribe with fan-out.

    Every subscription active before a ``publish`` receives the message; one published before a
    subscription became active is not received by it.  Per publisher and topic, order is kept.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(topic=TOPIC, payload=PAYLOAD, headers=HEADERS)
    async def publish(
        self, topic: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> None:
        """Send ``payload`` to every current subscriber of ``topic``."""

    @abc.abstractmethod
    @checks(topic=EXACT_TOPIC)
    async def subscribe(self, topic: str) -> AsyncSubscription:
        """Subscribe to exactly ``topic``; active once this returns.  A topic containing the
        pattern characters ``*`` or ``>`` raises ``InvalidArgumentError`` pointing to
        ``subscribe_pattern()`` (pubsub_wildcards)."""


class AsyncPubSubWildcards(Interface, name="pubsub_wildcards", model="pubsub"):
    """Pattern subscriptions in one portable syntax.

    Tokens are separated by ``.``; ``*`` matches exactly one token; ``>`` (last token only)
    matches one or more trailing tokens.  ``a.*`` matches ``a.b`` but not ``a`` or ``a.b.c``;
    ``a.>`` matches ``a.b`` and ``a.b.c`` but not ``a``.  A malformed pattern (an empty token,
    ``>`` not last, a wildcard that is only part of a token such as ``a*``) raises
    ``InvalidArgumentError`` (``prism._topics.parse_pattern`` is the shared check).  Every other
    character is literal: ``?``, ``[``, ``]``, ``\\``, ``%`` and ``_`` inside a token match only
    themselves, whatever the backend's own pattern syntax.  Received
    messages carry the concrete topic; a message reaches each matching subscription once.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(pattern=PATTERN)
    async def subscribe_pattern(self, pattern: str) -> AsyncSubscription:
        """Subscribe to every topic matching ``pattern``."""


class AsyncPubSubPersistent(Interface, name="pubsub_persistent", model="pubsub"):
    """Persistent messages and durable named subscriptions (at-least-once).

    A durable subscriber that was offline receives what was published meanwhile once it
    subscribes again under the same name.  Two names each receive every message.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(topic=TOPIC, payload=PAYLOAD, headers=HEADERS)
    async def publish_persistent(
        self, topic: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> str:
        """Store and publish; return the message id.

        Ids are unique per topic and increase in publish order (how two ids compare is the
        backend's to document; callers that only store and match ids need not care).  Active
        ordinary subscribers of ``topic`` receive the message too, with its ``id``.
        """

    @abc.abstractmethod
    @checks(topic=EXACT_TOPIC, name=SUBSCRIPTION_NAME, start=EARLIEST_OR_LATEST, ack_wait=DURATION)
    async def subscribe_durable(
        self,
        topic: str,
        name: str,
        *,
        start: StartPosition = "earliest",
        ack_wait: Duration = 30.0,
    ) -> AsyncDurableSubscription:
        """Attach to durable subscription ``name`` on ``topic``, creating it at ``start`` if new.

        An existing subscription resumes where it left off; ``start`` applies only on creation.
        ``start`` other than ``"earliest"`` / ``"latest"`` raises ``InvalidArgumentError``.
        """

    @abc.abstractmethod
    @checks(topic=TOPIC)
    async def last_message_id(self, topic: str) -> str | None:
        """The id of the newest persistent message on ``topic``, or None."""


class AsyncPubSubFiltering(Interface, name="pubsub_filtering", model="pubsub"):
    """Attribute filters evaluated for the subscriber (the shared filter language).

    A message reaches a filtered subscription only if its attributes match the filter; a
    message without an attribute the filter compares does not match (except ``$exists: false``,
    ``$ne`` and ``$nin``).  An invalid filter raises ``InvalidArgumentError`` at subscribe time.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(topic=TOPIC, payload=PAYLOAD, headers=HEADERS, attributes=OPT_JSON_OBJECT)
    async def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        """Publish with JSON-compatible ``attributes`` that filters can match (anything else
        raises ``InvalidArgumentError``).  Every subscriber receives the attributes."""

    @abc.abstractmethod
    @checks(topic=EXACT_TOPIC)
    async def subscribe_filtered(self, topic: str, filter: Mapping[str, Any]) -> AsyncSubscription:
        """Subscribe to ``topic``, receiving only messages whose attributes match ``filter``."""


class AsyncPubSubOrdering(Interface, name="pubsub_ordering", model="pubsub"):
    """Per-key ordering: messages with one ordering key reach every subscriber in publish order,
    even while other keys are published concurrently.  Different keys may interleave."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(topic=TOPIC, payload=PAYLOAD, ordering_key=ORDERING_KEY, headers=HEADERS)
    async def publish_ordered(
        self,
        topic: str,
        payload: bytes,
        ordering_key: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Publish ``payload`` in order with every other message of ``ordering_key``."""
