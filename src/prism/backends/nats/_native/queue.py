"""nats queue: queue_basic and queue_priority on one JetStream stream per queue.

* Queue ``q`` of namespace ``ns`` is the stream ``<prefix>-<ns>-q-<q>`` over the subjects
  ``<prefix>.<ns>.q.<q>.<priority + 2**31>``; a message id is
  ``<escaped queue>.<stream sequence>``.
* The message next in line is the oldest of the highest priority present: the stream's
  per-subject counts (``STREAM.INFO`` with ``subjects_filter``) name the priorities present,
  a direct get (``next_by_subj``) fetches the oldest of the highest.
* ``dequeue`` takes the first stored message (a direct get) and deletes it by sequence
  (``STREAM.MSG.DELETE``, ``no_erase``); the server deletes a sequence once, so of competing
  dequeuers exactly one wins each message and the others move on to the next: at-most-once, in
  enqueue order.  A waiting ``dequeue`` listens on the queue's subject (JetStream-captured
  publishes reach core subscribers too) to wake when a message arrives.
* ``peek`` is the same direct get without the delete; ``length`` the stream's message count.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Mapping
from typing import Any, cast

import nats.js.errors  # noqa: TID253 (backend-internal module)
from nats.aio.msg import Msg  # noqa: TID253
from nats.js import api  # noqa: TID253

from prism._validate import Duration
from prism.backends._errors import translating
from prism.backends.nats._errors import translate
from prism.backends.nats._names import escape, short
from prism.backends.nats._native._facet import AsyncNatsFacet
from prism.backends.nats._native.stream import _parse_time
from prism.errors import PrismError
from prism.interfaces._async.queue import MIN_PRIORITY, AsyncQueueBasic, AsyncQueuePriority
from prism.types import QueueMessage

__all__ = ["AsyncNatsQueue"]

BACKEND = "nats"
H_HEADERS = "Prism-Headers"
_NO_MESSAGE = 10057
"""JetStream's "no message found" (the sequence was deleted by a competitor)."""


class AsyncNatsQueue(AsyncNatsFacet, AsyncQueueBasic, AsyncQueuePriority):
    def __init__(self, backend: Any, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._q = f"{self._subject_root}.q."

    def _name(self, queue: str) -> str:
        return short(f"{self._name_root}-q-{escape(queue)}")

    def _subject(self, queue: str, priority: int | None = None) -> str:
        """The queue's subject for ``priority`` (``*``: all of them); the last token is the
        priority offset by 2**31, so it is a non-negative integer."""
        tail = "*" if priority is None else str(priority - MIN_PRIORITY)
        return f"{self._q}{escape(queue)}.{tail}"

    async def _exists(self, queue: str) -> bool:
        name = self._name(queue)
        if name in self._b.ready:
            return True
        try:
            await self.js.stream_info(name)
        except nats.js.errors.NotFoundError:
            return False
        self._b.ready.add(name)
        return True

    async def _ensure(self, queue: str) -> None:
        name = self._name(queue)
        if name in self._b.ready:
            return
        async with self._b.setup_lock:
            if name in self._b.ready or await self._exists(queue):
                return
            config = api.StreamConfig(
                name=name,
                subjects=[self._subject(queue)],
                storage=api.StorageType.FILE,
                allow_direct=True,
            )
            with contextlib.suppress(nats.js.errors.BadRequestError):  # made meanwhile
                await self.js.add_stream(config)
            self._b.ready.add(name)

    async def _first(self, queue: str) -> Msg | None:
        """The message next in line: the oldest of the highest priority present."""
        while True:
            info = await self.js.stream_info(self._name(queue), subjects_filter=">")
            subjects = info.state.subjects or {}
            present = [s for s, count in subjects.items() if count > 0]
            if not present:
                return None
            top = max(present, key=lambda s: int(s.rsplit(".", 1)[1]))
            reply = await self._direct_first(queue, top)
            if reply is not None:
                return reply
            # taken meanwhile: look again

    async def _direct_first(self, queue: str, subject: str) -> Msg | None:
        reply = await self.nc.request(
            f"$JS.API.DIRECT.GET.{self._name(queue)}",
            json.dumps({"seq": 1, "next_by_subj": subject}).encode(),
            timeout=self._b.config.request_timeout,
        )
        headers = reply.headers or {}
        status = headers.get("Status")
        if status == "404":
            return None
        if status:
            msg = f"unexpected JetStream direct-get reply {status} {headers.get('Description', '')}"
            raise PrismError(msg, backend=BACKEND)
        return reply

    def _message(self, queue: str, reply: Msg, attempts: int) -> QueueMessage:
        headers = reply.headers or {}
        user = json.loads(headers[H_HEADERS]) if H_HEADERS in headers else {}
        priority = int(headers["Nats-Subject"].rsplit(".", 1)[1]) + MIN_PRIORITY
        return QueueMessage(
            id=f"{escape(queue)}.{headers['Nats-Sequence']}",
            queue=queue,
            payload=reply.data,
            headers=user,
            attempts=attempts,
            enqueued_at=_parse_time(headers["Nats-Time-Stamp"]),
            priority=priority,
        )

    async def _delete(self, queue: str, seq: int) -> bool:
        """Delete ``seq``; False when a competitor deleted it first."""
        reply = await self.nc.request(
            f"$JS.API.STREAM.MSG.DELETE.{self._name(queue)}",
            json.dumps({"seq": seq, "no_erase": True}).encode(),
            timeout=self._b.config.request_timeout,
        )
        answer = json.loads(reply.data)
        if answer.get("success"):
            return True
        error = answer.get("error") or {}
        if error.get("err_code") == _NO_MESSAGE:
            return False
        msg = f"unexpected JetStream answer to a message delete: {error.get('description')}"
        raise PrismError(msg, backend=BACKEND)

    async def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
    ) -> str:
        meta = {H_HEADERS: json.dumps(dict(headers), separators=(",", ":"))} if headers else None
        with translating(BACKEND, "enqueue", translate):
            await self._ensure(queue)
            async with self._b.inflight:
                ack = await self.js.publish(self._subject(queue, priority), payload, headers=meta)
        return f"{escape(queue)}.{ack.seq}"

    async def _take(self, queue: str) -> QueueMessage | None:
        while True:
            reply = await self._first(queue)
            if reply is None:
                return None
            seq = int((reply.headers or {})["Nats-Sequence"])
            if await self._delete(queue, seq):
                return self._message(queue, reply, attempts=1)

    async def dequeue(self, queue: str, *, timeout: Duration | None = None) -> QueueMessage | None:
        wait = cast("float | None", timeout) or 0.0
        deadline = time.monotonic() + wait
        with translating(BACKEND, "dequeue", translate):
            if not await self._exists(queue) and wait <= 0:
                return None
            await self._ensure(queue)
            message = await self._take(queue)
            if message is not None or wait <= 0:
                return message
            arrived = asyncio.Event()

            async def wake(_: Msg) -> None:
                arrived.set()

            sub = await self.nc.subscribe(self._subject(queue), cb=wake)
            try:
                await self.nc.flush()
                while True:
                    arrived.clear()
                    message = await self._take(queue)
                    left = deadline - time.monotonic()
                    if message is not None or left <= 0:
                        return message
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(arrived.wait(), left)
            finally:
                with contextlib.suppress(Exception):
                    await sub.unsubscribe()

    async def peek(self, queue: str) -> QueueMessage | None:
        with translating(BACKEND, "peek", translate):
            if not await self._exists(queue):
                return None
            reply = await self._first(queue)
        return None if reply is None else self._message(queue, reply, attempts=0)

    async def length(self, queue: str) -> int:
        with translating(BACKEND, "length", translate):
            try:
                info = await self.js.stream_info(self._name(queue))
            except nats.js.errors.NotFoundError:
                return 0
        return int(info.state.messages)
