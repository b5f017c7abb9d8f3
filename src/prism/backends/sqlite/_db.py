"""One SQLite database as a prism backend uses it: the connection string and options, the
connection(s), error translation, write transactions and waiting for changes.

Two flavours share this class; the facets call the one their flavour needs through a pair of
helpers that ``tools/async_to_sync.py`` maps onto each other:

* **sync** (:meth:`Database.open`, :meth:`Database.run`): one connection, opened with
  ``check_same_thread=False`` and guarded by a lock.  ``run(fn, *args)`` calls
  ``fn(conn, *args)`` in the caller's thread, holding the lock: no thread hop.  Threads of one
  process therefore take turns on the connection; SQLite itself would serialise their writes
  anyway, and the benchmark (``benchmarks/bench_sqlite.py``) measures what the turn-taking
  costs readers against one connection per thread.
* **async** (:meth:`Database.open_async`, :meth:`Database.run_async`): one worker thread per
  backend owns the connection; ``await run_async(fn, *args)`` submits ``fn(conn, *args)`` to it
  and waits without blocking the event loop.

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
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from prism.backends._errors import translating
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
    "write",
]

T = TypeVar("T")
Clock = Callable[[], float]

_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")
_OPTIONS = ("synchronous", "busy_timeout", "poll_interval", "clock")
_SQLITE_LOCKED = 6


# ----------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Target:
    """Where the database is: what ``sqlite3.connect`` gets and how messages name it."""

    database: str
    uri: bool
    location: str
    """``database file '/abs/path.db'`` or ``in-memory database 'name'``."""
    key: str
    """Identifies the database within this process (shared by backends on the same file)."""
    memory: bool


def parse_target(connection: str | None) -> Target:
    """Parse a connection string (see ``docs/backends/sqlite.md``).

    * ``/path/to/file.db``, ``relative.db``, ``~/x.db`` — a file (created when missing);
    * ``sqlite:///relative/path.db`` and ``sqlite:////abs/path.db`` — the same, as a URL;
    * ``:memory:`` / ``sqlite://:memory:`` — a private in-memory database of one backend;
    * ``:memory:NAME`` / ``sqlite://:memory:NAME`` — an in-memory database shared by every
      backend of this process that names it, kept while one of them is open.
    """
    if connection is None or not isinstance(connection, str) or not connection.strip():
        msg = (
            "the sqlite backend needs a connection: a file path, 'sqlite:///path/to/file.db', "
            "'sqlite:////absolute/path.db' or ':memory:'"
        )
        raise ConfigurationError(msg, backend=BACKEND)
    text = connection.strip()
    if "\x00" in text:
        msg = "the sqlite connection must not contain NUL characters"
        raise ConfigurationError(msg, backend=BACKEND)
    if text.startswith("sqlite://"):
        rest = text[len("sqlite://") :]
        if rest.startswith(":memory:"):
            text = rest
        elif rest.startswith("/") and len(rest) > 1:
            text = rest[1:]  # sqlite:///rel.db -> rel.db, sqlite:////abs.db -> /abs.db
        else:
            msg = (
                f"cannot read the sqlite connection {connection!r}: use "
                "'sqlite:///relative/path.db', 'sqlite:////absolute/path.db' or "
                "'sqlite://:memory:'"
            )
            raise ConfigurationError(msg, backend=BACKEND)
    elif "://" in text:
        msg = f"the sqlite connection {connection!r} is not a sqlite:// URL or a file path"
        raise ConfigurationError(msg, backend=BACKEND)
    if text.startswith(":memory:"):
        name = text[len(":memory:") :]
        shared = bool(name)
        name = name or uuid.uuid4().hex
        database = f"file:prism-{quote(name, safe='')}?mode=memory&cache=shared"
        where = f"in-memory database {name!r}" if shared else "a private in-memory database"
        return Target(database, True, where, f"memory:{name}", True)
    path = Path(text).expanduser().absolute()
    return Target(str(path), False, f"database file '{path}'", str(path), False)


@dataclass(frozen=True)
class Options:
    """The backend's ``options:`` (see ``docs/backends/sqlite.md``)."""

    synchronous: str = "NORMAL"
    busy_timeout: float = 5.0
    poll_interval: float = 0.05
    clock: Clock = time.time


def _seconds_option(
    options: Mapping[str, Any], name: str, default: float, *, positive: bool
) -> float:
    value = options.get(name, default)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (value > 0 if positive else value >= 0)
        or value == float("inf")
    ):
        bound = "> 0" if positive else ">= 0"
        msg = f"sqlite option {name!r} must be a number of seconds {bound}, got {value!r}"
        raise ConfigurationError(msg, backend=BACKEND)
    return float(value)


def parse_options(options: Mapping[str, Any]) -> Options:
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        msg = (
            f"unknown sqlite option(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(_OPTIONS)}"
        )
        raise ConfigurationError(msg, backend=BACKEND)
    synchronous = options.get("synchronous", "NORMAL")
    if not isinstance(synchronous, str) or synchronous.upper() not in _SYNCHRONOUS:
        msg = (
            f"sqlite option 'synchronous' must be one of {', '.join(_SYNCHRONOUS)}, "
            f"got {synchronous!r}"
        )
        raise ConfigurationError(msg, backend=BACKEND)
    clock = options.get("clock") or time.time
    if not callable(clock):
        msg = "sqlite option 'clock' must be a callable returning epoch seconds"
        raise ConfigurationError(msg, backend=BACKEND)
    return Options(
        synchronous=synchronous.upper(),
        busy_timeout=_seconds_option(options, "busy_timeout", 5.0, positive=False),
        poll_interval=_seconds_option(options, "poll_interval", 0.05, positive=True),
        clock=clock,
    )


# ----------------------------------------------------------------------------- waiting


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class Signal:
    """Tells waiters that something changed in this database: wakes threads and asyncio tasks waiting in this
    process.  Waiters remember :attr:`generation`, try, and wait for it to move; other
    processes' changes are seen by polling (the ``poll_interval`` option)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._generation = 0
        self._futures: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = set()

    @property
    def generation(self) -> int:
        return self._generation

    def notify(self) -> None:
        with self._cond:
            self._generation += 1
            self._cond.notify_all()
            futures, self._futures = self._futures, set()
        for loop, fut in futures:
            with contextlib.suppress(RuntimeError):  # that loop is closed
                loop.call_soon_threadsafe(_wake, fut)

    def wait(self, seen: int, timeout: float) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._generation != seen, timeout)

    async def wait_async(self, seen: int, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        entry = (loop, fut)
        with self._cond:
            if self._generation != seen:
                return
            self._futures.add(entry)
        try:
            async with asyncio.timeout(timeout):
                await fut
        except TimeoutError:
            pass
        finally:
            with self._cond:
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


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction: ``BEGIN IMMEDIATE`` takes the database's write lock at once
    (waiting up to ``busy_timeout``), so what the block reads cannot change before it commits."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# ----------------------------------------------------------------------------- the database


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
        self._conn: sqlite3.Connection | None = None
        self._worker: ThreadPoolExecutor | None = None

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

    def _call(self, conn: sqlite3.Connection, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
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
                with translating(BACKEND, fn.__name__.strip("_"), self._translate):
                    raise

    # -- sync flavour: one connection guarded by a lock, no thread hop ---------------------------
    def open(self) -> None:
        self._conn = self.connect()

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(conn, *args)`` on the calling thread, holding the connection's lock."""
        with self._lock:
            conn = self._conn
            if conn is None:
                raise self._closed()
            return self._call(conn, fn, args)

    def poll(self, timeout: float, fn: Callable[..., T], *args: Any) -> T:
        """Call ``run(fn, *args)`` until it returns something truthy or ``timeout`` seconds
        pass, waking on changes made in this process and every ``poll_interval``."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.signal.generation
            result = self.run(fn, *args)
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

    def _run_in_worker(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        conn = self._conn
        if conn is None:
            raise self._closed()
        return self._call(conn, fn, args)

    async def open_async(self) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prism-sqlite")
        try:
            await asyncio.wrap_future(self._worker.submit(self._open_in_worker))
        except BaseException:
            self._worker.shutdown(wait=False)
            self._worker = None
            raise

    async def close_async(self) -> None:
        worker, self._worker = self._worker, None
        if worker is None:
            return
        try:
            await asyncio.wrap_future(worker.submit(self._close_in_worker))
        finally:
            worker.shutdown(wait=False)

    async def run_async(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(conn, *args)`` on the worker thread; the event loop is free meanwhile."""
        worker = self._worker
        if worker is None:
            raise self._closed()
        try:
            future = worker.submit(self._run_in_worker, fn, args)
        except RuntimeError as exc:  # shut down meanwhile
            raise self._closed() from exc
        return await asyncio.wrap_future(future)

    async def poll_async(self, timeout: float, fn: Callable[..., T], *args: Any) -> T:
        """The async form of :meth:`poll`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            seen = self.signal.generation
            result = await self.run_async(fn, *args)
            remaining = deadline - loop.time()
            if result or remaining <= 0:
                return result
            await self.signal.wait_async(seen, min(remaining, self.options.poll_interval))

    def __repr__(self) -> str:
        return f"Database({self.target.location})"
