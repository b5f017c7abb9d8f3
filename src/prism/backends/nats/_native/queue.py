"""nats queue: queue_basic, queue_priority, queue_visibility, queue_dead_letter and
queue_delayed.

* Queue ``q`` of namespace ``ns`` is the stream ``<prefix>-<ns>-q-<q>`` over the subjects
  ``<prefix>.<ns>.q.<q>.<priority + 2**31>``; a message id is
  ``<escaped queue>.<stream sequence>`` (or the ``Prism-Id`` header of a message moved by
  dead-lettering or redrive, which keeps its first id).
* Place in line: the highest priority present first, then stream sequence; a message never
  moves in the stream while it is leased, so a lapsed or released lease leaves it in its place.
* Leases live in a second stream, ``<prefix>-<ns>-ql-<q>``, one subject per message sequence
  (``<prefix>.<ns>.ql.<q>.<seq>``, one message kept per subject): a JSON record of receipt,
  deadline (epoch seconds, this client's clock) and attempts.  Every change of a record is
  conditional on the revision read (``Nats-Expected-Last-Subject-Sequence``), so of competing
  receivers exactly one claims a message per lease, and a settle after a lapse, a release or a
  newer delivery loses.  All records of a queue are read in one batched direct get
  (``multi_last``); ready messages are those without a record whose deadline is in the future.
* ``dequeue``/``ack`` claim the record (hiding the message), delete the message by sequence
  (``STREAM.MSG.DELETE``) and purge the record; a claim re-checks that the message still
  exists, so a message deleted meanwhile is never handed out.
* Dead letters: the rule is a record in ``<prefix>-<ns>-qc``; a release on the last allowed
  attempt, or a lapse found by the next read of the queue, moves the message to the dead-letter
  queue's stream with ``Prism-Id``, ``Prism-Attempts`` and ``Prism-Origin`` headers; redrive
  claims each dead letter like a dequeue and republishes it at the source queue's tail.
* Delayed messages are stored in the queue's stream at enqueue, so their stream sequence is
  their place in line, with a ``Prism-Due`` header (epoch seconds, this client's clock) that
  hides them until then, and a lease record with the receipt ``~`` and the due time as deadline
  (what ``length``, ``scheduled_count`` and a waiting ``dequeue`` read).  The header is written
  atomically with the message, so a delayed message is never delivered early; the record
  follows it, and a reader that finds a hidden message without one writes it.  NATS's own
  scheduled messages (``Nats-Schedule``) are not used: they fire as a new message at the end of
  the line, and the contract wants a due message in the place its enqueue gave it.
* A waiting ``dequeue``/``receive`` listens on the queue's subject and wakes at the next lease
  deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Mapping
from typing import Any, cast

import nats.js.errors  # noqa: TID253 (backend-internal module)
from nats.aio.msg import Msg  # noqa: TID253
from nats.js import api  # noqa: TID253

from prism._validate import Duration, Timestamp
from prism.backends._errors import translating
from prism.backends.nats._errors import translate
from prism.backends.nats._names import escape, short
from prism.backends.nats._native._facet import AsyncNatsFacet
from prism.backends.nats._native.stream import _parse_time
from prism.errors import InvalidArgumentError, LeaseLostError, PrismError
from prism.interfaces._async.queue import (
    MIN_PRIORITY,
    AsyncQueueBasic,
    AsyncQueueDeadLetter,
    AsyncQueueDelayed,
    AsyncQueuePriority,
    AsyncQueueVisibility,
)
from prism.types import Lease, QueueMessage

__all__ = ["AsyncNatsQueue"]

BACKEND = "nats"
H_HEADERS = "Prism-Headers"
H_ID = "Prism-Id"
H_ATTEMPTS = "Prism-Attempts"
H_ORIGIN = "Prism-Origin"
H_DUE = "Prism-Due"
_DELAYED = "~"
"""The receipt of a delayed message's record (never a lease's: those are hex)."""
_WRONG_LAST_SEQ = 10071
"""JetStream's "wrong last sequence": a revision-conditional write lost."""
_PAGE = 64
_HOLD = 30.0
"""How long a message being taken (dequeue, ack, dead-letter move, redrive) stays hidden should
the taker die between its steps."""
_NO_MESSAGE = 10057
"""JetStream's "no message found" (the sequence was deleted by a competitor)."""


class _Rec:
    """A message's lease record: its revision in the lease stream, receipt, deadline, attempts
    (``receipt`` empty: being taken)."""

    __slots__ = ("attempts", "deadline", "receipt", "rev")

    def __init__(self, rev: int, receipt: str, deadline: float, attempts: int) -> None:
        self.rev, self.receipt, self.deadline, self.attempts = rev, receipt, deadline, attempts


class AsyncNatsQueue(
    AsyncNatsFacet,
    AsyncQueueBasic,
    AsyncQueuePriority,
    AsyncQueueVisibility,
    AsyncQueueDeadLetter,
    AsyncQueueDelayed,
):
    def __init__(self, backend: Any, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._q = f"{self._subject_root}.q."
        self._ql = f"{self._subject_root}.ql."
        self._qc = f"{self._subject_root}.qc."

    # -- names ------------------------------------------------------------------------------

    def _name(self, queue: str) -> str:
        return short(f"{self._name_root}-q-{escape(queue)}")

    def _lease_name(self, queue: str) -> str:
        return short(f"{self._name_root}-ql-{escape(queue)}")

    def _config_name(self) -> str:
        return short(f"{self._name_root}-qc")

    def _subject(self, queue: str, priority: int | None = None) -> str:
        """The queue's subject for ``priority`` (``*``: all of them); the last token is the
        priority offset by 2**31, so it is a non-negative integer."""
        tail = "*" if priority is None else str(priority - MIN_PRIORITY)
        return f"{self._q}{escape(queue)}.{tail}"

    def _lease_subject(self, queue: str, seq: int | None = None) -> str:
        return f"{self._ql}{escape(queue)}.{'*' if seq is None else seq}"

    # -- streams ----------------------------------------------------------------------------

    async def _exists(self, queue: str) -> bool:
        name = self._name(queue)
        if name in self._b.ready:
            return True
        try:
            await self.js.stream_info(name)
        except nats.js.errors.NotFoundError:
            return False
        return True

    async def _make(self, name: str, subjects: list[str], per_subject: int = -1) -> None:
        if name in self._b.ready:
            return
        async with self._b.setup_lock:
            if name in self._b.ready:
                return
            config = api.StreamConfig(
                name=name,
                subjects=subjects,
                storage=api.StorageType.FILE,
                allow_direct=True,
                max_msgs_per_subject=per_subject,
            )
            try:
                await self.js.stream_info(name)
            except nats.js.errors.NotFoundError:
                with contextlib.suppress(nats.js.errors.BadRequestError):  # made meanwhile
                    await self.js.add_stream(config)
            self._b.ready.add(name)

    async def _ensure(self, queue: str) -> None:
        await self._make(self._name(queue), [self._subject(queue)])
        await self._make(self._lease_name(queue), [self._lease_subject(queue)], per_subject=1)

    # -- raw JetStream requests -------------------------------------------------------------

    async def _batch(self, stream: str, body: dict[str, Any]) -> list[Msg]:
        """A batched direct get: the messages the server sends until its end-of-batch mark."""
        out: list[Msg] = []
        done = asyncio.Event()
        failure: list[str] = []

        async def collect(msg: Msg) -> None:
            status = (msg.headers or {}).get("Status")
            if status:
                if status not in ("204", "404"):
                    failure.append(f"{status} {(msg.headers or {}).get('Description', '')}")
                done.set()
                return
            out.append(msg)

        inbox = self.nc.new_inbox()
        sub = await self.nc.subscribe(inbox, cb=collect)
        try:
            await self.nc.publish(
                f"$JS.API.DIRECT.GET.{stream}", json.dumps(body).encode(), reply=inbox
            )
            await asyncio.wait_for(done.wait(), self._b.config.request_timeout)
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        if failure:
            msg = f"unexpected JetStream direct-get reply {failure[0]}"
            raise PrismError(msg, backend=BACKEND)
        return out

    async def _get(self, stream: str, body: dict[str, Any]) -> Msg | None:
        reply = await self.nc.request(
            f"$JS.API.DIRECT.GET.{stream}",
            json.dumps(body).encode(),
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

    # -- lease records ----------------------------------------------------------------------

    @staticmethod
    def _rec(msg: Msg) -> _Rec:
        data = json.loads(msg.data)
        rev = int((msg.headers or {})["Nats-Sequence"])
        return _Rec(rev, data["r"], float(data["d"]), int(data["a"]))

    async def _records(self, queue: str) -> dict[int, _Rec]:
        """Every lease record of ``queue`` by message sequence (lapsed ones included)."""
        msgs = await self._batch(
            self._lease_name(queue), {"multi_last": [self._lease_subject(queue)]}
        )
        return {
            int((m.headers or {})["Nats-Subject"].rsplit(".", 1)[1]): self._rec(m) for m in msgs
        }

    async def _record(self, queue: str, seq: int) -> _Rec | None:
        msg = await self._get(
            self._lease_name(queue), {"last_by_subj": self._lease_subject(queue, seq)}
        )
        return None if msg is None else self._rec(msg)

    async def _write(
        self, queue: str, seq: int, rev: int, receipt: str, deadline: float, attempts: int
    ) -> int | None:
        """Write ``seq``'s lease record if its revision is still ``rev`` (0: none); the new
        revision, or None when another writer came first."""
        body = json.dumps({"r": receipt, "d": deadline, "a": attempts}).encode()
        try:
            ack = await self.js.publish(
                self._lease_subject(queue, seq),
                body,
                stream=self._lease_name(queue),
                headers={"Nats-Expected-Last-Subject-Sequence": str(rev)},
            )
        except nats.js.errors.APIError as exc:
            if exc.err_code == _WRONG_LAST_SEQ:
                return None
            raise
        return int(ack.seq)

    async def _forget(self, queue: str, seq: int) -> None:
        await self.js.purge_stream(self._lease_name(queue), subject=self._lease_subject(queue, seq))

    async def _state(self, queue: str) -> dict[int, _Rec]:
        """The lease records of ``queue``, after moving the messages whose last lease lapsed on
        their last allowed attempt to the dead-letter queue."""
        records = await self._records(queue)
        now = time.time()
        lapsed = [
            s for s, r in records.items() if r.receipt not in ("", _DELAYED) and r.deadline <= now
        ]
        if lapsed:
            config = await self._config(queue)
            if config is not None:
                for seq in lapsed:
                    rec = records[seq]
                    if rec.attempts >= config["max"]:
                        await self._dead_letter(queue, seq, rec, config)
                        records.pop(seq)
        return records

    # -- messages ---------------------------------------------------------------------------

    def _message(self, queue: str, reply: Msg, rec: _Rec | None, *, delivery: bool) -> QueueMessage:
        headers = reply.headers or {}
        user = json.loads(headers[H_HEADERS]) if H_HEADERS in headers else {}
        priority = int(headers["Nats-Subject"].rsplit(".", 1)[1]) + MIN_PRIORITY
        attempts = rec.attempts if rec is not None else int(headers.get(H_ATTEMPTS, "0"))
        return QueueMessage(
            id=headers.get(H_ID) or f"{escape(queue)}.{headers['Nats-Sequence']}",
            queue=queue,
            payload=reply.data,
            headers=user,
            attempts=attempts + (1 if delivery else 0),
            enqueued_at=_parse_time(headers["Nats-Time-Stamp"]),
            priority=priority,
        )

    async def _ready(self, queue: str, records: dict[int, _Rec]) -> Any:
        """The messages ready now, in delivery order (an async iterator of stored messages)."""
        now = time.time()
        hidden = {s for s, r in records.items() if r.deadline > now}
        info = await self.js.stream_info(self._name(queue), subjects_filter=">")
        subjects = info.state.subjects or {}
        present = sorted(
            (s for s, count in subjects.items() if count > 0),
            key=lambda s: int(s.rsplit(".", 1)[1]),
            reverse=True,
        )
        for subject in present:
            seq = 1
            while True:
                page = await self._batch(
                    self._name(queue), {"seq": seq, "next_by_subj": subject, "batch": _PAGE}
                )
                for msg in page:
                    headers = msg.headers or {}
                    seq = int(headers["Nats-Sequence"])
                    if seq in hidden:
                        continue
                    if H_DUE in headers and float(headers[H_DUE]) > now:
                        # delayed, and its record not written yet (in flight, or its writer died)
                        if seq not in records:
                            await self._write(queue, seq, 0, _DELAYED, float(headers[H_DUE]), 0)
                        continue
                    yield msg
                if len(page) < _PAGE:
                    break
                seq = int((page[-1].headers or {})["Nats-Sequence"]) + 1

    async def _claim(
        self, queue: str, receipt: str, deadline: float
    ) -> tuple[int, Msg, _Rec | None, int] | None:
        """Write a lease record for the first ready message: (seq, message, old record, new
        revision); None when nothing is ready."""
        while True:
            records = await self._state(queue)
            raced = False
            async for msg in self._ready(queue, records):
                seq = int((msg.headers or {})["Nats-Sequence"])
                old = records.get(seq)
                attempts = 0 if old is None else old.attempts
                if old is None:
                    attempts = int((msg.headers or {}).get(H_ATTEMPTS, "0"))
                rev = await self._write(
                    queue, seq, 0 if old is None else old.rev, receipt, deadline, attempts + 1
                )
                if rev is None:
                    continue  # a competitor took it
                if await self._get(self._name(queue), {"seq": seq}) is None:
                    await self._forget(queue, seq)  # deleted meanwhile
                    raced = True
                    break
                return seq, msg, old, rev
            if not raced:
                return None

    async def _remove(self, queue: str, seq: int) -> None:
        await self._delete(queue, seq)
        await self._forget(queue, seq)

    # -- queue_basic / queue_priority -------------------------------------------------------

    async def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
        delay: Duration | None = None,
        not_before: Timestamp | None = None,
    ) -> str:
        meta = {H_HEADERS: json.dumps(dict(headers), separators=(",", ":"))} if headers else None
        due: float | None = None
        if delay is not None or not_before is not None:
            now = time.time()
            due = now + cast("float", delay) if delay is not None else cast("float", not_before)
            if due <= now:
                due = None  # immediate
            else:
                meta = {**(meta or {}), H_DUE: repr(due)}
        with translating(BACKEND, "enqueue", translate):
            await self._ensure(queue)
            async with self._b.inflight:
                ack = await self.js.publish(self._subject(queue, priority), payload, headers=meta)
            if due is not None:
                await self._write(queue, int(ack.seq), 0, _DELAYED, due, 0)
        return f"{escape(queue)}.{ack.seq}"

    async def scheduled_count(self, queue: str) -> int:
        with translating(BACKEND, "scheduled_count", translate):
            if not await self._exists(queue):
                return 0
            await self._ensure(queue)
            records = await self._records(queue)
        now = time.time()
        return sum(r.receipt == _DELAYED and r.deadline > now for r in records.values())

    async def _waiting(self, queue: str, wait: float, attempt: Any) -> Any:
        """``attempt()`` until it returns something or ``wait`` seconds pass, woken by enqueues
        and by the next lease deadline."""
        deadline = time.monotonic() + wait
        if not await self._exists(queue) and wait <= 0:
            return None
        await self._ensure(queue)
        result = await attempt()
        if result is not None or wait <= 0:
            return result
        arrived = asyncio.Event()

        async def wake(_: Msg) -> None:
            arrived.set()

        sub = await self.nc.subscribe(self._subject(queue), cb=wake)
        try:
            await self.nc.flush()
            while True:
                arrived.clear()
                result = await attempt()
                left = deadline - time.monotonic()
                if result is not None or left <= 0:
                    return result
                now = time.time()
                lapses = [r.deadline - now for r in (await self._records(queue)).values()]
                nxt = min((d for d in lapses if d > 0), default=left)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(arrived.wait(), min(left, nxt + 0.001))
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _take(self, queue: str) -> QueueMessage | None:
        claimed = await self._claim(queue, "", time.time() + _HOLD)
        if claimed is None:
            return None
        seq, msg, old, _ = claimed
        await self._remove(queue, seq)
        return self._message(queue, msg, old, delivery=True)

    async def dequeue(self, queue: str, *, timeout: Duration | None = None) -> QueueMessage | None:
        wait = cast("float | None", timeout) or 0.0
        with translating(BACKEND, "dequeue", translate):
            result = await self._waiting(queue, wait, lambda: self._take(queue))
        return cast("QueueMessage | None", result)

    async def peek(self, queue: str) -> QueueMessage | None:
        with translating(BACKEND, "peek", translate):
            if not await self._exists(queue):
                return None
            await self._ensure(queue)
            records = await self._state(queue)
            async for msg in self._ready(queue, records):
                seq = int((msg.headers or {})["Nats-Sequence"])
                return self._message(queue, msg, records.get(seq), delivery=False)
        return None

    async def length(self, queue: str) -> int:
        with translating(BACKEND, "length", translate):
            if not await self._exists(queue):
                return 0
            await self._ensure(queue)
            records = await self._state(queue)
            info = await self.js.stream_info(self._name(queue))
        now = time.time()
        return max(0, int(info.state.messages) - sum(r.deadline > now for r in records.values()))

    # -- queue_visibility -------------------------------------------------------------------

    async def _lease(self, queue: str, visibility_timeout: float) -> Lease | None:
        receipt = f"{uuid.uuid4().hex}"
        deadline = time.time() + visibility_timeout
        claimed = await self._claim(queue, receipt, deadline)
        if claimed is None:
            return None
        seq, msg, old, _ = claimed
        message = self._message(queue, msg, old, delivery=True)
        return Lease(message=message, receipt=f"{seq}.{receipt}", deadline=deadline)

    async def receive(
        self,
        queue: str,
        *,
        visibility_timeout: Duration = 30.0,
        timeout: Duration | None = None,
    ) -> Lease | None:
        wait = cast("float | None", timeout) or 0.0
        vt = cast("float", visibility_timeout)
        with translating(BACKEND, "receive", translate):
            result = await self._waiting(queue, wait, lambda: self._lease(queue, vt))
        return cast("Lease | None", result)

    async def _held(self, lease: Lease, operation: str) -> tuple[str, int, _Rec]:
        """The queue, sequence and record of a lease still held; ``LeaseLostError`` if not."""
        queue = lease.message.queue
        seq_text, _, receipt = lease.receipt.partition(".")
        lost = LeaseLostError(
            "the lease is no longer held (it lapsed, was settled, or the message was "
            "delivered again)",
            backend=BACKEND,
            operation=operation,
        )
        if not seq_text.isdigit() or not await self._exists(queue):
            raise lost
        await self._ensure(queue)
        seq = int(seq_text)
        rec = await self._record(queue, seq)
        if rec is None or rec.receipt != receipt or rec.deadline <= time.time():
            raise lost
        return queue, seq, rec

    async def ack(self, lease: Lease) -> None:
        with translating(BACKEND, "ack", translate):
            queue, seq, rec = await self._held(lease, "ack")
            if (
                await self._write(queue, seq, rec.rev, "", time.time() + _HOLD, rec.attempts)
                is None
            ):
                raise LeaseLostError(
                    "the lease was lost meanwhile", backend=BACKEND, operation="ack"
                )
            await self._remove(queue, seq)

    async def extend_visibility(self, lease: Lease, visibility_timeout: Duration) -> Lease:
        with translating(BACKEND, "extend_visibility", translate):
            queue, seq, rec = await self._held(lease, "extend_visibility")
            deadline = time.time() + cast("float", visibility_timeout)
            if await self._write(queue, seq, rec.rev, rec.receipt, deadline, rec.attempts) is None:
                raise LeaseLostError(
                    "the lease was lost meanwhile", backend=BACKEND, operation="extend_visibility"
                )
        return Lease(message=lease.message, receipt=lease.receipt, deadline=deadline)

    async def release(self, lease: Lease) -> None:
        with translating(BACKEND, "release", translate):
            queue, seq, rec = await self._held(lease, "release")
            config = await self._config(queue)
            if config is not None and rec.attempts >= config["max"]:
                if not await self._dead_letter(queue, seq, rec, config):
                    raise LeaseLostError(
                        "the lease was lost meanwhile", backend=BACKEND, operation="release"
                    )
                return
            if await self._write(queue, seq, rec.rev, rec.receipt, 0.0, rec.attempts) is None:
                raise LeaseLostError(
                    "the lease was lost meanwhile", backend=BACKEND, operation="release"
                )

    # -- queue_dead_letter ------------------------------------------------------------------

    async def _config(self, queue: str) -> dict[str, Any] | None:
        name = self._config_name()
        if name not in self._b.ready:
            try:
                await self.js.stream_info(name)
            except nats.js.errors.NotFoundError:
                return None
            self._b.ready.add(name)
        msg = await self._get(name, {"last_by_subj": f"{self._qc}{escape(queue)}"})
        return None if msg is None else cast("dict[str, Any]", json.loads(msg.data))

    async def _dead_letter(self, queue: str, seq: int, rec: _Rec, config: dict[str, Any]) -> bool:
        """Move message ``seq`` (record ``rec``) to the dead-letter queue; False when another
        writer changed its record first."""
        if await self._write(queue, seq, rec.rev, "", time.time() + _HOLD, rec.attempts) is None:
            return False
        msg = await self._get(self._name(queue), {"seq": seq})
        if msg is None:  # taken meanwhile
            await self._forget(queue, seq)
            return True
        headers = msg.headers or {}
        dlq = config["dlq"]
        meta = {
            H_ID: headers.get(H_ID) or f"{escape(queue)}.{seq}",
            H_ATTEMPTS: str(rec.attempts),
            H_ORIGIN: escape(queue),
        }
        if H_HEADERS in headers:
            meta[H_HEADERS] = headers[H_HEADERS]
        priority = int(headers["Nats-Subject"].rsplit(".", 1)[1]) + MIN_PRIORITY
        await self._ensure(dlq)
        await self.js.publish(self._subject(dlq, priority), msg.data, headers=meta)
        await self._remove(queue, seq)
        return True

    async def configure_dead_letter(
        self, queue: str, *, max_attempts: int, dead_letter_queue: str
    ) -> None:
        if dead_letter_queue == queue:
            msg = "dead_letter_queue must differ from queue (a queue cannot be its own dead-letter queue)"
            raise InvalidArgumentError(msg)
        with translating(BACKEND, "configure_dead_letter", translate):
            await self._make(self._config_name(), [f"{self._qc}*"], per_subject=1)
            old = await self._config(queue)
            used = list(old["all"]) if old is not None else []
            if dead_letter_queue not in used:
                used.append(dead_letter_queue)
            body = {"max": max_attempts, "dlq": dead_letter_queue, "all": used}
            await self.js.publish(f"{self._qc}{escape(queue)}", json.dumps(body).encode())

    async def _dead(self, queue: str) -> list[tuple[float, str, int, Msg, _Rec | None]]:
        """The dead letters of ``queue`` ready in their dead-letter queues, oldest first:
        (dead-letter time, dead-letter queue, sequence, message, lease record)."""
        config = await self._config(queue)
        if config is None:
            return []
        if await self._exists(queue):
            await self._ensure(queue)
            await self._state(queue)  # lapsed last attempts move now
        found: list[tuple[float, str, int, Msg, _Rec | None]] = []
        origin = escape(queue)
        for dlq in config["all"]:
            if not await self._exists(dlq):
                continue
            await self._ensure(dlq)
            records = await self._state(dlq)
            now = time.time()
            seq = 1
            while True:
                page = await self._batch(
                    self._name(dlq),
                    {"seq": seq, "next_by_subj": self._subject(dlq), "batch": _PAGE},
                )
                for msg in page:
                    headers = msg.headers or {}
                    s = int(headers["Nats-Sequence"])
                    rec = records.get(s)
                    if headers.get(H_ORIGIN) != origin or (rec is not None and rec.deadline > now):
                        continue
                    found.append((_parse_time(headers["Nats-Time-Stamp"]), dlq, s, msg, rec))
                if len(page) < _PAGE:
                    break
                seq = int((page[-1].headers or {})["Nats-Sequence"]) + 1
        found.sort(key=lambda item: (item[0], item[2]))
        return found

    async def dead_letters(self, queue: str, *, limit: int | None = None) -> list[QueueMessage]:
        with translating(BACKEND, "dead_letters", translate):
            found = await self._dead(queue)
        if limit is not None:
            found = found[:limit]
        return [self._message(dlq, msg, rec, delivery=False) for _, dlq, _, msg, rec in found]

    async def redrive(self, queue: str, *, limit: int | None = None) -> int:
        moved = 0
        with translating(BACKEND, "redrive", translate):
            while limit is None or moved < limit:
                found = await self._dead(queue)
                if not found:
                    break
                progressed = False
                for _, dlq, seq, msg, rec in found:
                    if limit is not None and moved >= limit:
                        break
                    rev = await self._write(
                        dlq,
                        seq,
                        0 if rec is None else rec.rev,
                        "",
                        time.time() + _HOLD,
                        0 if rec is None else rec.attempts,
                    )
                    if rev is None:
                        continue  # a competitor took it
                    progressed = True
                    if await self._get(self._name(dlq), {"seq": seq}) is None:
                        await self._forget(dlq, seq)
                        continue
                    headers = msg.headers or {}
                    meta = {H_ID: headers.get(H_ID) or f"{escape(dlq)}.{seq}"}
                    if H_HEADERS in headers:
                        meta[H_HEADERS] = headers[H_HEADERS]
                    priority = int(headers["Nats-Subject"].rsplit(".", 1)[1]) + MIN_PRIORITY
                    await self._ensure(queue)
                    await self.js.publish(self._subject(queue, priority), msg.data, headers=meta)
                    await self._remove(dlq, seq)
                    moved += 1
                if not progressed:
                    break
        return moved
