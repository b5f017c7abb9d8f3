# Generated from src/prism/backends/postgres/_async/keyvalue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""postgres keyvalue: all six interfaces (the SQL is in ``_ops/keyvalue.py``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

from psycopg import Connection, sql  # noqa: TID253 (backend-internal module)
from psycopg.pq import TransactionStatus  # noqa: TID253

from prism._validate import Duration
from prism.backends._errors import translating
from prism.backends.postgres._core import BACKEND
from prism.backends.postgres._errors import RETRYABLE, translate
from prism.backends.postgres._facet import PostgresFacet
from prism.backends.postgres._ops.keyvalue import prefix_end, statements
from prism.errors import ConflictError, InvalidArgumentError, KeyNotFoundError
from prism.interfaces.keyvalue import (
    KeyValueBasic,
    KeyValueBatch,
    KeyValueCAS,
    KeyValueScan,
    KeyValueTransactional,
    KeyValueTTL,
    Transaction,
)

if TYPE_CHECKING:
    from prism.backends.postgres.backend import PostgresBackend

__all__ = [
    "PostgresJoinedTransaction",
    "PostgresKeyValue",
    "PostgresTransaction",
]

PAGE = 500
"""Keys per round trip of a scan."""
SWEEP_EVERY = 512
"""Writes between two sweeps of the namespace's expired keys."""
COMMIT_ATTEMPTS = 3
"""A commit that meets a deadlock or serialization failure is run again this many times in all
(it is a deterministic re-check and re-apply), then ``ConflictError``."""


class PostgresKeyValue(
    PostgresFacet,
    KeyValueBasic,
    KeyValueScan,
    KeyValueTTL,
    KeyValueTransactional,
    KeyValueBatch,
    KeyValueCAS,
):
    _scan_in_key_order = True
    """Internal promise to the outbox relay: ``scan`` yields keys in ascending code-point order
    (keyset pages ``ORDER BY key``), so ``scan(prefix, limit=n)`` is the n smallest keys."""

    MODEL = "keyvalue"

    def __init__(self, backend: PostgresBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._st = statements(self.schema)
        self._sql = self._st.sql

    def _wrote(self) -> None:
        """Count a write; every so often reclaim the storage of expired keys."""
        if self._pg.count_write(SWEEP_EVERY):
            self._run("sweep", self._sql["sweep"], ())

    # keyvalue_basic / keyvalue_ttl ------------------------------------------------------------
    def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        hold = cast("float | None", ttl)  # float seconds after the checks
        self._run("set", self._sql["set"], (key, value, hold))
        if self._pg.count_write(SWEEP_EVERY):
            self._run("sweep", self._sql["sweep"], ())

    def get(self, key: str) -> bytes:
        row = self._one("get", self._sql["get"], (key,))
        if row is None:
            raise KeyNotFoundError(f"key {key!r} not found", backend=BACKEND, operation="get")
        return bytes(row[0])

    def delete(self, key: str) -> bool:
        row = self._one("delete", self._sql["delete"], (key,))
        return bool(row and row[0])

    def exists(self, key: str) -> bool:
        return self._one("exists", self._sql["exists"], (key,)) is not None

    def expire(self, key: str, ttl: Duration) -> bool:
        hold = cast("float", ttl)
        return self._run("expire", self._sql["expire"], (hold, key)) > 0

    def get_ttl(self, key: str) -> float | None:
        row = self._one("get_ttl", self._sql["get_ttl"], (key,))
        if row is None:
            raise KeyNotFoundError(f"key {key!r} not found", backend=BACKEND, operation="get_ttl")
        return None if row[0] is None else max(0.0, float(row[0]))

    def persist(self, key: str) -> bool:
        return self._run("persist", self._sql["persist"], (key,)) > 0

    # keyvalue_scan -----------------------------------------------------------------------------
    def _pages(
        self, prefix: str, limit: int | None, values: bool
    ) -> Iterator[list[tuple[str, Any]]]:
        end = prefix_end(prefix)
        after: str | None = None
        left = limit
        while left is None or left > 0:
            size = PAGE if left is None else min(PAGE, left)
            query = self._st.scan[values, after is not None, end is not None]
            params: list[Any] = [prefix if after is None else after]
            if end is not None:
                params.append(end)
            params.append(size)
            page = self._all("scan", query, params)
            if not page:
                return
            yield page
            if left is not None:
                left -= len(page)
            if len(page) < size:
                return
            after = page[-1][0]

    def scan(self, prefix: str = "", *, limit: int | None = None) -> Iterator[tuple[str, bytes]]:
        for page in self._pages(prefix, limit, values=True):
            for key, value in page:
                yield key, bytes(value)

    def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> Iterator[str]:
        for page in self._pages(prefix, limit, values=False):
            for key, _ in page:
                yield key

    def count(self, prefix: str = "") -> int:
        end = prefix_end(prefix)
        params = [prefix] if end is None else [prefix, end]
        row = self._one("count", self._st.count[end is not None], params)
        return int(row[0])

    # keyvalue_batch ----------------------------------------------------------------------------
    def set_many(self, items: Mapping[str, bytes]) -> None:
        if items:
            self._run("set_many", self._sql["set_many"], (list(items), list(items.values())))
            self._wrote()

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        rows = self._all("get_many", self._sql["get_many"], (wanted,))
        return {key: bytes(value) for key, value in rows}

    def delete_many(self, keys: Iterable[str]) -> int:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return 0
        row = self._one("delete_many", self._sql["delete_many"], (wanted,))
        return int(row[0])

    # keyvalue_cas ------------------------------------------------------------------------------
    def compare_and_swap(self, key: str, expected: bytes | None, new: bytes) -> bool:
        # READ COMMITTED re-evaluates the WHERE clause on the newest row version after waiting
        # for a concurrent writer, so each of these single statements is linearizable per key.
        if expected is None:
            done = self._run("compare_and_swap", self._sql["insert_if_absent"], (key, new))
        else:
            done = self._run("compare_and_swap", self._sql["swap"], (new, key, expected))
        return done > 0

    def compare_and_delete(self, key: str, expected: bytes) -> bool:
        return self._run("compare_and_delete", self._sql["delete_if"], (key, expected)) > 0

    # keyvalue_transactional --------------------------------------------------------------------
    def begin(self, *, conn: Connection[Any] | None = None) -> Transaction:
        """A transaction over this namespace's keys.

        Without ``conn``: prism's own optimistic transaction (:class:`PostgresTransaction`).
        With ``conn``, a psycopg connection of the application's that is inside a transaction
        (or not in autocommit mode): prism's reads and writes run on that connection, inside a
        savepoint, so they commit or roll back with the application's own statements — the
        application's isolation level and row locks apply (see
        :class:`PostgresJoinedTransaction`).
        """
        if conn is None:
            return PostgresTransaction(self)
        return PostgresJoinedTransaction(self, conn)

    def _commit(self, seen: dict[str, int | None], writes: dict[str, bytes | None]) -> None:
        """Apply ``writes`` in one READ COMMITTED database transaction, after locking every
        touched row (``SELECT ... FOR UPDATE``, in key order) and checking that its version is
        still the one the transaction read; ``ConflictError`` (and nothing applied) when not."""
        for attempt in range(1, COMMIT_ATTEMPTS + 1):
            try:
                self._commit_once(seen, writes)
                return
            except ConflictError as exc:
                cause = exc.__cause__
                state = getattr(cause, "sqlstate", None)
                if state not in RETRYABLE or attempt == COMMIT_ATTEMPTS:
                    raise

    def _commit_once(self, seen: dict[str, int | None], writes: dict[str, bytes | None]) -> None:
        sql = self._sql
        with self._connection("commit") as conn, conn.transaction():
            cur = conn.execute(sql["lock_versions"], (sorted(seen),))
            now = {key: int(version) for key, version in cur.fetchall()}
            changed = sorted(k for k, v in seen.items() if now.get(k) != v)
            if changed:
                msg = (
                    f"{len(changed)} key(s) changed since this transaction read them "
                    f"(first: {changed[0]!r}); nothing was applied"
                )
                raise ConflictError(msg, backend=BACKEND, operation="commit")
            for key in sorted(writes):
                value = writes[key]
                if value is None:
                    if seen[key] is not None:
                        conn.execute(sql["remove"], (key,))
                elif seen[key] is not None:
                    conn.execute(sql["overwrite"], (value, key))
                else:
                    cur = conn.execute(sql["insert_if_absent"], (key, value))
                    if cur.rowcount == 0:
                        msg = f"key {key!r} was created by another client; nothing was applied"
                        raise ConflictError(msg, backend=BACKEND, operation="commit")


class PostgresJoinedTransaction(Transaction):
    """prism's keyvalue work inside the application's own database transaction.

    The first operation ensures the namespace's tables (on a pooled connection) and opens a
    savepoint on the application's connection; reads and writes then run there at once, seeing
    the application's uncommitted work and seen by no one else until the application commits.
    ``commit`` releases the savepoint (the application's ``COMMIT`` makes the writes durable);
    ``rollback`` (or an exception leaving ``with``) rolls back to it, undoing prism's
    writes only.  Conflicts follow the application's isolation level: row locks are held until
    it commits, and a serialization failure surfaces as ``ConflictError``.
    """

    def __init__(self, facet: PostgresKeyValue, conn: Connection[Any]) -> None:
        self._facet = facet
        self._conn = conn
        self.max_value_bytes = facet.max_value_bytes
        self._savepoint = sql.Identifier(f"prism_{uuid.uuid4().hex[:16]}")
        self._started = False
        self._done = False

    def _ready(self) -> Connection[Any]:
        if self._done:
            msg = "this transaction is already committed or rolled back"
            raise InvalidArgumentError(msg, backend=BACKEND)
        if not self._started:
            facet, conn = self._facet, self._conn
            facet._pg.ensure(facet.schema, facet.namespace, facet.MODEL)
            if conn.autocommit and conn.info.transaction_status == TransactionStatus.IDLE:
                msg = (
                    "begin(conn=...) joins the application's transaction, but the connection "
                    "is in autocommit mode outside one; open one first "
                    "(with conn.transaction(): ...) or use a connection with autocommit off"
                )
                raise InvalidArgumentError(msg, backend=BACKEND, operation="begin")
            conn.execute(sql.SQL("SAVEPOINT {}").format(self._savepoint))
            self._started = True
        return self._conn

    def get(self, key: str) -> bytes:
        with translating(BACKEND, "get", translate):
            conn = self._ready()
            cur = conn.execute(self._facet._sql["get"], (key,))
            row = cur.fetchone()
        if row is None:
            raise KeyNotFoundError(f"key {key!r} not found", backend=BACKEND, operation="get")
        return bytes(row[0])

    def set(self, key: str, value: bytes) -> None:
        with translating(BACKEND, "set", translate):
            conn = self._ready()
            conn.execute(self._facet._sql["set"], (key, value, None))

    def delete(self, key: str) -> bool:
        with translating(BACKEND, "delete", translate):
            conn = self._ready()
            cur = conn.execute(self._facet._sql["delete"], (key,))
            row = cur.fetchone()
        return bool(row and row[0])

    def commit(self) -> None:
        if self._done:
            msg = "this transaction is already committed or rolled back"
            raise InvalidArgumentError(msg, backend=BACKEND)
        self._done = True
        if self._started:
            with translating(BACKEND, "commit", translate):
                self._conn.execute(sql.SQL("RELEASE SAVEPOINT {}").format(self._savepoint))

    def rollback(self) -> None:
        if self._done:
            return
        self._done = True
        if self._started:
            with translating(BACKEND, "rollback", translate):
                self._conn.execute(sql.SQL("ROLLBACK TO SAVEPOINT {}").format(self._savepoint))
                self._conn.execute(sql.SQL("RELEASE SAVEPOINT {}").format(self._savepoint))


class PostgresTransaction(Transaction):
    """Optimistic over a real database transaction: reads record each key's version; writes are
    buffered; ``commit`` locks the touched rows, re-checks those versions and applies every
    write in one READ COMMITTED transaction, or raises ``ConflictError`` and applies nothing."""

    def __init__(self, facet: PostgresKeyValue) -> None:
        self._facet = facet
        self.max_value_bytes = facet.max_value_bytes
        self._seen: dict[str, int | None] = {}
        self._values: dict[str, bytes | None] = {}
        self._writes: dict[str, bytes | None] = {}
        self._done = False

    def _check_open(self) -> None:
        if self._done:
            msg = "this transaction is already committed or rolled back"
            raise InvalidArgumentError(msg, backend=BACKEND)

    def _current(self, key: str) -> bytes | None:
        self._check_open()
        if key in self._writes:
            return self._writes[key]
        if key not in self._seen:
            facet = self._facet
            row = facet._one("get", facet._sql["read_versioned"], (key,))
            self._seen[key] = None if row is None else int(row[1])
            self._values[key] = None if row is None else bytes(row[0])
        return self._values[key]

    def get(self, key: str) -> bytes:
        value = self._current(key)
        if value is None:
            raise KeyNotFoundError(f"key {key!r} not found", backend=BACKEND, operation="get")
        return value

    def set(self, key: str, value: bytes) -> None:
        self._current(key)
        self._writes[key] = value

    def delete(self, key: str) -> bool:
        existed = self._current(key) is not None
        self._writes[key] = None
        return existed

    def commit(self) -> None:
        self._check_open()
        self._done = True
        if self._seen:
            self._facet._commit(self._seen, self._writes)
        if self._writes:
            self._facet._wrote()

    def rollback(self) -> None:
        self._done = True
        self._writes.clear()
