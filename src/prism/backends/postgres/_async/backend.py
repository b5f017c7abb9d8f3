"""The postgres backend class (async flavour: ``psycopg.AsyncConnection`` in an
``psycopg_pool.AsyncConnectionPool``; the sync twin uses ``Connection`` and ``ConnectionPool``)."""

from __future__ import annotations

import itertools
from typing import Any

from psycopg import AsyncConnection  # noqa: TID253 (backend-internal module)
from psycopg_pool import AsyncConnectionPool

from prism.backends._async.base import AsyncBackend
from prism.backends._errors import translating
from prism.backends.postgres._async.document import AsyncPostgresDocument
from prism.backends.postgres._async.graph import AsyncPostgresGraph
from prism.backends.postgres._async.keyvalue import AsyncPostgresKeyValue
from prism.backends.postgres._async.pubsub import AsyncPostgresPubSub, AsyncPostgresSubscription
from prism.backends.postgres._async.queue import AsyncPostgresQueue
from prism.backends.postgres._async.set import AsyncPostgresSet
from prism.backends.postgres._async.stream import AsyncPostgresStream
from prism.backends.postgres._async.timeseries import AsyncPostgresTimeSeries
from prism.backends.postgres._auth import (
    connect_kwargs_async,
    probe_async,
    refreshing_connection_async,
)
from prism.backends.postgres._config import parse_config
from prism.backends.postgres._core import (
    BACKEND,
    MIGRATIONS,
    SET_VERSION,
    VERSION,
    bootstrap,
    render,
)
from prism.backends.postgres._errors import translate
from prism.backends.settings import BackendSettings

__all__ = ["AsyncPostgresBackend"]


class AsyncPostgresBackend(AsyncBackend):
    """One connection pool to one PostgreSQL database, shared by the namespaces opened on the
    same connection entry; each namespace is a schema of its own (see ``_core.py`` and
    ``docs/backends/postgres.md``).  Pooled connections run in autocommit mode; multi-statement
    work opens an explicit transaction (READ COMMITTED unless said otherwise)."""

    facet_classes = {
        "keyvalue": AsyncPostgresKeyValue,
        "queue": AsyncPostgresQueue,
        "document": AsyncPostgresDocument,
        "stream": AsyncPostgresStream,
        "timeseries": AsyncPostgresTimeSeries,
        "pubsub": AsyncPostgresPubSub,
        "graph": AsyncPostgresGraph,
        "set": AsyncPostgresSet,
    }

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.config = parse_config(settings.backend, settings.connection, settings.options)
        self._pool: AsyncConnectionPool[Any] | None = None
        self.ready: set[tuple[str, str]] = set()
        """(schema, model or table) pairs known to be in place."""
        self._writes = itertools.count(1)
        self.subscriptions: set[AsyncPostgresSubscription] = set()
        """Open pubsub subscriptions (each on a connection of its own), closed with the backend."""

    @property
    def pool(self) -> AsyncConnectionPool[Any]:
        if self._pool is None:
            msg = "the postgres backend is not open"
            raise RuntimeError(msg)
        return self._pool

    async def open(self) -> None:
        config = self.config
        kwargs: dict[str, Any] = {
            "autocommit": True,
            "prepare_threshold": config.prepare_threshold,
            **config.libpq,
        }
        provider = self.settings.credentials
        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            config.conninfo,
            connection_class=refreshing_connection_async(provider),
            kwargs=connect_kwargs_async(kwargs, provider),
            min_size=config.min_size,
            max_size=config.max_size,
            timeout=config.timeout,
            max_idle=config.max_idle,
            max_lifetime=config.max_lifetime,
            name="prism",
            open=False,
        )
        try:
            with translating(BACKEND, "open", translate):
                if provider is not None:
                    # one direct connection first: a refused credential is refreshed once and
                    # then reported (ConfigurationError), where the pool would retry it in the
                    # background until its timeout
                    await probe_async(config.conninfo, kwargs, provider)
                await pool.open(wait=True, timeout=config.timeout)
        except BaseException:
            await pool.close()
            raise
        self._pool = pool

    async def close(self) -> None:
        for subscription in list(self.subscriptions):
            await subscription.close()
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    def count_write(self, every: int) -> bool:
        """Count one write; True once every ``every`` writes (time for housekeeping)."""
        return next(self._writes) % every == 0

    async def ensure(self, schema: str, namespace: str, model: str) -> None:
        """Create ``schema`` and bring ``model``'s tables in it to the latest version, once per
        backend (the check is a set lookup afterwards)."""
        if (schema, model) in self.ready:
            return
        steps = MIGRATIONS[model]
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [schema])
            for statement in bootstrap(schema, namespace):
                await conn.execute(statement)
            cur = await conn.execute(render(VERSION, schema, m="prism_migrations"), [model])
            row = await cur.fetchone()
            version = 0 if row is None else int(row[0])
            for number in range(version, len(steps)):
                for statement in steps[number](schema):
                    await conn.execute(statement)
            if version < len(steps):
                await conn.execute(
                    render(SET_VERSION, schema, m="prism_migrations"), [model, len(steps)]
                )
        self.ready.add((schema, model))

    def forget(self, schema: str) -> None:
        """Drop what is known of ``schema`` (it vanished): the next use creates it again."""
        self.ready = {entry for entry in self.ready if entry[0] != schema}

    async def ensure_ddl(
        self, conn: AsyncConnection[Any], schema: str, key: str, statements: list[str]
    ) -> None:
        """Run idempotent DDL ``statements`` (a document collection's table) once per backend,
        on ``conn`` (the caller's pooled connection, in autocommit mode) under the schema's
        advisory lock."""
        if (schema, key) in self.ready:
            return
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [schema])
            for statement in statements:
                await conn.execute(statement)
        self.ready.add((schema, key))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"
