"""nats stream: stream_basic, stream_replay, stream_retention, stream_partitioning and
stream_consumer_groups, one JetStream stream per prism stream (and one for its groups' state).

* Stream ``s`` of namespace ``ns`` is the JetStream stream ``<prefix>-<ns>-st-<s>`` (escaped,
  shortened with a hash when long) over the subjects ``<prefix>.<ns>.st.<s>.<partition>``;
  partition ``p``'s records are the messages of subject ``...<p>``.  An offset is the stream
  sequence: it increases strictly within each partition (not contiguously once a stream has more
  than one partition), and is never reused (purges keep the sequence).
* Reads are JetStream *direct gets* (``next_by_subj`` from an offset, ``start_time`` for a
  timestamp): no consumer is made for a read.  Record times are the server's
  (``Nats-Time-Stamp``).
* Retention limits and the partition count live in the stream's metadata (``prism.max_age``,
  ``prism.max_length``, ``prism.partitions``); :meth:`trim` applies the limits with JetStream
  purges (below the first sequence young enough; per partition subject with ``keep``).  The
  server does not trim by itself: a JetStream ``max_age`` / ``max_msgs_per_subject`` would
  remove records at once on ``set_retention`` (and :meth:`trim` could not count them).
* Headers and the record key travel as ``Prism-Headers`` (JSON) and ``Prism-Key``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any, cast

import nats.errors  # noqa: TID253 (backend-internal module)
import nats.js.errors  # noqa: TID253
from nats.aio.msg import Msg  # noqa: TID253
from nats.js import api  # noqa: TID253

from prism._partition import partition_for
from prism._validate import Duration, Timestamp
from prism.backends._errors import translating
from prism.backends.nats._errors import translate
from prism.backends.nats._names import escape, short
from prism.backends.nats._native._facet import AsyncNatsFacet
from prism.errors import InvalidArgumentError, NotFoundError, PrismError
from prism.interfaces._async.stream import (
    AsyncStreamBasic,
    AsyncStreamConsumerGroups,
    AsyncStreamPartitioning,
    AsyncStreamReplay,
    AsyncStreamRetention,
)
from prism.types import GroupInfo, PartitionOffset, RetentionLimits, StreamRecord

__all__ = ["AsyncNatsStream"]

BACKEND = "nats"
H_HEADERS = "Prism-Headers"
H_KEY = "Prism-Key"
_PARTITIONS = "prism.partitions"
_MAX_AGE = "prism.max_age"
_MAX_LENGTH = "prism.max_length"
_PAGE = 100
_WINDOW = 1000
"""Publishes of one ``append_many`` awaiting their acks at a time."""
_WRONG_LAST_SEQ = 10071
"""JetStream's "wrong last sequence": a revision-conditional write lost."""


def _meta(headers: Mapping[str, str] | None, key: str | None = None) -> dict[str, str] | None:
    """The NATS headers carrying a record's user headers and key (None: neither)."""
    meta: dict[str, str] = {}
    if headers:
        meta[H_HEADERS] = json.dumps(dict(headers), separators=(",", ":"))
    if key is not None:
        meta[H_KEY] = json.dumps(key)
    return meta or None


def _parse_time(text: str) -> float:
    """RFC 3339 with nanoseconds (``2026-11-30T12:00:00.123456789Z``) → epoch seconds."""
    head, _, frac = text.rstrip("Z").partition(".")
    if "+" in frac:
        frac = frac.split("+", 1)[0]
    base = dt.datetime.fromisoformat(head).replace(tzinfo=dt.UTC)
    return base.timestamp() + (float(f"0.{frac}") if frac else 0.0)


def _iso(ts: float) -> str:
    """Epoch seconds → RFC 3339 with nanoseconds, 250 ns early: a float near 2026's epoch
    seconds holds time to about 240 ns, so a record's own timestamp must still find it."""
    whole = int(ts // 1)
    nanos = round((ts - whole) * 1e9) - 250
    if nanos < 0:
        whole, nanos = whole - 1, nanos + 1_000_000_000
    if nanos >= 1_000_000_000:
        whole, nanos = whole + 1, nanos - 1_000_000_000
    base = dt.datetime.fromtimestamp(whole, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{nanos:09d}Z"


class AsyncNatsStream(
    AsyncNatsFacet,
    AsyncStreamBasic,
    AsyncStreamReplay,
    AsyncStreamRetention,
    AsyncStreamPartitioning,
    AsyncStreamConsumerGroups,
):
    def __init__(self, backend: Any, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._st = f"{self._subject_root}.st."
        self._sg = f"{self._subject_root}.sg."

    def _name(self, stream: str) -> str:
        return short(f"{self._name_root}-st-{escape(stream)}")

    def _subject(self, stream: str, partition: int) -> str:
        return f"{self._st}{escape(stream)}.{partition}"

    async def _info(self, stream: str) -> Any | None:
        try:
            return await self.js.stream_info(self._name(stream))
        except nats.js.errors.NotFoundError:
            return None

    async def _ensure(self, stream: str) -> None:
        name = self._name(stream)
        if name in self._b.ready:
            return
        async with self._b.setup_lock:
            if name not in self._b.ready:
                await self._create(stream, name)

    async def _create(self, stream: str, name: str) -> None:
        if await self._info(stream) is None:
            config = api.StreamConfig(
                name=name,
                subjects=[f"{self._st}{escape(stream)}.*"],
                storage=api.StorageType.FILE,
                allow_direct=True,
                metadata={_PARTITIONS: "1"},
            )
            with contextlib.suppress(nats.js.errors.BadRequestError):  # made meanwhile
                await self.js.add_stream(config)
        self._b.ready.add(name)

    async def _exists(self, stream: str) -> bool:
        if self._name(stream) in self._b.ready:
            return True
        if await self._info(stream) is None:
            return False
        self._b.ready.add(self._name(stream))
        return True

    async def _direct(self, stream: str, request: dict[str, Any]) -> Msg | None:
        """One direct get; None when nothing matches."""
        reply = await self.nc.request(
            f"$JS.API.DIRECT.GET.{self._name(stream)}",
            json.dumps(request).encode(),
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

    def _record(self, stream: str, reply: Msg, partition: int) -> StreamRecord:
        headers = reply.headers or {}
        user = json.loads(headers[H_HEADERS]) if H_HEADERS in headers else {}
        key = json.loads(headers[H_KEY]) if H_KEY in headers else None
        return StreamRecord(
            stream=stream,
            offset=int(headers["Nats-Sequence"]),
            payload=reply.data,
            headers=user,
            timestamp=_parse_time(headers["Nats-Time-Stamp"]),
            partition=partition,
            key=key,
        )

    async def _read(
        self, stream: str, partition: int, from_offset: int, max_count: int
    ) -> list[StreamRecord]:
        if not await self._exists(stream):
            return []
        subject = self._subject(stream, partition)
        out: list[StreamRecord] = []
        seq = max(from_offset, 1)
        while len(out) < max_count:
            reply = await self._direct(stream, {"seq": seq, "next_by_subj": subject})
            if reply is None:
                break
            record = self._record(stream, reply, partition)
            out.append(record)
            seq = record.offset + 1
        return out

    async def _append(
        self,
        stream: str,
        partition: int,
        payload: bytes,
        headers: Mapping[str, str] | None,
        key: str | None = None,
    ) -> int:
        async with self._b.inflight:
            ack = await self.js.publish(
                self._subject(stream, partition), payload, headers=_meta(headers, key)
            )
        return int(ack.seq)

    # stream_basic ---------------------------------------------------------------------------------

    async def append(
        self, stream: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> int:
        with translating(BACKEND, "append", translate):
            await self._ensure(stream)
            return await self._append(stream, 0, payload, headers)

    async def append_many(
        self,
        stream: str,
        payloads: Iterable[bytes],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> list[int]:
        """The records published at once, ``_WINDOW`` at a time, in order on the one
        connection (so JetStream stores them in order), each window's acks then awaited
        together: a round trip's wait per window, not per record (see ``_acks``)."""
        batch = cast("list[bytes]", payloads)  # the check hands over a fresh list
        if not batch:
            return []
        meta = _meta(headers)
        timeout = self._b.config.request_timeout
        offsets: list[int] = []
        with translating(BACKEND, "append_many", translate):
            await self._ensure(stream)
            acks = await self._b.publish_acks()
            publish = self.nc.publish
            subject = self._subject(stream, 0)
            for start in range(0, len(batch), _WINDOW):
                replies: list[str] = []
                waiting: list[asyncio.Future[int]] = []
                try:
                    for payload in batch[start : start + _WINDOW]:
                        reply, ack = acks.expect()
                        replies.append(reply)
                        waiting.append(ack)
                        await publish(subject, payload, reply=reply, headers=meta)
                    done = await asyncio.wait_for(
                        asyncio.gather(*waiting, return_exceptions=True), timeout
                    )
                except BaseException:
                    acks.forget(replies)
                    raise
                for result in done:
                    if isinstance(result, BaseException):
                        raise result
                    offsets.append(result)
        return offsets

    async def read(
        self, stream: str, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        with translating(BACKEND, "read", translate):
            return await self._read(stream, 0, from_offset, max_count)

    async def latest_offset(self, stream: str) -> int | None:
        with translating(BACKEND, "latest_offset", translate):
            if not await self._exists(stream):
                return None
            reply = await self._direct(stream, {"last_by_subj": self._subject(stream, 0)})
        return None if reply is None else int((reply.headers or {})["Nats-Sequence"])

    # stream_replay --------------------------------------------------------------------------------

    async def seek_to_offset(self, stream: str, offset: int) -> int | None:
        with translating(BACKEND, "seek_to_offset", translate):
            found = await self._read(stream, 0, offset, 1)
        return found[0].offset if found else None

    async def seek_to_timestamp(self, stream: str, timestamp: Timestamp) -> int | None:
        ts = cast("float", timestamp)
        with translating(BACKEND, "seek_to_timestamp", translate):
            if not await self._exists(stream):
                return None
            request = {"start_time": _iso(ts), "next_by_subj": self._subject(stream, 0)}
            reply = await self._direct(stream, request)
        return None if reply is None else int((reply.headers or {})["Nats-Sequence"])

    async def replay_range(self, stream: str, start: int, end: int) -> AsyncIterator[StreamRecord]:
        offset = start
        while offset <= end:
            with translating(BACKEND, "replay_range", translate):
                page = await self._read(stream, 0, offset, _PAGE)
            for record in page:
                if record.offset > end:
                    return
                yield record
            if len(page) < _PAGE:
                return
            offset = page[-1].offset + 1

    # stream_retention -----------------------------------------------------------------------------

    async def _update_metadata(self, stream: str, changes: Mapping[str, str | None]) -> None:
        info = await self.js.stream_info(self._name(stream))
        config = info.config
        metadata = dict(config.metadata or {})
        for key, value in changes.items():
            if value is None:
                metadata.pop(key, None)
            else:
                metadata[key] = value
        config.metadata = metadata
        await self.js.update_stream(config)

    async def set_retention(
        self, stream: str, *, max_age: Duration | None = None, max_length: int | None = None
    ) -> None:
        age = cast("float | None", max_age)
        with translating(BACKEND, "set_retention", translate):
            await self._ensure(stream)
            await self._update_metadata(
                stream,
                {
                    _MAX_AGE: None if age is None else repr(age),
                    _MAX_LENGTH: None if max_length is None else str(max_length),
                },
            )

    async def get_retention(self, stream: str) -> RetentionLimits:
        with translating(BACKEND, "get_retention", translate):
            info = await self._info(stream)
        metadata: dict[str, str] = {} if info is None else (info.config.metadata or {})
        age = metadata.get(_MAX_AGE)
        length = metadata.get(_MAX_LENGTH)
        return RetentionLimits(
            max_age=None if age is None else float(age),
            max_length=None if length is None else int(length),
        )

    async def trim(self, stream: str) -> int:
        with translating(BACKEND, "trim", translate):
            info = await self._info(stream)
            if info is None:
                return 0
            name = self._name(stream)
            metadata: dict[str, str] = info.config.metadata or {}
            before = int(info.state.messages)
            if _MAX_AGE in metadata:
                cutoff = time.time() - float(metadata[_MAX_AGE])
                reply = await self._direct(stream, {"start_time": _iso(cutoff + 250e-9)})
                if reply is None:
                    await self.js.purge_stream(name)
                else:
                    first = int((reply.headers or {})["Nats-Sequence"])
                    await self.js.purge_stream(name, seq=first)
            if _MAX_LENGTH in metadata:
                keep = int(metadata[_MAX_LENGTH])
                for partition in range(int(metadata.get(_PARTITIONS, "1"))):
                    await self.js.purge_stream(
                        name, subject=self._subject(stream, partition), keep=keep
                    )
            after = int((await self.js.stream_info(name)).state.messages)
        return max(before - after, 0)

    # stream_partitioning --------------------------------------------------------------------------

    async def _count(self, stream: str) -> int:
        info = await self._info(stream)
        if info is None:
            return 1
        metadata: dict[str, str] = info.config.metadata or {}
        return int(metadata.get(_PARTITIONS, "1"))

    async def set_partitions(self, stream: str, count: int) -> None:
        with translating(BACKEND, "set_partitions", translate):
            await self._ensure(stream)
            info = await self.js.stream_info(self._name(stream))
            config = info.config
            current = int((config.metadata or {}).get(_PARTITIONS, "1"))
            if count < current:
                msg = (
                    f"count must not shrink stream {stream!r}: it has {current} partitions, "
                    f"got {count}"
                )
                raise InvalidArgumentError(msg)
            if count == current:
                return
            config.metadata = {**(config.metadata or {}), _PARTITIONS: str(count)}
            await self.js.update_stream(config)

    async def partitions(self, stream: str) -> int:
        with translating(BACKEND, "partitions", translate):
            return await self._count(stream)

    async def _check_partition(self, stream: str, partition: int) -> None:
        count = await self._count(stream)
        if partition >= count:
            msg = (
                f"partition {partition} is outside stream {stream!r}, which has {count} "
                f"partition(s) (0..{count - 1})"
            )
            raise InvalidArgumentError(msg)

    async def append_to_partition(
        self,
        stream: str,
        partition: int,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> int:
        with translating(BACKEND, "append_to_partition", translate):
            await self._check_partition(stream, partition)
            await self._ensure(stream)
            return await self._append(stream, partition, payload, headers)

    async def append_with_key(
        self,
        stream: str,
        key: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> PartitionOffset:
        with translating(BACKEND, "append_with_key", translate):
            partition = partition_for(key, await self._count(stream))
            await self._ensure(stream)
            offset = await self._append(stream, partition, payload, headers, key)
        return PartitionOffset(partition, offset)

    async def read_partition(
        self, stream: str, partition: int, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        with translating(BACKEND, "read_partition", translate):
            await self._check_partition(stream, partition)
            return await self._read(stream, partition, from_offset, max_count)

    # stream_consumer_groups -----------------------------------------------------------------------
    #
    # A stream's groups live in the JetStream stream <prefix>-<ns>-sg-<stream>, one message kept
    # per subject: <prefix>.<ns>.sg.<stream>.<group>.c is the group's cursor (next offset to
    # deliver, last offset delivered), <...>.<group>.p.<offset> a pending record (consumer,
    # delivery time, delivery count).  Cursor moves and claims are publishes conditional on the
    # revision read (Nats-Expected-Last-Subject-Sequence); an ack purges the pending subject.

    def _group_name(self, stream: str) -> str:
        return short(f"{self._name_root}-sg-{escape(stream)}")

    def _group_subject(self, stream: str, group: str, tail: str) -> str:
        # shortened (a hash of long names): a subject must fit the server's control line
        return f"{self._sg}{short(escape(stream))}.{short(escape(group))}.{tail}"

    async def _gget(self, stream: str, body: dict[str, Any]) -> Msg | None:
        reply = await self.nc.request(
            f"$JS.API.DIRECT.GET.{self._group_name(stream)}",
            json.dumps(body).encode(),
            timeout=self._b.config.request_timeout,
        )
        headers = reply.headers or {}
        status = headers.get("Status")
        if status in ("404", "503"):
            return None
        if status:
            msg = f"unexpected JetStream direct-get reply {status} {headers.get('Description', '')}"
            raise PrismError(msg, backend=BACKEND)
        return reply

    async def _gbatch(
        self, stream: str, body: dict[str, Any], name: str | None = None
    ) -> list[Msg]:
        out: list[Msg] = []
        done = asyncio.Event()

        async def collect(msg: Msg) -> None:
            if (msg.headers or {}).get("Status"):
                done.set()
                return
            out.append(msg)

        inbox = self.nc.new_inbox()
        sub = await self.nc.subscribe(inbox, cb=collect)
        try:
            await self.nc.publish(
                f"$JS.API.DIRECT.GET.{name or self._group_name(stream)}",
                json.dumps(body).encode(),
                reply=inbox,
            )
            await asyncio.wait_for(done.wait(), self._b.config.request_timeout)
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        return out

    async def _gput(self, subject: str, stream: str, data: dict[str, Any], rev: int | None) -> bool:
        headers = None if rev is None else {"Nats-Expected-Last-Subject-Sequence": str(rev)}
        try:
            await self.js.publish(
                subject, json.dumps(data).encode(), stream=self._group_name(stream), headers=headers
            )
        except nats.js.errors.APIError as exc:
            if exc.err_code == _WRONG_LAST_SEQ:
                return False
            raise
        return True

    async def _groups_exist(self, stream: str) -> bool:
        name = self._group_name(stream)
        if name in self._b.ready:
            return True
        try:
            await self.js.stream_info(name)
        except nats.js.errors.NotFoundError:
            return False
        self._b.ready.add(name)
        return True

    async def _cursor(self, stream: str, group: str, operation: str) -> tuple[int, dict[str, Any]]:
        msg = None
        if await self._groups_exist(stream):
            msg = await self._gget(
                stream, {"last_by_subj": self._group_subject(stream, group, "c")}
            )
        if msg is None:
            text = f"stream {stream!r} has no consumer group {group!r}"
            raise NotFoundError(text, backend=BACKEND, operation=operation)
        return int((msg.headers or {})["Nats-Sequence"]), json.loads(msg.data)

    async def _pending(self, stream: str, group: str) -> dict[int, tuple[int, dict[str, Any]]]:
        msgs = await self._gbatch(
            stream, {"multi_last": [self._group_subject(stream, group, "p.*")]}
        )
        out: dict[int, tuple[int, dict[str, Any]]] = {}
        for m in msgs:
            headers = m.headers or {}
            offset = int(headers["Nats-Subject"].rsplit(".", 1)[1])
            out[offset] = (int(headers["Nats-Sequence"]), json.loads(m.data))
        return out

    async def create_group(self, stream: str, group: str, *, start: Any = "latest") -> bool:
        with translating(BACKEND, "create_group", translate):
            name = self._group_name(stream)
            if name not in self._b.ready:
                async with self._b.setup_lock:
                    if not await self._groups_exist(stream):
                        config = api.StreamConfig(
                            name=name,
                            subjects=[f"{self._sg}{short(escape(stream))}.>"],
                            storage=api.StorageType.FILE,
                            allow_direct=True,
                            max_msgs_per_subject=1,
                        )
                        with contextlib.suppress(nats.js.errors.BadRequestError):
                            await self.js.add_stream(config)
                        self._b.ready.add(name)
            if start == "earliest":
                nxt = 1
            elif start == "latest":
                info = await self._info(stream)
                nxt = 1 if info is None else int(info.state.last_seq) + 1
            else:
                nxt = max(int(start), 1)
            subject = self._group_subject(stream, group, "c")
            return await self._gput(subject, stream, {"next": nxt, "last": None}, 0)

    async def _deliver(
        self, stream: str, group: str, consumer: str, max_count: int, claim_timeout: float
    ) -> list[StreamRecord]:
        out: list[StreamRecord] = []
        now = time.time()
        pending = await self._pending(stream, group)
        for offset in sorted(pending):
            if len(out) >= max_count:
                break
            rev, rec = pending[offset]
            if rec["t"] + claim_timeout > now:
                continue
            count = int(rec["n"]) + 1
            subject = self._group_subject(stream, group, f"p.{offset}")
            if not await self._gput(subject, stream, {"c": consumer, "t": now, "n": count}, rev):
                continue  # another consumer reclaimed it first
            reply = await self._direct(stream, {"seq": offset})
            if reply is None:  # trimmed meanwhile
                await self.js.purge_stream(self._group_name(stream), subject=subject)
                continue
            out.append(dataclasses.replace(self._record(stream, reply, 0), delivery_count=count))
        while len(out) < max_count:
            rev, cursor = await self._cursor(stream, group, "consume")
            fresh = await self._read(stream, 0, int(cursor["next"]), max_count - len(out))
            if not fresh:
                break
            moved = {"next": fresh[-1].offset + 1, "last": fresh[-1].offset}
            if not await self._gput(self._group_subject(stream, group, "c"), stream, moved, rev):
                continue  # another consumer moved the cursor first: read again
            now = time.time()
            for record in fresh:
                subject = self._group_subject(stream, group, f"p.{record.offset}")
                await self._gput(subject, stream, {"c": consumer, "t": now, "n": 1}, None)
            out.extend(fresh)
        return out

    async def consume(
        self,
        stream: str,
        group: str,
        consumer: str,
        *,
        max_count: int = 10,
        block: Duration | None = None,
        claim_timeout: Duration = 30.0,
    ) -> list[StreamRecord]:
        wait = cast("float | None", block) or 0.0
        claim = cast("float", claim_timeout)
        with translating(BACKEND, "consume", translate):
            await self._cursor(stream, group, "consume")
            got = await self._deliver(stream, group, consumer, max_count, claim)
            if got or wait <= 0:
                return got
            deadline = time.monotonic() + wait
            arrived = asyncio.Event()

            async def wake(_: Msg) -> None:
                arrived.set()

            sub = await self.nc.subscribe(self._subject(stream, 0), cb=wake)
            try:
                await self.nc.flush()
                while True:
                    arrived.clear()
                    got = await self._deliver(stream, group, consumer, max_count, claim)
                    left = deadline - time.monotonic()
                    if got or left <= 0:
                        return got
                    now = time.time()
                    lapses = [
                        rec["t"] + claim - now
                        for _, rec in (await self._pending(stream, group)).values()
                    ]
                    nxt = min((d for d in lapses if d > 0), default=left)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(arrived.wait(), min(left, nxt + 0.001))
            finally:
                with contextlib.suppress(Exception):
                    await sub.unsubscribe()

    async def ack(self, stream: str, group: str, offsets: Any) -> int:
        done = 0
        with translating(BACKEND, "ack", translate):
            await self._cursor(stream, group, "ack")
            for offset in cast("list[int]", offsets):
                subject = self._group_subject(stream, group, f"p.{offset}")
                reply = await self.nc.request(
                    f"$JS.API.STREAM.PURGE.{self._group_name(stream)}",
                    json.dumps({"filter": subject}).encode(),
                    timeout=self._b.config.request_timeout,
                )
                answer = json.loads(reply.data)
                if "error" in answer:
                    msg = f"unexpected JetStream answer to a purge: {answer['error']}"
                    raise PrismError(msg, backend=BACKEND)
                done += 1 if answer.get("purged", 0) else 0
        return done

    async def group_info(self, stream: str, group: str) -> GroupInfo:
        with translating(BACKEND, "group_info", translate):
            _, cursor = await self._cursor(stream, group, "group_info")
            pending = await self._pending(stream, group)
            lag = 0
            if await self._exists(stream):
                body = {
                    "seq": int(cursor["next"]),
                    "next_by_subj": self._subject(stream, 0),
                    "batch": 1,
                }
                first = await self._gbatch(stream, body, self._name(stream))
                if first:
                    lag = int((first[0].headers or {}).get("Nats-Num-Pending", "0")) + 1
        consumers: dict[str, int] = {}
        for _, rec in pending.values():
            consumers[rec["c"]] = consumers.get(rec["c"], 0) + 1
        return GroupInfo(
            stream=stream,
            group=group,
            consumers=consumers,
            pending=sum(consumers.values()),
            lag=lag,
            last_delivered=cursor["last"],
        )
