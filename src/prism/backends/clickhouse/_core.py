"""The clickhouse backend's one SQL layer and its two transports.

The SQL (``_ops``) is written once, with ClickHouse's typed query parameters (``{name:Type}``)
for every value and columnar blocks for every insert; a transport runs it:

* :class:`ChdbTransport` — the engine in this process (PyPI ``chdb``).  chdb runs one engine
  per process, so every backend object of the process shares one :class:`_ChdbEngine` (refused
  with ``ConfigurationError`` when another path is asked for).  Its session is not safe for
  concurrent calls (measured: two threads' query parameters get mixed up, "Substitution `x` is
  not set"), so each call holds the engine's lock.  Inserts go as one Arrow stream per batch.
  Results come back as Arrow tables (exact doubles).
* :class:`NativeTransport` — a server over the native TCP protocol (clickhouse-driver).  A
  driver ``Client`` is not thread-safe, so each thread gets its own.  Query parameters are sent
  server-side (typed) where the server supports them (protocol revision 54459, ClickHouse 22.x);
  against an older server the driver binds them client-side with its escaping.  Inserts are
  columnar blocks (``execute(..., columnar=True)``).

:class:`Core` wraps a transport for the facets: ``run(fn, *args)`` calls ``fn(core, *args)`` on
the caller's thread with driver errors translated; ``await run_async(fn, *args)`` (the async
flavour) runs the same on the shared :class:`~prism.backends.WorkerPool`.
"""

from __future__ import annotations

import atexit
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from prism.backends._bridge import WorkerPool
from prism.backends._errors import translated, translating
from prism.backends.clickhouse._config import ClickHouseConfig, parse_config
from prism.backends.clickhouse._errors import translate
from prism.errors import BackendUnavailableError, ConfigurationError

__all__ = ["BACKEND", "ChdbTransport", "Core", "NativeTransport", "Transport", "quote"]

BACKEND = "clickhouse"
T = TypeVar("T")

Columns = list[list[Any]]
"""A result as columns: ``columns[i][row]``."""


def quote(identifier: str) -> str:
    """A ClickHouse identifier, back-quoted with its backslashes and back-quotes escaped."""
    return "`" + identifier.replace("\\", "\\\\").replace("`", "\\`") + "`"


class Transport(Protocol):
    modern: bool
    """Whether the engine has what the timeseries schema needs (Map, lightweight DELETE)."""

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> Columns: ...

    def command(self, sql: str, params: Mapping[str, Any] | None = None) -> None: ...

    def insert(
        self, table: str, names: Sequence[str], types: Sequence[str], columns: Columns
    ) -> None: ...

    def close(self) -> None: ...


# ----------------------------------------------------------------------------- chdb


class _ChdbEngine:
    """The process's one chdb session, shared by every backend object on its path."""

    lock = threading.Lock()
    """Guards the class state below."""
    current: _ChdbEngine | None = None

    def __init__(self, path: str) -> None:
        from chdb import session

        self.path = path
        self.session: Any = session.Session(path)  # type: ignore[no-untyped-call]
        self.users = 0
        self.call_lock = threading.Lock()

    @classmethod
    def acquire(cls, path: str) -> _ChdbEngine:
        """The engine on ``path``, counted as used once more.  The engine stays open when its
        last user closes (opening one costs seconds), until the process exits or another path
        is asked for while nobody uses it."""
        with cls.lock:
            engine = cls.current
            if engine is not None and engine.path != path:
                if engine.users > 0:
                    msg = (
                        f"chdb runs one engine per process and it is open on {engine.path!r}; "
                        "every clickhouse backend of this process must use that path while "
                        f"one is open, not {path!r}"
                    )
                    raise ConfigurationError(msg, backend=BACKEND, operation="open")
                engine.shutdown()
                engine = cls.current = None
            if engine is None:
                engine = cls.current = cls(path)
                atexit.register(engine.shutdown)
            engine.users += 1
            return engine

    def release(self) -> None:
        with type(self).lock:
            self.users -= 1

    def shutdown(self) -> None:
        with self.call_lock:
            if self.session is not None:
                self.session.close()
                self.session = None


_ARROW_TYPES: dict[str, Callable[[], Any]] = {}


def _arrow_type(name: str) -> Any:
    import pyarrow as pa

    if not _ARROW_TYPES:
        _ARROW_TYPES.update(
            {
                "String": pa.string,
                "Float64": pa.float64,
                "UInt64": pa.uint64,
                "Nullable(Float64)": pa.float64,
                "Map(LowCardinality(String), String)": lambda: pa.map_(pa.string(), pa.string()),
            }
        )
    return _ARROW_TYPES[name]()


class ChdbTransport:
    """The ClickHouse engine in this process (see the module docstring)."""

    modern = True

    def __init__(self, config: ClickHouseConfig) -> None:
        self.config = config
        self.settings = dict(config.settings)
        self.engine: _ChdbEngine | None = _ChdbEngine.acquire(config.path)

    def _session(self) -> Any:
        engine = self.engine
        if engine is None:
            msg = f"the clickhouse backend on {self.config.location} is closed"
            raise BackendUnavailableError(msg, backend=BACKEND)
        return engine

    def _sql(self, sql: str) -> str:
        if not self.settings:
            return sql
        # settings are configuration (names checked, values typed by ClickHouse), not user data
        pairs = ", ".join(
            f"{_setting_name(k)} = {_setting_value(v)}" for k, v in self.settings.items()
        )
        return f"{sql} SETTINGS {pairs}"

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> Columns:
        engine = self._session()
        with engine.call_lock:
            table = engine.session.query(self._sql(sql), "ArrowTable", params=_escaped(params))
        return [column.to_pylist() for column in table.columns]

    def command(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        engine = self._session()
        with engine.call_lock:
            engine.session.query(self._sql(sql), "CSV", params=_escaped(params))

    def insert(
        self, table: str, names: Sequence[str], types: Sequence[str], columns: Columns
    ) -> None:
        import pyarrow as pa

        batch = pa.table(
            [pa.array(col, type=_arrow_type(t)) for col, t in zip(columns, types, strict=True)],
            names=list(names),
        )
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_table(batch)
        payload = sink.getvalue().to_pybytes()
        engine = self._session()
        statement = f"INSERT INTO {table} ({', '.join(quote(n) for n in names)})"
        with engine.call_lock, engine.session.send_insert(statement, "ArrowStream") as inserter:
            inserter.append(payload)
            inserter.finish()

    def close(self) -> None:
        engine, self.engine = self.engine, None
        if engine is not None:
            engine.release()


_ESCAPES = str.maketrans(
    {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0", "\b": "\\b",
     "\f": "\\f"}
)  # fmt: skip


def _escaped(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Query parameters as ClickHouse parses them: a string value in its escaped text form
    (a backslash, tab or newline would otherwise be read as an escape sequence)."""
    return {
        k: v.translate(_ESCAPES) if isinstance(v, str) else v for k, v in (params or {}).items()
    }


_SETTING = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _setting_name(name: str) -> str:
    if not _SETTING.fullmatch(name):
        msg = f"clickhouse setting name {name!r} is not a ClickHouse setting name"
        raise ConfigurationError(msg, backend=BACKEND)
    return name


def _setting_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


# ----------------------------------------------------------------------------- native


_PARAM = re.compile(r"\{(\w+):[^{}]+\}")


class NativeTransport:
    """A ClickHouse server over the native TCP protocol (see the module docstring)."""

    def __init__(self, config: ClickHouseConfig) -> None:
        self.config = config
        self._local = threading.local()
        self._clients: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False
        client = self._client()
        info = client.connection.server_info
        revision = info.revision if info is not None else 0
        self.server_params = revision >= 54459
        self.version = info.version_tuple() if info is not None else (0, 0, 0)
        self.modern = self.version >= (22, 8, 0)

    def _client(self) -> Any:
        if self._closed:
            msg = f"the clickhouse backend on {self.config.location} is closed"
            raise BackendUnavailableError(msg, backend=BACKEND)
        client = getattr(self._local, "client", None)
        if client is None:
            from clickhouse_driver import Client

            client = Client.from_url(self.config.url)
            client.settings.update(self.config.settings)
            try:
                client.execute("SELECT 1")  # connects: a wrong password or database fails here
            except BaseException:
                client.disconnect()
                raise
            info = client.connection.server_info
            if info is not None and info.revision >= 54459:
                client.client_settings["server_side_params"] = True
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    def _bind(self, sql: str) -> str:
        return sql if self.server_params else _PARAM.sub(r"%(\1)s", sql)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> Columns:
        result = self._client().execute(self._bind(sql), dict(params or {}), columnar=True)
        return [list(column) for column in result]

    def command(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        self._client().execute(self._bind(sql), dict(params or {}))

    def insert(
        self, table: str, names: Sequence[str], types: Sequence[str], columns: Columns
    ) -> None:
        statement = f"INSERT INTO {table} ({', '.join(quote(n) for n in names)}) VALUES"
        self._client().execute(statement, columns, columnar=True)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            clients, self._clients = self._clients, []
        for client in clients:
            client.disconnect()


# ----------------------------------------------------------------------------- the core


class Core:
    """A transport as the facets use it (see the module docstring)."""

    def __init__(self, connection: str | None, options: Mapping[str, Any]) -> None:
        self.config = parse_config(BACKEND, connection, options)
        self.clock = self.config.clock
        self.pool = WorkerPool(BACKEND, self.config.workers)
        self.transport: Transport | None = None
        self.ready: set[str] = set()
        """Tables known to be in place, in the current schema version."""
        self._version_lock = threading.Lock()
        self._last_version = 0

    def next_version(self) -> int:
        """A row version for ReplacingMergeTree, increasing within this process (nanoseconds of
        the wall clock, so writers of other processes interleave by time)."""
        with self._version_lock:
            version = self._last_version = max(time.time_ns(), self._last_version + 1)
            return version

    @property
    def t(self) -> Transport:
        transport = self.transport
        if transport is None:
            msg = f"the clickhouse backend on {self.config.location} is closed"
            raise BackendUnavailableError(msg, backend=BACKEND)
        return transport

    def open(self) -> None:
        with translating(BACKEND, "open", translate):
            if self.config.transport == "chdb":
                self.transport = ChdbTransport(self.config)
            else:
                self.transport = NativeTransport(self.config)

    def close(self) -> None:
        transport, self.transport = self.transport, None
        self.pool.close()
        if transport is not None:
            with translating(BACKEND, "close", translate):
                transport.close()

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(self, *args)`` on the calling thread, driver errors translated and chained."""
        try:
            return fn(self, *args)
        except Exception as exc:
            raise translated(exc, BACKEND, fn.__name__.strip("_"), translate) from exc

    async def open_async(self) -> None:
        await self.pool.run(self.open)

    async def close_async(self) -> None:
        transport, self.transport = self.transport, None
        if transport is not None:
            await self.pool.run(transport.close)
        self.pool.close()

    async def run_async(self, fn: Callable[..., T], *args: Any) -> T:
        """``run(fn, *args)`` on the shared worker pool; the event loop is free meanwhile."""
        return await self.pool.run(self.run, fn, *args)

    def __repr__(self) -> str:
        return f"Core({self.config.location})"
