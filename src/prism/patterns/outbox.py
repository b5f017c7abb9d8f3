# Generated from src/prism/patterns/_async/outbox.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The outbox pattern (the sync twin, generated from the async source).

``with ns.transaction() as tx`` gives the database slot's keyvalue operations
(``tx.get/set/delete``) plus ``tx.publish``, ``tx.enqueue`` and ``tx.append``; commit writes the
business keys and one outbox row per message in one transaction of the database slot.  A relay
(:meth:`Outbox.run_once`, or a background task/thread with the option ``relay: true``)
publishes committed rows to the messaging slot at least once, each with the header
``prism-message-id`` (stable across redeliveries, for deduplication), oldest first, and in commit
order per key.  Rows live under the reserved key prefix ``prism-outbox/`` of the database slot.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self

from prism import _validate
from prism.errors import ConflictError, InvalidArgumentError, KeyNotFoundError, UnsupportedError
from prism.interfaces import KeyValueBatch, KeyValueScan, KeyValueTransactional
from prism.patterns._background import Background
from prism.patterns._joined import SQLiteJoinedTransaction

__all__ = ["MESSAGE_ID_HEADER", "Outbox", "OutboxTransaction"]

MESSAGE_ID_HEADER = "prism-message-id"
PREFIX = "prism-outbox/"
ROWS = PREFIX + "row/"
SEQ = PREFIX + "seq/"
SENT = PREFIX + "sent/"
LEASE = PREFIX + "relay-lease"


class Outbox:
    """The outbox runtime of one namespace: transactions and the relay."""

    def __init__(
        self,
        database: Any,
        messaging: Mapping[str, Any],
        *,
        relay: bool = False,
        relay_batch: int = 100,
        relay_interval: float = 1.0,
        relay_lease: float = 30.0,
        retention: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(database, KeyValueTransactional) or not isinstance(
            database, KeyValueScan
        ):
            msg = "the outbox database slot needs keyvalue_transactional and keyvalue_scan"
            raise UnsupportedError(msg)
        self.database: Any = database
        self.messaging = dict(messaging)
        self.relay_batch = max(1, int(relay_batch))
        self.relay_interval = float(relay_interval)
        self.relay_lease = float(relay_lease)
        self.retention = float(retention)
        self.clock = clock
        self.relay_id = uuid.uuid4().hex
        self._last_prune = 0.0
        self._holds_lease = False
        self._background: Background | None = None
        if relay:
            self.start_relay()

    def transaction(self, *, conn: Any = None) -> OutboxTransaction:
        """A transaction over the database slot's keys with an outbox.

        ``conn`` joins the application's own open transaction: a ``psycopg`` connection when
        the database slot is postgres (through its ``begin(conn=...)``), a ``sqlite3``
        connection on the same file when it is sqlite.  Then the outbox rows and ``tx.set``
        writes commit or roll back with the application's transaction, and ``commit()`` of this
        object only ends prism's part of it.
        """
        if conn is None:
            return OutboxTransaction(self, self.database.begin(), joined=False)
        import sqlite3

        if isinstance(conn, sqlite3.Connection):
            return OutboxTransaction(
                self, SQLiteJoinedTransaction(conn, self.database.namespace), joined=True
            )
        try:
            inner = self.database.begin(conn=conn)
        except TypeError as exc:
            msg = (
                f"the outbox database slot ({type(self.database).__name__}) cannot join an "
                "application connection; join works with sqlite and postgres"
            )
            raise UnsupportedError(msg) from exc
        return OutboxTransaction(self, inner, joined=False)

    # ----- the relay -----------------------------------------------------------------------

    def start_relay(self) -> None:
        """Start the background relay (a task on the running loop, or a thread)."""
        if self._background is None:
            self._background = Background(
                # telemetry may wrap ``run_once`` on the instance after this
                "prism-outbox-relay",
                lambda: self.run_once(),  # noqa: PLW0108 (looked up per pass)
                self.relay_interval,
            )

    def close(self) -> None:
        background, self._background = self._background, None
        if background is not None:
            background.stop()
        if self._holds_lease:
            self._release_lease()

    def _release_lease(self) -> None:
        """Hand the lease back so another relay need not wait for it to lapse."""
        self._holds_lease = False
        tx = self.database.begin()
        try:
            try:
                holder = json.loads(tx.get(LEASE))
            except KeyNotFoundError:
                holder = None
            if holder and holder["owner"] == self.relay_id:
                tx.delete(LEASE)
                tx.commit()
            else:
                tx.rollback()
        except ConflictError:
            return

    def _take_lease(self) -> bool:
        now = self.clock()
        tx = self.database.begin()
        try:
            try:
                holder = json.loads(tx.get(LEASE))
            except KeyNotFoundError:
                holder = None
            if holder and holder["owner"] != self.relay_id and holder["until"] > now:
                tx.rollback()
                return False
            doc = {"owner": self.relay_id, "until": now + self.relay_lease}
            tx.set(LEASE, json.dumps(doc).encode())
            tx.commit()
            self._holds_lease = True
        except ConflictError:
            return False
        except BaseException:
            tx.rollback()
            raise
        return True

    def pending(self) -> int:
        """How many committed rows wait for the relay."""
        pending: int = self.database.count(ROWS)
        return pending

    def run_once(self, limit: int | None = None) -> int:
        """Publish up to ``limit`` (default ``relay_batch``) committed rows, oldest first;
        return how many were published (0 when another relay holds the lease)."""
        if not self._take_lease():
            return 0
        batch = limit or self.relay_batch
        rows: list[tuple[str, dict[str, Any]]] = []
        if getattr(self.database, "_scan_in_key_order", False):
            # sqlite, postgres: the oldest rows, values included, in one ordered range read
            for key, value in self.database.scan(ROWS, limit=batch):
                rows.append((key, json.loads(value)))
        else:
            keys: list[str] = []
            for key in self.database.scan_keys(ROWS):
                keys.append(key)  # noqa: PERF401, PERF402, RUF100 (the sync twin is a plain loop)
            keys.sort()
            for key in keys[:batch]:
                try:
                    rows.append((key, json.loads(self.database.get(key))))
                except KeyNotFoundError:
                    continue  # published meanwhile by a relay whose lease lapsed
        rows.sort(key=lambda r: (r[0][len(ROWS) :].split("-", 1)[0], r[1].get("seq", 0)))
        published: list[tuple[str, dict[str, Any]]] = []
        try:
            for key, row in rows:
                self._publish(row)
                published.append((key, row))
        finally:  # mark what went out, in one transaction, even when a later publish failed
            if published:
                stamp = int(self.clock() * 1000)
                with self.database.begin() as tx:
                    for key, row in published:
                        tx.delete(key)
                        if self.retention > 0:
                            tx.set(f"{SENT}{stamp:013d}-{row['id']}", key.encode())
        self._prune()
        return len(published)

    def _prune(self) -> None:
        now = self.clock()
        if self.retention <= 0 or now - self._last_prune < min(self.retention / 10, 60.0):
            return
        self._last_prune = now
        cutoff = int((now - self.retention) * 1000)
        ordered = getattr(self.database, "_scan_in_key_order", False)
        old: list[str] = []
        for key in self.database.scan_keys(SENT):
            stamp = key[len(SENT) :].split("-", 1)[0]
            if stamp.isdigit() and int(stamp) < cutoff:
                old.append(key)
            elif ordered:
                break  # keys are in stamp order: the rest are younger
        if old and isinstance(self.database, KeyValueBatch):
            self.database.delete_many(old)
            return
        for key in old:
            self.database.delete(key)

    def _publish(self, row: dict[str, Any]) -> None:
        headers = dict(row["headers"])
        headers[MESSAGE_ID_HEADER] = row["id"]
        payload = bytes.fromhex(row["payload"])
        op, dest, key, options = row["op"], row["dest"], row.get("key"), row.get("options", {})
        if op == "publish":
            facet = self.messaging["pubsub"]
            if key is not None and hasattr(facet, "publish_ordered"):
                facet.publish_ordered(dest, payload, key, headers=headers)
            elif options.get("persistent"):
                facet.publish_persistent(dest, payload, headers=headers)
            else:
                facet.publish(dest, payload, headers=headers)
        elif op == "enqueue":
            self.messaging["queue"].enqueue(dest, payload, headers=headers, **options)
        else:
            facet = self.messaging["stream"]
            if key is not None:
                facet.append_with_key(dest, key, payload, headers=headers)
            else:
                facet.append(dest, payload, headers=headers)


class OutboxTransaction:
    """Business writes and messages, committed together.  An context manager: commits on
    normal exit, rolls back when the block raises."""

    def __init__(self, outbox: Outbox, tx: Any, *, joined: bool) -> None:
        self._outbox = outbox
        self._tx = tx
        self._joined = joined
        self._rows: list[tuple[str, dict[str, Any]]] = []
        self._done = False

    @property
    def keyvalue(self) -> Any:
        """The database slot's transaction (``get``, ``set``, ``delete``)."""
        return self._tx

    def get(self, key: str) -> bytes:
        value: bytes = _maybe_await(self._tx.get(key))
        return value

    def set(self, key: str, value: bytes) -> None:
        _reserved(key)
        _maybe_await(self._tx.set(key, value))

    def delete(self, key: str) -> bool:
        _reserved(key)
        return bool(_maybe_await(self._tx.delete(key)))

    def _stage(
        self,
        model: str,
        op: str,
        dest: str,
        what: str,
        payload: bytes,
        headers: Mapping[str, str] | None,
        key: str | None,
        options: dict[str, Any],
    ) -> str:
        if self._done:
            msg = "this outbox transaction is already committed or rolled back"
            raise InvalidArgumentError(msg)
        _validate.name(dest, what)
        data = _validate.payload(payload, None, "payload")
        clean = _validate.headers(headers) or {}
        if MESSAGE_ID_HEADER in clean:
            msg = f"headers: {MESSAGE_ID_HEADER!r} is set by the outbox"
            raise InvalidArgumentError(msg)
        if key is not None:
            _validate.name(key, "key")
        if model not in self._outbox.messaging:
            msg = f"the outbox messaging slot has no {model} facet for {op}"
            raise UnsupportedError(msg)
        ident = uuid.uuid4().hex
        row = {
            "id": ident,
            "op": op,
            "dest": dest,
            "payload": data.hex(),
            "headers": clean,
            "key": key,
            "options": options,
        }
        self._rows.append((ident, row))
        return ident

    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        ordering_key: str | None = None,
        persistent: bool = False,
    ) -> str:
        """Stage a pub/sub message; return its message id (the ``prism-message-id`` header)."""
        options = {"persistent": True} if persistent else {}
        return self._stage(
            "pubsub", "publish", topic, "topic", payload, headers, ordering_key, options
        )

    def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
        delay: float | None = None,
    ) -> str:
        """Stage a queue message; return its message id."""
        options: dict[str, Any] = {}
        if priority:
            options["priority"] = _validate.integer(priority, "priority")
        if delay is not None:
            options["delay"] = _validate.seconds(delay, "delay", allow_zero=True)
        return self._stage("queue", "enqueue", queue, "queue", payload, headers, None, options)

    def append(
        self,
        stream: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        key: str | None = None,
    ) -> str:
        """Stage a stream record (``append_with_key`` when ``key`` is given)."""
        return self._stage("stream", "append", stream, "stream", payload, headers, key, {})

    def commit(self) -> None:
        """Write the staged rows and commit (for a joined transaction: leave the commit to the
        application)."""
        if self._done:
            return
        now_ns = int(self._outbox.clock() * 1e9)
        for i, (ident, row) in enumerate(self._rows):
            if row["key"] is not None:
                counter = f"{SEQ}{row['op']}/{row['dest']}/{row['key']}"
                try:
                    seq = int(_maybe_await(self._tx.get(counter))) + 1
                except KeyNotFoundError:
                    seq = 1
                _maybe_await(self._tx.set(counter, str(seq).encode()))
                row["seq"] = seq
            name = f"{ROWS}{now_ns + i:020d}-{ident}"
            _maybe_await(self._tx.set(name, json.dumps(row).encode()))
        self._done = True
        if hasattr(self._tx, "commit"):
            _maybe_await(self._tx.commit())

    def rollback(self) -> None:
        if self._done:
            return
        self._done = True
        self._rows.clear()
        if hasattr(self._tx, "rollback"):
            _maybe_await(self._tx.rollback())

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()


def _reserved(key: str) -> None:
    if isinstance(key, str) and key.startswith(PREFIX):
        msg = f"key {key!r}: the prefix {PREFIX!r} is reserved for the outbox"
        raise InvalidArgumentError(msg)


def _maybe_await(value: Any) -> Any:
    """The joined sqlite transaction is synchronous in both flavours."""
    import inspect

    if inspect.isawaitable(value):
        return value
    return value
