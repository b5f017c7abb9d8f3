"""The Kafka client core shared by both flavours: topic names, clients, reads and group state.

confluent-kafka is sync, with librdkafka's own threads doing the I/O.  One :class:`KafkaClients`
per backend object holds an idempotent producer (``acks=all``) whose delivery reports a poll
thread hands to waiters — a ``threading.Event`` for sync callers, an ``asyncio`` future (through
``loop.call_soon_threadsafe``) for async ones — a pool of reader consumers (``assign``, never
``subscribe``), and an admin client.  Blocking reads of the async flavour run on the shared
:class:`~prism.backends.WorkerPool`.

Groups.  Stream consumer groups and durable pubsub subscriptions are both Kafka consumer groups
read through real membership: per process one :class:`Membership` per (bootstrap, group id) —
one librdkafka consumer subscribed with the group id, shared by every backend object of the
process — serving one :class:`GroupState` per partition the process reads (a stream group:
partition 0, the member pausing the others; a durable subscription: every partition of its
topic).  Kafka's assignment marks states assigned (resuming at the committed offset) and its
revocation hands their pending records back to the group; records the member fetched for a
partition other than the one being read are buffered in that partition's state; acks commit
through the member, and the last backend object of the process to close makes it leave.

Names.  A stream or topic ``name`` of namespace ``ns`` is the Kafka topic
``<topic_prefix>.<esc(ns)>.<model>.<esc(name)>`` where ``esc`` keeps ASCII letters, digits and
``-`` and writes every other UTF-8 byte as ``_<hex>`` (reversible: :func:`unescape`); a name
whose topic would exceed Kafka's 249 characters becomes
``<topic_prefix>.h<model>.<sha256 of ns and name>``.  Consumer groups are
``<group_prefix>.<topic>.<esc(group)>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import threading
import time
import urllib.error
import urllib.request
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, ParamSpec, TypeVar, cast

from confluent_kafka import (  # noqa: TID253 (backend-internal module)
    Consumer,
    ConsumerGroupTopicPartitions,
    KafkaError,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient  # noqa: TID253
from confluent_kafka.admin._config import (  # noqa: TID253
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    ConfigSource,
)
from confluent_kafka.cimpl import NewPartitions, NewTopic  # noqa: TID253

from prism.backends._bridge import WorkerPool
from prism.backends._errors import translated
from prism.backends.kafka._config import KafkaConfig
from prism.backends.kafka._errors import error_of, translate
from prism.backends.kafka._sasl import SaslRotation
from prism.errors import (
    BackendUnavailableError,
    NotFoundError,
    PrismError,
    UnsupportedError,
    ValueTooLargeError,
)
from prism.types import StreamRecord, _plain_twin

__all__ = [
    "BACKEND",
    "GroupState",
    "KafkaClients",
    "Membership",
    "escape",
    "group_id",
    "record_of",
    "records_of",
    "topic_name",
    "unescape",
]

BACKEND = "kafka"
_LOG = logging.getLogger("prism.backends.kafka")
MAX_TOPIC = 249
HEADROOM = 64 * 1024
"""Bytes allowed above the payload limit for key, headers and batch overhead."""

T = TypeVar("T")
P = ParamSpec("P")

_KEEP = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def escape(name: str) -> str:
    """``name`` in the characters a Kafka topic allows, without ``.`` (reversible)."""
    return "".join(chr(b) if b in _KEEP else f"_{b:02x}" for b in name.encode("utf-8"))


def unescape(text: str) -> str:
    """The name :func:`escape` wrote as ``text``."""
    out = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "_":
            out.append(int(text[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(ord(text[i]))
            i += 1
    return out.decode("utf-8")


def topic_name(prefix: str, namespace: str, model: str, name: str) -> str:
    """The Kafka topic of ``name`` (model ``s``: stream, ``p``: pubsub) in ``namespace``."""
    topic = f"{prefix}.{escape(namespace)}.{model}.{escape(name)}"
    if len(topic) <= MAX_TOPIC:
        return topic
    digest = hashlib.sha256(f"{namespace}\x00{name}".encode()).hexdigest()
    return f"{prefix}.h{model}.{digest}"


def group_id(prefix: str, topic: str, group: str) -> str:
    return f"{prefix}.{topic}.{escape(group)}"


def _header_list(
    headers: Mapping[str, str] | None,
) -> list[tuple[str, str | bytes | None]] | None:
    if not headers:
        return None
    return [(k, v.encode("utf-8")) for k, v in headers.items()]


_NO_HEADERS: Mapping[str, str] = MappingProxyType({})
_PLAIN_RECORD = _plain_twin(StreamRecord)
_new_object = object.__new__
_new_lock = threading.Lock


def _headers_of(raw_headers: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in cast("list[tuple[str, bytes | None]]", raw_headers):
        headers[name] = (value or b"").decode("utf-8", "replace")
    return headers


def record_of(message: Message, stream: str) -> StreamRecord:
    """The record ``message`` (a message that carries no error) holds, as one of ``stream``."""
    return records_of([message], stream)[0][0]


def records_of(batch: list[Message], stream: str) -> tuple[list[StreamRecord], KafkaError | None]:
    """The records a consumed ``batch`` carries, in order, as the :class:`StreamRecord` of
    ``stream`` that the caller hands out, and the first error the batch carried (a
    partition's end, ``_PARTITION_EOF``, is not one).  Every message without an error is
    built, those after an error too: the consumer's position has moved past them all, so a
    caller that raised at the error and dropped the rest would lose them.

    Every read path builds its records here, once per record read, and nothing else reads a
    record's fields from the driver.  Each record is built in this one frame: filled as its
    plain twin (every field as an ordinary attribute write, see ``prism.types._plain_twin``),
    then made a ``StreamRecord``: about 0.4 µs a record, 0.6 µs through the constructor."""
    out: list[StreamRecord] = []
    append = out.append
    new, plain, made, none = _new_object, _PLAIN_RECORD, StreamRecord, _NO_HEADERS
    failed: KafkaError | None = None
    for message in batch:
        err = message.error()
        if err is not None:
            if failed is None and err.code() != KafkaError._PARTITION_EOF:
                failed = err
            continue
        key = message.key()
        raw_headers = message.headers()
        kind, ms = message.timestamp()
        record: Any = new(plain)
        record.stream = stream
        record.offset = message.offset() or 0
        record.payload = message.value() or b""
        record.headers = _headers_of(raw_headers) if raw_headers else none
        record.timestamp = ms / 1000.0 if kind and ms > 0 else time.time()
        record.partition = message.partition() or 0
        record.key = None if key is None else key.decode("utf-8", "replace")
        record.delivery_count = 1
        record.__class__ = made
        append(record)
    return out, failed


class _Settler:
    """Hands delivery reports to one event loop: one wake-up per batch of reports, not one per
    record (the poll thread and the loop thread then rarely fight over the GIL)."""

    __slots__ = ("_lock", "_ready", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._lock = threading.Lock()
        self._ready: list[_Delivery | _Batch] = []

    def add(self, report: _Delivery | _Batch) -> None:
        with self._lock:
            self._ready.append(report)
            first = len(self._ready) == 1
        if first:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self.loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        with self._lock:
            ready, self._ready = self._ready, []
        for report in ready:
            report.settle()


class _Delivery:
    """One produce waiting for its delivery report.

    A sync caller waits on ``done``, a lock held from the start and released by the report.
    The report is usually served by the caller's own ``flush``, but may be served by another
    thread's, and still be running when the caller's ``flush`` returns; the lock covers both.
    A bare lock costs about 0.4 µs made, taken, released and taken again; a
    ``threading.Event`` made, set and waited on, 3.4 µs."""

    __slots__ = ("done", "error", "future", "offset", "partition", "settler")

    def __init__(
        self,
        settler: _Settler | None = None,
        future: asyncio.Future[tuple[int, int]] | None = None,
    ) -> None:
        self.done: threading.Lock | None = None
        if settler is None:  # a sync caller waits for the report
            self.done = _new_lock()
            self.done.acquire()
        self.settler = settler
        self.future = future
        self.error: PrismError | None = None
        self.partition = 0
        self.offset = -1

    def __call__(self, err: KafkaError | None, message: Message) -> None:
        if err is not None:
            self.error = error_of(err)
        else:
            self.partition = message.partition() or 0
            self.offset = message.offset() or 0
        if self.settler is not None:
            self.settler.add(self)
        elif self.done is not None:
            self.done.release()

    def settle(self) -> None:
        future = self.future
        if future is None or future.done():
            return
        if self.error is not None:
            future.set_exception(self.error)
        else:
            future.set_result((self.partition, self.offset))


class _Batch:
    """The records of one ``append_many`` waiting for their delivery reports.  Its
    :meth:`reporter` is the one delivery callback of all of them (a closure made once per
    batch, cheaper to call than an object's ``__call__``); an async batch wakes its loop once,
    when the last report arrives.

    Reports may be served by any thread polling the producer, in any order; the offsets are
    sorted at the end, which is the order the records were produced in: they all went to one
    partition of an idempotent producer, which keeps a partition's records in produce order."""

    __slots__ = ("error", "expected", "future", "offsets", "settler")

    def __init__(
        self,
        expected: int,
        settler: _Settler | None = None,
        future: asyncio.Future[list[int]] | None = None,
    ) -> None:
        self.expected = expected
        self.offsets: list[int] = []
        self.error: PrismError | None = None
        self.settler = settler
        self.future = future

    def failed(self, err: KafkaError) -> None:
        if self.error is None:
            self.error = error_of(err)
        self.offsets.append(-1)

    def reporter(self) -> Callable[[KafkaError | None, Message], None]:
        append = self.offsets.append
        failed = self.failed
        settler = self.settler
        if settler is None:  # sync: the caller counts the reports once its flush is done

            def report(err: KafkaError | None, message: Message) -> None:
                if err is None:
                    append(message.offset() or 0)
                else:
                    failed(err)

            return report

        offsets, expected, batch = self.offsets, self.expected, self

        def report_async(err: KafkaError | None, message: Message) -> None:
            if err is None:
                append(message.offset() or 0)
            else:
                failed(err)
            if len(offsets) >= expected:  # list.append is atomic; settling is idempotent
                settler.add(batch)

        return report_async

    @property
    def complete(self) -> bool:
        return len(self.offsets) >= self.expected

    def result(self) -> list[int]:
        if self.error is not None:
            raise self.error
        return sorted(self.offsets)

    def settle(self) -> None:
        future = self.future
        if future is None or future.done():
            return
        try:
            future.set_result(self.result())
        except PrismError as exc:
            future.set_exception(exc)


class Membership:
    """This process's Kafka member of one consumer group, shared by the group's per-partition
    :class:`GroupState` objects (one lock for all of them: the member's callbacks and fetches
    touch every partition's state)."""

    __slots__ = ("consumer", "gid", "joined", "lock", "states", "topic", "users")

    def __init__(self, gid: str, topic: str) -> None:
        self.gid = gid
        self.topic = topic
        self.lock = threading.Lock()
        self.states: dict[int, GroupState] = {}
        """partition → state: the partitions this process reads; the member pauses the rest"""
        self.consumer: Consumer | None = None
        """subscribed with the group id, from the first read until the last user closes"""
        self.users: dict[int, KafkaClients] = {}
        """the :class:`KafkaClients` using ``consumer`` (by ``id``); the last to close closes it"""
        self.joined = 0.0
        """when ``consumer`` subscribed (monotonic)"""

    def user(self) -> KafkaClients | None:
        """A live user, whose admin client the member's callbacks may use."""
        for clients in self.users.values():
            if not clients._closed.is_set():
                return clients
        return None


@dataclass(eq=False)
class GroupState:
    """A consumer group of one partition, as this process knows it.

    The committed offset in Kafka is the group's durable position: every offset below it is
    acknowledged.  ``next`` is the next offset to deliver; ``pending`` maps each delivered,
    unacknowledged offset to ``[consumer, delivered at (monotonic), record]`` (the record as
    last delivered: its ``delivery_count`` counts the deliveries).
    Every state reads through the group's :class:`Membership`; ``lock`` is the membership's.
    """

    gid: str
    topic: str
    partition: int
    committed: int
    next: int
    group: Membership
    lock: threading.Lock = field(init=False)
    pending: dict[int, list[Any]] = field(default_factory=dict)
    consumers: dict[str, None] = field(default_factory=dict)
    last_delivered: int | None = None
    assigned: bool = False
    """Whether the member holds ``partition`` (Kafka assigned it to this process)."""
    buffer: deque[StreamRecord] = field(default_factory=deque)
    """Records of ``partition`` the member fetched while reading another partition of the
    group: the member's position has moved past them, so they wait here, in order."""
    counts: dict[int, int] = field(default_factory=dict)
    """Deliveries of records this process delivered, lost the partition of, and may read
    again (so ``delivery_count`` keeps counting within the process)."""

    def __post_init__(self) -> None:
        self.lock = self.group.lock
        self.group.states.setdefault(self.partition, self)

    @property
    def member(self) -> Consumer | None:
        return self.group.consumer

    def drop_pending(self) -> None:
        """The partition went to another member (or this one left): every pending record is
        the group's again, redelivered from the committed offset."""
        for offset, entry in self.pending.items():
            self.counts[offset] = entry[2].delivery_count
        self.pending.clear()
        self.buffer.clear()
        self.next = self.committed
        self.assigned = False

    def floor(self) -> int:
        """The offset to commit: the oldest pending one, else the next to deliver."""
        return min(self.pending) if self.pending else self.next

    def recount(self, record: StreamRecord) -> StreamRecord:
        """``record`` with the deliveries this process counted for it before it lost the
        partition (``counts``), plus this one."""
        before = self.counts.pop(record.offset, 0)
        return replace(record, delivery_count=before + 1) if before else record

    def take_buffered(self, count: int) -> list[StreamRecord]:
        """Up to ``count`` buffered records from ``next`` on (``lock`` held)."""
        out: list[StreamRecord] = []
        while self.buffer and len(out) < count:
            record = self.buffer.popleft()
            if record.offset >= self.next:
                out.append(record)
                self.next = record.offset + 1
        return out


_GROUPS: dict[tuple[str, str, int], GroupState] = {}
_MEMBERSHIPS: dict[tuple[str, str], Membership] = {}
JOIN_GRACE = 3.0
"""Seconds a new group member's first reads wait for Kafka to assign it the partition."""
_SLICE = 0.1
_LENGTH_MARK = "prism-max-length"
_FENCED = frozenset(
    getattr(KafkaError, name)
    for name in (
        "UNKNOWN_MEMBER_ID", "ILLEGAL_GENERATION", "REBALANCE_IN_PROGRESS",
        "FENCED_MEMBER_EPOCH", "STALE_MEMBER_EPOCH", "_ASSIGNMENT_LOST", "_STATE",
    )
    if hasattr(KafkaError, name)
)  # fmt: skip
"""Commit errors meaning the member no longer holds the partition."""
_GROUPS_LOCK = threading.Lock()


class KafkaClients:
    """Producer, readers and admin client of one backend object (see the module docstring)."""

    def __init__(self, config: KafkaConfig, max_value_bytes: int | None) -> None:
        self.config = config
        self.limit = max_value_bytes
        self.timeout = config.timeout
        base: dict[str, Any] = {
            "bootstrap.servers": config.bootstrap,
            "allow.auto.create.topics": False,
            "logger": _LOG,  # librdkafka's log lines go to Python logging, not stderr
            **config.client,
        }
        self.base = base
        message_max = (max_value_bytes or 1024 * 1024) + HEADROOM
        self.message_max = message_max
        self.producer_config = {
            **base,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 1,
            "message.max.bytes": message_max,
            "partitioner": "consistent",
            "message.timeout.ms": int(config.timeout * 1000),
        }
        self.producer_config.update(config.client)
        self.reader_config = {
            **base,
            "group.id": f"{config.group_prefix}.reader",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "fetch.wait.max.ms": 10,
            "fetch.message.max.bytes": message_max,
        }
        self.topic_config = {"max.message.bytes": str(message_max)}
        self._producer: Producer | None = None
        self._admin: AdminClient | None = None
        self._readers: list[Consumer] = []
        self._joined: dict[int, Membership] = {}
        """groups whose Kafka member this object uses (by ``id``), released at close"""
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._poller: threading.Thread | None = None
        self._hurry = False
        """Set by an async batch once produced: the poll thread then flushes (librdkafka sends
        at once while a flush runs, as a sync batch's own flush does) instead of letting the
        batch's last records wait out ``linger.ms``."""
        self._settlers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Settler] = (
            weakref.WeakKeyDictionary()
        )
        self._settler: _Settler | None = None
        """the settler of the loop that appended last (most programs run one loop)"""
        self.counts: dict[str, int] = {}
        """topic → partition count, for topics known to exist."""
        self.pool = WorkerPool(BACKEND, max_workers=32)
        self.sasl = SaslRotation()
        """Keeps a rotated SASL PLAIN/SCRAM credential on every live client (kafka/_sasl.py)."""

    # ---- lifecycle -------------------------------------------------------------------------

    def open(self) -> None:
        """Connect: a metadata request must answer within the timeout."""
        try:
            self._producer = self.sasl.make(Producer, self.producer_config)
            self._admin = self.sasl.make(AdminClient, self.base)
            self._producer.list_topics(timeout=self.timeout)
        except KafkaException as exc:
            self.close()
            raise translated(exc, BACKEND, "open", translate) from exc

    def _start_poller(self) -> None:
        """Start the thread that serves delivery reports to async callers (sync callers
        serve their own through ``flush``; the two never share a producer)."""
        with self._lock:
            if self._poller is None:
                self._poller = threading.Thread(
                    target=self._poll, name="prism-kafka-poll", daemon=True
                )
                self._poller.start()

    def _poll(self) -> None:
        producer = self._producer
        while producer is not None and not self._closed.is_set():
            if self._hurry:
                self._hurry = False
                producer.flush(0.05)  # serves the reports too; returns once all are delivered
            else:
                producer.poll(0.05)

    def close(self) -> None:
        self._closed.set()
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.flush(self.timeout)
        if self._poller is not None:
            self._poller.join(timeout=2)
        with self._lock:
            readers, self._readers = self._readers, []
            joined, self._joined = list(self._joined.values()), {}
        for group in joined:
            self._leave(group)
        for reader in readers:
            with contextlib.suppress(Exception):
                reader.close()
        self.sasl.forget()
        self.pool.close()

    @property
    def producer(self) -> Producer:
        if self._producer is None:
            msg = "the kafka backend is not open"
            raise BackendUnavailableError(msg, backend=BACKEND)
        return self._producer

    @property
    def admin(self) -> AdminClient:
        if self._admin is None:
            msg = "the kafka backend is not open"
            raise BackendUnavailableError(msg, backend=BACKEND)
        return self._admin

    # ---- calls from either flavour ---------------------------------------------------------

    def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        return fn(*args, **kwargs)

    async def call_async(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self.pool.run(fn, *args, **kwargs)

    # ---- topics ----------------------------------------------------------------------------

    def count(self, topic: str, *, fresh: bool = False) -> int:
        """The topic's partition count; 0 when it does not exist."""
        if not fresh and topic in self.counts:
            return self.counts[topic]
        try:
            meta = self.producer.list_topics(topic, timeout=self.timeout)
        except KafkaException as exc:
            raise translated(exc, BACKEND, "metadata", translate) from exc
        found = meta.topics.get(topic)
        if found is None or found.error is not None:
            if found is not None and found.error.code() not in (
                KafkaError.UNKNOWN_TOPIC_OR_PART,
                KafkaError._UNKNOWN_TOPIC,
                KafkaError.LEADER_NOT_AVAILABLE,
            ):
                raise error_of(found.error)
            return 0
        count = len(found.partitions)
        if count:
            self.counts[topic] = count
        return count

    def ensure(self, topic: str, partitions: int, operation: str) -> int:
        """The partition count of ``topic``, created with ``partitions`` when missing."""
        count = self.count(topic)
        if count:
            return count
        if not self.config.create_topics:
            msg = (
                f"Kafka topic {topic!r} does not exist and option 'create_topics' is off: "
                "create it first"
            )
            raise NotFoundError(msg, backend=BACKEND, operation=operation)
        self._create(topic, partitions, operation)
        deadline = time.monotonic() + self.timeout
        while True:
            count = self.count(topic, fresh=True)
            if count >= partitions:
                return count
            if time.monotonic() > deadline:
                msg = f"Kafka topic {topic!r} did not appear within {self.timeout} s"
                raise BackendUnavailableError(msg, backend=BACKEND, operation=operation)
            time.sleep(0.01)

    def _create(self, topic: str, partitions: int, operation: str) -> None:
        control = self.config.mock_control
        if control is not None:
            url = f"{control}/topics?name={topic}&partitions={partitions}"
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(url, method="POST"), timeout=self.timeout
                ):
                    pass
            except urllib.error.HTTPError as exc:
                if exc.code != 409:  # 409: it exists already
                    raise BackendUnavailableError(str(exc), backend=BACKEND) from exc
            except OSError as exc:
                msg = f"the kafka mock cluster's topic endpoint did not answer: {exc}"
                raise BackendUnavailableError(msg, backend=BACKEND) from exc
            return
        new = NewTopic(
            topic,
            num_partitions=partitions,
            replication_factor=self.config.replication_factor,
            config=self.topic_config,
        )
        futures = self.admin.create_topics([new], request_timeout=self.timeout)
        try:
            futures[topic].result(timeout=self.timeout + 1)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise translated(exc, BACKEND, operation, translate) from exc

    def grow(self, topic: str, count: int) -> None:
        """Give an existing topic ``count`` partitions (more than it has)."""
        if self.config.mock_control is not None:
            msg = "the librdkafka mock cluster cannot add partitions to a topic (no admin API)"
            raise UnsupportedError(msg, backend=BACKEND, operation="set_partitions")
        futures = self.admin.create_partitions(
            [NewPartitions(topic, count)], request_timeout=self.timeout
        )
        try:
            futures[topic].result(timeout=self.timeout + 1)
        except KafkaException as exc:
            raise translated(exc, BACKEND, "set_partitions", translate) from exc
        deadline = time.monotonic() + self.timeout
        while self.count(topic, fresh=True) < count:
            if time.monotonic() > deadline:
                msg = f"Kafka topic {topic!r} did not reach {count} partitions in time"
                raise BackendUnavailableError(msg, backend=BACKEND, operation="set_partitions")
            time.sleep(0.01)

    # ---- produce ---------------------------------------------------------------------------

    def _produce(
        self,
        topic: str,
        partition: int,
        payload: bytes,
        key: str | None,
        headers: Mapping[str, str] | None,
        report: _Delivery,
    ) -> None:
        if self.limit is not None and len(payload) > self.limit:
            msg = f"payload of {len(payload)} bytes is over the limit of {self.limit} bytes"
            raise ValueTooLargeError(msg, backend=BACKEND, operation="append")
        producer = self.producer
        encoded = None if key is None else key.encode("utf-8")
        header_list = _header_list(headers)
        try:
            try:
                producer.produce(
                    topic,
                    payload,
                    encoded,
                    partition=partition,
                    on_delivery=report,
                    headers=header_list,
                )
            except BufferError:  # the local queue is full: send it once there is room
                self._when_room(
                    producer,
                    "append",
                    lambda: producer.produce(
                        topic,
                        payload,
                        encoded,
                        partition=partition,
                        on_delivery=report,
                        headers=header_list,
                    ),
                )
        except KafkaException as exc:
            raise translated(exc, BACKEND, "append", translate) from exc

    def append(
        self,
        topic: str,
        partition: int,
        payload: bytes,
        key: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, int]:
        """Produce one record and wait for its delivery; ``(partition, offset)``."""
        report = _Delivery()
        self._produce(topic, partition, payload, key, headers, report)
        # flush sends at once (no linger) and serves delivery reports in this thread
        self.producer.flush(self.timeout + 5)
        if report.done is None or not report.done.acquire(timeout=self.timeout + 5):
            msg = f"no delivery report from Kafka within {self.timeout} s"
            raise BackendUnavailableError(msg, backend=BACKEND, operation="append")
        if report.error is not None:
            raise report.error
        return report.partition, report.offset

    def append_async(
        self,
        topic: str,
        partition: int,
        payload: bytes,
        key: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> asyncio.Future[tuple[int, int]]:
        """Produce one record now (in the caller's thread: no hop) and return the future its
        delivery report resolves — a plain future, not a coroutine, so a caller gathering many
        appends pays for no task per record."""
        loop = asyncio.get_running_loop()
        settler = self._settler
        if settler is None or settler.loop is not loop:
            settler = self._settler_for(loop)
        future: asyncio.Future[tuple[int, int]] = loop.create_future()
        self._produce(topic, partition, payload, key, headers, _Delivery(settler, future))
        # librdkafka always reports, at the latest after message.timeout.ms (our timeout)
        return future

    def _produce_batch(
        self,
        topic: str,
        payloads: list[bytes],
        headers: Mapping[str, str] | None,
        report: Callable[[KafkaError | None, Message], None],
    ) -> None:
        limit = self.limit
        # nothing is produced when any record is over the limit (a C loop finds out)
        if limit is not None and payloads and max(map(len, payloads)) > limit:
            i = next(i for i, payload in enumerate(payloads) if len(payload) > limit)
            msg = (
                f"payloads[{i}] is {len(payloads[i])} bytes, over the limit of {limit} bytes; "
                "nothing was appended"
            )
            raise ValueTooLargeError(msg, backend=BACKEND, operation="append_many")
        producer = self.producer
        produce = producer.produce
        header_list = _header_list(headers)
        try:
            for payload in payloads:
                try:
                    if header_list is None:  # no keyword librdkafka must parse and ignore
                        produce(topic, payload, partition=0, on_delivery=report)
                    else:
                        produce(
                            topic, payload, partition=0, on_delivery=report, headers=header_list
                        )
                except BufferError:
                    # librdkafka's local queue is full (a batch larger than
                    # queue.buffering.max.messages): send this one once there is room
                    self._when_room(
                        producer,
                        "append_many",
                        lambda p=payload: produce(  # type: ignore[misc]
                            topic, p, partition=0, on_delivery=report, headers=header_list
                        ),
                    )
        except KafkaException as exc:
            raise translated(exc, BACKEND, "append_many", translate) from exc

    def _when_room(self, producer: Producer, operation: str, send: Callable[[], None]) -> None:
        """Serve delivery reports until librdkafka's local queue takes ``send``'s record, at
        most the timeout."""
        deadline = time.monotonic() + self.timeout
        while True:
            producer.poll(0.05)
            try:
                send()
            except BufferError:
                if time.monotonic() > deadline:
                    msg = f"librdkafka's local queue stayed full for {self.timeout} s"
                    raise BackendUnavailableError(
                        msg, backend=BACKEND, operation=operation
                    ) from None
            else:
                return

    def append_batch(
        self, topic: str, payloads: list[bytes], headers: Mapping[str, str] | None = None
    ) -> list[int]:
        """Produce records to partition 0 of ``topic`` and wait once for every delivery
        report; their offsets, in order."""
        batch = _Batch(len(payloads))
        self._produce_batch(topic, payloads, headers, batch.reporter())
        producer = self.producer
        producer.flush(self.timeout + 5)
        # another thread's flush may still be running one of our callbacks: poll it out
        deadline = time.monotonic() + self.timeout + 5
        while not batch.complete:
            if time.monotonic() > deadline:
                msg = f"no delivery report from Kafka within {self.timeout} s"
                raise BackendUnavailableError(msg, backend=BACKEND, operation="append_many")
            producer.poll(0.01)
        return batch.result()

    def append_batch_async(
        self, topic: str, payloads: list[bytes], headers: Mapping[str, str] | None = None
    ) -> asyncio.Future[list[int]]:
        """Produce the records now, in the caller's thread, and return the one future their
        last delivery report resolves (the poll thread serves the reports)."""
        loop = asyncio.get_running_loop()
        settler = self._settler
        if settler is None or settler.loop is not loop:
            settler = self._settler_for(loop)
        future: asyncio.Future[list[int]] = loop.create_future()
        batch = _Batch(len(payloads), settler, future)
        self._produce_batch(topic, payloads, headers, batch.reporter())
        self._hurry = True
        return future

    def _settler_for(self, loop: asyncio.AbstractEventLoop) -> _Settler:
        if self._poller is None:
            self._start_poller()
        settler = self._settlers.get(loop)
        if settler is None:
            settler = self._settlers.setdefault(loop, _Settler(loop))
        self._settler = settler
        return settler

    # ---- read ------------------------------------------------------------------------------

    def _reader(self) -> Consumer:
        with self._lock:
            if self._readers:
                return self._readers.pop()
        try:
            return self.sasl.make(Consumer, self.reader_config)
        except KafkaException as exc:
            raise translated(exc, BACKEND, "read", translate) from exc

    def _release(self, reader: Consumer) -> None:
        with contextlib.suppress(KafkaException):
            reader.unassign()
        with self._lock:
            self._readers.append(reader)

    def watermarks(self, topic: str, partition: int) -> tuple[int, int]:
        """``(low, high)``: the first retained offset and the next one to be written."""
        reader = self._reader()
        try:
            low, high = reader.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=self.timeout, cached=False
            )
        except KafkaException as exc:
            raise translated(exc, BACKEND, "watermarks", translate) from exc
        finally:
            self._release(reader)
        return int(low), int(high)

    def read(
        self,
        topic: str,
        partition: int,
        from_offset: int,
        max_count: int,
        block: float = 0.0,
        stream: str = "",
    ) -> list[StreamRecord]:
        """Up to ``max_count`` records of one partition from ``from_offset``, as records of
        ``stream``; waits up to ``block`` seconds for the first one when none is there."""
        if not self.count(topic):
            return []
        low, high = self.watermarks(topic, partition)
        start = max(from_offset, low)
        if start >= high and block <= 0:
            return []
        wanted = max_count if start >= high else min(max_count, high - start)
        reader = self._reader()
        out: list[StreamRecord] = []
        try:
            reader.assign([TopicPartition(topic, partition, start)])
            deadline = time.monotonic() + max(block, 0.0) + (self.timeout if start < high else 0)
            while len(out) < wanted:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                records, failed = records_of(
                    reader.consume(wanted - len(out), timeout=min(left, 0.5)), stream
                )
                if failed is not None:
                    raise error_of(failed)
                out += records
                if out and (out[-1].offset >= high - 1 or start >= high):
                    break
        except KafkaException as exc:
            raise translated(exc, BACKEND, "read", translate) from exc
        finally:
            self._release(reader)
        return out[:max_count]

    def offset_for_time(self, topic: str, partition: int, millis: int) -> int | None:
        if not self.count(topic):
            return None
        reader = self._reader()
        try:
            [found] = reader.offsets_for_times(
                [TopicPartition(topic, partition, millis)], timeout=self.timeout
            )
        except KafkaException as exc:
            raise translated(exc, BACKEND, "seek_to_timestamp", translate) from exc
        finally:
            self._release(reader)
        if found.error is not None:
            raise error_of(found.error)
        if found.offset < 0:
            if found.offset == -1:  # past every record (Kafka's answer) — or a broker without
                _, high = self.watermarks(topic, partition)  # the ListOffsets time lookup
                if high > 0 and self.config.mock_control is not None:
                    msg = "the librdkafka mock cluster cannot look offsets up by time"
                    raise UnsupportedError(msg, backend=BACKEND, operation="seek_to_timestamp")
            return None
        return int(found.offset)

    # ---- retention -------------------------------------------------------------------------

    def _limits_group(self, topic: str) -> str:
        # "~" never comes out of ``escape``, so no user group can have this id
        return f"{self.config.group_prefix}.{topic}.~retention"

    def get_retention(self, topic: str) -> tuple[float | None, int | None]:
        """``max_age`` from the topic's own ``retention.ms`` (when set on the topic, not a
        broker default) and ``max_length`` from the committed-offset metadata of a reserved
        group (Kafka has no record-count limit to hold it); None for what is not set."""
        if not self.count(topic):
            return None, None
        max_age = None if self.config.mock_control is not None else self._retention_ms(topic)
        for tp in self._group_offsets(self._limits_group(topic), topic, 0, "get_retention"):
            if tp.offset is not None and tp.offset > 0 and tp.metadata == _LENGTH_MARK:
                return max_age, int(tp.offset)
        return max_age, None

    def _retention_ms(self, topic: str) -> float | None:
        resource = ConfigResource("topic", topic)
        try:
            found = self.admin.describe_configs([resource], request_timeout=self.timeout)
            configs = found[resource].result(timeout=self.timeout + 1)
        except KafkaException as exc:
            raise translated(exc, BACKEND, "get_retention", translate) from exc
        entry = configs.get("retention.ms")
        if entry is None or entry.value is None or entry.is_default:
            return None
        if entry.source != ConfigSource.DYNAMIC_TOPIC_CONFIG.value:
            return None
        millis = int(entry.value)
        return None if millis < 0 else millis / 1000

    def set_retention(self, topic: str, max_age: float | None, max_length: int | None) -> None:
        """``retention.ms`` on the topic (IncrementalAlterConfigs: Kafka then drops records
        older than ``max_age`` on its own), and both limits recorded for ``get_retention``."""
        self.ensure(topic, 1, "set_retention")
        if self.config.mock_control is not None:
            msg = "the librdkafka mock cluster has no admin API to set topic configs (retention.ms)"
            raise UnsupportedError(msg, backend=BACKEND, operation="set_retention")
        if max_age is None:
            entry = ConfigEntry(
                "retention.ms", None, incremental_operation=AlterConfigOpType.DELETE
            )
        else:
            millis = str(math.ceil(max_age * 1000))
            entry = ConfigEntry("retention.ms", millis, incremental_operation=AlterConfigOpType.SET)
        resource = ConfigResource("topic", topic, incremental_configs=[entry])
        try:
            altered = self.admin.incremental_alter_configs([resource], request_timeout=self.timeout)
            for future in altered.values():
                future.result(timeout=self.timeout + 1)
        except KafkaException as exc:
            raise translated(exc, BACKEND, "set_retention", translate) from exc
        gid = self._limits_group(topic)
        # max_length is the committed offset (0: none) of the reserved group
        limit = TopicPartition(topic, 0, max_length or 0, _LENGTH_MARK)
        request = ConsumerGroupTopicPartitions(gid, [limit])
        try:
            futures = self.admin.alter_consumer_group_offsets(
                [request], request_timeout=self.timeout
            )
            futures[gid].result(timeout=self.timeout + 1)
        except KafkaException as exc:
            raise translated(exc, BACKEND, "set_retention", translate) from exc

    def trim(self, topic: str, now: float) -> int:
        """DeleteRecords below the first record within the limits, per partition; the
        number removed."""
        max_age, max_length = self.get_retention(topic)
        count = self.count(topic)
        if not count or (max_age is None and max_length is None):
            return 0
        if self.config.mock_control is not None:
            msg = "the librdkafka mock cluster has no DeleteRecords (nor offsets by time)"
            raise UnsupportedError(msg, backend=BACKEND, operation="trim")
        cuts: list[TopicPartition] = []
        removed = 0
        for partition in range(count):
            low, high = self.watermarks(topic, partition)
            cut = low
            if max_length is not None:
                cut = max(cut, high - max_length)
            if max_age is not None:
                # the first record at or after now - max_age is kept (strictly older is beyond)
                millis = math.ceil((now - max_age) * 1000)
                found = self.offset_for_time(topic, partition, max(0, millis))
                cut = max(cut, high if found is None else found)
            cut = min(cut, high)
            if cut > low:
                cuts.append(TopicPartition(topic, partition, cut))
                removed += cut - low
        if not cuts:
            return 0
        try:
            futures = self.admin.delete_records(cuts, request_timeout=self.timeout)
            for future in futures.values():
                future.result(timeout=self.timeout + 1)
        except KafkaException as exc:
            raise translated(exc, BACKEND, "trim", translate) from exc
        return removed

    # ---- groups ----------------------------------------------------------------------------

    def _group_offsets(
        self, gid: str, topic: str, partition: int, operation: str
    ) -> list[TopicPartition]:
        """What the group committed for ``topic``'s ``partition`` (OffsetFetch through the
        admin client): the offsets with their metadata; translated errors name ``operation``."""
        request = ConsumerGroupTopicPartitions(gid, [TopicPartition(topic, partition)])
        try:
            futures = self.admin.list_consumer_group_offsets(
                [request], request_timeout=self.timeout
            )
            result = futures[gid].result(timeout=self.timeout + 1)
        except KafkaException as exc:
            raise translated(exc, BACKEND, operation, translate) from exc
        return list(result.topic_partitions or [])

    def committed(self, gid: str, topic: str, partition: int) -> int | None:
        """The group's committed offset, None when it has none (the group does not exist)."""
        for tp in self._group_offsets(gid, topic, partition, "group"):
            if tp.partition == partition and tp.offset is not None and tp.offset >= 0:
                return int(tp.offset)
        return None

    def commit(self, gid: str, topic: str, partition: int, offset: int) -> None:
        request = ConsumerGroupTopicPartitions(gid, [TopicPartition(topic, partition, offset)])
        try:
            futures = self.admin.alter_consumer_group_offsets(
                [request], request_timeout=self.timeout
            )
            result = futures[gid].result(timeout=self.timeout + 1)
        except KafkaException as exc:
            raise translated(exc, BACKEND, "commit", translate) from exc
        for tp in result.topic_partitions or []:
            if tp.error is not None:
                raise error_of(tp.error)

    def _state(self, gid: str, topic: str, partition: int, offset: int) -> GroupState:
        """The process's state of the group's ``partition`` (made once, ``_GROUPS_LOCK`` held)."""
        bootstrap = self.config.bootstrap
        state = _GROUPS.get((bootstrap, gid, partition))
        if state is None:
            group = _MEMBERSHIPS.get((bootstrap, gid))
            if group is None:
                group = _MEMBERSHIPS[bootstrap, gid] = Membership(gid, topic)
            with group.lock:
                state = GroupState(gid, topic, partition, offset, offset, group)
            _GROUPS[bootstrap, gid, partition] = state
        return state

    def known_group(self, gid: str, partition: int = 0) -> GroupState | None:
        """The group's state if this process has it already (no I/O: async callers need no
        worker thread for it)."""
        return _GROUPS.get((self.config.bootstrap, gid, partition))

    def group(self, gid: str, topic: str, partition: int = 0) -> GroupState | None:
        """The group's state in this process, loaded from Kafka on first use; None when the
        group does not exist."""
        state = self.known_group(gid, partition)
        if state is not None:
            return state
        if not self.count(topic):
            return None
        committed = self.committed(gid, topic, partition)
        if committed is None:
            return None
        with _GROUPS_LOCK:
            return self._state(gid, topic, partition, committed)

    def create_group(self, gid: str, topic: str, start: str | int, partition: int = 0) -> bool:
        self.ensure(topic, 1, "create_group")
        with _GROUPS_LOCK:
            if (self.config.bootstrap, gid, partition) in _GROUPS:
                return False
        if self.committed(gid, topic, partition) is not None:
            return False
        low, high = self.watermarks(topic, partition)
        if start == "earliest":
            offset = low
        elif start == "latest":
            offset = high
        else:
            offset = max(int(start), low)
        self.commit(gid, topic, partition, offset)
        with _GROUPS_LOCK:
            self._state(gid, topic, partition, offset)
        return True

    def deliver(
        self,
        state: GroupState,
        consumer: str,
        max_count: int,
        block: float,
        claim_timeout: float,
        stream: str = "",
        now: Callable[[], float] = time.monotonic,
    ) -> list[StreamRecord]:
        """Reclaim lapsed records, then read new ones, as records of ``stream`` (each with
        its delivery count)."""
        with state.lock:
            state.consumers.setdefault(consumer, None)
            moment = now()
            pending = state.pending
            out: list[StreamRecord] = []
            if pending:
                lapsed = sorted(
                    o for o, entry in pending.items() if moment - entry[1] >= claim_timeout
                )[:max_count]
                for offset in lapsed:
                    entry = pending[offset]
                    again = replace(entry[2], delivery_count=entry[2].delivery_count + 1)
                    entry[0], entry[1], entry[2] = consumer, moment, again
                    out.append(again)
            left = max_count - len(out)
            if left:
                fresh = self._fetch(state, left, 0.0 if out else block, stream)
                if fresh:
                    moment = now()
                    if state.counts:  # records this process delivered before a rebalance
                        fresh = [state.recount(record) for record in fresh]
                    for record in fresh:  # once per record delivered
                        pending[record.offset] = [consumer, moment, record]
                    out += fresh
                    state.last_delivered = fresh[-1].offset
            return out

    def ack(self, state: GroupState, offsets: Iterable[int]) -> int:
        """Acknowledge pending offsets and commit the new floor through the member (one
        OffsetCommit per call, never past the oldest record still pending); 0 when Kafka
        fenced the commit (the partition is another member's: its pending records are the
        group's again)."""
        with state.lock:
            take = state.pending.pop
            popped = [(o, e) for o in offsets if (e := take(o, None)) is not None]
            floor = state.floor()
            if floor > state.committed:
                try:
                    if self._member_commit(state, floor):
                        state.drop_pending()  # fenced: the partition is another member's
                        return 0
                except BaseException:
                    state.pending.update(popped)
                    raise
                state.committed = floor
                for offset in [o for o in state.counts if o < floor]:
                    del state.counts[offset]
            return len(popped)

    # ---- group membership ------------------------------------------------------------------

    def _member_config(self, gid: str) -> dict[str, Any]:
        config: dict[str, Any] = {
            **self.base,
            "group.id": gid,
            "group.protocol": "consumer",  # KIP-848; the mock cluster's groups need it
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",  # only when the committed offset was trimmed
            "fetch.wait.max.ms": 10,
            "fetch.message.max.bytes": self.message_max,
        }
        config.update(self.config.client)  # the user's librdkafka settings win
        return config

    def _join(self, state: GroupState) -> Consumer:
        """This process's member of the group, subscribed on first use (``state.lock`` held).

        One member per group serves every partition state of the group in the process.  Kafka
        assigns it partitions; those with a state here are read from the committed offset, the
        others (a stream group reads partition 0 only) are paused."""
        group = state.group
        with self._lock:
            self._joined[id(group)] = group
        group.users[id(self)] = self
        if group.consumer is not None:
            return group.consumer

        def on_assign(member: Consumer, partitions: list[TopicPartition]) -> None:
            member.incremental_assign(partitions)
            others = [tp for tp in partitions if tp.partition not in group.states]
            if others:
                member.pause(others)
            ours = [group.states[tp.partition] for tp in partitions if tp.partition in group.states]
            owner = group.user()
            for mine in ours:
                # the member fetches from the committed offset: deliveries resume there
                committed = None if owner is None else owner.committed(gid, topic, mine.partition)
                if committed is not None:
                    mine.committed = mine.next = committed
                mine.buffer.clear()
                mine.assigned = True

        def on_revoke(_member: Consumer, partitions: list[TopicPartition]) -> None:
            for tp in partitions:
                mine = group.states.get(tp.partition)
                if mine is not None:
                    mine.drop_pending()

        gid, topic = group.gid, group.topic
        try:
            member = Consumer(self._member_config(gid))
            member.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_revoke)
        except KafkaException as exc:
            raise translated(exc, BACKEND, "consume", translate) from exc
        group.consumer, group.joined = member, time.monotonic()
        for mine in group.states.values():
            mine.assigned = False
        return member

    def _leave(self, group: Membership) -> None:
        with group.lock:
            group.users.pop(id(self), None)
            if group.users or group.consumer is None:
                return
            member, group.consumer = group.consumer, None
            for state in group.states.values():
                state.drop_pending()
        with contextlib.suppress(KafkaException, RuntimeError):
            member.close()  # leaves the group: Kafka hands the partitions on at once

    def _fetch(
        self, state: GroupState, count: int, block: float, stream: str
    ) -> list[StreamRecord]:
        """Up to ``count`` new records of ``state``'s partition, as records of ``stream``
        (``state.lock`` held).

        Records the member already fetched for this partition come first.  A member not yet
        holding the partition waits up to ``JOIN_GRACE`` seconds after it subscribed for Kafka
        to assign it (no longer than ``block`` once assigned); after that an unassigned
        partition (another process holds it) returns nothing at once.  Records the member
        fetches for the group's other partitions are buffered in their states (never dropped:
        the member's position moved past them), and a wait ends once some arrived, so the
        caller can take them.  Records the broker has but the member
        has not fetched yet are waited for (up to the timeout), as ``read`` does."""
        member = self._join(state)
        group = state.group
        mine = state.partition
        out = state.take_buffered(count)
        if len(out) >= count:
            return out
        start = time.monotonic()
        deadline = start + block
        grace = max(deadline, group.joined + JOIN_GRACE)  # while Kafka has not assigned it
        checked = False
        try:
            while True:
                if not state.assigned:
                    deadline = grace
                elif deadline == grace and not checked:  # assigned meanwhile: the grace ends
                    deadline = start + block
                # with records in hand, wait only for the rest the last fetch promised
                wait = _SLICE if out else max(0.0, min(deadline - time.monotonic(), _SLICE))
                elsewhere = False
                records, failed = records_of(member.consume(count - len(out), wait), stream)
                # assignment changes only inside consume() (its rebalance callbacks)
                assigned, position = state.assigned, state.next
                for record in records:  # once per record consumed
                    partition, offset = record.partition, record.offset
                    if partition == mine and assigned:
                        if offset >= position:
                            out.append(record)
                            position = offset + 1
                        continue
                    target = group.states.get(partition)
                    if target is None or target is state or not target.assigned:
                        continue
                    if offset >= (target.buffer[-1].offset + 1 if target.buffer else target.next):
                        target.buffer.append(record)
                        elsewhere = True
                state.next = position
                if failed is not None:  # raised once every record of the batch is placed
                    raise error_of(failed)
                if len(out) >= count:
                    return out
                if out:  # more when the member's last fetch saw more (cached: no round trip)
                    tp = TopicPartition(state.topic, state.partition)
                    _, high = member.get_watermark_offsets(tp, cached=True)
                    if high <= state.next or time.monotonic() - start > self.timeout:
                        return out
                    continue
                if elsewhere:  # the caller reads the group's other partitions next
                    return out
                if time.monotonic() >= deadline:
                    if not state.assigned or checked:
                        return out
                    checked = True  # the broker may hold records the member has not fetched
                    _, high = self.watermarks(state.topic, state.partition)
                    if high <= state.next:
                        return out
                    deadline = time.monotonic() + self.timeout
        except BaseException as exc:
            if out and state.assigned:
                # fetched but not handed out: they wait in the buffer for the next call, so
                # an ack meanwhile cannot commit past them
                state.buffer.extendleft(reversed(out))
                state.next = out[0].offset
            if isinstance(exc, KafkaException):
                raise translated(exc, BACKEND, "consume", translate) from exc
            raise

    def _member_commit(self, state: GroupState, floor: int) -> bool:
        """Commit ``floor`` through the member; True when Kafka fenced it (it no longer holds
        the partition, so it commits nothing)."""
        member = state.group.consumer
        if member is None or not state.assigned:
            return True
        try:
            result = member.commit(
                offsets=[TopicPartition(state.topic, state.partition, floor)],
                asynchronous=False,
            )
        except KafkaException as exc:
            if exc.args[0].code() in _FENCED:
                return True
            raise translated(exc, BACKEND, "ack", translate) from exc
        for tp in result or []:
            if tp.error is not None:
                if tp.error.code() in _FENCED:
                    return True
                raise error_of(tp.error)
        return False

    def release(self, state: GroupState, consumer: str) -> None:
        """Make every record ``consumer`` holds reclaimable at once (it closed)."""
        with state.lock:
            for entry in state.pending.values():
                if entry[0] == consumer:
                    entry[1] = float("-inf")

    def group_snapshot(self, state: GroupState) -> tuple[dict[str, int], int, int, int | None]:
        """``(pending per consumer, pending, lag, last delivered)``."""
        _, high = self.watermarks(state.topic, state.partition)
        with state.lock:
            counts = dict.fromkeys(state.consumers, 0)
            for entry in state.pending.values():
                counts[entry[0]] = counts.get(entry[0], 0) + 1
            return counts, len(state.pending), max(0, high - state.next), state.last_delivered
