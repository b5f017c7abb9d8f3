"""One SQLite database as a prism backend uses it: the connection string and options, the
connection(s), error translation, write transactions and waiting for changes.

Two flavours share this class; the facets call the one their flavour needs through a pair of
helpers that ``tools/async_to_sync.py`` maps onto each other:

* **sync** (:meth:`Database.open`, :meth:`Database.run`): ``run(fn, *args)`` calls
  ``fn(conn, *args)`` on the caller's thread, with that thread's own connection: no thread
  hop.  Reads (functions marked :func:`reads`) run in parallel (WAL lets readers proceed
  beside a writer); writes first take the backend's write lock, so threads of one process
  queue on a mutex rather than on SQLite's sleeping busy handler.  An in-memory database keeps
  one connection, used under the lock.  (One connection behind a lock for everything was
  measured too: 4 reading threads got half the throughput; see ``docs/backends/sqlite.md``.)
* **async** (:meth:`Database.open_async`, :meth:`Database.run_async`): one worker thread per
  backend owns the connection; ``await run_async(fn, *args)`` queues ``fn(conn, *args)`` for it
  and waits without blocking the event loop.  The thread is the project's one async-over-sync
  bridge, :class:`~prism.backends._bridge.WorkerPool`, bounded to a single worker.

The SQL operations are plain functions ``fn(conn, ...)`` in ``_ops``; each is one statement or
one ``BEGIN IMMEDIATE`` transaction (:func:`write`), so every operation is atomic against other
threads, tasks and processes using the same file.  A ``sqlite3`` exception never leaves
``run``/``run_async``: it is translated (``_errors.translator``) and chained.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, TypeVar

from prism.backends._bridge import WorkerPool
from prism.backends._errors import translated, translating
from prism.backends.sqlite._config import Options, Target, parse_options, parse_target
from prism.backends.sqlite._errors import BACKEND, translator
from prism.backends.sqlite._schema import ensure_schema
from prism.errors import BackendUnavailableError, ConfigurationError, PrismError

__all__ = [
    "Clock",
    "Database",
    "Options",
    "Signal",
    "Target",
    "parse_options",
    "parse_target",
    "reads",
    "write",
]

T = TypeVar("T")
Clock = Callable[[], float]

_SQLITE_LOCKED = 6


# ----------------------------------------------------------------------------- waiting


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class Signal:
    """Tells waiters that something changed in this database: wakes the threads and asyncio
    tasks waiting in this process.  Waiters remember :attr:`generation`, try, and wait for it
    to move; other processes' changes are seen by polling (the ``poll_interval`` option)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._generation = 0
        self._sleepers = 0
        """Threads inside :meth:`wait` (counted under ``_lock``)."""
        self._futures: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = set()

    @property
    def generation(self) -> int:
        return self._generation

    def notify(self) -> None:
        # every write of a queue or stream calls this, mostly with nobody waiting: the lock
        # itself (a C-level ``with``), and the Condition and a fresh set only for waiters
        with self._lock:
            self._generation += 1
            if self._sleepers:
                self._cond.notify_all()
            futures = self._futures
            if not futures:  # (never iterate the live set: a task may add to it meanwhile)
                return
            self._futures = set()
        for loop, fut in futures:
            with contextlib.suppress(RuntimeError):  # that loop is closed
                loop.call_soon_threadsafe(_wake, fut)

    def wait(self, seen: int, timeout: float) -> None:
        with self._lock:
            self._sleepers += 1
            try:
                self._cond.wait_for(lambda: self._generation != seen, timeout)
            finally:
                self._sleepers -= 1

    async def wait_async(self, seen: int, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        entry = (loop, fut)
        with self._lock:
            if self._generation != seen:
                return
            self._futures.add(entry)
        try:
            async with asyncio.timeout(timeout):
                await fut
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._futures.discard(entry)


_signals: dict[str, Signal] = {}
_signals_lock = threading.Lock()


def _signal_for(key: str) -> Signal:
    with _signals_lock:
        found = _signals.get(key)
        if found is None:
            found = _signals[key] = Signal()
        return found


# ----------------------------------------------------------------------------- transactions


class _Write:
    """The context manager :func:`write` returns: a class rather than a generator-based
    ``@contextmanager``, which costs about three times as much to enter and leave (every queue
    receive and every multi-statement write goes through one)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        conn = self._conn
        if kind is None:
            try:
                conn.execute("COMMIT")
            except BaseException:
                self._roll_back()
                raise
        else:
            self._roll_back()

    def _roll_back(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")


def write(conn: sqlite3.Connection) -> _Write:
    """A write transaction: ``BEGIN IMMEDIATE`` takes the database's write lock at once
    (waiting up to ``busy_timeout``), so what the block reads cannot change before it commits.
    An exception in the block (or in ``COMMIT``) rolls it back and goes on."""
    return _Write(conn)


# ----------------------------------------------------------------------------- the database


class _Connection(sqlite3.Connection):
    """A plain connection that can be weakly referenced (the sync flavour tracks its
    per-thread connections in a WeakSet, so a finished thread's connection is not kept)."""


F = TypeVar("F", bound=Callable[..., Any])


def reads(fn: F) -> F:
    """Mark an operation that only reads (no write, no ``BEGIN IMMEDIATE``): the sync flavour
    runs it on the calling thread's connection without the write lock."""
    _READS.add(fn)
    return fn


_READS: set[Callable[..., Any]] = set()
"""The operations marked :func:`reads` (a set lookup is the cheapest test on the hot path)."""


def first_row(operation: str) -> Callable[[sqlite3.Connection, str, tuple[Any, ...]], Any]:
    """A read-only operation named ``operation`` (errors name it) that runs one ``SELECT`` and
    returns its first row or None: what :meth:`Database.first` runs where it has no fast path."""

    def op(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> Any:
        return conn.execute(sql, params).fetchone()

    op.__name__ = op.__qualname__ = operation
    return reads(op)


def _is_locked(exc: Exception) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return (
        isinstance(exc, sqlite3.OperationalError)
        and code is not None
        and (code & 0xFF == _SQLITE_LOCKED)
    )


class Database:
    """The connection(s) of one backend object (see the module docstring)."""

    def __init__(self, connection: str | None, options: Mapping[str, Any]) -> None:
        self.target = parse_target(connection)
        self.options = parse_options(options)
        self.clock: Clock = self.options.clock
        self.signal = _signal_for(self.target.key)
        self._translate = translator(self.target.location)
        self._lock = threading.Lock()
        self._open = False
        self._files = not self.target.memory
        """A database in a file: each thread has its own connection (see :meth:`run`)."""
        self._conn: sqlite3.Connection | None = None
        self._local = threading.local()
        self._connections: weakref.WeakSet[sqlite3.Connection] = weakref.WeakSet()
        self._connections_lock = threading.Lock()
        """The sync flavour's per-thread connections (a thread's goes when the thread does)."""
        self._worker: WorkerPool | None = None
        """The async flavour's one thread, which owns ``_conn`` (see :meth:`run_async`)."""

    # -- connecting ---------------------------------------------------------------------------
    def connect(self) -> sqlite3.Connection:
        """A new, configured connection (WAL, ``synchronous``, ``busy_timeout``) to a database
        whose schema is current.  Raises a translated PrismError."""
        with translating(BACKEND, "open", self._translate):
            if not self.target.memory:
                parent = Path(self.target.database).parent
                if not parent.is_dir():
                    msg = (
                        f"cannot open {self.target.location}: the folder {str(parent)!r} does "
                        "not exist"
                    )
                    raise ConfigurationError(msg, backend=BACKEND, operation="open")
            conn = sqlite3.connect(
                self.target.database,
                factory=_Connection,
                uri=self.target.uri,
                timeout=self.options.busy_timeout,
                isolation_level=None,
                check_same_thread=False,
                cached_statements=256,
            )
            try:
                conn.execute(f"PRAGMA busy_timeout = {int(self.options.busy_timeout * 1000)}")
                if not self.target.memory:
                    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                    if str(mode).lower() != "wal":
                        msg = (
                            f"{self.target.location} could not be switched to WAL mode "
                            f"(journal_mode is {mode!r})"
                        )
                        raise ConfigurationError(msg, backend=BACKEND, operation="open")
                conn.execute(f"PRAGMA synchronous = {self.options.synchronous}")
                ensure_schema(conn, self.target.location)
            except BaseException:
                conn.close()
                raise
            return conn

    def _closed(self) -> BackendUnavailableError:
        return BackendUnavailableError(
            f"the sqlite backend on {self.target.location} is closed", backend=BACKEND
        )

    def _call(
        self,
        conn: sqlite3.Connection,
        fn: Callable[..., T],
        args: tuple[Any, ...],
        operation: str | None = None,
    ) -> T:
        """``fn(conn, *args)`` with errors translated.  An in-memory database shared between
        backends answers "table locked" (shared cache) at once instead of waiting, so that is
        retried for up to ``busy_timeout``, as the busy handler does for files."""
        give_up: float | None = None
        while True:
            try:
                return fn(conn, *args)
            except PrismError:
                raise
            except Exception as exc:
                if self.target.memory and _is_locked(exc):
                    now = time.monotonic()
                    give_up = give_up or now + self.options.busy_timeout
                    if now < give_up:
                        time.sleep(0.001)
                        continue
                raise self._failed(exc, fn, operation) from exc

    # -- sync flavour: no thread hop -------------------------------------------------------------
    def _thread_connection(self) -> sqlite3.Connection:
        """The calling thread's own connection (opened on first use), or for an in-memory
        database the one shared connection."""
        if not self._open:
            raise self._closed()
        if self.target.memory:
            assert self._conn is not None
            return self._conn
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.connect()
            with self._connections_lock:
                self._connections.add(conn)
        return conn

    def open(self) -> None:
        conn = self.connect()
        self._open = True
        if self.target.memory:
            self._conn = conn
        else:
            self._local.conn = conn
            self._connections.add(conn)

    def close(self) -> None:
        with self._lock, self._connections_lock:
            self._open = False
            connections = [*self._connections, *([self._conn] if self._conn else [])]
            self._connections.clear()
            self._conn = None
        for conn in connections:
            conn.close()

    def run(self, fn: Callable[..., T], *args: Any, operation: str | None = None) -> T:
        """``fn(conn, *args)`` on the calling thread.  A driver error comes out translated and
        names ``operation``, the public method being served, or else the function's own name
        (see :meth:`_failed`).

        Each thread uses its own connection, so reads (operations marked :func:`reads`) run in
        parallel under WAL.  Writes take this backend's write lock first: threads of one
        process queue on it instead of polling SQLite's busy handler (other processes still
        wait on SQLite's lock, up to ``busy_timeout``).  An in-memory database has one
        connection, and every operation takes the lock.
        """
        if self._files and self._open:
            # the hot path, one frame: the thread's connection straight from the thread-local
            # (a file's "locked" answers are waited out by SQLite's busy handler, not by _call)
            try:
                conn = self._local.conn
            except AttributeError:  # this thread's first call
                conn = self._thread_connection()
            # writes take the lock with acquire / try / finally rather than ``with``: the same
            # guarantee at about half the cost (CPython's ``with`` looks ``__enter__`` and
            # ``__exit__`` up and calls the latter with three arguments)
            lock = None if fn in _READS else self._lock
            if lock is not None:
                lock.acquire()
            try:
                return fn(conn, *args)
            except PrismError:
                raise
            except Exception as exc:
                raise self._failed(exc, fn, operation) from exc
            finally:
                if lock is not None:
                    lock.release()
        with self._lock:
            return self._call(self._thread_connection(), fn, args, operation)

    def first(self, op: Callable[..., Any], sql: str, params: tuple[Any, ...]) -> Any:
        """The first row of a read-only ``SELECT`` (or None), ``op`` being its
        :func:`first_row` operation: ``run(op, sql, params)``, with the operation's own frame
        saved on the hot path (a point read such as keyvalue ``get``)."""
        if self._files and self._open:
            try:
                conn = self._local.conn
            except AttributeError:  # this thread's first call
                conn = self._thread_connection()
            try:
                return conn.execute(sql, params).fetchone()
            except Exception as exc:
                raise self._failed(exc, op) from exc
        return self.run(op, sql, params)

    def first_async(
        self, op: Callable[..., Any], sql: str, params: tuple[Any, ...]
    ) -> Coroutine[Any, Any, Any]:
        """The async form of :meth:`first`: ``await db.first_async(...)``.  Like
        :meth:`run_async`, it hands back the worker's own coroutine rather than being one."""
        worker = self._worker
        if worker is None:
            raise self._closed()
        return worker.run(self._first_in_worker, op, sql, params)

    def _first_in_worker(self, op: Callable[..., Any], sql: str, params: tuple[Any, ...]) -> Any:
        """:meth:`first` on the worker's connection: a file's ``SELECT`` straight, in this
        frame; an in-memory database through ``_call`` (which waits out "table locked")."""
        conn = self._conn
        if conn is None:
            raise self._closed()
        if self._files:
            try:
                return conn.execute(sql, params).fetchone()
            except Exception as exc:
                raise self._failed(exc, op) from exc
        return self._call(conn, op, (sql, params))

    def _failed(
        self, exc: Exception, fn: Callable[..., Any], operation: str | None = None
    ) -> PrismError:
        """The translated error for ``exc``, naming ``operation``: the public method when the
        function serves several (``combine`` serves union, intersection and difference) or has
        another name (``set_value`` serves ``set``); else the function's name, which is then
        the public method's own."""
        return translated(exc, BACKEND, operation or fn.__name__.strip("_"), self._translate)

    def poll(
        self, timeout: float, fn: Callable[..., T], *args: Any, operation: str | None = None
    ) -> T:
        """Call ``run(fn, *args)`` until it returns something truthy or ``timeout`` seconds
        pass, waking on changes made in this process and every ``poll_interval``."""
        if timeout <= 0:  # one look (receive or dequeue without a wait): no clock, no signal
            return self.run(fn, *args, operation=operation)
        deadline = time.monotonic() + timeout
        while True:
            seen = self.signal.generation
            result = self.run(fn, *args, operation=operation)
            remaining = deadline - time.monotonic()
            if result or remaining <= 0:
                return result
            self.signal.wait(seen, min(remaining, self.options.poll_interval))

    # -- async flavour: one worker thread owns the connection ------------------------------------
    def _open_in_worker(self) -> None:
        self._conn = self.connect()

    def _close_in_worker(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _run_in_worker(
        self, fn: Callable[..., T], args: tuple[Any, ...], operation: str | None
    ) -> T:
        conn = self._conn
        if conn is None:
            raise self._closed()
        return self._call(conn, fn, args, operation)

    async def open_async(self) -> None:
        worker = WorkerPool("sqlite", max_workers=1)
        try:
            await worker.run(self._open_in_worker)
        except BaseException:
            worker.close()
            raise
        self._worker = worker

    async def close_async(self) -> None:
        worker, self._worker = self._worker, None
        if worker is None:
            return
        try:  # queued behind every call made before: each of them runs first
            await worker.run(self._close_in_worker)
        finally:
            worker.close()

    def run_async(
        self, fn: Callable[..., T], *args: Any, operation: str | None = None
    ) -> Coroutine[Any, Any, T]:
        """``await db.run_async(fn, *args)``: ``fn(conn, *args)`` on the worker thread; the
        event loop is free meanwhile.

        The worker is the project's shared bridge (:class:`~prism.backends._bridge.WorkerPool`)
        bounded to one thread, so calls run one at a time in the order made, on the one
        connection that thread opened.  This method is not a coroutine itself: it hands back
        the worker's, so an async call passes through one coroutine frame fewer (a closed
        database raises at once, in the same ``await`` statement)."""
        worker = self._worker
        if worker is None:
            raise self._closed()
        return worker.run(self._run_in_worker, fn, args, operation)

    async def poll_async(
        self, timeout: float, fn: Callable[..., T], *args: Any, operation: str | None = None
    ) -> T:
        """The async form of :meth:`poll`."""
        if timeout <= 0:
            return await self.run_async(fn, *args, operation=operation)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            seen = self.signal.generation
            result = await self.run_async(fn, *args, operation=operation)
            remaining = deadline - loop.time()
            if result or remaining <= 0:
                return result
            await self.signal.wait_async(seen, min(remaining, self.options.poll_interval))

    def __repr__(self) -> str:
        return f"Database({self.target.location})"
