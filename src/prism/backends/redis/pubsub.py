# Generated from src/prism/backends/redis/_async/pubsub.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""redis pubsub: pubsub_basic and pubsub_wildcards over PUBLISH / SUBSCRIBE / PSUBSCRIBE.

* A topic ``t`` of namespace ``ns`` is the channel ``<root>:{<ns>}:ps:t``, so subscriptions of
  one namespace never see another's messages, wildcards included (the namespace part of a
  pattern is glob-escaped).
* The message is an envelope: one flag byte, then (flag 1) a 4-byte big-endian length and a
  JSON object ``{"h": headers}``, then the payload.  Without headers it costs one byte.
* ``subscribe`` returns once Redis confirmed the subscription, so every message published after
  it returns reaches it.  Each subscription has a connection of its own; messages wait in
  Redis's output buffer and the socket until ``get`` reads them.  Redis bounds that buffer
  (``client-output-buffer-limit pubsub``, 32 MB hard / 8 MB for 60 s by default) and drops a
  subscriber that exceeds it: a subscription that stops reading for that long loses messages
  (at-most-once), and the next ``get`` reconnects and re-subscribes.
* Wildcards: ``*`` and ``>`` both become the glob ``*``, which can also match dots, so every
  received message is checked again with the shared matcher (``prism._topics``): ``a.*``
  receives ``a.b`` but never ``a.b.c``.
* On a cluster, publish and subscribe go to the node serving the namespace's slot (classic
  pub/sub is cluster-wide in Redis; using one node keeps each publisher's order).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any, cast

from prism._topics import TopicPattern, parse_pattern
from prism._validate import Duration
from prism.backends._errors import translating
from prism.backends.redis._core import (
    acquire,
    close_pubsub,
    make_lock,
    open_pubsub,
)
from prism.backends.redis._errors import translate
from prism.backends.redis._facet import RedisFacet, Script, run_script
from prism.backends.redis._keys import glob_escape
from prism.errors import BackendUnavailableError
from prism.interfaces.pubsub import PubSubBasic, PubSubWildcards, Subscription
from prism.types import Message

__all__ = ["RedisPubSub", "RedisSubscription", "decode_message", "encode_message"]

_PLAIN = b"\x00"
_WITH_META = b"\x01"
_CONFIRM_TIMEOUT = 10.0
_CLOSE_TIMEOUT = 5.0
_BATCH = 1000
_FAN_OUT = Script.of(
    "local data = ARGV[1] "
    "for i = 2, #ARGV do redis.call('PUBLISH', ARGV[i], data) end "
    "return #ARGV - 1"
)


def encode_message(payload: bytes, headers: Mapping[str, str] | None) -> bytes:
    """The envelope: flag byte, optional length-prefixed JSON metadata, payload."""
    if not headers:
        return _PLAIN + payload
    meta = json.dumps({"h": dict(headers)}, separators=(",", ":")).encode()
    return _WITH_META + len(meta).to_bytes(4, "big") + meta + payload


def decode_message(topic: str, data: bytes) -> Message:
    """The :class:`Message` of an envelope (data without a known flag is taken as a payload)."""
    flag = data[:1]
    if flag == _PLAIN:
        return Message(topic, data[1:])
    if flag == _WITH_META and len(data) >= 5:
        size = int.from_bytes(data[1:5], "big")
        try:
            meta = json.loads(data[5 : 5 + size])
            headers = meta.get("h") or {}
        except (ValueError, AttributeError):
            return Message(topic, data)
        return Message(topic, data[5 + size :], headers=headers)
    return Message(topic, data)


class RedisPubSub(RedisFacet, PubSubBasic, PubSubWildcards):
    _model = "pubsub"

    def publish(
        self, topic: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> None:
        data = _PLAIN + payload if not headers else encode_message(payload, headers)
        try:
            self._node().publish(self._p + topic.encode(), data)
        except Exception as exc:
            raise self._fail(exc, "publish") from exc

    def _publish_batch(
        self, topics: Sequence[str], payload: bytes, headers: Mapping[str, str] | None
    ) -> None:
        """Internal batch hook (the multicast registry): ``payload`` published to each of
        ``topics`` in order, by one Lua script per ``_BATCH`` topics on the namespace's node
        (one round trip, the message sent once).  The caller has validated the topics, payload
        and headers already."""
        data = _PLAIN + payload if not headers else encode_message(payload, headers)
        prefix = self._p
        try:
            for start in range(0, len(topics), _BATCH):
                channels = [prefix + topic.encode() for topic in topics[start : start + _BATCH]]
                run_script(self._node(), _FAN_OUT, (), [data, *channels])
        except Exception as exc:
            raise self._fail(exc, "publish") from exc

    def subscribe(self, topic: str) -> RedisSubscription:
        subscription = RedisSubscription(self, self._k(topic), None)
        subscription.start()
        return subscription

    def subscribe_pattern(self, pattern: str) -> RedisSubscription:
        parsed = parse_pattern(pattern)
        if parsed.is_literal:
            subscription = RedisSubscription(self, self._k(pattern), None)
        else:
            glob = b".".join(
                b"*" if token in ("*", ">") else glob_escape(token.encode())
                for token in parsed.tokens
            )
            subscription = RedisSubscription(self, glob_escape(self._p) + glob, parsed)
        subscription.start()
        return subscription


class RedisSubscription(Subscription):
    """One SUBSCRIBE (or PSUBSCRIBE) on a connection of its own.

    ``get`` reads from that connection under a lock (one reader at a time).  ``close`` from
    another thread wakes a reader blocked in ``get`` by unsubscribing (Redis answers on
    the same connection), then closes the connection.
    """

    def __init__(self, facet: RedisPubSub, target: bytes, pattern: TopicPattern | None) -> None:
        self._facet = facet
        self._target = target
        self._pattern = pattern
        self._cut = facet._plen
        self._client: Any = None
        self._pubsub: Any = None
        self._lock = make_lock()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def start(self) -> None:
        facet = self._facet
        host, port = facet._b.node_of(facet._tag)
        self._client, self._pubsub = open_pubsub(facet._b.config, host, port)
        facet._b.track(self, active=True)
        operation = "subscribe_pattern" if self._pattern else "subscribe"
        try:
            with translating(facet._name, operation, translate):
                if self._pattern is None:
                    self._pubsub.subscribe(self._target)
                else:
                    self._pubsub.psubscribe(self._target)
                deadline = time.monotonic() + _CONFIRM_TIMEOUT
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        msg = "redis did not confirm the subscription in time"
                        raise BackendUnavailableError(msg, backend=facet._name, operation=operation)
                    reply = self._pubsub.get_message(timeout=left)
                    if reply is not None and reply["type"] in ("subscribe", "psubscribe"):
                        return
        except BaseException:
            self.close()
            raise

    def _decode(self, reply: dict[str, Any]) -> Message | None:
        kind = reply["type"]
        if kind not in ("message", "pmessage"):
            return None
        topic = bytes(reply["channel"])[self._cut :].decode()
        if self._pattern is not None and not self._pattern.matches(topic):
            return None
        return decode_message(topic, reply["data"])

    def get(self, timeout: Duration | None = None) -> Message | None:
        wait = cast("float | None", timeout)  # float seconds after the checks
        if self._closed:
            return None
        deadline = None if wait is None else time.monotonic() + wait
        if not acquire(self._lock, wait):
            return None
        try:
            while not self._closed:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                with translating(self._facet._name, "get", translate):
                    reply = self._pubsub.get_message(timeout=left)
                if self._closed:
                    return None
                if reply is not None:
                    message = self._decode(reply)
                    if message is not None:
                        return message
                if deadline is not None and time.monotonic() >= deadline:
                    return None
            return None
        finally:
            self._lock.release()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._facet._b.track(self, active=False)
        pubsub, client = self._pubsub, self._client
        if pubsub is None:
            return
        if self._lock.locked():
            # a reader is blocked in get(): the unsubscribe reply wakes it
            with contextlib.suppress(Exception):  # the connection is closed below anyway
                if self._pattern is None:
                    pubsub.unsubscribe()
                else:
                    pubsub.punsubscribe()
        acquired = acquire(self._lock, _CLOSE_TIMEOUT)
        try:
            with contextlib.suppress(Exception):  # closing a dead connection may fail
                close_pubsub(client, pubsub)
        finally:
            if acquired:
                self._lock.release()
