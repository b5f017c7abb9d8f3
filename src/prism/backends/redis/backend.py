# Generated from src/prism/backends/redis/_async/backend.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The redis backend class (sync flavour): standalone Redis or Redis Cluster."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from typing import Any

from prism.backends._errors import translating
from prism.backends.base import Backend
from prism.backends.redis._config import parse_config
from prism.backends.redis._core import (
    close_client,
    connect,
    make_client,
    make_node_client,
    node_address,
)
from prism.backends.redis._errors import translate
from prism.backends.redis.keyvalue import RedisKeyValue
from prism.backends.redis.list import RedisList
from prism.backends.redis.pubsub import RedisPubSub
from prism.backends.redis.queue import RedisQueue
from prism.backends.redis.set import RedisSet
from prism.backends.redis.sortedset import RedisSortedSet
from prism.backends.redis.stream import RedisStream
from prism.backends.settings import BackendSettings
from prism.errors import PrismError

__all__ = ["RedisBackend"]


class RedisBackend(Backend):
    """One redis-py client (``redis.asyncio.Redis`` or ``RedisCluster``) shared by every
    namespace opened on the same connection.

    On a cluster, a namespace's keys share one hash slot (see ``_keys.py``); commands that must
    run on that slot's node as a whole — SCAN, WATCH/MULTI/EXEC, pub/sub — go through a plain
    client to that node, one per node, made on first use.
    """

    facet_classes = {
        "keyvalue": RedisKeyValue,
        "list": RedisList,
        "set": RedisSet,
        "sortedset": RedisSortedSet,
        "pubsub": RedisPubSub,
        "stream": RedisStream,
        "queue": RedisQueue,
    }

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.name = settings.backend
        options = dict(settings.options)
        if settings.call_timeout is not None:  # a resilience policy's deadline (sync calls too);
            # redis-py's own resend is off then: a timed-out write is never sent a second time
            options.setdefault("socket_timeout", settings.call_timeout)
            options.setdefault("retries", 0)
        self.config = parse_config(settings.backend, settings.connection, options)
        if settings.credentials is not None:
            self.config = dataclasses.replace(self.config, credentials=settings.credentials)
        self.client: Any = None
        self._nodes: dict[tuple[str, int], Any] = {}
        self._lock = threading.Lock()
        self._subscriptions: set[Any] = set()

    def open(self) -> None:
        try:
            with translating(self.name, "open", translate):
                self.client = make_client(self.config)
                connect(self.client, self.config)
        except PrismError:
            self.close()
            raise

    def node_client(self, tag: bytes) -> Any:
        """The client for commands that must run on the node serving ``tag``'s slot."""
        if not self.config.cluster:
            return self.client
        address = node_address(self.client, tag)
        client = self._nodes.get(address)
        if client is None:
            with self._lock:
                client = self._nodes.get(address)
                if client is None:
                    client = make_node_client(self.config, *address)
                    self._nodes[address] = client
        return client

    def node_of(self, tag: bytes) -> tuple[str, int]:
        """The (host, port) serving ``tag``'s slot (the server itself when standalone)."""
        if not self.config.cluster:
            return self.config.host, self.config.port
        return node_address(self.client, tag)

    def track(self, subscription: Any, *, active: bool) -> None:
        """Remember (or forget) an open subscription, so that :meth:`close` closes it."""
        with self._lock:
            if active:
                self._subscriptions.add(subscription)
            else:
                self._subscriptions.discard(subscription)

    def close(self) -> None:
        with self._lock:
            subscriptions = list(self._subscriptions)
            nodes = list(self._nodes.values())
            self._subscriptions.clear()
            self._nodes.clear()
        for subscription in subscriptions:
            with contextlib.suppress(Exception):
                subscription.close()
        for node in nodes:
            with contextlib.suppress(Exception):
                close_client(node)
        client, self.client = self.client, None
        if client is not None:
            with contextlib.suppress(Exception):
                close_client(client)
