"""postgres pubsub: pubsub_basic and pubsub_wildcards over LISTEN/NOTIFY (the wire format is in
``_ops/pubsub.py``).

* ``publish`` is one ``pg_notify`` on a pooled connection; PostgreSQL delivers notifications in
  commit order, so one publisher's messages arrive in publish order.
* Each subscription holds a connection of its own (outside the pool) that ran ``LISTEN`` on the
  namespace's channel before ``subscribe`` returns, so every message published afterwards
  reaches it.  Topic and pattern matching happen on the subscriber (the shared
  ``prism._topics`` rules for patterns): every subscription of a namespace receives the whole
  namespace's traffic and keeps what matches.
* Undelivered notifications wait in the server's notification queue (8 GB by default) and the
  connection's buffer; a subscription that stops reading for long enough to fill the queue
  makes ``pg_notify`` fail for every publisher (``BackendUnavailableError``), it never drops.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from psycopg import AsyncConnection, sql  # noqa: TID253 (backend-internal module)

from prism._topics import parse_pattern
from prism._validate import Duration
from prism.backends._errors import translating
from prism.backends.postgres._async._facet import AsyncPostgresFacet
from prism.backends.postgres._core import BACKEND
from prism.backends.postgres._errors import translate
from prism.backends.postgres._ops.pubsub import MAX_PAYLOAD, decode, encode
from prism.interfaces._async.pubsub import AsyncPubSubBasic, AsyncPubSubWildcards, AsyncSubscription
from prism.types import Message

if TYPE_CHECKING:
    from prism.backends.postgres._async.backend import AsyncPostgresBackend

__all__ = ["AsyncPostgresPubSub", "AsyncPostgresSubscription"]

SLICE = 0.1
"""A waiting ``get`` waits for notifications in slices of at most this many seconds, so that a
``close`` from another task or thread ends it within one slice."""

_NOTIFY = "SELECT pg_notify(%s, %s)"


class AsyncPostgresPubSub(AsyncPostgresFacet, AsyncPubSubBasic, AsyncPubSubWildcards):
    MODEL = "pubsub"

    def __init__(self, backend: AsyncPostgresBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self.max_value_bytes = MAX_PAYLOAD  # the checks refuse larger payloads before any I/O

    async def publish(
        self, topic: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> None:
        await self._run("publish", _NOTIFY, (self.schema, encode(topic, payload, headers, BACKEND)))

    async def subscribe(self, topic: str) -> AsyncPostgresSubscription:
        subscription = AsyncPostgresSubscription(self, topic.__eq__)
        await subscription.start("subscribe")
        return subscription

    async def subscribe_pattern(self, pattern: str) -> AsyncPostgresSubscription:
        parsed = parse_pattern(pattern)
        subscription = AsyncPostgresSubscription(self, parsed.matches)
        await subscription.start("subscribe_pattern")
        return subscription


class AsyncPostgresSubscription(AsyncSubscription):
    """``LISTEN`` on a connection of its own; ``get`` reads its notifications."""

    def __init__(self, facet: AsyncPostgresPubSub, matches: Callable[[str], bool]) -> None:
        self._facet = facet
        self._matches = matches
        self._conn: AsyncConnection[Any] | None = None
        self._buffer: deque[Message] = deque()
        self._closed = False
        self._busy = False

    @property
    def closed(self) -> bool:
        return self._closed

    async def start(self, operation: str) -> None:
        config = self._facet._pg.config
        try:
            with translating(BACKEND, operation, translate):
                libpq: dict[str, Any] = dict(config.libpq)
                self._conn = await AsyncConnection.connect(
                    config.conninfo, autocommit=True, **libpq
                )
                await self._conn.execute(
                    sql.SQL("LISTEN {}").format(sql.Identifier(self._facet.schema))
                )
        except BaseException:
            await self.close()
            raise
        self._facet._pg.subscriptions.add(self)

    async def _pump(self, conn: AsyncConnection[Any], wait: float) -> None:
        """Wait up to ``wait`` seconds for notifications; buffer the matching messages (every
        notification of the batch, so none is lost)."""
        with translating(BACKEND, "get", translate):
            async for note in conn.notifies(timeout=wait, stop_after=1):
                message = decode(note.payload)
                if message is not None and self._matches(message.topic):
                    self._buffer.append(message)

    async def get(self, timeout: Duration | None = None) -> Message | None:
        wait = cast("float | None", timeout)  # float seconds after the checks
        deadline = None if wait is None else time.monotonic() + wait
        self._busy = True
        try:
            while not self._closed:
                if self._buffer:
                    return self._buffer.popleft()
                conn = self._conn
                if conn is None:
                    return None
                left = SLICE if deadline is None else min(SLICE, deadline - time.monotonic())
                await self._pump(conn, max(0.0, left))
                if not self._buffer and deadline is not None and time.monotonic() >= deadline:
                    return None
            return None
        finally:
            self._busy = False
            if self._closed:
                await self._disconnect()

    async def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # closing a dead connection may fail
                await conn.close()

    async def close(self) -> None:
        self._closed = True
        self._buffer.clear()
        self._facet._pg.subscriptions.discard(self)
        if not self._busy:  # else the waiting get closes the connection when its slice ends
            await self._disconnect()
